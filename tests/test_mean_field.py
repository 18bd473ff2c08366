# Mean-field maps against adaptive quadrature, scipy's root-finder, iterated maps and simulated wide networks.
"""Tests for vgdocs.mean_field.

The package computes every expectation by Gauss–Hermite quadrature. The references here are
independent: scipy's adaptive quadrature (``quad``, ``dblquad``) and root-finder (``brentq``),
closed forms for ReLU, central differences, the measured decay of iterated maps, and networks
of finite width simulated with plain matrix products.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import dblquad, quad
from scipy.optimize import brentq

from vgdocs.mean_field import (
    chi_1,
    correlation_map,
    correlation_map_slope,
    critical_line,
    critical_sigma_w2,
    depth_scales,
    fixed_point_c,
    fixed_point_q,
    gauss_hermite,
    gaussian_expectation,
    init_mean_field_mlp,
    mean_field_trajectory,
    simulate_pair,
    variance_map,
    variance_map_slope,
)


def _normal_quad(f, q: float) -> float:
    """E f(sqrt(q) z) by adaptive quadrature on [-12, 12] (the tails beyond weigh < 1e-32)."""
    g = lambda z: f(math.sqrt(q) * z) * math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # noqa: E731
    return quad(g, -12.0, 12.0, epsabs=1e-14, epsrel=1e-13, limit=400)[0]


def _tanh2(x: float) -> float:
    return math.tanh(x) ** 2


def _tanh_prime2(x: float) -> float:
    return (1.0 - math.tanh(x) ** 2) ** 2


def _q_star_scipy(sw2: float, sb2: float) -> float:
    """q* = V(q*) by brentq on adaptive-quadrature V (bracket [1e-9, sw2 + sb2])."""
    return brentq(lambda q: sw2 * _normal_quad(_tanh2, q) + sb2 - q, 1e-9, sw2 + sb2, xtol=1e-15, rtol=1e-14)


# --- quadrature ---------------------------------------------------------------------------------


def test_gauss_hermite_rule_integrates_gaussian_moments_exactly():
    z, w = gauss_hermite(40)
    assert w.sum() == pytest.approx(1.0, abs=1e-15)
    for k in range(0, 30):  # E z^(2k) = (2k - 1)!!, exact up to degree 2N - 1 = 79
        moment = math.prod(range(1, 2 * k, 2))
        assert np.sum(w * z ** (2 * k)) == pytest.approx(moment, rel=1e-11)
        assert abs(np.sum(w * z ** (2 * k + 1))) < 1e-12 * max(moment, 1.0)


@pytest.mark.parametrize(("q", "tol"), [(0.01, 1e-14), (0.57, 1e-14), (1.0, 1e-13), (2.2, 1e-10), (3.0, 5e-10)])
def test_gaussian_expectation_matches_adaptive_quadrature(q, tol):
    """Gauss-Hermite loses accuracy as tanh's poles approach the real axis (larger q)."""
    got = gaussian_expectation(lambda x: np.tanh(x) ** 2, q)
    assert got == pytest.approx(_normal_quad(_tanh2, q), abs=tol)
    got = gaussian_expectation(lambda x: (1 - np.tanh(x) ** 2) ** 2, q)
    assert got == pytest.approx(_normal_quad(_tanh_prime2, q), abs=tol)


def test_gaussian_expectation_broadcasts_over_q():
    qs = np.array([[0.1, 1.0], [2.0, 3.0]])
    got = gaussian_expectation(lambda x: x**2, qs)
    np.testing.assert_allclose(got, qs, rtol=1e-13)  # E (sqrt(q) z)^2 = q


# --- length map and its fixed point -------------------------------------------------------------


def test_variance_map_tanh_and_relu():
    for q in (0.2, 1.3):
        assert variance_map(q, 1.7, 0.05) == pytest.approx(1.7 * _normal_quad(_tanh2, q) + 0.05, abs=1e-11)
        assert variance_map(q, 1.7, 0.05, "relu") == pytest.approx(1.7 * q / 2 + 0.05, rel=1e-13)
    assert variance_map(0.0, 1.5, 0.05) == 0.05


def test_variance_map_slope_is_the_derivative():
    for q, sw2 in ((0.3, 1.2), (0.57, 1.76), (1.4, 3.0)):
        h = 1e-5
        fd = (variance_map(q + h, sw2, 0.05) - variance_map(q - h, sw2, 0.05)) / (2 * h)
        assert variance_map_slope(q, sw2) == pytest.approx(fd, rel=1e-7)
    assert variance_map_slope(0.8, 1.5, "relu") == pytest.approx(0.75, rel=1e-14)


@pytest.mark.parametrize(("sw2", "sb2"), [(0.5, 0.05), (1.0, 0.05), (1.76, 0.05), (3.0, 0.05), (1.5, 0.0),
                                          (2.5, 0.3)])
def test_fixed_point_q_against_brentq(sw2, sb2):
    assert fixed_point_q(sw2, sb2) == pytest.approx(_q_star_scipy(sw2, sb2), rel=1e-10)


def test_fixed_point_q_is_where_iteration_goes():
    q = 2.0
    for _ in range(300):
        q = variance_map(q, 2.0, 0.05)
    assert fixed_point_q(2.0, 0.05) == pytest.approx(q, rel=1e-12)


def test_fixed_point_q_special_cases_and_broadcasting():
    assert fixed_point_q(0.9, 0.0) == 0.0  # tanh without biases and sigma_w^2 <= 1
    assert fixed_point_q(1.5, 0.1, "relu") == pytest.approx(0.1 / (1 - 0.75), rel=1e-14)
    assert fixed_point_q(2.5, 0.1, "relu") == math.inf
    grid = fixed_point_q(np.array([[1.0], [2.0]]), np.array([0.0, 0.05, 0.1]))
    assert grid.shape == (2, 3)
    assert grid[1, 2] == pytest.approx(fixed_point_q(2.0, 0.1), rel=1e-13)


def test_chi_1_against_quadrature():
    for sw2, sb2 in ((1.0, 0.05), (3.0, 0.05), (2.0, 0.2)):
        q = _q_star_scipy(sw2, sb2)
        assert chi_1(sw2, sb2) == pytest.approx(sw2 * _normal_quad(_tanh_prime2, q), rel=1e-9)
    assert chi_1(0.7, 0.0) == pytest.approx(0.7, rel=1e-14)  # q* = 0: chi_1 = sigma_w^2 tanh'(0)^2
    assert chi_1(1.6, 0.3, "relu") == 0.8


# --- the edge of chaos --------------------------------------------------------------------------


def _chi_scipy(sw2: float, sb2: float) -> float:
    return sw2 * _normal_quad(_tanh_prime2, _q_star_scipy(sw2, sb2))


def test_critical_sigma_w2_against_an_independent_root_finder():
    """brentq on chi_1 - 1, with q* from brentq and every expectation from adaptive quadrature."""
    sw2, q = critical_sigma_w2(0.05)
    ref = brentq(lambda s: _chi_scipy(s, 0.05) - 1.0, 1.2, 3.0, xtol=1e-12)
    assert sw2 == pytest.approx(ref, abs=1e-8)
    assert q == pytest.approx(_q_star_scipy(ref, 0.05), abs=1e-8)
    # the values the issue quotes for tanh: sigma_w^2 ~ 1.76 with q* ~ 0.57 at sigma_b^2 = 0.05
    assert round(sw2, 2) == 1.76 and round(q, 2) == 0.57


def test_critical_sigma_w2_without_bias_is_one():
    sw2, q = critical_sigma_w2(0.0)
    assert sw2 == 1.0 and q == 0.0
    # and just inside: sigma_w^2 slightly above one is chaotic, slightly below ordered
    assert chi_1(0.999, 0.0) < 1.0 < chi_1(1.01, 0.0)


def test_critical_sigma_w2_vectorised_and_on_the_line():
    sb2 = np.array([0.01, 0.1, 0.3])
    sw2, q = critical_sigma_w2(sb2)
    np.testing.assert_allclose(chi_1(sw2, sb2), 1.0, atol=1e-10)
    np.testing.assert_allclose(fixed_point_q(sw2, sb2), q, rtol=1e-9)
    assert np.all(np.diff(sw2) > 0)
    assert critical_sigma_w2(0.3, "relu") == (2.0, math.inf)


def test_critical_line_parametrisation():
    for q in (1 / 64, 0.5, 1.5):
        sw2, sb2 = critical_line(q)
        assert fixed_point_q(sw2, sb2) == pytest.approx(q, rel=1e-9)
        assert chi_1(sw2, sb2) == pytest.approx(1.0, abs=1e-10)
    # near the origin: sigma_w^2 = 1 + 2 q* + O(q*^2) and sigma_b^2 = O(q*^3) (series of tanh)
    sw2, sb2 = critical_line(1e-3)
    assert sw2 - 1 == pytest.approx(2e-3, rel=0.01)
    assert 0 < sb2 < 1e-8


# --- the correlation map --------------------------------------------------------------------------


def _pair_quad(f, q: float, c: float) -> float:
    s = math.sqrt(1 - c * c)
    r = math.sqrt(q)
    g = lambda z2, z1: (f(r * z1) * f(r * (c * z1 + s * z2))  # noqa: E731
                        * math.exp(-0.5 * (z1 * z1 + z2 * z2)) / (2 * math.pi))
    return dblquad(g, -9.0, 9.0, -9.0, 9.0, epsabs=1e-11, epsrel=1e-10)[0]


def test_correlation_map_against_double_quadrature():
    sw2, sb2 = 2.5, 0.05
    q = _q_star_scipy(sw2, sb2)
    for c in (0.2, 0.7):
        ref = (sw2 * _pair_quad(math.tanh, q, c) + sb2) / q
        assert correlation_map(c, sw2, sb2) == pytest.approx(ref, abs=1e-8)
    ref = sw2 * _pair_quad(lambda x: 1 - math.tanh(x) ** 2, q, 0.4)
    assert correlation_map_slope(0.4, sw2, sb2) == pytest.approx(ref, abs=1e-8)


def test_correlation_map_fixes_one_and_its_slope_there_is_chi_1():
    for sw2 in (1.0, 3.0):
        # the 96 x 96 product rule against the 300-node rule behind q* and chi_1: at q* = 1.4
        # they differ by ~2e-9 in C and ~1e-7 in its slope (tanh' is the less smooth integrand)
        assert correlation_map(1.0, sw2, 0.05) == pytest.approx(1.0, abs=1e-8)
        assert correlation_map_slope(1.0, sw2, 0.05) == pytest.approx(chi_1(sw2, 0.05), rel=1e-6)
    c = np.linspace(0.1, 0.9, 5)
    h = 1e-6
    fd = (correlation_map(c + h, 3.0, 0.05) - correlation_map(c - h, 3.0, 0.05)) / (2 * h)
    np.testing.assert_allclose(correlation_map_slope(c, 3.0, 0.05), fd, rtol=1e-6)


def test_fixed_point_c_ordered_and_chaotic():
    c, chi = fixed_point_c(1.0, 0.05)
    assert c == 1.0 and chi == pytest.approx(chi_1(1.0, 0.05), rel=1e-14)
    c, chi = fixed_point_c(3.0, 0.05)
    assert 0 < c < 1
    assert correlation_map(c, 3.0, 0.05) == pytest.approx(c, abs=1e-12)
    assert chi == pytest.approx(correlation_map_slope(c, 3.0, 0.05), rel=1e-12) and chi < 1
    it = 0.9  # iterating the map from elsewhere lands on the same point
    for _ in range(400):
        it = correlation_map(it, 3.0, 0.05)
    assert c == pytest.approx(it, abs=1e-10)


def test_fixed_point_c_against_brentq_on_double_quadrature():
    sw2, sb2 = 2.0, 0.05
    q = _q_star_scipy(sw2, sb2)
    ref = brentq(lambda c: (sw2 * _pair_quad(math.tanh, q, c) + sb2) / q - c, 0.5, 0.9, xtol=1e-9)
    assert fixed_point_c(sw2, sb2)[0] == pytest.approx(ref, abs=1e-7)


# --- depth scales ---------------------------------------------------------------------------------


def test_depth_scales_are_the_measured_decay_lengths():
    """|q^l - q*| and |c^l - c*| shrink by exp(-1/xi) per layer once close to the fixed point."""
    for sw2 in (1.0, 3.0):
        xi_q, xi_c = depth_scales(sw2, 0.05)
        qs = fixed_point_q(sw2, 0.05)
        q = qs * 1.001
        errs = []
        for _ in range(6):
            q = variance_map(q, sw2, 0.05)
            errs.append(abs(q - qs))
        assert errs[-1] / errs[-2] == pytest.approx(math.exp(-1 / xi_q), rel=1e-3)
        cs, _ = fixed_point_c(sw2, 0.05)
        c = cs - 1e-4
        errs = []
        for _ in range(6):
            c = correlation_map(c, sw2, 0.05)
            errs.append(abs(c - cs))
        assert errs[-1] / errs[-2] == pytest.approx(math.exp(-1 / xi_c), rel=1e-3)
    # in the ordered phase xi_c = -1 / ln chi_1
    assert depth_scales(1.0, 0.05)[1] == pytest.approx(-1 / math.log(chi_1(1.0, 0.05)), rel=1e-13)


def test_xi_c_diverges_at_the_edge_of_chaos_and_xi_q_does_not():
    sw2, _ = critical_sigma_w2(0.05)
    xi_q, xi_c = depth_scales(np.array([sw2 - 1e-3, sw2 + 1e-3]), 0.05)
    assert np.all(xi_c > 1000) and np.all(xi_q < 3)


# --- against simulated wide networks --------------------------------------------------------------


def test_simulated_networks_follow_the_mean_field_maps():
    """q^l and c^l of width-600 tanh networks, 12 seeds, against the mean-field trajectories."""
    sw2 = np.array([1.0, 1.76, 3.0])
    runs = [simulate_pair(1.0, 0.6, 10, 600, sw2, 0.05, np.random.default_rng([s, 4])) for s in range(12)]
    q = np.stack([r[0] for r in runs])
    c = np.stack([r[1] for r in runs])
    for i, s in enumerate(sw2):
        mq, mc = mean_field_trajectory(1.0, 0.6, 10, float(s), 0.05)
        for layer in (1, 5, 10):
            se_q = q[:, i, layer].std() / math.sqrt(12)
            se_c = c[:, i, layer].std() / math.sqrt(12)
            assert abs(q[:, i, layer].mean() - mq[layer]) < 5 * se_q + 0.01 * mq[layer]
            assert abs(c[:, i, layer].mean() - mc[layer]) < 5 * se_c + 0.01


def test_backward_mean_field_chi_1_multiplies_the_squared_gradient():
    """Independent simulation: a wide tanh net at its fixed point, one random error injected at the top."""
    n, depth, seeds = 500, 10, 4
    for sw2 in (1.0, 1.76, 3.0):
        ratios = []
        for seed in range(seeds):
            rng = np.random.default_rng([seed, 9])
            q = fixed_point_q(sw2, 0.05)
            h = math.sqrt(q) * rng.standard_normal(n)
            Ws, slopes = [], []
            for _ in range(depth):
                W = rng.standard_normal((n, n)) * math.sqrt(sw2 / n)
                h = W @ np.tanh(h) + math.sqrt(0.05) * rng.standard_normal(n)
                Ws.append(W)
                slopes.append(1 - np.tanh(h) ** 2)
            delta = rng.standard_normal(n) * slopes[-1]  # dL/dh^L for L = r . x^L
            norms = [delta @ delta]
            for layer in range(depth - 1, 0, -1):
                delta = slopes[layer - 1] * (Ws[layer].T @ delta)
                norms.append(delta @ delta)
            ratios.append((norms[-1] / norms[0]) ** (1 / (depth - 1)))
        # the three chi_1 differ by 20 % or more; finite width and depth leave a few per cent
        assert np.exp(np.mean(np.log(ratios))) == pytest.approx(chi_1(sw2, 0.05), rel=0.06)


def test_mean_field_trajectory_starts_right_and_reaches_the_fixed_points():
    q, c = mean_field_trajectory(2.0, 0.5, 200, 3.0, 0.05)
    assert q[0] == 2.0 and c[0] == 0.5
    assert q[-1] == pytest.approx(fixed_point_q(3.0, 0.05), rel=1e-10)
    assert c[-1] == pytest.approx(fixed_point_c(3.0, 0.05)[0], abs=1e-8)


def test_init_mean_field_mlp_variances():
    sw2 = np.array([0.5, 2.0])
    model = init_mean_field_mlp([300, 400, 10], sw2, 0.05, np.random.default_rng(3))
    W, b = model.weights[0], model.biases[0]
    assert W.shape == (2, 400, 300) and b.shape == (2, 400)
    n = W[0].size
    for i, s in enumerate(sw2):
        assert np.var(W[i]) == pytest.approx(s / 300, rel=5 * math.sqrt(2 / n))
    assert np.var(b[0]) == pytest.approx(0.05, rel=5 * math.sqrt(2 / 400))
    np.testing.assert_allclose(W[1] / W[0], 2.0, rtol=1e-12)  # shared draws, scaled


# --- input checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "message"), [
    (lambda: fixed_point_q(0.0, 0.05), r"sigma_w2 must be > 0"),
    (lambda: fixed_point_q(1.0, -0.1), r"sigma_b2 must be >= 0"),
    (lambda: chi_1(np.array([1.0, -2.0]), 0.05), r"sigma_w2 must be > 0"),
    (lambda: chi_1(1.0, 0.05, "sigmoid"), r"activation must be one of"),
    (lambda: variance_map(-1.0, 1.0, 0.0), r"q must be >= 0"),
    (lambda: correlation_map(1.5, 2.0, 0.05), r"c must lie in \[-1, 1\]"),
    (lambda: critical_sigma_w2(-0.01), r"sigma_b2 must be >= 0"),
    (lambda: critical_line(-1.0), r"q_star must be >= 0"),
    (lambda: gauss_hermite(1), r"nodes must be >= 2"),
    (lambda: gaussian_expectation("tanh", 1.0), r"f must be callable"),
    (lambda: fixed_point_q(np.ones(3), np.ones(2)), r"must broadcast together"),
    (lambda: mean_field_trajectory(1.0, 1.2, 3, 1.0, 0.0), r"c0 must lie in \[-1, 1\]"),
    (lambda: simulate_pair(1.0, 0.5, 3, 1, 1.0, 0.0, np.random.default_rng(0)), r"width must be >= 2"),
    (lambda: simulate_pair(1.0, 0.5, 3, 10, 1.0, 0.0, 0), r"rng must be a numpy.random.Generator"),
    (lambda: init_mean_field_mlp([4, 3], np.array(1.0), 0.0, np.random.default_rng(0)),
     r"sigma_w2 must be a non-empty 1-D"),
    (lambda: fixed_point_q(True, 0.0), r"sigma_w2 must be a real number"),
])
def test_bad_inputs_raise_value_errors_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_signal_page_simulation_gap_is_within_the_seed_spread():
    # The page says the gap between simulated and mean-field correlations at the last layer is
    # smaller than the seeds' standard deviation for the critical and chaotic networks.
    from vgsite.pages import page

    sp = page("signal-propagation")
    c = sp.mean_field_simulation()["c"][:, :, -1]
    theory = np.array([mean_field_trajectory(sp.MC_Q0, sp.MC_C0, sp.MC_DEPTH, sw, sp.SIGMA_B2)[1][-1]
                       for sw in sp.examples()])
    gap = np.abs(c.mean(axis=0) - theory)
    std = c.std(axis=0, ddof=1)
    assert np.max(gap) < np.min(std[1:])
    assert gap[0] < 0.01 and std[0] < 0.01  # the ordered network: seeds agree, and with the theory
