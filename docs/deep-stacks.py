# What the page "Deep stacks" shows: the fifty-layer experiment, the one-unit window, their figures.
"""The numbers and figures of ``docs/deep-stacks.md``, computed with :mod:`vgdocs.deep_stacks`."""

from __future__ import annotations

import math
from functools import cache, lru_cache

import numpy as np

from vgdocs.activations import SIGMOID_PRIME_MAX, sigmoid_prime
from vgdocs.deep_stacks import (
    DenseGradients,
    DenseStackForward,
    compensation_interval,
    compensation_width,
    dense_backward,
    dense_forward,
    golden_section_maximise,
    max_compensation_width,
    mean_squared_error_grad,
    sigmoid_derivative_product_bound,
    tanh_compensation_width,
    unit_backward_factor,
    weighted_slope_peak,
)
from vgdocs.initialisation import glorot_uniform, gradient_norm_profile
from vgsite import figure, number

DEPTH = 50
WIDTH = 128
BATCH = 64
SEED = 0


@cache
def _profile(activation: str, init: str | None = None) -> np.ndarray:
    out = gradient_norm_profile(activation, DEPTH, WIDTH, BATCH, SEED, init=init)
    out.setflags(write=False)
    return out


def _span(activation: str, init: str | None = None) -> float:
    p = _profile(activation, init)
    return float(p[0] / p[-1])


@lru_cache(maxsize=1)
def _sigmoid_run() -> tuple[DenseStackForward, DenseGradients]:
    """The sigmoid experiment's forward and backward pass, with the draws of gradient_norm_profile."""
    rng = np.random.default_rng(SEED)
    weights = [glorot_uniform(WIDTH, WIDTH, rng) for _ in range(DEPTH)]
    x = rng.standard_normal((BATCH, WIDTH))
    y = rng.standard_normal((BATCH, WIDTH))
    fwd = dense_forward(x, weights, [np.zeros(WIDTH)] * DEPTH, "sigmoid")
    return fwd, dense_backward(fwd, weights, mean_squared_error_grad(fwd.outputs[-1], y))


def _sigmoid_slopes() -> np.ndarray:
    """sigma'(a) over every unit, example and layer of the sigmoid experiment."""
    return np.stack([sigmoid_prime(a) for a in _sigmoid_run()[0].pre_activations])


def _sigmoid_mean_prime() -> float:
    return float(np.mean(_sigmoid_slopes()))


number("deep_depth", ".0f")(lambda: DEPTH)
number("deep_width", ".0f")(lambda: WIDTH)
number("deep_batch", ".0f")(lambda: BATCH)
number("deep_quarter_pow_10", ".1e")(lambda: sigmoid_derivative_product_bound(10))
number("deep_quarter_pow_9", ".1e")(lambda: sigmoid_derivative_product_bound(9))
number("deep_layers_to_million", ".0f")(
    lambda: next(n for n in range(1, 100) if sigmoid_derivative_product_bound(n) < 1e-6))
number("deep_quarter_pow_50", ".1e")(lambda: sigmoid_derivative_product_bound(DEPTH))
number("deep_sigmoid_span", ".1e")(lambda: _span("sigmoid"))
number("deep_sigmoid_decades", ".0f")(lambda: -math.log10(_span("sigmoid")))
number("deep_tanh_span", ".2f")(lambda: _span("tanh"))
number("deep_relu_span", ".2f")(lambda: _span("relu"))
number("deep_sigmoid_per_layer", ".3f")(lambda: _span("sigmoid") ** (1.0 / (DEPTH - 1)))
number("deep_sigmoid_mean_prime", ".3f")(_sigmoid_mean_prime)
@lru_cache(maxsize=1)
def _tanh_mean_slopes() -> np.ndarray:
    """Mean tanh'(a) of each layer of the tanh experiment (the draws of gradient_norm_profile)."""
    rng = np.random.default_rng(SEED)
    weights = [glorot_uniform(WIDTH, WIDTH, rng) for _ in range(DEPTH)]
    x = rng.standard_normal((BATCH, WIDTH))
    fwd = dense_forward(x, weights, [np.zeros(WIDTH)] * DEPTH, "tanh")
    return np.array([np.mean(1.0 - np.tanh(a) ** 2) for a in fwd.pre_activations])


number("deep_tanh_mean_slope_first", ".2f")(lambda: float(_tanh_mean_slopes()[0]))
number("deep_tanh_mean_slope_last", ".2f")(lambda: float(_tanh_mean_slopes()[-1]))
number("deep_sigmoid_rms_prime", ".3f")(lambda: float(np.sqrt(np.mean(_sigmoid_slopes() ** 2))))
# Layers 50 down to 2, and the last step to layer 1, whose input is the zero-mean data.
number("deep_sigmoid_per_layer_interior", ".3f")(lambda: float((_profile("sigmoid")[1] / _profile("sigmoid")[-1])
                                                               ** (1.0 / (DEPTH - 2))))
number("deep_sigmoid_first_step", ".3f")(lambda: float(_profile("sigmoid")[0] / _profile("sigmoid")[1]))
number("deep_sigmoid_delta_per_layer", ".3f")(
    lambda: float((np.linalg.norm(_sigmoid_run()[1].pre_activations[0])
                   / np.linalg.norm(_sigmoid_run()[1].pre_activations[-1])) ** (1.0 / (DEPTH - 1))))
# Four times Glorot's range for the sigmoid (the LISA lab's tutorials): the same stack.
number("deep_sigmoid4_span", ".1e")(lambda: _span("sigmoid", "sigmoid_uniform"))
number("deep_sigmoid4_decades", ".0f")(lambda: -math.log10(_span("sigmoid", "sigmoid_uniform")))
number("deep_sigmoid4_per_layer", ".2f")(lambda: _span("sigmoid", "sigmoid_uniform") ** (1.0 / (DEPTH - 1)))
# The window against the range (0, 1) of a sigmoid output, and Hochreiter's fixed-input view.
number("deep_window_share_star", ".0f")(lambda: 100 * max_compensation_width()[1])
number("deep_window_share_20", ".0f")(lambda: 100 * compensation_width(20.0))
number("deep_fixed_input_u", ".2f")(lambda: weighted_slope_peak()[0])
number("deep_fixed_input_c", ".3f")(lambda: weighted_slope_peak()[1])
number("deep_w_threshold", ".0f")(lambda: 1.0 / SIGMOID_PRIME_MAX)
number("deep_w_star", ".1f")(lambda: max_compensation_width()[0])
number("deep_width_star", ".3f")(lambda: max_compensation_width()[1])
number("deep_r_star", ".3f")(lambda: math.sqrt(1.0 - 4.0 / max_compensation_width()[0]))
number("deep_width_at_10", ".3f")(lambda: compensation_width(10.0))
number("deep_interval_hi_at_10", ".3f")(lambda: compensation_interval(10.0)[1])
number("deep_width_at_100", ".3f")(lambda: compensation_width(100.0))
number("deep_tanh_w_star", ".2f")(
    lambda: golden_section_maximise(lambda v: float(tanh_compensation_width(v)), 1.0, 10.0))
number("deep_tanh_width_star", ".3f")(
    lambda: tanh_compensation_width(golden_section_maximise(lambda v: float(tanh_compensation_width(v)), 1.0, 10.0)))


@figure("deep-gradient-norms", size=(6.4, 3.8))
def draw_gradient_norms(fig, theme) -> None:
    """Per-layer weight-gradient norms of three freshly initialised 50-layer stacks, log scale."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    k = np.arange(1, DEPTH + 1)
    runs = [("sigmoid", None, "sigmoid, Glorot uniform"), ("sigmoid", "sigmoid_uniform", "sigmoid, 4 × Glorot range"),
            ("tanh", None, "tanh, Glorot uniform"), ("relu", None, "ReLU, He normal")]
    for colour, (act, init, label) in zip((c[0], c[3], c[1], c[2]), runs, strict=True):
        ax.plot(k, _profile(act, init), color=colour, marker="o", markersize=2.5, label=label)
    top = _profile("sigmoid")[-1]
    ax.plot(k, top * SIGMOID_PRIME_MAX ** (DEPTH - k), color=theme["muted"], linestyle=(0, (4, 3)), linewidth=1.2,
            label=r"slope of $(1/4)^{L-k}$")
    ax.set_yscale("log")
    ax.set_xlabel("layer $k$ (count from the input)")
    ax.set_ylabel(r"$\Vert\partial L/\partial W_k\Vert_F$ (dimensionless)")
    ax.set_xlim(0, DEPTH + 1)
    ax.legend(loc="lower right", fontsize=9)


@figure("deep-compensation-width", size=(6.4, 3.6))
def draw_compensation_width(fig, theme) -> None:
    """Width of the input interval on which one sigmoid unit passes a gradient factor of at least 1."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    w = np.linspace(0.0, 40.0, 801)
    ax.plot(w, compensation_width(w), color=c[0], label=r"closed form $4\,\mathrm{artanh}(r)/|w|$")
    # A brute-force count on a grid of inputs, at a few weights.
    a = np.linspace(-1.0, 1.0, 200_001)
    step = a[1] - a[0]
    wc = np.array([3.0, 4.5, 5.5, 7.0, 9.0, 12.0, 16.0, 20.0, 25.0, 30.0, 35.0, 40.0])
    counted = [np.count_nonzero(np.abs(unit_backward_factor(v, a)) >= 1.0) * step for v in wc]
    ax.plot(wc, counted, linestyle="none", marker="o", markersize=5, markerfacecolor="none", color=c[1],
            label="counted on a grid of inputs")
    wl = w[w > 8.0]
    ax.plot(wl, 2.0 * np.log(wl) / wl, color=theme["muted"], linestyle=(0, (4, 3)), linewidth=1.2,
            label=r"large-$|w|$ form $2\ln|w|/|w|$")
    w_star, width_star = max_compensation_width()
    ax.annotate(rf"peak {width_star:.3f} at $|w| \approx {w_star:.1f}$", xy=(w_star, width_star),
                xytext=(9.0, 0.53), color=theme["fg"], arrowprops={"arrowstyle": "->", "color": theme["fg"]})
    ax.axvline(4.0, color=theme["muted"], linewidth=1.0, linestyle=":")
    ax.text(3.6, 0.05, r"$|w| = 4$", color=theme["muted"], ha="right", fontsize=9)
    ax.set_xlabel("weight magnitude $|w|$ (dimensionless)")
    ax.set_ylabel(r"width of the set of $a$ (dimensionless)")
    ax.set_xlim(0, 40)
    ax.set_ylim(0, 0.62)
    ax.legend(loc="upper right", fontsize=9)
