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

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from vgdocs._validate import positive_int, real
from vgdocs.activations import SIGMOID_PRIME_MAX, relu, relu_prime, sigmoid, sigmoid_prime, tanh, tanh_prime

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


# ---------------------------------------------------------------------------
# What the exploding-gradients page shows.

from vgdocs.registry import figure, number  # noqa: E402

W_DEMO = np.array([[1.0, 4.0], [4.0, 1.0]])
H0_DEMO = np.array([1.0, 1.0])
T_DEMO = 10
T_PLOT = 20
PROD_D = 4
PROD_T = 100
PROD_SEEDS = (0, 1, 2, 3, 4)
LYAP_T = 2000
LYAP_CHAINS = 100
LYAP_SEED = 0
G_DEMO = np.array([4.0, 1.0])
THETA_DEMO = 1.0


def _traj(activation: str, T: int = T_DEMO) -> Trajectory:
    return plain_recurrence(W_DEMO, H0_DEMO, T, activation)


def _jac(activation: str, T: int = T_DEMO) -> np.ndarray:
    return recurrence_jacobian_norms(_traj(activation, T), W_DEMO)


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


@functools.cache
def _product_norms(variance: float = 1.0) -> np.ndarray:
    return np.array([random_product_log_norms(PROD_D, PROD_T, s, variance)[-1] for s in PROD_SEEDS]) / math.log(10)


@functools.cache
def _lyap() -> tuple[float, float]:
    return lyapunov_estimate(PROD_D, LYAP_T, LYAP_CHAINS, LYAP_SEED)


_EIG = np.linalg.eigvalsh(W_DEMO)  # ascending

number("explode_eig_max", ".0f")(lambda: float(_EIG[-1]))
number("explode_eig_min", ".0f")(lambda: float(_EIG[0]))
number("explode_T", ".0f")(lambda: T_DEMO)
number("explode_relu_h10", ",.0f")(lambda: float(_traj("relu").h[-1, 0]))
number("explode_relu_jac10", ",.0f")(lambda: float(_jac("relu")[-1]))
number("explode_sigmoid_h10", ".4f")(lambda: float(_traj("sigmoid").h[-1, 0]))
number("explode_sigmoid_fixed", ".4f")(lambda: sigmoid_fixed_point(float(_EIG[-1])))
number("explode_sigmoid_slope", ".4f")(lambda: sigmoid_prime(_EIG[-1] * sigmoid_fixed_point(float(_EIG[-1]))))
number("explode_sigmoid_factor", ".4f")(
    lambda: _EIG[-1] * sigmoid_prime(_EIG[-1] * sigmoid_fixed_point(float(_EIG[-1]))))
number("explode_sigmoid_jac10", ".1e")(lambda: float(_jac("sigmoid")[-1]))
number("explode_sigmoid_threshold", ".0f")(lambda: 1.0 / SIGMOID_PRIME_MAX)
number("explode_T_plot", ".0f")(lambda: T_PLOT)
number("explode_relu_jac20", ".1e")(lambda: float(_jac("relu", T_PLOT)[-1]))
number("explode_sigmoid_jac20", ".1e")(lambda: float(_jac("sigmoid", T_PLOT)[-1]))
number("explode_prod_d", ".0f")(lambda: PROD_D)
number("explode_prod_T", ".0f")(lambda: PROD_T)
number("explode_prod_seeds", ".0f")(lambda: len(PROD_SEEDS))
number("explode_prod_min", ".1e")(lambda: 10 ** float(_product_norms().min()))
number("explode_prod_max", ".1e")(lambda: 10 ** float(_product_norms().max()))
number("explode_prod_expected", ".1e")(lambda: math.exp(PROD_T * gaussian_lyapunov_exponent(PROD_D)))
number("explode_ln2", ".4f")(lambda: math.log(2.0))
number("explode_euler", ".4f")(lambda: EULER_GAMMA)
number("explode_psi2", ".4f")(lambda: digamma_half_integer(2))
number("explode_lyap", ".3f")(lambda: gaussian_lyapunov_exponent(PROD_D))
# The same products at the critical scale Var = 1/d, which keeps E||G u||^2 = ||u||^2.
number("explode_lyap_crit", ".3f")(lambda: gaussian_lyapunov_exponent(PROD_D, 1.0 / PROD_D))
number("explode_prod_crit_expected", ".1e")(lambda: math.exp(PROD_T * gaussian_lyapunov_exponent(PROD_D, 1.0 / PROD_D)))
number("explode_prod_crit_min", ".1e")(lambda: 10 ** float(_product_norms(1.0 / PROD_D).min()))
number("explode_prod_crit_max", ".1e")(lambda: 10 ** float(_product_norms(1.0 / PROD_D).max()))
number("explode_lyap_scale_part", ".3f")(lambda: 0.5 * math.log(PROD_D))
number("explode_lyap_growth", ".2f")(lambda: math.exp(gaussian_lyapunov_exponent(PROD_D)))
number("explode_lyap_T", ",.0f")(lambda: LYAP_T)
number("explode_lyap_chains", ".0f")(lambda: LYAP_CHAINS)
number("explode_lyap_sim", ".3f")(lambda: _lyap()[0])
number("explode_lyap_se", ".3f")(lambda: _lyap()[1])
number("explode_theta", ".0f")(lambda: THETA_DEMO)
number("explode_g1", ".0f")(lambda: G_DEMO[0])
number("explode_g2", ".0f")(lambda: G_DEMO[1])
number("explode_g_norm", ".3f")(lambda: float(np.linalg.norm(G_DEMO)))
number("explode_norm_clip1", ".3f")(lambda: clip_by_norm(G_DEMO, THETA_DEMO)[0])
number("explode_norm_clip2", ".3f")(lambda: clip_by_norm(G_DEMO, THETA_DEMO)[1])
number("explode_value_clip1", ".0f")(lambda: clip_by_value(G_DEMO, THETA_DEMO)[0])
number("explode_value_clip2", ".0f")(lambda: clip_by_value(G_DEMO, THETA_DEMO)[1])
number("explode_angle", ".1f")(lambda: angle_degrees(G_DEMO, clip_by_value(G_DEMO, THETA_DEMO)))
number("explode_angle_norm", ".1f")(lambda: angle_degrees(G_DEMO, clip_by_norm(G_DEMO, THETA_DEMO)))
number("explode_vanish_clipped", ".1e")(
    lambda: float(np.linalg.norm(clip_by_norm(np.array([_jac("sigmoid")[-1], 0.0]), THETA_DEMO))))

# Exercises.
EX_G = np.array([3.0, 4.0])
EX_THETA = 2.5
EX_LYAP_T = 100


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


number("explode_ex_f32_max", ".1e")(lambda: float(np.finfo(np.float32).max))
number("explode_ex_f32_t", ".0f")(lambda: first_step_above(float(_EIG[-1]), float(np.finfo(np.float32).max)))
number("explode_ex_f64_t", ".0f")(lambda: first_step_above(float(_EIG[-1]), float(np.finfo(np.float64).max)))
number("explode_ex_lyap1", ".3f")(lambda: gaussian_lyapunov_exponent(1))
number("explode_ex_lyap2", ".3f")(lambda: gaussian_lyapunov_exponent(2))
number("explode_ex_lyap3", ".3f")(lambda: gaussian_lyapunov_exponent(3))
number("explode_ex_lyap1_100", ".1e")(lambda: math.exp(EX_LYAP_T * gaussian_lyapunov_exponent(1)))
number("explode_ex_g1", ".0f")(lambda: EX_G[0])
number("explode_ex_g2", ".0f")(lambda: EX_G[1])
number("explode_ex_g_norm", ".0f")(lambda: float(np.linalg.norm(EX_G)))
number("explode_ex_lyap_T", ".0f")(lambda: EX_LYAP_T)
number("explode_ex_theta", ".1f")(lambda: EX_THETA)
number("explode_ex_norm1", ".1f")(lambda: clip_by_norm(EX_G, EX_THETA)[0])
number("explode_ex_norm2", ".1f")(lambda: clip_by_norm(EX_G, EX_THETA)[1])
number("explode_ex_value1", ".1f")(lambda: clip_by_value(EX_G, EX_THETA)[0])
number("explode_ex_value2", ".1f")(lambda: clip_by_value(EX_G, EX_THETA)[1])
number("explode_ex_angle", ".2f")(lambda: angle_degrees(EX_G, clip_by_value(EX_G, EX_THETA)))
number("explode_ex_value_norm", ".3f")(lambda: float(np.linalg.norm(clip_by_value(EX_G, EX_THETA))))


# ---------------------------------------------------------------------------
# Figures.


@figure("explode-relu-vs-sigmoid", size=(6.4, 3.6))
def draw_relu_vs_sigmoid(fig, theme) -> None:
    """State norms and Jacobian norms of the ReLU and the sigmoid recurrence with the same W."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    t = np.arange(0, T_PLOT + 1)
    # Colour says which activation, marker and line style say which norm. The ReLU pair differ by
    # a constant factor (a fraction of a decade on this axis), so the Jacobian is drawn as open
    # squares around the state's dots and the factor is written beside them.
    for colour, act, name in ((c[1], "relu", "ReLU"), (c[0], "sigmoid", "sigmoid")):
        traj = _traj(act, T_PLOT)
        state = np.linalg.norm(traj.h, axis=1)
        jac = np.concatenate([[1.0], recurrence_jacobian_norms(traj, W_DEMO)])
        ax.plot(t, state, color=colour, marker="o", markersize=3.5, zorder=4,
                label=rf"{name}: state $\Vert h_t \Vert$")
        ax.plot(t, jac, color=colour, linestyle=(0, (4, 3)), linewidth=1.5, marker="s", markersize=7,
                markerfacecolor="none", markeredgewidth=1.2, zorder=3,
                label=rf"{name}: Jacobian $\Vert \partial h_t / \partial h_0 \Vert_2$")
        if act == "relu":
            ratio = state[-1] / jac[-1]
            ax.annotate(f"ReLU: state = {ratio:.2f} × Jacobian\nat every step, so the lines overlap",
                        (t[9], state[9]), xytext=(-6, 22), textcoords="offset points", ha="right",
                        va="bottom", fontsize=8.5, color=theme["fg"],
                        arrowprops={"arrowstyle": "-", "color": theme["muted"], "linewidth": 0.8})
    ax.axhline(1.0, color=theme["muted"], linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xlim(0, T_PLOT)
    ax.set_xticks(range(0, T_PLOT + 1, 5))
    ax.set_xlabel("time step $t$ (dimensionless)")
    ax.set_ylabel("norm (dimensionless)")
    ax.legend(loc="lower left", fontsize=9)


@figure("explode-random-products", size=(6.4, 3.8))
def draw_random_products(fig, theme) -> None:
    """Norms of products of random Gaussian 4x4 matrices at two entry variances, with the Lyapunov lines."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    t = np.arange(1, PROD_T + 1)
    for variance, colour, name in ((1.0, c[0], "1"), (1.0 / PROD_D, c[1], f"1/{PROD_D}")):
        for i, seed in enumerate(PROD_SEEDS):
            ax.plot(t, np.exp(random_product_log_norms(PROD_D, PROD_T, seed, variance)), color=colour,
                    linewidth=1.2, label=f"entries of variance {name}, {len(PROD_SEEDS)} seeds" if i == 0 else None)
        lam = gaussian_lyapunov_exponent(PROD_D, variance)
        ax.plot(t, np.exp(lam * t), color=theme["fg"], linestyle=(0, (4, 3)), linewidth=1.4,
                label=rf"$e^{{\lambda_1 t}}$, $\lambda_1 = {lam:.3f}$")
    ax.axhline(1.0, color=theme["muted"], linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xlim(0, PROD_T)
    ax.set_xlabel("number of factors $t$ (dimensionless)")
    ax.set_ylabel(r"$\Vert G_t \cdots G_1 \Vert_2$ (dimensionless)")
    ax.legend(loc="upper left", fontsize=9)


@figure("explode-clipping", size=(6.4, 3.5))
def draw_clipping(fig, theme) -> None:
    """A 2-D gradient, its norm-clipped and value-clipped versions, the circle and the box of radius theta."""
    from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

    ax = fig.add_subplot()
    c = theme["cycle"]
    th = THETA_DEMO
    ax.add_patch(Circle((0, 0), th, fill=False, edgecolor=c[0], linestyle=(0, (4, 3)), linewidth=1.2,
                        label=r"$\Vert \hat g \Vert \leq \theta$ (norm clipping)"))
    ax.add_patch(Rectangle((-th, -th), 2 * th, 2 * th, fill=False, edgecolor=c[1], linestyle=(0, (1, 2)),
                           linewidth=1.4, label=r"$|\hat g_i| \leq \theta$ (value clipping)"))
    arrows = (
        (G_DEMO, theme["fg"], "gradient $g$"),
        (clip_by_norm(G_DEMO, th), c[0], "clipped by norm"),
        (clip_by_value(G_DEMO, th), c[1], "clipped by value"),
    )
    for vec, colour, label in arrows:
        ax.add_patch(FancyArrowPatch((0, 0), tuple(vec), arrowstyle="-|>", mutation_scale=14, color=colour,
                                     linewidth=2.0, label=label, shrinkA=0, shrinkB=0))
    turn = angle_degrees(G_DEMO, clip_by_value(G_DEMO, th))
    ax.annotate(f"value clipping turns the\ngradient by {turn:.0f}°", xy=(0.72, 0.72), xytext=(1.5, 1.15),
                color=theme["fg"], fontsize=9, arrowprops={"arrowstyle": "->", "color": theme["muted"]})
    ax.set_aspect("equal")
    ax.set_xlim(-1.4, 4.4)
    ax.set_ylim(-1.6, 1.6)
    ax.set_xlabel("gradient component $g_1$ (dimensionless)")
    ax.set_ylabel("component $g_2$ (dimensionless)")
    ax.legend(loc="lower right", fontsize=8.5)
