"""Every number the built site displays was computed by the package, and none was typed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from vgsite import load_all
from vgsite.registry import NUMBERS, format_number

load_all()

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

pytestmark = pytest.mark.build

# The source article's published values, to three decimals (x = 1, W1 = W2 = 0.5, y = 1).
PUBLISHED = {
    "h": "0.622",
    "y_hat": "0.577",
    "loss": "0.179",
    "dL_dy_hat": "-0.846",
    "sigma_prime_z2": "0.244",
    "dy_hat_dh": "0.122",
    "sigma_prime_z1": "0.235",
    "dh_dW1": "0.235",
    "dL_dW1": "-0.024",
    "dL_dW2": "-0.128",
}


def _normalise(text: str) -> str:
    """Displayed number → plain ASCII: U+2212 → '-', '9.5×10−7' → '9.5e-7', no spaces."""
    text = text.replace("\u2212", "-").replace("\u2009", "").replace(" ", "").strip()
    return re.sub(r"[×x]10\^?\{?(-?\d+)\}?$", r"e\1", text)


def _displayed(soups: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(page, number name, displayed text) for every tagged number on the site."""
    found = []
    for page, soup in soups.items():
        for el in soup.select("[data-vg-number]"):
            if el.find_parent(class_="katex-mathml"):
                continue
            found.append((page, el["data-vg-number"], el.get_text()))
    return found


def test_every_displayed_number_matches_its_function(soups: Mapping[str, Any]) -> None:
    shown = _displayed(soups)
    assert len(shown) > 50, "expected the article's numbers to be tagged in the built HTML"
    wrong = []
    for page, name, text in shown:
        assert name in NUMBERS, f"{page} shows a number {name!r} that no function computes"
        expected = format_number(NUMBERS[name].value(), NUMBERS[name].fmt, tex=False)
        expected = re.sub(r"<sup>(.*?)</sup>", r"\1", expected)
        if _normalise(text) != _normalise(expected):
            wrong.append(f"{page}: {name} shows {text!r}, its function gives {expected!r}")
    assert not wrong, "\n".join(wrong)


def test_numbers_in_alt_text_are_computed_and_plain(soups: Mapping[str, Any]) -> None:
    # A figure's alt text is read aloud in place of the figure: its numbers come from the same
    # functions as the prose, as plain text (no markup inside an attribute).
    checked = 0
    for md in sorted(DOCS.glob("*.md")):
        html_page = "index.html" if md.stem == "index" else f"{md.stem}/index.html"
        alts = {img.get("alt") for img in soups[html_page].find_all("img")}
        for alt in re.findall(r"!\[([^\]]*\{\{[^\]]*)\]\(", md.read_text(encoding="utf-8")):
            def value(m: re.Match[str]) -> str:
                num = NUMBERS[m.group(1)]
                return re.sub(r"<sup>(.*?)</sup>", r"^\1", format_number(num.value(), num.fmt, tex=False))

            expected = re.sub(r"\{\{\s*(\w+)\s*\}\}", value, alt).strip()
            assert expected in alts, f"{html_page}: no image has the alt text {expected!r}"
            checked += 1
    assert checked >= 2, "the recurrent-training figures give their numbers in their alt text"


def test_article_shows_the_published_values(soups: Mapping[str, Any]) -> None:
    on_article = {}
    for page, name, text in _displayed(soups):
        if page == "article/index.html":
            on_article.setdefault(name, set()).add(_normalise(text))
    for name, value in PUBLISHED.items():
        assert on_article.get(name) == {value}, f"{name}: article shows {on_article.get(name)}"


def test_gradient_ratio_is_shown_and_about_five(soups: Mapping[str, Any]) -> None:
    shown = {n: _normalise(t) for p, n, t in _displayed({"article/index.html": soups["article/index.html"]})}
    # Independent: 0.128456 / 0.024249 from the closed forms is 5.297...
    assert shown["grad_ratio"] == "5.3"


def test_every_number_on_a_page_is_used_and_every_used_number_exists() -> None:
    used = set()
    for md in DOCS.rglob("*.md"):
        # Placeholders in code are shown literally, not substituted.
        text = re.sub(r"`[^`\n]*`", "", _FENCE.sub("", md.read_text(encoding="utf-8")))
        used |= set(re.findall(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}", text))
    missing = used - set(NUMBERS)
    assert not missing, f"pages use numbers no function computes: {sorted(missing)}"


_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,}).*?^\1\2[ \t]*$", re.M | re.S)
_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)
_TYPED = re.compile(r"(?<![\w.{])[-−]?\d+\.\d+(?![\w}])")


# The benchmark table is measured data written by tools/bench.py, not computed by the package.
GENERATED = {DOCS / "snippets" / "benchmark.md"}


@pytest.mark.parametrize("md", sorted(set(DOCS.rglob("*.md")) - GENERATED), ids=lambda p: p.name)
def test_no_number_is_typed_by_hand(md: Path) -> None:
    """Decimal numbers in prose and formulas must come from ``{{ name }}`` placeholders."""
    text = _FRONT.sub("", md.read_text(encoding="utf-8"))
    text = _FENCE.sub("", text)  # code computes its own numbers
    text = re.sub(r"`[^`\n]*`", "", text)
    # Link targets (DOIs, arXiv ids, URLs) are addresses, not numbers.
    text = re.sub(r"\]\([^)\s]*\)|<https?://[^>]*>|href=\"[^\"]*\"|https?://\S+", "", text)
    text = re.sub(r"\b(?:arXiv|doi):\s*\S+", "", text)
    typed = _TYPED.findall(text)
    assert not typed, f"{md.name} has hand-typed numbers {typed}; use {{{{ name }}}} instead"


def test_typed_number_detector_catches_a_typed_number() -> None:
    assert _TYPED.findall(r"so $h \approx 0.622$ and − 0.5") == ["0.622", "0.5"]
    assert _TYPED.findall(r"$W_1 = {{ W1 }}$, version 3, $\tfrac14$") == []


def test_typed_number_scan_ignores_link_targets(tmp_path: Path) -> None:
    md = tmp_path / "page.md"
    md.write_text("[paper](https://doi.org/10.1162/neco.1997.9.8.1735), arXiv:1502.01852, 0.5\n")
    with pytest.raises(AssertionError, match=r"\['0\.5'\]"):
        test_no_number_is_typed_by_hand(md)
