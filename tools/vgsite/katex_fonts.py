"""Which KaTeX font file draws which characters: KaTeX's own CSS cascade, replayed on its HTML."""

from __future__ import annotations

import html
import re
from pathlib import Path

__all__ = ["FontCascade"]

_RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")
_FACE = re.compile(r"@font-face\{([^}]*)\}")
_FONT_PROPS = ("font-family", "font-weight", "font-style")
_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>|([^<]+)")
_CLASS = re.compile(r'\bclass="([^"]*)"')
# HTML elements that never hold text KaTeX draws (its SVG paths carry no glyphs).
_VOID = {"br", "img", "hr", "input", "meta", "link", "path", "line", "rect"}


def _declarations(body: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for decl in body.split(";"):
        name, _, value = decl.partition(":")
        name, value = name.strip(), value.strip()
        if name in _FONT_PROPS:
            out[name] = value
        elif name == "font":  # `.katex { font: normal 1.21em KaTeX_Main, ... }`
            # the first family is the last word before the first comma
            out.update({"font-family": value.split(",")[0].split()[-1],
                        "font-weight": "400", "font-style": "normal"})
    return {k: v.split(",")[0].strip().strip("'\"") for k, v in out.items()}


def _compound(text: str) -> tuple[str | None, frozenset[str]]:
    tag = re.match(r"[a-z]+", text)
    return (tag.group(0) if tag else None), frozenset(re.findall(r"\.([\w-]+)", text))


def _selector(text: str) -> list[tuple[str, tuple[str | None, frozenset[str]]]]:
    """A selector as (combinator, compound) pairs from the left; the first combinator is ''."""
    parts = re.split(r"\s*(>)\s*|\s+", text.strip())
    out, comb = [], ""
    for part in parts:
        if part is None or part == "":
            continue
        if part == ">":
            comb = ">"
            continue
        out.append((comb or (" " if out else ""), _compound(part)))
        comb = ""
    return out


def _matches(sel: list, stack: list[tuple[str, frozenset[str]]]) -> bool:
    def ok(compound, el) -> bool:
        tag, classes = compound
        return (tag is None or tag == el[0]) and classes <= el[1]

    def match(i: int, j: int) -> bool:  # sel[:i+1] against stack[:j+1], sel[i] at stack[j]
        if not ok(sel[i][1], stack[j]):
            return False
        if i == 0:
            return True
        if sel[i][0] == ">":
            return j > 0 and match(i - 1, j - 1)
        return any(match(i - 1, k) for k in range(j - 1, -1, -1))

    return bool(sel) and match(len(sel) - 1, len(stack) - 1)


class FontCascade:
    """KaTeX's font rules and @font-face table, read from its stylesheet."""

    def __init__(self, css: str) -> None:
        self._memo: dict[tuple, tuple[str, str, str]] = {}  # element path -> its font
        self.faces: list[tuple[str, str, str, str]] = []  # family, weight, style, file stem
        for m in _FACE.finditer(css):
            d = dict(re.findall(r"([\w-]+):([^;]+)", m.group(1)))
            stem = Path(re.search(r"url\(fonts/([\w-]+)\.woff2\)", d["src"]).group(1)).name
            self.faces.append((d["font-family"], d.get("font-weight", "400"),
                               d.get("font-style", "normal"), stem))
        # Rules in source order (a later one wins), indexed by a class (or else the tag) of their
        # rightmost compound: an element is matched only against rules that can apply to it.
        self.index: dict[str, list[tuple[int, list, dict[str, str]]]] = {}
        order = 0
        for m in _RULE.finditer(_FACE.sub("", css)):
            decls = _declarations(m.group(2))
            if decls:
                for sel in m.group(1).split(","):
                    parsed = _selector(sel)
                    tag, classes = parsed[-1][1]
                    key = min(classes) if classes else f"<{tag}>"
                    self.index.setdefault(key, []).append((order, parsed, decls))
                    order += 1

    def face(self, family: str, weight: str, style: str) -> str | None:
        """The file a browser picks for a requested family, weight and style (CSS font matching)."""
        faces = [f for f in self.faces if f[0] == family]
        if not faces:
            return None
        bold = weight in ("700", "bold")
        same_style = [f for f in faces if f[2] == style] or faces
        same_weight = [f for f in same_style if (f[1] in ("700", "bold")) == bold] or same_style
        return same_weight[0][3]

    def characters(self, markup: str, into: dict[str, set[str]]) -> None:
        """Add each character of KaTeX's visible HTML to the set of the font file that draws it."""
        stack: list[tuple[str, frozenset[str]]] = []
        fonts: list[tuple[str, str, str]] = [("", "400", "normal")]
        for m in _TOKEN.finditer(markup):
            closing, tag, attrs, text = m.groups()
            if text is not None:
                if stack and text.strip():
                    stem = self.face(*fonts[-1])
                    if stem is not None:
                        into.setdefault(stem, set()).update(html.unescape(text))
            elif tag in _VOID or attrs.endswith("/"):
                continue
            elif closing:
                if stack:
                    stack.pop()
                    fonts.pop()
            else:
                cls = _CLASS.search(attrs)
                classes = frozenset(cls.group(1).split()) if cls else frozenset()
                stack.append((tag, classes))
                path = tuple(stack)
                known = self._memo.get(path)
                if known is not None:
                    fonts.append(known)
                    continue
                family, weight, style = fonts[-1]
                candidates = [r for k in (*classes, f"<{tag}>") for r in self.index.get(k, ())]
                for _, sel, decls in sorted(candidates, key=lambda r: r[0]):
                    if _matches(sel, stack):
                        family = decls.get("font-family", family)
                        weight = decls.get("font-weight", weight)
                        style = decls.get("font-style", style)
                fonts.append(self._memo.setdefault(path, (family, weight, style)))
