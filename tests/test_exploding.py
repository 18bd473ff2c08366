# Exploding gradients: recurrences, random products, Lyapunov exponents and clipping, against independent values.
"""Tests for vgdocs.exploding.

Expectations come from closed forms (powers of 5, eigenvalues by hand, the digamma function from
lgamma by central differences, E ln|N(0, 1)|), direct matrix products without renormalisation,
central finite differences of the recurrences, Monte Carlo estimates of E[ln chi_d] drawn here,
and the values quoted in the task (Pascanu et al. 2013; Newman 1986).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vgdocs.exploding import (
    EULER_GAMMA,
    Trajectory,
    angle_degrees,
    clip_by_norm,
    clip_by_value,
    digamma_half_integer,
    first_step_above,
    gaussian_lyapunov_exponent,
    lyapunov_estimate,
    plain_recurrence,
    random_product_log_norms,
    recurrence_jacobian_norms,
    sigmoid_fixed_point,
)
from vgsite.registry import NUMBERS

FAST = settings(max_examples=150, deadline=None, database=None)
W = np.array([[1.0, 4.0], [4.0, 1.0]])
H0 = np.array([1.0, 1.0])
EPS = 1e-6


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def run(W_, h0, T, act):
    f = {"relu": lambda z: np.maximum(z, 0.0), "sigmoid": sig, "tanh": np.tanh}[act]
    h = h0
    for _ in range(T):
        h = f(W_ @ h)
    return h


def fd_jacobian(W_, h0, T, act):
    return np.column_stack([(run(W_, h0 + EPS * e, T, act) - run(W_, h0 - EPS * e, T, act)) / (2 * EPS)
                            for e in np.eye(len(h0))])


# --- the two recurrences -------------------------------------------------------------------------


def test_eigenvalues_of_the_demo_matrix_are_5_and_minus_3():
    # (1 - l)^2 = 16  =>  l = 1 +- 4
    np.testing.assert_allclose(np.sort(np.linalg.eigvals(W).real), [-3.0, 5.0], atol=1e-14)


def test_relu_recurrence_grows_exactly_as_powers_of_five():
    traj = plain_recurrence(W, H0, 20, "relu")
    for t in range(21):
        assert traj.h[t, 0] == traj.h[t, 1] == 5**t  # exact: integers below 2^53
    assert traj.h[10, 0] == 9_765_625


def test_relu_jacobian_norm_is_five_to_the_t():
    norms = recurrence_jacobian_norms(plain_recurrence(W, H0, 30, "relu"), W)
    np.testing.assert_allclose(norms, 5.0 ** np.arange(1, 31), rtol=1e-12)


def test_sigmoid_recurrence_stays_bounded_and_reaches_the_fixed_point():
    traj = plain_recurrence(W, H0, 50, "sigmoid")
    assert np.all((traj.h[1:] > 0) & (traj.h[1:] < 1))
    # the fixed point of s = sigma(5 s) by bisection on s - sigma(5 s)
    lo, hi = 0.5, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mid - sig(5 * mid) < 0 else (lo, mid)
    assert traj.h[-1, 0] == pytest.approx(lo, abs=1e-12)
    assert sigmoid_fixed_point(5.0) == pytest.approx(lo, abs=1e-12)


def test_sigmoid_jacobian_vanishes_at_the_predicted_rate():
    norms = recurrence_jacobian_norms(plain_recurrence(W, H0, 40, "sigmoid"), W)
    s = sigmoid_fixed_point(5.0)
    rate = 5 * s * (1 - s) * 1.0  # along (1, 1): eigenvalue 5 of W times sigma'(5 s)
    ratios = norms[20:] / norms[19:-1]
    np.testing.assert_allclose(ratios, rate, rtol=1e-6)
    assert norms[9] < 1e-14


@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("seed", [0, 1])
def test_jacobian_norms_match_finite_differences(act, seed):
    rng = np.random.default_rng(seed)
    W_ = rng.standard_normal((3, 3))
    h0 = rng.random(3) + 0.2
    T = 6
    norms = recurrence_jacobian_norms(plain_recurrence(W_, h0, T, act), W_)
    for t in (1, 3, T):
        J = fd_jacobian(W_, h0, t, act)
        assert norms[t - 1] == pytest.approx(np.linalg.svd(J, compute_uv=False)[0], rel=1e-6, abs=1e-10)


@pytest.mark.parametrize("act", ["relu", "sigmoid"])
def test_renormalised_jacobian_norms_match_the_direct_product(act):
    T = 30
    traj = plain_recurrence(W, H0, T, act)
    P = np.eye(2)
    for t in range(T):
        a = W @ traj.h[t]
        slope = (a > 0).astype(float) if act == "relu" else sig(a) * (1 - sig(a))
        P = slope[:, None] * W @ P
        assert recurrence_jacobian_norms(traj, W)[t] == pytest.approx(np.linalg.svd(P, compute_uv=False)[0],
                                                                      rel=1e-12)


# --- random products -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 3, 7])
def test_renormalised_log_norms_match_the_direct_product(seed):
    d, T = 4, 100
    G = np.random.default_rng(seed).standard_normal((T, d, d))
    P = np.eye(d)
    direct = []
    for t in range(T):
        P = G[t] @ P
        direct.append(math.log(np.linalg.svd(P, compute_uv=False)[0]))
    np.testing.assert_allclose(random_product_log_norms(d, T, seed), direct, rtol=1e-11, atol=1e-11)


def test_products_of_100_gaussian_4x4_matrices_reach_1e22_to_1e27():
    for seed in range(5):
        log10 = random_product_log_norms(4, 100, seed)[-1] / math.log(10)
        assert 22 <= log10 <= 27, (seed, log10)


def test_long_products_do_not_overflow_and_grow_at_the_lyapunov_rate():
    logs = np.array([random_product_log_norms(4, 5000, s) for s in range(4)])
    assert np.all(np.isfinite(logs))  # exp of these is ~1e1200
    rate = float(np.mean((logs[:, -1] - logs[:, 999]) / 4000))
    assert rate == pytest.approx(0.5 * (math.log(2) + 1 - 0.5772156649), abs=0.02)


def test_euler_gamma():
    n = 10_000
    harmonic = math.fsum(1 / k for k in range(1, n + 1))
    gamma = EULER_GAMMA
    assert gamma == pytest.approx(harmonic - math.log(n) - 1 / (2 * n) + 1 / (12 * n * n), abs=1e-14)


@pytest.mark.parametrize("x", [0.5, 1, 1.5, 2, 2.5, 3, 4.5, 10, 20.5])
def test_digamma_matches_derivative_of_lgamma(x):
    h = 1e-5
    fd = (math.lgamma(x + h) - math.lgamma(x - h)) / (2 * h)
    assert digamma_half_integer(x) == pytest.approx(fd, abs=1e-8)


def test_digamma_known_values_and_recurrence():
    assert digamma_half_integer(1) == -EULER_GAMMA
    assert digamma_half_integer(0.5) == pytest.approx(-EULER_GAMMA - 2 * math.log(2), rel=1e-15)
    assert digamma_half_integer(2) == pytest.approx(1 - EULER_GAMMA, rel=1e-15)
    for k in range(1, 30):
        x = k / 2
        assert digamma_half_integer(x + 1) == pytest.approx(digamma_half_integer(x) + 1 / x, rel=1e-13)


def test_lyapunov_closed_form_quoted_values():
    # d = 4: (ln 2 + 1 - gamma) / 2 = 0.558 (Newman 1986)
    assert gaussian_lyapunov_exponent(4) == pytest.approx(0.5 * (math.log(2) + 1 - EULER_GAMMA), rel=1e-15)
    assert round(gaussian_lyapunov_exponent(4), 3) == 0.558
    # d = 1: the product of scalars N(0,1) grows at E ln|g| = -(gamma + ln 2) / 2
    assert gaussian_lyapunov_exponent(1) == pytest.approx(-(0.5772156649015329 + math.log(2)) / 2, rel=1e-14)


@pytest.mark.parametrize("d", [1, 2, 3, 4, 6])
def test_lyapunov_closed_form_is_mean_log_chi(d):
    # For unit v, G v is a standard Gaussian vector, so ln|G v| = ln(chi_d) = ln(chi^2_d) / 2.
    samples = 0.5 * np.log(np.random.default_rng(100 + d).chisquare(d, size=400_000))
    se = samples.std() / math.sqrt(samples.size)
    assert abs(samples.mean() - gaussian_lyapunov_exponent(d)) < 4 * se


def test_lyapunov_estimate_agrees_with_closed_form():
    mean, se = lyapunov_estimate(4, 2000, 100, 0)
    assert 0 < se < 0.002
    assert abs(mean - gaussian_lyapunov_exponent(4)) < 4 * se
    mean1, se1 = lyapunov_estimate(1, 500, 200, 1)
    assert abs(mean1 - gaussian_lyapunov_exponent(1)) < 4 * se1


# --- clipping ------------------------------------------------------------------------------------

VECS = arrays(np.float64, st.integers(1, 8), elements=st.floats(-1e6, 1e6, allow_nan=False))
THETAS = st.floats(min_value=1e-3, max_value=1e3)


@FAST
@given(VECS, THETAS)
def test_clip_by_norm_keeps_direction_and_caps_the_norm(g, theta):
    out = clip_by_norm(g, theta)
    n = float(np.linalg.norm(g))
    assert float(np.linalg.norm(out)) == pytest.approx(min(n, theta), rel=1e-12, abs=1e-300)
    if n > 0:
        # same direction: out is a positive multiple of g
        scale = float(np.linalg.norm(out)) / n
        np.testing.assert_allclose(out, scale * g, rtol=1e-12, atol=1e-12 * theta)
        assert scale <= 1.0
    if n <= theta:
        np.testing.assert_array_equal(out, g)
    np.testing.assert_allclose(clip_by_norm(out, theta), out, rtol=1e-12)  # idempotent


@FAST
@given(VECS, THETAS)
def test_clip_by_value_bounds_every_entry_and_never_increases_the_norm(g, theta):
    out = clip_by_value(g, theta)
    assert np.all(np.abs(out) <= theta)
    inside = np.abs(g) <= theta
    np.testing.assert_array_equal(out[inside], g[inside])
    np.testing.assert_array_equal(np.abs(out[~inside]), theta)
    assert np.all(np.sign(out) == np.sign(g))
    assert np.linalg.norm(out) <= np.linalg.norm(g) + 1e-12


@FAST
@given(VECS, THETAS)
def test_clipping_cannot_enlarge_a_vanishing_gradient(g, theta):
    tiny = g * 1e-12
    assume(np.linalg.norm(tiny) < theta)
    np.testing.assert_array_equal(clip_by_norm(tiny, theta), tiny)
    np.testing.assert_array_equal(clip_by_value(tiny, theta), tiny)


def test_value_clipping_changes_the_direction_of_the_example():
    g = np.array([4.0, 1.0])
    np.testing.assert_array_equal(clip_by_value(g, 1.0), [1.0, 1.0])
    assert angle_degrees(g, clip_by_value(g, 1.0)) == pytest.approx(45.0 - math.degrees(math.atan(0.25)), rel=1e-12)
    np.testing.assert_allclose(clip_by_norm(g, 1.0), g / math.sqrt(17), rtol=1e-15)
    assert angle_degrees(g, clip_by_norm(g, 1.0)) == pytest.approx(0.0, abs=1e-6)


def test_clip_works_on_matrices_with_the_frobenius_norm():
    g = np.full((3, 4), 2.0)  # Frobenius norm sqrt(48)
    np.testing.assert_allclose(clip_by_norm(g, 1.0), g / math.sqrt(48), rtol=1e-15)
    assert clip_by_norm(g, 1.0).shape == (3, 4)


def test_clip_does_not_modify_its_input():
    g = np.array([10.0, -10.0])
    clip_by_norm(g, 1.0)
    clip_by_value(g, 1.0)
    np.testing.assert_array_equal(g, [10.0, -10.0])
    small = np.array([0.1, 0.2])
    assert clip_by_norm(small, 1.0) is not small


def test_angle_degrees_known_values():
    assert angle_degrees(np.array([1.0, 0.0]), np.array([0.0, 3.0])) == 90.0
    assert angle_degrees(np.array([1.0, 1.0]), np.array([-2.0, -2.0])) == pytest.approx(180.0)
    assert angle_degrees(np.array([3.0, 4.0]), np.array([2.5, 2.5])) == pytest.approx(
        math.degrees(math.atan2(4, 3)) - 45.0, rel=1e-12)


def test_first_step_above():
    f32 = int(np.finfo(np.float32).max)
    assert 5**55 <= f32 < 5**56
    assert first_step_above(5.0, float(np.finfo(np.float32).max)) == 56
    f64 = int(np.finfo(np.float64).max)
    assert 5**441 <= f64 < 5**442
    assert first_step_above(5.0, float(np.finfo(np.float64).max)) == 442
    assert first_step_above(2.0, 8.0) == 4  # 2^3 = 8 is not above 8
    assert first_step_above(2.0, 0.5) == 0


# --- what the page shows -------------------------------------------------------------------------


def test_page_numbers_against_independent_values():
    v = {name: NUMBERS[name].value() for name in NUMBERS if name.startswith("explode_")}
    assert (v["explode_eig_max"], v["explode_eig_min"]) == (5.0, -3.0)
    assert v["explode_relu_h10"] == 9_765_625
    assert v["explode_relu_jac10"] == pytest.approx(5.0**10, rel=1e-12)
    assert 0.99 < v["explode_sigmoid_h10"] < 1.0
    s = v["explode_sigmoid_fixed"]
    # at the fixed point sigma(5 s) = s, so sigma'(5 s) = s (1 - s)
    assert v["explode_sigmoid_factor"] == pytest.approx(5 * s * (1 - s), rel=1e-9)
    assert v["explode_sigmoid_jac10"] < 1e-14
    assert 1e22 <= v["explode_prod_min"] < v["explode_prod_max"] <= 1e27
    assert v["explode_lyap"] == pytest.approx(0.558, abs=5e-4)
    assert v["explode_psi2"] == pytest.approx(1 - 0.5772156649015329, rel=1e-15)
    assert v["explode_prod_expected"] == pytest.approx(math.exp(100 * 0.5579657578), rel=1e-8)
    assert abs(v["explode_lyap_sim"] - v["explode_lyap"]) < 4 * v["explode_lyap_se"]
    assert v["explode_angle"] == pytest.approx(30.96, abs=0.01)
    assert v["explode_angle_norm"] == pytest.approx(0.0, abs=1e-6)
    assert v["explode_vanish_clipped"] == v["explode_sigmoid_jac10"]
    assert v["explode_ex_f32_t"] == 56 and v["explode_ex_f64_t"] == 442
    assert v["explode_ex_lyap1"] == pytest.approx(-0.6352, abs=1e-4)
    assert v["explode_ex_lyap2"] == pytest.approx(0.5 * (math.log(2) - 0.5772156649015329), rel=1e-12)
    assert (v["explode_ex_norm1"], v["explode_ex_norm2"]) == pytest.approx((1.5, 2.0), rel=1e-15)
    assert (v["explode_ex_value1"], v["explode_ex_value2"]) == (2.5, 2.5)
    assert v["explode_ex_angle"] == pytest.approx(math.degrees(math.atan2(4, 3)) - 45, rel=1e-12)


# --- bad input -----------------------------------------------------------------------------------

TRAJ = plain_recurrence(W, H0, 3, "relu")


@pytest.mark.parametrize(("call", "match"), [
    (lambda: plain_recurrence([[1.0, 4.0], [4.0, 1.0]], H0, 3, "relu"), r"^W\b"),
    (lambda: plain_recurrence(np.ones((2, 3)), H0, 3, "relu"), r"^W\b"),
    (lambda: plain_recurrence(W, np.ones(3), 3, "relu"), r"^h0\b"),
    (lambda: plain_recurrence(W, np.array([np.inf, 1.0]), 3, "relu"), r"^h0\b"),
    (lambda: plain_recurrence(W, H0, 0, "relu"), r"^T\b"),
    (lambda: plain_recurrence(W, H0, 3, "softmax"), r"^activation\b"),
    (lambda: plain_recurrence(W, H0, 3, None), r"^activation\b"),
    (lambda: recurrence_jacobian_norms("traj", W), r"^traj\b"),
    (lambda: recurrence_jacobian_norms(TRAJ, np.eye(3)), r"^W\b"),
    (lambda: random_product_log_norms(0, 10, 0), r"^d\b"),
    (lambda: random_product_log_norms(4, 0, 0), r"^T\b"),
    (lambda: random_product_log_norms(4, 10, -1), r"^seed\b"),
    (lambda: digamma_half_integer(0), r"^x\b"),
    (lambda: digamma_half_integer(0.3), r"^x\b"),
    (lambda: digamma_half_integer(-1.5), r"^x\b"),
    (lambda: digamma_half_integer(np.array([1.0])), r"^x\b"),
    (lambda: gaussian_lyapunov_exponent(0), r"^d\b"),
    (lambda: gaussian_lyapunov_exponent(2.0), r"^d\b"),
    (lambda: lyapunov_estimate(4, 10, 1, 0), r"^chains\b"),
    (lambda: lyapunov_estimate(4, 0, 10, 0), r"^T\b"),
    (lambda: clip_by_norm(np.ones(2), 0.0), r"^theta\b"),
    (lambda: clip_by_norm(np.ones(2), -1.0), r"^theta\b"),
    (lambda: clip_by_norm(np.ones(2), math.nan), r"^theta\b"),
    (lambda: clip_by_norm(np.ones(2), np.array([1.0])), r"^theta\b"),
    (lambda: clip_by_norm([1.0, 2.0], 1.0), r"^g\b"),
    (lambda: clip_by_norm(np.array([]), 1.0), r"^g\b"),
    (lambda: clip_by_norm(np.array([1.0, np.nan]), 1.0), r"^g\b"),
    (lambda: clip_by_value(np.ones(2), 0.0), r"^theta\b"),
    (lambda: clip_by_value(np.ones(2), True), r"^theta\b"),
    (lambda: clip_by_value(np.array(["a"]), 1.0), r"^g\b"),
    (lambda: angle_degrees(np.zeros(2), np.ones(2)), r"^u and v\b"),
    (lambda: angle_degrees(np.ones(2), np.ones(3)), r"^u and v\b"),
    (lambda: angle_degrees([1.0], np.ones(1)), r"^u and v\b"),
    (lambda: sigmoid_fixed_point(-1.0), r"^w\b"),
    (lambda: sigmoid_fixed_point(5.0, 0), r"^iterations\b"),
    (lambda: first_step_above(1.0, 10.0), r"^base\b"),
    (lambda: first_step_above(2.0, -1.0), r"^limit\b"),
])
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_trajectory_is_frozen():
    assert isinstance(TRAJ, Trajectory)
    with pytest.raises(AttributeError):
        TRAJ.h = None  # type: ignore[misc]


# --- products at the critical scale Var = 1/d --------------------------------------------------


@pytest.mark.parametrize("d", [1, 2, 4, 7])
def test_lyapunov_exponent_at_any_variance_against_monte_carlo(d):
    """lambda_1(s^2) is the mean of (1/2) ln(s^2 chi^2_d), estimated here from fresh samples."""
    rng = np.random.default_rng(11)
    for variance in (1.0, 1.0 / d, 0.3):
        samples = 0.5 * np.log(variance * rng.chisquare(d, size=2_000_000))
        se = samples.std() / math.sqrt(samples.size)
        assert abs(gaussian_lyapunov_exponent(d, variance) - samples.mean()) < 5 * se


def test_scaling_the_entries_shifts_every_log_norm_by_t_half_log_variance():
    base = random_product_log_norms(4, 60, 3)
    scaled = random_product_log_norms(4, 60, 3, variance=0.25)
    np.testing.assert_allclose(scaled, base + np.arange(1, 61) * 0.5 * math.log(0.25), rtol=0, atol=1e-9)


def test_at_the_critical_scale_the_mean_square_stays_but_typical_products_vanish():
    d = 4
    assert gaussian_lyapunov_exponent(d, 1.0 / d) < -0.1
    # each factor keeps the mean square: E||G u||^2 = d s^2 ||u||^2 = ||u||^2
    rng = np.random.default_rng(0)
    G = rng.standard_normal((200_000, d, d)) / math.sqrt(d)
    u = np.array([1.0, 0.0, 0.0, 0.0])
    assert np.mean(np.sum((G @ u) ** 2, axis=1)) == pytest.approx(1.0, rel=0.01)
    ends = [random_product_log_norms(d, 100, s, 1.0 / d)[-1] for s in range(5)]
    assert max(ends) < math.log(1e-2)


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, np.ones(2)])
def test_variance_must_be_positive(bad):
    with pytest.raises(ValueError, match=r"^variance\b"):
        gaussian_lyapunov_exponent(4, bad)
    with pytest.raises(ValueError, match=r"^variance\b"):
        random_product_log_norms(4, 3, 0, bad)


def test_scale_paragraph_and_fixed_point_claims():
    """exploding.md: the sigmoid state reaches s* to four decimals by t = 10; at Var = 1/d the
    exponent is negative for every d (closed form with psi(d/2) from the digamma recurrence) and the
    five seeded products all end far below one, while at Var = 1 they end far above."""
    v = {name: NUMBERS[name].value() for name in NUMBERS if name.startswith("explode_")}
    s = 1.0  # s_t = sigma(5 s_{t-1}) from h_0 = (1, 1), a plain loop
    for _ in range(10):
        s = 1 / (1 + math.exp(-5 * s))
    assert v["explode_sigmoid_h10"] == pytest.approx(s, rel=1e-12)
    assert abs(v["explode_sigmoid_h10"] - v["explode_sigmoid_fixed"]) < 5e-5

    def psi_half_integer(x: float) -> float:  # psi(1/2) = -gamma - 2 ln 2, psi(1) = -gamma, psi(x+1) = psi(x) + 1/x
        value, y = (-0.5772156649015329 - 2 * math.log(2), 0.5) if x % 1 else (-0.5772156649015329, 1.0)
        while y < x:
            value, y = value + 1 / y, y + 1
        return value

    for d in range(1, 65):
        assert 0.5 * (math.log(2 / d) + psi_half_integer(d / 2)) < 0
    assert v["explode_lyap_crit"] == pytest.approx(0.5 * (math.log(2 / 4) + 1 - 0.5772156649015329), rel=1e-12)
    assert v["explode_lyap_scale_part"] == pytest.approx(v["explode_lyap"] - v["explode_lyap_crit"], rel=1e-12)
    assert v["explode_prod_crit_expected"] == pytest.approx(math.exp(100 * v["explode_lyap_crit"]), rel=1e-12)
    assert v["explode_prod_crit_min"] < v["explode_prod_crit_max"] < 1e-2 < 1e20 < v["explode_prod_min"]
