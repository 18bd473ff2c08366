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


def mark_tail(text: str, count: int, container: str | None = None) -> str:
    """Put :data:`MARKER` before the ``count``-th last child of each container.

    ``container`` is a regular expression searched in a start tag's attributes (for instance
    ``r'class="doc-children"'``); ``None`` means the top level of ``text``. A container with
    ``count`` children or fewer gets no marker: all of them are its tail.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    wanted = re.compile(container) if container is not None else None
    top: list[int] = []
    # Open elements: (tag name, start offsets of its children, or None if it is no container).
    stack: list[tuple[str, list[int] | None]] = [("", top if wanted is None else None)]
    found: list[list[int]] = [top] if wanted is None else []
    for m in _TOKEN.finditer(text):
        if m.group(0).startswith("<!--"):
            continue
        children = stack[-1][1]
        if m.group("raw"):
            if children is not None:
                children.append(m.start())
            continue
        tag = m.group("tag").lower()
        if m.group("end"):
            for depth in range(len(stack) - 1, 0, -1):  # close up to the matching start tag
                if stack[depth][0] == tag:
                    del stack[depth:]
                    break
            continue
        if children is not None:
            children.append(m.start())
        if tag in _VOID or m.group("self"):
            continue
        mine = [] if wanted is not None and wanted.search(m.group("attrs")) else None
        if mine is not None:
            found.append(mine)
        stack.append((tag, mine))
    cuts = sorted(kids[-count] for kids in found if len(kids) > count)
    out: list[str] = []
    last = 0
    for cut in cuts:
        out += [text[last:cut], MARKER]
        last = cut
    out.append(text[last:])
    return "".join(out)
