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
| orthogonal | $g\,Q$, $Q$ Haar, orthonormal rows or columns | $g^2/\max(n_{\text{in}}, n_{\text{out}})$ |
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from vgdocs._validate import Real, positive_int, real
from vgdocs.deep_stacks import (
    DenseGradients,
    DenseStackForward,
    activation_functions,
    dense_backward,
    dense_forward,
    layer_gradient_norms,
    mean_squared_error_grad,
)

__all__ = [
    "PAIRED_INIT",
    "SAMPLERS",
    "backprop_gradients",
    "backward_gain",
    "forward_gain",
    "glorot_uniform",
    "glorot_uniform_limit",
    "glorot_variance",
    "gradient_norm_profile",
    "he_normal",
    "he_variance",
    "layer_mean_square",
    "layer_std",
    "layer_variance",
    "lecun_normal",
    "lecun_variance",
    "linear_variance_ratio",
    "orthogonal",
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

    The LISA lab's Deep Learning Tutorials recommend it for sigmoid layers and credit the factor
    to results of Glorot and Bengio (2010), a paper that tests no sigmoid network at this scale;
    $\sigma'(0) = \tfrac14$ against $\tanh'(0) = 1$ is one way to read it. The
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


def orthogonal(fan_in: int, fan_out: int, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    r"""Orthogonal initialisation $W = g\,Q$, $Q$ Haar-distributed: $Q Q^\top = I$ or $Q^\top Q = I$.

    Shape (fan_out, fan_in): orthonormal rows if ``fan_out <= fan_in``, orthonormal columns
    otherwise; every singular value is $g$. $Q$ is the factor of the QR decomposition $A = QR$
    of a standard Gaussian matrix, with its columns' signs fixed so that $R$ has a positive
    diagonal, $Q \leftarrow Q \operatorname{diag}(\operatorname{sign} R_{ii})$ (Mezzadri, 2007). The raw $Q$ of
    LAPACK's Householder QR is not Haar-distributed: for square matrices its determinant is
    always $(-1)^{n-1}$ and its diagonal is biased. Saxe, McClelland and Ganguli (2014) proposed
    random orthogonal weights for deep networks.
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    gain = _positive("gain", gain)
    big, small = max(fan_in, fan_out), min(fan_in, fan_out)
    Q, R = np.linalg.qr(_rng(rng).standard_normal((big, small)))
    signs = np.sign(np.diag(R))
    Q = Q * np.where(signs == 0.0, 1.0, signs)
    return gain * (Q if fan_out >= fan_in else Q.T)


SAMPLERS: dict[str, Callable[[int, int, np.random.Generator], np.ndarray]] = {
    "standard_uniform": standard_uniform,
    "lecun_normal": lecun_normal,
    "glorot_uniform": glorot_uniform,
    "sigmoid_uniform": sigmoid_uniform,
    "he_normal": he_normal,
    "orthogonal": orthogonal,
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


# ---------------------------------------------------------------------------- a deep stack at initialisation

PAIRED_INIT = {"sigmoid": "glorot_uniform", "tanh": "glorot_uniform", "relu": "he_normal", "linear": "lecun_normal"}
"""The initialisation the experiment pairs with each activation (see the initialisation page)."""


def gradient_norm_profile(activation: str, depth: int = 50, width: int = 128, batch: int = 64, seed: int = 0,
                          init: str | None = None) -> np.ndarray:
    r"""$\lVert \partial L / \partial W_k \rVert_F$ for $k = 1, \dots, L$ in a freshly initialised stack.

    ``depth`` layers of ``width`` units, biases zero, weights from ``init`` (default: Glorot
    uniform for sigmoid and tanh, He normal for ReLU); a batch $X \sim \mathcal N(0, 1)$, targets
    $Y \sim \mathcal N(0, 1)$ and the loss of :func:`mean_squared_error`. All draws come from
    ``numpy.random.default_rng(seed)``.
    """
    activation_functions(activation)
    depth = positive_int("depth", depth, maximum=1000)
    width = positive_int("width", width, maximum=4096)
    batch = positive_int("batch", batch, maximum=100_000)
    seed = positive_int("seed", seed, minimum=0)
    init = PAIRED_INIT[activation] if init is None else init
    if init not in SAMPLERS:
        raise ValueError(f"init must be one of {sorted(SAMPLERS)}, got {init!r}")
    rng = np.random.default_rng(seed)
    draw = sampler(init)
    weights = [draw(width, width, rng) for _ in range(depth)]
    biases = [np.zeros(width) for _ in range(depth)]
    x = rng.standard_normal((batch, width))
    y = rng.standard_normal((batch, width))
    fwd = dense_forward(x, weights, biases, activation)
    grads = dense_backward(fwd, weights, mean_squared_error_grad(fwd.outputs[-1], y))
    return layer_gradient_norms(grads)


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
