"""Take full-page screenshots of built pages in headless Chromium: python tools/screenshot.py site page... ."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import launch, serve_site


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("site", type=Path)
    ap.add_argument("pages", nargs="+")
    ap.add_argument("--out", type=Path, default=Path("tests/artifacts"))
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("--width", type=int, default=1280)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with serve_site(args.site) as base, launch() as browser:
        ctx = browser.new_context(viewport={"width": args.width, "height": 900},
                                  color_scheme="dark" if args.dark else "light")
        page = ctx.new_page()
        for p in args.pages:
            page.goto(f"{base}{p}")
            page.wait_for_load_state("networkidle")
            # Figures load lazily: scroll to the bottom in steps so every one is fetched, then back.
            page.evaluate("""async () => {
                for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
                    scrollTo(0, y); await new Promise(r => setTimeout(r, 60));
                }
                scrollTo(0, 0);
            }""")
            page.wait_for_load_state("networkidle")
            name = (p.strip("/").replace("/", "_") or "home") + ("-dark" if args.dark else "")
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
            print(args.out / f"{name}.png")


if __name__ == "__main__":
    main()
