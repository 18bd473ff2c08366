# Rendered pieces a rebuild would redo unchanged: the API reference's entries, the search index's sections.
"""Two caches in front of third-party work that a prose edit leaves unchanged.

**The API reference** (:func:`cache_renders`).
Rendering the reference (templates, the docstrings' Markdown, code highlighting) is the largest
share of a rebuild, and after a prose edit none of it changes. :func:`cache_renders` wraps the
handler's ``render``: an entry is keyed by the object's path and options under a hash of the
library, ``mkdocs.yml`` and the versions of the rendering packages, and holds the HTML and the
headings the render reported (mkdocstrings reads them afterwards for the table of contents,
autorefs and ``objects.inv``). Collection (griffe) still runs, so anchors and aliases come from
the current code. A render that logged a warning is not stored: a strict build must see the
warning again on the next build, not a clean cached copy.

**The search index** (:func:`cache_search_entries`). Material's search plugin parses every
page's final HTML to split it into sections; math and API pages make that HTML large. The
sections of a page are kept in one file per page, with the hash of everything the plugin reads
(the HTML, the table of contents, the URL, title and metadata); a page whose hash is unchanged
gets its sections back without being parsed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

# Packages whose code shapes the rendered HTML.
# griffe is published as "griffelib" (its code) and "griffe" (that plus a command line).
RENDERERS = ("mkdocstrings", "mkdocstrings-python", "griffelib", "griffe", "markdown", "pymdown-extensions",
             "mkdocs-autorefs", "mkdocs-material", "pygments", "jinja2")


def render_salt(files: list[tuple[str, Path]]) -> str:
    """Sixteen hex digits of SHA-256 over ``files`` (name, path) and the versions of :data:`RENDERERS`."""
    h = hashlib.sha256()
    for name, path in files:
        h.update(name.encode())
        h.update(path.read_bytes())
    for dist in RENDERERS:
        try:
            h.update(f"{dist}=={version(dist)}".encode())
        except PackageNotFoundError:
            h.update(f"{dist} absent".encode())
    return h.hexdigest()[:16]


class _Warnings(logging.Handler):
    """Remembers whether anything at WARNING or above was logged while it was attached."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen = False

    def emit(self, record: logging.LogRecord) -> None:
        self.seen = True


def cache_renders(handler: Any, directory: Path) -> None:
    """Make ``handler.render`` read and write rendered entries under ``directory``."""
    render = handler.render
    if getattr(render, "__wrapped__", None) is not None:
        return  # already wrapped (a handler is reused within one build)

    @functools.wraps(render)  # keeps the signature: mkdocstrings checks it for ``locale``
    def cached(data: Any, options: Any, **kwargs: Any) -> str:
        key = hashlib.sha256(repr((data.path, options, sorted(kwargs.items()))).encode()).hexdigest()[:24]
        path = directory / f"{key}.json"
        if path.is_file():
            entry = json.loads(path.read_text(encoding="utf-8"))
            for tag, attrib, text in entry["headings"]:
                heading = Element(tag, attrib)
                heading.text = text
                handler._headings.append(heading)
            return entry["html"]
        start = len(handler._headings)
        warnings = _Warnings()
        loggers = [logging.getLogger(), logging.getLogger("mkdocs")]
        for logger in loggers:
            logger.addHandler(warnings)
        try:
            html = render(data, options, **kwargs)
        finally:
            for logger in loggers:
                logger.removeHandler(warnings)
        if not warnings.seen:
            headings = [[h.tag, dict(h.attrib), h.text] for h in handler._headings[start:]]
            directory.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"html": str(html), "headings": headings}), encoding="utf-8")
            os.replace(tmp, path)
        return html

    handler.render = cached


def _toc(items: Any) -> list[Any]:
    """The parts of a table of contents that the search plugin reads: ids, URLs, nesting."""
    return [[item.id, item.url, _toc(item.children)] for item in items]


def cache_search_entries(index: Any, directory: Path, salt: str) -> None:
    """Make ``index.add_entry_from_context`` (Material's ``SearchIndex``) reuse a page's sections."""
    add = index.add_entry_from_context
    if getattr(add, "__wrapped__", None) is not None:
        return

    @functools.wraps(add)
    def cached(page: Any) -> None:
        seen = [salt, page.url, page.title, repr(sorted(page.meta.items())), _toc(page.toc), page.content]
        key = hashlib.sha256(json.dumps(seen, default=repr).encode()).hexdigest()
        path = directory / f"{hashlib.sha256(page.url.encode()).hexdigest()[:16]}.json"
        if path.is_file():
            entry = json.loads(path.read_text(encoding="utf-8"))
            if entry["key"] == key:
                index.entries.extend(entry["entries"])
                return
        start = len(index.entries)
        add(page)
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "entries": index.entries[start:]}), encoding="utf-8")
        os.replace(tmp, path)

    index.add_entry_from_context = cached
