"""The rebuild caches of tools/vgsite/render_cache.py, with stand-ins for mkdocstrings and Material search.

A cached render must give the caller what a fresh one gives (HTML and the headings mkdocstrings
reads afterwards), must not hide a warning from a strict build, and must miss when its input
changes. The whole site built from these caches is compared byte for byte with one built without
them in tests/test_reproducible.py.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from xml.etree.ElementTree import Element

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
render_cache = importlib.import_module("vgsite.render_cache")


class Handler:
    """Renders like mkdocstrings' handlers: returns HTML, reports headings on ``_headings``."""

    def __init__(self, warn: bool = False) -> None:
        self._headings: list[Element] = []
        self.calls = 0
        self.warn = warn

    def render(self, data: Any, options: Any, locale: str | None = None) -> str:
        self.calls += 1
        if self.warn:
            logging.getLogger("mkdocs.plugins.mkdocstrings").warning("bad docstring in %s", data.path)
        for i, name in enumerate(("f", "g")):
            h = Element("h2", {"id": f"{data.path}.{name}", "data-role": "function"})
            h.text = f"<code>{name}</code> of {options['title']} ({locale}) #{i}"
            self._headings.append(h)
        return f"<div>{data.path} {options['title']} {locale} call {self.calls}</div>"


def _headings(handler: Handler) -> list[tuple[str, dict[str, str], str | None]]:
    out = [(h.tag, dict(h.attrib), h.text) for h in handler._headings]
    handler._headings.clear()
    return out


def test_a_cached_render_gives_the_html_and_headings_of_a_fresh_one(tmp_path: Path) -> None:
    data, options = SimpleNamespace(path="vgdocs.mod"), {"title": "T"}
    fresh = Handler()
    expected_html = fresh.render(data, options, locale="en")
    expected_headings = _headings(fresh)

    first, second = Handler(), Handler()
    render_cache.cache_renders(first, tmp_path)
    render_cache.cache_renders(second, tmp_path)  # a new build's handler, same cache directory
    assert first.render(data, options, locale="en") == expected_html
    assert _headings(first) == expected_headings and first.calls == 1
    assert second.render(data, options, locale="en") == expected_html
    assert _headings(second) == expected_headings
    assert second.calls == 0, "the second build rendered again instead of reading the cache"


def test_the_wrapper_keeps_the_signature_mkdocstrings_inspects() -> None:
    import inspect

    handler = Handler()
    render_cache.cache_renders(handler, Path("/nonexistent"))
    assert "locale" in inspect.signature(handler.render).parameters


@pytest.mark.parametrize("change", ["path", "options", "locale"])
def test_a_changed_input_renders_again(tmp_path: Path, change: str) -> None:
    handler = Handler()
    render_cache.cache_renders(handler, tmp_path)
    handler.render(SimpleNamespace(path="vgdocs.mod"), {"title": "T"}, locale="en")
    args = {"path": "vgdocs.mod", "options": {"title": "T"}, "locale": "en"}
    args[change] = {"path": "vgdocs.other", "options": {"title": "U"}, "locale": "fr"}[change]
    html = handler.render(SimpleNamespace(path=args["path"]), args["options"], locale=args["locale"])
    assert handler.calls == 2 and "call 2" in html


def test_a_render_that_warned_is_not_stored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data, options = SimpleNamespace(path="vgdocs.mod"), {"title": "T"}
    for build in range(2):
        handler = Handler(warn=True)
        render_cache.cache_renders(handler, tmp_path)
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            handler.render(data, options, locale="en")
        assert handler.calls == 1, f"build {build} took a warning's render from the cache"
        assert any("bad docstring" in r.getMessage() for r in caplog.records)
    assert not list(tmp_path.glob("*.json"))


def test_the_salt_follows_the_files_content(tmp_path: Path) -> None:
    f = tmp_path / "mod.py"
    f.write_text("x = 1\n", encoding="utf-8")
    before = render_cache.render_salt([("src/mod.py", f)])
    assert render_cache.render_salt([("src/mod.py", f)]) == before
    f.write_text("x = 2\n", encoding="utf-8")
    assert render_cache.render_salt([("src/mod.py", f)]) != before


# ---------------------------------------------------------------------------- search sections


class Index:
    """Material's SearchIndex, reduced to what the cache relies on: ``entries`` and the parse."""

    def __init__(self) -> None:
        self.entries: list[dict[str, str]] = []
        self.parsed = 0

    def add_entry_from_context(self, page: Any) -> None:
        self.parsed += 1
        for i, part in enumerate(page.content.split("<h2>")):
            self.entries.append({"location": f"{page.url}#s{i}", "title": page.title, "text": part})


def _page(content: str, *, url: str = "a/", title: str = "A", toc: Any = ()) -> Any:
    return SimpleNamespace(url=url, title=title, meta={"title": title}, toc=list(toc), content=content)


def _toc_item(id_: str) -> Any:
    return SimpleNamespace(id=id_, url=f"#{id_}", children=[])


def test_search_sections_come_back_unparsed_for_an_unchanged_page(tmp_path: Path) -> None:
    expected = Index()
    for p in (_page("one<h2>two"), _page("three", url="b/", title="B")):
        expected.add_entry_from_context(p)
    for build in range(2):
        index = Index()
        render_cache.cache_search_entries(index, tmp_path, "salt")
        index.add_entry_from_context(_page("one<h2>two"))
        index.add_entry_from_context(_page("three", url="b/", title="B"))
        assert index.entries == expected.entries
        assert index.parsed == (2 if build == 0 else 0)
    assert json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))["entries"]


@pytest.mark.parametrize("change", ["content", "title", "toc", "salt"])
def test_search_sections_are_parsed_again_when_what_the_plugin_reads_changes(tmp_path: Path, change: str) -> None:
    first = Index()
    render_cache.cache_search_entries(first, tmp_path, "salt")
    first.add_entry_from_context(_page("one<h2>two", toc=[_toc_item("x")]))
    page = _page("one<h2>two" if change != "content" else "one<h2>three",
                 title="A" if change != "title" else "A2",
                 toc=[_toc_item("x" if change != "toc" else "y")])
    second = Index()
    render_cache.cache_search_entries(second, tmp_path, "salt" if change != "salt" else "other")
    second.add_entry_from_context(page)
    assert second.parsed == 1
    fresh = Index()
    fresh.add_entry_from_context(page)
    assert second.entries == fresh.entries


# ---------------------------------------------------------------------------- the package, across rebuilds


@pytest.fixture
def own_modules() -> Any:
    """Give the package's modules back afterwards: the test below imports them afresh, and a
    later test in this worker must find the ones conftest configured (their cache directory)."""
    kept = {m: mod for m, mod in sys.modules.items() if m.split(".")[0] in ("vgdocs", "vgsite")}
    yield
    for m in [m for m in sys.modules if m.split(".")[0] in ("vgdocs", "vgsite")]:
        del sys.modules[m]
    sys.modules.update(kept)


def test_a_rebuild_keeps_the_loaded_package_only_while_its_code_hash_holds(
        monkeypatch: pytest.MonkeyPatch, own_modules: None) -> None:
    spec = importlib.util.spec_from_file_location("vgdocs_hooks_reload", ROOT / "tools" / "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    registry, digest = hooks._load_package()
    assert digest == hooks._source_hash()
    again, _ = hooks._load_package()
    assert again is registry, "an unchanged package was imported again"
    monkeypatch.setattr(hooks, "_source_hash", lambda: "an edited library")
    edited, digest = hooks._load_package()
    assert edited is not registry and digest == "an edited library"
    assert set(edited.NUMBERS) == set(registry.NUMBERS)  # the page files registered again
