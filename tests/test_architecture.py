# The house rules: the library is math only, each page's code sits beside the page, no import cycles.
"""Tests of the layout itself, read from the source files' syntax trees.

- ``src/vgdocs`` imports no plotting library, no site machinery and no page file, and its
  modules import one another without a cycle;
- no library module is much over 600 lines;
- the API reference has one page per public module, each in the nav;
- every figure has one kind of name (lowercase, hyphens) and is registered by the page file
  beside the page that shows it; every page that shows a figure or a number of its own has a
  page file.
"""

from __future__ import annotations

import ast
import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from vgsite import pages
from vgsite.registry import FIGURES, NUMBERS

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "src" / "vgdocs"
DOCS = ROOT / "docs"
MAX_LINES = 620  # "about 600": the largest module, gated_cells, keeps every formula the LSTM page links to


def _imports(path: Path) -> set[str]:
    """Top-level module names and ``vgdocs.*`` modules that ``path`` imports (anywhere in the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "vgdocs":
                found |= {f"vgdocs.{a.name}" for a in node.names}
    return found


def _library_graph(library: Path = LIBRARY) -> dict[str, set[str]]:
    modules = {f"vgdocs.{p.stem}" if p.stem != "__init__" else "vgdocs": p for p in library.glob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_library_imports_form_no_cycle() -> None:
    graph = _library_graph()
    graph.pop("vgdocs")  # the package re-exports its modules; they never import it back
    assert all("vgdocs" not in deps for deps in graph.values()), "a module imports the package itself"
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle in vgdocs: {exc.args[1]}")
    assert order.index("vgdocs._validate") < order.index("vgdocs.gated_cells")


def test_the_cycle_check_finds_a_planted_cycle(tmp_path: Path) -> None:
    """The cycle that deep_stacks and initialisation once had, one import inside a function."""
    (tmp_path / "deep_stacks.py").write_text("def f():\n    from vgdocs.initialisation import sampler\n")
    (tmp_path / "initialisation.py").write_text("from vgdocs.deep_stacks import dense_forward\n")
    graph = _library_graph(tmp_path)
    assert graph == {"vgdocs.deep_stacks": {"vgdocs.initialisation"}, "vgdocs.initialisation": {"vgdocs.deep_stacks"}}
    with pytest.raises(CycleError):
        list(TopologicalSorter(graph).static_order())


@pytest.mark.parametrize("path", sorted(LIBRARY.glob("*.py")), ids=lambda p: p.name)
def test_library_module_is_math_only(path: Path) -> None:
    imports = _imports(path)
    forbidden = {m for m in imports if m.split(".")[0] in {"matplotlib", "vgsite", "mkdocs", "cycler"}}
    assert not forbidden, f"{path.name} imports site or plotting code: {sorted(forbidden)}"
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"@(figure|number)\(|\bdef draw_", text), f"{path.name} draws or registers for a page"


@pytest.mark.parametrize("path", sorted(LIBRARY.glob("*.py")), ids=lambda p: p.name)
def test_library_module_is_not_much_over_600_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines"


def test_figure_names_follow_one_convention() -> None:
    bad = [name for name in FIGURES if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name)]
    assert not bad, f"figure names must be lowercase words joined by hyphens: {bad}"


def _figures_used(md: Path) -> set[str]:
    return set(re.findall(r"\]\((?:\.\./)*figures/([\w-]+)\.svg", md.read_text(encoding="utf-8")))


def test_every_figure_is_registered_by_the_file_beside_its_page() -> None:
    """A figure shown on docs/<page>.md is drawn by docs/<page>.py, and nowhere else."""
    problems = []
    for md in sorted(DOCS.rglob("*.md")):
        for name in sorted(_figures_used(md)):
            expected = md.with_suffix(".py").relative_to(DOCS).as_posix()
            owner = FIGURES[name].page if name in FIGURES else "nowhere"
            if owner != expected:
                problems.append(f"{md.relative_to(DOCS)} shows {name!r}, registered by {owner or 'no page file'}")
    assert not problems, "\n".join(problems)


def test_every_page_file_belongs_to_a_page_and_registers_something() -> None:
    owners = {f.page for f in FIGURES.values()} | {n.page for n in NUMBERS.values()}
    for path in pages.page_files():
        assert path.with_suffix(".md").is_file(), f"{path.name} has no page {path.with_suffix('.md').name}"
        assert path.relative_to(DOCS).as_posix() in owners, f"{path.name} registers nothing"


def test_every_number_and_figure_is_registered_by_a_page_file() -> None:
    """The library never registers (it does not import vgsite); every entry names its page file."""
    files = {p.relative_to(DOCS).as_posix() for p in pages.page_files()}
    assert {n.page for n in NUMBERS.values()} <= files
    assert {f.page for f in FIGURES.values()} <= files


def test_page_lookup_names_the_pages_it_knows() -> None:
    assert pages.page("gated-cells").__name__ == "vgsite.pages.gated_cells"
    with pytest.raises(ValueError, match=r"^name must be a page with a page file .*gated-cells"):
        pages.page("no-such-page")


def test_every_public_module_has_its_own_reference_page_in_the_nav() -> None:
    """The API reference is one page per module, ``docs/reference/<module>.md``, each in the nav."""
    public = sorted(p.stem for p in LIBRARY.glob("*.py") if not p.name.startswith("_"))
    pages_ = sorted(p.stem for p in (DOCS / "reference").glob("*.md") if p.stem != "index")
    assert pages_ == public
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for module in public:
        text = (DOCS / "reference" / f"{module}.md").read_text(encoding="utf-8")
        assert re.findall(r"^::: (\S+)", text, re.M) == [f"vgdocs.{module}"], module
        assert f"reference/{module}.md" in nav, f"reference/{module}.md is not in the nav"
        assert f"({module}.md)" in (DOCS / "reference" / "index.md").read_text(encoding="utf-8"), module
