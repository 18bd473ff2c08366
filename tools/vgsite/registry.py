# Named numbers and figures that the site shows, registered by the page files docs/<page>.py.
r"""Registries of the numbers and figures shown on the site.

A page writes ``{{ name }}`` where a number belongs and ``![alt](figures/name.svg)`` where a
figure belongs; the build looks both up here. Each page's file ``docs/<page>.py`` registers
them with the decorators below, so what a page shows sits beside the page, and the library
``vgdocs`` holds only the math.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["FIGURES", "NUMBERS", "Figure", "Number", "figure", "format_number", "number"]


@dataclass(frozen=True)
class Number:
    """A displayed number: its name, how to compute it, and how to print it."""

    name: str
    compute: Callable[[], float]
    fmt: str
    source: str
    page: str = ""
    """The page file that registered it (``docs/<page>.py``, relative to ``docs/``), if any."""

    def value(self) -> float:
        """Compute the number now."""
        return float(self.compute())


@dataclass(frozen=True)
class Figure:
    """A figure: its name and the function that draws it onto a matplotlib figure."""

    name: str
    draw: Callable[[Any, dict[str, Any]], None]
    source: str
    size: tuple[float, float]
    page: str = ""
    """The page file that registered it (``docs/<page>.py``, relative to ``docs/``), if any."""


NUMBERS: dict[str, Number] = {}
FIGURES: dict[str, Figure] = {}
LOADING: list[str] = []
"""The page file being imported right now (set by :func:`vgsite.pages.load`)."""


def number(name: str, fmt: str = ".3f") -> Callable[[Callable[[], float]], Callable[[], float]]:
    """Register a zero-argument function as the number ``name``, shown with format ``fmt``."""

    def register(fn: Callable[[], float]) -> Callable[[], float]:
        if name in NUMBERS and NUMBERS[name].source != _where(fn):
            raise ValueError(f"number {name!r} is registered twice")
        NUMBERS[name] = Number(name, fn, fmt, _where(fn), _loading())
        return fn

    return register


def figure(
    name: str, size: tuple[float, float] = (6.4, 3.6)
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register ``draw(fig, theme)`` as the figure ``name`` of ``size`` inches."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        if name in FIGURES and FIGURES[name].source != _where(fn):
            raise ValueError(f"figure {name!r} is registered twice")
        FIGURES[name] = Figure(name, fn, _where(fn), size, _loading())
        return fn

    return register


def _loading() -> str:
    return LOADING[-1] if LOADING else ""


def _where(fn: Callable[..., Any]) -> str:
    # A lambda's qualname is just "<lambda>": the line number tells two of them apart.
    code = getattr(inspect.unwrap(fn), "__code__", None)
    line = code.co_firstlineno if code is not None else 0
    return f"{fn.__module__}.{fn.__qualname__}:{line}"


def format_number(value: float, fmt: str, *, tex: bool) -> str:
    r"""Print ``value`` with ``fmt``; ``e`` formats become $m \times 10^{k}$.

    A minus sign is U+2212 in prose and ``-`` in TeX (KaTeX typesets it as a minus).
    """
    if fmt.endswith("e"):
        mantissa, exponent = format(value, fmt).split("e")
        k = int(exponent)
        if tex:
            return f"{mantissa} \\times 10^{{{k}}}"
        mantissa = mantissa.replace("-", "\u2212")
        return f"{mantissa} × 10<sup>{str(k).replace('-', chr(0x2212))}</sup>"
    text = format(value, fmt)
    if tex:
        return text.replace(",", "{,}")
    return text.replace("-", "\u2212")
