"""Launch headless Chromium for tests and tools: the system browser first, else Playwright's own."""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

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
def launch(extra_args: tuple[str, ...] = ()) -> Iterator[object]:
    """Yield a Playwright ``Browser``: the system Chromium if there is one, else Playwright's."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        path = find_chromium()
        browser = pw.chromium.launch(
            headless=True,
            executable_path=path,  # None → Playwright's own download (`playwright install`)
            args=[*CHROMIUM_ARGS, *extra_args],
        )
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


class _GzipHandler(_QuietHandler):
    """Serve files gzip-compressed when the client accepts it, as GitHub Pages does for text."""

    cache: ClassVar[dict[tuple[Path, int, int], bytes]] = {}

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the directory's URL
            path = path / "index.html"
        ctype = self.guess_type(str(path))
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", "") \
                or not ctype.startswith(_COMPRESSIBLE):
            return super().send_head()
        stat = path.stat()
        key = (path, stat.st_mtime_ns, stat.st_size)  # a rebuilt site at the same path is read again
        body = self.cache.get(key)
        if body is None:
            body = self.cache[key] = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # what GitHub Pages sends
        self.end_headers()
        return io.BytesIO(body)


class _Server(http.server.ThreadingHTTPServer):
    """A threaded server that says nothing when a browser drops a connection mid-response."""

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        if isinstance(sys.exc_info()[1], ConnectionError):  # the page navigated on or closed
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_site(site: Path, *, compress: bool = False) -> Iterator[str]:
    """Serve the directory ``site`` over HTTP on 127.0.0.1 (a free port); yield its base URL.

    ``compress``: gzip text responses for clients that accept it, as GitHub Pages does (page
    weight and Lighthouse measure what readers download).
    """
    handler = functools.partial(_GzipHandler if compress else _QuietHandler, directory=str(site))
    httpd = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, name="vgdocs-site", daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def ensure() -> int:
    """Make sure the browser tests have a Chromium: the system's, else Playwright's own download.

    ``make test`` runs this first, so that the README's test command sets up the browser too.
    Playwright's download needs internet access; where there is none, install a system
    Chromium (Debian's ``chromium``, as ``.ci/run`` does) or set ``CHROMIUM_PATH``.
    """
    import subprocess

    found = find_chromium()
    if found:
        print(f"browser: system Chromium at {found}")
        return 0
    print("browser: no system Chromium; installing Playwright's own (playwright install chromium)")
    return subprocess.call([sys.executable, "-m", "playwright", "install", "chromium"])


if __name__ == "__main__":
    raise SystemExit(ensure())
