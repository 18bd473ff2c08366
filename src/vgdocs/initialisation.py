# Weight initialisation: the samplers, their variances, and how signals and gradients scale with depth.
r"""Initialisation schemes for dense layers and the variance arithmetic behind them.

A weight matrix $W$ of a layer with ``fan_in`` inputs and ``fan_out`` outputs has shape
(fan_out, fan_in). If its entries are independent with mean $0$ and variance $\operatorname{Var} W$,
a layer in its linear regime multiplies the variance of the signal going up by
$n_{\text{in}} \operatorname{Var} W$ and that of the gradient coming down by
$n_{\text{out}} \operatorname{Var} W$. Each scheme below is a choice of $\operatorname{Var} W$:

| scheme | distribution | $\operatorname{Var} W$ |
|---|---|---|
| standard | $U[-1/\sqrt{n_{\text{in}}},\, 1/\sqrt{n_{\text{in}}}]$ | $1/(3 n_{\text{in}})$ |
| LeCun | $\mathcal N(0, 1/n_{\text{in}})$ | $1/n_{\text{in}}$ |
| Glorot/Xavier | $U[\pm\sqrt{6/(n_{\text{in}} + n_{\text{out}})}]$ | $2/(n_{\text{in}} + n_{\text{out}})$ |
| He | $\mathcal N(0, 2/n_{\text{in}})$ | $2/n_{\text{in}}$ |
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np

from vgdocs._validate import Real, positive_int, real
from vgdocs.deep_stacks import DenseGradients, DenseStackForward, dense_backward, dense_forward

__all__ = [
    "SAMPLERS",
    "backprop_gradients",
    "backward_gain",
    "forward_gain",
    "glorot_uniform",
    "glorot_uniform_limit",
    "glorot_variance",
    "he_normal",
    "he_variance",
    "layer_mean_square",
    "layer_std",
    "layer_variance",
    "lecun_normal",
    "lecun_variance",
    "linear_variance_ratio",
    "relu_second_moment_ratio",
    "relu_signal_profile",
    "sampler",
    "scaled_normal",
    "sigmoid_uniform",
    "standard_uniform",
    "standard_uniform_limit",
    "standard_uniform_variance",
    "tanh_activation_stds",
    "tanh_backprop",
    "uniform_variance",
]


# ---------------------------------------------------------------------------- input checks


def _fans(fan_in: object, fan_out: object) -> tuple[int, int]:
    return positive_int("fan_in", fan_in), positive_int("fan_out", fan_out)


def _rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (numpy.random.default_rng(seed)), "
                         f"got {type(rng).__name__}")
    return rng


def _positive(name: str, value: object) -> float:
    out = real(name, value)
    if isinstance(out, np.ndarray) or out <= 0.0:
        raise ValueError(f"{name} must be a single number > 0, got {value!r}")
    return out


# ---------------------------------------------------------------------------- closed-form variances


def uniform_variance(limit: Real) -> Real:
    r"""Variance of the uniform distribution on $[-\ell, \ell]$, $\operatorname{Var} = \ell^2 / 3$."""
    limit = real("limit", limit)
    if np.any(np.asarray(limit) < 0):
        raise ValueError(f"limit must be >= 0, got {limit!r}")
    return limit**2 / 3.0


def standard_uniform_limit(fan_in: int) -> float:
    r"""Half-width of the "standard" uniform initialisation, $\ell = 1/\sqrt{n_{\text{in}}}$."""
    return 1.0 / math.sqrt(positive_int("fan_in", fan_in))


def standard_uniform_variance(fan_in: int) -> float:
    r"""Weight variance of the standard uniform initialisation, $\operatorname{Var} W = \dfrac{1}{3 n_{\text{in}}}$."""
    return 1.0 / (3.0 * positive_int("fan_in", fan_in))


def lecun_variance(fan_in: int) -> float:
    r"""Weight variance of LeCun's initialisation, $\operatorname{Var} W = 1 / n_{\text{in}}$."""
    return 1.0 / positive_int("fan_in", fan_in)


def glorot_variance(fan_in: int, fan_out: int) -> float:
    r"""Weight variance of Glorot/Xavier initialisation, $\operatorname{Var} W = 2/(n_{\text{in}} + n_{\text{out}})$."""
    fan_in, fan_out = _fans(fan_in, fan_out)
    return 2.0 / (fan_in + fan_out)


def glorot_uniform_limit(fan_in: int, fan_out: int) -> float:
    r"""Half-width of Glorot's uniform initialisation, $\ell = \sqrt{6 / (n_{\text{in}} + n_{\text{out}})}$."""
    fan_in, fan_out = _fans(fan_in, fan_out)
    return math.sqrt(6.0 / (fan_in + fan_out))


def he_variance(fan_in: int) -> float:
    r"""Weight variance of He initialisation, $\operatorname{Var} W = 2 / n_{\text{in}}$."""
    return 2.0 / positive_int("fan_in", fan_in)


def forward_gain(variance: float, fan_in: int) -> float:
    r"""Factor by which a linear layer scales the variance of its input, $n_{\text{in}} \operatorname{Var} W$."""
    variance = real("variance", variance)
    if isinstance(variance, np.ndarray) or variance < 0:
        raise ValueError(f"variance must be a single number >= 0, got {variance!r}")
    return positive_int("fan_in", fan_in) * variance


def backward_gain(variance: float, fan_out: int) -> float:
    r"""Factor by which a linear layer scales the variance of the gradient it passes down.

    $$ \frac{\operatorname{Var}(\partial L / \partial h_{\text{in}})}{\operatorname{Var}(\partial L / \partial a)}
       = n_{\text{out}} \operatorname{Var} W $$
    """
    variance = real("variance", variance)
    if isinstance(variance, np.ndarray) or variance < 0:
        raise ValueError(f"variance must be a single number >= 0, got {variance!r}")
    return positive_int("fan_out", fan_out) * variance


def linear_variance_ratio(gain: float, depth: int) -> float:
    r"""Variance after $L$ layers in the linear regime, relative to the start: $(n \operatorname{Var} W)^{L}$."""
    gain = real("gain", gain)
    if isinstance(gain, np.ndarray) or gain < 0:
        raise ValueError(f"gain must be a single number >= 0, got {gain!r}")
    return gain ** positive_int("depth", depth, minimum=0)


def relu_second_moment_ratio(gain: float, depth: int) -> float:
    r"""Mean square of a ReLU stack's output relative to its input.

    $$ \frac{E[h_L^2]}{E[x^2]} = \Bigl(\frac{n \operatorname{Var} W}{2}\Bigr)^{L} $$

    A zero-mean symmetric weight makes each pre-activation symmetric, so ReLU keeps half its
    second moment: $E[h_k^2] = \tfrac12 E[a_k^2] = \tfrac12\, n \operatorname{Var} W\, E[h_{k-1}^2]$.
    """
    gain = real("gain", gain)
    if isinstance(gain, np.ndarray) or gain < 0:
        raise ValueError(f"gain must be a single number >= 0, got {gain!r}")
    return (gain / 2.0) ** positive_int("depth", depth, minimum=0)


# ---------------------------------------------------------------------------- samplers


def standard_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""The "standard" initialisation $W_{ij} \sim U[-1/\sqrt{n_{\text{in}}}, 1/\sqrt{n_{\text{in}}}]$.

    Shape (fan_out, fan_in); variance $1/(3 n_{\text{in}})$.
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    limit = standard_uniform_limit(fan_in)
    return _rng(rng).uniform(-limit, limit, size=(fan_out, fan_in))


def lecun_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""LeCun initialisation $W_{ij} \sim \mathcal N(0, 1/n_{\text{in}})$, shape (fan_out, fan_in)."""
    fan_in, fan_out = _fans(fan_in, fan_out)
    return _rng(rng).normal(0.0, math.sqrt(lecun_variance(fan_in)), size=(fan_out, fan_in))


def glorot_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""Glorot/Xavier initialisation $W_{ij} \sim U[\pm\sqrt{6/(n_{\text{in}} + n_{\text{out}})}]$.

    Shape (fan_out, fan_in); its variance is $\ell^2/3 = 2/(n_{\text{in}} + n_{\text{out}})$.
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    limit = glorot_uniform_limit(fan_in, fan_out)
    return _rng(rng).uniform(-limit, limit, size=(fan_out, fan_in))


def sigmoid_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""Glorot's range widened four times for sigmoid units, $U[\pm 4\sqrt{6/(n_{\text{in}} + n_{\text{out}})}]$.

    The LISA lab's Deep Learning Tutorials recommend it for sigmoid layers, reasoning from
    $\sigma'(0) = \tfrac14$ against $\tanh'(0) = 1$; Glorot and Bengio's paper does not. The
    draws are those of :func:`glorot_uniform` with the same generator, times four; the variance
    is $32/(n_{\text{in}} + n_{\text{out}})$.
    """
    return 4.0 * glorot_uniform(fan_in, fan_out, rng)


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""He initialisation $W_{ij} \sim \mathcal N(0, 2/n_{\text{in}})$, shape (fan_out, fan_in)."""
    fan_in, fan_out = _fans(fan_in, fan_out)
    return _rng(rng).normal(0.0, math.sqrt(he_variance(fan_in)), size=(fan_out, fan_in))


def scaled_normal(fan_in: int, fan_out: int, rng: np.random.Generator, scale: float) -> np.ndarray:
    r"""Fixed-scale initialisation $W_{ij} = s\,\varepsilon_{ij}$, $\varepsilon_{ij} \sim \mathcal N(0, 1)$, $s > 0$."""
    fan_in, fan_out = _fans(fan_in, fan_out)
    scale = _positive("scale", scale)
    return scale * _rng(rng).standard_normal((fan_out, fan_in))


SAMPLERS: dict[str, Callable[[int, int, np.random.Generator], np.ndarray]] = {
    "standard_uniform": standard_uniform,
    "lecun_normal": lecun_normal,
    "glorot_uniform": glorot_uniform,
    "sigmoid_uniform": sigmoid_uniform,
    "he_normal": he_normal,
}
"""The width-aware samplers by name."""


def sampler(name: str) -> Callable[[int, int, np.random.Generator], np.ndarray]:
    """The sampler called ``name``: one of the keys of :data:`SAMPLERS`."""
    if not isinstance(name, str) or name not in SAMPLERS:
        raise ValueError(f"name must be one of {sorted(SAMPLERS)}, got {name!r}")
    return SAMPLERS[name]


# ---------------------------------------------------------------------------- per-layer statistics


def _layers(name: str, arrays: object) -> list[np.ndarray]:
    if not isinstance(arrays, list | tuple) or len(arrays) == 0:
        raise ValueError(f"{name} must be a non-empty list of arrays, one per layer")
    out = []
    for i, a in enumerate(arrays):
        a = real(f"{name}[{i}]", a)
        if not isinstance(a, np.ndarray) or a.size == 0:
            raise ValueError(f"{name}[{i}] must be a non-empty array")
        out.append(a)
    return out


def layer_std(arrays: list[np.ndarray]) -> np.ndarray:
    r"""Standard deviation of each layer's values over all units and examples, $\operatorname{std}(H_k)$."""
    return np.array([np.std(a) for a in _layers("arrays", arrays)])


def layer_variance(arrays: list[np.ndarray]) -> np.ndarray:
    r"""Variance of each layer's values over all units and examples, $\operatorname{Var}(H_k)$."""
    return np.array([np.var(a) for a in _layers("arrays", arrays)])


def layer_mean_square(arrays: list[np.ndarray]) -> np.ndarray:
    r"""Mean square of each layer's values, $E[H_k^2]$ over all units and examples."""
    return np.array([np.mean(a * a) for a in _layers("arrays", arrays)])


# ---------------------------------------------------------------------------- experiments


def _experiment_args(depth: object, width: object, batch: object, seed: object) -> tuple[int, int, int, int]:
    return (positive_int("depth", depth, maximum=200), positive_int("width", width, maximum=2000),
            positive_int("batch", batch, maximum=10_000), positive_int("seed", seed, minimum=0))


def tanh_activation_stds(scale: float, depth: int = 10, width: int = 500, batch: int = 500,
                         seed: int = 0) -> np.ndarray:
    r"""$\operatorname{std}(H_k)$, $k = 1, \dots, L$, of a tanh stack with weights $s\,\mathcal N(0, 1)$, zero biases.

    Inputs $X \sim \mathcal N(0, 1)$ of shape (batch, width); every draw from ``default_rng(seed)``.
    """
    scale = _positive("scale", scale)
    depth, width, batch, seed = _experiment_args(depth, width, batch, seed)
    rng = np.random.default_rng(seed)
    weights = [scaled_normal(width, width, rng, scale) for _ in range(depth)]
    x = rng.standard_normal((batch, width))
    fwd = dense_forward(x, weights, [np.zeros(width)] * depth, "tanh")
    return layer_std(list(fwd.outputs[1:]))


def tanh_backprop(scale: float, depth: int = 10, width: int = 500, batch: int = 500,
                  seed: int = 0) -> tuple[DenseStackForward, DenseGradients]:
    r"""Forward and backward pass of the tanh stack of :func:`tanh_activation_stds`.

    The same draws (weights $s\,\mathcal N(0, 1)$, then the inputs), then a gradient
    $\partial L / \partial H_L \sim \mathcal N(0, 1)$ injected at the top: the gradient of
    $L = \sum c \odot H_L$ for a random $c$.
    """
    scale = _positive("scale", scale)
    depth, width, batch, seed = _experiment_args(depth, width, batch, seed)
    rng = np.random.default_rng(seed)
    weights = [scaled_normal(width, width, rng, scale) for _ in range(depth)]
    x = rng.standard_normal((batch, width))
    fwd = dense_forward(x, weights, [np.zeros(width)] * depth, "tanh")
    return fwd, dense_backward(fwd, weights, rng.standard_normal((batch, width)))


def relu_signal_profile(init: str, depth: int = 30, width: int = 500, batch: int = 200,
                        seed: int = 0) -> np.ndarray:
    r"""$E[H_k^2] / E[X^2]$, $k = 1, \dots, L$, of a ReLU stack initialised with ``init``, zero biases.

    Inputs $X \sim \mathcal N(0, 1)$; every draw from ``default_rng(seed)``.
    """
    draw = sampler(init)
    depth, width, batch, seed = _experiment_args(depth, width, batch, seed)
    rng = np.random.default_rng(seed)
    weights = [draw(width, width, rng) for _ in range(depth)]
    x = rng.standard_normal((batch, width))
    fwd = dense_forward(x, weights, [np.zeros(width)] * depth, "relu")
    ms = layer_mean_square(list(fwd.outputs))
    return ms[1:] / ms[0]


def backprop_gradients(init: str, activation: str, depth: int = 5, width: int = 500, batch: int = 200,
                       seed: int = 0) -> tuple[np.ndarray, ...]:
    r"""The back-propagated gradients $\partial L / \partial H_{k-1}$ arriving at the input of each layer $k$.

    A stack of ``depth`` layers initialised with ``init``, inputs $X \sim \mathcal N(0, 1)$, and a
    gradient $\partial L / \partial H_L \sim \mathcal N(0, 1)$ injected at the top (the gradient of
    $L = \sum c \odot H_L$ for a random $c$). Entry $k - 1$ of the result belongs to layer $k$.
    """
    draw = sampler(init)
    depth, width, batch, seed = _experiment_args(depth, width, batch, seed)
    rng = np.random.default_rng(seed)
    weights = [draw(width, width, rng) for _ in range(depth)]
    x = rng.standard_normal((batch, width))
    fwd = dense_forward(x, weights, [np.zeros(width)] * depth, activation)
    top = rng.standard_normal((batch, width))
    return dense_backward(fwd, weights, top).inputs


# ---------------------------------------------------------------------------- what the page shows

from vgdocs.registry import figure, number  # noqa: E402

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
