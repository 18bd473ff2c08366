# Mean-field signal propagation: the variance and correlation maps of wide random networks, fixed points, depth scales.
r"""Signal propagation through a wide, deep, random fully connected network.

A layer computes $h^l = W^l \phi(h^{l-1}) + b^l$ with independent weights
$W^l_{ij} \sim \mathcal N(0, \sigma_w^2 / n)$ and biases $b^l_i \sim \mathcal N(0, \sigma_b^2)$.
As the width $n$ grows, every pre-activation of a layer becomes Gaussian, and two numbers
follow a deterministic law from layer to layer (Poole et al., 2016): the variance $q^l$ of a
pre-activation, and the correlation $c^l$ between the pre-activations of two inputs. With
$z, z_1, z_2$ independent standard normal variables,

$$ q^l = \sigma_w^2\, \mathbb E\bigl[\phi(\sqrt{q^{l-1}}\, z)^2\bigr] + \sigma_b^2, \qquad
   c^l = \frac{\sigma_w^2\, \mathbb E[\phi(u_1)\phi(u_2)] + \sigma_b^2}{q^l}, $$

where $u_1 = \sqrt q\, z_1$ and $u_2 = \sqrt q\,(c z_1 + \sqrt{1 - c^2}\, z_2)$ at the previous
layer's $q$ and $c$. The slope of the correlation map at $c = 1$,
$\chi_1 = \sigma_w^2\, \mathbb E[\phi'(\sqrt{q^*} z)^2]$, separates the ordered phase
($\chi_1 < 1$, nearby inputs merge) from the chaotic one ($\chi_1 > 1$, they separate); it also
multiplies the mean squared gradient at every layer on the way back (Schoenholz et al., 2017).

Expectations are computed by Gauss–Hermite quadrature: exact for polynomials of degree below
$2N$, and for $\tanh(\sqrt q\, z)$, whose poles at $z = \pm i\pi / (2\sqrt q)$ approach the real
axis as $q$ grows, accurate to $10^{-13}$ at $q \le 1$ and to a few $10^{-10}$ at $q = 3$ with
the default 300 nodes (the tests measure it against adaptive quadrature). The correlation map
uses a product rule of 96 nodes per axis, accurate to about $10^{-9}$ in $\mathcal C$ and
$10^{-7}$ in its slope at $q^* = 1.4$. Every function accepts arrays of $\sigma_w^2$ and
$\sigma_b^2$ that broadcast together.
"""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
from numpy.typing import NDArray

from vgdocs._validate import Real, generator, positive_int, real
from vgdocs.training import MLP

__all__ = [
    "ACTIVATIONS",
    "NODES",
    "chi_1",
    "correlation_map",
    "correlation_map_slope",
    "critical_line",
    "critical_sigma_w2",
    "depth_scales",
    "fixed_point_c",
    "fixed_point_q",
    "gauss_hermite",
    "gaussian_expectation",
    "init_mean_field_mlp",
    "mean_field_trajectory",
    "simulate_pair",
    "variance_map",
    "variance_map_slope",
]

ACTIVATIONS = ("tanh", "relu")
"""The activations whose maps this module computes."""

NODES = 300
"""Gauss–Hermite nodes for one-dimensional expectations."""

PAIR_NODES = 96
"""Gauss–Hermite nodes per axis for the two-dimensional expectations of the correlation map."""

Array = NDArray[np.float64]


# ---------------------------------------------------------------------------- checks


def _activation(activation: object) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
    return str(activation)


def _at_least(name: str, value: object, low: float, *, strict: bool) -> Real:
    out = real(name, value)
    bad = np.asarray(out) <= low if strict else np.asarray(out) < low
    if np.any(bad):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {low:g} everywhere, got {value!r}")
    return out


def _variances(sigma_w2: object, sigma_b2: object) -> tuple[Array, Array]:
    """Broadcast arrays of weight variances (> 0) and bias variances (>= 0)."""
    sw = np.asarray(_at_least("sigma_w2", sigma_w2, 0.0, strict=True), dtype=float)
    sb = np.asarray(_at_least("sigma_b2", sigma_b2, 0.0, strict=False), dtype=float)
    try:
        return tuple(np.broadcast_arrays(sw, sb))  # type: ignore[return-value]
    except ValueError:
        raise ValueError(f"sigma_w2 {sw.shape} and sigma_b2 {sb.shape} must broadcast together") from None


def _out(a: Array) -> Real:
    return float(a) if np.ndim(a) == 0 else a


# ---------------------------------------------------------------------------- quadrature


@cache
def gauss_hermite(nodes: int = NODES) -> tuple[Array, Array]:
    r"""Gauss–Hermite nodes and weights: $\mathbb E f(z) \approx \sum_i w_i f(z_i)$, $z \sim \mathcal N(0, 1)$."""
    nodes = positive_int("nodes", nodes, minimum=2, maximum=360)  # hermegauss overflows beyond ~370
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    z.setflags(write=False)
    w.setflags(write=False)
    return z, w


def _parts(x: Array, activation: str) -> tuple[Array, Array, Array]:
    r"""$\phi(x)$, $\phi'(x)$, $\phi''(x)$; for ReLU $\phi''$ is taken as 0, as $\phi\phi'' = 0$ ($\phi(0) = 0$)."""
    if activation == "tanh":
        t = np.tanh(x)
        s = 1.0 - t * t
        return t, s, -2.0 * t * s
    return np.maximum(x, 0.0), (x > 0).astype(float), np.zeros_like(x)


def _moments(q: Array, activation: str, nodes: int = NODES) -> tuple[Array, Array, Array]:
    r"""$\mathbb E[\phi^2]$, $\mathbb E[\phi'^2]$, $\mathbb E[\phi\phi'']$ at $\sqrt q\, z$, in one pass."""
    z, w = gauss_hermite(nodes)
    f, d1, d2 = _parts(np.sqrt(q)[..., None] * z, activation)
    return (f * f) @ w, (d1 * d1) @ w, (f * d2) @ w


def gaussian_expectation(f, q: Real = 1.0, nodes: int = NODES) -> Real:
    r"""$\mathbb E[f(\sqrt q\, z)] \approx \sum_i w_i f(\sqrt q\, z_i)$, by Gauss–Hermite quadrature."""
    if not callable(f):
        raise ValueError(f"f must be callable, got {type(f).__name__}")
    q = np.asarray(_at_least("q", q, 0.0, strict=False), dtype=float)
    z, w = gauss_hermite(nodes)
    return _out(f(np.sqrt(q)[..., None] * z) @ w)


# ---------------------------------------------------------------------------- the variance map


def variance_map(q: Real, sigma_w2: Real, sigma_b2: Real, activation: str = "tanh") -> Real:
    r"""The length map $\mathcal V(q) = \sigma_w^2\, \mathbb E[\phi(\sqrt q\, z)^2] + \sigma_b^2$."""
    activation = _activation(activation)
    q = np.asarray(_at_least("q", q, 0.0, strict=False), dtype=float)
    sw, sb = _variances(sigma_w2, sigma_b2)
    return _out(sw * _moments(q, activation)[0] + sb)


def variance_map_slope(q: Real, sigma_w2: Real, activation: str = "tanh") -> Real:
    r"""Its slope, $\mathcal V'(q) = \sigma_w^2\, \mathbb E[\phi'(u)^2 + \phi(u)\, \phi''(u)]$ at $u = \sqrt q\, z$."""
    activation = _activation(activation)
    q = np.asarray(_at_least("q", q, 0.0, strict=False), dtype=float)
    sw, _ = _variances(sigma_w2, 0.0)
    _, e1, e2 = _moments(q, activation)
    return _out(sw * (e1 + e2))


def _newton_q(q: Array, sw: Array, sb: Array, live: NDArray[np.intp], nodes: int, tol: float,
              max_iter: int = 400) -> Array:
    for _ in range(max_iter):
        if live.size == 0:
            break
        qa = q[live]
        e0, e1, e2 = _moments(qa, "tanh", nodes)
        g = sw[live] * e0 + sb[live] - qa
        dg = sw[live] * (e1 + e2) - 1.0
        step = np.where(dg < 0.0, g / np.where(dg < 0.0, dg, -1.0), 0.0)
        new = np.maximum(qa - step, 0.0)
        q[live] = new
        live = live[np.abs(new - qa) > tol * np.maximum(qa, 1e-300)]
    return q


def _fixed_point_q(sw: Array, sb: Array, activation: str) -> Array:
    if activation == "relu":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(sw < 2.0, sb / (1.0 - sw / 2.0), np.inf)
    # g(q) = V(q) - q is concave with g(0) = sigma_b^2 >= 0 and g'(0) = sigma_w^2 - 1. Newton from
    # the right end of [0, sigma_w^2 + sigma_b^2] (where g <= 0, as tanh^2 <= 1) decreases
    # monotonically to the largest root; for sigma_b^2 = 0 and sigma_w^2 <= 1 that root is 0.
    # A coarse rule gets close cheaply; the full rule then needs a step or two.
    zero = ((sb == 0.0) & (sw <= 1.0)).ravel()
    q = np.where(zero, 0.0, (sw + sb).ravel())
    live = np.flatnonzero(~zero)
    q = _newton_q(q, sw.ravel(), sb.ravel(), live, 40, 1e-9)
    return _newton_q(q, sw.ravel(), sb.ravel(), live, NODES, 1e-14).reshape(sw.shape)


def fixed_point_q(sigma_w2: Real, sigma_b2: Real, activation: str = "tanh") -> Real:
    r"""The fixed point $q^* = \mathcal V(q^*)$ that iterating the length map reaches from any $q^0 > 0$.

    For tanh it is found by Newton's method (monotone here, because $\mathcal V(q) - q$ is
    concave); it is $0$ when $\sigma_b^2 = 0$ and $\sigma_w^2 \le 1$. For ReLU it is
    $\sigma_b^2 / (1 - \sigma_w^2/2)$ below $\sigma_w^2 = 2$ and infinite from there on.
    """
    activation = _activation(activation)
    sw, sb = _variances(sigma_w2, sigma_b2)
    return _out(_fixed_point_q(sw, sb, activation))


def chi_1(sigma_w2: Real, sigma_b2: Real, activation: str = "tanh") -> Real:
    r"""The slope at the fixed point, $\chi_1 = \sigma_w^2\, \mathbb E\bigl[\phi'(\sqrt{q^*}\, z)^2\bigr]$."""
    activation = _activation(activation)
    sw, sb = _variances(sigma_w2, sigma_b2)
    if activation == "relu":
        return _out(sw / 2.0)
    return _out(sw * _moments(_fixed_point_q(sw, sb, activation), activation)[1])


# ---------------------------------------------------------------------------- the edge of chaos


def critical_line(q_star: Real, activation: str = "tanh") -> tuple[Real, Real]:
    r"""The point $(\sigma_w^2, \sigma_b^2)$ with $\chi_1 = 1$ whose fixed point is $q^*$.

    $$ \sigma_w^2 = \frac{1}{\mathbb E[\phi'(\sqrt{q^*} z)^2]}, \qquad
       \sigma_b^2 = q^* - \sigma_w^2\, \mathbb E[\phi(\sqrt{q^*} z)^2] . $$
    """
    activation = _activation(activation)
    q = np.asarray(_at_least("q_star", q_star, 0.0, strict=False), dtype=float)
    e0, e1, _ = _moments(q, activation)
    sw = 1.0 / e1
    return _out(sw), _out(q - sw * e0)


def critical_sigma_w2(sigma_b2: Real, activation: str = "tanh", iterations: int = 80) -> tuple[Real, Real]:
    r"""The weight variance $\sigma_w^2$ on the edge of chaos $\chi_1(\sigma_w^2, \sigma_b^2) = 1$, and its $q^*$.

    Bisection in $q^*$ on the parametrisation of :func:`critical_line`, along which
    $\sigma_b^2$ increases with $q^*$. For tanh at $\sigma_b^2 = 0$ the answer is $q^* = 0$ and
    $\sigma_w^2 = 1/\tanh'(0)^2 = 1$; ReLU has $\chi_1 = \sigma_w^2/2$, so $\sigma_w^2 = 2$ for
    every $\sigma_b^2$ (with an infinite $q^*$ unless $\sigma_b^2 = 0$).
    """
    activation = _activation(activation)
    target = np.asarray(_at_least("sigma_b2", sigma_b2, 0.0, strict=False), dtype=float)
    iterations = positive_int("iterations", iterations, minimum=1, maximum=200)
    if activation == "relu":
        return _out(np.full(target.shape, 2.0)), _out(np.where(target == 0.0, 0.0, np.inf))
    lo = np.zeros(target.shape)
    hi = np.ones(target.shape)
    for _ in range(60):  # grow the bracket until sigma_b^2(hi) passes the target
        short = critical_line(hi)[1] < target
        if not np.any(short):
            break
        hi = np.where(short, 2.0 * hi, hi)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        below = np.asarray(critical_line(mid)[1]) < target
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    q = np.where(target == 0.0, 0.0, 0.5 * (lo + hi))
    return _out(np.asarray(critical_line(q)[0])), _out(q)


# ---------------------------------------------------------------------------- the correlation map


def _pair_expectations(c: Array, q: Array, activation: str, nodes: int = PAIR_NODES) -> tuple[Array, Array]:
    r"""$\mathbb E[\phi(u_1)\phi(u_2)]$ and $\mathbb E[\phi'(u_1)\phi'(u_2)]$ by a product Gauss–Hermite rule."""
    z, w = gauss_hermite(nodes)
    root = np.sqrt(q)[..., None, None]
    u1 = root * z[:, None]
    u2 = root * (c[..., None, None] * z[:, None] + np.sqrt(np.maximum(1.0 - c * c, 0.0))[..., None, None] * z)
    f1, d1, _ = _parts(u1, activation)
    f2, d2, _ = _parts(u2, activation)
    ww = np.outer(w, w)
    return np.sum(f1 * f2 * ww, axis=(-2, -1)), np.sum(d1 * d2 * ww, axis=(-2, -1))


def _correlation_inputs(c: object, sigma_w2: object, sigma_b2: object, activation: object
                        ) -> tuple[Array, Array, Array, str]:
    activation = _activation(activation)
    c = np.asarray(real("c", c), dtype=float)
    if np.any(np.abs(c) > 1.0):
        raise ValueError(f"c must lie in [-1, 1] everywhere, got {c!r}")
    sw, sb = _variances(sigma_w2, sigma_b2)
    try:
        c, sw, sb = np.broadcast_arrays(c, sw, sb)
    except ValueError:
        raise ValueError(f"c {c.shape} must broadcast with sigma_w2 and sigma_b2 {sw.shape}") from None
    return c, sw, sb, activation


def correlation_map(c: Real, sigma_w2: Real, sigma_b2: Real, activation: str = "tanh") -> Real:
    r"""The correlation map, $\mathcal C(c) = (\sigma_w^2\, \mathbb E[\phi(u_1)\phi(u_2)] + \sigma_b^2) / q^*$."""
    c, sw, sb, activation = _correlation_inputs(c, sigma_w2, sigma_b2, activation)
    q = _fixed_point_q(sw, sb, activation)
    return _out((sw * _pair_expectations(c, q, activation)[0] + sb) / q)


def correlation_map_slope(c: Real, sigma_w2: Real, sigma_b2: Real, activation: str = "tanh") -> Real:
    r"""Its slope, $\chi_c(c) = \mathcal C'(c) = \sigma_w^2\, \mathbb E[\phi'(u_1)\phi'(u_2)]$; $\chi_c(1) = \chi_1$."""
    c, sw, sb, activation = _correlation_inputs(c, sigma_w2, sigma_b2, activation)
    q = _fixed_point_q(sw, sb, activation)
    return _out(sw * _pair_expectations(c, q, activation)[1])


def _fixed_point_c(sw: Array, sb: Array, q: Array, x1: Array, activation: str,
                   tol: float = 1e-13, max_iter: int = 100) -> tuple[Array, Array]:
    c = np.ones(sw.shape)
    chi = x1.astype(float).copy()
    chaotic = np.flatnonzero((x1 > 1.0).ravel())
    if chaotic.size == 0:
        return c, chi
    cf, chif = c.ravel(), chi.ravel()
    swc, sbc, qc = sw.ravel()[chaotic], sb.ravel()[chaotic], q.ravel()[chaotic]
    # g(c) = C(c) - c is convex on [0, 1] (C is a power series in c with non-negative
    # coefficients), g(0) >= 0 and g(1) = 0 with g'(1) = chi_1 - 1 > 0: Newton from c = 0
    # climbs monotonically to the other root c* < 1.
    cc = np.zeros(chaotic.size)
    live = np.arange(chaotic.size)
    for _ in range(max_iter):
        if live.size == 0:
            break
        e, d = _pair_expectations(cc[live], qc[live], activation)
        g = (swc[live] * e + sbc[live]) / qc[live] - cc[live]
        dg = swc[live] * d - 1.0
        new = np.clip(cc[live] - g / np.where(dg < 0.0, dg, -1.0), 0.0, 1.0)
        step = np.abs(new - cc[live])
        cc[live] = new
        live = live[step > tol]
    cf[chaotic] = cc
    chif[chaotic] = swc * _pair_expectations(cc, qc, activation)[1]
    return cf.reshape(sw.shape), chif.reshape(sw.shape)


def fixed_point_c(sigma_w2: Real, sigma_b2: Real, activation: str = "tanh") -> tuple[Real, Real]:
    r"""The stable fixed point $c^* = \mathcal C(c^*)$ and the slope $\chi_c(c^*)$ there.

    In the ordered phase ($\chi_1 \le 1$) $c^* = 1$ and $\chi_c(c^*) = \chi_1$: all inputs end up
    perfectly correlated. In the chaotic phase $c^* < 1$, found by Newton's method from $c = 0$.
    """
    activation = _activation(activation)
    sw, sb = _variances(sigma_w2, sigma_b2)
    q = _fixed_point_q(sw, sb, activation)
    x1 = sw / 2.0 if activation == "relu" else sw * _moments(q, activation)[1]
    c, chi = _fixed_point_c(sw, sb, q, x1, activation)
    return _out(c), _out(chi)


def depth_scales(sigma_w2: Real, sigma_b2: Real, activation: str = "tanh") -> tuple[Real, Real]:
    r"""The depth scales $\xi_q = -1/\ln \mathcal V'(q^*)$ and $\xi_c = -1/\ln \chi_c(c^*)$ (or infinity).

    Near their fixed points, $|q^l - q^*| \propto e^{-l/\xi_q}$ and $|c^l - c^*| \propto e^{-l/\xi_c}$
    (Schoenholz et al., 2017). By Gaussian integration by parts,
    $\mathcal V'(q^*) = \chi_1 + \sigma_w^2\, \mathbb E[\phi''(\sqrt{q^*} z)\, \phi(\sqrt{q^*} z)]$.
    """
    activation = _activation(activation)
    sw, sb = _variances(sigma_w2, sigma_b2)
    q = _fixed_point_q(sw, sb, activation)
    _, e1, e2 = _moments(q, activation)
    _, chi = _fixed_point_c(sw, sb, q, sw * e1, activation)
    with np.errstate(divide="ignore"):
        xi_q = -1.0 / np.log(sw * (e1 + e2))
        xi_c = np.where(chi == 1.0, np.inf, -1.0 / np.log(chi))
    return _out(xi_q), _out(xi_c)


# ---------------------------------------------------------------------------- trajectories and simulation


def mean_field_trajectory(q0: float, c0: float, depth: int, sigma_w2: float, sigma_b2: float,
                          activation: str = "tanh") -> tuple[Array, Array]:
    r"""$(q^l, c^l)$ for $l = 0, \dots, L$ from two inputs of pre-activation variance $q^0$ and correlation $c^0$.

    $q^{l+1} = \mathcal V(q^l)$ and
    $c^{l+1} = \bigl(\sigma_w^2\, \mathbb E[\phi(u_1)\phi(u_2)] + \sigma_b^2\bigr) / q^{l+1}$
    at the current $(q^l, c^l)$: the maps of the module docstring away from their fixed points.
    """
    activation = _activation(activation)
    q0 = float(_at_least("q0", q0, 0.0, strict=True))
    c0 = float(real("c0", c0))
    if abs(c0) > 1.0:
        raise ValueError(f"c0 must lie in [-1, 1], got {c0!r}")
    depth = positive_int("depth", depth, minimum=0, maximum=10_000)
    sw, sb = (float(v) for v in _variances(sigma_w2, sigma_b2))
    q, c = np.empty(depth + 1), np.empty(depth + 1)
    q[0], c[0] = q0, c0
    for layer in range(depth):
        e, _ = _pair_expectations(np.array(c[layer]), np.array(q[layer]), activation)
        q[layer + 1] = sw * _moments(np.array(q[layer]), activation)[0] + sb
        c[layer + 1] = min((sw * float(e) + sb) / q[layer + 1], 1.0)
    return q, c


def simulate_pair(q0: float, c0: float, depth: int, width: int, sigma_w2: Real, sigma_b2: float,
                  rng: np.random.Generator) -> tuple[Array, Array]:
    r"""$(q^l, c^l)$ measured in one random network of finite ``width``, for two inputs.

    The inputs are pre-activations $h^0_a = \sqrt{q^0} z_a$ and
    $h^0_b = \sqrt{q^0}(c^0 z_a + \sqrt{1 - (c^0)^2}\, z_b)$ with standard normal $z_a, z_b$;
    every layer computes $h^l = W^l \tanh(h^{l-1}) + b^l$ with fresh weights and biases, and
    $q^l = \tfrac{1}{2n}(\lVert h^l_a \rVert^2 + \lVert h^l_b \rVert^2)$,
    $c^l = h^l_a \cdot h^l_b / (\lVert h^l_a \rVert\, \lVert h^l_b \rVert)$. An array of
    ``sigma_w2`` runs one network per entry on the same standard normal draws, scaled.
    Returns arrays of shape ``sigma_w2.shape + (depth + 1,)``.
    """
    q0 = float(_at_least("q0", q0, 0.0, strict=True))
    c0 = float(real("c0", c0))
    if abs(c0) > 1.0:
        raise ValueError(f"c0 must lie in [-1, 1], got {c0!r}")
    depth = positive_int("depth", depth, minimum=0, maximum=1000)
    width = positive_int("width", width, minimum=2, maximum=5000)
    sw, sb = _variances(sigma_w2, sigma_b2)
    if sb.ndim and np.ptp(sb) > 0:
        raise ValueError("sigma_b2 must be a single number")
    rng = generator("rng", rng)
    za, zb = rng.standard_normal((2, width))
    h = np.sqrt(q0) * np.stack([za, c0 * za + np.sqrt(1.0 - c0 * c0) * zb])  # (2, n)
    h = np.broadcast_to(h, (*sw.shape, 2, width)).copy()
    scale_w = np.sqrt(sw / width)[..., None, None]
    scale_b = np.sqrt(sb.ravel()[0] if sb.size else 0.0)
    qs, cs = [np.mean(h * h, axis=(-2, -1))], [np.sum(h[..., 0, :] * h[..., 1, :], -1) / np.prod(
        np.linalg.norm(h, axis=-1), axis=-1)]
    for _ in range(depth):
        W = rng.standard_normal((width, width))
        b = rng.standard_normal(width)
        h = scale_w * (np.tanh(h) @ W.T) + scale_b * b
        qs.append(np.mean(h * h, axis=(-2, -1)))
        cs.append(np.sum(h[..., 0, :] * h[..., 1, :], -1) / np.prod(np.linalg.norm(h, axis=-1), axis=-1))
    return np.stack(qs, axis=-1), np.stack(cs, axis=-1)


# ---------------------------------------------------------------------------- networks to train


def init_mean_field_mlp(sizes: list[int], sigma_w2: Array, sigma_b2: float, rng: np.random.Generator,
                        dtype: type = np.float64) -> MLP:
    r"""Tanh classifiers, $W_{ij} \sim \mathcal N(0, \sigma_w^2 / n_{\text{in}})$, $b_i \sim \mathcal N(0, \sigma_b^2)$.

    One network per entry of the 1-D array ``sigma_w2`` (stacked along a leading axis, for
    :func:`vgdocs.training.train` with ``networks=len(sigma_w2)``), all drawn from the same
    standard normal numbers, scaled; the read-out layer is drawn the same way.
    """
    sizes = [positive_int(f"sizes[{i}]", n) for i, n in enumerate(sizes)]
    if len(sizes) < 2:
        raise ValueError(f"sizes must hold at least an input and an output width, got {sizes}")
    sw = np.asarray(_at_least("sigma_w2", sigma_w2, 0.0, strict=True), dtype=float)
    if sw.ndim != 1 or sw.size == 0:
        raise ValueError(f"sigma_w2 must be a non-empty 1-D array, got shape {sw.shape}")
    sb = float(_at_least("sigma_b2", sigma_b2, 0.0, strict=False))
    rng = generator("rng", rng)
    weights, biases = [], []
    for n_in, n_out in itertools.pairwise(sizes):
        z = rng.standard_normal((n_out, n_in))
        weights.append((np.sqrt(sw / n_in)[:, None, None] * z).astype(dtype))
        biases.append(np.broadcast_to(np.sqrt(sb) * rng.standard_normal(n_out), (sw.size, n_out)).astype(dtype))
    return MLP(weights, biases, "tanh")
