# A vanilla tanh RNN: forward pass, Jacobian products, backpropagation through time and its truncation.
r"""Recurrent networks and backpropagation through time (BPTT).

The network is the plain (Elman) recurrence with a tanh nonlinearity,

$$ a_t = W_{hh} h_{t-1} + W_{xh} x_t + b, \qquad h_t = \tanh(a_t), \qquad t = 1, \dots, T. $$

Unrolled over $T$ steps it is a $T$-layer feed-forward network whose layers all share
$W_{hh}$, $W_{xh}$ and $b$. Shapes: $h_t \in \mathbb{R}^n$, $x_t \in \mathbb{R}^d$,
$W_{hh} \in \mathbb{R}^{n \times n}$, $W_{xh} \in \mathbb{R}^{n \times d}$, $b \in \mathbb{R}^n$.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vgdocs._validate import positive_int, real
from vgdocs.activations import SIGMOID_PRIME_MAX, TANH_PRIME_MAX, tanh_prime

__all__ = [
    "RNNGradients",
    "RNNTrace",
    "bptt",
    "bptt_step_contributions",
    "cosine_similarity",
    "final_state_loss",
    "final_state_loss_grad",
    "hidden_jacobian_norms",
    "hidden_jacobian_product",
    "matrix_power_norm",
    "pascanu_bound",
    "rnn_experiment",
    "rnn_forward",
    "rnn_pre_activation",
    "rnn_step",
    "rnn_step_jacobian",
    "scaled_gaussian",
    "scaled_orthogonal",
    "spectral_norm",
    "spectral_radius",
    "steps_below",
    "triangular_power",
    "truncated_bptt",
    "truncation_kept",
    "vanishing_threshold",
]


# ----------------------------------------------------------------------------- validation


def _array(name: str, value: object, ndim: int) -> np.ndarray:
    """``value`` as a finite float64 array with ``ndim`` dimensions, or ``ValueError``."""
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{name} must be a numpy array with {ndim} dimension(s), got {type(value).__name__}")
    out = real(name, value)
    assert isinstance(out, np.ndarray)
    if out.ndim != ndim or out.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {out.shape}")
    return out


def _square(name: str, value: object) -> np.ndarray:
    out = _array(name, value, 2)
    if out.shape[0] != out.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {out.shape}")
    return out


def _positive(name: str, value: object) -> float:
    out = real(name, value)
    if isinstance(out, np.ndarray) or not out > 0:
        raise ValueError(f"{name} must be a single number > 0, got {value!r}")
    return out


def _params(W_hh: object, W_xh: object, b: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    W_hh = _square("W_hh", W_hh)
    W_xh = _array("W_xh", W_xh, 2)
    b = _array("b", b, 1)
    n = W_hh.shape[0]
    if W_xh.shape[0] != n:
        raise ValueError(f"W_xh must have {n} rows (one per hidden unit), got shape {W_xh.shape}")
    if b.shape != (n,):
        raise ValueError(f"b must have shape ({n},), got {b.shape}")
    return W_hh, W_xh, b


# ----------------------------------------------------------------------------- forward pass


def rnn_pre_activation(h_prev: np.ndarray, x: np.ndarray, W_hh: np.ndarray, W_xh: np.ndarray,
                       b: np.ndarray) -> np.ndarray:
    r"""Pre-activation of one step, $a_t = W_{hh} h_{t-1} + W_{xh} x_t + b$."""
    W_hh, W_xh, b = _params(W_hh, W_xh, b)
    h_prev, x = _array("h_prev", h_prev, 1), _array("x", x, 1)
    if h_prev.shape != b.shape:
        raise ValueError(f"h_prev must have shape {b.shape}, got {h_prev.shape}")
    if x.shape != (W_xh.shape[1],):
        raise ValueError(f"x must have shape ({W_xh.shape[1]},), got {x.shape}")
    return W_hh @ h_prev + W_xh @ x + b


def rnn_step(h_prev: np.ndarray, x: np.ndarray, W_hh: np.ndarray, W_xh: np.ndarray,
             b: np.ndarray) -> np.ndarray:
    r"""One step of the recurrence, $h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)$."""
    return np.tanh(rnn_pre_activation(h_prev, x, W_hh, W_xh, b))


def rnn_step_jacobian(a: np.ndarray, W_hh: np.ndarray) -> np.ndarray:
    r"""Jacobian of one step with respect to the previous state.

    $$ \frac{\partial h_t}{\partial h_{t-1}} = \operatorname{diag}\bigl(\tanh'(a_t)\bigr)\, W_{hh},
       \qquad \tanh'(a) = 1 - \tanh^2(a). $$
    """
    W_hh = _square("W_hh", W_hh)
    a = _array("a", a, 1)
    if a.shape != (W_hh.shape[0],):
        raise ValueError(f"a must have shape ({W_hh.shape[0]},), got {a.shape}")
    return tanh_prime(a)[:, None] * W_hh


@dataclass(frozen=True)
class RNNTrace:
    r"""Everything the forward pass computed: inputs $x_{1..T}$, pre-activations $a_{1..T}$, states $h_{0..T}$.

    ``x[t - 1]`` is $x_t$, ``a[t - 1]`` is $a_t$ and ``h[t]`` is $h_t$, so ``h`` has one row more.
    """

    x: np.ndarray
    a: np.ndarray
    h: np.ndarray

    @property
    def steps(self) -> int:
        """The number of time steps $T$."""
        return int(self.a.shape[0])


def rnn_forward(h0: np.ndarray, xs: np.ndarray, W_hh: np.ndarray, W_xh: np.ndarray,
                b: np.ndarray) -> RNNTrace:
    r"""Run the recurrence $h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)$ for $t = 1, \dots, T$.

    ``xs`` has shape ``(T, d)``: one input per row.
    """
    W_hh, W_xh, b = _params(W_hh, W_xh, b)
    h0, xs = _array("h0", h0, 1), _array("xs", xs, 2)
    if h0.shape != b.shape:
        raise ValueError(f"h0 must have shape {b.shape}, got {h0.shape}")
    if xs.shape[1] != W_xh.shape[1]:
        raise ValueError(f"xs must have {W_xh.shape[1]} columns (the input size), got shape {xs.shape}")
    T = xs.shape[0]
    drive = xs @ W_xh.T + b  # the input part of every a_t at once
    a = np.empty((T, h0.size))
    h = np.empty((T + 1, h0.size))
    h[0] = h0
    for t in range(T):
        a[t] = W_hh @ h[t] + drive[t]
        h[t + 1] = np.tanh(a[t])
    return RNNTrace(x=xs, a=a, h=h)


def _trace_and_weights(trace: object, W_hh: object) -> tuple[RNNTrace, np.ndarray]:
    if not isinstance(trace, RNNTrace):
        raise ValueError(f"trace must be an RNNTrace from rnn_forward, got {type(trace).__name__}")
    W_hh = _square("W_hh", W_hh)
    if W_hh.shape[0] != trace.h.shape[1]:
        raise ValueError(f"W_hh must be {trace.h.shape[1]} x {trace.h.shape[1]} to match the trace, "
                         f"got shape {W_hh.shape}")
    return trace, W_hh


# ----------------------------------------------------------------------------- Jacobian products


def hidden_jacobian_product(trace: RNNTrace, W_hh: np.ndarray) -> np.ndarray:
    r"""The exact Jacobian of the last state with respect to the first, by multiplying step Jacobians.

    $$ \frac{\partial h_T}{\partial h_0} = \prod_{t=T}^{1} \operatorname{diag}\bigl(\tanh'(a_t)\bigr)\, W_{hh}
       = D_T W_{hh}\, D_{T-1} W_{hh} \cdots D_1 W_{hh}. $$
    """
    trace, W_hh = _trace_and_weights(trace, W_hh)
    J = np.eye(W_hh.shape[0])
    for t in range(trace.steps):
        J = rnn_step_jacobian(trace.a[t], W_hh) @ J
    return J


def hidden_jacobian_norms(trace: RNNTrace, W_hh: np.ndarray) -> np.ndarray:
    r"""Spectral norms $\lVert \partial h_t / \partial h_0 \rVert_2$ for $t = 1, \dots, T$ (one forward sweep)."""
    trace, W_hh = _trace_and_weights(trace, W_hh)
    J = np.eye(W_hh.shape[0])
    norms = np.empty(trace.steps)
    for t in range(trace.steps):
        J = rnn_step_jacobian(trace.a[t], W_hh) @ J
        norms[t] = np.linalg.norm(J, 2)
    return norms


def spectral_norm(A: np.ndarray) -> float:
    r"""Largest singular value $\lVert A \rVert_2 = \sigma_{\max}(A)$."""
    return float(np.linalg.norm(_array("A", A, 2), 2))


def spectral_radius(A: np.ndarray) -> float:
    r"""Largest eigenvalue modulus $\rho(A) = \max_i \lvert \lambda_i(A) \rvert$."""
    return float(np.max(np.abs(np.linalg.eigvals(_square("A", A)))))


def matrix_power_norm(A: np.ndarray, k: int) -> float:
    r"""Spectral norm of the $k$-th power, $\lVert A^k \rVert_2$ ($k \ge 0$)."""
    A = _square("A", A)
    k = positive_int("k", k, minimum=0)
    return float(np.linalg.norm(np.linalg.matrix_power(A, k), 2))


def triangular_power(c: float, u: float, k: int) -> np.ndarray:
    r"""Closed form of the $k$-th power of a $2 \times 2$ Jordan-like block.

    $$ \begin{pmatrix} c & u \\ 0 & c \end{pmatrix}^{k}
       = \begin{pmatrix} c^{k} & k\,u\,c^{k-1} \\ 0 & c^{k} \end{pmatrix}. $$
    """
    c, u = real("c", c), real("u", u)
    if isinstance(c, np.ndarray) or isinstance(u, np.ndarray):
        raise ValueError("c and u must be single numbers")
    k = positive_int("k", k, minimum=0)
    off = 0.0 if k == 0 else k * u * c ** (k - 1)
    return np.array([[c**k, off], [0.0, c**k]])


def vanishing_threshold(gamma: float) -> float:
    r"""Pascanu et al.'s threshold $1/\gamma$: if $\lVert W_{hh} \rVert_2 < 1/\gamma$, gradients vanish.

    $\gamma > 0$ bounds the activation's derivative: $\gamma = 1$ for tanh, $\tfrac14$ for the sigmoid.
    """
    return 1.0 / _positive("gamma", gamma)


def pascanu_bound(w_norm: float, gamma: float, T: int) -> float:
    r"""Upper bound on the Jacobian over $T$ steps (Pascanu, Mikolov & Bengio, 2013).

    $$ \Bigl\lVert \frac{\partial h_T}{\partial h_0} \Bigr\rVert_2
       \le \prod_{t=1}^{T} \lVert \operatorname{diag}(\phi'(a_t)) \rVert_2\, \lVert W_{hh} \rVert_2
       \le (\gamma\, \lVert W_{hh} \rVert_2)^{T}. $$
    """
    s = real("w_norm", w_norm)
    if isinstance(s, np.ndarray) or s < 0:
        raise ValueError(f"w_norm must be a single number >= 0, got {w_norm!r}")
    gamma = _positive("gamma", gamma)
    T = positive_int("T", T, minimum=0)
    return (gamma * s) ** T


# ----------------------------------------------------------------------------- weights


def scaled_orthogonal(n: int, gain: float, seed: int) -> np.ndarray:
    r"""A random orthogonal $n \times n$ matrix times ``gain``: every singular value equals the gain.

    $Q$ comes from the QR decomposition of a standard Gaussian matrix (signs fixed so that $Q$ is
    Haar-distributed); the result $W = g\,Q$ has $\lVert W \rVert_2 = \rho(W) = g$.
    """
    n = positive_int("n", n)
    gain = _positive("gain", gain)
    seed = positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return gain * Q * np.sign(np.diag(R))


def scaled_gaussian(n: int, norm: float, seed: int) -> np.ndarray:
    r"""A standard Gaussian $n \times n$ matrix rescaled so that $\lVert W \rVert_2$ equals ``norm``.

    Unlike :func:`scaled_orthogonal`, its singular values are spread out, from about 0 up to the norm.
    """
    n = positive_int("n", n)
    norm = _positive("norm", norm)
    seed = positive_int("seed", seed, minimum=0)
    G = np.random.default_rng(seed).standard_normal((n, n))
    return G * (norm / np.linalg.norm(G, 2))


# ----------------------------------------------------------------------------- loss and BPTT


def final_state_loss(h_T: np.ndarray, target: np.ndarray) -> float:
    r"""A loss on the last state only, $L = \tfrac12 \lVert h_T - y \rVert^2$."""
    h_T, target = _array("h_T", h_T, 1), _array("target", target, 1)
    if h_T.shape != target.shape:
        raise ValueError(f"h_T and target must have the same shape, got {h_T.shape} and {target.shape}")
    r = h_T - target
    return 0.5 * float(r @ r)


def final_state_loss_grad(h_T: np.ndarray, target: np.ndarray) -> np.ndarray:
    r"""Its gradient, $\partial L / \partial h_T = h_T - y$."""
    h_T, target = _array("h_T", h_T, 1), _array("target", target, 1)
    if h_T.shape != target.shape:
        raise ValueError(f"h_T and target must have the same shape, got {h_T.shape} and {target.shape}")
    return h_T - target


@dataclass(frozen=True)
class RNNGradients:
    r"""Gradients of the loss with respect to $h_0$, $W_{hh}$, $W_{xh}$ and $b$."""

    h0: np.ndarray
    W_hh: np.ndarray
    W_xh: np.ndarray
    b: np.ndarray


def bptt(trace: RNNTrace, W_hh: np.ndarray, dL_dh: np.ndarray) -> RNNGradients:
    r"""Backpropagation through time: exact gradients of a loss that depends on the states.

    ``dL_dh[t - 1]`` is the direct gradient $\partial \ell / \partial h_t$ of the loss terms at step
    $t$ (for a loss on $h_T$ only, every row but the last is zero). Going backwards from $t = T$,

    $$ \delta_t = \frac{\partial \ell}{\partial h_t} + W_{hh}^{\top} g_{t+1}, \qquad
       g_t = \delta_t \odot \tanh'(a_t), $$

    $$ \frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} g_t\, h_{t-1}^{\top}, \quad
       \frac{\partial L}{\partial W_{xh}} = \sum_{t=1}^{T} g_t\, x_t^{\top}, \quad
       \frac{\partial L}{\partial b} = \sum_{t=1}^{T} g_t, \quad
       \frac{\partial L}{\partial h_0} = W_{hh}^{\top} g_1 . $$
    """
    trace, W_hh = _trace_and_weights(trace, W_hh)
    T = trace.steps
    return truncated_bptt(trace, W_hh, dL_dh, k1=T, k2=T)


def truncated_bptt(trace: RNNTrace, W_hh: np.ndarray, dL_dh: np.ndarray, k1: int, k2: int) -> RNNGradients:
    r"""Truncated BPTT: the gradient one update of BPTT($k_1$, $k_2$) uses at the last step $T$.

    Only the loss terms of the last $k_1$ steps are used, and the backward recursion of
    :func:`bptt` stops after $k_2$ steps, so only steps $t > T - k_2$ contribute:

    $$ \widehat{\frac{\partial L}{\partial W_{hh}}} = \sum_{t = T - k_2 + 1}^{T} \hat g_t\, h_{t-1}^{\top}, $$

    where $\hat g_t$ is computed like $g_t$ but from the loss gradients at steps $t > T - k_1$ only.
    The gradient with respect to $h_0$ is zero unless $k_2 \ge T$. With $k_1 = k_2 = T$ this is the
    full BPTT gradient. $1 \le k_1 \le k_2$.
    """
    trace, W_hh = _trace_and_weights(trace, W_hh)
    T, n = trace.steps, W_hh.shape[0]
    dL_dh = _array("dL_dh", dL_dh, 2)
    if dL_dh.shape != (T, n):
        raise ValueError(f"dL_dh must have shape ({T}, {n}) (one row per step), got {dL_dh.shape}")
    k2 = positive_int("k2", k2)
    k1 = positive_int("k1", k1, maximum=k2)
    first = max(1, T - k2 + 1)  # the earliest step whose parameters receive gradient
    g_W_hh = np.zeros((n, n))
    g_W_xh = np.zeros((n, trace.x.shape[1]))
    g_b = np.zeros(n)
    carried = np.zeros(n)  # W_hh^T g_{t+1}
    for t in range(T, first - 1, -1):
        delta = carried + (dL_dh[t - 1] if t > T - k1 else 0.0)
        g = delta * tanh_prime(trace.a[t - 1])
        g_W_hh += np.outer(g, trace.h[t - 1])
        g_W_xh += np.outer(g, trace.x[t - 1])
        g_b += g
        carried = W_hh.T @ g
    g_h0 = carried if first == 1 else np.zeros(n)
    return RNNGradients(h0=g_h0, W_hh=g_W_hh, W_xh=g_W_xh, b=g_b)


def bptt_step_contributions(trace: RNNTrace, W_hh: np.ndarray, dL_dh: np.ndarray) -> np.ndarray:
    r"""Norms $\lVert g_t h_{t-1}^{\top} \rVert_F$ of each step's term in $\partial L / \partial W_{hh}$.

    Entry ``[j]`` belongs to step $t = T - j$, that is to lag $j$ behind the last step.
    """
    trace, W_hh = _trace_and_weights(trace, W_hh)
    T, n = trace.steps, W_hh.shape[0]
    dL_dh = _array("dL_dh", dL_dh, 2)
    if dL_dh.shape != (T, n):
        raise ValueError(f"dL_dh must have shape ({T}, {n}) (one row per step), got {dL_dh.shape}")
    out = np.empty(T)
    carried = np.zeros(n)
    for t in range(T, 0, -1):
        g = (carried + dL_dh[t - 1]) * tanh_prime(trace.a[t - 1])
        # ||g h^T||_F = ||g|| ||h|| for an outer product
        out[T - t] = np.linalg.norm(g) * np.linalg.norm(trace.h[t - 1])
        carried = W_hh.T @ g
    return out


def cosine_similarity(u: np.ndarray, v: np.ndarray) -> float:
    r"""Cosine of the angle between two arrays, $\dfrac{\langle u, v \rangle}{\lVert u \rVert\,\lVert v \rVert}$."""
    u, v = real("u", u), real("v", v)
    if not isinstance(u, np.ndarray) or not isinstance(v, np.ndarray) or u.shape != v.shape:
        raise ValueError("u and v must be numpy arrays of the same shape")
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0 or nv == 0:
        raise ValueError("u and v must be non-zero")
    return float(np.sum(u * v) / (nu * nv))


# ---------------------------------------------------------------------------
# What the recurrence page shows. The experiment: a 64-unit tanh RNN, 8 inputs, small input
# weights, W_hh = gain * (random orthogonal), so that every singular value of W_hh is the gain.

from vgdocs.registry import figure, number  # noqa: E402

N_UNITS = 64
N_INPUTS = 8
INPUT_SCALE = 0.1
GAINS = (0.5, 0.9, 1.0, 1.5, 3.0)
T_MAX = 100
T_BOUND = 50
GAIN_BOUND = 0.9
SEED = 0
JORDAN_C = 0.9
JORDAN_U = 10.0
JORDAN_K = 5
TBPTT_T = 50
TBPTT_K2 = 10


def rnn_experiment(gain: float, T: int, seed: int = SEED, *, gaussian: bool = False) -> tuple[RNNTrace, np.ndarray]:
    r"""The page's experiment: the trace of a 64-unit tanh RNN and its $W_{hh}$, for a given gain.

    $W_{hh}$ is ``gain`` times a random orthogonal matrix (or, with ``gaussian=True``, a Gaussian
    matrix rescaled to spectral norm ``gain``); $W_{xh}$ has entries of size about 0.1, $b = 0$,
    $h_0$ and the inputs are standard Gaussian.
    """
    T = positive_int("T", T)
    seed = positive_int("seed", seed, minimum=0)
    W_hh = scaled_gaussian(N_UNITS, gain, seed) if gaussian else scaled_orthogonal(N_UNITS, gain, seed)
    rng = np.random.default_rng(seed + 1000)
    W_xh = rng.standard_normal((N_UNITS, N_INPUTS)) * (INPUT_SCALE / math.sqrt(N_INPUTS))
    b = np.zeros(N_UNITS)
    h0 = rng.standard_normal(N_UNITS)
    xs = rng.standard_normal((T, N_INPUTS))
    return rnn_forward(h0, xs, W_hh, W_xh, b), W_hh


def _jacobian_norm_at(T: int, gain: float, *, gaussian: bool = False) -> float:
    trace, W = rnn_experiment(gain, T, gaussian=gaussian)
    return spectral_norm(hidden_jacobian_product(trace, W))


def _final_loss_grads(gain: float, T: int) -> tuple[RNNTrace, np.ndarray, np.ndarray]:
    trace, W = rnn_experiment(gain, T)
    dL = np.zeros((T, N_UNITS))
    dL[-1] = final_state_loss_grad(trace.h[-1], np.zeros(N_UNITS))  # target 0: L = |h_T|^2 / 2
    return trace, W, dL


def truncation_kept(gain: float, T: int = TBPTT_T, k2: int = TBPTT_K2) -> tuple[float, float]:
    r"""How much of the full gradient truncation keeps, in the page's experiment with a loss on $h_T$.

    Returns the cosine between the truncated and the full $\partial L / \partial W_{hh}$ and the
    ratio of their Frobenius norms.
    """
    trace, W, dL = _final_loss_grads(gain, T)
    full = bptt(trace, W, dL).W_hh
    trunc = truncated_bptt(trace, W, dL, k1=1, k2=k2).W_hh
    return cosine_similarity(trunc, full), float(np.linalg.norm(trunc) / np.linalg.norm(full))


def _jordan() -> np.ndarray:
    return np.array([[JORDAN_C, JORDAN_U], [0.0, JORDAN_C]])


def _jordan_norms(k_max: int = 100) -> np.ndarray:
    A = _jordan()
    return np.array([matrix_power_norm(A, k) for k in range(k_max + 1)])


number("rnn_units", ".0f")(lambda: N_UNITS)
number("rnn_inputs", ".0f")(lambda: N_INPUTS)
number("rnn_input_scale", ".1f")(lambda: INPUT_SCALE)
number("rnn_T_bound", ".0f")(lambda: T_BOUND)
number("rnn_gain_bound", ".1f")(lambda: GAIN_BOUND)
number("rnn_bound_50", ".1e")(lambda: pascanu_bound(GAIN_BOUND, TANH_PRIME_MAX, T_BOUND))
number("rnn_measured_50", ".1e")(lambda: _jacobian_norm_at(T_BOUND, GAIN_BOUND))
number("rnn_measured_50_ratio", ".1f")(
    lambda: _jacobian_norm_at(T_BOUND, GAIN_BOUND) / pascanu_bound(GAIN_BOUND, TANH_PRIME_MAX, T_BOUND))
number("rnn_mean_factor", ".3f")(
    lambda: (_jacobian_norm_at(T_BOUND, GAIN_BOUND) / pascanu_bound(GAIN_BOUND, TANH_PRIME_MAX, T_BOUND))
    ** (1.0 / T_BOUND))
number("rnn_g05", ".1f")(lambda: GAINS[0])
number("rnn_g15", ".1f")(lambda: GAINS[3])
number("rnn_g3", ".0f")(lambda: GAINS[4])
number("rnn_T_max", ".0f")(lambda: T_MAX)
number("rnn_gaussian_50", ".1e")(lambda: _jacobian_norm_at(T_BOUND, GAIN_BOUND, gaussian=True))
number("rnn_gaussian_radius", ".2f")(lambda: spectral_radius(scaled_gaussian(N_UNITS, GAIN_BOUND, SEED)))
number("rnn_gaussian_radius_pow", ".1e")(lambda: spectral_radius(scaled_gaussian(N_UNITS, GAIN_BOUND, SEED)) ** T_BOUND)
SATURATED_SLOPE = 0.1
"""A unit counts as saturated at a step where its slope $\tanh'(a)$ is below this."""
number("rnn_saturated_slope", ".1f")(lambda: SATURATED_SLOPE)
number("rnn_gain_3_saturated_pct", ".0f")(
    lambda: 100 * float(np.mean(tanh_prime(rnn_experiment(3.0, T_MAX)[0].a) < SATURATED_SLOPE)))
number("rnn_threshold_tanh", ".0f")(lambda: vanishing_threshold(TANH_PRIME_MAX))
number("rnn_threshold_sigmoid", ".0f")(lambda: vanishing_threshold(SIGMOID_PRIME_MAX))
number("rnn_gain_3_at_100", ".1e")(lambda: _jacobian_norm_at(T_MAX, 3.0))
number("rnn_gain_1_at_100", ".1e")(lambda: _jacobian_norm_at(T_MAX, 1.0))
number("rnn_jordan_c", ".1f")(lambda: JORDAN_C)
number("rnn_jordan_u", ".0f")(lambda: JORDAN_U)
number("rnn_jordan_k", ".0f")(lambda: JORDAN_K)
number("rnn_jordan_rho", ".1f")(lambda: spectral_radius(_jordan()))
number("rnn_jordan_rho_k", ".2f")(lambda: spectral_radius(_jordan()) ** JORDAN_K)
number("rnn_jordan_norm_k", ".1f")(lambda: matrix_power_norm(_jordan(), JORDAN_K))
number("rnn_jordan_offdiag_k", ".1f")(lambda: triangular_power(JORDAN_C, JORDAN_U, JORDAN_K)[0, 1])
number("rnn_jordan_peak_k", ".0f")(lambda: float(np.argmax(_jordan_norms())))
number("rnn_jordan_peak", ".1f")(lambda: float(np.max(_jordan_norms())))
number("rnn_jordan_below_1", ".0f")(lambda: float(np.argmax((_jordan_norms() < 1.0) & (np.arange(101) > 0))))
number("rnn_jordan_peak_cont", ".2f")(lambda: -1.0 / math.log(JORDAN_C))
number("rnn_tbptt_T", ".0f")(lambda: TBPTT_T)
number("rnn_tbptt_k2", ".0f")(lambda: TBPTT_K2)
number("rnn_tbptt_cos_09", ".4f")(lambda: truncation_kept(0.9)[0])
number("rnn_tbptt_ratio_09", ".4f")(lambda: truncation_kept(0.9)[1])
number("rnn_tbptt_cos_15", ".2f")(lambda: truncation_kept(1.5)[0])
number("rnn_tbptt_ratio_15", ".2f")(lambda: truncation_kept(1.5)[1])


# Exercises.
EX_SIGMOID_NORM = 2.0
EX_SIGMOID_T = 20
EX_TOL = 1e-6


def steps_below(w_norm: float, gamma: float, tol: float) -> int:
    r"""Smallest $T$ with $(\gamma s)^T < \varepsilon$, where $s = \lVert W_{hh} \rVert_2$ and $0 < \gamma s < 1$."""
    base = pascanu_bound(w_norm, gamma, 1)
    tol = _positive("tol", tol)
    if not 0.0 < base < 1.0:
        raise ValueError(f"gamma * w_norm must lie in (0, 1) for the bound to fall, got {base!r}")
    T = 0
    while pascanu_bound(w_norm, gamma, T) >= tol:
        T += 1
    return T


number("rnn_ex_sigmoid_norm", ".0f")(lambda: EX_SIGMOID_NORM)
number("rnn_ex_sigmoid_T", ".0f")(lambda: EX_SIGMOID_T)
number("rnn_ex_sigmoid_bound", ".1e")(lambda: pascanu_bound(EX_SIGMOID_NORM, SIGMOID_PRIME_MAX, EX_SIGMOID_T))
number("rnn_ex_sigmoid_tanh_bound", ",.0f")(lambda: pascanu_bound(EX_SIGMOID_NORM, TANH_PRIME_MAX, EX_SIGMOID_T))
number("rnn_ex_tol", ".0e")(lambda: EX_TOL)
number("rnn_ex_steps", ".0f")(lambda: steps_below(GAIN_BOUND, TANH_PRIME_MAX, EX_TOL))
number("rnn_ex_tbptt_cos_10", ".3f")(lambda: truncation_kept(1.0)[0])
number("rnn_ex_tbptt_ratio_10", ".3f")(lambda: truncation_kept(1.0)[1])


@figure("rnn-jacobian-norms", size=(6.4, 3.8))
def draw_jacobian_norms(fig, theme) -> None:
    """||dh_T/dh_0||_2 against T for several gains of W_hh, with the bound 0.9^T."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    T = np.arange(1, T_MAX + 1)
    for colour, gain in zip(c, GAINS, strict=False):
        trace, W = rnn_experiment(gain, T_MAX)
        ax.plot(T, hidden_jacobian_norms(trace, W), color=colour,
                label=rf"$\Vert W_{{hh}} \Vert_2 = {gain:g}$")
    ax.plot(T, pascanu_bound(GAIN_BOUND, TANH_PRIME_MAX, 1) ** T, color=c[1], linestyle=(0, (4, 3)),
            linewidth=1.2, label=rf"bound ${GAIN_BOUND:g}^T$")
    ax.axhline(1.0, color=theme["muted"], linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xlim(0, T_MAX)
    ax.set_ylim(1e-30, 1e16)
    ax.set_xlabel("time steps $T$ (dimensionless)")
    ax.set_ylabel(r"$\Vert \partial h_T / \partial h_0 \Vert_2$ (dimensionless)")
    ax.legend(loc="lower left", ncol=2, fontsize=9)


@figure("rnn-power-norms", size=(6.4, 3.4))
def draw_power_norms(fig, theme) -> None:
    """||A^k||_2 against the spectral radius rho^k for the triangular matrix A."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    k = np.arange(0, 101)
    ax.plot(k, _jordan_norms(100), color=c[0], label=r"$\Vert A^k \Vert_2$")
    ax.plot(k, spectral_radius(_jordan()) ** k, color=c[1], linestyle=(0, (4, 3)),
            label=r"$\rho(A)^k$")
    ax.axhline(1.0, color=theme["muted"], linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xlim(0, 100)
    ax.set_xlabel("power $k$ (dimensionless)")
    ax.set_ylabel("norm (dimensionless)")
    ax.legend(loc="lower left")


@figure("rnn-contributions", size=(6.4, 3.4))
def draw_contributions(fig, theme) -> None:
    """Norm of each time step's term in dL/dW_hh against its lag, with the truncation window shaded."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    lags = np.arange(TBPTT_T)
    ax.axvspan(-0.5, TBPTT_K2 - 0.5, color=theme["grid"], alpha=0.6, linewidth=0,
               label=f"kept by truncation, $k_2 = {TBPTT_K2}$")
    for gain in (0.9, 1.0, 1.5):
        trace, W, dL = _final_loss_grads(gain, TBPTT_T)
        ax.plot(lags, bptt_step_contributions(trace, W, dL), color=c[GAINS.index(gain)], marker="o", markersize=3,
                label=rf"$\Vert W_{{hh}} \Vert_2 = {gain:g}$")
    ax.set_yscale("log")
    ax.set_xlim(-0.5, TBPTT_T - 0.5)
    ax.set_xlabel("lag $T - t$ of the step (time steps)")
    ax.set_ylabel(r"$\Vert g_t\, h_{t-1}^{\top} \Vert_F$ (dimensionless)")
    ax.legend(loc="lower left", fontsize=9)
