"""Every internal link, anchor and resource of the built site resolves; external links are https.

Each built HTML page (the 404 page excepted: its links are absolute by design) is parsed, and for
every ``<a href>``, ``<img src>``, ``<link href>`` and ``<script src>``:

- a relative or same-site URL must name a file of the site (a directory URL means its
  ``index.html``), and a ``#fragment`` must be an ``id`` (or ``name``) in the target page;
- an external URL may only be an ``<a>`` link, and only to ``https``: the site loads nothing from
  another host and sends no reader over plain http.

All problems are collected and reported together.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.build

# (tag, attribute) pairs whose URLs are checked.
URL_ATTRS = (("a", "href"), ("img", "src"), ("link", "href"), ("script", "src"))
# Material shows an image only in one colour scheme with these fragments; they are CSS hooks,
# not anchors in the image.
SCHEME_FRAGMENTS = {"only-light", "only-dark"}
# Link schemes that lead nowhere on the web and are fine in an <a>.
HARMLESS_SCHEMES = {"mailto"}
_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")


@dataclass
class Site:
    """A built site on disk: its files, its root URL, and the anchors of each HTML page."""

    root: Path
    url: str = ""  # site_url as the sitemap gives it, e.g. "http://127.0.0.1:8000/"
    _anchors: dict[str, set[str]] = field(default_factory=dict)

    def anchors(self, rel: str) -> set[str]:
        """Every ``id`` and ``<a name>`` in the page at ``rel`` (a path under the site root)."""
        if rel not in self._anchors:
            path = self.root / rel
            found: set[str] = set()
            if path.suffix in (".html", ".svg"):
                soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
                found = {el["id"] for el in soup.find_all(id=True)}
                found |= {el["name"] for el in soup.find_all(attrs={"name": True})
                          if el.name in ("a", "map")}
            self._anchors[rel] = found
        return self._anchors[rel]

    def resolve(self, path: str) -> str | None:
        """The file a URL path (relative to the site root, no leading slash) serves, or None."""
        path = path.lstrip("/")
        candidates = [path] if path and not path.endswith("/") else []
        candidates.append(posixpath.join(path, "index.html"))
        for c in candidates:
            if (self.root / c).is_file():
                return c
        return None


def site_url_of(site_dir: Path) -> str:
    """The site's root URL: the shortest ``<loc>`` of its sitemap ("" if it has none)."""
    sitemap = site_dir / "sitemap.xml"
    if not sitemap.is_file():
        return ""
    locs = _LOC.findall(sitemap.read_text(encoding="utf-8"))
    return min(locs, key=len) if locs else ""


def _same_site(url: str, site: Site) -> str | None:
    """For an absolute URL under the site's own URL, its path under the site root; else None."""
    if site.url and url.startswith(site.url):
        return url[len(site.url):]
    return None


def check_url(site: Site, page: str, tag: str, url: str) -> str | None:
    """The problem with one URL found in ``page`` (path under the site root), or None."""
    url = url.strip()
    parts = urlsplit(url)
    where = f"<{tag}> {url!r}"
    if parts.scheme or parts.netloc:
        inside = _same_site(url, site)
        if inside is None:
            if parts.scheme in HARMLESS_SCHEMES and tag == "a":
                return None
            if parts.scheme == "data" and tag == "img" and url.startswith("data:image/png;base64,"):
                return None  # a notebook plot, inline in the page: no request at all
            if tag != "a":
                return f"{where} loads a resource from another site"
            if parts.scheme != "https":
                return f"{where} is an external link that is not https"
            return None
        parts = urlsplit(inside)
        target_path = parts.path
    elif parts.path.startswith("/"):
        base = urlsplit(site.url).path or "/"
        if not parts.path.startswith(base):
            return f"{where} is a root-relative path outside the site's base path {base!r}"
        target_path = parts.path[len(base):]
    else:
        target_path = posixpath.join(posixpath.dirname(page), parts.path) if parts.path else page
    target_path = posixpath.normpath(unquote(target_path)) if target_path else ""
    if target_path.startswith(".."):
        return f"{where} points outside the site"
    if target_path == ".":
        target_path = ""
    # normpath drops a trailing slash, which only says "directory": resolve() tries both.
    target = site.resolve(target_path)
    if target is None:
        return f"{where} points to {target_path or '/'}, which does not exist"
    fragment = unquote(parts.fragment)
    if not fragment:
        return None
    if tag == "img" and fragment in SCHEME_FRAGMENTS:
        return None
    if fragment not in site.anchors(target):
        return f"{where}: no id or name {fragment!r} in {target}"
    return None


def check_page(site: Site, page: str, html: str) -> list[str]:
    """Every link problem in one page."""
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    for tag, attr in URL_ATTRS:
        for el in soup.find_all(tag):
            url = el.get(attr)
            if url is None:
                continue
            problem = check_url(site, page, tag, url)
            if problem:
                problems.append(f"{page}: {problem}")
    return problems


def check_site(site_dir: Path) -> tuple[list[str], int]:
    """(every problem, number of pages checked) for a built site."""
    site = Site(site_dir, site_url_of(site_dir))
    problems: list[str] = []
    pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")
                   if p.relative_to(site_dir).as_posix() != "404.html")
    for page in pages:
        problems += check_page(site, page, (site_dir / page).read_text(encoding="utf-8"))
    return problems, len(pages)


# ---------------------------------------------------------------------------- the built site


def test_every_internal_link_and_anchor_resolves(site_dir: Path) -> None:
    problems, checked = check_site(site_dir)
    assert checked >= 3, f"only {checked} HTML pages in {site_dir}"
    assert not problems, f"{len(problems)} broken link(s) in the built site:\n" + "\n".join(
        f"  {p}" for p in problems)


def test_the_checker_saw_the_pages_that_matter(site_dir: Path) -> None:
    """The pages whose links most need checking were built and so were checked above."""
    for rel in ("index.html", "article/index.html", "reference/index.html"):
        assert (site_dir / rel).is_file(), f"{rel} was not built"
    docs = Path(__file__).resolve().parents[1] / "docs"
    missing = [nb.relative_to(docs).as_posix() for nb in sorted(docs.glob("notebooks/*.ipynb"))
               if not (site_dir / "notebooks" / nb.stem / "index.html").is_file()]
    assert not missing, f"notebooks without a built page (so their links went unchecked): {missing}"


# ---------------------------------------------------------------------------- the checker itself


@cache
def _mini_site_html() -> dict[str, str]:
    return {
        "index.html": '<h1 id="top">Home</h1><a href="page/">p</a><a name="old"></a>',
        "page/index.html": '<h2 id="sec">S</h2><img src="../fig.svg#only-dark" alt="x">',
        "fig.svg": "<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        "sitemap.xml": "<urlset><url><loc>http://example.org/docs/</loc></url>"
                       "<url><loc>http://example.org/docs/page/</loc></url></urlset>",
    }


@pytest.fixture
def mini_site(tmp_path: Path) -> Site:
    for rel, text in _mini_site_html().items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return Site(tmp_path, site_url_of(tmp_path))


@pytest.mark.parametrize(("page", "tag", "url"), [
    ("index.html", "a", "page/"),
    ("index.html", "a", "page/#sec"),
    ("index.html", "a", "page/index.html#sec"),
    ("index.html", "a", "#top"),
    ("index.html", "a", "#old"),
    ("page/index.html", "a", ".."),
    ("page/index.html", "a", "../#top"),
    ("page/index.html", "a", "#sec"),
    ("page/index.html", "img", "../fig.svg#only-light"),
    ("page/index.html", "a", "https://doi.org/10.1000/1"),
    ("page/index.html", "a", "mailto:someone@example.org"),
    ("page/index.html", "link", "http://example.org/docs/page/"),
    ("page/index.html", "a", "/docs/page/"),
    ("page/index.html", "img", "data:image/png;base64,iVBORw0KGgo="),
])
def test_checker_accepts_good_links(mini_site: Site, page: str, tag: str, url: str) -> None:
    assert check_url(mini_site, page, tag, url) is None


@pytest.mark.parametrize(("page", "tag", "url", "says"), [
    ("index.html", "a", "missing/", "does not exist"),
    ("index.html", "a", "page/#nope", "no id or name 'nope'"),
    ("index.html", "a", "#no-such-heading", "no id or name 'no-such-heading'"),
    ("page/index.html", "img", "../figures/no-such-figure.svg", "does not exist"),
    ("page/index.html", "img", "../fig.svg#frag", "no id or name 'frag'"),
    ("page/index.html", "a", "http://doi.org/10.1000/1", "not https"),
    ("page/index.html", "script", "https://cdn.example.com/x.js", "loads a resource"),
    ("page/index.html", "img", "https://example.com/x.png", "loads a resource"),
    ("page/index.html", "script", "data:text/javascript;base64,YWxlcnQoMSk=", "loads a resource"),
    ("page/index.html", "link", "http://example.org/docs/missing/", "does not exist"),
    ("page/index.html", "a", "../../outside.html", "outside the site"),
    ("page/index.html", "a", "/page/", "outside the site's base path"),
])
def test_checker_rejects_bad_links(mini_site: Site, page: str, tag: str, url: str,
                                   says: str) -> None:
    problem = check_url(mini_site, page, tag, url)
    assert problem is not None and says in problem, problem


def test_checker_reports_every_problem_at_once(mini_site: Site) -> None:
    html = '<a href="a/">a</a><a href="#x">x</a><script src="//cdn.example.com/s.js"></script>'
    problems = check_page(mini_site, "index.html", html)
    assert len(problems) == 3, problems
