"""The strict build: what it produces, and that it makes the site self-contained."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from bs4.element import CData, NavigableString

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]


def test_strict_build_produces_every_page(site_dir: Path) -> None:
    for page in ("index.html", "article/index.html", "sigmoid-derivative/index.html"):
        assert (site_dir / page).is_file(), page


def test_no_math_is_left_for_the_browser(soups: Mapping[str, Any]) -> None:
    for page, soup in soups.items():
        assert not soup.select(".arithmatex"), f"{page}: unrendered math"
        # The page's text (what get_text() gives) outside MathML, code, scripts and styles.
        skip = {id(el) for el in soup.select(".katex-mathml, pre, code, script, style")}
        body = "".join(text for text in soup.find_all(string=True)
                       if type(text) in (NavigableString, CData)
                       and not any(id(up) in skip for up in text.parents))
        for marker in ("\\(", "\\[", "$$", "\\frac", "{{"):
            assert marker not in body, f"{page}: raw TeX {marker!r} in the text"


def test_article_has_rendered_display_math(soups: Mapping[str, Any]) -> None:
    soup = soups["article/index.html"]
    assert len(soup.select(".katex-display")) >= 12
    assert len(soup.select(".katex")) >= 40


_EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//(?!127\.0\.0\.1)""")


def test_pages_load_nothing_from_other_hosts(site_dir: Path, soups: Mapping[str, Any]) -> None:
    for page, soup in soups.items():
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"),
                          ("iframe", "src"), ("source", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr) or ""
                if tag == "link" and "stylesheet" not in (el.get("rel") or []) and \
                        "preload" not in (el.get("rel") or []):
                    continue
                assert not re.match(r"(?:https?:)?//", url), f"{page}: {tag} loads {url}"
    for css in site_dir.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text), f"{css} loads a remote url"
        assert "fonts.googleapis" not in text


def test_katex_fonts_ship_with_the_site(site_dir: Path) -> None:
    css = (site_dir / "assets" / "katex" / "katex.min.css").read_text(encoding="utf-8")
    fonts = set(re.findall(r"url\((fonts/[\w-]+\.woff2)\)", css))
    assert fonts, "KaTeX CSS references no fonts"
    for font in fonts:
        assert (site_dir / "assets" / "katex" / font).is_file(), font
    assert ".woff)" not in css and ".ttf)" not in css


def test_katex_fonts_keep_every_glyph_the_formulas_draw(site_dir: Path,
                                                      soups: Mapping[str, Any]) -> None:
    """The shipped fonts are cut down (tools/mkdocs_hooks.py) without losing a drawn glyph.

    Independently of the hook: the characters are read back from the built pages' visible KaTeX
    markup, and looked up in the original font files of the katex package. Every drawn character
    that some original face has is still in some shipped face, and no face gained a glyph. Which
    face draws which character is checked in the browser, page by page
    (tests/test_browser.py::test_formulas_draw_every_glyph_in_katex_fonts).
    """
    from fontTools.ttLib import TTFont

    drawn: set[str] = set()
    for soup in soups.values():
        for el in soup.select(".katex-html"):
            drawn.update(el.get_text())
    drawn -= {"\n", "\u200b"}  # line breaks between tags; KaTeX's zero-width break hints
    assert len(drawn) > 60, f"only {len(drawn)} distinct characters in the site's formulas"
    originals = ROOT / "node_modules" / "katex" / "dist" / "fonts"
    before = after = 0
    had: set[str] = set()
    kept_any: set[str] = set()
    for shipped in sorted((site_dir / "assets" / "katex" / "fonts").glob("*.woff2")):
        original = originals / shipped.name
        has = set(map(chr, TTFont(original).getBestCmap()))
        kept = set(map(chr, TTFont(shipped).getBestCmap()))
        assert kept <= has, f"{shipped.name} has glyphs its original lacks: {sorted(kept - has)[:10]}"
        had |= has
        kept_any |= kept
        before += original.stat().st_size
        after += shipped.stat().st_size
    lost = sorted((drawn & had) - kept_any)
    assert not lost, f"drawn characters no shipped face has any more: {lost}"
    assert after < 0.75 * before, f"the fonts were not cut down: {after:,} of {before:,} bytes"


def test_figures_exist_in_both_schemes_and_not_in_git(site_dir: Path) -> None:
    from vgsite.registry import FIGURES

    for name in FIGURES:
        for suffix in ("", "-dark"):
            svg = site_dir / "figures" / f"{name}{suffix}.svg"
            assert svg.is_file() and svg.stat().st_size > 1000, svg
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    images = [f for f in tracked if re.search(r"\.(png|svg|jpe?g|gif|webp)$", f)
              and "favicon" not in f and "logo" not in f]
    assert not images, f"images are tracked by git: {images}"
    assert not [f for f in tracked if f.startswith("site/")], "the built site is tracked"


def test_every_image_has_alt_text(soups: Mapping[str, Any]) -> None:
    for page, soup in soups.items():
        for img in soup.find_all("img"):
            assert len((img.get("alt") or "").strip()) >= 15, f"{page}: {img}"


def test_examples_show_their_output(soups: Mapping[str, Any]) -> None:
    soup = soups["article/index.html"]
    text = soup.get_text()
    assert "dL/dW1 = -0.024, dL/dW2 = -0.128, ratio = 5.3" in text


def test_font_cascade_follows_katex_css() -> None:
    """The face each character is drawn in, for markup whose fonts KaTeX's stylesheet fixes."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from vgsite.katex_fonts import FontCascade

    css = (ROOT / "node_modules" / "katex" / "dist" / "katex.min.css").read_text(encoding="utf-8")
    markup = ('<span class="katex"><span class="katex-html"><span class="mord">2</span>'
              '<span class="mord mathnormal">x</span><span class="mord mathbf">W</span>'
              '<span class="mord boldsymbol">&beta;</span><span class="mord amsrm">R</span>'
              '<span class="mopen delimsizing size1">(</span>'
              '<span class="delimsizing mult"><span class="delim-size4"><span>&#9127;</span></span></span>'
              '<span class="mop op-symbol large-op">&sum;</span>'
              '<span class="text"><span class="mord textbf textit">a</span></span></span></span>')
    drawn: dict[str, set[str]] = {}
    FontCascade(css).characters(markup, drawn)
    assert drawn == {
        "KaTeX_Main-Regular": {"2"}, "KaTeX_Math-Italic": {"x"}, "KaTeX_Main-Bold": {"W"},
        "KaTeX_Math-BoldItalic": {"\u03b2"}, "KaTeX_AMS-Regular": {"R"}, "KaTeX_Size1-Regular": {"("},
        "KaTeX_Size4-Regular": {"\u23a7"}, "KaTeX_Size2-Regular": {"\u2211"},
        "KaTeX_Main-BoldItalic": {"a"},
    }


def test_search_index_names_api_entries_and_drops_build_markup(site_dir: Path, html_pages: dict[str, str],
                                                               soups: Mapping[str, Any]) -> None:
    """Every API heading on the reference pages is still found by search, under its own name."""
    docs = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    titles = {d["location"]: d["title"] for d in docs}
    headings = 0
    for rel, text in html_pages.items():
        if not rel.startswith("reference/") or rel == "reference/index.html":
            continue
        module = "vgdocs." + rel.split("/")[1]
        for ident in re.findall(r'<h[2-6] id="(vgdocs\.[\w.]+)" class="doc doc-heading"', text):
            headings += 1
            location = f"{rel.removesuffix('index.html')}#{ident}"
            assert location in titles, location
            # the name as Python spells it, relative to the module: LSTMParams.H
            assert titles[location] == f"<code>{ident.removeprefix(module + '.')}</code>", location
    assert headings > 100
    # every name of a "% code: a, b" line goes, not only the first
    listed = {n.strip() for md in (ROOT / "docs").rglob("*.md")
              for line in re.findall(r"^\s*% code:(.*)$", md.read_text(encoding="utf-8"), re.M)
              for n in line.split(",")}
    assert len(listed) > 10
    for d in docs:
        assert "\\htmlData" not in d["text"], d["location"]
        assert "% code:" not in d["text"], d["location"]
        for name in listed:
            assert f", {name}" not in d["text"], (d["location"], name)
    # formulas are still searchable as TeX: the sigmoid's definition on the worked example
    assert any("e^{-z}" in d["text"] for d in docs)
    # A module's entry is its docstring's summary, the first paragraph of the module's page; the
    # topic pages keep their whole text (the length map is found on signal-propagation).
    by_location = {d["location"]: d["text"] for d in docs}
    modules = 0
    for rel in html_pages:
        if not rel.startswith("reference/") or rel == "reference/index.html":
            continue
        soup = copy.copy(soups[rel])  # its summary's formulas are taken out below
        heading = soup.select_one("article h1[id], article h2[id]")
        summary = heading.find_next("p")
        for math in summary.select(".katex"):
            math.decompose()
        entry = by_location[f"{rel.removesuffix('index.html')}#{heading['id']}"]
        words = re.sub(r"\\\(.*?\\\)", " ", BeautifulSoup(entry, "html.parser").get_text(" ", strip=True))
        assert entry.count("<p>") == 1, rel
        assert " ".join(words.split()) == " ".join(summary.get_text(" ", strip=True).split()), rel
        modules += 1
    assert modules >= 20
    assert any(loc.startswith("signal-propagation/") and "the length map" in t for loc, t in by_location.items())


def test_math_ships_mathml_for_screen_readers_without_the_tex_source(html_pages: dict[str, str],
                                                                     soups: Mapping[str, Any]) -> None:
    # Every formula has its MathML (what a screen reader reads) with real content, and the TeX
    # annotation inside it, hidden by MathML Core and never read, is not shipped.
    formulas = 0
    for rel, text in html_pages.items():
        assert "<annotation" not in text, rel
        for el in soups[rel].select("span.katex"):
            math = el.select_one(".katex-mathml > math")
            assert math is not None and math.select_one("semantics > *") is not None, rel
            assert math.select_one("mi, mn, mo, mtext, ms, mspace"), rel  # \sqrt{\;} holds a space only
            formulas += 1
    assert formulas > 1000


def test_build_keeps_compiled_templates_of_the_theme_and_mkdocstrings(site_dir: Path) -> None:
    # The session's build (site_dir) compiled the API pages' and the theme's templates through
    # Jinja's bytecode cache: their buckets, named as Jinja names them, are on disk for the next one.
    import hashlib

    import mkdocstrings_handlers.python as handler

    def bucket(name: str, filename: Path) -> Path:
        key = hashlib.sha1(f"{name}|{filename}".encode()).hexdigest()
        return ROOT / ".cache" / "vgdocs" / "jinja" / f"__jinja2_{key}.cache"

    templates = Path(handler.__file__).parent / "templates" / "material"
    assert bucket("module.html.jinja", templates / "module.html.jinja").is_file()
    assert bucket("main.html", ROOT / "overrides" / "main.html").is_file()
