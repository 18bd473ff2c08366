# Dynamical isometry: all singular values of a deep network's input-output Jacobian, without under- or overflow.
r"""The input–output Jacobian of a deep random network at initialisation, and all its singular values.

A network $h^l = W^l \phi(h^{l-1}) + b^l$, $l = 1, \dots, L$, maps a small change of its input
$x^0 = \phi(h^0)$ to a change of its output $x^L = \phi(h^L)$ through

$$ J = \frac{\partial x^L}{\partial x^0} = D^L W^L D^{L-1} W^{L-1} \cdots D^1 W^1, \qquad
   D^l = \operatorname{diag} \phi'(h^l) . $$

*Dynamical isometry* (Saxe, McClelland and Ganguli, 2014; Pennington, Schoenholz and Ganguli,
2017) means that every singular value of $J$ is close to one, so that the gradient of every
direction reaches the input at the same size.

A product of a hundred such matrices has singular values spread over hundreds of orders of
magnitude, and ``numpy.linalg.svd`` of the product formed in float64 resolves only those above
about $10^{-16}$ times the largest. :func:`jacobian_log_singular_values` never forms $J$:

1. units with $\phi' = 0$ (inactive ReLUs) are removed, so exact zero singular values are counted,
   not computed;
2. orthogonal iteration runs through $J$, back through $J^\top$ and through $J$ again, with a QR
   factorisation every few layers, so that $J V = U R$ with orthonormal $V$, $U$ and a product
   $R = R_m \cdots R_1$ of triangular factors whose singular values are those of $J$;
3. $R$ is accumulated as $\operatorname{diag}(e^{\ell})\, T$, row scales kept as logarithms and $T$
   with unit rows, so nothing overflows or underflows;
4. one-sided Jacobi rotations make the rows of $\operatorname{diag}(e^{\ell})\,T$ orthogonal while
   working only with $T$ and the differences $\ell_j - \ell_i$; the singular values are then the
   row norms, and Jacobi computes them to high relative accuracy for such row-graded matrices.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from vgdocs._validate import array, generator, non_negative, positive, positive_int
from vgdocs.initialisation import orthogonal

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "JacobianSpectrum",
    "forward_slopes",
    "input_output_jacobian",
    "jacobi_log_singular_values",
    "jacobian_log_singular_values",
    "jacobian_spectrum",
    "mean_squared_singular_value",
    "random_network",
    "relu_rnn_gradient_norms",
    "spectrum_summary",
]

ACTIVATIONS = ("tanh", "relu", "linear")
"""The activations of the networks this module builds."""

INITS = ("gaussian", "orthogonal")
r"""Weight draws: $W_{ij} \sim \mathcal N(0, \sigma_w^2/n)$, or $\sigma_w Q$ with $Q$ Haar orthogonal."""

Array = NDArray[np.float64]


# ---------------------------------------------------------------------------- checks


def _activation(activation: object) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
    return str(activation)


def _layers(weights: object, slopes: object) -> tuple[Array, Array]:
    """Weights (L, n, n) and slopes (L, n) of a square network, checked."""
    ws = array("weights", weights, 3)
    ds = array("slopes", slopes, 2)
    L, n, m = ws.shape
    if n != m:
        raise ValueError(f"weights must be square matrices, shape (L, n, n), got {ws.shape}")
    if ds.shape != (L, n):
        raise ValueError(f"slopes must have shape {(L, n)} (one row of phi' per layer), got {ds.shape}")
    return ws, ds


def _phi(activation: str, h: Array) -> tuple[Array, Array]:
    if activation == "tanh":
        t = np.tanh(h)
        return t, 1.0 - t * t
    if activation == "relu":
        return np.maximum(h, 0.0), (h > 0.0).astype(float)
    return h, np.ones_like(h)


# ---------------------------------------------------------------------------- networks


def random_network(depth: int, width: int, sigma_w2: float, sigma_b2: float, init: str,
                   rng: np.random.Generator) -> tuple[Array, Array]:
    r"""Weights (L, n, n) and biases (L, n) of a random square network; $b^l_i \sim \mathcal N(0, \sigma_b^2)$.

    ``init="gaussian"``: $W^l_{ij} \sim \mathcal N(0, \sigma_w^2/n)$; ``init="orthogonal"``:
    $W^l = \sigma_w Q^l$ with Haar-distributed $Q^l$ (:func:`vgdocs.initialisation.orthogonal`), so
    every singular value of every layer's weights is $\sigma_w$. The weights are drawn first, layer by
    layer, then the biases.
    """
    depth = positive_int("depth", depth, maximum=2000)
    width = positive_int("width", width, maximum=2000)
    sigma_w2 = positive("sigma_w2", sigma_w2)
    sigma_b2 = non_negative("sigma_b2", sigma_b2)
    if init not in INITS:
        raise ValueError(f"init must be one of {list(INITS)}, got {init!r}")
    rng = generator("rng", rng)
    if init == "gaussian":
        weights = np.sqrt(sigma_w2 / width) * rng.standard_normal((depth, width, width))
    else:
        weights = np.stack([orthogonal(width, width, rng, np.sqrt(sigma_w2)) for _ in range(depth)])
    return weights, np.sqrt(sigma_b2) * rng.standard_normal((depth, width))


def forward_slopes(weights: Array, biases: Array, h0: Array, activation: str) -> Array:
    r"""The slopes $\phi'(h^l)$, $l = 1, \dots, L$, of the forward pass $h^l = W^l \phi(h^{l-1}) + b^l$ from $h^0$.

    Returns shape (L, n): row $l - 1$ is the diagonal of $D^l$.
    """
    activation = _activation(activation)
    ws = array("weights", weights, 3)
    bs = array("biases", biases, 2)
    h = array("h0", h0, 1)
    L, n, m = ws.shape
    if n != m or bs.shape != (L, n) or h.shape != (n,):
        raise ValueError(f"weights (L, n, n), biases (L, n) and h0 (n,) must agree, got {ws.shape}, "
                         f"{bs.shape} and {h.shape}")
    slopes = np.empty((L, n))
    x, _ = _phi(activation, h)
    for layer in range(L):
        h = ws[layer] @ x + bs[layer]
        x, slopes[layer] = _phi(activation, h)
    return slopes


def input_output_jacobian(weights: Array, slopes: Array) -> Array:
    r"""The explicit product $J = D^L W^L \cdots D^1 W^1$ in float64 (accurate only where $J$ is well conditioned)."""
    ws, ds = _layers(weights, slopes)
    J = np.eye(ws.shape[1])
    for W, d in zip(ws, ds, strict=True):
        J = d[:, None] * (W @ J)
    return J


# ---------------------------------------------------------------------------- accurate singular values


@cache
def _round_robin(n: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Row pairs for the n - 1 rounds of a round-robin tournament on an even n (the circle method)."""
    idx = np.arange(n)
    first, second = [], []
    for _ in range(n - 1):
        first.append(idx[: n // 2].copy())
        second.append(idx[n // 2:][::-1].copy())
        idx = np.concatenate([idx[:1], idx[-1:], idx[1:-1]])
    return np.array(first), np.array(second)


def jacobi_log_singular_values(log_scale: Array, T: Array, tol: float | None = None, max_sweeps: int = 60) -> Array:
    r"""Logs of the singular values of $M = \operatorname{diag}(e^{\ell})\, T$, by one-sided Jacobi, descending.

    For rows $i, j$ with $a = \lVert t_i \rVert^2$, $b = \lVert t_j \rVert^2$, $g = t_i \cdot t_j$ and
    $\rho = e^{\ell_j - \ell_i} \le 1$, the rotation by $\theta$ with
    $\tan\theta = \operatorname{sign}(u)\, \rho / (|u| + \sqrt{\rho^2 + u^2})$, $u = (\rho^2 b - a)/(2g)$,
    makes rows $i$ and $j$ of $M$ orthogonal; it is applied as
    $t_i \leftarrow \cos\theta\, t_i - \rho \sin\theta\, t_j$,
    $t_j \leftarrow (\sin\theta / \rho)\, t_i + \cos\theta\, t_j$, where $\sin\theta/\rho$ stays of order one
    even when $\rho$ underflows. When all rows are orthogonal (every $|\cos|$ between two rows below
    ``tol``, by default $n \epsilon$ for rows of length $n$), $\ln s_i = \ell_i + \ln \lVert t_i \rVert$.
    """
    T = array("T", T, 2).copy()
    ell = array("log_scale", log_scale, 1).copy()
    if ell.shape != (T.shape[0],):
        raise ValueError(f"log_scale must have one entry per row of T ({T.shape[0]}), got {ell.shape}")
    k = T.shape[0]
    tol = T.shape[1] * np.finfo(float).eps if tol is None else positive("tol", tol)
    if k % 2:  # an odd count gets a zero row that never rotates
        T = np.vstack([T, np.zeros((1, T.shape[1]))])
        ell = np.append(ell, ell.min())
    firsts, seconds = _round_robin(T.shape[0])
    for _ in range(max_sweeps):
        worst = 0.0
        for i0, j0 in zip(firsts, seconds, strict=True):
            swap = ell[j0] > ell[i0]  # i is the row with the larger scale
            i, j = np.where(swap, j0, i0), np.where(swap, i0, j0)
            ti, tj = T[i], T[j]
            a = np.einsum("ij,ij->i", ti, ti)
            b = np.einsum("ij,ij->i", tj, tj)
            g = np.einsum("ij,ij->i", ti, tj)
            with np.errstate(divide="ignore", invalid="ignore"):
                cos_angle = np.nan_to_num(np.abs(g) / np.sqrt(a * b))
            worst = max(worst, float(cos_angle.max(initial=0.0)))
            act = cos_angle > tol
            if not np.any(act):
                continue
            i, j, ti, tj, a, b, g = i[act], j[act], ti[act], tj[act], a[act], b[act], g[act]
            rho = np.exp(ell[j] - ell[i])
            u = (rho * rho * b - a) / (2.0 * g)
            tan_over_rho = np.sign(u) / (np.abs(u) + np.sqrt(rho * rho + u * u))
            tan = rho * tan_over_rho
            cos = 1.0 / np.sqrt(1.0 + tan * tan)
            T[i] = cos[:, None] * ti - (tan * cos * rho)[:, None] * tj
            T[j] = (tan_over_rho * cos)[:, None] * ti + cos[:, None] * tj
        if worst <= tol:
            break
    with np.errstate(divide="ignore"):
        logs = ell + 0.5 * np.log(np.einsum("ij,ij->i", T, T))
    return np.sort(logs)[::-1][:k]


def _active_factors(ws: Array, ds: Array) -> list[Array]:
    r"""Per layer, $\operatorname{diag}(\phi'_{A}) W^l_{A, A'}$ on the active units $A$ (and $A'$ below)."""
    previous = np.arange(ws.shape[2])
    out = []
    for W, d in zip(ws, ds, strict=True):
        active = np.flatnonzero(d != 0.0)
        out.append(d[active, None] * W[np.ix_(active, previous)])
        previous = active
    return out


def _sweep(factors: list[Array], X: Array, qr_every: int, transpose: bool, accumulate: bool
           ) -> tuple[Array, Array | None, Array | None]:
    """X <- F_m ... F_1 X with a QR every ``qr_every`` factors; with ``accumulate`` also the scaled R product."""
    sequence = [F.T for F in reversed(factors)] if transpose else factors
    ell: Array | None = None
    T: Array | None = None
    since = 0
    for step, F in enumerate(sequence):
        X = F @ X
        since += 1
        if since < qr_every and step < len(sequence) - 1 and X.shape[0] >= X.shape[1]:
            continue
        X, R = np.linalg.qr(X)
        since = 0
        if not accumulate:
            continue
        if T is None or ell is None:
            N = R
            ell = np.zeros(R.shape[0])
        else:
            # R diag(e^ell) T = diag(e^ell[:k]) (R_ij e^(ell_j - ell_i)) T, on and above R's diagonal
            k = R.shape[0]
            with np.errstate(over="ignore", under="ignore"):
                E = np.exp(np.minimum(ell[None, :] - ell[:k, None], 700.0))
            N = np.triu(R) * np.triu(E) @ T
            ell = ell[:k]
        norms = np.linalg.norm(N, axis=1)
        with np.errstate(divide="ignore"):
            ell = ell + np.log(norms)
        T = N / np.where(norms > 0.0, norms, 1.0)[:, None]
    return X, ell, T


def jacobian_log_singular_values(weights: Array, slopes: Array, qr_every: int = 3, passes: int = 3,
                                 direct_below: float = 1e6) -> Array:
    r"""Natural logs of all $n$ singular values of $J = D^L W^L \cdots D^1 W^1$, descending; $-\infty$ for exact zeros.

    The steps of the module docstring. ``qr_every`` layers pass between QR factorisations: a
    group of layers must keep its condition number well below $10^{16}$ (for Gaussian tanh layers
    of width 200 one layer spans about three orders of magnitude, so three layers are safe).
    ``passes`` is odd: $J$, $J^\top$, $J$, ...; the last pass yields the triangular product.
    Where no slope is zero and the explicit product has a condition number below
    ``direct_below``, its SVD is already accurate (relative error about $10^{-16}$ times the
    condition number) and is returned instead; ``direct_below=0`` always takes the long route.
    """
    ws, ds = _layers(weights, slopes)
    qr_every = positive_int("qr_every", qr_every, maximum=ws.shape[0])
    passes = positive_int("passes", passes, maximum=9)
    if passes % 2 == 0:
        raise ValueError(f"passes must be odd (the last one runs through J), got {passes}")
    if direct_below < 0:
        raise ValueError(f"direct_below must be >= 0, got {direct_below!r}")
    n = ws.shape[1]
    if direct_below > 0 and np.all(ds != 0.0):
        s = np.linalg.svd(input_output_jacobian(ws, ds), compute_uv=False)
        if s[-1] > 0.0 and s[0] < direct_below * s[-1]:
            return np.log(s)
    factors = _active_factors(ws, ds)
    if min(F.shape[0] for F in factors) == 0:
        return np.full(n, -np.inf)
    X = np.eye(n)
    ell = T = None
    for p in range(passes):
        X, ell, T = _sweep(factors, X, qr_every, transpose=p % 2 == 1, accumulate=p == passes - 1)
    assert ell is not None and T is not None
    logs = jacobi_log_singular_values(ell, T)
    return np.concatenate([logs, np.full(n - logs.size, -np.inf)])


def mean_squared_singular_value(log_s: Array) -> float:
    r"""$\frac1n \sum_i s_i^2 = \frac1n \operatorname{tr} J J^\top$ from the logs of the singular values."""
    log_s = np.asarray(log_s, dtype=float)
    if log_s.ndim != 1 or log_s.size == 0 or np.any(np.isnan(log_s)) or np.any(log_s == np.inf):
        raise ValueError("log_s must be a non-empty 1-D array of logs of singular values (-inf allowed)")
    top = float(np.max(log_s))
    if top == -np.inf:
        return 0.0
    return float(np.exp(2.0 * top) * np.mean(np.exp(2.0 * (log_s - top))))


# ---------------------------------------------------------------------------- the experiment


@dataclass(frozen=True)
class JacobianSpectrum:
    """Singular values of one network's Jacobian: their base-10 logs and a summary."""

    log10_s: Array
    """All $n$ singular values as $\\log_{10} s$, descending; $-\\infty$ for exact zeros."""
    log10_max: float
    log10_median: float
    """Median over all $n$ values ($-\\infty$ if more than half are zero)."""
    log10_median_nonzero: float
    log10_min_nonzero: float
    zeros: int
    """How many singular values are exactly zero (units inactive in some layer)."""
    mean_square: float
    r"""$\frac1n \sum_i s_i^2$."""

    @property
    def spread(self) -> float:
        r"""$\log_{10}$ of the largest over the median nonzero singular value."""
        return self.log10_max - self.log10_median_nonzero


def spectrum_summary(log_s: Array) -> JacobianSpectrum:
    """The :class:`JacobianSpectrum` of natural-log singular values ``log_s`` (as returned above)."""
    log_s = np.sort(np.asarray(log_s, dtype=float))[::-1]
    mean_square = mean_squared_singular_value(log_s)
    l10 = log_s / np.log(10.0)
    nonzero = l10[np.isfinite(l10)]
    return JacobianSpectrum(l10, float(l10[0]), float(np.median(l10)), float(np.median(nonzero)),
                            float(nonzero[-1]), int(l10.size - nonzero.size), mean_square)


def jacobian_spectrum(depth: int, width: int, sigma_w2: float, sigma_b2: float, activation: str, init: str,
                      q0: float, seed: int, qr_every: int = 3) -> JacobianSpectrum:
    r"""The Jacobian spectrum of one random network (:func:`random_network`) at an input $h^0 \sim \mathcal N(0, q^0)$.

    Every draw comes from ``numpy.random.default_rng(seed)``: weights, biases, then $h^0$.
    Choosing $q^0 = q^*$ starts the network at its mean-field fixed point.
    """
    q0 = positive("q0", q0)
    seed = positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    weights, biases = random_network(depth, width, sigma_w2, sigma_b2, init, rng)
    h0 = np.sqrt(q0) * rng.standard_normal(width)
    slopes = forward_slopes(weights, biases, h0, activation)
    return spectrum_summary(jacobian_log_singular_values(weights, slopes, qr_every))


# ---------------------------------------------------------------------------- recurrent networks


def relu_rnn_gradient_norms(W_hh: Array, W_xh: Array, xs: Array, r: Array) -> tuple[Array, Array]:
    r"""$\lVert \partial \ell / \partial h_{T-k} \rVert$ in $h_t = \operatorname{relu}(W_{hh} h_{t-1} + W_{xh} x_t)$.

    The loss is $\ell = r^\top h_T$, and the gradient is carried back by
    $\partial \ell / \partial h_{t-1} = W_{hh}^\top D_t\, \partial \ell / \partial h_t$ with
    $D_t = \operatorname{diag}[W_{hh} h_{t-1} + W_{xh} x_t > 0]$. Also returns the fraction of active
    units at each step $t = 1, \dots, T$. ``xs`` has shape (T, D); $h_0 = 0$.
    """
    W = array("W_hh", W_hh, 2)
    U = array("W_xh", W_xh, 2)
    X = array("xs", xs, 2)
    r = array("r", r, 1)
    n = W.shape[0]
    if W.shape != (n, n) or U.shape[0] != n or X.shape[1] != U.shape[1] or r.shape != (n,):
        raise ValueError(f"W_hh (n, n), W_xh (n, D), xs (T, D) and r (n,) must agree, got {W.shape}, "
                         f"{U.shape}, {X.shape} and {r.shape}")
    T = X.shape[0]
    drive = X @ U.T
    h = np.zeros(n)
    masks = np.empty((T, n), dtype=bool)
    for t in range(T):
        a = W @ h + drive[t]
        masks[t] = a > 0.0
        h = np.where(masks[t], a, 0.0)
    g = r.copy()
    norms = np.empty(T)
    for k in range(T):
        norms[k] = np.linalg.norm(g)
        g = W.T @ (g * masks[T - 1 - k])
    return norms, masks.mean(axis=1)
