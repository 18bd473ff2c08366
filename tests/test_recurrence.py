# The tanh RNN, its Jacobians and BPTT against finite differences, closed forms and Pascanu's bound.
"""Tests for vgdocs.recurrence.

Every hand-written derivative (step Jacobian, Jacobian product, BPTT, truncated BPTT) is checked
against central finite differences of the forward pass; matrix powers against the closed form of
a 2x2 triangular block and the closed-form largest singular value of a 2x2 matrix; the bound
against Pascanu, Mikolov & Bengio (2013) over many seeds and for a sigmoid RNN written out here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vgdocs.recurrence import (
    RNNGradients,
    RNNTrace,
    bptt,
    bptt_step_contributions,
    cosine_similarity,
    final_state_loss,
    final_state_loss_grad,
    hidden_jacobian_norms,
    hidden_jacobian_product,
    matrix_power_norm,
    pascanu_bound,
    rnn_forward,
    rnn_pre_activation,
    rnn_step,
    rnn_step_jacobian,
    scaled_gaussian,
    scaled_orthogonal,
    spectral_norm,
    spectral_radius,
    steps_below,
    triangular_power,
    truncated_bptt,
    vanishing_threshold,
)
from vgsite import page
from vgsite.registry import NUMBERS

# What the page "Backpropagation through time" runs: its 64-unit RNN at a given gain.
rnn_experiment = page("recurrence").rnn_experiment
truncation_kept = page("recurrence").truncation_kept

FAST = settings(max_examples=60, deadline=None, database=None)
EPS = 1e-6


def small_rnn(n: int = 4, d: int = 3, T: int = 6, seed: int = 7, scale: float = 0.8):
    """Random small RNN parameters and inputs, drawn here independently of the module."""
    rng = np.random.default_rng(seed)
    W_hh = rng.standard_normal((n, n)) * scale / math.sqrt(n)
    W_xh = rng.standard_normal((n, d)) * 0.5
    b = rng.standard_normal(n) * 0.1
    h0 = rng.standard_normal(n) * 0.5
    xs = rng.standard_normal((T, d))
    return h0, xs, W_hh, W_xh, b


def forward_by_hand(h0, xs, W_hh, W_xh, b):
    """The recurrence written elementwise with math.tanh: an independent forward pass."""
    n = len(h0)
    h = [float(v) for v in h0]
    states = [list(h)]
    for x in xs:
        a = [sum(W_hh[i, j] * h[j] for j in range(n)) + sum(W_xh[i, k] * x[k] for k in range(len(x))) + b[i]
             for i in range(n)]
        h = [math.tanh(v) for v in a]
        states.append(list(h))
    return np.array(states)


def last_state(h0, xs, W_hh, W_xh, b):
    return forward_by_hand(h0, xs, W_hh, W_xh, b)[-1]


def central_gradient(f, x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Central differences of a scalar function of an array, entry by entry."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        g[idx] = (f(xp) - f(xm)) / (2 * eps)
    return g


def two_by_two_norm(M: np.ndarray) -> float:
    """Largest singular value of a 2x2 matrix in closed form: sqrt((F + sqrt(F^2 - 4 det^2)) / 2)."""
    F = float(np.sum(M * M))
    det = float(M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0])
    return math.sqrt((F + math.sqrt(max(F * F - 4 * det * det, 0.0))) / 2)


# --- forward pass --------------------------------------------------------------------------------


def test_forward_matches_elementwise_recurrence():
    h0, xs, W_hh, W_xh, b = small_rnn()
    trace = rnn_forward(h0, xs, W_hh, W_xh, b)
    np.testing.assert_allclose(trace.h, forward_by_hand(h0, xs, W_hh, W_xh, b), rtol=0, atol=1e-14)
    assert trace.steps == len(xs)
    assert trace.h.shape == (len(xs) + 1, len(h0))
    np.testing.assert_array_equal(trace.h[0], h0)
    np.testing.assert_allclose(np.tanh(trace.a), trace.h[1:], atol=0)


def test_step_and_pre_activation_are_one_step_of_the_forward_pass():
    h0, xs, W_hh, W_xh, b = small_rnn()
    trace = rnn_forward(h0, xs, W_hh, W_xh, b)
    a1 = rnn_pre_activation(h0, xs[0], W_hh, W_xh, b)
    np.testing.assert_allclose(a1, trace.a[0], atol=1e-15)
    np.testing.assert_allclose(rnn_step(h0, xs[0], W_hh, W_xh, b), forward_by_hand(h0, xs[:1], W_hh, W_xh, b)[1],
                               atol=1e-15)


def test_step_jacobian_matches_central_differences():
    h0, xs, W_hh, W_xh, b = small_rnn()
    a = rnn_pre_activation(h0, xs[0], W_hh, W_xh, b)
    J = rnn_step_jacobian(a, W_hh)
    fd = np.column_stack([
        (rnn_step(h0 + EPS * e, xs[0], W_hh, W_xh, b) - rnn_step(h0 - EPS * e, xs[0], W_hh, W_xh, b)) / (2 * EPS)
        for e in np.eye(len(h0))
    ])
    np.testing.assert_allclose(J, fd, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_jacobian_product_matches_central_differences(seed):
    h0, xs, W_hh, W_xh, b = small_rnn(n=5, T=8, seed=seed, scale=1.3)
    J = hidden_jacobian_product(rnn_forward(h0, xs, W_hh, W_xh, b), W_hh)
    fd = np.column_stack([
        (last_state(h0 + EPS * e, xs, W_hh, W_xh, b) - last_state(h0 - EPS * e, xs, W_hh, W_xh, b)) / (2 * EPS)
        for e in np.eye(len(h0))
    ])
    np.testing.assert_allclose(J, fd, rtol=1e-6, atol=1e-9)


def test_jacobian_norms_are_norms_of_prefix_products():
    h0, xs, W_hh, W_xh, b = small_rnn(T=7)
    trace = rnn_forward(h0, xs, W_hh, W_xh, b)
    norms = hidden_jacobian_norms(trace, W_hh)
    for T in range(1, 8):
        prefix = rnn_forward(h0, xs[:T], W_hh, W_xh, b)
        assert norms[T - 1] == pytest.approx(np.linalg.svd(hidden_jacobian_product(prefix, W_hh))[1][0], rel=1e-12)


def test_jacobian_of_a_linear_regime_rnn_is_the_matrix_power():
    # With tiny states tanh' ~ 1, so dh_T/dh_0 ~ W^T.
    n, T = 4, 5
    W = scaled_orthogonal(n, 0.8, seed=3)
    trace = rnn_forward(np.full(n, 1e-9), np.zeros((T, 1)), W, np.zeros((n, 1)), np.zeros(n))
    np.testing.assert_allclose(hidden_jacobian_product(trace, W), np.linalg.matrix_power(W, T), atol=1e-12)


# --- BPTT ----------------------------------------------------------------------------------------


def _loss_fns(h0, xs, W_hh, W_xh, b, per_step_targets):
    """Loss L = sum_t 1/2 |h_t - y_t|^2 (rows of zeros-weight skipped) as functions of each argument."""
    weights = np.array([0.0 if np.all(np.isnan(y)) else 1.0 for y in per_step_targets])
    targets = np.nan_to_num(per_step_targets)

    def L(h0_, W_hh_, W_xh_, b_):
        hs = forward_by_hand(h0_, xs, W_hh_, W_xh_, b_)[1:]
        return 0.5 * float(np.sum(weights[:, None] * (hs - targets) ** 2))

    return L, weights, targets


@pytest.mark.parametrize("per_step", [False, True], ids=["loss-on-h_T", "loss-at-every-step"])
@pytest.mark.parametrize("seed", [11, 12])
def test_bptt_matches_central_differences(per_step, seed):
    n, T = 4, 6
    h0, xs, W_hh, W_xh, b = small_rnn(n=n, T=T, seed=seed, scale=1.2)
    rng = np.random.default_rng(seed + 100)
    targets = rng.standard_normal((T, n)) * 0.5
    if not per_step:
        targets[:-1] = np.nan
    L, weights, y = _loss_fns(h0, xs, W_hh, W_xh, b, targets)
    trace = rnn_forward(h0, xs, W_hh, W_xh, b)
    dL_dh = weights[:, None] * (trace.h[1:] - y)
    g = bptt(trace, W_hh, dL_dh)
    assert isinstance(g, RNNGradients)
    np.testing.assert_allclose(g.h0, central_gradient(lambda v: L(v, W_hh, W_xh, b), h0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(g.W_hh, central_gradient(lambda v: L(h0, v, W_xh, b), W_hh), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(g.W_xh, central_gradient(lambda v: L(h0, W_hh, v, b), W_xh), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(g.b, central_gradient(lambda v: L(h0, W_hh, W_xh, v), b), rtol=1e-6, atol=1e-9)


def test_bptt_gradient_wrt_h0_is_jacobian_transpose_times_loss_gradient():
    h0, xs, W_hh, W_xh, b = small_rnn(T=9, seed=5)
    trace = rnn_forward(h0, xs, W_hh, W_xh, b)
    dL = np.zeros((9, 4))
    dL[-1] = final_state_loss_grad(trace.h[-1], np.ones(4))
    g = bptt(trace, W_hh, dL)
    np.testing.assert_allclose(g.h0, hidden_jacobian_product(trace, W_hh).T @ dL[-1], rtol=1e-12, atol=1e-15)


def test_final_state_loss_and_gradient():
    h, y = np.array([1.0, -2.0, 0.5]), np.array([0.0, 1.0, 0.5])
    assert final_state_loss(h, y) == 0.5 * (1 + 9 + 0)
    np.testing.assert_allclose(final_state_loss_grad(h, y),
                               central_gradient(lambda v: final_state_loss(v, y), h), rtol=1e-8)


def test_truncated_bptt_with_full_window_is_bptt():
    h0, xs, W_hh, W_xh, b = small_rnn(T=7, seed=21)
    trace = rnn_forward(h0, xs, W_hh, W_xh, b)
    dL = np.random.default_rng(0).standard_normal((7, 4))
    full, trunc = bptt(trace, W_hh, dL), truncated_bptt(trace, W_hh, dL, k1=7, k2=7)
    for name in ("h0", "W_hh", "W_xh", "b"):
        np.testing.assert_array_equal(getattr(full, name), getattr(trunc, name))
    longer = truncated_bptt(trace, W_hh, dL, k1=7, k2=50)  # a window longer than the sequence
    np.testing.assert_array_equal(longer.W_hh, full.W_hh)


@pytest.mark.parametrize("k2", [1, 3, 5])
def test_truncated_bptt_is_the_gradient_with_the_early_states_held_fixed(k2):
    # Independent definition: the first T - k2 steps run with the original weights (their output is
    # a constant), the last k2 steps with the perturbed ones; differentiate that by central differences.
    n, T = 4, 8
    h0, xs, W_hh, W_xh, b = small_rnn(n=n, T=T, seed=31, scale=1.1)
    y = np.linspace(-0.5, 0.5, n)
    frozen = forward_by_hand(h0, xs[: T - k2], W_hh, W_xh, b)[-1]

    def L(W_hh_, W_xh_, b_):
        return 0.5 * float(np.sum((last_state(frozen, xs[T - k2:], W_hh_, W_xh_, b_) - y) ** 2))

    trace = rnn_forward(h0, xs, W_hh, W_xh, b)
    dL = np.zeros((T, n))
    dL[-1] = trace.h[-1] - y
    g = truncated_bptt(trace, W_hh, dL, k1=1, k2=k2)
    np.testing.assert_allclose(g.W_hh, central_gradient(lambda v: L(v, W_xh, b), W_hh), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(g.W_xh, central_gradient(lambda v: L(W_hh, v, b), W_xh), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(g.b, central_gradient(lambda v: L(W_hh, W_xh, v), b), rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(g.h0, np.zeros(n))


def test_truncated_bptt_k1_uses_only_the_last_k1_loss_terms():
    n, T = 4, 8
    h0, xs, W_hh, W_xh, b = small_rnn(n=n, T=T, seed=41)
    trace = rnn_forward(h0, xs, W_hh, W_xh, b)
    dL = np.random.default_rng(1).standard_normal((T, n))
    masked = dL.copy()
    masked[: T - 3] = 0.0
    a = truncated_bptt(trace, W_hh, dL, k1=3, k2=T)
    c = bptt(trace, W_hh, masked)
    np.testing.assert_allclose(a.W_hh, c.W_hh, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(a.h0, c.h0, rtol=1e-14, atol=1e-15)


def test_step_contributions_sum_to_the_bptt_weight_gradient_in_norm_bound():
    h0, xs, W_hh, W_xh, b = small_rnn(T=6, seed=51)
    trace = rnn_forward(h0, xs, W_hh, W_xh, b)
    dL = np.zeros((6, 4))
    dL[-1] = 1.0
    parts = bptt_step_contributions(trace, W_hh, dL)
    full = bptt(trace, W_hh, dL).W_hh
    # lag 0 alone is the truncation with k2 = 1; the triangle inequality bounds the sum
    assert parts[0] == pytest.approx(np.linalg.norm(truncated_bptt(trace, W_hh, dL, 1, 1).W_hh), rel=1e-12)
    assert np.linalg.norm(full) <= parts.sum() + 1e-12
    for k in range(1, 6):
        step = truncated_bptt(trace, W_hh, dL, 1, k + 1).W_hh - truncated_bptt(trace, W_hh, dL, 1, k).W_hh
        assert parts[k] == pytest.approx(np.linalg.norm(step), rel=1e-10)


# --- the bound -----------------------------------------------------------------------------------


def test_pascanu_bound_quoted_value():
    # 0.9^50 = 5.15e-3 (Pascanu et al.'s bound for a tanh RNN with ||W|| = 0.9 over 50 steps)
    assert pascanu_bound(0.9, 1.0, 50) == pytest.approx(math.exp(50 * math.log(0.9)), rel=1e-12)
    assert pascanu_bound(0.9, 1.0, 50) == pytest.approx(5.2e-3, rel=0.01)
    assert pascanu_bound(3.0, 0.25, 2) == pytest.approx(0.5625, rel=1e-15)
    assert pascanu_bound(0.0, 1.0, 0) == 1.0


def test_thresholds_are_one_over_gamma():
    assert vanishing_threshold(1.0) == 1.0
    assert vanishing_threshold(0.25) == 4.0


@pytest.mark.parametrize("gaussian", [False, True], ids=["orthogonal", "gaussian"])
@pytest.mark.parametrize("gain", [0.5, 0.9, 1.0])
def test_bound_holds_over_seeds(gain, gaussian):
    for seed in range(12):
        trace, W = rnn_experiment(gain, 50, seed=seed, gaussian=gaussian)
        assert spectral_norm(W) == pytest.approx(gain, rel=1e-12)
        measured = np.linalg.svd(hidden_jacobian_product(trace, W), compute_uv=False)[0]
        assert measured <= pascanu_bound(gain, 1.0, 50) * (1 + 1e-9)
        # the sharper form keeps the actual derivative bounds of every step
        sharper = math.prod(float(np.max(1 - np.tanh(a) ** 2)) * gain for a in trace.a)
        assert measured <= sharper * (1 + 1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_bound_holds_for_a_sigmoid_rnn_with_gamma_a_quarter(seed):
    # A sigmoid RNN written out here: dh_t/dh_{t-1} = diag(s(1-s)) W; bound (||W|| / 4)^T.
    rng = np.random.default_rng(seed)
    n, T = 16, 30
    G = rng.standard_normal((n, n))
    W = G * (3.5 / np.linalg.svd(G, compute_uv=False)[0])
    h = rng.random(n)
    J = np.eye(n)
    for _ in range(T):
        s = 1 / (1 + np.exp(-(W @ h)))
        J = (s * (1 - s))[:, None] * W @ J
        h = s
    assert np.linalg.svd(J, compute_uv=False)[0] <= pascanu_bound(3.5, 0.25, T)
    assert pascanu_bound(3.5, 0.25, T) < 1.0 < pascanu_bound(3.5, 1.0, T)


def test_steps_below():
    # 0.9^T < 1e-6  <=>  T > 6 ln 10 / -ln 0.9 = 131.1...
    assert steps_below(0.9, 1.0, 1e-6) == math.floor(6 * math.log(10) / -math.log(0.9)) + 1 == 132
    assert steps_below(2.0, 0.25, 0.5**10 * 1.0001) == 10


# --- eigenvalues versus singular values ----------------------------------------------------------

A = np.array([[0.9, 10.0], [0.0, 0.9]])


def test_triangular_block_spectral_radius_and_fifth_power():
    assert spectral_radius(A) == pytest.approx(0.9, rel=1e-12)
    # ||A^5|| ~ 32.8 while rho^5 ~ 0.59
    assert matrix_power_norm(A, 5) == pytest.approx(32.8, abs=0.05)
    assert spectral_radius(A) ** 5 == pytest.approx(0.59049, rel=1e-9)


@pytest.mark.parametrize("k", [0, 1, 2, 5, 9, 10, 30, 63, 100])
def test_matrix_power_norm_matches_closed_form(k):
    closed = np.array([[0.9**k, 10 * k * 0.9 ** (k - 1) if k else 0.0], [0.0, 0.9**k]])
    np.testing.assert_allclose(triangular_power(0.9, 10.0, k), closed, rtol=1e-12, atol=0)
    np.testing.assert_allclose(np.linalg.matrix_power(A, k), closed, rtol=1e-12, atol=1e-300)
    assert matrix_power_norm(A, k) == pytest.approx(two_by_two_norm(closed), rel=1e-10)


def test_spectral_norm_and_radius_of_known_matrices():
    assert spectral_norm(np.diag([3.0, -5.0])) == 5.0
    assert spectral_radius(np.array([[0.0, -2.0], [2.0, 0.0]])) == pytest.approx(2.0)  # eigenvalues +-2i
    assert spectral_norm(np.array([[1.0, 1.0]])) == pytest.approx(math.sqrt(2))


@FAST
@given(st.integers(min_value=1, max_value=12), st.floats(min_value=0.05, max_value=5.0), st.integers(0, 10_000))
def test_scaled_orthogonal_has_every_singular_value_equal_to_the_gain(n, gain, seed):
    W = scaled_orthogonal(n, gain, seed)
    np.testing.assert_allclose(W.T @ W, gain**2 * np.eye(n), atol=1e-12 * max(1.0, gain**2))
    assert spectral_radius(W) == pytest.approx(gain, rel=1e-9)


@FAST
@given(st.integers(min_value=1, max_value=12), st.floats(min_value=0.05, max_value=5.0), st.integers(0, 10_000))
def test_scaled_gaussian_has_the_requested_norm(n, gain, seed):
    assert spectral_norm(scaled_gaussian(n, gain, seed)) == pytest.approx(gain, rel=1e-12)


def test_seeds_are_reproducible():
    np.testing.assert_array_equal(scaled_orthogonal(5, 1.0, 3), scaled_orthogonal(5, 1.0, 3))
    assert not np.array_equal(scaled_orthogonal(5, 1.0, 3), scaled_orthogonal(5, 1.0, 4))


def test_cosine_similarity():
    assert cosine_similarity(np.array([1.0, 0.0]), np.array([1.0, 1.0])) == pytest.approx(math.sqrt(0.5))
    assert cosine_similarity(np.eye(2), -np.eye(2)) == pytest.approx(-1.0)


# --- what the page shows -------------------------------------------------------------------------


def test_page_numbers_against_independent_values():
    v = {name: NUMBERS[name].value() for name in NUMBERS if name.startswith("rnn_")}
    assert v["rnn_bound_50"] == pytest.approx(0.9**50, rel=1e-12)
    assert 0 < v["rnn_measured_50"] <= v["rnn_bound_50"]
    assert v["rnn_gaussian_50"] < v["rnn_measured_50"]
    assert v["rnn_threshold_tanh"] == 1.0 and v["rnn_threshold_sigmoid"] == 4.0
    assert v["rnn_jordan_rho_k"] == pytest.approx(0.9**5, rel=1e-9)
    assert v["rnn_jordan_offdiag_k"] == pytest.approx(10 * 5 * 0.9**4, rel=1e-12)
    assert v["rnn_jordan_norm_k"] == pytest.approx(32.8, abs=0.05)
    # the peak of ||A^k|| is next to the peak of k 0.9^(k-1), at k = -1/ln 0.9 = 9.49
    assert v["rnn_jordan_peak_cont"] == pytest.approx(9.4912, abs=1e-4)
    norms = {k: two_by_two_norm(triangular_power(0.9, 10.0, k)) for k in range(101)}
    assert v["rnn_jordan_peak_k"] == max(norms, key=norms.get)
    assert v["rnn_jordan_peak"] == pytest.approx(max(norms.values()), rel=1e-10)
    assert v["rnn_jordan_below_1"] == min(k for k in range(1, 101) if norms[k] < 1)
    assert v["rnn_ex_sigmoid_bound"] == pytest.approx(0.5**20, rel=1e-12)
    assert v["rnn_ex_sigmoid_tanh_bound"] == 2.0**20
    assert v["rnn_ex_steps"] == 132
    # truncation keeps most of a vanishing gradient and little of a growing one
    assert v["rnn_tbptt_cos_09"] > 0.9 > v["rnn_ex_tbptt_cos_10"] > v["rnn_tbptt_cos_15"]
    assert v["rnn_gain_3_at_100"] > 1e6 > 1e-1 > v["rnn_gain_1_at_100"]


def test_truncation_kept_matches_a_direct_computation():
    trace, W = rnn_experiment(0.9, 50)
    dL = np.zeros((50, 64))
    dL[-1] = trace.h[-1]
    full = bptt(trace, W, dL).W_hh
    # the truncated gradient is the sum of the last ten steps' outer products, recomputed here
    delta, trunc = dL[-1], np.zeros((64, 64))
    for t in range(50, 40, -1):
        g = delta * (1 - trace.h[t] ** 2)
        trunc += np.outer(g, trace.h[t - 1])
        delta = W.T @ g
    cos = float(np.sum(trunc * full) / (np.linalg.norm(trunc) * np.linalg.norm(full)))
    assert truncation_kept(0.9) == pytest.approx((cos, np.linalg.norm(trunc) / np.linalg.norm(full)), rel=1e-10)


# --- bad input -----------------------------------------------------------------------------------

H0, XS, WHH, WXH, B = small_rnn()
TRACE = rnn_forward(H0, XS, WHH, WXH, B)
DL = np.zeros((6, 4))


@pytest.mark.parametrize(("call", "match"), [
    (lambda: rnn_forward([0.0] * 4, XS, WHH, WXH, B), r"^h0\b"),
    (lambda: rnn_forward(H0, XS, WHH[:3], WXH, B), r"^W_hh\b"),
    (lambda: rnn_forward(H0, XS, WHH, WXH[:3], B), r"^W_xh\b"),
    (lambda: rnn_forward(H0, XS, WHH, WXH, B[:3]), r"^b\b"),
    (lambda: rnn_forward(H0[:3], XS, WHH, WXH, B), r"^h0\b"),
    (lambda: rnn_forward(H0, XS[:, :2], WHH, WXH, B), r"^xs\b"),
    (lambda: rnn_forward(H0, XS[0], WHH, WXH, B), r"^xs\b"),
    (lambda: rnn_forward(np.array([np.nan, 0, 0, 0]), XS, WHH, WXH, B), r"^h0\b"),
    (lambda: rnn_forward(H0, XS, WHH.astype(complex), WXH, B), r"^W_hh\b"),
    (lambda: rnn_pre_activation(H0, XS[0][:2], WHH, WXH, B), r"^x\b"),
    (lambda: rnn_pre_activation(H0[:2], XS[0], WHH, WXH, B), r"^h_prev\b"),
    (lambda: rnn_step(H0, XS[0], WHH, WXH, "b"), r"^b\b"),
    (lambda: rnn_step_jacobian(H0[:3], WHH), r"^a\b"),
    (lambda: rnn_step_jacobian(H0, WHH[:, :3]), r"^W_hh\b"),
    (lambda: hidden_jacobian_product("trace", WHH), r"^trace\b"),
    (lambda: hidden_jacobian_product(TRACE, np.eye(3)), r"^W_hh\b"),
    (lambda: hidden_jacobian_norms(TRACE, np.eye(5)), r"^W_hh\b"),
    (lambda: bptt(TRACE, WHH, DL[:5]), r"^dL_dh\b"),
    (lambda: bptt(TRACE, WHH, DL[0]), r"^dL_dh\b"),
    (lambda: truncated_bptt(TRACE, WHH, DL, k1=0, k2=3), r"^k1\b"),
    (lambda: truncated_bptt(TRACE, WHH, DL, k1=4, k2=3), r"^k1\b"),
    (lambda: truncated_bptt(TRACE, WHH, DL, k1=1, k2=0), r"^k2\b"),
    (lambda: truncated_bptt(TRACE, WHH, DL, k1=1, k2=2.0), r"^k2\b"),
    (lambda: bptt_step_contributions(TRACE, WHH, DL[:, :3]), r"^dL_dh\b"),
    (lambda: final_state_loss(np.zeros(3), np.zeros(2)), r"^h_T\b"),
    (lambda: final_state_loss_grad(np.zeros(3), [0.0, 0.0, 0.0]), r"^target\b"),
    (lambda: spectral_norm(np.zeros(3)), r"^A\b"),
    (lambda: spectral_radius(np.zeros((2, 3))), r"^A\b"),
    (lambda: matrix_power_norm(A, -1), r"^k\b"),
    (lambda: matrix_power_norm(A, 1.5), r"^k\b"),
    (lambda: triangular_power(np.ones(2), 1.0, 2), r"^c and u\b"),
    (lambda: triangular_power(0.9, 10.0, -2), r"^k\b"),
    (lambda: vanishing_threshold(0.0), r"^gamma\b"),
    (lambda: vanishing_threshold(-0.25), r"^gamma\b"),
    (lambda: pascanu_bound(-0.1, 1.0, 3), r"^w_norm\b"),
    (lambda: pascanu_bound(0.9, 0.0, 3), r"^gamma\b"),
    (lambda: pascanu_bound(0.9, 1.0, -1), r"^T\b"),
    (lambda: pascanu_bound(True, 1.0, 2), r"^w_norm\b"),
    (lambda: scaled_orthogonal(0, 1.0, 0), r"^n\b"),
    (lambda: scaled_orthogonal(3, 0.0, 0), r"^gain\b"),
    (lambda: scaled_orthogonal(3, 1.0, -1), r"^seed\b"),
    (lambda: scaled_gaussian(3, -1.0, 0), r"^norm\b"),
    (lambda: scaled_gaussian(2.5, 1.0, 0), r"^n\b"),
    (lambda: steps_below(1.0, 1.0, 1e-3), r"^gamma \* w_norm\b"),
    (lambda: steps_below(0.5, 1.0, 0.0), r"^tol\b"),
    (lambda: cosine_similarity(np.zeros(2), np.ones(2)), r"^u and v\b"),
    (lambda: cosine_similarity(np.ones(2), np.ones(3)), r"^u and v\b"),
    (lambda: rnn_experiment(0.9, 0), r"^T\b"),
    (lambda: rnn_experiment(-0.9, 5), r"^gain\b"),
])
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_trace_is_frozen():
    with pytest.raises(AttributeError):
        TRACE.h = None  # type: ignore[misc]
    assert isinstance(TRACE, RNNTrace)


def test_gaussian_product_follows_the_spectral_radius_not_the_bound():
    """recurrence.md: a Gaussian W_hh at spectral norm 0.9 shrinks at its spectral radius, about half of 0.9."""
    from vgdocs.recurrence import scaled_gaussian

    W = scaled_gaussian(64, 0.9, 0)
    rho = float(np.max(np.abs(np.linalg.eigvals(W))))
    assert 0.35 < rho < 0.55  # circular law: radius ~ half the largest singular value
    trace, W_hh = rnn_experiment(0.9, 50, gaussian=True)
    measured = np.linalg.norm(hidden_jacobian_product(trace, W_hh), 2)
    assert measured < 1e-3 * 0.9 ** 50  # far below Pascanu's bound
    assert 0.1 < measured / rho ** 50 < 10  # within an order of magnitude of rho^T


def test_at_gain_three_about_half_the_unit_steps_are_saturated():
    trace, _ = rnn_experiment(3.0, 100)
    slopes = 1 - np.tanh(trace.a) ** 2
    assert 0.35 < np.mean(slopes < 0.1) < 0.65
    assert NUMBERS["rnn_gain_3_saturated_pct"].value() == pytest.approx(100 * np.mean(slopes < 0.1), rel=1e-12)


def test_an_orthogonal_gain_one_matrix_keeps_the_gradient_only_while_the_units_stay_linear():
    """gated-cells.md: at gain one the product falls when the units are pushed off zero, not otherwise.

    The Jacobian product is formed here with a plain loop over diag(1 - h_t^2) W_hh.
    """

    def jacobian_norm(h0: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray, xs: np.ndarray) -> float:
        h, J = h0, np.eye(h0.size)
        for x in xs:
            h = np.tanh(W_hh @ h + W_xh @ x)
            J = (1 - h**2)[:, None] * W_hh @ J
        return float(np.linalg.svd(J, compute_uv=False)[0])

    trace, W_hh = rnn_experiment(1.0, 100)
    rng = np.random.default_rng(1000)  # the page's W_xh, h0 and inputs (seed + 1000)
    W_xh = rng.standard_normal((64, 8)) * (0.1 / math.sqrt(8))
    h0, xs = rng.standard_normal(64), rng.standard_normal((100, 8))
    np.testing.assert_allclose(np.tanh(W_hh @ h0 + W_xh @ xs[0]), trace.h[1], rtol=1e-12)
    pushed = jacobian_norm(h0, W_xh, W_hh, xs)
    assert pushed == pytest.approx(NUMBERS["rnn_gain_1_at_100"].value(), rel=1e-9)
    assert pushed < 1e-2
    # The same matrix from h_0 = 0 with an input drive of about 1e-3: the units stay nearly linear.
    quiet = jacobian_norm(np.zeros(64), W_xh * 1e-2, W_hh, xs)
    assert quiet > 0.9


def test_at_gain_09_most_units_stay_near_the_linear_part_of_tanh():
    """recurrence.md: the small input weights keep most units near the linear part at gain 0.9."""
    trace, _ = rnn_experiment(0.9, 50)
    slopes = 1 - np.tanh(trace.a) ** 2
    assert np.mean(slopes > 0.9) > 0.8
    assert np.mean(slopes[10:]) > 0.95  # once the random initial state has decayed
