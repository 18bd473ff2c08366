# Figure rendering: one colour-blind-safe palette, a light and a dark theme, byte-stable SVG.
"""Turn a registered figure into SVG bytes for the light or the dark colour scheme.

matplotlib is imported only here, and only when a figure is drawn: the library ``vgdocs``
never imports it, and loading the page files registers figures without drawing them.
"""

from __future__ import annotations

import io
import re
from typing import Any

from vgsite.registry import FIGURES

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
"""Okabe & Ito's palette, distinguishable under the common colour-vision deficiencies."""

THEMES: dict[str, dict[str, Any]] = {
    "light": {
        "fg": "#1f2329",
        "muted": "#5b6370",
        "grid": "#d5d9df",
        "bg": "#ffffff",
        # Okabe–Ito colours with at least 3:1 contrast on white, then black and grey.
        "cycle": ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#5b6370"],
    },
    "dark": {
        "fg": "#e3e6ea",
        "muted": "#aab1bb",
        "grid": "#4a5260",
        "bg": "#1e2129",
        "cycle": ["#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#D55E00"],
    },
}
"""Colours per colour scheme; series colours come from the Okabe–Ito palette."""


def _rc(theme: dict[str, Any]) -> dict[str, Any]:
    from cycler import cycler

    return {
        "svg.hashsalt": "vgdocs",
        "svg.fonttype": "path",
        "font.family": "DejaVu Sans",
        "font.size": 10.5,
        "axes.prop_cycle": cycler(color=theme["cycle"]),
        "axes.facecolor": "none",
        "figure.facecolor": "none",
        "savefig.facecolor": "none",
        "axes.edgecolor": theme["muted"],
        "axes.labelcolor": theme["fg"],
        "axes.titlecolor": theme["fg"],
        "axes.grid": True,
        "grid.color": theme["grid"],
        "grid.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": theme["muted"],
        "ytick.color": theme["muted"],
        "xtick.labelcolor": theme["fg"],
        "ytick.labelcolor": theme["fg"],
        "text.color": theme["fg"],
        "legend.frameon": False,
        "lines.linewidth": 2.0,
        "path.simplify": False,
    }


def share_mathtext_parses() -> bool:
    """Let every renderer reuse mathtext that another has laid out; True if it is (now) shared.

    matplotlib keeps 50 laid-out mathtext strings per renderer, and each figure gets about three
    renderers (constrained layout, then the SVG), in each of two schemes: the site's figures
    parse 194 distinct strings (log-axis ticks such as ``$\\mathdefault{10^{-3}}$`` most of all)
    1,244 times in one scheme. A parse depends only on its arguments and the parser's output
    type, so one process-wide table serves them all; the SVG bytes are the same (tested), and
    drawing every figure takes about a third less time. Needs matplotlib's private
    ``MathTextParser._parse_cached`` to be an ``lru_cache``; otherwise nothing is changed.
    """
    from matplotlib.mathtext import MathTextParser

    current = MathTextParser._parse_cached
    if getattr(current, "vgdocs_shared", False):
        return True
    inner = getattr(current, "__wrapped__", None)
    if inner is None or not hasattr(current, "cache_info"):
        return False
    table: dict[tuple[Any, ...], Any] = {}

    def _parse_cached(self: Any, s: str, dpi: float, prop: Any, antialiased: bool, load_glyph_flags: Any) -> Any:
        key = (self._output_type, s, dpi, prop, antialiased, load_glyph_flags)
        if key not in table:
            table[key] = inner(self, s, dpi, prop, antialiased, load_glyph_flags)
        return table[key]

    _parse_cached.vgdocs_shared = True  # type: ignore[attr-defined]
    _parse_cached.table = table  # type: ignore[attr-defined]
    _parse_cached.original = current  # type: ignore[attr-defined]
    MathTextParser._parse_cached = _parse_cached  # type: ignore[method-assign]
    return True


def render_svg(name: str, scheme: str) -> bytes:
    """Draw figure ``name`` for colour ``scheme`` (``"light"`` or ``"dark"``) as SVG bytes."""
    if name not in FIGURES:
        raise ValueError(f"name must be a registered figure, one of {sorted(FIGURES)}; got {name!r}")
    if scheme not in THEMES:
        raise ValueError(f"scheme must be one of {sorted(THEMES)}, got {scheme!r}")
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    share_mathtext_parses()

    spec = FIGURES[name]
    theme = {"name": scheme, **THEMES[scheme], "palette": OKABE_ITO}
    with matplotlib.rc_context(_rc(theme)):
        fig = Figure(figsize=spec.size, layout="constrained")
        spec.draw(fig, theme)
        unclip_markers(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return round_coordinates(stable_clip_ids(buf.getvalue()))


def unclip_markers(fig: Any) -> None:
    """Let a marker on the edge of the axes show whole: unclip each marked line that lies inside them.

    Matplotlib clips every line to its axes, which cuts in half a marker that sits on an axis
    limit (a last point at the right edge). A line whose points all lie within the limits stays
    inside the axes box anyway (the box is convex, on linear and log axes alike), so unclipping
    it changes nothing but those markers; a line with a point outside keeps its clipping.
    """
    import numpy as np

    for ax in fig.axes:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        for line in ax.get_lines():
            if line.get_marker() in (None, "", " ", "None", "none") or line.get_transform() != ax.transData:
                continue
            x = np.asarray(line.get_xdata(), dtype=float)
            y = np.asarray(line.get_ydata(), dtype=float)
            if x.size and np.all((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)):
                line.set_clip_on(False)


_CLIP_ID = re.compile(rb'<clipPath id="(p[0-9a-f]{10})"')


def stable_clip_ids(svg: bytes) -> bytes:
    """Name the clip paths ``clip0``, ``clip1``, … in the order matplotlib defines them.

    matplotlib names a clip rectangle by a hash of its bounds' full ``repr``, and the layout can
    move a bound in its last bits with the order in which one worker process draws its figures:
    two builds then differ only in these names. The order of definition does not change.
    """
    for i, old in enumerate(dict.fromkeys(_CLIP_ID.findall(svg))):
        svg = svg.replace(b'id="' + old + b'"', b'id="clip%d"' % i).replace(b"url(#" + old + b")", b"url(#clip%d)" % i)
    return svg


_PATH_DATA = re.compile(rb'(?<= d=")[^"]*|(?<=transform="translate\()[^)]*')
_LONG_DECIMAL = re.compile(rb"-?\d+\.\d{3,}")


def round_coordinates(svg: bytes) -> bytes:
    """Round every coordinate in path data and ``translate()`` to two decimals; join its lines.

    matplotlib writes six: a hundredth of a point is 1/75 of a CSS pixel, far below anything a
    screen shows, and the digits it drops are about a seventh of the figures' compressed bytes
    (1,163 → 1,001 KB). Scale factors (the glyphs' ``scale(0.015625)``) and styles keep every digit.
    """

    def shorten(m: re.Match[bytes]) -> bytes:
        rounded = _LONG_DECIMAL.sub(lambda n: b"%.2f" % float(n.group(0)), m.group(0))
        return rounded.replace(b" \n", b" ")

    return _PATH_DATA.sub(shorten, svg)


def write_svgs(name: str, paths: dict[str, str]) -> None:
    """Draw figure ``name`` into ``paths[scheme]`` for each scheme, in one process.

    One process per figure computes the figure's data once (the experiments cache their
    results) and draws it in every colour scheme.
    """
    for scheme, path in paths.items():
        write_svg(name, scheme, path)


def write_svg(name: str, scheme: str, path: str) -> None:
    """Draw figure ``name`` for ``scheme`` into the file ``path``, atomically."""
    import os
    from pathlib import Path

    data = render_svg(name, scheme)
    tmp = Path(path).with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
