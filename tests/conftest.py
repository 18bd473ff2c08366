"""Shared fixtures: the site is built once per test session and shared by every test."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import blas_kernel  # noqa: E402 - before numpy loads: the build's BLAS kernels and threads

blas_kernel.pin()
import vgsite  # noqa: E402 - tools/vgsite, the site machinery
import vgsite.experiments  # noqa: E402
from browser import find_chromium, launch, serve_site  # noqa: E402 - tools/browser.py
from project import copy_project  # noqa: E402 - tools/project.py

vgsite.load_all()  # the page files docs/<page>.py register every displayed number and figure
# Training runs (experiments) are shared with the build through the cache it uses: whichever
# process needs one first computes it, every other one loads it.
vgsite.experiments.configure(ROOT / ".cache" / "vgdocs" / "experiments")

__all__ = ["copy_project", "give_stored_experiments", "mkdocs_build", "not_local", "refuse_foreign"]
ARTIFACTS = ROOT / "tests" / "artifacts"


def mkdocs_build(project: Path, site_dir: Path, *, strict: bool = True,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build`` for ``project`` into ``site_dir`` and return the finished process."""
    # No -q: mkdocs 1.6 implements it by raising its log level, so --strict would count no
    # warnings (mkdocs/mkdocs#4126).
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(project / "mkdocs.yml"),
           "-d", str(site_dir)]
    if strict:
        cmd.append("--strict")
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run(cmd, cwd=project, env=full_env, capture_output=True, text=True,
                          timeout=900)


def give_stored_experiments(project: Path) -> None:
    """Put every training run (experiment), stored as this checkout stores it, into a project copy.

    Each run is computed once for the whole suite, under its lock in this checkout's cache
    (whichever process needs it first computes it: a build or a test). Runs are stored under a
    hash of the page file that registers them, so a copy whose page file differs trains its own.
    """
    experiments = vgsite.experiments  # this module's own, configured above
    for name in sorted(experiments.EXPERIMENTS):
        experiments.result(name)
        stored = experiments.stored_path(name)
        assert stored is not None, f"experiment {name!r} has no stored path"
        target = project / stored.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(stored.read_bytes())


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The site, built strictly from this checkout into a temporary directory, once per test run.

    Under pytest-xdist every worker is its own session: the first one to get here builds, under a
    file lock in the run's shared temporary directory, and the others wait and use that build.
    """
    import fcntl

    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    out, done = shared / "site-shared" / "site", shared / "site-shared" / "built"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(shared / "site-shared.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                proc = mkdocs_build(ROOT, out)
                assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
                done.write_text("ok", encoding="utf-8")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return out


@pytest.fixture(scope="session")
def html_pages(site_dir: Path) -> dict[str, str]:
    """Every built HTML page except the 404 page, by path relative to the site root."""
    return {
        p.relative_to(site_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(site_dir.rglob("*.html"))
        if p.name != "404.html"
    }


class ParsedPages(Mapping[str, Any]):
    """The built pages as BeautifulSoup trees (``html.parser``), each parsed on first use.

    Shared by every test of a session (of a worker, under pytest-xdist): a tree is read only.
    A test that changes one (``decompose``) works on ``copy.copy(soups[page])``.
    """

    def __init__(self, pages: dict[str, str]) -> None:
        self._pages = pages
        self._trees: dict[str, Any] = {}

    def __getitem__(self, page: str) -> Any:
        if page not in self._trees:
            from bs4 import BeautifulSoup

            self._trees[page] = BeautifulSoup(self._pages[page], "html.parser")
        return self._trees[page]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pages)

    def __len__(self) -> int:
        return len(self._pages)


@pytest.fixture(scope="session")
def soups(html_pages: dict[str, str]) -> ParsedPages:
    """Every built HTML page but the 404 page, parsed once per session: read only (``ParsedPages``)."""
    return ParsedPages(html_pages)


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    """The built site, served over HTTP from 127.0.0.1 on a free port (axe needs an origin)."""
    with serve_site(site_dir) as url:
        yield url


@contextlib.contextmanager
def chromium(extra_args: tuple[str, ...] = ()) -> Iterator[Any]:
    """Headless Chromium from ``tools/browser.launch()``; a missing browser fails, never skips.

    Playwright's sync API belongs to the thread that started it, so each browser test module
    that needs its own browser opens it in its own thread with this helper.
    """
    if os.environ.get("VGDOCS_SKIP_BROWSER") == "1":
        pytest.skip("VGDOCS_SKIP_BROWSER=1: browser tests skipped on request")
    with contextlib.ExitStack() as stack:
        try:
            found = stack.enter_context(launch(extra_args))
        except Exception as exc:
            pytest.fail(
                "Cannot launch headless Chromium for the browser tests "
                f"(system Chromium: {find_chromium() or 'none found'}): {type(exc).__name__}: {exc}\n"
                "Install Debian's `chromium` (or set CHROMIUM_PATH), or run "
                "`.venv/bin/playwright install chromium`; set VGDOCS_SKIP_BROWSER=1 to skip "
                "these tests on purpose.",
                pytrace=False,
            )
        yield found


T = TypeVar("T")


def browser_thread(name: str, extra_args: tuple[str, ...] = ()
                   ) -> tuple[Callable[[Callable[..., T]], Callable[..., T]], Any]:
    """A browser test module's own Playwright thread: its decorator and its ``browser`` fixture.

    Playwright's sync API belongs to one thread, and another module's browser may hold the main
    thread's; a module calls ``in_browser_thread, browser = browser_thread("name")`` and wraps
    every test and fixture that touches the browser in ``in_browser_thread``. ``extra_args`` go
    to Chromium's command line.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"vgdocs-{name}-browser")

    def in_browser_thread(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> T:
            return pool.submit(fn, *args, **kwargs).result()

        return run

    @in_browser_thread
    def start(stack: contextlib.ExitStack) -> Any:
        return stack.enter_context(chromium(extra_args))

    @pytest.fixture(scope="module", name="browser")
    def browser() -> Iterator[Any]:
        stack = contextlib.ExitStack()
        try:
            yield start(stack)
        finally:
            in_browser_thread(stack.close)()

    return in_browser_thread, browser


def not_local(origin: str) -> re.Pattern[str]:
    """URLs off the test server at ``origin`` (data: and blob: are local), as a route pattern.

    Chromium matches a pattern itself: a route on this one sends only foreign requests through
    Python, where a route on ``**/*`` costs every local request a round trip.
    """
    return re.compile(rf"^(?!{re.escape(origin)}/|data:|blob:)")


def refuse_foreign(target: Any, origin: str, seen: list[str] | None = None) -> None:
    """Abort every request ``target`` (a Playwright page or context) makes off ``origin``,
    appending its URL to ``seen``: nothing leaves the machine, and local requests are not routed."""

    def abort(route: Any) -> None:
        if seen is not None:
            seen.append(route.request.url)
        route.abort("blockedbyclient")

    target.route(not_local(origin), abort)


_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")


def serve_sitemap_here(route: Any, site_url: str) -> None:
    """Serve ``sitemap.xml`` with its URLs moved from ``site_url`` to the test server.

    Material navigates instantly only to URLs listed in the sitemap, and it moves them to the
    current scheme and host but keeps their port: on our random port every link would be a full
    reload. A deployment at ``site_url`` has matching URLs; this gives the test the same.
    """
    resp = route.fetch()
    body = resp.text()
    locs = _LOC.findall(body)
    root = min(locs, key=len) if locs else ""

    def move(m: re.Match[str]) -> str:
        url = m.group(1)
        return f"<loc>{site_url}{url[len(root) :]}</loc>" if url.startswith(root) else m.group(0)

    route.fulfill(response=resp, body=_LOC.sub(move, body))


# Figures are lazy-loaded: the variant hidden by the colour scheme, and anything below the fold,
# is not fetched on first load. A test that inspects every image asks for them all first.
# Scrolls the page from top to bottom one screen at a time, as a reader would: blocks with
# content-visibility: auto (vgdocs.css) are rendered as they come near the screen, and the page's
# own scripts react to that (wide formulas join the tab order). Then renders every block for good,
# so that checks which measure or inspect the whole page (axe, sizes) see all of it.
# The stylesheet that renders every block at once (what a reader who scrolled everywhere sees).
RENDER_ALL_CSS = ".md-typeset * { content-visibility: visible !important; }"
READ_THROUGH_JS = """
async () => {
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight) {
    scrollTo(0, y);
    await frames();
  }
  scrollTo(0, 0);
  const all = document.createElement('style');
  all.textContent = '{RENDER_ALL_CSS}';
  document.head.appendChild(all);
  await frames();
  return true;
}
""".replace("{RENDER_ALL_CSS}", RENDER_ALL_CSS)

LOAD_ALL_IMAGES_JS = """
async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(done => {
    i.addEventListener('load', done, {once: true});
    i.addEventListener('error', done, {once: true});
  })));
  return true;
}
"""
