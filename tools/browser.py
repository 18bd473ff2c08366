"""Launch headless Chromium for tests and tools: the system browser first, else Playwright's own."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium() -> str | None:
    """Path of a system Chromium (``$CHROMIUM_PATH``, then the usual names), or None."""
    env = os.environ.get("CHROMIUM_PATH")
    if env and Path(env).exists():
        return env
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@contextlib.contextmanager
def launch() -> Iterator[object]:
    """Yield a Playwright ``Browser``: the system Chromium if there is one, else Playwright's."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        path = find_chromium()
        browser = pw.chromium.launch(
            headless=True,
            executable_path=path,  # None → Playwright's own download (`playwright install`)
            args=CHROMIUM_ARGS,
        )
        try:
            yield browser
        finally:
            browser.close()
