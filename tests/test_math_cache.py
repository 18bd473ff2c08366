"""The build keeps typeset formulas between builds: the same HTML and font characters, without KaTeX."""

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


def test_a_code_change_files_typeset_math_under_another_name(tmp_path: Path) -> None:
    hooks = _hooks(tmp_path)
    before = hooks._math_cache_path()
    hooks._state["hash"] = "fedcba9876543210"
    assert hooks._math_cache_path() != before
