# Marks where the last blocks of a page (or of a container) begin, so CSS can always render them.
"""The tail marker: ``<div class="vg-tail" hidden></div>`` before the last few children.

Off-screen blocks are skipped (``content-visibility: auto`` in ``docs/stylesheets/vgdocs.css``),
except a page's first blocks and its last ones. Selecting "the last ten" in CSS
(``:nth-last-child(-n+10)``) looks from the end: each block the parser appends changes the
answer for every block before it, and the browser restyles all of them, whole, again and again
while a page loads. A marker element placed at build time lets the CSS say the same thing
looking forward (``.vg-tail ~ *``), which appending a block does not change.
"""

from __future__ import annotations

import re

MARKER = '<div class="vg-tail" hidden></div>'

# Elements with no end tag.
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
# A comment; an element whose content is not markup (script, style) or holds no blocks (pre),
# taken whole; or one start or end tag.
_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<(?P<raw>script|style|pre|textarea)\b.*?</(?P=raw)\s*>"
    r"|<(?P<end>/?)(?P<tag>[a-zA-Z][\w:-]*)(?P<attrs>(?:\"[^\"]*\"|'[^']*'|[^'\">])*?)(?P<self>/?)>",
    re.S | re.I,
)


def mark_tail(text: str, count: int, container: str | None = None, *, top: int | None = None) -> str:
    """Put :data:`MARKER` before the ``count``-th last child of each container.

    ``container`` is a regular expression searched in a start tag's attributes (for instance
    ``r'class="doc-children"'``); ``None`` means the top level of ``text``. ``top`` also marks
    the top level, before its ``top``-th last child, in the same pass. A container with no more
    children than its count gets no marker: all of them are its tail.
    """
    for name, value in (("count", count), ("top", top)):
        if value is not None and value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    wanted = re.compile(container) if container is not None else None
    root_count = count if wanted is None else top
    root: list[int] | None = [] if root_count is not None else None
    # Open elements: (tag name, start offsets of its children, or None if it is no container).
    stack: list[tuple[str, list[int] | None]] = [("", root)]
    # Each container's children, with how many of the last ones are its tail.
    found: list[tuple[list[int], int]] = [(root, root_count)] if root is not None and root_count else []
    for m in _TOKEN.finditer(text):
        start = m.start()
        if text.startswith("<!--", start):
            continue
        children = stack[-1][1]
        if m.group("raw"):
            if children is not None:
                children.append(start)
            continue
        tag = m.group("tag").lower()
        if m.group("end"):
            for depth in range(len(stack) - 1, 0, -1):  # close up to the matching start tag
                if stack[depth][0] == tag:
                    del stack[depth:]
                    break
            continue
        if children is not None:
            children.append(start)
        if tag in _VOID or m.group("self"):
            continue
        mine: list[int] | None = None
        if wanted is not None and wanted.search(m.group("attrs")):
            mine = []
            found.append((mine, count))
        stack.append((tag, mine))
    cuts = sorted(kids[-n] for kids, n in found if len(kids) > n)
    out: list[str] = []
    last = 0
    for cut in cuts:
        out += [text[last:cut], MARKER]
        last = cut
    out.append(text[last:])
    return "".join(out)
