"""Take full-page screenshots of built pages in headless Chromium: python tools/screenshot.py site page... ."""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import launch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("site", type=Path)
    ap.add_argument("pages", nargs="+")
    ap.add_argument("--out", type=Path, default=Path("tests/artifacts"))
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("--width", type=int, default=1280)
    args = ap.parse_args()
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(args.site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    args.out.mkdir(parents=True, exist_ok=True)
    with launch() as browser:
        ctx = browser.new_context(viewport={"width": args.width, "height": 900},
                                  color_scheme="dark" if args.dark else "light")
        page = ctx.new_page()
        for p in args.pages:
            page.goto(f"http://127.0.0.1:{port}/{p}")
            page.wait_for_load_state("networkidle")
            name = (p.strip("/").replace("/", "_") or "home") + ("-dark" if args.dark else "")
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
            print(args.out / f"{name}.png")
    httpd.shutdown()


if __name__ == "__main__":
    main()
