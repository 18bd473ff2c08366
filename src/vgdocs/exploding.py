# Exploding gradients: growing recurrences, products of random matrices, Lyapunov exponents, clipping.
r"""Exploding gradients and gradient clipping.

The mirror image of the vanishing gradient: when the factors of the chain-rule product are larger
than one, the product grows geometrically. This module has the three pieces the page needs:

- a plain recurrence $h_t = \phi(W h_{t-1})$ and the norms of its Jacobian product,
- products of random Gaussian matrices, their growth rate (the top Lyapunov exponent) in
  closed form and by simulation,
- gradient clipping by norm and by value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from vgdocs._validate import positive_int, real
from vgdocs.activations import relu, relu_prime, sigmoid, sigmoid_prime, tanh, tanh_prime

__all__ = [
    "EULER_GAMMA",
    "Trajectory",
    "angle_degrees",
    "clip_by_norm",
    "clip_by_value",
    "digamma_half_integer",
    "first_step_above",
    "gaussian_lyapunov_exponent",
    "lyapunov_estimate",
    "plain_recurrence",
    "random_product_log_norms",
    "recurrence_jacobian_norms",
    "sigmoid_fixed_point",
]

EULER_GAMMA = 0.57721566490153286060651209008240243
r"""The Euler–Mascheroni constant $\gamma_{\mathrm{E}} = \lim_{n\to\infty} (H_n - \ln n)$."""

_ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "relu": (relu, relu_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
}


# ----------------------------------------------------------------------------- validation


def _array(name: str, value: object, ndim: int) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{name} must be a numpy array with {ndim} dimension(s), got {type(value).__name__}")
    out = real(name, value)
    assert isinstance(out, np.ndarray)
    if out.ndim != ndim or out.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {out.shape}")
    return out


def _activation(name: object) -> tuple[Callable, Callable]:
    if not isinstance(name, str) or name not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {name!r}")
    return _ACTIVATIONS[name]


def _threshold(theta: object) -> float:
    t = real("theta", theta)
    if isinstance(t, np.ndarray) or not t > 0:
        raise ValueError(f"theta must be a single number > 0, got {theta!r}")
    return t


def _gradient(g: object) -> np.ndarray:
    if not isinstance(g, np.ndarray):
        raise ValueError(f"g must be a numpy array, got {type(g).__name__}")
    out = real("g", g)
    assert isinstance(out, np.ndarray)
    if out.size == 0:
        raise ValueError("g must not be empty")
    return out


# ----------------------------------------------------------------------------- recurrences


@dataclass(frozen=True)
class Trajectory:
    r"""States $h_0, \dots, h_T$ (``h``, one row each) and pre-activations $a_1, \dots, a_T$ (``a``)."""

    a: np.ndarray
    h: np.ndarray
    activation: str


def plain_recurrence(W: np.ndarray, h0: np.ndarray, T: int, activation: str) -> Trajectory:
    r"""Run the input-free recurrence $a_t = W h_{t-1}$, $h_t = \phi(a_t)$ for $t = 1, \dots, T$.

    ``activation`` is ``"relu"``, ``"sigmoid"`` or ``"tanh"``.
    """
    W = _array("W", W, 2)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square matrix, got shape {W.shape}")
    h0 = _array("h0", h0, 1)
    if h0.shape != (W.shape[0],):
        raise ValueError(f"h0 must have shape ({W.shape[0]},), got {h0.shape}")
    T = positive_int("T", T)
    phi, _ = _activation(activation)
    a = np.empty((T, h0.size))
    h = np.empty((T + 1, h0.size))
    h[0] = h0
    for t in range(T):
        a[t] = W @ h[t]
        h[t + 1] = phi(a[t])
    return Trajectory(a=a, h=h, activation=activation)


def recurrence_jacobian_norms(traj: Trajectory, W: np.ndarray) -> np.ndarray:
    r"""Spectral norms of the Jacobian products, $\lVert \partial h_t / \partial h_0 \rVert_2$ for $t = 1, \dots, T$.

    $$ \frac{\partial h_t}{\partial h_0} = \prod_{s=t}^{1} \operatorname{diag}\bigl(\phi'(a_s)\bigr)\, W . $$

    The product is renormalised after every step and its logarithm accumulated, so the result
    is exact even where the product itself would overflow (it is returned as a float, which may
    be ``inf`` beyond about $10^{308}$).
    """
    if not isinstance(traj, Trajectory):
        raise ValueError(f"traj must be a Trajectory from plain_recurrence(), got {type(traj).__name__}")
    W = _array("W", W, 2)
    if W.shape != (traj.h.shape[1], traj.h.shape[1]):
        raise ValueError(f"W must have shape {(traj.h.shape[1],) * 2} to match traj, got {W.shape}")
    _, phi_prime = _activation(traj.activation)
    M = np.eye(W.shape[0])
    log_scale = 0.0
    out = np.empty(traj.a.shape[0])
    for t in range(traj.a.shape[0]):
        M = phi_prime(traj.a[t])[:, None] * W @ M
        nrm = np.linalg.norm(M, 2)
        if nrm == 0.0:
            out[t:] = 0.0
            break
        log_scale += math.log(nrm)
        M /= nrm
        out[t] = math.exp(log_scale) if log_scale < 709.0 else math.inf
    return out


# ----------------------------------------------------------------------------- random products


def random_product_log_norms(d: int, T: int, seed: int, variance: float = 1.0) -> np.ndarray:
    r"""Natural logs $\ln \lVert G_t G_{t-1} \cdots G_1 \rVert_2$, $t = 1, \dots, T$, of a product of
    independent $d \times d$ matrices with Gaussian entries of mean 0 and the given ``variance``.

    With $P_t = c_t M_t$ and $\lVert M_t \rVert_2 = 1$, each step computes $G_{t+1} M_t$, adds the
    log of its norm to $\ln c_t$ and renormalises: $\ln \lVert P_{t+1} \rVert_2 = \ln c_t +
    \ln \lVert G_{t+1} M_t \rVert_2$ exactly, and nothing overflows however long the product.
    """  # noqa: D205
    d = positive_int("d", d)
    T = positive_int("T", T)
    seed = positive_int("seed", seed, minimum=0)
    scale = math.sqrt(_variance(variance))
    G = scale * np.random.default_rng(seed).standard_normal((T, d, d))
    M = np.eye(d)
    log_c = 0.0
    out = np.empty(T)
    for t in range(T):
        M = G[t] @ M
        nrm = np.linalg.norm(M, 2)
        log_c += math.log(nrm)
        M /= nrm
        out[t] = log_c
    return out


def digamma_half_integer(x: float) -> float:
    r"""The digamma function $\psi(x) = \Gamma'(x)/\Gamma(x)$ at a positive integer or half-integer $x$.

    $$ \psi(n) = -\gamma_{\mathrm{E}} + \sum_{k=1}^{n-1} \frac1k, \qquad
       \psi\bigl(n + \tfrac12\bigr) = -\gamma_{\mathrm{E}} - 2\ln 2 + \sum_{k=1}^{n} \frac{2}{2k-1} . $$
    """
    x = real("x", x)
    if isinstance(x, np.ndarray) or x <= 0 or (2 * x) != int(2 * x):
        raise ValueError(f"x must be a positive integer or half-integer (1/2, 1, 3/2, ...), got {x!r}")
    twice = int(2 * x)
    if twice % 2 == 0:
        n = twice // 2
        return -EULER_GAMMA + math.fsum(1.0 / k for k in range(1, n))
    n = (twice - 1) // 2
    return -EULER_GAMMA - 2.0 * math.log(2.0) + math.fsum(2.0 / (2 * k - 1) for k in range(1, n + 1))


def gaussian_lyapunov_exponent(d: int, variance: float = 1.0) -> float:
    r"""Top Lyapunov exponent of products of $d \times d$ Gaussian matrices (Newman, 1986).

    For entries $\mathcal N(0, s^2)$, with $s^2$ the ``variance``,

    $$ \lambda_1 = \lim_{t\to\infty} \frac1t \ln \lVert G_t \cdots G_1 \rVert
       = \tfrac12 \Bigl[\ln (2 s^2) + \psi\bigl(\tfrac d2\bigr)\Bigr] ; $$

    the standard case is $s^2 = 1$, and $s^2 = 1/d$ keeps $\mathbb E \lVert G u \rVert^2 = 1$.
    """
    d = positive_int("d", d)
    return 0.5 * (math.log(2.0 * _variance(variance)) + digamma_half_integer(d / 2))


def _variance(variance: object) -> float:
    v = real("variance", variance)
    if isinstance(v, np.ndarray) or v <= 0:
        raise ValueError(f"variance must be a single number > 0, got {variance!r}")
    return v


def lyapunov_estimate(d: int, T: int, chains: int, seed: int) -> tuple[float, float]:
    r"""Monte Carlo estimate of $\lambda_1$ and its standard error, from ``chains`` independent vectors.

    Each chain applies $T$ fresh Gaussian matrices to a unit vector, renormalising after every step;
    $\lambda_1 \approx \frac{1}{T} \sum_t \ln \lVert G_t v_{t-1} \rVert$ averaged over chains.
    """
    d = positive_int("d", d)
    T = positive_int("T", T)
    chains = positive_int("chains", chains, minimum=2)
    seed = positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    v = np.zeros((chains, d))
    v[:, 0] = 1.0
    total = np.zeros(chains)
    for _ in range(T):
        v = np.einsum("cij,cj->ci", rng.standard_normal((chains, d, d)), v)
        nrm = np.linalg.norm(v, axis=1)
        total += np.log(nrm)
        v /= nrm[:, None]
    rates = total / T
    return float(rates.mean()), float(rates.std(ddof=1) / math.sqrt(chains))


# ----------------------------------------------------------------------------- clipping


def clip_by_norm(g: np.ndarray, theta: float) -> np.ndarray:
    r"""Rescale the whole gradient when its norm exceeds $\theta > 0$ (Pascanu et al., 2013).

    $$ \hat g = \begin{cases} \theta\, \dfrac{g}{\lVert g \rVert} & \text{if } \lVert g \rVert > \theta, \\
       g & \text{otherwise,} \end{cases} \qquad \lVert \hat g \rVert = \min(\lVert g \rVert, \theta). $$

    The norm is the Euclidean norm over all entries; the direction never changes.
    """
    g = _gradient(g)
    theta = _threshold(theta)
    nrm = float(np.linalg.norm(g))
    return g * (theta / nrm) if nrm > theta else g.copy()


def clip_by_value(g: np.ndarray, theta: float) -> np.ndarray:
    r"""Clip every entry to $[-\theta, \theta]$, $\theta > 0$: $\hat g_i = \max(-\theta, \min(g_i, \theta))$.

    Entries are clipped independently, so the direction of $g$ changes whenever some but not all
    entries exceed $\theta$.
    """
    g = _gradient(g)
    theta = _threshold(theta)
    return np.clip(g, -theta, theta)


def angle_degrees(u: np.ndarray, v: np.ndarray) -> float:
    r"""Angle between two non-zero arrays, in degrees.

    $$ \angle(u, v) = \arccos \frac{\langle u, v\rangle}{\lVert u \rVert\, \lVert v \rVert} . $$
    """
    if not isinstance(u, np.ndarray) or not isinstance(v, np.ndarray):
        raise ValueError("u and v must be numpy arrays")
    u, v = real("u", u), real("v", v)
    assert isinstance(u, np.ndarray) and isinstance(v, np.ndarray)
    if u.shape != v.shape:
        raise ValueError(f"u and v must have the same shape, got {u.shape} and {v.shape}")
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0 or nv == 0:
        raise ValueError("u and v must be non-zero")
    cos = float(np.sum(u * v) / (nu * nv))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def sigmoid_fixed_point(w: float, iterations: int = 200) -> float:
    r"""The fixed point $h^\star = \sigma(w\, h^\star)$ of a scalar sigmoid recurrence, by iteration ($w \ge 0$).

    For the page's symmetric $W$ the state stays on the diagonal $h = (s, s)$, where
    $s \mapsto \sigma(5 s)$ is a contraction with this fixed point.
    """
    w = real("w", w)
    if isinstance(w, np.ndarray) or w < 0:
        raise ValueError(f"w must be a single number >= 0, got {w!r}")
    iterations = positive_int("iterations", iterations)
    s = 0.5
    for _ in range(iterations):
        s = sigmoid(w * s)
    return s


def first_step_above(base: float, limit: float) -> int:
    r"""Smallest integer $t \ge 0$ with $\text{base}^t > \text{limit}$, for $\text{base} > 1$ and $\text{limit} > 0$."""
    base, limit = real("base", base), real("limit", limit)
    if isinstance(base, np.ndarray) or base <= 1:
        raise ValueError(f"base must be a single number > 1, got {base!r}")
    if isinstance(limit, np.ndarray) or limit <= 0:
        raise ValueError(f"limit must be a single number > 0, got {limit!r}")
    # Exact rational arithmetic: no overflow, no rounding at the boundary.
    b, lim = Fraction(base), Fraction(limit)
    t = max(0, math.floor(math.log(limit) / math.log(base)) - 2)
    while b**t <= lim:
        t += 1
    return t
