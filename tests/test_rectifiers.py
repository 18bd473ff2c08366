# Dead ReLU units and leaky ReLU against closed forms (math.erf), Monte Carlo and finite differences.
"""Tests for vgdocs.rectifiers.

Expectations come from ``math.erf`` closed forms, bisection, plain-loop re-implementations,
Monte Carlo averages over many seeds, and central finite differences of the forward pass.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vgdocs.activations import leaky_relu, relu
from vgdocs.rectifiers import (
    bias_for_shift,
    born_dead_fractions,
    dead_fraction,
    dead_probability,
    expected_dead_fraction,
    first_layer_gradient_sweep,
    first_layer_gradients,
    he_std,
    leaky_negative_layers_for_drop,
    measured_dead_fraction,
    normal_cdf,
    readout_loss,
    readout_loss_grad,
    rectifier,
    rectifier_prime,
    rectifier_stack_backward,
    rectifier_stack_forward,
    shift_for_dead_fraction,
)
from vgsite.registry import NUMBERS

H = 1e-6


def phi(x: float) -> float:
    """Standard normal CDF from math.erf (the independent reference)."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def bisect(f, lo: float, hi: float, tol: float = 1e-13) -> float:
    flo = f(lo)
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if (f(mid) > 0) == (flo > 0):
            lo, flo = mid, f(mid)
        else:
            hi = mid
    return 0.5 * (lo + hi)


# --- normal CDF and the closed form -----------------------------------------------------------


@pytest.mark.parametrize("x", [-6.0, -3.0, -1.0, -0.2, 0.0, 0.5, 1.0, 1.959963984540054, 2.0, 3.0, 5.0])
def test_normal_cdf_matches_erf(x):
    assert normal_cdf(x) == pytest.approx(phi(x), rel=1e-13, abs=1e-16)


def test_normal_cdf_known_values_and_arrays():
    assert normal_cdf(0.0) == 0.5
    assert normal_cdf(1.959963984540054) == pytest.approx(0.975, rel=1e-12)
    x = np.array([[-1.0, 0.0], [1.0, 2.0]])
    out = normal_cdf(x)
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[phi(-1.0), 0.5], [phi(1.0), phi(2.0)]], rtol=1e-13)
    # left tail stays accurate (erfc, not 1 - erf)
    assert normal_cdf(-10.0) == pytest.approx(7.619853024160527e-24, rel=1e-10)


@pytest.mark.parametrize(("mu", "sigma", "n"), [(0.0, 1.0, 1), (0.0, 1.0, 10), (-1.0, 0.5, 3), (0.7, 2.0, 5),
                                                (-3.0, 1.0, 64)])
def test_dead_probability_closed_form(mu, sigma, n):
    assert dead_probability(mu, sigma, n) == pytest.approx(phi(-mu / sigma) ** n, rel=1e-12)


def test_dead_probability_monte_carlo():
    # P(all n draws of N(mu, sigma^2) are <= 0), simulated directly
    rng = np.random.default_rng(123)
    mu, sigma, n, trials = -0.8, 1.3, 4, 400_000
    z = rng.normal(mu, sigma, size=(trials, n))
    p_hat = np.mean(np.all(z <= 0, axis=1))
    p = phi(-mu / sigma) ** n
    assert abs(p_hat - p) < 5 * math.sqrt(p * (1 - p) / trials)
    assert dead_probability(mu, sigma, n) == pytest.approx(p, rel=1e-12)


def test_dead_probability_arrays_per_unit():
    mu = np.array([-2.0, -1.0, 0.0, 1.0])
    sigma = np.array([1.0, 2.0, 0.5, 1.0])
    expected = [phi(-m / s) ** 8 for m, s in zip(mu, sigma, strict=True)]
    np.testing.assert_allclose(dead_probability(mu, sigma, 8), expected, rtol=1e-12)


@pytest.mark.parametrize(("s", "n"), [(0.0, 1), (0.0, 64), (1.0, 64), (2.0, 16), (2.0, 64), (2.0, 256), (3.0, 64)])
def test_expected_dead_fraction_is_phi_to_the_n(s, n):
    assert expected_dead_fraction(s, n) == pytest.approx(phi(s) ** n, rel=1e-12)


def test_expected_dead_fraction_limits():
    assert expected_dead_fraction(0.0, 1) == 0.5
    assert expected_dead_fraction(0.0, 64) == pytest.approx(2.0**-64, rel=1e-12)
    assert expected_dead_fraction(40.0, 10_000) == 1.0
    s = np.linspace(0, 3, 31)
    f = expected_dead_fraction(s, 64)
    assert np.all(np.diff(f) > 0)


@pytest.mark.parametrize(("p", "n"), [(0.5, 64), (0.5, 1000), (0.1, 16), (0.9, 256), (0.5, 1)])
def test_shift_for_dead_fraction_by_bisection(p, n):
    s_ref = bisect(lambda s: phi(s) ** n - p, -10.0, 10.0)
    assert shift_for_dead_fraction(p, n) == pytest.approx(s_ref, abs=1e-9)


def test_shift_for_half_dead_with_one_input_is_zero():
    assert shift_for_dead_fraction(0.5, 1) == pytest.approx(0.0, abs=1e-12)


# --- the measured layer -----------------------------------------------------------------------


def test_bias_for_shift_moves_each_unit_by_s_standard_deviations():
    rng = np.random.default_rng(5)
    w = rng.standard_normal((3, 20)) * np.array([[0.1], [1.0], [3.0]])
    b = bias_for_shift(w, 1.5)
    x = rng.standard_normal((200_000, 20))
    z = x @ w.T + b
    norms = np.sqrt((w**2).sum(axis=1))
    np.testing.assert_allclose(z.std(axis=0), norms, rtol=0.01)
    np.testing.assert_allclose(z.mean(axis=0), -1.5 * norms, atol=0.02 * norms.max())


def test_dead_fraction_hand_examples():
    z = np.array([[-1.0, 0.0, 2.0, -3.0], [-0.5, 0.0, -1.0, 0.1]])
    # column 0: dead; column 1: 0 everywhere -> dead (z <= 0); column 2: alive; column 3: alive
    assert dead_fraction(z) == 0.5
    assert dead_fraction(np.full((3, 5), -1.0)) == 1.0
    assert dead_fraction(np.ones((3, 5))) == 0.0


def test_measured_matches_a_plain_loop_reimplementation():
    n, width, fan_in, seed, s = 32, 40, 10, 3, 1.7
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, fan_in))
    w = rng.standard_normal((width, fan_in)) * math.sqrt(2.0 / fan_in)
    dead = 0
    for j in range(width):
        norm = math.sqrt(sum(v * v for v in w[j]))
        if all(sum(x[i, t] * w[j, t] for t in range(fan_in)) - s * norm <= 0 for i in range(n)):
            dead += 1
    assert measured_dead_fraction(s, n, width, fan_in, seed) == dead / width


def test_measured_dead_fraction_agrees_with_closed_form_over_seeds():
    shifts = np.array([1.5, 2.0, 2.5, 3.0])
    for n in (16, 64):
        runs = np.array([measured_dead_fraction(shifts, n, width=200, fan_in=50, seed=k) for k in range(30)])
        mean, se = runs.mean(axis=0), runs.std(axis=0, ddof=1) / math.sqrt(len(runs))
        expected = np.array([phi(s) ** n for s in shifts])
        assert np.all(np.abs(mean - expected) <= 4 * se + 2e-3), (n, mean, expected)


def test_measured_dead_fraction_shape_and_scalar():
    s = np.linspace(0, 3, 7)
    out = measured_dead_fraction(s, 64)
    assert out.shape == (7,)
    assert isinstance(measured_dead_fraction(2.0, 64), float)
    assert measured_dead_fraction(2.0, 64) == out[4]
    assert np.all(np.diff(out) >= 0)


# --- activations, init and the stack ----------------------------------------------------------


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.3])
def test_rectifier_reuses_activations(slope):
    z = np.linspace(-3, 3, 13)
    np.testing.assert_array_equal(rectifier(z, slope), leaky_relu(z, slope) if slope else relu(z))
    np.testing.assert_array_equal(rectifier_prime(z, slope), np.where(z > 0, 1.0, slope))


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.25, 0.5])
def test_he_std_preserves_the_second_moment(slope):
    # E[phi(z)^2] for z ~ N(0, 1) by quadrature on a fine grid: (1 + a^2) / 2
    z = np.linspace(-12, 12, 200_001)
    dens = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    second = np.trapezoid(np.maximum(z, slope * z) ** 2 * dens, z)
    assert second == pytest.approx((1 + slope**2) / 2, rel=1e-8)
    fan_in = 50
    # var of the next pre-activation = fan_in * std^2 * E[phi^2] = 1
    assert fan_in * he_std(fan_in, slope) ** 2 * second == pytest.approx(1.0, rel=1e-8)


def test_readout_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    h = rng.standard_normal((3, 4))
    r = rng.standard_normal(4)
    assert readout_loss(h, r) == pytest.approx(sum(h[i] @ r for i in range(3)) / 3, rel=1e-14)
    g = readout_loss_grad(h, r)
    fd = np.zeros_like(h)
    for idx in np.ndindex(h.shape):
        e = np.zeros_like(h)
        e[idx] = H
        fd[idx] = (readout_loss(h + e, r) - readout_loss(h - e, r)) / (2 * H)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-10)


def _small_stack(seed=0, slope=0.1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 4))
    weights = [rng.standard_normal((5, 4)), rng.standard_normal((3, 5)), rng.standard_normal((2, 3))]
    biases = [rng.standard_normal(5) * 0.3, rng.standard_normal(3) * 0.3, rng.standard_normal(2) * 0.3]
    r = rng.standard_normal(2)
    return x, weights, biases, r


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stack_backward_matches_central_differences(slope, seed):
    x, weights, biases, r = _small_stack(seed)
    fp = rectifier_stack_forward(x, weights, biases, slope)
    # away from the kink, so the difference quotient sees one linear piece
    assert min(np.abs(z).min() for z in fp.z) > 1e-3

    def loss(x_, ws, bs):
        return readout_loss(rectifier_stack_forward(x_, ws, bs, slope).h[-1], r)

    gw, gb, gx = rectifier_stack_backward(x, weights, biases, readout_loss_grad(fp.h[-1], r), slope)

    def fd_of(array, call):
        out = np.zeros_like(array)
        for idx in np.ndindex(array.shape):
            old = array[idx]
            array[idx] = old + H
            up = call()
            array[idx] = old - H
            down = call()
            array[idx] = old
            out[idx] = (up - down) / (2 * H)
        return out

    np.testing.assert_allclose(gx, fd_of(x, lambda: loss(x, weights, biases)), rtol=1e-5, atol=1e-8)
    for k in range(3):
        np.testing.assert_allclose(gw[k], fd_of(weights[k], lambda: loss(x, weights, biases)),
                                   rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(gb[k], fd_of(biases[k], lambda: loss(x, weights, biases)),
                                   rtol=1e-5, atol=1e-8)


def test_forward_matches_explicit_loop():
    x, weights, biases, _ = _small_stack(4)
    fp = rectifier_stack_forward(x, weights, biases, 0.2)
    for i in range(x.shape[0]):
        h = list(x[i])
        for w, b in zip(weights, biases, strict=True):
            z = [sum(w[j, t] * h[t] for t in range(len(h))) + b[j] for j in range(w.shape[0])]
            h = [v if v > 0 else 0.2 * v for v in z]
        np.testing.assert_allclose(fp.h[-1][i], h, rtol=1e-12)


def test_dead_first_layer_units_get_exactly_zero_gradient_under_relu_only():
    g0, dead0 = first_layer_gradients(2.5, 0.0)
    assert 0 < dead0.sum() < len(dead0)
    assert np.all(g0[dead0] == 0.0)
    assert np.all(np.abs(g0[~dead0]).sum(axis=1) > 0)
    for slope in (0.01, 0.1):
        g, dead = first_layer_gradients(2.5, slope)
        np.testing.assert_array_equal(dead, dead0)  # same draws, same first-layer directions
        assert np.all(np.abs(g[dead]).sum(axis=1) > 0)


@pytest.mark.parametrize("slope", [0.0, 0.1])
def test_sweep_equals_one_stack_per_shift(slope):
    # Rebuild the stack of first_layer_gradients by hand and run the plain backward pass per shift.
    depth, width, batch, seed = 4, 7, 5, 3
    shifts = np.array([0.0, 0.8, 1.9])
    grads, dead = first_layer_gradient_sweep(shifts, slope, depth, width, batch, seed)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, width))
    ws = [rng.standard_normal((width, width)) * he_std(width, slope) for _ in range(depth)]
    r = rng.standard_normal(width) / math.sqrt(width)
    for k, s in enumerate(shifts):
        bs = [-s * np.sqrt((ws[0] ** 2).sum(axis=1))] + [np.zeros(width)] * (depth - 1)
        fp = rectifier_stack_forward(x, ws, bs, slope)
        gw, _, _ = rectifier_stack_backward(x, ws, bs, readout_loss_grad(fp.h[-1], r), slope)
        np.testing.assert_allclose(grads[k], gw[0], rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(dead[k], np.all(fp.z[0] <= 0, axis=0))
        g1, d1 = first_layer_gradients(float(s), slope, depth, width, batch, seed)
        np.testing.assert_allclose(g1, gw[0], rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(d1, dead[k])


def test_sweep_with_a_single_layer():
    grads, _ = first_layer_gradient_sweep(np.array([0.0]), 0.0, depth=1, width=3, batch=2)
    assert grads.shape == (1, 3, 3)


def test_leaky_gradient_of_dead_unit_is_slope_times_upstream():
    # For a unit that is negative on every input, dL/dw_j = slope * sum_i (dL/dh_1)_ij x_i.
    # dL/dh_1 is obtained independently by central differences of the loss in h_1.
    slope, depth, width, batch, seed = 0.1, 3, 6, 4, 1
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, width))
    ws = [rng.standard_normal((width, width)) * he_std(width, slope) for _ in range(depth)]
    r = rng.standard_normal(width) / math.sqrt(width)
    bs = [np.zeros(width) for _ in range(depth)]
    bs[0][0] = -50.0  # unit 0 of layer 1 is dead
    fp = rectifier_stack_forward(x, ws, bs, slope)

    def upper(h1):
        return readout_loss(rectifier_stack_forward(h1, ws[1:], bs[1:], slope).h[-1], r)

    h1 = fp.h[1].copy()
    gh1 = np.zeros_like(h1)
    for idx in np.ndindex(h1.shape):
        e = np.zeros_like(h1)
        e[idx] = H
        gh1[idx] = (upper(h1 + e) - upper(h1 - e)) / (2 * H)
    gw, _, _ = rectifier_stack_backward(x, ws, bs, readout_loss_grad(fp.h[-1], r), slope)
    np.testing.assert_allclose(gw[0][0], slope * gh1[:, 0] @ x, rtol=1e-5, atol=1e-10)


def test_all_negative_leaky_layer_scales_gradient_by_slope_times_gain():
    slope, width, batch = 0.01, 400, 8
    rng = np.random.default_rng(2)
    w = rng.standard_normal((width, width)) * he_std(width, slope)
    x = rng.standard_normal((batch, width))
    b = np.full(width, -1e3)
    g_out = rng.standard_normal((batch, width))
    _, _, gx = rectifier_stack_backward(x, [w], [b], g_out, slope)
    ratio = np.linalg.norm(gx) / np.linalg.norm(g_out)
    assert ratio == pytest.approx(slope * math.sqrt(2 / (1 + slope**2)), rel=0.05)


def test_born_dead_fractions():
    f = born_dead_fractions()
    assert f.shape == (20,)
    # layer 1 sees independent Gaussian inputs: expected dead count 100 * 2^-64
    assert f[0] == 0.0
    assert f[-1] > 0.2
    assert np.all((f >= 0) & (f <= 1))


# --- exercises and displayed numbers ----------------------------------------------------------


def test_exercise_batch_size():
    assert NUMBERS["relu_dead_closed_n256"].value() == pytest.approx(phi(2.0) ** 256, rel=1e-12)
    assert NUMBERS["relu_dead_closed_n16"].value() == pytest.approx(phi(2.0) ** 16, rel=1e-12)
    assert NUMBERS["relu_dead_closed"].value() == pytest.approx(phi(2.0) ** 64, rel=1e-12)
    assert NUMBERS["relu_phi_shift"].value() == pytest.approx(phi(2.0), rel=1e-14)


def test_exercise_half_dead_shift():
    for name, n in (("relu_half_dead_shift", 64), ("relu_half_dead_shift_n1000", 1000)):
        assert NUMBERS[name].value() == pytest.approx(bisect(lambda s, n=n: phi(s) ** n - 0.5, 0, 10), abs=1e-9)


def test_exercise_negative_leaky_layers():
    g = 0.01 * math.sqrt(2 / 1.0001)
    k = 0
    product = 1.0
    while product > 1e-6:
        product *= g
        k += 1
    assert leaky_negative_layers_for_drop(1e-6, 0.01) == k == 4
    assert NUMBERS["relu_negative_layers"].value() == 4
    assert NUMBERS["relu_negative_gain"].value() == pytest.approx(g, rel=1e-14)
    assert leaky_negative_layers_for_drop(0.5, 0.5) == 2  # g = 0.632: one layer is not enough


def test_exercise_prelu_gain():
    assert NUMBERS["relu_prelu_gain"].value() == pytest.approx(32 / 17, rel=1e-14)


def test_displayed_measurements_are_consistent():
    assert NUMBERS["relu_dead_measured"].value() == pytest.approx(phi(2.0) ** 64, abs=0.05)
    assert NUMBERS["relu_grad_relu_dead_max"].value() == 0.0
    assert NUMBERS["relu_active_pairs_s2"].value() == pytest.approx(1 - phi(2.0), rel=1e-12)
    # dead units under leaky ReLU receive roughly slope-proportional gradients
    ratio = NUMBERS["relu_grad_leaky1_dead_s2"].value() / NUMBERS["relu_grad_leaky01_dead_s2"].value()
    assert ratio == pytest.approx(10.0, rel=0.15)
    assert NUMBERS["relu_dead_frac_fig2_s2"].value() == pytest.approx(phi(2.0) ** 64, abs=0.08)


# --- bad input --------------------------------------------------------------------------------

BAD_REAL = [None, "1", [1.0], True, math.nan, math.inf, 1j]


@pytest.mark.parametrize("bad", BAD_REAL)
def test_normal_cdf_rejects(bad):
    with pytest.raises(ValueError, match=r"^x\b"):
        normal_cdf(bad)


def test_dead_probability_rejects():
    with pytest.raises(ValueError, match=r"^mu\b"):
        dead_probability(None, 1.0, 3)
    with pytest.raises(ValueError, match=r"^sigma\b"):
        dead_probability(0.0, 0.0, 3)
    with pytest.raises(ValueError, match=r"^sigma\b"):
        dead_probability(0.0, np.array([1.0, -1.0]), 3)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match=r"^n\b"):
            dead_probability(0.0, 1.0, bad)


def test_expected_dead_fraction_and_shift_reject():
    with pytest.raises(ValueError, match=r"^shift\b"):
        expected_dead_fraction(math.nan, 4)
    with pytest.raises(ValueError, match=r"^n\b"):
        expected_dead_fraction(1.0, 0)
    for bad in (0.0, 1.0, -0.1, 1.5, np.array([0.5]), "0.5"):
        with pytest.raises(ValueError, match=r"^fraction\b"):
            shift_for_dead_fraction(bad, 64)
    with pytest.raises(ValueError, match=r"^n\b"):
        shift_for_dead_fraction(0.5, 0)


def test_layer_helpers_reject():
    with pytest.raises(ValueError, match=r"^weights\b"):
        bias_for_shift(np.ones(3), 1.0)
    with pytest.raises(ValueError, match=r"^weights\b"):
        bias_for_shift([[1.0]], 1.0)
    with pytest.raises(ValueError, match=r"^shift\b"):
        bias_for_shift(np.ones((2, 2)), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"^z\b"):
        dead_fraction(np.ones(4))
    with pytest.raises(ValueError, match=r"^z\b"):
        dead_fraction(np.array([[np.nan]]))
    with pytest.raises(ValueError, match=r"^shifts\b"):
        measured_dead_fraction("2", 64)
    for kw in ("n", "width", "fan_in"):
        args = {"n": 4, "width": 4, "fan_in": 4, kw: 0}
        with pytest.raises(ValueError, match=rf"^{kw}\b"):
            measured_dead_fraction(1.0, **args)
    with pytest.raises(ValueError, match=r"^seed\b"):
        measured_dead_fraction(1.0, 4, seed=-1)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 2.0, math.nan, None, np.array([0.1])])
def test_slope_is_checked_everywhere(bad):
    x, weights, biases, _ = _small_stack()
    for call in (lambda: rectifier(0.5, bad), lambda: rectifier_prime(0.5, bad), lambda: he_std(4, bad),
                 lambda: rectifier_stack_forward(x, weights, biases, bad),
                 lambda: first_layer_gradients(1.0, bad, depth=2, width=4, batch=2)):
        with pytest.raises(ValueError, match=r"^slope\b"):
            call()


def test_he_std_and_negative_layers_reject():
    with pytest.raises(ValueError, match=r"^fan_in\b"):
        he_std(0)
    with pytest.raises(ValueError, match=r"^drop\b"):
        leaky_negative_layers_for_drop(0.0, 0.1)
    with pytest.raises(ValueError, match=r"^drop\b"):
        leaky_negative_layers_for_drop(1.0, 0.1)
    with pytest.raises(ValueError, match=r"^slope\b"):
        leaky_negative_layers_for_drop(0.5, 0.0)


def test_readout_rejects():
    with pytest.raises(ValueError, match=r"^r\b"):
        readout_loss(np.ones((2, 3)), np.ones(4))
    with pytest.raises(ValueError, match=r"^r\b"):
        readout_loss_grad(np.ones((2, 3)), 1.0)
    with pytest.raises(ValueError, match=r"^h\b"):
        readout_loss(np.ones(3), np.ones(3))


def test_stack_rejects_bad_shapes():
    x, weights, biases, _ = _small_stack()
    with pytest.raises(ValueError, match=r"^weights\b"):
        rectifier_stack_forward(x, [], [])
    with pytest.raises(ValueError, match=r"^biases\b"):
        rectifier_stack_forward(x, weights, biases[:2])
    with pytest.raises(ValueError, match=r"^weights\[1\]"):
        rectifier_stack_forward(x, [weights[0], weights[0], weights[2]], biases)
    with pytest.raises(ValueError, match=r"^biases\[0\]"):
        rectifier_stack_forward(x, weights, [np.ones(4), biases[1], biases[2]])
    with pytest.raises(ValueError, match=r"^x\b"):
        rectifier_stack_forward(np.ones(4), weights, biases)
    with pytest.raises(ValueError, match=r"^grad_out\b"):
        rectifier_stack_backward(x, weights, biases, np.ones((3, 3)))


def test_first_layer_gradients_rejects():
    for kw in ("depth", "width", "batch"):
        with pytest.raises(ValueError, match=rf"^{kw}\b"):
            first_layer_gradients(1.0, **{kw: 0})
    with pytest.raises(ValueError, match=r"^shift\b"):
        first_layer_gradients(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"^seed\b"):
        first_layer_gradients(1.0, seed=-2)


def test_first_layer_gradient_sweep_rejects():
    for bad in (1.0, np.array([]), np.ones((2, 2)), [1.0]):
        with pytest.raises(ValueError, match=r"^shifts\b"):
            first_layer_gradient_sweep(bad)


def test_born_dead_fractions_rejects():
    with pytest.raises(ValueError, match=r"^depth\b"):
        born_dead_fractions(depth=0)


@pytest.mark.parametrize("bad", BAD_REAL)
@pytest.mark.parametrize("fn", [rectifier, rectifier_prime])
def test_rectifier_rejects_bad_z(fn, bad):
    with pytest.raises(ValueError, match=r"^z\b"):
        fn(bad, 0.1)


def test_born_dead_fraction_rises_with_fluctuations():
    f = born_dead_fractions()
    assert f[0] == 0.0
    assert np.mean(f[-10:]) > np.mean(f[:10]) + 0.1
    assert np.any(np.diff(f) < 0)  # not monotone: the page says "with fluctuations"
    assert NUMBERS["relu_born_dead_last10_min"].value() == pytest.approx(f[-10:].min())
    assert NUMBERS["relu_born_dead_last10_max"].value() == pytest.approx(f[-10:].max())


def test_leaky_gradient_figure_description_matches_the_sweep():
    """rectifiers.md, figure 2 and the paragraph below it, checked against the swept data."""
    from vgsite import page

    rect = page("rectifiers")
    sweep, shifts = rect._gradient_sweep(), rect.SHIFTS_MEASURED
    base = sweep[0.0][0][0]
    live = {a: sweep[a][0] / base for a in rect.SLOPES}
    # ReLU's live units receive less at every larger shift.
    assert np.all(np.diff(live[0.0]) < 0)
    # The leaky curves fall too up to s = 2.5, then turn up slightly (by less than a third).
    upto = shifts <= 2.5 + 1e-12
    for a in (0.01, 0.1):
        assert np.all(np.diff(live[a][upto]) < 0)
        assert live[a][-1] > live[a][upto][-1]
        assert live[a][-1] < 4 / 3 * live[a][upto][-1]
    # "Similar for all three activations": at s = 2 within about a third of each other.
    at2 = [live[a][np.argmin(np.abs(shifts - 2.0))] for a in rect.SLOPES]
    assert max(at2) / min(at2) < 4 / 3
    # Dead units exist from some shift on; there they get roughly slope-proportional gradients.
    present = sweep[0.01][2] > 0
    assert present.any() and not present[0]
    ratio = sweep[0.1][1][present] / sweep[0.01][1][present]
    assert np.all((ratio > 5) & (ratio < 15))
    assert np.all(sweep[0.0][3][present] == 0.0)  # exactly zero under ReLU


def test_exercise_three_three_layers_are_not_enough():
    """rectifiers.md, exercise 3: three all-negative layers leave more than 1e-6, four less."""
    g = 0.01 * math.sqrt(2 / (1 + 0.01**2))
    assert g**3 > 1e-6 > g**4
