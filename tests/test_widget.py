# The article's interactive worked example in headless Chromium, checked against the package.
"""The worked-example widget on the article page (docs/javascripts/worked-example.js).

Every value the widget displays is compared with the Python package's output for the same
inputs, formatted the way the widget promises to format it:

- three decimals, four for the updated weights, rounded as Python's ``format`` rounds (exact
  ties to the even digit; the script corrects JavaScript's ties-away-from-zero);
- a non-zero value that would print as zero at that precision, and every value of the depth
  view, to three significant figures as ``m × 10^k`` (``vgsite.registry.format_number`` with
  ``.2e``); an exact zero of the depth view is ``0``;
- an exact zero has no sign (Python would print IEEE ``-0.0``, e.g. ``z1`` for ``x = 0`` and a
  negative ``W1``, as ``-0.000``).

The comparison is exact on the text. Nothing is allowed for rounding: the script mirrors the
package's order of operations, and a 1-ulp difference between V8's and numpy's ``exp`` (or
glibc's ``pow(x, 2)`` and ``x * x``) could change a displayed digit only for a value within about
1e-16 of a rounding boundary, which the fixed-seed cases here do not produce.

No Chromium is a failure, not a skip, unless ``VGDOCS_SKIP_BROWSER=1`` (as in test_browser.py).
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
from bs4 import BeautifulSoup

from vgdocs import (
    chain_gradients,
    dh_dW1,
    dy_hat_dh,
    forward,
    grad_W1,
    grad_W2,
    gradient_descent_step,
    sigmoid_prime,
    squared_error,
    squared_error_prime,
)
from vgsite.registry import NUMBERS, format_number

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
from conftest import browser_thread, refuse_foreign, serve_sitemap_here  # noqa: E402

pytestmark = pytest.mark.browser

WIDGET = '[data-vg-widget="worked-example"]'
INPUTS = ("x", "W1", "W2", "y", "lr", "depth")
RANGES = {"x": (-5, 5), "W1": (-5, 5), "W2": (-5, 5), "y": (0, 1), "lr": (0, 10), "depth": (2, 20)}
DECIMALS = {
    "z1": 3, "h": 3, "z2": 3, "y_hat": 3, "loss": 3, "dL_dy_hat": 3, "sigma_prime_z2": 3,
    "dy_hat_dh": 3, "sigma_prime_z1": 3, "dh_dW1": 3, "dL_dW1": 3, "dL_dW2": 3,
    "W1_new": 4, "W2_new": 4,
}
# Below half a unit of the last decimal a value would print as zero: it is shown as m × 10^k.
TINY = {3: 0.0005, 4: 0.00005}
# The build-time numbers that the widget's displayed values start from (no JavaScript).
STATIC = {**{q: q for q in DECIMALS}, "depth": "we_depth", "depth_dL_dW1": "we_depth_dL_dW1",
          "depth_dL_dWn": "we_depth_dL_dWn"}
RANDOM_CASES = 52
SEED = 20240607
TIMEOUT_MS = 15_000


# ---------------------------------------------------------------------------- expectations


def _plain(html: str) -> str:
    return re.sub(r"</?sup>", "", html)


def shown(value: float, decimals: int | None) -> str:
    """The text the widget must display for ``value`` (see the module docstring)."""
    v = float(value) + 0.0  # -0.0 + 0.0 == +0.0: an exact zero has no sign
    if decimals is None:
        return "0" if v == 0 else _plain(format_number(v, ".2e", tex=False))
    if v != 0 and abs(v) < TINY[decimals]:
        return _plain(format_number(v, ".2e", tex=False))
    return format_number(v, f".{decimals}f", tex=False)


def expected(case: dict[str, str]) -> dict[str, Any]:
    """Every displayed value for the typed ``case``, computed by the package."""
    x, W1, W2, y, lr = (float(case[k]) for k in ("x", "W1", "W2", "y", "lr"))
    depth = int(case["depth"])
    fp = forward(x, W1, W2)
    g1, g2 = grad_W1(x, W1, W2, y), grad_W2(x, W1, W2, y)
    values = {
        "z1": fp.z1, "h": fp.h, "z2": fp.z2, "y_hat": fp.y_hat,
        "loss": squared_error(fp.y_hat, y),
        "dL_dy_hat": squared_error_prime(fp.y_hat, y),
        "sigma_prime_z2": sigmoid_prime(fp.z2),
        "dy_hat_dh": dy_hat_dh(fp.h, W2),
        "sigma_prime_z1": sigmoid_prime(fp.z1),
        "dh_dW1": dh_dW1(x, W1),
        "dL_dW1": g1, "dL_dW2": g2,
        "W1_new": gradient_descent_step(W1, g1, lr),
        "W2_new": gradient_descent_step(W2, g2, lr),
    }
    out: dict[str, Any] = {q: shown(v, DECIMALS[q]) for q, v in values.items()}
    # The depth view's rule: layer 1 has weight W1, every further layer weight W2.
    grads = chain_gradients(x, [W1] + [W2] * (depth - 1), y)
    out["depth"] = str(depth)
    out["depth_dL_dW1"] = shown(grads[0], None)
    out["depth_dL_dWn"] = shown(grads[-1], None)
    out["bars"] = [shown(g, None) for g in grads]
    return out


def _typed(rng: np.random.Generator, lo: float, hi: float) -> str:
    return f"{rng.uniform(lo, hi):.{int(rng.integers(0, 5))}f}"


def random_cases() -> list[dict[str, str]]:
    """Fixed-seed inputs as a reader would type them, with 0 to 4 decimals."""
    rng = np.random.default_rng(SEED)
    cases = []
    for i in range(RANDOM_CASES):
        case = {k: _typed(rng, *RANGES[k]) for k in ("x", "W1", "W2", "y", "lr")}
        if i % 4 == 0:
            case["y"] = "0"
        case["depth"] = str(int(rng.integers(2, 21)))
        cases.append(case)
    return cases


def _case(x: str, W1: str, W2: str, y: str, lr: str, depth: str) -> dict[str, str]:
    return {"x": x, "W1": W1, "W2": W2, "y": y, "lr": lr, "depth": depth}


EDGE_CASES = [
    _case("0", "-2", "1.5", "0.25", "1", "3"),     # x = 0: z1 = -0.0, dh/dW1 = 0, dL/dW1 = 0
    _case("1", "1", "0", "0.25", "2", "2"),        # W2 = 0: y_hat = 1/2, L = 0.0625 (a tie)
    _case("0.25", "0.25", "-1", "0", "0", "2"),    # z1 = 0.0625 exactly (a tie); lr = 0
    _case("0.75", "0.25", "2", "1", "10", "20"),   # z1 = 0.1875 exactly (a tie)
    _case("5", "-5", "5", "1", "10", "20"),        # h ~ 1e-11: shown as m × 10^k
    _case("-5", "5", "-5", "0", "10", "20"),
    _case("-5", "-5", "-5", "1", "0", "2"),
    _case("5", "5", "5", "0", "10", "20"),
    _case("1", "0.5", "0.5", "1", "0.1", "10"),    # the article's own inputs
    _case("1", "1", "0", "0.375", "1", "3"),       # depth view: 1/32 = 3.125e-2 (a tie), zeros
]

# ---------------------------------------------------------------------------- browser helpers

READ_JS = """
root => {
  const out = {};
  root.querySelectorAll('[data-quantity]').forEach(el => { out[el.dataset.quantity] = el.textContent; });
  out.bars = [...root.querySelectorAll('[data-chart] [data-layer]')].map(li => li.dataset.text);
  out.messages = Object.fromEntries([...root.querySelectorAll('[data-input]')].map(el => [
    el.dataset.input,
    {text: document.getElementById(el.getAttribute('aria-describedby')).textContent,
     invalid: el.getAttribute('aria-invalid'), value: el.value}]));
  out.text = root.innerText;
  out.stale = !root.querySelector('[data-stale]').hidden;
  return out;
}
"""



class Session:
    """A browser context on the test server: foreign requests blocked, errors recorded."""

    def __init__(self, ctx: Any, origin: str) -> None:
        self.ctx = ctx
        self.origin = origin
        self.errors: list[str] = []
        # The theme asks GitHub for the repository's stars; test_browser.py reports foreign
        # requests. Here they are refused, and the errors they log are not the widget's.
        refuse_foreign(ctx, origin)

    def _local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob") or f"{parts.scheme}://{parts.netloc}" == self.origin

    def _console(self, msg: Any) -> None:
        where = (msg.location or {}).get("url") or ""
        if msg.type == "error" and not (where and not self._local(where)):
            self.errors.append(f"console error: {msg.text} ({where})")

    def page(self) -> Any:
        page = self.ctx.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        return page


# Playwright's sync API belongs to one thread, and another module's session-wide browser
# (test_browser.py) may still hold the main thread's: everything that touches this module's
# browser runs in this module's own thread instead. Tests and fixtures hand their work to it.
in_browser_thread, browser = browser_thread("widget")


@contextlib.contextmanager
def session(browser: Any, site_url: str, *, javascript: bool = True,
            scheme: str = "light") -> Iterator[Session]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme,
                              java_script_enabled=javascript)
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        s = Session(ctx, site_url.rstrip("/"))
        yield s
        assert not s.errors, "\n".join(s.errors)
    finally:
        ctx.close()


@in_browser_thread
def _open_article(stack: contextlib.ExitStack, browser: Any, site_url: str) -> Any:
    page = stack.enter_context(session(browser, site_url)).page()
    page.goto(site_url + "article/", wait_until="domcontentloaded")
    page.wait_for_selector(f'{WIDGET}[data-vg-ready="true"]')
    return page


@pytest.fixture(scope="module")
def article(browser: Any, site_url: str) -> Iterator[Any]:
    """The article with the widget ready; shared by the tests below, each of which types a whole
    case first. The context must log no errors while they run."""
    stack = contextlib.ExitStack()
    try:
        yield _open_article(stack, browser, site_url)
    finally:
        in_browser_thread(stack.close)()


def read(page: Any) -> dict[str, Any]:
    return page.locator(WIDGET).evaluate(READ_JS)


def type_in(page: Any, name: str, text: str) -> None:
    # An element handle, not a locator: resolving a locator on this long page costs more than
    # the fill itself. fill() focuses the field, replaces its text and fires `input`; force skips
    # the wait for two stable animation frames, as the field never moves while typed into.
    field = page.query_selector(f'{WIDGET} [data-input="{name}"]')
    assert field is not None, name
    field.fill(text, force=True)


def enter(page: Any, case: dict[str, str]) -> dict[str, Any]:
    """Type a whole case into the number fields (in the page's order, which is INPUTS)."""
    fields = page.query_selector_all(f"{WIDGET} [data-input]")
    assert len(fields) == len(INPUTS)
    for name, field in zip(INPUTS, fields, strict=True):
        field.fill(case[name], force=True)
    return read(page)


def differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    return [f"{q}: shows {got.get(q)!r}, the package gives {v!r}"
            for q, v in want.items() if got.get(q) != v]


def no_bad_text(got: dict[str, Any]) -> list[str]:
    return [f"{word!r} in the widget" for word in ("NaN", "Infinity", "undefined", "{{")
            if word in got["text"]]


# ---------------------------------------------------------------------------- tests


@in_browser_thread
def test_random_inputs_show_the_packages_values(article: Any) -> None:
    cases = random_cases() + EDGE_CASES
    assert len(cases) >= 50
    assert sum(c["y"] == "0" for c in cases) >= 10
    assert sum(float(c["W1"]) < 0 for c in cases) >= 10
    assert sum(float(c["W2"]) < 0 for c in cases) >= 10
    problems = []
    for case in cases:
        got = enter(article, case)
        found = differences(got, expected(case)) + no_bad_text(got)
        if got["stale"] or any(m["text"] or m["invalid"] for m in got["messages"].values()):
            found.append(f"a valid input was rejected: {got['messages']}")
        problems += [f"{case}: {p}" for p in found]
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems)


def test_the_ties_really_are_rounded_to_even() -> None:
    # Independent of the widget: the edge cases above do contain exact ties, so they test the
    # script's correction of JavaScript's rounding; 0.0625 is 1/16, exactly representable.
    assert shown(0.0625, 3) == "0.062"
    assert shown(0.1875, 3) == "0.188"
    assert expected(EDGE_CASES[1])["loss"] == "0.062"
    assert expected(EDGE_CASES[2])["z1"] == "0.062"
    tie = expected(EDGE_CASES[-1])
    assert tie["depth_dL_dWn"] == "3.12 × 10\u22122" and tie["bars"] == ["0", "0", "3.12 × 10\u22122"]
    assert shown(-0.0, 3) == "0.000"
    assert shown(-1e-5, 3) == "\u22121.00 × 10\u22125"
    assert shown(0.0, None) == "0"


@in_browser_thread
def test_page_inputs_reproduce_the_build_time_values(browser: Any, site_url: str,
                                                     site_dir: Path) -> None:
    """With the page's own inputs the script shows exactly what the build printed."""
    soup = BeautifulSoup((site_dir / "article" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    static = {el["data-quantity"]: el.get_text() for el in soup.select(f"{WIDGET} [data-quantity]")}
    assert set(static) == set(STATIC), sorted(static)
    with session(browser, site_url) as s:
        page = s.page()
        page.goto(site_url + "article/", wait_until="domcontentloaded")
        page.wait_for_selector(f'{WIDGET}[data-vg-ready="true"]')
        got = read(page)
    assert {q: got[q] for q in static} == static
    values = {name: got["messages"][name]["value"] for name in INPUTS}
    assert differences(got, expected(values)) == []
    assert len(got["bars"]) == int(values["depth"])


@pytest.mark.parametrize(("name", "text"), [
    ("x", "7"), ("x", "-5.01"), ("W1", "-6"), ("W2", "5.5"), ("y", "1.5"), ("y", "-0.1"),
    ("lr", "-1"), ("lr", "11"), ("depth", "21"), ("depth", "1"), ("depth", "2.5"),
    ("x", ""), ("lr", ""), ("depth", ""),
])
@in_browser_thread
def test_invalid_input_shows_a_message_and_keeps_the_last_results(
        article: Any, name: str, text: str) -> None:
    case = _case("-1.5", "2", "-0.75", "0", "3", "7")
    before = enter(article, case)
    assert differences(before, expected(case)) == []
    type_in(article, name, text)
    after = read(article)
    message = after["messages"][name]
    assert message["invalid"] == "true"
    word = ("Empty" if text == "" else "Not a whole number" if name == "depth" and "." in text
            else "Out of range")
    assert word in message["text"]
    lo, hi = RANGES[name]
    assert f"from {lo} to {hi}".replace("-", "\u2212") in message["text"]
    assert after["stale"]
    assert differences(after, expected(case)) == []  # the last valid results stay
    assert after["bars"] == before["bars"]
    assert no_bad_text(after) == []
    # Another field changed meanwhile: the results still wait for the bad one.
    other = "W1" if name != "W1" else "W2"
    type_in(article, other, "1")
    assert differences(read(article), expected(case)) == []
    # Fixing the field brings the results back to the inputs shown.
    type_in(article, name, case[name])
    fixed = read(article)
    assert not fixed["stale"] and fixed["messages"][name]["invalid"] is None
    assert fixed["messages"][name]["text"] == ""
    assert differences(fixed, expected({**case, other: "1"})) == []


@in_browser_thread
def test_slider_and_number_field_stay_in_sync_and_the_keyboard_works(article: Any) -> None:
    slider = article.locator(f'{WIDGET} [data-input-range="W1"]')
    number = article.locator(f'{WIDGET} [data-input="W1"]')
    type_in(article, "W1", "-2.5")
    assert slider.input_value() == "-2.5"
    slider.focus()
    article.keyboard.press("ArrowRight")
    article.keyboard.press("ArrowRight")
    assert number.input_value() == "-2.48"
    got = read(article)
    values = {name: got["messages"][name]["value"] for name in INPUTS}
    assert values["W1"] == "-2.48"
    assert differences(got, expected(values)) == []
    # Typing key by key into the number field, as a reader does.
    number.fill("")
    number.press_sequentially("-0.3")
    got = read(article)
    values = {name: got["messages"][name]["value"] for name in INPUTS}
    assert values["W1"] == "-0.3" and slider.input_value() == "-0.3"
    assert differences(got, expected(values)) == []


@in_browser_thread
def test_every_input_and_slider_has_a_label(article: Any) -> None:
    unlabelled = article.evaluate("""() => [...document.querySelectorAll('.vg-we input')]
        .filter(el => !(el.labels.length || el.getAttribute('aria-label')))
        .map(el => el.outerHTML)""")
    assert unlabelled == []
    assert article.locator(f"{WIDGET} input:visible").count() == 2 * len(INPUTS)


@in_browser_thread
def test_widget_works_after_instant_navigation(browser: Any, site_url: str) -> None:
    """Home page, then a click to the article: the content is swapped in and the widget runs."""

    with session(browser, site_url) as s:
        page = s.page()
        page.route("**/sitemap.xml", lambda route: serve_sitemap_here(route, site_url))
        page.goto(site_url, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate("() => { window.__vgWidgetNoReload = true; }")
        page.locator('.md-content a[href$="article/"]').first.click()
        page.wait_for_url(re.compile(r"/article/$"))
        page.wait_for_selector(f'{WIDGET}[data-vg-ready="true"]')
        assert page.evaluate("() => window.__vgWidgetNoReload === true"), "the page was reloaded"
        case = _case("2", "-1.25", "3", "0", "0.5", "12")
        got = enter(page, case)
        assert differences(got, expected(case)) == []
        assert no_bad_text(got) == []
        # Away and back again through the site navigation: a fresh widget, set up once.
        for target in ("sigmoid-derivative/", "article/"):
            page.locator(f'.md-nav--primary a.md-nav__link[href$="{target}"]').locator(
                "visible=true").first.click()
            page.wait_for_url(re.compile(f"/{target}$"))
        page.wait_for_selector(f'{WIDGET}[data-vg-ready="true"]')
        assert page.evaluate("() => window.__vgWidgetNoReload === true"), "the page was reloaded"
        assert page.locator(f"{WIDGET} [data-chart] ol").count() == 1
        start = read(page)
        assert start["messages"]["x"]["value"] == "1" and start["dL_dW1"] == expected(
            {name: start["messages"][name]["value"] for name in INPUTS})["dL_dW1"]
        type_in(page, "x", "-2")
        values = {name: read(page)["messages"][name]["value"] for name in INPUTS}
        assert differences(read(page), expected(values)) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@in_browser_thread
def test_without_javascript_the_build_time_values_show(browser: Any, site_url: str,
                                                         scheme: str) -> None:
    with session(browser, site_url, javascript=False, scheme=scheme) as s:
        page = s.page()
        page.goto(site_url + "article/", wait_until="load")
        widget = page.locator(WIDGET)
        assert widget.get_attribute("data-vg-ready") is None
        for quantity, name in STATIC.items():
            el = widget.locator(f'[data-quantity="{quantity}"]').first
            assert el.is_visible(), quantity
            num = NUMBERS[name]
            want = _plain(format_number(num.value(), num.fmt, tex=False))
            assert el.inner_text().replace("\n", "") == want, quantity
        for name in INPUTS:
            assert not widget.locator(f'[data-input="{name}"]').is_visible()
            assert widget.locator(f'[data-field]:has([data-input="{name}"]) [data-static]').is_visible()
        text = widget.inner_text()
        assert "{{" not in text and "NaN" not in text
        assert "JavaScript" in text
