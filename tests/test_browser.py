"""The built site in headless Chromium: no errors, no third-party requests, math and figures render.

Every page of a fresh strict build is served from 127.0.0.1 and loaded once in light and once in
dark mode; each test checks one property on all the pages and lists every page that breaks it.
Full-page screenshots go to ``tests/artifacts/`` for a human to look at.

No Chromium at all is a failure, not a skip: set ``VGDOCS_SKIP_BROWSER=1`` to skip on purpose.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
SCHEMES = ("light", "dark")
MATERIAL_SCHEME = {"light": "default", "dark": "slate"}
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000
RAW_TEX = ("\\(", "\\)", "\\[", "\\]", "$$", "\\frac", "\\sigma", "\\partial", "{{", "}}")

pytestmark = pytest.mark.browser

if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
from conftest import LOAD_ALL_IMAGES_JS, RENDER_ALL_CSS, chromium, not_local, refuse_foreign, serve_sitemap_here  # noqa: E402

# ---------------------------------------------------------------------------- in-page probes

# Resolves once web fonts have settled; says whether KaTeX's main font really loaded.
FONTS_JS = """
async () => {
  await document.fonts.ready;
  const faces = [...document.fonts].filter(f => f.family.replace(/["']/g, '') === 'KaTeX_Main');
  return {
    check: document.fonts.check('16px KaTeX_Main'),
    loaded: faces.some(f => f.status === 'loaded'),
    statuses: faces.map(f => f.status),
  };
}
"""

# Math, images and colour scheme of the page as displayed now.
PROBE_JS = r"""
() => {
  // Off-screen blocks are skipped (content-visibility: auto in vgdocs.css) and have no boxes
  // until a reader scrolls near them: render them all while measuring, as scrolling would.
  const all = document.createElement('style');
  all.textContent = '{RENDER_ALL_CSS}';
  document.head.appendChild(all);
  const shown = el => el.checkVisibility({visibilityProperty: true, opacityProperty: false});
  const katex = [...document.querySelectorAll('.katex')];
  const emptyKatex = katex
    .filter(el => el.parentElement && shown(el.parentElement))
    .filter(el => { const r = el.getBoundingClientRect(); return !(r.width > 0 && r.height > 0); })
    .map(el => (el.querySelector('annotation') || el).textContent.trim().slice(0, 80));
  const groups = [];  // the figure (or else parent) of each image, to pair light and dark
  const images = [...document.querySelectorAll('img')].map(img => {
    const r = img.getBoundingClientRect();
    const box = img.closest('figure') || img.parentElement;
    if (!groups.includes(box)) groups.push(box);
    return {
      src: img.getAttribute('src') || '',
      alt: (img.getAttribute('alt') || '').trim(),
      visible: shown(img) && r.width > 0 && r.height > 0,
      complete: img.complete,
      naturalWidth: img.naturalWidth,
      group: groups.indexOf(box),
    };
  });
  // Visible text without the MathML copies KaTeX keeps for screen readers, and without code.
  const hide = document.createElement('style');
  hide.textContent = '.katex-mathml, pre, code { display: none !important; }';
  document.head.appendChild(hide);
  const text = document.body.innerText;
  hide.remove();
  all.remove();
  return {
    scheme: document.body.getAttribute('data-md-color-scheme'),
    arithmatex: document.querySelectorAll('.arithmatex').length,
    katex: katex.length,
    emptyKatex,
    images,
    text,
  };
}
""".replace("{RENDER_ALL_CSS}", RENDER_ALL_CSS)


# Marks one leaf of KaTeX's visible markup per (text, classes of the leaf and two ancestors) not
# seen on an earlier page: what decides the font a glyph is drawn in. Returns the new keys.
GLYPH_LEAVES_JS = r"""
(seen) => {
  const all = document.createElement('style');
  all.textContent = '{RENDER_ALL_CSS}';
  document.head.appendChild(all);  // laid out, so the browser knows which font drew what
  const known = new Set(seen), out = [];
  document.querySelectorAll('.katex-html span').forEach(el => {
    if (el.firstElementChild || !el.textContent.trim() || !el.getClientRects().length) return;
    const up = [el, el.parentElement, el.parentElement && el.parentElement.parentElement];
    const key = el.textContent + '\u0000' + up.map(e => (e && e.className) || '').join('|');
    if (known.has(key)) return;
    known.add(key);
    el.setAttribute('data-vg-glyph-probe', '');
    out.push(key);
  });
  return out;
}
""".replace("{RENDER_ALL_CSS}", RENDER_ALL_CSS)


def _fallback_fonts(page: Any, visit: Visit, seen: set[str]) -> None:
    """Which fonts the browser drew each newly seen KaTeX leaf with (CSS.getPlatformFontsForNode).

    Anything but a KaTeX face means a glyph the shipped fonts lack (the build cuts them down to
    the characters its formulas draw) and the browser fell back to a system font.
    """
    keys = page.evaluate(GLYPH_LEAVES_JS, sorted(seen))
    seen.update(keys)
    if not keys:
        return
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-vg-glyph-probe]"})["nodeIds"]
        assert len(nodes) == len(keys), f"{len(nodes)} probed leaves for {len(keys)} keys"
        for node, key in zip(nodes, keys, strict=True):
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            if not fonts:  # not drawn at all: in a hidden table of contents or menu
                continue
            visit.glyphs_checked += 1
            other = [f"{f['familyName']} ({f['glyphCount']} glyphs)" for f in fonts
                     if not f["familyName"].startswith("KaTeX_")]
            if other:
                text, context = key.split("\u0000")
                visit.fallback.append(f"{text!r} in <{context}> drawn with {', '.join(other)}")
    finally:
        cdp.detach()


# ---------------------------------------------------------------------------- recording


def _page_name(rel: str) -> str:
    """``index.html`` → ``home``, ``article/index.html`` → ``article``, ``a/b.html`` → ``a_b``."""
    stem = rel.removesuffix(".html").removesuffix("index").strip("/")
    return stem.replace("/", "_") or "home"


def _page_url(base: str, rel: str) -> str:
    return base + rel.removesuffix("index.html")


@dataclass
class Visit:
    """What one page load in one colour scheme produced."""

    page: str
    scheme: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_status: list[str] = field(default_factory=list)
    fonts: dict[str, Any] = field(default_factory=dict)
    probe: dict[str, Any] = field(default_factory=dict)
    glyphs_checked: int = 0
    fallback: list[str] = field(default_factory=list)
    load_error: str | None = None

    @property
    def label(self) -> str:
        return f"{self.page} [{self.scheme}]"

    def forget_events(self) -> None:
        """Empty the event lists, so that only what happens from now on is checked."""
        for events in (
            self.console_errors,
            self.page_errors,
            self.requests,
            self.blocked,
            self.failed,
            self.bad_status,
        ):
            events.clear()

    def foreign(self, origin: str) -> list[str]:
        """Every URL asked for that is not on the test server (data: and blob: are fine)."""
        out = [u for u in self.requests if not _is_local(u, origin)]
        return sorted({*out, *self.blocked})


def _is_local(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob"):
        return True
    return f"{parts.scheme}://{parts.netloc}" == origin


def _watch(page: Any, visit: Visit, origin: str) -> Any:
    """Record ``page``'s errors and requests in ``visit``; abort every request outside origin."""

    def console(msg: Any) -> None:
        if msg.type == "error":
            where = (msg.location or {}).get("url")
            visit.console_errors.append(msg.text + (f" ({where})" if where else ""))

    def failed(req: Any) -> None:
        if req.url not in visit.blocked:  # already reported as a third-party request
            visit.failed.append(f"{req.url}: {req.failure}")

    def response(resp: Any) -> None:
        if resp.status >= 400:
            visit.bad_status.append(f"{resp.status} {resp.url}")

    refuse_foreign(page, origin, visit.blocked)
    page.on("console", console)
    page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
    page.on("request", lambda req: visit.requests.append(req.url))
    page.on("requestfailed", failed)
    page.on("response", response)
    return page


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for this module, from ``tools/browser.launch()``."""
    with chromium() as found:
        yield found


@dataclass
class Run:
    """Every page visit, and the non-local requests no page route saw (workers and the like)."""

    visits: list[Visit]
    stray: list[str]


@contextlib.contextmanager
def _context(browser: Any, scheme: str, origin: str) -> Iterator[tuple[Any, list[str]]]:
    """A browser context in one colour scheme, and the list of stray non-local requests.

    Pages route their own requests (see ``_watch``); this context-wide route is the backstop
    that aborts and records anything outside ``origin`` that reaches it, so nothing leaves.
    """
    ctx = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
    ctx.set_default_timeout(TIMEOUT_MS)
    stray: list[str] = []
    refuse_foreign(ctx, origin, stray)
    try:
        yield ctx, stray
    finally:
        ctx.close()


def _drawn(page: Any, visit: Visit) -> None:
    """Wait until every image has arrived and web fonts are done; note KaTeX's font status."""
    page.evaluate(LOAD_ALL_IMAGES_JS)
    visit.fonts = page.evaluate(FONTS_JS)


def _settle(page: Any, visit: Visit) -> None:
    """Wait until the network is quiet, every image has arrived and web fonts are done."""
    page.wait_for_load_state("networkidle")
    _drawn(page, visit)


@pytest.fixture(scope="session")
def run(browser: Any, site_url: str, site_dir: Path) -> Run:
    """Every page loaded in each colour scheme, with a full-page screenshot of each.

    Each page gets a fresh tab (so a fresh sessionStorage: nothing a page caches there hides a
    request from the next page) in the one browser context of its colour scheme.
    """
    pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html") if p.name != "404.html")
    assert pages, f"no HTML pages in {site_dir}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    origin = site_url.rstrip("/")
    result = Run([], [])
    glyphs_seen: set[str] = set()
    for scheme in SCHEMES:
        suffix = "" if scheme == "light" else "-dark"
        with _context(browser, scheme, origin) as (ctx, stray):
            for rel in pages:
                visit = Visit(rel, scheme)
                result.visits.append(visit)
                page = _watch(ctx.new_page(), visit, origin)
                try:
                    page.goto(_page_url(site_url, rel), wait_until="load")
                    _drawn(page, visit)
                    page.screenshot(path=str(ARTIFACTS / f"{_page_name(rel)}{suffix}.png"), full_page=True)
                    visit.probe = page.evaluate(PROBE_JS)
                    if scheme == "light":  # fonts do not depend on the scheme
                        _fallback_fonts(page, visit, glyphs_seen)
                    # Every request the page has made is answered (and recorded) before the next
                    # page; Chromium's half-second quiet spell has mostly passed during the above.
                    page.wait_for_load_state("networkidle")
                except Exception as exc:
                    visit.load_error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                finally:
                    page.close()
            result.stray += [f"{u} [{scheme}]" for u in stray]
    return result


# ---------------------------------------------------------------------------- checks


def _check(
    visits: list[Visit], what: str, problems: Callable[[Visit], list[str]], extra: list[str] | None = None
) -> None:
    """Fail once for all pages, listing each page and each of its problems."""
    lines = list(extra or [])
    for v in visits:
        found = [f"page did not load: {v.load_error}"] if v.load_error else problems(v)
        lines += [f"  {v.label}: {p}" for p in found]
    if lines:
        pytest.fail(f"{what}:\n" + "\n".join(lines), pytrace=False)


def _raw_tex(text: str) -> list[str]:
    out = []
    for marker in RAW_TEX:
        i = text.find(marker)
        if i >= 0:
            snippet = " ".join(text[max(0, i - 40) : i + 40].split())
            out.append(f"raw TeX {marker!r} in visible text: …{snippet}…")
    return out


def _math_problems(probe: dict[str, Any]) -> list[str]:
    out = []
    if probe["arithmatex"]:
        out.append(f"{probe['arithmatex']} unrendered .arithmatex element(s)")
    return out + _raw_tex(probe["text"])


def test_no_console_or_page_errors(run: Run) -> None:
    _check(
        run.visits,
        "Console errors or uncaught exceptions",
        lambda v: [
            *(f"console error: {e}" for e in v.console_errors),
            *(f"page error: {e}" for e in v.page_errors),
        ],
    )


def test_only_local_requests_and_all_succeed(run: Run, site_url: str) -> None:
    origin = site_url.rstrip("/")
    _check(
        run.visits,
        f"Requests that are not to the test server {origin}, or that failed",
        lambda v: [
            *(f"third-party request (blocked): {u}" for u in v.foreign(origin)),
            *(f"request failed: {f}" for f in v.failed),
            *(f"HTTP error: {r}" for r in v.bad_status),
        ],
        extra=[f"  (no page): third-party request (blocked): {u}" for u in run.stray],
    )


def test_the_route_pattern_takes_every_foreign_url_and_no_local_one() -> None:
    """``not_local`` decides which requests the routes above abort: Chromium runs the same
    regular expression (Playwright sends it the pattern's source), so Python's search stands in."""
    origin = "http://127.0.0.1:8123"
    pattern = not_local(origin)
    foreign = ["https://cdn.jsdelivr.net/npm/katex/dist/katex.min.css", "http://127.0.0.1:8124/",
               "http://127.0.0.1:81234/x.js", "http://localhost:8123/", "https://127.0.0.1:8123/",
               "ws://127.0.0.1:8123/livereload", "http://127.0.0.1:8123.evil.example/"]
    local = [f"{origin}/", f"{origin}/reference/figures/a.svg?v=1", "data:image/png;base64,AAAA",
             f"blob:{origin}/0b5e-uuid"]
    assert [u for u in foreign if not pattern.search(u)] == []
    assert [u for u in local if pattern.search(u)] == []


def test_math_is_rendered(run: Run) -> None:
    _check(run.visits, "Unrendered math", lambda v: _math_problems(v.probe))


def test_katex_has_size_and_fonts(run: Run) -> None:
    def problems(v: Visit) -> list[str]:
        out = [f"empty .katex box: {tex!r}" for tex in v.probe["emptyKatex"]]
        if v.probe["katex"] and not (v.fonts["check"] and v.fonts["loaded"]):
            out.append(
                f"KaTeX_Main font not loaded (fonts.check={v.fonts['check']}, "
                f"KaTeX_Main faces: {v.fonts['statuses'] or 'none'})"
            )
        return out

    assert any(v.probe.get("katex") for v in run.visits), "no page has any .katex element"
    _check(run.visits, "KaTeX output without size or fonts", problems)


def test_formulas_draw_every_glyph_in_katex_fonts(run: Run) -> None:
    _check(run.visits, "KaTeX glyphs drawn in a fallback font (missing from the shipped subset)",
           lambda v: v.fallback)
    checked = sum(v.glyphs_checked for v in run.visits)
    assert checked > 300, f"only {checked} KaTeX leaves were checked"


def _image_problems(v: Visit) -> list[str]:
    out = []
    if v.probe["scheme"] != MATERIAL_SCHEME[v.scheme]:
        out.append(f"colour scheme is {v.probe['scheme']!r}, expected {MATERIAL_SCHEME[v.scheme]!r}")
    images = v.probe["images"]
    for img in images:
        if not img["alt"]:
            out.append(f"<img> without alt text: {img['src']}")
        if img["visible"] and not (img["complete"] and img["naturalWidth"] > 0):
            out.append(f"visible <img> did not load: {img['src']}")
    light = [i for i in images if i["src"].endswith("#only-light")]
    dark = [i for i in images if i["src"].endswith("#only-dark")]
    if len(light) != len(dark):
        out.append(f"{len(light)} #only-light images but {len(dark)} #only-dark images")
    for lt, dk in zip(light, dark, strict=False):
        if lt["group"] != dk["group"]:
            out.append(f"#only-light/#only-dark images not side by side: {lt['src']}, {dk['src']}")
        want, other = (lt, dk) if v.scheme == "light" else (dk, lt)
        if not want["visible"] or other["visible"]:
            out.append(
                f"in {v.scheme} mode {want['src']} should show (shows: {want['visible']}) "
                f"and {other['src']} should be hidden (shows: {other['visible']})"
            )
    return out


def test_images_alt_loaded_and_themed(run: Run) -> None:
    _check(run.visits, "Images without alt text, not loaded, or in the wrong colour scheme", _image_problems)


INSTANT_STEPS = [
    ("home → article (link in the page)", '.md-content a[href$="article/"]', r"/article/$"),
    (
        "article → sigmoid-derivative (site navigation)",
        '.md-nav--primary a.md-nav__link[href$="sigmoid-derivative/"]',
        r"/sigmoid-derivative/$",
    ),
]


def test_instant_navigation_renders_math(browser: Any, site_url: str) -> None:
    """From the home page, click through to the article and on: content swaps in, math renders."""
    problems: list[str] = []
    origin = site_url.rstrip("/")
    with _context(browser, "light", origin) as (ctx, stray):
        # What loading the home page does is the business of the tests above: record only
        # what happens once the home page has settled.
        nav = Visit("instant navigation", "light")
        page = _watch(ctx.new_page(), nav, origin)
        page.route("**/sitemap.xml", lambda route: serve_sitemap_here(route, site_url))
        page.goto(site_url, wait_until="load")
        _settle(page, nav)
        nav.forget_events()
        page.evaluate("() => { window.__vgdocsNoReload = true; }")
        for step, selector, url_re in INSTANT_STEPS:
            link = page.locator(selector).locator("visible=true")
            if not link.count():
                problems.append(f"{step}: no visible link matches {selector}")
                break
            h1 = page.locator(".md-content h1").first.inner_text()
            link.first.click()
            page.wait_for_url(re.compile(url_re))
            page.wait_for_function(
                "h1 => { const e = document.querySelector('.md-content h1');"
                " return e !== null && e.innerText !== h1; }",
                arg=h1,
            )
            # The load state of the first page stays reached, so Playwright's "networkidle"
            # would not wait here: wait for the swapped-in images and fonts, then a quiet spell.
            page.evaluate(LOAD_ALL_IMAGES_JS)
            nav.fonts = page.evaluate(FONTS_JS)
            page.wait_for_timeout(500)
            if not page.evaluate("() => window.__vgdocsNoReload === true"):
                problems.append(f"{step}: the page was fully reloaded, not swapped in place")
            nav.probe = probe = page.evaluate(PROBE_JS)
            found = _math_problems(probe) + _image_problems(nav)
            found += [f"empty .katex box: {tex!r}" for tex in probe["emptyKatex"]]
            if not probe["katex"]:
                found.append("no .katex element on the new page")
            elif not (nav.fonts["check"] and nav.fonts["loaded"]):
                found.append(f"KaTeX_Main font not loaded: {nav.fonts}")
            problems += [f"{step}: {p}" for p in found]
        problems += [f"console error: {e}" for e in nav.console_errors]
        problems += [f"page error: {e}" for e in nav.page_errors]
        problems += [f"third-party request (blocked): {u}" for u in nav.foreign(origin)]
        problems += [f"request failed: {f}" for f in nav.failed]
        problems += [f"HTTP error: {r}" for r in nav.bad_status]
        problems += [f"third-party request (blocked, no page): {u}" for u in stray]
    if problems:
        pytest.fail("Instant navigation:\n" + "\n".join(f"  {p}" for p in problems), pytrace=False)


RESERVED_JS = """
() => [...document.querySelectorAll('figure.vg-figure img')]
  .filter(i => getComputedStyle(i).display !== 'none')
  .map(i => ({src: i.getAttribute('src'), complete: i.complete, width: i.getBoundingClientRect().width,
              height: i.getBoundingClientRect().height,
              expected: i.getBoundingClientRect().width * i.getAttribute('height') / i.getAttribute('width')}))
"""


@pytest.mark.parametrize("width", [390, 1280])
def test_figures_hold_their_place_before_their_image_arrives(browser: Any, site_url: str, width: int) -> None:
    """A figure's box has its image's size before the image loads: no layout shift when it does.

    The figures' requests are never answered, so every image stays pending; each visible figure
    must still be as wide as the column allows and as high as its width and height attributes say
    (Lighthouse measured a shift of 0.13 on sigmoid-derivative, whose figure is on the first screen).
    """
    problems: list[str] = []
    origin = site_url.rstrip("/")
    with _context(browser, "light", origin) as (ctx, _):
        page = ctx.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.route("**/figures/*.svg*", lambda route: None)  # left pending: the image never arrives
        for rel in ("sigmoid-derivative/", "training/", "signal-propagation/"):
            page.goto(f"{site_url}{rel}", wait_until="domcontentloaded")
            figures = page.evaluate(RESERVED_JS)
            if not figures:
                problems.append(f"{rel}: no visible figure")
            for f in figures:
                if f["complete"] or f["width"] < 300 or abs(f["height"] - f["expected"]) > 1:
                    problems.append(f"{rel} at {width} px: {f}")
    assert not problems, "\n".join(problems)


# Records, from before the page's first script runs, every change of the body's colour
# attributes and every colour-scheme meta tag put into the document.
PALETTE_WATCH_JS = """
window.__palette = [];
new MutationObserver(ms => { for (const m of ms) {
  if (m.type === 'attributes' && m.target === document.body && m.attributeName.startsWith('data-md-color-'))
    window.__palette.push([m.attributeName, m.oldValue, document.body.getAttribute(m.attributeName)]);
  for (const n of m.addedNodes || [])
    if (n.nodeName === 'META' && (n.getAttribute('name') || '').toLowerCase() === 'color-scheme')
      window.__palette.push(['meta added', null, n.getAttribute('content')]);
} }).observe(document, {subtree: true, childList: true, attributes: true, attributeOldValue: true});
"""

PALETTE_STATE_JS = """
() => ({scheme: document.body.getAttribute('data-md-color-scheme'),
        switching: document.body.hasAttribute('data-md-color-switching'),
        metas: [...document.querySelectorAll('meta[name=color-scheme]')].map(m => m.content),
        used: getComputedStyle(document.body).colorScheme,
        log: window.__palette.splice(0)})
"""


@pytest.mark.parametrize("system", ["light", "dark"])
def test_palette_switch_restyles_only_when_colours_change(browser: Any, site_url: str, system: str) -> None:
    """overrides/main.html keeps Material's palette switch but skips its work when nothing changes.

    Loading a page in the scheme it was built with must not mark the body "switching" (that
    restyles every element twice) and must leave one colour-scheme meta tag, ours, matching the
    scheme in use. A reader whose system prefers dark gets the dark palette at load, with the
    mark; a click on the toggle switches the palette, marks the body while it does, and updates
    the meta tag; the switch survives a reload (Material stores it).
    """
    origin = site_url.rstrip("/")
    other = {"default": "slate", "slate": "default"}
    used = {"default": "light", "slate": "dark"}
    with _context(browser, system, origin) as (ctx, _):
        ctx.add_init_script(PALETTE_WATCH_JS)
        page = ctx.new_page()
        page.goto(f"{site_url}signal-propagation/", wait_until="load")
        page.wait_for_timeout(300)  # Material takes the mark off on a timer
        state = page.evaluate(PALETTE_STATE_JS)
        start = MATERIAL_SCHEME[system]
        marked = [e for e in state["log"] if e[0] == "data-md-color-switching" and e[2] is not None]
        assert state["scheme"] == start, state
        assert state["metas"] == [used[start]] and state["used"] == used[start], state
        assert not state["switching"], state
        if system == "light":
            assert not marked, f"the page was marked 'switching' with no change of colours: {state['log']}"
        else:
            assert marked, f"the switch to the dark palette at load was not marked: {state['log']}"
        page.locator("form[data-md-component=palette] label:not([hidden])").click()
        page.wait_for_function(f"() => document.body.getAttribute('data-md-color-scheme') === '{other[start]}'")
        page.wait_for_timeout(300)
        state = page.evaluate(PALETTE_STATE_JS)
        marked = [e for e in state["log"] if e[0] == "data-md-color-switching" and e[2] is not None]
        assert marked, f"the toggle switched colours without the 'switching' mark: {state['log']}"
        assert not state["switching"], state
        assert state["metas"] == [used[other[start]]] and state["used"] == used[other[start]], state
        page.reload(wait_until="load")
        page.wait_for_timeout(300)
        state = page.evaluate(PALETTE_STATE_JS)
        assert state["scheme"] == other[start] and state["metas"] == [used[other[start]]], state
