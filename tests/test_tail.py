"""The build's tail marker (tools/vgsite/tail.py) sits before the last few children, checked by a real HTML parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from vgsite.tail import MARKER, mark_tail

ROOT = Path(__file__).resolve().parents[1]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


class _Tree(HTMLParser):
    """Children of the top level and of every element, as (tag, classes) in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[tuple[str, str]] = []
        self.children: list[tuple[str, str, list[tuple[str, str]]]] = []  # (tag, class, children)
        self.stack: list[list[tuple[str, str]]] = [self.root]
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        self.stack[-1].append((tag, cls))
        if tag in VOID:
            return
        kids: list[tuple[str, str]] = []
        self.children.append((tag, cls, kids))
        self.stack.append(kids)
        self.tags.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].append((tag, dict(attrs).get("class") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.tags:
            while self.tags:
                self.stack.pop()
                if self.tags.pop() == tag:
                    break


def _tree(text: str) -> _Tree:
    tree = _Tree()
    tree.feed(text)
    tree.close()
    return tree


def _tail_ok(kids: list[tuple[str, str]], count: int) -> bool:
    """The marker is there once, with exactly ``count`` siblings after it, if there are more than ``count``."""
    where = [i for i, (tag, cls) in enumerate(kids) if cls == "vg-tail"]
    others = len(kids) - len(where)
    if others <= count:
        return not where
    return where == [len(kids) - count - 1]


PAGE = """<h1 id="t">Title</h1>
<p>One <a href="#x">link</a> and <code>a &lt; b</code></p>
<div class="vg-math"><span class="katex"><span>x</span></span></div>
<!-- a comment with <div> inside -->
<script>if (a < b && c > d) { document.write("<p>"); }</script>
<pre><code>&lt;div&gt; not a tag</code></pre>
<p>Line<br>break <img src="a.svg" alt="a > b"></p>
<ul><li>one</li><li>two</li></ul>
<figure class="vg-figure"><img src="f.svg" alt="f"/><figcaption>cap</figcaption></figure>
<table><tr><td>1</td></tr></table>
<div class="admonition"><p>note</p><div><p>nested</p></div></div>
<p>last</p>
"""


@pytest.mark.parametrize("count", [1, 3, 5, 11, 12, 40])
def test_top_level_marker_sits_before_the_last_blocks(count: int) -> None:
    out = mark_tail(PAGE, count)
    assert out.replace(MARKER, "") == PAGE  # nothing else changes
    tree = _tree(out)
    assert _tail_ok(tree.root, count), [c for c in tree.root]
    assert all(cls != "vg-tail" for _, _, kids in tree.children for _, cls in kids)  # only at the top


def test_every_container_gets_its_own_marker() -> None:
    objects = "".join(f'<div class="doc doc-object"><h2>f{i}</h2><div class="doc doc-contents"><p>{i}</p></div></div>'
                      for i in range(6))
    nested = '<div class="doc doc-children">' + objects[:2 * len(objects) // 3] + "</div>"
    text = f'<div class="doc doc-children">{objects}<div class="doc doc-object doc-class">{nested}</div></div>'
    out = mark_tail(text, 3, r'class="[^"]*\bdoc-children\b')
    tree = _tree(out)
    containers = [kids for tag, cls, kids in tree.children if "doc-children" in cls]
    assert len(containers) == 2
    assert all(_tail_ok(kids, 3) for kids in containers), containers
    assert out.count(MARKER) == 2


def test_small_containers_and_bad_counts() -> None:
    assert mark_tail("<p>a</p><p>b</p>", 2) == "<p>a</p><p>b</p>"
    assert mark_tail("", 3) == ""
    with pytest.raises(ValueError, match="count must be at least 1"):
        mark_tail("<p>a</p>", 0)


@pytest.mark.parametrize("page", ["article.md", "signal-propagation.md", "gated-cells.md"])
def test_marker_on_real_pages_matches_the_parser(page: str) -> None:
    """On real Markdown output (the pages' own HTML as Python-Markdown writes it)."""
    import markdown
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    cfg = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    exts, configs = [], {}
    for ext in cfg["markdown_extensions"]:
        name, conf = next(iter(ext.items())) if isinstance(ext, dict) else (ext, None)
        exts.append(name)
        if conf:
            configs[name] = {k: v for k, v in conf.items() if v is not None}
    text = markdown.markdown((ROOT / "docs" / page).read_text(encoding="utf-8"), extensions=exts,
                             extension_configs=configs)
    out = mark_tail(text, 10)
    assert out.replace(MARKER, "") == text
    tree = _tree(out)
    assert len([c for c in tree.root if c[1] != "vg-tail"]) > 10
    assert _tail_ok(tree.root, 10)
    assert re.search(re.escape(MARKER), out)


def test_top_and_containers_in_one_pass_match_two_passes() -> None:
    """``top=`` marks the top level in the same pass: the same markers as two separate calls."""
    objects = "".join(f'<div class="doc doc-object"><p>{i}</p></div>' for i in range(6))
    text = "".join(f"<p>{i}</p>" for i in range(12)) + f'<div class="doc doc-children">{objects}</div><p>end</p>'
    pattern = r'class="[^"]*\bdoc-children\b'
    one = mark_tail(text, 3, pattern, top=10)
    assert one == mark_tail(mark_tail(text, 3, pattern), 10)
    tree = _tree(one)
    assert _tail_ok(tree.root, 10)
    assert all(_tail_ok(kids, 3) for tag, cls, kids in tree.children if "doc-children" in cls)
    with pytest.raises(ValueError, match="top must be at least 1"):
        mark_tail(text, 3, pattern, top=0)
