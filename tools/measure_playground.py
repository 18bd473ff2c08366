"""Measure the playground in headless Chromium: steps per second and main-thread tasks, under CPU throttling.

    python tools/measure_playground.py SITE_DIR [--throttle 4] [--seconds 10] [--depth 20] [--width 32]

Serves a built site and opens ``playground/`` as a phone (390 × 844 CSS pixels, device scale
factor 2, touch), sets the configuration with the page's controls, taps Run, lets it warm up for
``--warmup`` seconds, then slows the CPU with the DevTools protocol
(``Emulation.setCPUThrottlingRate``; Lighthouse's mobile preset uses 4) and watches for
``--seconds``. It reports the steps per second (from ``window.vgPlayground.state().step``), the
main-thread long tasks (over 50 ms) seen by a ``PerformanceObserver`` of type ``longtask``
installed before the page loads, the longest of the panel's own animation-frame callbacks
(``window.vgPlayground.stats()``), the long tasks while the page loads (throttled from the start
when ``--throttle-load`` is given), and the bytes the page transfers on its first load. The
machine's load average is printed too: on a shared machine the numbers move with it. Prints one
JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import launch, serve_site

OBSERVE_JS = """
window.__vgLong = [];
window.__vgFrames = [];
try {
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) window.__vgLong.push({start: e.startTime, duration: e.duration});
  }).observe({type: 'longtask', buffered: true});
} catch (e) { window.__vgLong = null; }
"""

FRAMES_JS = """
() => new Promise(resolve => {
  window.__vgFrames = [];
  let last = performance.now();
  function tick(now) { window.__vgFrames.push(now - last); last = now; requestAnimationFrame(tick); }
  requestAnimationFrame(tick);
  resolve(true);
})
"""


def _set(page, name: str, value: str) -> None:
    el = page.locator(f'[data-play-input="{name}"]')
    if name in ("dataset", "activation", "init"):
        el.select_option(value)
    else:
        el.fill(value)


def measure(site: Path, *, throttle: float, seconds: float, warmup: float, throttle_load: bool, depth: int,
            width: int, activation: str, init: str, dataset: str) -> dict:
    with serve_site(site) as base, launch() as browser:
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
        page = ctx.new_page()
        page.add_init_script(OBSERVE_JS)
        sizes: dict[str, int] = {}

        def on_response(resp) -> None:
            with contextlib.suppress(Exception):  # a redirect or an aborted request has no body
                sizes[resp.url] = len(resp.body())

        page.on("response", on_response)
        cdp = ctx.new_cdp_session(page)
        if throttle_load:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        page.goto(base + "playground/", wait_until="load")
        page.wait_for_selector('[data-play-ready="true"]')
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)
        load_long = page.evaluate("() => window.__vgLong && window.__vgLong.slice()")
        by_type: dict[str, int] = {}
        for url, n in sizes.items():
            last = url.rsplit("/", 1)[-1]
            kind = last.rsplit(".", 1)[-1] if "." in last else "html"
            by_type[kind] = by_type.get(kind, 0) + n
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        for name, value in (("dataset", dataset), ("activation", activation), ("init", init),
                            ("depth", str(depth)), ("width", str(width))):
            _set(page, name, value)
        page.locator('[data-play-action="run"]').tap()
        page.wait_for_timeout(int(warmup * 1000))
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        page.evaluate("() => { window.__vgLong = window.__vgLong && []; window.vgPlayground.stats(true); }")
        page.evaluate(FRAMES_JS)
        start = page.evaluate("() => [performance.now(), window.vgPlayground.state().step]")
        page.wait_for_timeout(int(seconds * 1000))
        end = page.evaluate("() => [performance.now(), window.vgPlayground.state().step]")
        long_tasks = page.evaluate("() => window.__vgLong")
        frames = page.evaluate("() => window.__vgFrames.slice(1)")
        stats = page.evaluate("() => window.vgPlayground.stats()")
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        page.locator('[data-play-action="pause"]').tap()
        state = page.evaluate("() => window.vgPlayground.state()")
        ctx.close()
    elapsed = (end[0] - start[0]) / 1000
    frames_sorted = sorted(frames)
    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "throttle": throttle,
        "config": {"dataset": dataset, "depth": depth, "width": width, "activation": activation, "init": init},
        "seconds": round(elapsed, 2),
        "steps": end[1] - start[1],
        "steps_per_second": round((end[1] - start[1]) / elapsed, 1),
        "long_tasks_while_running": None if long_tasks is None else len(long_tasks),
        "longest_task_ms": None if not long_tasks else round(max(t["duration"] for t in long_tasks), 1),
        "longest_panel_frame_ms": round(stats["longestMs"], 1),
        "panel_busy_share": round(stats["busyMs"] / (1000 * elapsed), 2),
        "frames_per_second": round(len(frames) / elapsed, 1),
        "frame_interval_ms_median": round(frames_sorted[len(frames) // 2], 1) if frames else None,
        "frame_interval_ms_max": round(frames_sorted[-1], 1) if frames else None,
        "long_tasks_on_load_ms": None if load_long is None else [round(t["duration"], 1) for t in load_long],
        "page_bytes_first_load": sum(sizes.values()),
        "page_bytes_by_type": by_type,
        "diverged": state["diverged"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--throttle", type=float, default=4.0)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of running unthrottled first (JIT)")
    ap.add_argument("--throttle-load", action="store_true", help="throttle the page load as well")
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--activation", default="tanh")
    ap.add_argument("--init", default="glorot")
    ap.add_argument("--dataset", default="spiral")
    args = ap.parse_args()
    print(json.dumps(measure(args.site, throttle=args.throttle, seconds=args.seconds, warmup=args.warmup,
                             throttle_load=args.throttle_load, depth=args.depth,
                             width=args.width, activation=args.activation, init=args.init,
                             dataset=args.dataset), indent=1))


if __name__ == "__main__":
    main()
