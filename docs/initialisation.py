# What the page "Initialisation" shows: its experiment's settings, the numbers it quotes, its figures.
"""The numbers and figures of ``docs/initialisation.md``, computed with :mod:`vgdocs.initialisation`."""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from vgdocs.deep_stacks import DenseGradients, DenseStackForward, dense_forward
from vgdocs.initialisation import (
    backprop_gradients,
    backward_gain,
    forward_gain,
    glorot_variance,
    he_variance,
    layer_variance,
    linear_variance_ratio,
    relu_second_moment_ratio,
    relu_signal_profile,
    sampler,
    standard_uniform_variance,
    tanh_activation_stds,
    tanh_backprop,
)
from vgsite import figure, number

TANH_WIDTH = 500
TANH_DEPTH = 10
TANH_BATCH = 500
RELU_DEPTH = 30
RELU_WIDTH = 500
RELU_BATCH = 200
HIST_DEPTH = 5
HIST_WIDTH = 500
HIST_BATCH = 200
SEED = 0
SCALES = {"small": 0.01, "unit": 1.0, "lecun": 1.0 / math.sqrt(TANH_WIDTH)}
"""The three weight scales of the tanh experiment: $0.01$, $1$ and $1/\\sqrt{n_{\\text{in}}}$."""
HIST_CASES = (("standard_uniform", "tanh"), ("glorot_uniform", "tanh"), ("he_normal", "relu"))


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@cache
def _tanh_stds(which: str) -> np.ndarray:
    return _frozen(tanh_activation_stds(SCALES[which], TANH_DEPTH, TANH_WIDTH, TANH_BATCH, SEED))


@cache
def _relu_profile(init: str) -> np.ndarray:
    return _frozen(relu_signal_profile(init, RELU_DEPTH, RELU_WIDTH, RELU_BATCH, SEED))


@cache
def _hist(init: str, activation: str) -> tuple[np.ndarray, ...]:
    return tuple(_frozen(g) for g in backprop_gradients(init, activation, HIST_DEPTH, HIST_WIDTH, HIST_BATCH, SEED))


def _back_factor(init: str, activation: str) -> float:
    """Geometric-mean ratio Var(grad at layer k) / Var(grad at layer k + 1) over the stack."""
    v = layer_variance(list(_hist(init, activation)))
    return float((v[0] / v[-1]) ** (1.0 / (len(v) - 1)))


number("init_standard_gain", ".3f")(lambda: forward_gain(standard_uniform_variance(HIST_WIDTH), HIST_WIDTH))
number("init_standard_shrink", ".0f")(lambda: 1.0 / forward_gain(standard_uniform_variance(HIST_WIDTH), HIST_WIDTH))
number("init_standard_back_factor", ".3f")(lambda: _back_factor("standard_uniform", "tanh"))
number("init_standard_back_span", ".0f")(
    lambda: 1.0 / _back_factor("standard_uniform", "tanh") ** (HIST_DEPTH - 1))
number("init_standard_span_closed", ".0f")(
    lambda: 1.0 / linear_variance_ratio(forward_gain(standard_uniform_variance(HIST_WIDTH), HIST_WIDTH),
                                        HIST_DEPTH - 1))
number("init_glorot_back_factor", ".2f")(lambda: _back_factor("glorot_uniform", "tanh"))
@cache
def _glorot_tanh_slope_moments() -> np.ndarray:
    """E[tanh'(a_k)^2] of each layer of the Glorot/tanh histogram stack (the draws of backprop_gradients)."""
    rng = np.random.default_rng(SEED)
    draw = sampler("glorot_uniform")
    weights = [draw(HIST_WIDTH, HIST_WIDTH, rng) for _ in range(HIST_DEPTH)]
    x = rng.standard_normal((HIST_BATCH, HIST_WIDTH))
    fwd = dense_forward(x, weights, [np.zeros(HIST_WIDTH)] * HIST_DEPTH, "tanh")
    return _frozen(np.array([np.mean((1.0 - np.tanh(a) ** 2) ** 2) for a in fwd.pre_activations]))


# Layer k's step (the gradient at its output to the gradient at its input) against E[tanh'(a_k)^2],
# for the four steps the histograms show (layers 1 to 4).
number("init_glorot_slope2_layer1", ".2f")(lambda: float(_glorot_tanh_slope_moments()[0]))
number("init_glorot_slope2_layer4", ".2f")(lambda: float(_glorot_tanh_slope_moments()[HIST_DEPTH - 2]))
number("init_he_back_factor", ".2f")(lambda: _back_factor("he_normal", "relu"))
number("init_hist_width", ".0f")(lambda: HIST_WIDTH)
number("init_hist_batch", ".0f")(lambda: HIST_BATCH)
number("init_tanh_width", ".0f")(lambda: TANH_WIDTH)
number("init_tanh_batch", ".0f")(lambda: TANH_BATCH)
number("init_small_scale", ".2f")(lambda: SCALES["small"])
number("init_small_gain_std", ".3f")(lambda: SCALES["small"] * math.sqrt(TANH_WIDTH))
number("init_small_layer6", ".1e")(lambda: _tanh_stds("small")[5])
number("init_small_layer6_closed", ".1e")(
    lambda: math.sqrt(linear_variance_ratio(TANH_WIDTH * SCALES["small"] ** 2, 6)))
number("init_small_layer10", ".1e")(lambda: _tanh_stds("small")[-1])
number("init_unit_std_min", ".3f")(lambda: float(np.min(_tanh_stds("unit"))))
number("init_unit_preact_std", ".0f")(lambda: math.sqrt(TANH_WIDTH) * float(np.mean(_tanh_stds("unit"))))
number("init_lecun_scale", ".4f")(lambda: SCALES["lecun"])


@cache
def _tanh_backprop(which: str) -> tuple[DenseStackForward, DenseGradients]:
    return tanh_backprop(SCALES[which], TANH_DEPTH, TANH_WIDTH, TANH_BATCH, SEED)


def _slopes(which: str) -> np.ndarray:
    """tanh'(a) of every unit, example and layer of the tanh stack at scale ``which``."""
    return np.stack([1.0 - np.tanh(a) ** 2 for a in _tanh_backprop(which)[0].pre_activations])


def _input_grad_rms(which: str) -> np.ndarray:
    """RMS of the gradient arriving at the input of each layer k = 1..L."""
    return np.array([np.sqrt(np.mean(g * g)) for g in _tanh_backprop(which)[1].inputs])


# Too large: saturated units, yet the gradient grows towards the input (chi > 1).
number("init_unit_mean_slope", ".3f")(lambda: float(np.mean(_slopes("unit"))))
number("init_unit_chi", ".0f")(lambda: TANH_WIDTH * SCALES["unit"] ** 2 * float(np.mean(_slopes("unit") ** 2)))
number("init_unit_grad_factor", ".0f")(
    lambda: float((_input_grad_rms("unit")[0] / _input_grad_rms("unit")[-1]) ** (2.0 / (TANH_DEPTH - 1))))
number("init_unit_grad_input_rms", ".1e")(lambda: float(_input_grad_rms("unit")[0]))
# Too small: every layer's weight gradient is equally tiny.
def _weight_grad_norms(which: str) -> np.ndarray:
    return np.array([np.linalg.norm(g) for g in _tanh_backprop(which)[1].weights])


number("init_small_wgrad_min", ".4f")(lambda: float(np.min(_weight_grad_norms("small"))))
number("init_small_wgrad_max", ".4f")(lambda: float(np.max(_weight_grad_norms("small"))))
number("init_lecun_wgrad_min", ".0f")(lambda: float(np.min(_weight_grad_norms("lecun"))))
number("init_lecun_layer1", ".2f")(lambda: _tanh_stds("lecun")[0])
number("init_lecun_layer10", ".2f")(lambda: _tanh_stds("lecun")[-1])
number("init_half_pow_30", ".1e")(lambda: relu_second_moment_ratio(1.0, RELU_DEPTH))
number("init_relu_lecun_l30", ".1e")(lambda: _relu_profile("lecun_normal")[-1])
number("init_relu_he_l30", ".2f")(lambda: _relu_profile("he_normal")[-1])
number("init_relu_width", ".0f")(lambda: RELU_WIDTH)
number("init_relu_batch", ".0f")(lambda: RELU_BATCH)
# Exercises.
number("init_ex_glorot_fwd", ".3f")(lambda: forward_gain(glorot_variance(784, 256), 784))
number("init_ex_glorot_bwd", ".3f")(lambda: backward_gain(glorot_variance(784, 256), 256))
number("init_ex_standard_5", ".1e")(lambda: linear_variance_ratio(1.0 / 3.0, 5))
number("init_ex_he_limit", ".4f")(lambda: math.sqrt(3.0 * he_variance(500)))
number("init_ex_relu_layers", ".0f")(lambda: next(n for n in range(1, 100) if relu_second_moment_ratio(1.0, n) < 1e-6))
number("init_ex_standard_5_factor", ".0f")(lambda: 1.0 / linear_variance_ratio(1.0 / 3.0, 5))
number("init_ex_half_pow_20", ".1e")(lambda: relu_second_moment_ratio(1.0, 20))
number("init_ex_half_pow_19", ".1e")(lambda: relu_second_moment_ratio(1.0, 19))


def _layer_colours(theme, n: int) -> list[str]:
    """``n`` colours for layers 1..n along viridis: ordered, colour-blind safe, about 11 L* apart.

    Layer 1 gets the end with the most contrast on the page (dark purple on white, yellow on
    slate); the far end is cut where the contrast with the background would drop below 3:1.
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    start, stop = (0.0, 0.58) if theme["name"] == "light" else (1.0, 0.40)
    return [to_hex(colormaps["viridis"](t)) for t in np.linspace(start, stop, n)]


@figure("init-gradient-histograms", size=(7.2, 3.4))
def draw_gradient_histograms(fig, theme) -> None:
    """Per-layer densities of back-propagated gradients under three initialisations."""
    colours = _layer_colours(theme, HIST_DEPTH)
    titles = {"standard_uniform": "standard uniform, tanh", "glorot_uniform": "Glorot uniform, tanh",
              "he_normal": "He normal, ReLU"}
    axes = fig.subplots(1, 3, sharey=True)
    edges = np.linspace(-2.5, 2.5, 101)
    centres = 0.5 * (edges[1:] + edges[:-1])
    for i, (ax, (init, act)) in enumerate(zip(axes, HIST_CASES, strict=True)):
        for k, g in enumerate(_hist(init, act), start=1):
            density, _ = np.histogram(g, bins=edges, density=True)
            ax.plot(centres, density, color=colours[k - 1], linewidth=1.5, label=f"layer {k}",
                    zorder=2 + HIST_DEPTH - k)
            if i == 0:  # the left panel's peaks are well apart: name each curve beside its peak
                j = int(np.argmax(density))
                ax.annotate(f"layer {k}", (centres[j], density[j]), xytext=(0.75, density[j]),
                            ha="left", va="center", fontsize=8, color=theme["fg"],
                            arrowprops={"arrowstyle": "-", "color": colours[k - 1], "linewidth": 0.9,
                                        "shrinkA": 2, "shrinkB": 1})
        ax.set_title(titles[init], fontsize=10)
        ax.set_xlabel(r"$\partial L/\partial h_{k-1}$ (dimensionless)")
        ax.set_xlim(edges[0], edges[-1])
    axes[0].set_ylabel("density (dimensionless)")
    axes[0].legend(loc="upper left", fontsize=8.5)


@figure("init-tanh-activation-std", size=(6.4, 3.6))
def draw_tanh_activation_std(fig, theme) -> None:
    """Standard deviation of the activations of a 10-layer tanh stack for three weight scales."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    k = np.arange(1, TANH_DEPTH + 1)
    ax.plot(k, _tanh_stds("unit"), color=c[0], marker="o", markersize=4, label=r"$W \sim \mathcal{N}(0,1)$")
    ax.plot(k, _tanh_stds("lecun"), color=c[2], marker="o", markersize=4,
            label=r"$W \sim \mathcal{N}(0,1)/\sqrt{n}$ (LeCun)")
    ax.plot(k, _tanh_stds("small"), color=c[1], marker="o", markersize=4,
            label=r"$W \sim 0.01\,\mathcal{N}(0,1)$")
    ax.plot(k, (SCALES["small"] * math.sqrt(TANH_WIDTH)) ** k, color=theme["muted"], linestyle=(0, (4, 3)),
            linewidth=1.2, label=r"linear regime $(0.01\sqrt{n})^{k}$")
    ax.set_yscale("log")
    ax.set_xlabel("layer $k$ (count from the input)")
    ax.set_ylabel(r"std of $h_k$ (dimensionless)")
    ax.set_xticks(k)
    ax.legend(loc="lower left", fontsize=9)


@figure("init-relu-signal", size=(6.4, 3.4))
def draw_relu_signal(fig, theme) -> None:
    """Mean square of a 30-layer ReLU stack's activations, LeCun against He initialisation."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    k = np.arange(1, RELU_DEPTH + 1)
    ax.plot(k, _relu_profile("he_normal"), color=c[0], marker="o", markersize=3.5,
            label=r"He, $\mathrm{Var}\,W = 2/n$ (simulated)")
    ax.plot(k, _relu_profile("lecun_normal"), color=c[1], marker="o", markersize=3.5,
            label=r"LeCun, $\mathrm{Var}\,W = 1/n$ (simulated)")
    ax.plot(k, [relu_second_moment_ratio(1.0, int(j)) for j in k], color=theme["muted"], linestyle=(0, (4, 3)),
            linewidth=1.2, label=r"closed form $2^{-k}$")
    ax.set_yscale("log")
    ax.set_xlabel("layer $k$ (count from the input)")
    ax.set_ylabel(r"$E[h_k^2]\,/\,E[x^2]$ (dimensionless)")
    ax.legend(loc="lower left", fontsize=9)
