# Rectifiers: ReLU's 0/1 derivative, dead units under a negative bias shift, and leaky ReLU.
r"""ReLU, dead units and leaky ReLU.

A ReLU unit's derivative is $1$ where its pre-activation is positive and $0$ elsewhere. A unit
whose pre-activation is $\le 0$ for every input of a batch is *dead* on that batch: it passes
no gradient back and its own weights receive none. With Gaussian pre-activations of mean
$\mu_j$ and standard deviation $\sigma_j$, and $n$ independent inputs,

$$ P(\text{unit } j \text{ dead}) = \Phi(-\mu_j/\sigma_j)^{\,n} . $$

Leaky ReLU keeps a slope $\alpha > 0$ on the negative side, so the gradient never becomes
exactly zero. The stack experiments use a linear read-out loss
$L = \tfrac1n \sum_i r^\top h_L^{(i)}$, whose gradient does not depend on the forward pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from vgdocs._validate import Real, positive_int, real
from vgdocs.activations import leaky_relu, leaky_relu_prime, relu, relu_prime

__all__ = [
    "RectifierStack",
    "bias_for_shift",
    "born_dead_fractions",
    "dead_fraction",
    "dead_probability",
    "expected_dead_fraction",
    "first_layer_gradient_sweep",
    "first_layer_gradients",
    "he_std",
    "leaky_negative_layers_for_drop",
    "measured_dead_fraction",
    "normal_cdf",
    "readout_loss",
    "readout_loss_grad",
    "rectifier",
    "rectifier_prime",
    "rectifier_stack_backward",
    "rectifier_stack_forward",
    "shift_for_dead_fraction",
]


# ---------------------------------------------------------------------------------- checks


def _slope(slope: object) -> float:
    s = real("slope", slope)
    if isinstance(s, np.ndarray) or not 0.0 <= s < 1.0:
        raise ValueError(f"slope must be a single number in [0, 1), got {slope!r}")
    return s


def _scalar(name: str, value: object) -> float:
    v = real(name, value)
    if isinstance(v, np.ndarray):
        raise ValueError(f"{name} must be a single number, got an array of shape {v.shape}")
    return v


def _matrix(name: str, value: object) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{name} must be a 2-D numpy array, got {type(value).__name__}")
    out = real(name, value)
    if out.ndim != 2 or out.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {out.shape}")
    return out


def _probability(name: str, value: object, *, open_left: bool = True) -> float:
    p = _scalar(name, value)
    if not (0.0 < p < 1.0 if open_left else 0.0 <= p < 1.0):
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    return p


# ---------------------------------------------------------------------------- activation


def rectifier(z: Real, slope: float = 0.0) -> Real:
    r"""ReLU ($\alpha = 0$) or leaky ReLU ($0 < \alpha < 1$): $\max(z, \alpha z)$.

    Dispatches to :func:`vgdocs.activations.relu` and :func:`vgdocs.activations.leaky_relu`.
    """
    slope = _slope(slope)
    return relu(z) if slope == 0.0 else leaky_relu(z, slope)


def rectifier_prime(z: Real, slope: float = 0.0) -> Real:
    r"""Derivative of :func:`rectifier`: $1$ for $z > 0$, $\alpha$ for $z \le 0$."""
    slope = _slope(slope)
    return relu_prime(z) if slope == 0.0 else leaky_relu_prime(z, slope)


def he_std(fan_in: int, slope: float = 0.0) -> float:
    r"""He et al.'s initial weight scale for (leaky) ReLU, $\sqrt{2 / ((1 + \alpha^2)\, n_{\text{in}})}$.

    With it, the mean squared pre-activation is the same in every layer at initialisation.
    """
    fan_in = positive_int("fan_in", fan_in)
    slope = _slope(slope)
    return math.sqrt(2.0 / ((1.0 + slope * slope) * fan_in))


# ------------------------------------------------------------------------ dead-unit theory


def normal_cdf(x: Real) -> Real:
    r"""Standard normal distribution function $\Phi(x) = \tfrac12 \operatorname{erfc}(-x/\sqrt2)$.

    Evaluated with ``math.erfc`` element by element (exact to double precision in both tails);
    the arrays it is used on are short grids of shifts, not layers of units.
    """
    x = real("x", x)
    if isinstance(x, np.ndarray):
        erfc = np.vectorize(math.erfc, otypes=[np.float64])
        return 0.5 * erfc(-x / math.sqrt(2.0))
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def dead_probability(mu: Real, sigma: Real, n: int) -> Real:
    r"""Probability that a unit with Gaussian pre-activation is $\le 0$ on all of $n$ inputs.

    $$ P(\text{dead}) = P(z_1 \le 0, \dots, z_n \le 0) = \Phi\!\left(-\frac{\mu}{\sigma}\right)^{n},
       \qquad z_i \sim \mathcal N(\mu, \sigma^2) \text{ independent.} $$
    """
    mu, sigma = real("mu", mu), real("sigma", sigma)
    n = positive_int("n", n)
    if np.any(np.asarray(sigma) <= 0):
        raise ValueError("sigma must be > 0 everywhere")
    return normal_cdf(-mu / sigma) ** n


def expected_dead_fraction(shift: Real, n: int) -> Real:
    r"""Expected fraction of dead units when every bias is shifted to $\mu_j = -s\,\sigma_j$.

    $$ \mathbb E[\text{dead fraction}] = \Phi(s)^{n} , $$

    the same for every unit, so it is also the expected fraction of a layer.
    """
    return dead_probability(-real("shift", shift), 1.0, n)


def shift_for_dead_fraction(fraction: float, n: int) -> float:
    r"""The bias shift $s$ (in standard deviations) at which a fraction $p$ of units is dead.

    $$ \Phi(s)^{n} = p \iff s = \Phi^{-1}\!\bigl(p^{1/n}\bigr) . $$
    """
    p = _probability("fraction", fraction)
    n = positive_int("n", n)
    return NormalDist().inv_cdf(p ** (1.0 / n))


def bias_for_shift(weights: np.ndarray, shift: float) -> np.ndarray:
    r"""Biases $b_j = -s\,\lVert w_j \rVert$ that shift each unit down by $s$ standard deviations.

    For standard-normal inputs $x$, unit $j$'s pre-activation $w_j^\top x$ has standard
    deviation $\lVert w_j\rVert$ exactly, so $z_j = w_j^\top x + b_j \sim \mathcal N(-s\lVert w_j
    \rVert, \lVert w_j\rVert^2)$. ``weights`` has one row per unit.
    """
    w = _matrix("weights", weights)
    s = _scalar("shift", shift)
    return -s * np.linalg.norm(w, axis=1)


def dead_fraction(z: np.ndarray) -> float:
    r"""Fraction of units (columns of $z$) whose pre-activation is $\le 0$ for every input (row).

    $$ \text{dead fraction} = \frac1m \sum_{j=1}^{m} \mathbb 1\Bigl[\max_{i} z_{ij} \le 0\Bigr] . $$
    """
    z = _matrix("z", z)
    return float(np.mean(np.all(z <= 0.0, axis=0)))


def measured_dead_fraction(shifts: Real, n: int, width: int = 1000, fan_in: int = 50,
                           seed: int = 0) -> Real:
    r"""Dead fraction of one layer, measured on a batch of $n$ standard-normal inputs.

    Weights are He-initialised, biases are :func:`bias_for_shift`; a unit is dead at shift $s$
    exactly when $\max_i w_j^\top x_i \le s \lVert w_j\rVert$, so one matrix product serves
    every shift.
    """
    s = real("shifts", shifts)
    n = positive_int("n", n)
    width = positive_int("width", width)
    fan_in = positive_int("fan_in", fan_in)
    seed = positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, fan_in))
    w = rng.standard_normal((width, fan_in)) * he_std(fan_in)
    top = (x @ w.T).max(axis=0) / np.linalg.norm(w, axis=1)  # per unit, in its own std units
    out = np.mean(top[None, :] <= np.atleast_1d(s)[:, None], axis=1)
    return float(out[0]) if isinstance(s, float) else out.reshape(np.shape(s))


def leaky_negative_layers_for_drop(drop: float, slope: float) -> int:
    r"""Fewest fully negative leaky layers that shrink the gradient by the factor ``drop``.

    On the negative side a He-initialised leaky layer scales the gradient norm by about
    $g = \alpha \sqrt{2/(1+\alpha^2)}$ (the derivative $\alpha$ times the weight gain), so
    $k$ such layers give $g^k$; the answer is $\lceil \ln(\text{drop}) / \ln g \rceil$.
    """
    d = _probability("drop", drop)
    a = _slope(slope)
    if a == 0.0:
        raise ValueError("slope must be > 0: with slope 0 one negative layer already gives 0")
    g = a * math.sqrt(2.0 / (1.0 + a * a))
    return math.ceil(math.log(d) / math.log(g) - 1e-12)


# ---------------------------------------------------------------------------- the stack


def readout_loss(h: np.ndarray, r: np.ndarray) -> float:
    r"""Linear read-out loss over a batch, $L = \tfrac1n \sum_{i=1}^{n} r^\top h^{(i)}$."""
    h = _matrix("h", h)
    r = real("r", r)
    if not isinstance(r, np.ndarray) or r.shape != (h.shape[1],):
        raise ValueError(f"r must be a vector of length {h.shape[1]} (the width of h)")
    return float(np.mean(h @ r))


def readout_loss_grad(h: np.ndarray, r: np.ndarray) -> np.ndarray:
    r"""Gradient of :func:`readout_loss`: $\partial L / \partial h^{(i)} = r / n$ for every input."""
    h = _matrix("h", h)
    r = real("r", r)
    if not isinstance(r, np.ndarray) or r.shape != (h.shape[1],):
        raise ValueError(f"r must be a vector of length {h.shape[1]} (the width of h)")
    return np.tile(r / h.shape[0], (h.shape[0], 1))


@dataclass(frozen=True)
class RectifierStack:
    r"""Every intermediate of $z_k = h_{k-1} W_k^\top + b_k$, $h_k = \max(z_k, \alpha z_k)$."""

    z: list[np.ndarray]
    h: list[np.ndarray]


def _check_stack(x: object, weights: object, biases: object) -> tuple[np.ndarray, list, list]:
    x = _matrix("x", x)
    if not isinstance(weights, list | tuple) or not weights:
        raise ValueError("weights must be a non-empty list of 2-D arrays")
    if not isinstance(biases, list | tuple) or len(biases) != len(weights):
        raise ValueError("biases must be a list with one vector per weight matrix")
    ws = [_matrix(f"weights[{k}]", w) for k, w in enumerate(weights)]
    bs = [real(f"biases[{k}]", b) for k, b in enumerate(biases)]
    width = x.shape[1]
    for k, (w, b) in enumerate(zip(ws, bs, strict=True)):
        if w.shape[1] != width:
            raise ValueError(f"weights[{k}] must have {width} columns, got shape {w.shape}")
        if not isinstance(b, np.ndarray) or b.shape != (w.shape[0],):
            raise ValueError(f"biases[{k}] must be a vector of length {w.shape[0]}")
        width = w.shape[0]
    return x, ws, bs


def rectifier_stack_forward(x: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray],
                            slope: float = 0.0) -> RectifierStack:
    r"""Forward pass of a (leaky) ReLU stack, one row of ``x`` per input.

    $$ z_k = h_{k-1} W_k^\top + b_k, \qquad h_k = \max(z_k, \alpha z_k), \qquad h_0 = x . $$
    """
    x, ws, bs = _check_stack(x, weights, biases)
    slope = _slope(slope)
    zs, hs = [], [x]
    for w, b in zip(ws, bs, strict=True):
        zs.append(hs[-1] @ w.T + b)
        hs.append(rectifier(zs[-1], slope))
    return RectifierStack(z=zs, h=hs)


def rectifier_stack_backward(x: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray],
                             grad_out: np.ndarray, slope: float = 0.0
                             ) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    r"""Hand-written backward pass: $(\partial L/\partial W_k,\ \partial L/\partial b_k,\ \partial L/\partial x)$.

    With $\delta_k = \partial L/\partial z_k = (\partial L/\partial h_k) \odot \phi'(z_k)$,

    $$ \frac{\partial L}{\partial W_k} = \delta_k^\top h_{k-1}, \qquad
       \frac{\partial L}{\partial b_k} = \mathbf 1^\top \delta_k, \qquad
       \frac{\partial L}{\partial h_{k-1}} = \delta_k W_k . $$
    """
    fp = rectifier_stack_forward(x, weights, biases, slope)
    g = real("grad_out", grad_out)
    if not isinstance(g, np.ndarray) or g.shape != fp.h[-1].shape:
        raise ValueError(f"grad_out must be an array of shape {fp.h[-1].shape}")
    slope = _slope(slope)
    gw: list[np.ndarray] = [np.empty(0)] * len(fp.z)
    gb: list[np.ndarray] = [np.empty(0)] * len(fp.z)
    for k in range(len(fp.z) - 1, -1, -1):
        delta = g * rectifier_prime(fp.z[k], slope)
        gw[k] = delta.T @ fp.h[k]
        gb[k] = delta.sum(axis=0)
        g = delta @ weights[k]
    return gw, gb, g


def first_layer_gradients(shift: float, slope: float = 0.0, depth: int = 10, width: int = 100,
                          batch: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient reaching the first layer's weights, and which first-layer units are dead.

    A He-initialised stack of ``depth`` square layers (scale :func:`he_std` for the slope;
    the same random draws for every slope) gets standard-normal inputs; only the first
    layer's biases are shifted, by :func:`bias_for_shift`. Returns
    $\partial L/\partial W_1$ (one row per unit) and the boolean dead mask of layer 1.
    """
    shift = _scalar("shift", shift)
    grads, dead = first_layer_gradient_sweep(np.array([shift]), slope, depth, width, batch, seed)
    return grads[0], dead[0]


def first_layer_gradient_sweep(shifts: np.ndarray, slope: float = 0.0, depth: int = 10, width: int = 100,
                               batch: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r""":func:`first_layer_gradients` for many shifts at once: arrays with one leading entry per shift.

    The batches of all shifts pass through the upper layers as one large batch; the loss is the
    sum of the per-shift read-out losses, so each shift's gradient is the one it would get alone.
    """
    s = real("shifts", shifts)
    if not isinstance(s, np.ndarray) or s.ndim != 1 or s.size == 0:
        raise ValueError("shifts must be a non-empty 1-D numpy array")
    depth = positive_int("depth", depth)
    width = positive_int("width", width)
    batch = positive_int("batch", batch)
    seed = positive_int("seed", seed, minimum=0)
    slope = _slope(slope)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, width))
    scale = he_std(width, slope)
    weights = [rng.standard_normal((width, width)) * scale for _ in range(depth)]
    r = rng.standard_normal(width) / math.sqrt(width)
    biases = np.stack([bias_for_shift(weights[0], float(v)) for v in s])  # (shifts, width)
    z1 = (x @ weights[0].T)[None, :, :] + biases[:, None, :]  # (shifts, batch, width)
    flat = z1.reshape(-1, width)
    # The read-out gradient r/n does not depend on the forward pass.
    g = np.tile(r / batch, (flat.shape[0], 1))
    if depth > 1:
        upper = [np.zeros(width) for _ in range(depth - 1)]
        _, _, g = rectifier_stack_backward(rectifier(flat, slope), weights[1:], upper, g, slope)
    delta = (g * rectifier_prime(flat, slope)).reshape(z1.shape)
    grads = np.einsum("sni,nj->sij", delta, x)
    return grads, np.all(z1 <= 0.0, axis=1)


def _unit_rms(grad_rows: np.ndarray) -> float:
    """Root mean square over units of the norm of each unit's weight-gradient row."""
    if grad_rows.shape[0] == 0:
        return math.nan
    return float(np.sqrt(np.mean(np.sum(grad_rows**2, axis=1))))


def born_dead_fractions(depth: int = 20, width: int = 100, batch: int = 64,
                        seed: int = 0) -> np.ndarray:
    r"""Dead fraction of every layer of an unshifted He-initialised ReLU stack (zero biases).

    Deep layers see increasingly similar inputs, so units die on the batch even though no
    bias was shifted: the effect Lu et al. (2020) prove happens with probability tending to one
    as the depth grows.
    """
    depth = positive_int("depth", depth)
    width = positive_int("width", width)
    batch = positive_int("batch", batch)
    seed = positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, width))
    weights = [rng.standard_normal((width, width)) * he_std(width) for _ in range(depth)]
    fp = rectifier_stack_forward(x, weights, [np.zeros(width) for _ in range(depth)])
    return np.array([dead_fraction(z) for z in fp.z])
