# Jacobian spectra against finite differences, direct SVDs, determinants and closed forms.
"""Tests for vgdocs.isometry.

The accurate singular values are compared with ``numpy.linalg.svd`` of the explicitly
multiplied Jacobian wherever that is reliable (a moderate condition number), with the
determinant computed layer by layer (the sum of all log singular values, the small ones
included), with closed forms (orthogonal rows, a linear orthogonal network), and the explicit
Jacobian with central finite differences of the network itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vgdocs.initialisation import orthogonal
from vgdocs.isometry import (
    forward_slopes,
    input_output_jacobian,
    jacobi_log_singular_values,
    jacobian_log_singular_values,
    jacobian_spectrum,
    mean_squared_singular_value,
    random_network,
    relu_rnn_gradient_norms,
    spectrum_summary,
)
from vgdocs.mean_field import chi_1, critical_sigma_w2, fixed_point_q


def _network(activation: str, init: str, depth: int, width: int, sw2: float, sb2: float, seed: int = 0,
             q0: float = 0.5):
    rng = np.random.default_rng(seed)
    W, b = random_network(depth, width, sw2, sb2, init, rng)
    h0 = math.sqrt(q0) * rng.standard_normal(width)
    return W, b, h0, forward_slopes(W, b, h0, activation)


def _outputs(W, b, x0, activation):
    """x^L for each column of x0, written out independently of the package."""
    phi = {"tanh": np.tanh, "relu": lambda h: np.maximum(h, 0.0), "linear": lambda h: h}[activation]
    x = x0
    for Wl, bl in zip(W, b, strict=True):
        x = phi(Wl @ x + bl[:, None])
    return x


@pytest.mark.parametrize(("activation", "init", "sw2", "sb2"), [
    ("tanh", "gaussian", 1.76, 0.05), ("tanh", "orthogonal", 1.05, 1e-3),
    ("relu", "gaussian", 2.0, 0.0), ("relu", "orthogonal", 2.0, 0.0)])
def test_jacobian_matches_central_differences(activation, init, sw2, sb2):
    W, b, h0, slopes = _network(activation, init, 8, 20, sw2, sb2)
    J = input_output_jacobian(W, slopes)
    x0 = np.tanh(h0) if activation == "tanh" else np.maximum(h0, 0.0)
    eps = 1e-6
    E = eps * np.eye(20)
    fd = (_outputs(W, b, x0[:, None] + E, activation) - _outputs(W, b, x0[:, None] - E, activation)) / (2 * eps)
    assert np.max(np.abs(J - fd)) < 1e-7 * np.max(np.abs(J))


@pytest.mark.parametrize(("activation", "init", "sw2", "sb2"), [
    ("tanh", "gaussian", 1.76, 0.05), ("tanh", "orthogonal", 1.05, 1e-3),
    ("relu", "gaussian", 2.0, 0.0), ("relu", "orthogonal", 2.0, 0.0)])
def test_singular_values_match_a_direct_svd_where_it_is_reliable(activation, init, sw2, sb2):
    W, _, _, slopes = _network(activation, init, 10, 30, sw2, sb2)
    direct = np.linalg.svd(input_output_jacobian(W, slopes), compute_uv=False)
    logs = jacobian_log_singular_values(W, slopes, direct_below=0.0)  # force the long route
    assert np.all(np.diff(logs[np.isfinite(logs)]) <= 0)
    big = direct > 1e-8 * direct[0]
    np.testing.assert_allclose(np.exp(logs[big]), direct[big], rtol=1e-8)
    if activation == "relu":  # structural zeros: counted, and no more than the direct SVD's tiny ones
        zero = ~np.isfinite(logs)
        assert zero.sum() == np.sum(direct < 1e-12 * direct[0])
        assert np.isfinite(logs).sum() <= min(int((d != 0).sum()) for d in slopes)


def test_deep_tanh_spectrum_top_values_and_determinant():
    """100 Gaussian tanh layers: spread far beyond double precision, checked by det J layer by layer."""
    sw2, q = critical_sigma_w2(0.05)
    W, _, _, slopes = _network("tanh", "gaussian", 100, 60, float(sw2), 0.05, seed=1, q0=float(q))
    logs = jacobian_log_singular_values(W, slopes)
    log_det = sum(np.linalg.slogdet(Wl)[1] + np.sum(np.log(np.abs(d))) for Wl, d in zip(W, slopes, strict=True))
    assert logs[0] - logs[-1] > 100 * math.log(10)  # more than a hundred orders of magnitude
    assert logs.sum() == pytest.approx(log_det, rel=1e-9)
    direct = np.linalg.svd(input_output_jacobian(W, slopes), compute_uv=False)
    top = direct > 1e-9 * direct[0]
    np.testing.assert_allclose(logs[top], np.log(direct[top]), atol=1e-6)
    # the direct SVD of the float64 product cannot see the small ones at all
    assert np.log(direct[-1]) - logs[-1] > 50
    # re-orthogonalising every layer instead of every third changes nothing that matters
    np.testing.assert_allclose(jacobian_log_singular_values(W, slopes, qr_every=1), logs, atol=1e-5)


def test_too_few_qr_factorisations_break_the_spectrum():
    """Every twelve layers the groups' condition numbers exceed 1e16 and the small values go wrong."""
    sw2, q = critical_sigma_w2(0.05)
    W, _, _, slopes = _network("tanh", "gaussian", 48, 40, float(sw2), 0.05, seed=2, q0=float(q))
    good = jacobian_log_singular_values(W, slopes, qr_every=3)
    bad = jacobian_log_singular_values(W, slopes, qr_every=12)
    assert np.max(np.abs(good - bad)) > 1.0


def test_jacobi_on_orthonormal_rows_returns_the_scales_exactly():
    """Rows e^(l_i) q_i with orthonormal q_i have singular values e^(l_i), even at e^(-700)."""
    Q = orthogonal(9, 9, np.random.default_rng(4))
    ell = np.array([0.0, -1.0, -2.5, -40.0, -41.0, -300.0, -301.0, -690.0, -700.0])
    rng = np.random.default_rng(5)
    T = Q * rng.uniform(0.5, 2.0, size=(9, 1))  # rows of any length: the scale moves into ell
    logs = jacobi_log_singular_values(ell, T)
    np.testing.assert_allclose(logs, np.sort(ell + np.log(np.linalg.norm(T, axis=1)))[::-1], atol=1e-12)


def test_jacobi_on_a_moderately_graded_matrix_matches_the_svd():
    rng = np.random.default_rng(6)
    T = rng.standard_normal((7, 7))
    ell = np.array([0.0, -0.5, -1.0, -2.0, -3.0, -5.0, -6.0])
    logs = jacobi_log_singular_values(ell, T)
    s = np.linalg.svd(np.exp(ell)[:, None] * T, compute_uv=False)
    np.testing.assert_allclose(np.exp(logs), s, rtol=1e-11)


def test_linear_orthogonal_network_is_an_isometry():
    spec = jacobian_spectrum(40, 30, 1.0, 0.0, "linear", "orthogonal", q0=1.0, seed=3)
    np.testing.assert_allclose(spec.log10_s, 0.0, atol=1e-12)
    assert spec.spread == pytest.approx(0.0, abs=1e-12) and spec.zeros == 0


def test_mean_squared_singular_value_is_chi_1_to_the_depth():
    """(1/n) tr J J^T, averaged over networks started at the fixed point, against chi_1^L."""
    depth, width, seeds = 10, 200, 12
    for sw2 in (1.0, 1.76):
        q = fixed_point_q(sw2, 0.05)
        values = []
        for seed in range(seeds):
            W, _, _, slopes = _network("tanh", "gaussian", depth, width, sw2, 0.05, seed=seed, q0=q)
            J = input_output_jacobian(W, slopes)
            values.append(np.trace(J @ J.T) / width)
            if seed == 0:  # from the logs of the accurate singular values, the same number
                logs = jacobian_log_singular_values(W, slopes, direct_below=0.0)
                assert mean_squared_singular_value(logs) == pytest.approx(values[0], rel=1e-9)
        # the mean over 12 networks scatters by several per cent from seed set to seed set
        assert np.mean(values) == pytest.approx(chi_1(sw2, 0.05) ** depth, rel=0.2)


def test_spectrum_summary_fields():
    with np.errstate(divide="ignore"):
        spec = spectrum_summary(np.log(np.array([10.0, 1.0, 0.1, 0.01, 0.0, 0.0])))
    assert spec.log10_max == pytest.approx(1.0) and spec.zeros == 2
    assert spec.log10_median_nonzero == pytest.approx(-0.5)
    assert spec.log10_min_nonzero == pytest.approx(-2.0)
    assert spec.spread == pytest.approx(1.5)
    assert spec.mean_square == pytest.approx((100 + 1 + 0.01 + 1e-4) / 6)


def test_random_network_variances():
    W, b = random_network(5, 200, 1.5, 0.1, "gaussian", np.random.default_rng(7))
    assert np.var(W) == pytest.approx(1.5 / 200, rel=5 * math.sqrt(2 / W.size))
    assert np.var(b) == pytest.approx(0.1, rel=5 * math.sqrt(2 / b.size))
    W, _ = random_network(3, 50, 2.0, 0.0, "orthogonal", np.random.default_rng(8))
    for Wl in W:
        np.testing.assert_allclose(np.linalg.svd(Wl, compute_uv=False), math.sqrt(2.0), rtol=1e-12)


def test_relu_rnn_gradient_norms_against_finite_differences():
    rng = np.random.default_rng(9)
    n, d, T = 5, 3, 6
    W = orthogonal(n, n, rng)
    U = rng.standard_normal((n, d))
    xs = rng.standard_normal((T, d)) + 0.5
    r = rng.standard_normal(n)
    norms, active = relu_rnn_gradient_norms(W, U, xs, r)

    def run(h, start):  # l = r . h_T from the state h after step `start`
        for t in range(start, T):
            h = np.maximum(W @ h + U @ xs[t], 0.0)
        return r @ h

    states = [np.zeros(n)]
    for t in range(T):
        states.append(np.maximum(W @ states[-1] + U @ xs[t], 0.0))
    for k in range(T):
        t = T - k  # h_t, t = T - k
        eps = 1e-6
        grad = np.array([(run(states[t] + eps * e, t) - run(states[t] - eps * e, t)) / (2 * eps) for e in np.eye(n)])
        assert norms[k] == pytest.approx(np.linalg.norm(grad), rel=1e-6, abs=1e-10)
    np.testing.assert_allclose(active, [np.mean(s > 0) for s in states[1:]])


def test_identity_rnn_keeps_the_gradient_where_units_stay_active():
    n = 4
    U = np.eye(n)
    xs = np.ones((10, n))  # every unit positive at every step
    norms, active = relu_rnn_gradient_norms(np.eye(n), U, xs, np.ones(n))
    np.testing.assert_allclose(norms, 2.0)
    assert np.all(active == 1.0)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: random_network(0, 10, 1.0, 0.0, "gaussian", np.random.default_rng(0)), r"depth must be >= 1"),
    (lambda: random_network(3, 10, -1.0, 0.0, "gaussian", np.random.default_rng(0)), r"sigma_w2 must be"),
    (lambda: random_network(3, 10, 1.0, 0.0, "uniform", np.random.default_rng(0)), r"init must be one of"),
    (lambda: forward_slopes(np.ones((2, 3, 3)), np.ones((2, 3)), np.ones(3), "gelu"), r"activation must be one of"),
    (lambda: forward_slopes(np.ones((2, 3, 3)), np.ones((2, 4)), np.ones(3), "tanh"), r"must agree"),
    (lambda: input_output_jacobian(np.ones((2, 3, 4)), np.ones((2, 3))), r"weights must be square"),
    (lambda: jacobian_log_singular_values(np.ones((2, 3, 3)), np.ones((2, 4))), r"slopes must have shape"),
    (lambda: jacobian_log_singular_values(np.eye(3)[None].repeat(4, 0), np.ones((4, 3)), passes=2),
     r"passes must be odd"),
    (lambda: jacobian_log_singular_values(np.eye(3)[None], np.ones((1, 3)), qr_every=0), r"qr_every must be >= 1"),
    (lambda: jacobi_log_singular_values(np.zeros(2), np.ones((3, 3))), r"log_scale must have one entry per row"),
    (lambda: mean_squared_singular_value(np.array([np.nan])), r"log_s must be"),
    (lambda: relu_rnn_gradient_norms(np.eye(3), np.ones((3, 2)), np.ones((4, 3)), np.ones(3)), r"must agree"),
    (lambda: jacobian_spectrum(3, 5, 1.0, 0.0, "tanh", "gaussian", q0=0.0, seed=0), r"q0 must be"),
])
def test_bad_inputs_raise_value_errors_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
