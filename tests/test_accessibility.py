"""Accessibility of the built site: axe-core on every page in both colour schemes, alt text, figures.

Every page of a fresh strict build is served from 127.0.0.1 and loaded in the light and the dark
colour scheme; ``node_modules/axe-core/axe.min.js`` (pinned in package-lock.json) is injected and
run over the whole document with every collapsed ``<details>`` opened, so exercise answers are
checked too. Any violation of impact *serious* or *critical* fails; every violation, whatever its
impact, is written to ``tests/artifacts/axe.json`` for a human to read.

No axe rule is disabled. The theme problems axe found on bare Material pages are fixed in
``overrides/partials/`` (search dialog named, progress bar hidden from assistive technology),
``overrides/main.html`` (formulas wider than the column can take keyboard focus) and
``docs/stylesheets/a11y.css`` (contrast of footer text, code highlighting, dark-scheme links and
buttons, search results; underlined links).

Figures are checked beyond axe, which cannot look inside an SVG: the scheme's own variant is the
one displayed, and every colour painted in it stands out from the page background (WCAG 1.4.3 for
text, 1.4.11 for lines and marks).
"""

from __future__ import annotations

import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCHEMES = ("light", "dark")
FAILING_IMPACTS = ("serious", "critical")
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 30_000
TEXT_CONTRAST = 4.5  # WCAG 1.4.3, normal-size text
GRAPHICS_CONTRAST = 3.0  # WCAG 1.4.11, lines, marks and other non-text parts of a figure
SHADING_OPACITY = 0.6  # translucent fills below this are shading behind data, not data
MIN_ALT = 15

if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
from conftest import LOAD_ALL_IMAGES_JS, READ_THROUGH_JS, RENDER_ALL_CSS, chromium, refuse_foreign  # noqa: E402

# ---------------------------------------------------------------------------- in-page scripts

# True once no finite CSS transition or animation is running (Material fades some parts in; axe
# would measure colours halfway through the fade). Endless animations are not waited for.
SETTLED_JS = """
() => document.getAnimations().every(a => a.playState !== 'running'
  || !a.effect || a.effect.getComputedTiming().endTime === Infinity)
"""

# Runs axe over the page with every <details> open; returns its violations, trimmed for reading.
AXE_RUN_JS = """
async (context) => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const r = await axe.run(context || document, {resultTypes: ['violations']});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
      target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' '),
      html: n.html.slice(0, 300),
      summary: n.failureSummary || '',
    })),
  }));
}
"""

# The page background, every themed figure image as shown now, and the site's colour tokens
# resolved in this scheme: the code-highlighting colours, link colour, code and page background.
PAGE_JS = r"""
() => {
  const ctx = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
  // Any CSS colour → opaque [r, g, b], composited over `under` (an opaque CSS colour).
  const rgb = (css, under) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = under; ctx.fillRect(0, 0, 1, 1);
    ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
    return [...ctx.getImageData(0, 0, 1, 1).data].slice(0, 3);
  };
  const shown = el => el.checkVisibility({visibilityProperty: true, opacityProperty: true})
    && el.getBoundingClientRect().width > 0;
  const probe = document.createElement('div');
  probe.className = 'md-typeset';
  (document.querySelector('.md-content') || document.body).appendChild(probe);
  const style = getComputedStyle(probe);
  const v = name => style.getPropertyValue(name).trim();
  const page = rgb(v('--md-default-bg-color'), '#fff');
  const pageCss = `rgb(${page})`;
  const code = rgb(v('--md-code-bg-color'), pageCss);
  const codeCss = `rgb(${code})`;
  const tokens = {};
  for (const t of ['comment', 'constant', 'function', 'generic', 'keyword', 'name', 'number',
                   'operator', 'punctuation', 'special', 'string', 'variable']) {
    tokens[`--md-code-hl-${t}-color`] = rgb(v(`--md-code-hl-${t}-color`), codeCss);
  }
  tokens['--md-code-fg-color'] = rgb(v('--md-code-fg-color'), codeCss);
  tokens['--md-typeset-a-color'] = rgb(v('--md-typeset-a-color'), codeCss);
  const linkOnPage = rgb(v('--md-typeset-a-color'), pageCss);
  probe.remove();
  const figures = [...document.querySelectorAll('figure.vg-figure')].map(fig => ({
    images: [...fig.querySelectorAll('img')].map(img => ({
      src: img.src, shown: shown(img),
    })),
  }));
  return {
    url: location.href, scheme: document.body.getAttribute('data-md-color-scheme'),
    background: page, codeBackground: code, tokens, figures,
    linkOnPage,
  };
}
"""

# ---------------------------------------------------------------------------- colour


def parse_hex(color: str) -> tuple[int, int, int] | None:
    """``#rgb`` or ``#rrggbb`` (any case) → (r, g, b); anything else → None."""
    m = re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", color.strip())
    if not m:
        return None
    h = m.group(1)
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def luminance(rgb: tuple[int, int, int] | list[int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    def lin(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int] | list[int], b: tuple[int, int, int] | list[int]) -> float:
    """WCAG 2 contrast ratio of two opaque colours, from 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def over(rgb: tuple[int, int, int], alpha: float, under: tuple[int, int, int]) -> tuple[int, ...]:
    """``rgb`` at opacity ``alpha`` composited over the opaque colour ``under``."""
    return tuple(round(alpha * c + (1 - alpha) * u) for c, u in zip(rgb, under, strict=True))


# ---------------------------------------------------------------------------- SVG colours

_SVG = "{http://www.w3.org/2000/svg}"


def _style(el: ET.Element) -> dict[str, str]:
    out = {k: v for k, v in el.attrib.items()
           if k in ("fill", "stroke", "opacity", "fill-opacity", "stroke-opacity")}
    for decl in el.get("style", "").split(";"):
        if ":" in decl:
            k, v = decl.split(":", 1)
            out[k.strip()] = v.strip()
    return out


@dataclass(frozen=True)
class Paint:
    """One colour painted in an SVG: as text or as a graphic, with its effective opacity."""

    color: tuple[int, int, int]
    opacity: float
    text: bool
    where: str


def svg_paints(svg: bytes) -> tuple[list[Paint], tuple[int, int, int] | None]:
    """Every fill/stroke colour in a matplotlib SVG, and the figure's own background (None: clear).

    Text is whatever sits inside a ``<g id="text_…">`` group (matplotlib draws glyphs as paths
    there); everything else is a graphic. Opacity multiplies down the tree.
    """
    root = ET.fromstring(svg)
    paints: list[Paint] = []
    background: tuple[int, int, int] | None = None

    def walk(el: ET.Element, opacity: float, text: bool, where: str) -> None:
        nonlocal background
        st = _style(el)
        el_id = el.get("id", "")
        here = el_id or where
        text = text or el_id.startswith("text_")
        opacity *= float(st.get("opacity", 1))
        for prop in ("fill", "stroke"):
            rgb = parse_hex(st.get(prop, ""))
            if rgb is None:
                continue
            alpha = opacity * float(st.get(f"{prop}-opacity", 1))
            if where == "patch_1" and prop == "fill" and alpha >= 1:
                background = rgb  # the figure's face colour, first patch of the figure
            paints.append(Paint(rgb, alpha, text, f"{here} {prop}"))
        for child in el:
            if child.tag == f"{_SVG}clipPath":
                continue
            walk(child, opacity, text, here)

    walk(root, 1.0, False, "svg")
    return paints, background


def figure_problems(svg: bytes, page_bg: tuple[int, int, int], exempt: set[tuple[int, int, int]]
                    ) -> list[str]:
    """Colours in the figure too close to the background it is shown on; ``exempt`` are gridlines."""
    paints, own_bg = svg_paints(svg)
    bg = own_bg or page_bg
    problems: dict[str, str] = {}
    for p in paints:
        if p.where.startswith("patch_1"):
            continue  # the background itself
        if not p.text and (p.color in exempt or p.opacity < SHADING_OPACITY):
            continue
        shown = over(p.color, min(p.opacity, 1.0), bg)
        ratio = contrast(shown, bg)
        need = TEXT_CONTRAST if p.text else GRAPHICS_CONTRAST
        if ratio < need:
            hexcol = "#{:02x}{:02x}{:02x}".format(*p.color)
            kind = "text" if p.text else "line/mark"
            key = f"{kind} {hexcol}"
            problems.setdefault(key, f"{kind} colour {hexcol} (opacity {p.opacity:.2g}, e.g. "
                                     f"{p.where}) is {ratio:.2f}:1 on background "
                                     f"#{bg[0]:02x}{bg[1]:02x}{bg[2]:02x}, needs {need}:1")
    return list(problems.values())


# ---------------------------------------------------------------------------- fixtures


@dataclass
class Audit:
    """What one page in one colour scheme showed axe and the page probe."""

    page: str
    scheme: str
    violations: list[dict[str, Any]] = field(default_factory=list)
    probe: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def label(self) -> str:
        return f"{self.page} [{self.scheme}]"


def _url(base: str, rel: str) -> str:
    return base + rel.removesuffix("index.html")


def _audit_scheme(scheme: str, base_url: str, pages: list[str], axe: str) -> list[Audit]:
    """Load every page in one colour scheme in its own Chromium; run the probe and axe on each."""
    out: list[Audit] = []
    with chromium() as browser:
        ctx = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
        ctx.set_default_timeout(TIMEOUT_MS)
        refuse_foreign(ctx, base_url.rstrip("/"))
        try:
            page = ctx.new_page()
            for rel in pages:
                audit = Audit(rel, scheme)
                out.append(audit)
                try:
                    page.goto(_url(base_url, rel), wait_until="load")
                    page.evaluate(LOAD_ALL_IMAGES_JS)
                    page.evaluate("() => document.fonts.ready.then(() => true)")
                    page.wait_for_function(SETTLED_JS)
                    page.evaluate(READ_THROUGH_JS)
                    audit.probe = page.evaluate(PAGE_JS)
                    page.add_script_tag(content=axe)
                    audit.violations = page.evaluate(AXE_RUN_JS)
                except Exception as exc:
                    audit.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        finally:
            ctx.close()
    return out


@pytest.fixture(scope="session")
def audits(site_url: str, site_dir: Path) -> list[Audit]:
    """Every page in each colour scheme, with axe's violations and the page probe.

    axe takes a second or more on a page full of KaTeX, so the two schemes run side by side, each
    in its own thread with its own Playwright and Chromium (Playwright's sync API is per thread,
    and the main thread's may be taken by another module's session-scoped browser).
    """
    if os.environ.get("VGDOCS_SKIP_BROWSER") == "1":
        pytest.skip("VGDOCS_SKIP_BROWSER=1: browser tests skipped on request")
    assert AXE_JS.is_file(), f"{AXE_JS} is missing: run `npm ci` (axe-core is in package-lock.json)"
    axe = AXE_JS.read_text(encoding="utf-8")
    pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")
                   if p.name != "404.html")
    assert pages, f"no HTML pages in {site_dir}"
    with ThreadPoolExecutor(max_workers=len(SCHEMES)) as pool:
        runs = [pool.submit(_audit_scheme, scheme, site_url, pages, axe) for scheme in SCHEMES]
        out = [audit for run in runs for audit in run.result()]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(
        [{"page": a.page, "scheme": a.scheme, "url": a.probe.get("url"), "error": a.error,
          "violations": a.violations} for a in out], indent=1), encoding="utf-8")
    return out


def _fail_on(audits: list[Audit], what: str, problems: Callable[[Audit], list[str]]) -> None:
    lines = []
    for a in audits:
        found = [f"page did not load or axe failed: {a.error}"] if a.error else problems(a)
        lines += [f"  {a.label}: {p}" for p in found]
    if lines:
        pytest.fail(f"{what}:\n" + "\n".join(lines), pytrace=False)


def _describe(violation: dict[str, Any]) -> list[str]:
    head = f"{violation['id']} ({violation['impact']}): {violation['help']}"
    out = []
    for node in violation["nodes"]:
        why = " ".join(node["summary"].split())
        why = why.removeprefix("Fix any of the following: ").removeprefix("Fix all of the following: ")
        out.append(f"{head}\n      at {node['target']}: {why[:300]}")
    return out


# ---------------------------------------------------------------------------- axe


@pytest.mark.browser
def test_axe_finds_no_serious_or_critical_violation(audits: list[Audit]) -> None:
    _fail_on(audits, "axe-core violations of impact serious or critical "
             f"(all impacts: {ARTIFACTS / 'axe.json'})", lambda a: [
                 line for v in a.violations if v["impact"] in FAILING_IMPACTS
                 for line in _describe(v)])


@pytest.mark.browser
def test_every_page_was_audited_in_its_scheme(audits: list[Audit], site_dir: Path) -> None:
    want = {"light": "default", "dark": "slate"}
    _fail_on(audits, "Pages shown in the wrong colour scheme", lambda a: (
        [] if a.probe.get("scheme") == want[a.scheme]
        else [f"scheme is {a.probe.get('scheme')!r}, expected {want[a.scheme]!r}"]))
    audited = {a.page for a in audits}
    for rel in ("index.html", "article/index.html", "reference/index.html"):
        assert rel in audited, f"{rel} was not audited"
    for nb in sorted((ROOT / "docs").glob("notebooks/*.ipynb")):
        assert f"notebooks/{nb.stem}/index.html" in audited, f"notebook page for {nb.name} not audited"


@pytest.mark.browser
def test_search_results_are_accessible(site_url: str) -> None:
    """The search dialog, open with results, in both schemes (hidden on page load, so not above)."""
    axe = AXE_JS.read_text(encoding="utf-8")
    problems: list[str] = []
    for scheme in SCHEMES:
        # In a thread of its own: a session-scoped sync Playwright of another test module may
        # already own this thread's event loop, and Playwright's sync API allows one per thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            found = pool.submit(_search_violations, scheme, site_url, axe).result()
        problems += [f"[{scheme}] {line}" for v in found if v["impact"] in FAILING_IMPACTS
                     for line in _describe(v)]
    assert not problems, "axe violations in the open search dialog:\n" + "\n".join(problems)


def _search_violations(scheme: str, base_url: str, axe: str) -> list[dict[str, Any]]:
    """Open the search on the home page, type a query, wait for results, run axe on the dialog."""
    with chromium() as browser:
        ctx = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
        ctx.set_default_timeout(TIMEOUT_MS)
        refuse_foreign(ctx, base_url.rstrip("/"))
        try:
            page = ctx.new_page()
            page.goto(base_url, wait_until="load")
            box = page.locator("input.md-search__input")
            box.click()  # at this width the search box sits in the header; focus opens it
            box.press_sequentially("gradient")  # keystrokes: Material searches on keyup
            page.locator(".md-search-result__item").first.wait_for(state="visible")
            page.wait_for_function(SETTLED_JS)  # the dialog fades in: no contrast mid-fade
            page.add_script_tag(content=axe)
            return page.evaluate(AXE_RUN_JS, ".md-search")
        finally:
            ctx.close()


# axe's target-size (WCAG 2.2's 24 px touch targets; off by default, Lighthouse runs it) on the
# links from formulas to their code, every block rendered. Material's own desktop navigation
# links are 18 px high and would fail it too: that is the theme's, and is not checked here.
CODE_LINK_TARGETS_JS = """
async (css) => {
  const all = document.createElement('style');
  all.textContent = css;
  document.head.appendChild(all);
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const links = document.querySelectorAll('.vg-code-links a').length;
  const r = await axe.run({include: [['.vg-code-links']]},
                          {runOnly: ['target-size'], resultTypes: ['violations']});
  return {links, failures: r.violations.flatMap(v => v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary))};
}
"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_links_from_formulas_to_code_are_big_enough_to_tap(site_url: str, width: int) -> None:
    """deep-stacks/ sets several code links side by side under one formula (Lighthouse failed it)."""
    axe = AXE_JS.read_text(encoding="utf-8")

    def run() -> dict[str, Any]:
        with chromium() as browser:
            ctx = browser.new_context(viewport={"width": width, "height": 900})
            refuse_foreign(ctx, site_url.rstrip("/"))
            try:
                page = ctx.new_page()
                page.goto(f"{site_url}deep-stacks/", wait_until="load")
                page.add_script_tag(content=axe)
                return page.evaluate(CODE_LINK_TARGETS_JS, RENDER_ALL_CSS)
            finally:
                ctx.close()

    with ThreadPoolExecutor(max_workers=1) as pool:  # a thread of its own, as above
        found = pool.submit(run).result()
    assert found["links"] >= 5, found
    assert not found["failures"], "\n".join(found["failures"])


WIDE_FORMULAS_JS = """
() => [...document.querySelectorAll('.vg-math')].map(el => ({
  top: Math.round(el.getBoundingClientRect().top + scrollY),
  wide: el.scrollWidth > el.clientWidth + 1,
  focusable: el.tabIndex === 0 && el.getAttribute('role') === 'group' && !!el.getAttribute('aria-label'),
  skipped: !!el.firstElementChild && !el.firstElementChild.checkVisibility({contentVisibilityAuto: true}),
  tex: (el.querySelector('annotation') || el).textContent.trim().slice(0, 60),
}))
"""


@pytest.mark.browser
@pytest.mark.parametrize("page_rel", ["gated-cells/", "signal-propagation/"])
def test_wide_formulas_far_down_a_phone_page_become_focusable(site_url: str, page_rel: str) -> None:
    """Off-screen formulas are skipped on load (content-visibility: auto); once a reader scrolls to
    them, those wider than a phone's column scroll sideways and must take keyboard focus (WCAG
    2.1.1). The page's script measures each formula when it is first rendered, not on load."""
    def run() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        with chromium() as browser:
            ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
            ctx.set_default_timeout(TIMEOUT_MS)
            try:
                page = ctx.new_page()
                page.goto(site_url + page_rel, wait_until="load")
                page.evaluate("() => document.fonts.ready.then(() => true)")
                before = page.evaluate(WIDE_FORMULAS_JS)
                page.evaluate(READ_THROUGH_JS)
                return before, page.evaluate(WIDE_FORMULAS_JS)
            finally:
                ctx.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        before, after = pool.submit(run).result()
    assert any(f["skipped"] for f in before), "no formula was skipped on load: content-visibility is not in effect"
    assert not any(f["skipped"] for f in after)
    wide_below = [f for f in after if f["wide"] and f["top"] > 2 * 844]
    assert wide_below, "no formula wider than the phone column below the first two screens: the test checks nothing"
    wrong = [f"{f['tex']!r} at y={f['top']}: wide={f['wide']}, focusable={f['focusable']}"
             for f in after if f["wide"] != f["focusable"]]
    assert not wrong, "formulas whose tab stop does not match their overflow:\n" + "\n".join(wrong)


# ---------------------------------------------------------------------------- colour tokens


@pytest.mark.browser
def test_code_highlighting_and_link_colours_have_contrast(audits: list[Audit]) -> None:
    """Every token colour of the code highlighter, on code background, in both schemes.

    axe only sees the tokens that today's pages happen to contain; this covers all of them.
    """
    def problems(a: Audit) -> list[str]:
        if a.page != "index.html":
            return []
        p = a.probe
        out = []
        for name, rgb in p["tokens"].items():
            ratio = contrast(rgb, p["codeBackground"])
            if ratio < TEXT_CONTRAST:
                out.append(f"{name} is {ratio:.2f}:1 on the code background, needs {TEXT_CONTRAST}:1")
        ratio = contrast(p["linkOnPage"], p["background"])
        if ratio < TEXT_CONTRAST:
            out.append(f"--md-typeset-a-color is {ratio:.2f}:1 on the page, needs {TEXT_CONTRAST}:1")
        return out

    _fail_on(audits, "Theme colours without enough contrast", problems)


# ---------------------------------------------------------------------------- images and figures

_FILENAME = re.compile(r"^[\w\s./-]*\.(?:svg|png|jpe?g|gif|webp|avif)$", re.I)


def alt_problem(alt: str | None, src: str) -> str | None:
    """Why ``alt`` does not describe the image at ``src``, or None if it is meaningful."""
    alt = " ".join((alt or "").split())
    stem = PurePosixPath(unquote(urlsplit(src).path)).stem if not src.startswith("data:") else ""
    if len(alt) < MIN_ALT:
        return f"alt text {alt!r} is shorter than {MIN_ALT} characters"
    if _FILENAME.match(alt):
        return f"alt text {alt!r} is a file name"
    if stem and re.sub(r"[\W_]+", " ", alt).strip().lower() == re.sub(r"[\W_]+", " ", stem).lower():
        return f"alt text {alt!r} only repeats the file name"
    if len(re.findall(r"[A-Za-z]{2,}", alt)) < 3:
        return f"alt text {alt!r} is not a description (fewer than three words)"
    return None


@pytest.mark.build
def test_every_image_has_meaningful_alt_text(soups: Mapping[str, Any]) -> None:
    problems = []
    for page, soup in soups.items():
        for img in soup.find_all("img"):
            src = img.get("src") or ""
            why = alt_problem(img.get("alt"), src)
            if why:
                problems.append(f"  {page}: <img src={src[:80]!r}>: {why}")
    assert not problems, "Images without a meaningful description:\n" + "\n".join(problems)


@pytest.mark.parametrize(("alt", "src", "ok"), [
    ("Two curves: the sigmoid and its derivative, which peaks at one quarter.", "f/sig.svg", True),
    ("sigmoid.svg", "figures/sigmoid.svg", False),
    ("figures/sigmoid-dark.svg", "figures/sigmoid-dark.svg", False),
    ("gradient norm per layer", "figures/gradient-norm-per-layer.svg", False),
    ("gradient_norm_per_layer", "figures/gradient_norm_per_layer.svg", False),
    ("figure", "figures/x.svg", False),
    ("", "figures/x.svg", False),
    ("    ", "figures/x.svg", False),
    ("Plot 1234567890123", "figures/x.svg", False),
    ("Gradient norm per layer for depths two to twenty", "figures/grad.svg", True),
])
def test_alt_text_checker(alt: str, src: str, ok: bool) -> None:
    assert (alt_problem(alt, src) is None) is ok, alt_problem(alt, src)


def _file_of(site_dir: Path, base_url: str, src: str) -> Path:
    """The built file behind an image's absolute URL on the test server."""
    path = unquote(urlsplit(src).path)
    base = urlsplit(base_url).path
    assert path.startswith(base), f"{src} is not on the test server {base_url}"
    return site_dir / path[len(base):]


@pytest.mark.browser
def test_each_scheme_shows_its_own_figure_variant(audits: list[Audit], site_dir: Path,
                                                  site_url: str) -> None:
    """In the dark scheme exactly the ``-dark.svg`` image of each figure shows, in light the other."""
    def problems(a: Audit) -> list[str]:
        out = []
        for i, fig in enumerate(a.probe["figures"], start=1):
            shown = [img["src"] for img in fig["images"] if img["shown"]]
            if len(shown) != 1:
                out.append(f"figure {i}: {len(shown)} images shown, expected 1: {shown}")
                continue
            src = shown[0]
            is_dark = urlsplit(src).path.endswith("-dark.svg")
            if is_dark != (a.scheme == "dark"):
                out.append(f"figure {i}: {a.scheme} scheme shows {src}")
            srcs = [img["src"] for img in fig["images"]]
            files = {s: _file_of(site_dir, site_url, s) for s in srcs}
            if len(srcs) == 2 and all(f.is_file() for f in files.values()):
                light, dark = sorted(files.values(), key=lambda f: f.name.endswith("-dark.svg"))
                if light.read_bytes() == dark.read_bytes():
                    out.append(f"figure {i}: {dark.name} is the same file as {light.name}")
        return out

    _fail_on(audits, "Figures shown in the wrong colour variant", problems)


@pytest.mark.browser
def test_figures_are_legible_on_their_scheme_background(audits: list[Audit], site_dir: Path,
                                                        site_url: str) -> None:
    """Every colour a displayed figure paints has contrast with the page background behind it.

    Text needs 4.5:1, lines and marks 3:1. The theme's gridline colour is exempt (gridlines are
    deliberately faint guides), and so are translucent shading fills (opacity < 0.6).
    """
    from vgsite.theme import THEMES

    cache: dict[tuple[Path, tuple[int, ...]], list[str]] = {}

    def problems(a: Audit) -> list[str]:
        out = []
        bg = tuple(a.probe["background"])
        grid = parse_hex(THEMES[a.scheme]["grid"])
        for fig in a.probe["figures"]:
            for img in fig["images"]:
                if not img["shown"]:
                    continue
                svg = _file_of(site_dir, site_url, img["src"])
                key = (svg, bg)
                if key not in cache:
                    cache[key] = figure_problems(svg.read_bytes(), bg, {grid} if grid else set())
                out += [f"{svg.name}: {p}" for p in cache[key]]
        return out

    _fail_on(audits, "Figure colours too faint on the page background", problems)


def test_figure_checker_flags_light_ink_in_dark_mode() -> None:
    """The SVG check catches a figure drawn with light-scheme colours shown on the dark page."""
    svg = b"""<svg xmlns="http://www.w3.org/2000/svg">
      <g id="patch_1"><path style="fill: none"/></g>
      <g id="line2d_1"><path style="fill: none; stroke: #1f2329; stroke-width: 2"/></g>
      <g id="line2d_2"><path style="fill: none; stroke: #56b4e9; stroke-width: 2"/></g>
      <g id="grid"><path style="stroke: #4a5260"/></g>
      <g id="shade"><path style="fill: #1f2329; fill-opacity: 0.2"/></g>
      <g id="text_1"><g style="fill: #5b6370"><use/></g></g>
    </svg>"""
    dark_bg = (0x1E, 0x21, 0x29)
    found = figure_problems(svg, dark_bg, {(0x4A, 0x52, 0x60)})
    assert len(found) == 2, found
    assert any("line/mark colour #1f2329" in p for p in found), found
    assert any("text colour #5b6370" in p for p in found), found
    # On white, the same ink is fine except the sky blue line (2.3:1).
    on_white = figure_problems(svg, (255, 255, 255), set())
    assert len(on_white) == 1 and "line/mark colour #56b4e9" in on_white[0], on_white


def test_contrast_matches_wcag_reference_values() -> None:
    # WCAG's extremes, and #767676 on white, the usual "just passes 4.5:1" grey (4.54:1).
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((10, 20, 30), (10, 20, 30)) == pytest.approx(1.0)
    assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
    assert parse_hex("#abc") == (0xAA, 0xBB, 0xCC) and parse_hex("none") is None
