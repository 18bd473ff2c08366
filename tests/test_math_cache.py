"""The build keeps typeset formulas, and python examples' output, between builds, filed under what they depend on."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _hooks(cache: Path) -> Any:
    spec = importlib.util.spec_from_file_location("vgdocs_hooks_math_cache", ROOT / "tools" / "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.CACHE = cache
    module._state["hash"] = "0123456789abcdef"
    module._state["math_file"] = module._math_cache_path()  # as on_config files it
    return module


def test_typeset_math_is_kept_and_reused_without_katex(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vgsite.katex_fonts import FontCascade

    items = [("x^2 + \\sigma(z)", False), ("\\frac{\\partial L}{\\partial W}", True)]
    first = _hooks(tmp_path)
    try:
        rendered = first._render_math([*items, ("\\frac{", False)])
        first._save_math_cache()
    finally:
        first._stop_node()
    assert "error" in rendered[2]  # bad TeX is reported, and not kept
    assert all('class="katex"' in r["html"] and "<annotation" not in r["html"] for r in rendered[:2])
    assert len(list(tmp_path.glob("math.*.json"))) == 1

    second = _hooks(tmp_path)

    def no_katex() -> None:
        raise AssertionError("a kept formula must not start KaTeX")

    monkeypatch.setattr(second, "_katex", no_katex)
    again = second._render_math(items)
    assert again == rendered[:2]
    # The characters each font draws, recounted from the HTML by the font cascade itself.
    cascade = FontCascade((ROOT / "node_modules" / "katex" / "dist" / "katex.min.css").read_text(encoding="utf-8"))
    expected: dict[str, set[str]] = {}
    for r in rendered[:2]:
        cascade.characters('<span class="katex">' + r["html"].split("</math></span>", 1)[-1], expected)
    assert second._state["katex_chars"] == expected
    assert {"x", "z"} <= expected["KaTeX_Math-Italic"]
    # Bad TeX is typeset again (and reported again) on the next build.
    with pytest.raises(AssertionError, match="must not start KaTeX"):
        second._render_math([("\\frac{", False)])


def test_typeset_math_is_filed_under_what_typesets_it_and_nothing_else(tmp_path: Path) -> None:
    """A change to the library or a page file (the code hash) keeps every typeset formula; a
    change to KaTeX, its driver, the hooks or the font counting files them under another name."""
    hooks = _hooks(tmp_path)
    before = hooks._math_cache_path()
    hooks._state["hash"] = "fedcba9876543210"  # what an edit of a page file or the library changes
    assert hooks._math_cache_path() == before
    names = {p.name for p in hooks.MATH_CODE}
    assert names == {"package.json", "katex_render.cjs", "mkdocs_hooks.py", "katex_fonts.py"}
    for i, path in enumerate(hooks.MATH_CODE):
        changed = tmp_path / f"changed-{i}-{path.name}"
        changed.write_bytes(path.read_bytes() + b"\n")
        hooks.MATH_CODE = (*hooks.MATH_CODE[:i], changed, *hooks.MATH_CODE[i + 1:])
        assert hooks._math_cache_path() != before, f"a change to {path.name} kept the typeset math"
        hooks.MATH_CODE = (*hooks.MATH_CODE[:i], path, *hooks.MATH_CODE[i + 1:])
    assert hooks._math_cache_path() == before


def test_an_examples_output_is_kept_under_the_library_and_its_code(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A python example's output is run once per library version and code, not per page-file edit."""
    hooks = _hooks(tmp_path)
    markdown = "Text.\n\n```python\nprint(6 * 7)\n```\n"
    hooks._state["library"] = "1111111111111111"
    first = hooks._execute_fences(markdown, "page.md")
    assert 'title="Output"\n42\n' in first
    assert len(list((tmp_path / "outputs").glob("*.json"))) == 1

    def not_again(code: str, where: str) -> tuple[str, None]:
        raise AssertionError(f"{where} ran again")

    monkeypatch.setattr(hooks, "_run_python", not_again)
    hooks._state["hash"] = "fedcba9876543210"  # a page file or the hooks changed: output kept
    assert hooks._execute_fences(markdown, "page.md") == first
    hooks._state["library"] = "2222222222222222"  # the library changed: run again
    with pytest.raises(AssertionError, match=r"page\.md \(python block 1\) ran again"):
        hooks._execute_fences(markdown, "page.md")
    hooks._state["library"] = "1111111111111111"  # another example under the kept library: run
    with pytest.raises(AssertionError, match=r"page\.md \(python block 1\) ran again"):
        hooks._execute_fences(markdown.replace("6 * 7", "6 * 8"), "page.md")


def test_numbers_are_kept_per_page_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A number computed once is read back on the next build until its own page file's code changes."""
    import vgsite.cache
    from vgsite import registry

    def hooks_here() -> Any:
        hooks = _hooks(tmp_path)
        hooks.NUMBERS_FILE = tmp_path / "numbers.json"
        hooks._state["registry"] = registry
        return hooks

    other = next(n for n, num in registry.NUMBERS.items() if num.page == "sigmoid-derivative.py")
    first = hooks_here()
    first._state["values"] = first._stored_numbers()
    assert first._state["values"] == {}
    values = {"h": first._value("h"), other: first._value(other)}
    assert values["h"] == pytest.approx(0.6224593312, abs=1e-9)  # sigmoid(0.5), the article's h
    first._save_numbers()

    second = hooks_here()
    assert second._stored_numbers() == values
    real = vgsite.cache.page_hash
    monkeypatch.setattr(vgsite.cache, "page_hash",  # as if docs/article.py had been edited
                        lambda page, **kw: real(page, **kw) + ("-edited" if page == "article.py" else ""))
    assert second._stored_numbers() == {other: values[other]}


def test_a_numbers_key_covers_the_site_machinery_and_an_experiments_does_not(tmp_path: Path) -> None:
    import shutil

    from vgsite.cache import page_hash

    roots = []
    for name in ("before", "after"):
        root = tmp_path / name
        shutil.copytree(ROOT / "src" / "vgdocs", root / "src" / "vgdocs")
        shutil.copytree(ROOT / "tools" / "vgsite", root / "tools" / "vgsite")
        (root / "docs").mkdir()
        shutil.copy(ROOT / "docs" / "article.py", root / "docs" / "article.py")
        shutil.copy(ROOT / "tools" / "mkdocs_hooks.py", root / "tools" / "mkdocs_hooks.py")
        roots.append(root)
    registry_py = roots[1] / "tools" / "vgsite" / "registry.py"
    registry_py.write_text(registry_py.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    before, after = roots
    assert page_hash("article.py", number=True, root=before) != page_hash("article.py", number=True, root=after)
    assert page_hash("article.py", root=before) == page_hash("article.py", root=after)
    assert page_hash("article.py", figure=True, root=before) == page_hash("article.py", figure=True, root=after)
    with pytest.raises(ValueError, match="figure and number"):
        page_hash("article.py", figure=True, number=True, root=before)
