# What the page "ReLU and dead units" shows: its experiment's settings, the numbers it quotes, its figures.
"""The numbers and figures of ``docs/rectifiers.md``, computed with :mod:`vgdocs.rectifiers`."""

from __future__ import annotations

import functools
import math

import numpy as np

from vgdocs.rectifiers import (
    _unit_rms,
    born_dead_fractions,
    expected_dead_fraction,
    first_layer_gradient_sweep,
    leaky_negative_layers_for_drop,
    measured_dead_fraction,
    normal_cdf,
    shift_for_dead_fraction,
)
from vgsite import figure, number

BATCH = 64
"""Batch size of the page's main dead-unit measurements."""
SHIFT = 2.0
"""The bias shift (in standard deviations) the page quotes."""
SHIFTS_MEASURED = np.linspace(0.0, 3.0, 13)
"""Shifts at which the page's figures measure."""
SLOPES = (0.0, 0.01, 0.1)
"""The rectifier slopes the page compares (ReLU, Maas et al.'s leaky ReLU, a steeper leak)."""


@functools.cache
def _gradient_sweep() -> dict[float, tuple[np.ndarray, ...]]:
    """Per slope, four arrays over the shifts: RMS live-unit and dead-unit gradients, dead fraction, max |dead|."""
    out = {}
    for a in SLOPES:
        rows = []
        grads, dead = first_layer_gradient_sweep(SHIFTS_MEASURED, a)
        for g, mask in zip(grads, dead, strict=True):
            rows.append((_unit_rms(g[~mask]), _unit_rms(g[mask]), mask.mean(),
                         float(np.max(np.abs(g[mask]), initial=0.0))))
        out[a] = tuple(np.array(col) for col in zip(*rows, strict=True))
    return out


def _sweep_at(slope: float, shift: float, which: int) -> float:
    i = int(np.argmin(np.abs(SHIFTS_MEASURED - shift)))
    return float(_gradient_sweep()[slope][which][i])


def _grad_at(slope: float, shift: float, which: int) -> float:
    """A swept RMS gradient relative to ReLU's live units at zero shift."""
    return _sweep_at(slope, shift, which) / float(_gradient_sweep()[0.0][0][0])


number("relu_batch", ".0f")(lambda: BATCH)
number("relu_shift", ".0f")(lambda: SHIFT)
number("relu_phi_shift", ".4f")(lambda: normal_cdf(SHIFT))
number("relu_dead_closed", ".3f")(lambda: expected_dead_fraction(SHIFT, BATCH))
number("relu_dead_measured", ".3f")(lambda: measured_dead_fraction(SHIFT, BATCH))
number("relu_dead_closed_n16", ".3f")(lambda: expected_dead_fraction(SHIFT, 16))
number("relu_dead_closed_n256", ".4f")(lambda: expected_dead_fraction(SHIFT, 256))
number("relu_dead_closed_s3", ".3f")(lambda: expected_dead_fraction(3.0, BATCH))
number("relu_dead_closed_s1", ".1e")(lambda: expected_dead_fraction(1.0, BATCH))
number("relu_half_dead_shift", ".2f")(lambda: shift_for_dead_fraction(0.5, BATCH))
number("relu_half_dead_shift_n1000", ".2f")(lambda: shift_for_dead_fraction(0.5, 1000))
number("relu_active_pairs_s2", ".3f")(lambda: 1.0 - normal_cdf(SHIFT))
number("relu_born_dead_last", ".2f")(lambda: born_dead_fractions()[-1])
number("relu_born_dead_first", ".2f")(lambda: born_dead_fractions()[0])
number("relu_born_dead_last10_min", ".2f")(lambda: float(np.min(born_dead_fractions()[-10:])))
number("relu_born_dead_last10_max", ".2f")(lambda: float(np.max(born_dead_fractions()[-10:])))
number("relu_grad_live_s3", ".3f")(lambda: _grad_at(0.0, 3.0, 0))
number("relu_grad_leaky01_dead_s2", ".3f")(lambda: _grad_at(0.01, 2.0, 1))
number("relu_grad_leaky1_dead_s2", ".3f")(lambda: _grad_at(0.1, 2.0, 1))
number("relu_grad_leaky01_live_s2", ".3f")(lambda: _grad_at(0.01, 2.0, 0))
number("relu_grad_leaky1_live_s2", ".3f")(lambda: _grad_at(0.1, 2.0, 0))
number("relu_grad_relu_dead_max", ".0f")(lambda: float(np.max(_gradient_sweep()[0.0][3])))
number("relu_dead_frac_fig2_s2", ".2f")(lambda: _sweep_at(0.0, SHIFT, 2))
number("relu_dead_frac_fig2_s3", ".2f")(lambda: _sweep_at(0.0, 3.0, 2))
number("relu_negative_layers", ".0f")(lambda: leaky_negative_layers_for_drop(1e-6, 0.01))
number("relu_negative_gain", ".4f")(lambda: 0.01 * math.sqrt(2.0 / (1.0 + 0.01**2)))
number("relu_prelu_gain", ".3f")(lambda: 2.0 / (1.0 + 0.25**2))
number("relu_alpha_small", ".2f")(lambda: SLOPES[1])
number("relu_alpha_big", ".1f")(lambda: SLOPES[2])
number("relu_prelu_alpha", ".2f")(lambda: 0.25)
number("relu_grad_relu_live_s2", ".3f")(lambda: _grad_at(0.0, SHIFT, 0))


@figure("relu-dead-fraction", size=(6.4, 3.6))
def draw_dead_fraction(fig, theme) -> None:
    """Dead fraction of a layer vs bias shift: closed form (lines) and measurement (markers)."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    s_fine = np.linspace(0.0, 3.0, 301)
    s_meas = np.linspace(0.0, 3.0, 25)
    handles, labels = [], []
    for colour, (n, marker) in zip(c, ((16, "o"), (64, "s"), (256, "^")), strict=False):
        (line,) = ax.plot(s_fine, expected_dead_fraction(s_fine, n), color=colour)
        (dots,) = ax.plot(s_meas, measured_dead_fraction(s_meas, n), linestyle="none", marker=marker,
                          markersize=5, markerfacecolor="none", markeredgewidth=1.3, color=colour)
        handles.append((line, dots))
        labels.append(f"batch $n = {n}$")
    ax.legend(handles, labels, loc="upper left", fontsize=9,
              title="lines: $\\Phi(s)^n$\nmarkers: measured,\n1000 units", title_fontsize=8.5,
              alignment="left")
    ax.set_xlabel(r"bias shift $s$ (pre-activation standard deviations)")
    ax.set_ylabel("fraction of dead units (dimensionless)")
    ax.set_xlim(0, 3)
    ax.set_ylim(-0.02, 1.02)


@figure("relu-leaky-gradients", size=(6.4, 3.8))
def draw_leaky_gradients(fig, theme) -> None:
    """First-layer weight gradients of live and dead units vs bias shift, ReLU vs leaky ReLU."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    sweep = _gradient_sweep()
    base = sweep[0.0][0][0]
    names = {0.0: "ReLU", 0.01: r"leaky $\alpha = 0.01$", 0.1: r"leaky $\alpha = 0.1$"}
    # ReLU and leaky alpha = 0.01 agree on live units until dead units appear, so their lines
    # coincide there: leaky 0.01 is drawn as a wide band with large open markers, ReLU as a thin
    # line with small filled dots on top of it, so both stay visible where they overlap.
    live_style = {
        0.0: {"linewidth": 1.3, "marker": "o", "markersize": 3.5, "zorder": 5},
        0.01: {"linewidth": 4.5, "marker": "o", "markersize": 8.5, "markerfacecolor": "none",
               "markeredgewidth": 1.4, "zorder": 3},
        0.1: {"linewidth": 1.8, "marker": "^", "markersize": 4.5, "zorder": 4},
    }
    for colour, a in zip(c, SLOPES, strict=False):
        live, dead = sweep[a][0], sweep[a][1]
        ax.plot(SHIFTS_MEASURED, live / base, color=colour, label=f"{names[a]}, live", **live_style[a])
        if a > 0.0:
            ax.plot(SHIFTS_MEASURED, dead / base, color=colour, linestyle=(0, (4, 2)), linewidth=1.8,
                    marker="s", markersize=4, markerfacecolor="none", markeredgewidth=1.3,
                    label=f"{names[a]}, dead")
    ax.text(0.98, 0.96, "ReLU: dead units receive exactly 0\n(not drawable on a log axis)",
            transform=ax.transAxes, ha="right", va="top", fontsize=8.5, color=theme["muted"])
    ax.set_yscale("log")
    ax.set_ylim(3e-3, 1.5)
    ax.set_xlabel(r"first-layer bias shift $s$ (pre-activation standard deviations)")
    ax.set_ylabel("RMS weight gradient per unit\n(relative to ReLU at $s = 0$)")
    ax.set_xlim(0, 3)
    ax.legend(loc="lower left", fontsize=8.5, title="units", title_fontsize=8.5, alignment="left")
