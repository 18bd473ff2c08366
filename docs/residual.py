# What the page "Residual connections" shows: its experiment's settings, the numbers it quotes, its figures.
"""The numbers and figures of ``docs/residual.md``, computed with :mod:`vgdocs.residual`."""

from __future__ import annotations

import functools
import math

import numpy as np

from vgdocs.activations import tanh, tanh_prime
from vgdocs.residual import (
    LN_EPS,
    activation_rms_profile,
    gaussian_expectation,
    gradient_norm_profile,
    ln_tanh_block_gain,
    scalar_chain_products,
)
from vgsite import figure, number

DEPTH = 50
"""Number of blocks in the page's stacks."""
WIDTH = 64
"""Width $d$ of every block."""
BATCH = 32
"""Inputs per batch."""
SCALES = (0.5, 1.0)
"""Branch scales $c$ the page compares."""


@functools.cache
def _profile(architecture: str, scale: float) -> np.ndarray:
    return gradient_norm_profile(architecture, DEPTH, WIDTH, BATCH, scale)


@functools.cache
def _rms(architecture: str, scale: float) -> np.ndarray:
    return activation_rms_profile(architecture, DEPTH, WIDTH, BATCH, scale)


LN_SEEDS = 8
"""How many seeds the page's layer-norm spread is measured over."""


@functools.cache
def _ln_seed_profiles() -> np.ndarray:
    """Gradient-norm profiles of the plain + LN stack, one row per seed."""
    return np.array([gradient_norm_profile("plain_ln", DEPTH, WIDTH, BATCH, 0.5, seed)
                     for seed in range(LN_SEEDS)])


def _ln_seed_growth() -> np.ndarray:
    """Gradient growth over the whole plain + LN stack, one value per seed."""
    return _ln_seed_profiles()[:, 0]


number("res_depth", ".0f")(lambda: DEPTH)
number("res_width", ".0f")(lambda: WIDTH)
number("res_batch", ".0f")(lambda: BATCH)
number("res_scale_small", ".1f")(lambda: SCALES[0])
number("res_scale_large", ".1f")(lambda: SCALES[1])
number("res_plain_g0", ".1e")(lambda: _profile("plain", 0.5)[0])
number("res_plain_g0_large", ".1e")(lambda: _profile("plain", 1.0)[0])
number("res_residual_g0", ".1f")(lambda: _profile("residual", 0.5)[0])
# Random branches need only a scale ~ 1/sqrt(L): the whole stack at c = 1/sqrt(50).
number("res_ex_sqrt_growth", ".2f")(lambda: _profile("residual", 1.0 / math.sqrt(DEPTH))[0])
number("res_residual_g0_large", ".0f")(lambda: _profile("residual", 1.0)[0])
number("res_residual_min", ".2f")(
    lambda: min(_profile("residual", 0.5)[:-1].min(), _profile("residual", 1.0)[:-1].min())
)
number("res_plain_linear", ".1e")(lambda: scalar_chain_products(0.5, DEPTH)[0])
number("res_plain_rms_last", ".1e")(lambda: _rms("plain", 0.5)[-1])
number("res_residual_rms_last", ".1f")(lambda: _rms("residual", 0.5)[-1])
number("res_ln_rms_last", ".2f")(lambda: _rms("plain_ln", 0.5)[-1])
number("res_ln_g0", ".0f")(lambda: _profile("plain_ln", 0.5)[0])
number("res_ln_per_block", ".3f")(lambda: _profile("plain_ln", 0.5)[0] ** (1.0 / DEPTH))
number("res_ln_chi", ".3f")(ln_tanh_block_gain)
number("res_ln_chi_pow", ".0f")(lambda: ln_tanh_block_gain() ** DEPTH)
number("res_ln_scale_diff", ".0e")(
    lambda: float(np.max(np.abs(_profile("plain_ln", 0.5) / _profile("plain_ln", 1.0) - 1.0)))
)
number("res_ln_seeds", ".0f")(lambda: LN_SEEDS)
number("res_ln_seed_min", ".0f")(lambda: _ln_seed_growth().min())
number("res_ln_seed_max", ".0f")(lambda: _ln_seed_growth().max())
number("res_ln_seed_per_block", ".3f")(lambda: math.exp(np.mean(np.log(_ln_seed_growth())) / DEPTH))
number("res_preln_g0", ".2f")(lambda: _profile("residual_ln", 0.5)[0])
number("res_ex_neg_half", ".1e")(lambda: scalar_chain_products(-0.5, DEPTH)[1])
number("res_ex_pos_half", ".1e")(lambda: scalar_chain_products(0.5, DEPTH)[1])
number("res_ex_small", ".3f")(lambda: scalar_chain_products(1.0 / DEPTH, DEPTH)[1])
number("res_ex_small_a", ".2f")(lambda: 1.0 / DEPTH)
number("res_ex_e", ".3f")(lambda: math.e)
number("res_ex_tanh2", ".3f")(lambda: gaussian_expectation(lambda z: tanh(z) ** 2))
number("res_ex_tanhp2", ".3f")(lambda: gaussian_expectation(lambda z: tanh_prime(z) ** 2))
number("res_ln_eps", ".0e")(lambda: LN_EPS)


@figure("res-gradient-depth", size=(6.4, 3.8))
def draw_gradient_depth(fig, theme) -> None:
    """Gradient norm vs layer for plain and residual stacks, two branch scales, log y."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    k = np.arange(DEPTH + 1)
    styles = {0.5: "-", 1.0: (0, (5, 2))}
    for colour, arch, name in ((c[0], "plain", "plain"), (c[1], "residual", "residual")):
        for scale in SCALES:
            ax.plot(k, _profile(arch, scale), color=colour, linestyle=styles[scale],
                    label=f"{name}, branch scale $c = {scale:g}$")
    ax.axhline(1.0, color=theme["muted"], linewidth=0.9)
    ax.set_yscale("log")
    ax.set_xlim(0, DEPTH)
    ax.set_xlabel(r"layer $k$ (blocks from the input)")
    ax.set_ylabel(r"$\|\partial L/\partial h_k\|\,/\,\|\partial L/\partial h_{50}\|$" "\n(dimensionless)")
    ax.legend(loc="lower right", fontsize=8.5)


@figure("res-layer-norm", size=(6.8, 4.0))
def draw_layer_norm(fig, theme) -> None:
    """Activation RMS per layer for four stacks; gradient norms for the three that do not vanish."""
    c = theme["cycle"]
    k = np.arange(DEPTH + 1)
    # Left column: all four stacks on a log axis (below), and, above it on a linear axis, the three
    # that keep their scale, which lie within a factor of three of one and merge on the log axis.
    gs = fig.add_gridspec(2, 2, height_ratios=(1.0, 1.9))
    ax0 = fig.add_subplot(gs[0, 0])
    ax1 = fig.add_subplot(gs[1, 0], sharex=ax0)
    ax2 = fig.add_subplot(gs[:, 1])
    series = ((c[0], "plain", "plain"), (c[2], "plain_ln", "plain + LN"),
              (c[1], "residual", "residual"), (c[3], "residual_ln", "residual + LN (pre-norm)"))
    for colour, arch, name in series:
        ax1.plot(k, _rms(arch, 0.5), color=colour, label=name)
    for colour, arch, _ in series[1:]:
        ax0.plot(k, _rms(arch, 0.5), color=colour)
    seeds = _ln_seed_profiles()
    ax2.fill_between(k, seeds.min(axis=0), seeds.max(axis=0), color=c[2], alpha=0.18, linewidth=0,
                     label=f"plain + LN, range over {LN_SEEDS} seeds")
    for colour, arch, name in series[1:]:
        ax2.plot(k, _profile(arch, 0.5), color=colour, label=name)
    ax2.plot(k, ln_tanh_block_gain() ** (DEPTH - k), color=theme["muted"], linestyle=(0, (2, 2)),
             linewidth=1.4, label=r"estimate $\rho^{50-k}$ for plain + LN")
    for ax in (ax1, ax2):
        ax.set_yscale("log")
        ax.set_xlim(0, DEPTH)
        ax.set_xlabel(r"layer $k$ (blocks from the input)")
    ax0.set_ylim(0.8, None)
    ax0.tick_params(labelbottom=False)
    ax0.set_ylabel("RMS, linear axis\n(dimensionless)", fontsize=9)
    ax1.set_ylabel("RMS activation (dimensionless)")
    ax2.set_ylabel(r"$\|\partial L/\partial h_k\|\,/\,\|\partial L/\partial h_{50}\|$ (dimensionless)")
    ax0.set_title(r"activations, $c = 0.5$", fontsize=10)
    ax2.set_title(r"gradients (plain stack: see figure 1)", fontsize=10)
    ax1.legend(loc="lower left", fontsize=8)
    ax2.set_ylim(0.5, 3000.0)
    ax2.legend(loc="upper right", fontsize=7.5)
