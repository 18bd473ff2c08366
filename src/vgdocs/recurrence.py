# A vanilla tanh RNN: forward pass, Jacobian products, backpropagation through time and its truncation.
r"""Recurrent networks and backpropagation through time (BPTT).

The network is the plain (Elman) recurrence with a tanh nonlinearity,

$$ a_t = W_{hh} h_{t-1} + W_{xh} x_t + b, \qquad h_t = \tanh(a_t), \qquad t = 1, \dots, T. $$

Unrolled over $T$ steps it is a $T$-layer feed-forward network whose layers all share
$W_{hh}$, $W_{xh}$ and $b$. Shapes: $h_t \in \mathbb{R}^n$, $x_t \in \mathbb{R}^d$,
$W_{hh} \in \mathbb{R}^{n \times n}$, $W_{xh} \in \mathbb{R}^{n \times d}$, $b \in \mathbb{R}^n$.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vgdocs._validate import positive_int, real
from vgdocs.activations import tanh_prime

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
