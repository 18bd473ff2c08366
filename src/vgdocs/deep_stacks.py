# A dense stack with a hand-written backward pass, and the one-unit bound on compensating weights.
r"""Gradients in a deep stack of fully connected layers.

A stack of $L$ dense layers maps a batch $H_0 = X$ (one row per example) through

$$ A_k = H_{k-1} W_k^\top + b_k, \qquad H_k = \phi(A_k), \qquad k = 1, \dots, L, $$

and the backward pass sends the gradient of the loss down the same chain, one factor
$W_k^\top \operatorname{diag}(\phi'(a_k))$ per layer. The second half of the module is the
one-unit analysis of Hochreiter (1991): how large a weight must be to undo the sigmoid's
factor $\sigma' \le \tfrac14$, and for how narrow a range of inputs it then succeeds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from vgdocs._validate import Real, checked, non_negative, positive_int, real
from vgdocs.activations import (
    SIGMOID_PRIME_MAX,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    tanh,
    tanh_prime,
)

__all__ = [
    "ACTIVATIONS",
    "DenseGradients",
    "DenseStackForward",
    "activation_functions",
    "compensation_interval",
    "compensation_width",
    "compensation_width_prime",
    "dense_backward",
    "dense_forward",
    "fixed_input_max_factor",
    "golden_section_maximise",
    "identity",
    "identity_prime",
    "layer_backward",
    "layer_forward",
    "layer_gradient_norms",
    "max_compensation_width",
    "mean_squared_error",
    "mean_squared_error_grad",
    "sigmoid_derivative_product_bound",
    "tanh_compensation_width",
    "unit_backward_factor",
    "weighted_slope_peak",
]


# ---------------------------------------------------------------------------- activations


def _z(z: object) -> tuple[Real]:
    return (real("z", z),)


@checked(_z)
def identity(z: Real) -> Real:
    r"""The linear activation $\phi(z) = z$."""
    return z


@checked(_z)
def identity_prime(z: Real) -> Real:
    r"""Derivative of the linear activation, $\phi'(z) = 1$."""
    return 1.0 if isinstance(z, float) else np.ones_like(z)


ACTIVATIONS: dict[str, tuple[Callable[[Real], Real], Callable[[Real], Real]]] = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "linear": (identity, identity_prime),
}
"""The activations a stack can use, by name: ``(phi, phi_prime)``."""


def activation_functions(name: str) -> tuple[Callable[[Real], Real], Callable[[Real], Real]]:
    r"""The pair $(\phi, \phi')$ for an activation named ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"linear"``."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


def _kernels(name: str) -> tuple[Callable[[Real], Real], Callable[[Real], Real]]:
    """The pair of :func:`activation_functions` without their input checks (inputs checked already)."""
    phi, phi_prime = ACTIVATIONS[name]
    return phi.unchecked, phi_prime.unchecked  # type: ignore[attr-defined]


def _transpose(a: np.ndarray) -> np.ndarray:
    """Swap the last two axes: ``W.T`` for one matrix, every matrix's transpose for a stack."""
    return a.swapaxes(-1, -2)


# ---------------------------------------------------------------------------- input checks


def _matrix(name: str, value: object) -> np.ndarray:
    out = real(name, value)
    if not isinstance(out, np.ndarray) or out.ndim != 2 or 0 in out.shape:
        shape = np.shape(out)
        raise ValueError(f"{name} must be a non-empty 2-D array (batch, units), got shape {shape}")
    return out


def _weights(weights: object, n_in: int) -> list[np.ndarray]:
    """Check that ``weights[k]`` is a 2-D array (n_k, n_{k-1}), starting from ``n_in`` columns."""
    if not isinstance(weights, list | tuple) or len(weights) == 0:
        raise ValueError("weights must be a non-empty list of 2-D arrays, one per layer")
    ws = []
    width = n_in
    for i, w in enumerate(weights):
        w = _matrix(f"weights[{i}]", w)
        if w.shape[1] != width:
            raise ValueError(f"weights[{i}] must have {width} columns (the width below it), got shape {w.shape}")
        ws.append(w)
        width = w.shape[0]
    return ws


def _biases(biases: object, ws: list[np.ndarray]) -> list[np.ndarray]:
    """Check that ``biases[k]`` is a 1-D array with one entry per row of ``ws[k]``."""
    if not isinstance(biases, list | tuple) or len(biases) != len(ws):
        raise ValueError(f"biases must be a list with one 1-D array per layer ({len(ws)} layers)")
    bs = []
    for i, (b, w) in enumerate(zip(biases, ws, strict=True)):
        b = real(f"biases[{i}]", b)
        if not isinstance(b, np.ndarray) or b.shape != (w.shape[0],):
            raise ValueError(f"biases[{i}] must be a 1-D array of length {w.shape[0]}, got shape {np.shape(b)}")
        bs.append(b)
    return bs


# ---------------------------------------------------------------------------- one layer


def _layer_inputs(h: object, W: object, b: object, activation: object) -> tuple[object, ...]:
    activation_functions(activation)  # type: ignore[arg-type]
    h = _matrix("h", h)
    (W,) = _weights([W], h.shape[1])
    (b,) = _biases([b], [W])
    return h, W, b, activation


@checked(_layer_inputs)
def layer_forward(h: Real, W: Real, b: Real, activation: str) -> tuple[np.ndarray, np.ndarray]:
    r"""One dense layer on a batch: $A = H W^\top + b$ and $H' = \phi(A)$; returns $(A, H')$.

    ``h`` is (batch, n_in), ``W`` is (n_out, n_in), ``b`` is (n_out,). Without its checks
    (``layer_forward.unchecked``) it also takes stacks of networks: leading axes on ``h``,
    ``W`` and ``b`` alike.
    """
    phi, _ = _kernels(activation)
    a = h @ _transpose(W) + b[..., None, :]
    return a, phi(a)


def _layer_backward_inputs(grad_h: object, a: object, W: object, activation: object) -> tuple[object, ...]:
    activation_functions(activation)  # type: ignore[arg-type]
    grad_h, a, W = _matrix("grad_h", grad_h), _matrix("a", a), _matrix("W", W)
    if grad_h.shape != a.shape:
        raise ValueError(f"grad_h and a must have the same shape, got {grad_h.shape} and {a.shape}")
    if W.shape[0] != a.shape[1]:
        raise ValueError(f"W must have {a.shape[1]} rows (one per unit of a), got {W.shape}")
    return grad_h, a, W, activation


@checked(_layer_backward_inputs)
def layer_backward(grad_h: Real, a: Real, W: Real, activation: str) -> tuple[np.ndarray, np.ndarray]:
    r"""One layer of the backward pass; returns $(\delta, g_{\text{in}})$.

    Given $g = \partial L / \partial H'$ at the layer's output and its pre-activations $A$,

    $$ \delta = \frac{\partial L}{\partial A} = g \odot \phi'(A), \qquad
       g_{\text{in}} = \frac{\partial L}{\partial H} = \delta\, W , $$

    which for one example is $g_{\text{in}} = W^\top \operatorname{diag}(\phi'(a))\, g$.
    """
    _, phi_prime = _kernels(activation)
    delta = grad_h * phi_prime(a)
    return delta, delta @ W


# ---------------------------------------------------------------------------- the stack


@dataclass(frozen=True)
class DenseStackForward:
    r"""Every intermediate of the forward pass: $H_0 = X, H_1, \dots, H_L$ and $A_1, \dots, A_L$."""

    activation: str
    outputs: tuple[np.ndarray, ...]
    """$H_0, \\dots, H_L$ (``outputs[0]`` is the input batch)."""
    pre_activations: tuple[np.ndarray, ...]
    """$A_1, \\dots, A_L$ (``pre_activations[k - 1]`` is $A_k$)."""


@dataclass(frozen=True)
class DenseGradients:
    r"""The gradients of the loss that the backward pass returns, layer by layer ($k = 1, \dots, L$)."""

    weights: tuple[np.ndarray, ...]
    r"""$\partial L / \partial W_k = \delta_k^\top H_{k-1}$."""
    biases: tuple[np.ndarray, ...]
    r"""$\partial L / \partial b_k = \sum_{\text{batch}} \delta_k$."""
    pre_activations: tuple[np.ndarray, ...]
    r"""$\delta_k = \partial L / \partial A_k$."""
    inputs: tuple[np.ndarray, ...]
    r"""$\partial L / \partial H_{k-1}$, the gradient arriving at the input of layer $k$."""


def _dense_inputs(x: object, weights: object, biases: object, activation: object) -> tuple[object, ...]:
    activation_functions(activation)  # type: ignore[arg-type]
    x = _matrix("x", x)
    ws = _weights(weights, x.shape[1])
    return x, ws, _biases(biases, ws), activation


@checked(_dense_inputs)
def dense_forward(x: Real, weights: Sequence[Real], biases: Sequence[Real], activation: str) -> DenseStackForward:
    r"""Forward pass of a dense stack, $H_k = \phi(H_{k-1} W_k^\top + b_k)$ for $k = 1, \dots, L$.

    ``x`` is (batch, n_0); ``weights[k - 1]`` is $W_k$, shape (n_k, n_{k-1}); ``biases[k - 1]`` is
    $b_k$, shape (n_k,). ``dense_forward.unchecked`` also runs a stack of networks at once:
    shapes (R, batch, n_0), (R, n_k, n_{k-1}) and (R, n_k).
    """
    phi, _ = _kernels(activation)
    hs, as_ = [x], []
    for W, b in zip(weights, biases, strict=True):
        a = hs[-1] @ _transpose(W) + b[..., None, :]
        as_.append(a)
        hs.append(phi(a))
    return DenseStackForward(activation, tuple(hs), tuple(as_))


def _dense_backward_inputs(forward: object, weights: object, grad_output: object) -> tuple[object, ...]:
    if not isinstance(forward, DenseStackForward):
        raise ValueError(f"forward must be the DenseStackForward of dense_forward, got {type(forward).__name__}")
    ws = _weights(weights, forward.outputs[0].shape[1])
    if len(ws) != len(forward.pre_activations):
        raise ValueError(f"weights must have one matrix per layer of forward ({len(forward.pre_activations)}), "
                         f"got {len(ws)}")
    g = _matrix("grad_output", grad_output)
    if g.shape != forward.outputs[-1].shape:
        raise ValueError(f"grad_output must have the shape of the stack's output {forward.outputs[-1].shape}, "
                         f"got {g.shape}")
    return forward, ws, g


@checked(_dense_backward_inputs)
def dense_backward(forward: DenseStackForward, weights: Sequence[Real], grad_output: Real) -> DenseGradients:
    r"""Backward pass of a dense stack, from $g_L = \partial L / \partial H_L$ down to the input.

    $$ \delta_k = g_k \odot \phi'(A_k), \qquad
       \frac{\partial L}{\partial W_k} = \delta_k^\top H_{k-1}, \qquad
       g_{k-1} = \delta_k W_k , $$

    so that, for one example, the gradient at layer $k$ is the product
    $W_{k+1}^\top \operatorname{diag}(\phi'(a_{k+1})) \cdots W_L^\top \operatorname{diag}(\phi'(a_L))\, g_L$.
    ``dense_backward.unchecked`` takes the stacks of ``dense_forward.unchecked``.
    """
    dW, db, deltas, g_in = [], [], [], []
    g = grad_output
    for k in range(len(weights) - 1, -1, -1):
        delta, g = layer_backward.unchecked(g, forward.pre_activations[k], weights[k], forward.activation)
        dW.append(_transpose(delta) @ forward.outputs[k])
        db.append(delta.sum(axis=-2))
        deltas.append(delta)
        g_in.append(g)
    return DenseGradients(tuple(dW[::-1]), tuple(db[::-1]), tuple(deltas[::-1]), tuple(g_in[::-1]))


def mean_squared_error(h: Real, y: Real) -> float:
    r"""Loss of a batch, $L = \dfrac{1}{2B} \sum_{i=1}^{B} \lVert h_i - y_i \rVert^2$."""
    h, y = _matrix("h", h), _matrix("y", y)
    if h.shape != y.shape:
        raise ValueError(f"h and y must have the same shape, got {h.shape} and {y.shape}")
    return float(0.5 * np.sum((h - y) ** 2) / h.shape[0])


def mean_squared_error_grad(h: Real, y: Real) -> np.ndarray:
    r"""Gradient of the batch loss with respect to the outputs, $\partial L / \partial h_i = (h_i - y_i) / B$."""
    h, y = _matrix("h", h), _matrix("y", y)
    if h.shape != y.shape:
        raise ValueError(f"h and y must have the same shape, got {h.shape} and {y.shape}")
    return (h - y) / h.shape[0]


def layer_gradient_norms(grads: DenseGradients) -> np.ndarray:
    r"""Frobenius norm of each layer's weight gradient, $\lVert \partial L / \partial W_k \rVert_F$ ($k = 1..L$)."""
    if not isinstance(grads, DenseGradients):
        raise ValueError(f"grads must be the DenseGradients of dense_backward, got {type(grads).__name__}")
    return np.array([np.linalg.norm(g) for g in grads.weights])


def sigmoid_derivative_product_bound(depth: int) -> float:
    r"""Upper bound on a product of $L$ sigmoid derivatives, $\prod_{k=1}^{L} \sigma'(z_k) \le (\tfrac14)^{L}$."""
    depth = positive_int("depth", depth, minimum=0)
    return SIGMOID_PRIME_MAX**depth


# ---------------------------------------------------------------------------- one unit: can weights compensate?


def unit_backward_factor(w: Real, a: Real, b: Real = 0.0) -> Real:
    r"""The factor one sigmoid unit puts on a gradient passing through it, $w\,\sigma'(w a + b)$."""
    w, a, b = real("w", w), real("a", a), real("b", b)
    return w * sigmoid_prime(w * a + b)


def _r(w: Real, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """|w| and sqrt(1 - threshold/|w|) where |w| >= threshold (0 elsewhere)."""
    aw = np.abs(np.asarray(w, dtype=np.float64))
    ok = aw >= threshold
    safe = np.where(ok, aw, threshold)
    return aw, np.where(ok, np.sqrt(1.0 - threshold / safe), 0.0)


def _like(w: Real, out: np.ndarray) -> Real:
    return float(out) if isinstance(w, float) else out


def compensation_interval(w: Real, b: Real = 0.0) -> tuple[Real, Real]:
    r"""The inputs $a$ for which $\lvert w\,\sigma'(w a + b)\rvert \ge 1$: the interval $[a_-, a_+]$.

    With $s = \sigma(z)$, $\sigma'(z) = s(1 - s) = 1/\lvert w\rvert$ has the roots
    $s_\pm = \tfrac12(1 \pm r)$, $r = \sqrt{1 - 4/\lvert w\rvert}$, so

    $$ z_\pm = \ln\frac{s_\pm}{1 - s_\pm} = \pm \ln\frac{1 + r}{1 - r}, \qquad
       a_\pm = \frac{z_\pm - b}{w} \ \text{(sorted)} . $$

    For $\lvert w\rvert < 4$ no input qualifies and both ends are NaN.
    """
    w, b = real("w", w), real("b", b)
    aw, r = _r(w, 4.0)
    wa = np.asarray(w, dtype=np.float64)
    # r < 1 for every finite w, so the logarithm is finite; NaN marks |w| < 4 (no such inputs).
    z = np.where(aw >= 4.0, np.log((1.0 + r) / (1.0 - r)), np.nan)
    with np.errstate(invalid="ignore"):
        ends = ((z - b) / np.where(aw >= 4.0, wa, np.nan), (-z - b) / np.where(aw >= 4.0, wa, np.nan))
    lo, hi = np.minimum(*ends), np.maximum(*ends)
    scalar = isinstance(w, float) and isinstance(b, float)
    return (float(lo), float(hi)) if scalar else (lo, hi)


def compensation_width(w: Real) -> Real:
    r"""Width of the set of inputs $a$ with $\lvert w\,\sigma'(w a + b)\rvert \ge 1$ (any bias $b$).

    $$ \Delta a(w) = \frac{z_+ - z_-}{\lvert w\rvert}
       = \frac{2}{\lvert w\rvert} \ln\frac{1 + r}{1 - r}
       = \frac{4 \operatorname{artanh} r}{\lvert w\rvert}, \qquad r = \sqrt{1 - 4/\lvert w\rvert}, $$

    and $\Delta a = 0$ for $\lvert w\rvert < 4$, where $\lvert w\rvert \sigma' \le \lvert w\rvert/4 < 1$.
    """
    w = real("w", w)
    aw, r = _r(w, 4.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(aw >= 4.0, 4.0 * np.arctanh(r) / np.where(aw > 0, aw, 1.0), 0.0)
    return _like(w, out)


def compensation_width_prime(w: Real) -> Real:
    r"""Derivative of the width with respect to $w$.

    For $\lvert w\rvert > 4$,

    $$ \frac{d\,\Delta a}{d\lvert w\rvert} = \frac{2}{w^2}\Bigl(\frac1r - 2\operatorname{artanh} r\Bigr), $$

    times $\operatorname{sign} w$ (the width is even in $w$); $0$ for $\lvert w\rvert < 4$ and
    $\pm\infty$ at $\lvert w\rvert = 4$, where the width rises like a square root. It vanishes where
    $2 r \operatorname{artanh} r = 1$, the widest point.
    """
    w = real("w", w)
    aw, r = _r(w, 4.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = np.where(r > 0, 1.0 / np.where(r > 0, r, 1.0) - 2.0 * np.arctanh(r), np.inf)
        slope = np.where(aw > 4.0, 2.0 / np.where(aw > 0, aw, 1.0) ** 2 * inner, 0.0)
        slope = np.where(aw == 4.0, np.inf, slope)
    return _like(w, np.sign(np.asarray(w)) * slope)


def tanh_compensation_width(w: Real) -> Real:
    r"""The same width for a tanh unit: the inputs $a$ with $\lvert w \tanh'(w a + b)\rvert \ge 1$.

    $\tanh'(z) = 1 - \tanh^2 z \ge 1/\lvert w\rvert$ means $\lvert\tanh z\rvert \le r$,
    $r = \sqrt{1 - 1/\lvert w\rvert}$, so

    $$ \Delta a(w) = \frac{2 \operatorname{artanh} r}{\lvert w\rvert}\quad (\lvert w\rvert \ge 1), $$

    and $0$ below $\lvert w\rvert = 1$.
    """
    w = real("w", w)
    aw, r = _r(w, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(aw >= 1.0, 2.0 * np.arctanh(r) / np.where(aw > 0, aw, 1.0), 0.0)
    return _like(w, out)


def weighted_slope_peak() -> tuple[float, float]:
    r"""$(u^\ast, c)$ where $u\,\sigma'(u)$ peaks: $u^\ast \tanh(u^\ast/2) = 1$, $c = u^\ast \sigma'(u^\ast)$.

    Setting $\tfrac{d}{du}\, u\,\sigma'(u) = \sigma'(u)\,\bigl(1 - u \tanh(u/2)\bigr)$ to zero gives
    the condition; the peak is found by golden-section search on $[0, 10]$.
    """
    u_star = golden_section_maximise(lambda u: u * float(sigmoid_prime(u)), 0.0, 10.0, tol=1e-12)
    return u_star, u_star * float(sigmoid_prime(u_star))


def fixed_input_max_factor(a: Real) -> Real:
    r"""The largest factor any weight gives a unit with a fixed input $a \ne 0$ (Hochreiter's view).

    With $u = w a$, $\lvert w\,\sigma'(w a)\rvert = \lvert u\,\sigma'(u)\rvert / \lvert a\rvert$, so

    $$ \max_w \lvert w\,\sigma'(w a)\rvert = \frac{c}{\lvert a\rvert}, \qquad
       c = \max_u u\,\sigma'(u) \approx 0.224, $$

    reached at $w = u^\ast / a$ (:func:`weighted_slope_peak`).
    """
    a = real("a", a)
    if np.any(np.asarray(a) == 0):
        raise ValueError("a must be non-zero: with a = 0 the factor is w/4, unbounded in w")
    return _like(a, weighted_slope_peak()[1] / np.abs(np.asarray(a, dtype=np.float64)))


GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
r"""The golden-section ratio $(\sqrt5 - 1)/2 \approx 0.618$."""


def golden_section_maximise(f: Callable[[float], float], lo: float, hi: float, tol: float = 1e-10) -> float:
    r"""The maximiser of a unimodal ``f`` on $[\mathrm{lo}, \mathrm{hi}]$, by golden-section search.

    Each step keeps the part of the bracket that holds the larger of two interior values, shrinking
    it by the ratio $(\sqrt5 - 1)/2$, until it is shorter than ``tol``.
    """
    if not callable(f):
        raise ValueError(f"f must be a callable of one float, got {type(f).__name__}")
    lo, hi = real("lo", lo), real("hi", hi)
    if isinstance(lo, np.ndarray) or isinstance(hi, np.ndarray) or not lo < hi:
        raise ValueError(f"lo and hi must be single numbers with lo < hi, got {lo!r} and {hi!r}")
    tol = non_negative("tol", tol)
    if tol == 0.0:
        raise ValueError("tol must be > 0, got 0.0")
    c, d = hi - GOLDEN * (hi - lo), lo + GOLDEN * (hi - lo)
    fc, fd = f(c), f(d)
    while hi - lo > tol:
        if fc >= fd:
            hi, d, fd = d, c, fc
            c = hi - GOLDEN * (hi - lo)
            fc = f(c)
        else:
            lo, c, fc = c, d, fd
            d = lo + GOLDEN * (hi - lo)
            fd = f(d)
    return 0.5 * (lo + hi)


@lru_cache(maxsize=1)
def max_compensation_width() -> tuple[float, float]:
    r"""$(\lvert w\rvert^\ast, \Delta a^\ast)$: where the width of :func:`compensation_width` peaks, and its value.

    Found by golden-section search on $[4, 40]$; at the peak $2 r \operatorname{artanh} r = 1$.
    """
    w_star = golden_section_maximise(lambda v: float(compensation_width(v)), 4.0, 40.0, tol=1e-10)
    return w_star, float(compensation_width(w_star))
