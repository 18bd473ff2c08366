# The playground page in headless Chromium: its script computes what the package computes, bit for bit.
"""The playground (docs/playground.md, docs/javascripts/playground.js) against vgdocs.playground.

- The generator: the script's MT19937 integers, doubles and normals against the package's, bit
  for bit (the package's are checked against the published reference output in
  ``test_playground.py``); so are its exponentials and logarithms, data sets and initial weights.
- Training through the page's own controls: random configurations, each set up with the inputs
  and the Reset button and trained with the Step button for 50 steps, their loss and every
  layer's gradient norm read from the page (``data-play-value`` holds the full-precision value
  that the text shows rounded) and compared with ``vgdocs.playground.train``. The bound is a
  relative 1e-9; the script performs the same IEEE 754 operations in the same order, so the
  difference measured is zero (written to ``tests/artifacts/playground-agreement.json``).
- A run that diverges: the panel says so in words, keeps the last finite step, and shows no NaN.
- The page after instant navigation, without JavaScript, with the keyboard, with reduced motion,
  and axe on the live panel in both colour schemes.

No Chromium is a failure, not a skip, unless ``VGDOCS_SKIP_BROWSER=1`` (as in test_browser.py).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest

from vgdocs import playground as pg
from vgdocs.mersenne import MT19937
from vgdocs.portable_math import cos as pcos
from vgdocs.portable_math import exp_expm1, log_array, log_scalar
from vgdocs.portable_math import sin as psin

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
from conftest import LOAD_ALL_IMAGES_JS, browser_thread, refuse_foreign, serve_sitemap_here  # noqa: E402

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDGET = '[data-vg-widget="playground"]'
URL = "playground/"
TIMEOUT_MS = 20_000
CONFIGS = 24
STEPS = 50
REAL_CLICKS = 3
"""The first steps of every configuration are Playwright clicks; the rest ``button.click()`` in the page."""
TOLERANCE = 1e-9
SEED = 20250610
MINUS = "\u2212"
# Figures load lazily: scroll through the page once before a full-page screenshot.
SCROLL_JS = """async () => { for (let y = 0; y < document.body.scrollHeight; y += 500) {
  window.scrollTo(0, y); await new Promise(r => setTimeout(r, 40)); } window.scrollTo(0, 0); }"""


# ---------------------------------------------------------------------------- one browser thread

in_browser_thread, browser = browser_thread("playground")


class Session:
    """A browser context on the test server: other hosts refused, the page's errors recorded."""

    def __init__(self, ctx: Any, origin: str) -> None:
        self.ctx, self.origin, self.errors = ctx, origin, []
        refuse_foreign(ctx, origin)

    def _local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob") or f"{parts.scheme}://{parts.netloc}" == self.origin

    def page(self) -> Any:
        page = self.ctx.new_page()

        def console(msg: Any) -> None:
            where = (msg.location or {}).get("url") or ""
            if msg.type == "error" and (not where or self._local(where)):
                self.errors.append(f"console error: {msg.text} ({where})")

        page.on("console", console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        return page


@contextlib.contextmanager
def session(browser: Any, site_url: str, **options: Any) -> Iterator[Session]:
    ctx = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        s = Session(ctx, site_url.rstrip("/"))
        yield s
        assert not s.errors, "\n".join(s.errors)
    finally:
        ctx.close()


def open_playground(s: Session, site_url: str) -> Any:
    page = s.page()
    page.goto(site_url + URL, wait_until="domcontentloaded")
    page.wait_for_selector(f'{WIDGET}[data-play-ready="true"]')
    return page


@pytest.fixture(scope="module")
def playground(browser: Any, site_url: str) -> Iterator[Any]:
    """The page with the panel ready, shared by the tests that set a whole configuration first."""
    stack = contextlib.ExitStack()

    @in_browser_thread
    def start() -> Any:
        return open_playground(stack.enter_context(session(browser, site_url)), site_url)

    try:
        yield start()
    finally:
        in_browser_thread(stack.close)()


# ---------------------------------------------------------------------------- driving the panel

READ_JS = """
root => {
  const num = el => el && el.dataset.playValue !== undefined ? Number(el.dataset.playValue) : null;
  const q = name => root.querySelector(`[data-play-quantity="${name}"]`);
  const layers = (attr, key) => [...root.querySelectorAll(`[${attr}]`)].sort((a, b) => a.dataset[key] - b.dataset[key]);
  const grads = layers('data-play-grad', 'playGrad'), ratios = layers('data-play-ratio', 'playRatio');
  return {
    step: num(q('step')), loss: num(q('loss')), accuracy: num(q('accuracy')),
    lossText: q('loss').textContent, stepText: q('step').textContent, accuracyText: q('accuracy').textContent,
    grad: grads.map(num), gradText: grads.map(el => el.textContent),
    gradLayers: grads.map(el => Number(el.dataset.playGrad)),
    ratio: ratios.map(num), ratioText: ratios.map(el => el.textContent),
    status: root.querySelector('[data-play-status]').textContent,
    text: root.innerText,
  };
}
"""

# Presses Step n times through the button's click() and reads the panel after each press.
STEPS_JS = ("(root, n) => { const readPanel = " + READ_JS + ";"
            " const b = root.querySelector('[data-play-action=\"step\"]'), out = [];"
            " for (let i = 0; i < n; i++) { b.click(); out.push(readPanel(root)); } return out; }")


def read(page: Any) -> dict[str, Any]:
    return page.locator(WIDGET).evaluate(READ_JS)


def set_config(page: Any, cfg: pg.Config) -> None:
    """Type a configuration into the page's controls and press Reset."""
    root = page.locator(WIDGET)
    for name in ("dataset", "activation", "init"):
        root.locator(f'[data-play-input="{name}"]').select_option(getattr(cfg, name))
    for name in ("depth", "width", "seed"):
        root.locator(f'[data-play-input="{name}"]').fill(str(getattr(cfg, name)))
    root.locator('[data-play-input="lr"]').fill(repr(cfg.lr))
    root.locator('[data-play-input="residual"]').set_checked(cfg.residual)
    root.locator('[data-play-action="reset"]').click()


def run_in_page(page: Any, cfg: pg.Config, steps: int) -> list[dict[str, Any]]:
    """Set ``cfg`` up with the controls, then read step 0 and each of ``steps`` presses of Step."""
    set_config(page, cfg)
    state = page.evaluate("() => window.vgPlayground.state()")
    assert state["config"] == {**cfg.__dict__}, state["config"]
    records = [read(page)]
    button = page.locator(f'{WIDGET} [data-play-action="step"]')
    for _ in range(min(REAL_CLICKS, steps)):
        button.click()
        records.append(read(page))
    if steps > REAL_CLICKS:
        records += page.locator(WIDGET).evaluate(STEPS_JS, steps - REAL_CLICKS)
    return records


def random_configs() -> list[pg.Config]:
    """Fixed-seed configurations, as a reader would type them, covering every choice."""
    rng = np.random.default_rng(SEED)
    out = []
    for i in range(CONFIGS):
        deep = i % 6 == 0  # a few of the largest networks the page allows
        out.append(pg.Config(
            dataset=pg.DATASETS[i % 3], activation=pg.ACTIVATIONS[(i // 3) % 3], init=pg.INITS[i % 4],
            depth=20 if deep else int(rng.integers(1, 21)), width=32 if deep else int(rng.integers(4, 33)),
            residual=bool(i % 2), lr=float(f"{10 ** rng.uniform(-3, 0.5):.3g}"), seed=int(rng.integers(0, 2**32))))
    return out


def shown_value(text: str) -> float:
    """``3.1 × 10−7`` (or ``0.6931``) as a float."""
    text = text.replace(MINUS, "-").strip()
    m = re.fullmatch(r"(-?[\d.]+) × 10\^?(-?\d+)", text)
    return float(m.group(1)) * 10.0 ** int(m.group(2)) if m else float(text)


def rounded_right(text: str, value: float, digits: int) -> bool:
    """Whether ``text`` is ``value`` to ``digits`` significant figures (half a unit of the last one)."""
    if value == 0:
        return text == "0"
    shown = shown_value(text)
    unit = 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)
    return abs(shown - value) <= 0.5 * unit * (1 + 1e-9) + 1e-300


def relative(a: float, b: float) -> float:
    return 0.0 if a == b else abs(a - b) / max(abs(a), abs(b))


# ---------------------------------------------------------------------------- the generator and the math


@in_browser_thread
def test_the_scripts_generator_streams_are_the_packages_bit_for_bit(playground: Any) -> None:
    cases = [{"seed": s} for s in (0, 1, 5489, 2**31 + 7, 2**32 - 1)]
    cases += [{"key": k} for k in ([0x123, 0x234, 0x345, 0x456], [1, 1], [4294967295, 2], [123456789, 1, 2, 3])]
    got = playground.evaluate("""cases => cases.map(c => {
      const G = window.vgPlayground.MT19937;
      const mk = () => c.key ? new G(0, c.key) : new G(c.seed);
      const a = mk(), b = mk(), n = mk();
      const take = (k, f) => Array.from({length: k}, f);
      return {ints: take(2500, () => a.uint32()), doubles: take(1500, () => b.uniform()),
              normals: take(1500, () => n.normal())};
    })""", cases)
    for case, js in zip(cases, got, strict=True):
        make = (lambda c=case: MT19937(key=c["key"])) if "key" in case else (lambda c=case: MT19937(seed=c["seed"]))
        a, b, n = make(), make(), make()
        assert js["ints"] == [a.uint32() for _ in range(2500)], case
        assert js["doubles"] == [b.uniform() for _ in range(1500)], case  # JSON carries doubles exactly
        assert js["normals"] == n.normals(1500), case
    # The reference output's first words, in the browser too.
    assert got[5]["ints"][:5] == [1067595299, 955945823, 477289528, 4107218783, 4228976476]


@in_browser_thread
def test_the_scripts_exp_log_sin_cos_are_the_packages_bit_for_bit(playground: Any) -> None:
    rng = np.random.default_rng(2)
    xe = np.concatenate([rng.uniform(-746, 710, 4000), rng.uniform(-0.4, 0.4, 2000), [0.0, 709.78, -745.13]])
    xl = np.concatenate([rng.uniform(1e-6, 4, 3000), 10 ** rng.uniform(-300, 300, 3000), [1.0, 5e-324]])
    xt = rng.uniform(-15, 15, 2000)
    js = playground.evaluate("""([xe, xl, xt]) => { const m = window.vgPlayground.math;
      return {exp: xe.map(m.exp), expm1: xe.map(m.expm1), log: xl.map(m.log),
              sin: xt.map(m.sin), cos: xt.map(m.cos)}; }""",
                             [xe.tolist(), xl.tolist(), xt.tolist()])
    js = {k: [float(v) for v in vs] for k, vs in js.items()}  # Playwright hands integral doubles over as ints
    e, m = exp_expm1(xe)
    assert js["exp"] == e.tolist() and js["expm1"] == m.tolist()
    assert js["log"] == log_array(xl).tolist() == [log_scalar(v) for v in xl.tolist()]
    assert js["sin"] == [psin(v) for v in xt.tolist()] and js["cos"] == [pcos(v) for v in xt.tolist()]


@in_browser_thread
def test_the_scripts_data_and_initial_weights_are_the_packages_bit_for_bit(playground: Any) -> None:
    for name in pg.DATASETS:
        for seed in (0, 77, 2**32 - 1):
            js = playground.evaluate("([n, s]) => window.vgPlayground.dataset(n, s)", [name, seed])
            x, y = pg.dataset(name, seed)
            assert [float(v) for v in js["x"]] == x.ravel().tolist() and js["y"] == y.tolist(), (name, seed)
    for init in pg.INITS:
        cfg = pg.Config(dataset="spiral", depth=3, width=9, activation="tanh", init=init, residual=False, lr=0.1,
                        seed=31)
        js = playground.evaluate("c => window.vgPlayground.initialWeights(c)", cfg.__dict__)
        ws, _ = pg.init_network(cfg)
        assert [[float(v) for v in w] for w in js] == [w.ravel().tolist() for w in ws], init


# ---------------------------------------------------------------------------- training through the controls


@in_browser_thread
def test_the_page_trains_exactly_as_the_package(playground: Any) -> None:
    configs = random_configs()
    assert len(configs) >= 20
    assert {c.dataset for c in configs} == set(pg.DATASETS) and {c.init for c in configs} == set(pg.INITS)
    assert {c.activation for c in configs} == set(pg.ACTIVATIONS) and {c.residual for c in configs} == {True, False}
    assert sum(c.depth == 20 and c.width == 32 for c in configs) >= 3
    worst, compared, exact, problems, diverged = 0.0, 0, 0, [], 0
    for cfg in configs:
        page = run_in_page(playground, cfg, STEPS)
        run = pg.train(cfg, STEPS)
        last = run.steps  # the last finite step (STEPS unless the run diverged)
        if run.diverged_at is not None:
            diverged += 1
            if "diverged" not in page[-1]["status"]:
                problems.append(f"{cfg}: the package diverged at step {run.diverged_at}, "
                                f"the page says {page[-1]['status']!r}")
        for t, rec in enumerate(page):
            want = min(t, last)  # after a divergence the panel keeps the last finite step
            if rec["step"] != want:
                problems.append(f"{cfg}: after {t} presses the page shows step {rec['step']}, expected {want}")
                break
            if rec["gradLayers"] != list(range(1, cfg.depth + 2)):
                problems.append(f"{cfg}: bars {rec['gradLayers']}, expected layers 1 to {cfg.depth + 1}")
                break
            pairs = [(rec["loss"], float(run.loss[want]))]
            pairs += list(zip(rec["grad"], run.grad_norm[want].tolist(), strict=True))
            for got, exp in pairs:
                compared += 1
                exact += got == exp
                worst = max(worst, relative(got, exp))
                if relative(got, exp) > TOLERANCE:
                    problems.append(f"{cfg}: step {t}: the page has {got!r}, the package {exp!r}")
            for got, exp in zip(rec["ratio"], run.update_ratio[want].tolist(), strict=True):
                if (got is None or math.isnan(exp)) != (got is None and math.isnan(exp)) or (
                        got is not None and relative(got, exp) > TOLERANCE):
                    problems.append(f"{cfg}: step {t}: update ratio {got!r}, the package {exp!r}")
            if rec["accuracy"] != float(run.accuracy[want]):
                problems.append(f"{cfg}: step {t}: accuracy {rec['accuracy']!r}, the package {run.accuracy[want]!r}")
            # What the reader sees is the same value, rounded.
            if not all(rounded_right(text, v, 2) for text, v in zip(rec["gradText"], rec["grad"], strict=True)):
                problems.append(f"{cfg}: step {t}: bar texts {rec['gradText']} do not show {rec['grad']}")
            loss_ok = (rounded_right(rec["lossText"], rec["loss"], 3) if "×" in rec["lossText"]
                       else abs(shown_value(rec["lossText"]) - rec["loss"]) <= 0.5e-4 * (1 + 1e-9))
            if not loss_ok:
                problems.append(f"{cfg}: step {t}: loss text {rec['lossText']!r} does not show {rec['loss']!r}")
            if any(word in rec["text"] for word in ("NaN", "Infinity", "undefined")):
                problems.append(f"{cfg}: step {t}: the panel shows NaN, Infinity or undefined")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "playground-agreement.json").write_text(json.dumps({
        "configurations": len(configs), "steps": STEPS, "values_compared": compared, "bit_identical": exact,
        "max_relative_difference": worst, "diverged_runs": diverged}, indent=1), encoding="utf-8")
    assert not problems, f"{len(problems)} differences (max relative {worst:.3g}):\n" + "\n".join(problems[:40])
    assert compared > 20 * STEPS * 3


@in_browser_thread
def test_a_diverging_run_is_reported_in_words_and_keeps_its_last_finite_step(playground: Any) -> None:
    cfg = pg.Config(dataset="moons", depth=10, width=16, activation="relu", init="he", residual=True, lr=0.03, seed=1)
    run = pg.train(cfg, 100)
    assert run.diverged_at is not None
    set_config(playground, cfg)
    playground.locator(f'{WIDGET} [data-play-action="run"]').click()
    playground.wait_for_function("() => window.vgPlayground.state().diverged === true")
    got = read(playground)
    assert "diverged" in got["status"] and "last finite" in got["status"]
    assert f"step {run.diverged_at}" in got["status"]
    assert got["step"] == run.steps and got["stepText"] == str(run.steps)
    assert got["loss"] == float(run.loss[-1]) and got["grad"] == run.grad_norm[-1].tolist()
    for word in ("NaN", "Infinity", "undefined", "null"):
        assert word not in got["text"], word
    # Step and Run do nothing more until Reset.
    playground.locator(f'{WIDGET} [data-play-action="step"]').click()
    assert read(playground)["step"] == run.steps
    playground.locator(f'{WIDGET} [data-play-action="reset"]').click()
    fresh = read(playground)
    assert fresh["step"] == 0 and fresh["loss"] == float(run.loss[0]) and "diverged" not in fresh["status"]


@in_browser_thread
def test_changing_an_input_and_reset_start_a_fresh_run_and_reset_rewinds(playground: Any) -> None:
    a = pg.Config(dataset="spiral", depth=4, width=8, activation="tanh", init="orthogonal", residual=False, lr=0.2,
                  seed=5)
    first = run_in_page(playground, a, 6)
    playground.locator(f'{WIDGET} [data-play-action="reset"]').click()
    assert read(playground)["step"] == 0
    again = run_in_page(playground, a, 6)
    assert [r["loss"] for r in again] == [r["loss"] for r in first]  # the same initial weights on rewind
    playground.locator(f'{WIDGET} [data-play-input="width"]').fill("12")
    playground.locator(f'{WIDGET} [data-play-action="reset"]').click()
    b = pg.Config(**{**a.__dict__, "width": 12})
    assert playground.evaluate("() => window.vgPlayground.state().config") == b.__dict__
    assert read(playground)["loss"] == float(pg.train(b, 0).loss[0])
    # An invalid value is refused with a message naming the range; the last valid run stays.
    playground.locator(f'{WIDGET} [data-play-input="depth"]').fill("25")
    msg = playground.locator(f'{WIDGET} [data-play-message="depth"]').inner_text()
    assert "from 1 to 20" in msg
    assert playground.locator(f'{WIDGET} [data-play-input="depth"]').get_attribute("aria-invalid") == "true"
    assert playground.evaluate("() => window.vgPlayground.state().config") == b.__dict__
    playground.locator(f'{WIDGET} [data-play-input="depth"]').fill("4")
    assert playground.locator(f'{WIDGET} [data-play-message="depth"]').inner_text() == ""


@in_browser_thread
def test_the_panel_starts_from_the_page_files_configuration(browser: Any, site_url: str) -> None:
    from vgsite import page as page_file

    # Rebuilt from its fields: the hook's tests may have re-imported the package in this worker,
    # and the page file's Config would then be another class than this module's.
    default = pg.Config(**page_file("playground").DEFAULT.__dict__)
    with session(browser, site_url) as s:
        page = open_playground(s, site_url)
        assert page.evaluate("() => window.vgPlayground.defaults") == default.__dict__
        page.locator(f'{WIDGET} [data-play-action="step"]').click()
        got = read(page)
        run = pg.train(default, 1)
        assert got["step"] == 1 and got["loss"] == float(run.loss[1]) and got["grad"] == run.grad_norm[1].tolist()


@in_browser_thread
def test_nothing_runs_before_the_reader_asks(browser: Any, site_url: str) -> None:
    for motion in ("no-preference", "reduce"):
        with session(browser, site_url, reduced_motion=motion) as s:
            requested: list[str] = []
            page = s.page()
            page.on("request", lambda r, seen=requested: seen.append(r.url))
            page.goto(site_url + URL, wait_until="load")
            page.wait_for_selector(f'{WIDGET}[data-play-ready="true"]')
            page.wait_for_timeout(800)
            # The build-time figure is for readers without JavaScript: with it, it is never fetched.
            assert not [u for u in requested if "play-default" in u]
            assert page.evaluate("() => window.vgPlayground.state()") is None  # not even step 0 yet
            page.locator(f"{WIDGET} [data-play-layers]").scroll_into_view_if_needed()
            page.wait_for_function("() => window.vgPlayground.state() !== null")
            page.wait_for_timeout(800)
            state = page.evaluate("() => window.vgPlayground.state()")
            assert state["step"] == 0 and not state["running"]
            assert page.evaluate("() => document.getAnimations().filter(a => a.playState === 'running')"
                                 ".filter(a => a.effect && a.effect.target && a.effect.target.closest"
                                 "('[data-vg-widget]')).length") == 0
            page.locator(f'{WIDGET} [data-play-action="run"]').click()
            page.wait_for_function("() => window.vgPlayground.state().step >= 5")
            page.locator(f'{WIDGET} [data-play-action="pause"]').click()
            assert not page.evaluate("() => window.vgPlayground.state().running")
            assert "Paused" in read(page)["status"]


@in_browser_thread
def test_the_controls_are_labelled_and_work_from_the_keyboard(playground: Any) -> None:
    unlabelled = playground.evaluate(f"""() => [...document.querySelectorAll('{WIDGET} input, {WIDGET} select')]
        .filter(el => !el.labels.length).map(el => el.outerHTML)""")
    assert unlabelled == []
    hooks = playground.evaluate(f"""() => [...document.querySelectorAll('{WIDGET} [data-play-input]')]
        .map(el => [el.dataset.playInput, el.tagName, el.type, [...(el.options || [])].map(o => o.value)])""")
    kinds = {name: (tag, typ, options) for name, tag, typ, options in hooks}
    assert set(kinds) == {"dataset", "depth", "width", "activation", "init", "residual", "lr", "seed"}
    assert kinds["residual"][1] == "checkbox"
    assert set(kinds["activation"][2]) == {"sigmoid", "tanh", "relu"}
    assert set(kinds["init"][2]) == {"standard", "glorot", "he", "orthogonal"}
    cfg = pg.Config(dataset="circles", depth=3, width=6, activation="sigmoid", init="he", residual=False, lr=0.5,
                    seed=12)
    set_config(playground, cfg)
    step = playground.locator(f'{WIDGET} [data-play-action="step"]')
    step.focus()
    playground.keyboard.press("Enter")
    playground.keyboard.press("Space")
    assert read(playground)["step"] == 2
    playground.keyboard.press("Shift+Tab")  # back into the controls: the seed field
    assert playground.evaluate("() => document.activeElement.dataset.playInput") == "seed"
    playground.keyboard.press("ArrowUp")  # a new seed: a fresh run at step 0
    assert read(playground)["step"] == 0
    assert playground.evaluate("() => window.vgPlayground.state().config.seed") == 13


@in_browser_thread
def test_the_playground_works_after_instant_navigation(browser: Any, site_url: str) -> None:
    with session(browser, site_url) as s:
        page = s.page()
        page.route("**/sitemap.xml", lambda route: serve_sitemap_here(route, site_url))
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        page.goto(site_url + "training/", wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate("() => { window.__vgNoReload = true; }")
        nav = f'.md-nav--primary a.md-nav__link[href$="{URL}"]'
        for round_trip in range(2):
            page.locator(nav).locator("visible=true").first.click()
            page.wait_for_url(re.compile(f"/{URL}$"))
            page.wait_for_selector(f'{WIDGET}[data-play-ready="true"]')
            assert page.evaluate("() => window.__vgNoReload === true"), "the page was reloaded"
            assert page.locator(f"{WIDGET}:visible").count() == 1
            # instant navigation parses the page with scripting off; the script drops the fallback
            assert page.locator("[data-play-fallback]").count() == 0
            page.locator(f'{WIDGET} [data-play-action="step"]').click()
            default = pg.Config(**page.evaluate("() => window.vgPlayground.defaults"))
            assert read(page)["loss"] == float(pg.train(default, 1).loss[1]), round_trip
            page.locator('.md-nav--primary a.md-nav__link[href$="training/"]').locator("visible=true").first.click()
            page.wait_for_url(re.compile(r"/training/$"))
        assert not [u for u in fetched if "play-default" in u], "the no-JavaScript figure was fetched"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@in_browser_thread
def test_without_javascript_the_build_time_figure_shows(browser: Any, site_url: str, scheme: str) -> None:
    with session(browser, site_url, java_script_enabled=False, color_scheme=scheme) as s:
        page = s.page()
        page.goto(site_url + URL, wait_until="load")
        page.evaluate(LOAD_ALL_IMAGES_JS)
        assert not page.locator(WIDGET).is_visible()
        img = page.locator("[data-play-fallback] img").locator("visible=true").first
        assert img.is_visible() and "play-default" in img.get_attribute("src")
        assert img.evaluate("el => el.complete && el.naturalWidth > 0")
        assert "JavaScript" in page.locator("[data-play-fallback]").inner_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@in_browser_thread
def test_axe_finds_nothing_serious_on_the_live_panel(browser: Any, site_url: str, scheme: str) -> None:
    """After a few steps (bars, table, canvases filled in); the page as loaded is covered by test_accessibility."""
    axe = AXE_JS.read_text(encoding="utf-8")
    with session(browser, site_url, color_scheme=scheme) as s:
        page = open_playground(s, site_url)
        for _ in range(3):
            page.locator(f'{WIDGET} [data-play-action="step"]').click()
        page.locator(f'{WIDGET} [data-play-input="depth"]').fill("40")  # an error message, shown
        page.wait_for_timeout(300)
        page.add_script_tag(content=axe)
        found = page.evaluate(f"""async () => (await axe.run('{WIDGET}', {{resultTypes: ['violations']}}))
            .violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))""")
        assert found == []


@in_browser_thread
def test_screenshots_in_both_schemes_at_desktop_and_phone_widths(browser: Any, site_url: str) -> None:
    """Full-page screenshots after thirty steps, for a human to look at (tests/artifacts/playground-*.png)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for width in (1280, 390):
            with session(browser, site_url, color_scheme=scheme, viewport={"width": width, "height": 900}) as s:
                page = open_playground(s, site_url)
                page.locator(f'{WIDGET} [data-play-input="dataset"]').select_option("spiral")
                page.locator(f'{WIDGET} [data-play-input="activation"]').select_option("relu")
                page.locator(f'{WIDGET} [data-play-input="init"]').select_option("he")
                page.locator(f'{WIDGET} [data-play-input="lr"]').fill("0.1")
                page.evaluate(f"""() => {{ const b = document.querySelector('{WIDGET} [data-play-action="step"]');
                    for (let i = 0; i < 120; i++) b.click(); }}""")
                page.evaluate(SCROLL_JS)
                page.evaluate(LOAD_ALL_IMAGES_JS)
                page.wait_for_timeout(400)
                suffix = "" if scheme == "light" else "-dark"
                page.screenshot(path=str(ARTIFACTS / f"playground-{width}{suffix}.png"), full_page=True)
                assert read(page)["step"] == 120


@pytest.mark.build
def test_only_the_playground_page_loads_its_script_and_stylesheet(html_pages: dict[str, str]) -> None:
    from bs4 import BeautifulSoup

    def loads(html: str) -> bool:
        soup = BeautifulSoup(html, "html.parser")
        refs = [el.get("src", "") for el in soup.find_all("script")]
        refs += [el.get("href", "") for el in soup.find_all("link")]
        return any(r.endswith(("playground.js", "playground.css")) for r in refs)

    assert sorted(p for p, html in html_pages.items() if loads(html)) == ["playground/index.html"]
