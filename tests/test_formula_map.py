"""Every displayed formula names the function that computes it, and that function is tested."""

from __future__ import annotations

import json
import posixpath
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "tools"))
from testmap import canonical, covering_tests  # noqa: E402

_DISPLAY = re.compile(r"^[ \t]*\$\$\n(.*?)\n[ \t]*\$\$", re.M | re.S)
_CODE = re.compile(r"^[ \t]*%[ \t]*code:[ \t]*(.*)$", re.M)


def _sources() -> list[tuple[str, str]]:
    """(where, Markdown text) for every page and every notebook markdown cell."""
    out = [(p.relative_to(DOCS).as_posix(), p.read_text(encoding="utf-8"))
           for p in sorted(DOCS.rglob("*.md")) if "snippets" not in p.parts]
    for nb in sorted(DOCS.rglob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "markdown":
                out.append((f"{nb.relative_to(DOCS).as_posix()} cell {i}", "".join(cell["source"])))
    return out


def _formulas() -> list[tuple[str, str]]:
    return [(where, m.group(1)) for where, text in _sources() for m in _DISPLAY.finditer(text)]


def test_there_are_formulas_to_check() -> None:
    assert len(_formulas()) > 50


def test_every_display_formula_names_its_function() -> None:
    missing = [f"{where}: {tex.strip().splitlines()[0][:60]}"
               for where, tex in _formulas() if not _CODE.search(tex)]
    assert not missing, "display formulas without a '% code:' line:\n" + "\n".join(missing)


def test_every_named_function_exists_and_has_a_test() -> None:
    problems = []
    for where, tex in _formulas():
        for line in _CODE.findall(tex):
            for name in (n.strip() for n in line.split(",") if n.strip()):
                target = canonical(name) if name.startswith("vgdocs.") else name
                if not target.startswith("vgdocs.") or (target == name and not _exists(name)):
                    problems.append(f"{where}: {name} is not in the vgdocs package")
                elif not covering_tests(target):
                    problems.append(f"{where}: {target} has no test")
    assert not problems, "\n".join(problems)


def _exists(name: str) -> bool:
    import importlib

    module, _, attr = name.rpartition(".")
    try:
        return hasattr(importlib.import_module(module), attr)
    except ImportError:
        return False


def test_the_test_index_finds_real_tests_and_nothing_for_a_fake_name() -> None:
    assert any("test_worked_example.py" in t for t in covering_tests("vgdocs.worked_example.grad_W1"))
    assert covering_tests("vgdocs.worked_example.no_such_function") == ()


def _reference_ids(soups: Mapping[str, Any]) -> dict[str, set[str]]:
    """The element ids of each API reference page (one page per module), by page."""
    return {page: {el["id"] for el in soup.select("[id]")}
            for page, soup in soups.items() if page.startswith("reference/")}


@pytest.mark.build
def test_built_formulas_link_to_reference_entries(soups: Mapping[str, Any]) -> None:
    ids = _reference_ids(soups)
    assert len(ids) > 10, "expected one API reference page per module"
    bad = []
    for page, soup in soups.items():
        if page.startswith("reference/"):
            continue
        for block in soup.select(".vg-math"):
            links = block.select("a.vg-code")
            if not links:
                bad.append(f"{page}: a display formula has no code link")
            for a in links:
                href, target = a["href"].split("#", 1)
                where = posixpath.normpath(posixpath.join(posixpath.dirname(page), href)) + "/index.html"
                if target not in ids.get(where, set()):
                    bad.append(f"{page}: code link to {where}#{target}, not an entry of the API reference")
                elif where != f"reference/{target.split('.')[1]}/index.html":
                    bad.append(f"{page}: {target} is linked on {where}, not on its module's page")
    assert not bad, "\n".join(bad)


@pytest.mark.build
def test_reference_entries_name_their_tests(soups: Mapping[str, Any]) -> None:
    entries = [el for page, soup in soups.items() if page.startswith("reference/")
               for el in soup.select(".vg-tested-by")]
    assert len(entries) > 20
    for el in entries:
        assert re.search(r"tests/test_\w+\.py", el.get_text()), el
