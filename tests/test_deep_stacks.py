# The dense stack's backward pass against finite differences, and the compensation width against counting.
"""Tests for vgdocs.deep_stacks.

Expectations come from central finite differences of the forward pass, explicit Jacobian
products built here with ``numpy.diag``, the ``math`` module, brute-force counting on fine grids
and a bisection written in this file; nothing is pasted from the code's own output.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from vgdocs.deep_stacks import (
    ACTIVATIONS,
    DenseGradients,
    DenseStackForward,
    activation_functions,
    compensation_interval,
    compensation_width,
    compensation_width_prime,
    dense_backward,
    dense_forward,
    golden_section_maximise,
    identity,
    identity_prime,
    layer_backward,
    layer_forward,
    layer_gradient_norms,
    max_compensation_width,
    mean_squared_error,
    mean_squared_error_grad,
    sigmoid_derivative_product_bound,
    tanh_compensation_width,
    unit_backward_factor,
)
from vgdocs.initialisation import gradient_norm_profile
from vgsite.registry import NUMBERS

H = 1e-6


def sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


CLOSED = {  # activation and derivative written out independently of vgdocs.activations
    "sigmoid": (sigma, lambda z: np.exp(-z) / (1.0 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1.0 / np.cosh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "linear": (lambda z: z, lambda z: np.ones_like(z)),
}


def small_stack(seed: int, widths=(4, 5, 3, 2), batch: int = 6):
    rng = np.random.default_rng(seed)
    ws = [rng.normal(0.0, 0.9, size=(m, n)) for n, m in itertools.pairwise(widths)]
    bs = [rng.normal(0.0, 0.3, size=m) for m in widths[1:]]
    x = rng.normal(size=(batch, widths[0]))
    y = rng.normal(size=(batch, widths[-1]))
    return x, ws, bs, y


def loss_of(x, ws, bs, y, act):
    return mean_squared_error(dense_forward(x, ws, bs, act).outputs[-1], y)


def naive_forward(x, ws, bs, act):
    """One example at a time, one unit at a time, with the closed-form activation."""
    phi = CLOSED[act][0]
    out = []
    for row in x:
        h = list(row)
        for W, b in zip(ws, bs, strict=True):
            h = [float(phi(sum(W[i, j] * h[j] for j in range(len(h))) + b[i])) for i in range(W.shape[0])]
        out.append(h)
    return np.array(out)


# --- activations -----------------------------------------------------------------------------


def test_identity_and_its_derivative():
    assert identity(2.5) == 2.5
    assert identity_prime(-3.0) == 1.0
    z = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(identity(z), z)
    np.testing.assert_array_equal(identity_prime(z), np.ones((1, 3)))


@pytest.mark.parametrize("act", sorted(CLOSED))
def test_activation_pairs_match_closed_forms(act):
    phi, phi_prime = activation_functions(act)
    z = np.linspace(-4.0, 4.0, 81) + 0.013  # avoid the ReLU kink at 0
    np.testing.assert_allclose(phi(z), CLOSED[act][0](z), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(phi_prime(z), CLOSED[act][1](z), rtol=1e-10, atol=1e-15)
    assert set(ACTIVATIONS) == set(CLOSED)


@pytest.mark.parametrize("bad", ["softplus", "", None, 3, "Sigmoid"])
def test_unknown_activation_is_rejected(bad):
    with pytest.raises(ValueError, match=r"^activation must be one of"):
        activation_functions(bad)


# --- forward pass ----------------------------------------------------------------------------


@pytest.mark.parametrize("act", sorted(CLOSED))
def test_forward_matches_unit_by_unit_computation(act):
    x, ws, bs, _ = small_stack(1)
    fwd = dense_forward(x, ws, bs, act)
    assert isinstance(fwd, DenseStackForward)
    assert len(fwd.outputs) == len(ws) + 1 and len(fwd.pre_activations) == len(ws)
    np.testing.assert_array_equal(fwd.outputs[0], x)
    np.testing.assert_allclose(fwd.outputs[-1], naive_forward(x, ws, bs, act), rtol=1e-12, atol=1e-14)


def test_layer_forward_is_one_layer_of_the_stack():
    x, ws, bs, _ = small_stack(2)
    a, h = layer_forward(x, ws[0], bs[0], "tanh")
    np.testing.assert_allclose(a, np.array([[sum(ws[0][i, j] * r[j] for j in range(4)) + bs[0][i]
                                             for i in range(5)] for r in x]), rtol=1e-13)
    np.testing.assert_allclose(h, np.tanh(a), rtol=1e-14)


# --- backward pass against central finite differences ----------------------------------------


@pytest.mark.parametrize("act", sorted(CLOSED))
@pytest.mark.parametrize("seed", [3, 4])
def test_backward_weights_and_biases_match_central_differences(act, seed):
    x, ws, bs, y = small_stack(seed)
    fwd = dense_forward(x, ws, bs, act)
    if act == "relu":  # finite differences are only valid away from the kink
        assert min(np.min(np.abs(a)) for a in fwd.pre_activations) > 1e-4
    grads = dense_backward(fwd, ws, mean_squared_error_grad(fwd.outputs[-1], y))
    assert isinstance(grads, DenseGradients)
    for k in range(len(ws)):
        fd_w = np.zeros_like(ws[k])
        for idx in np.ndindex(ws[k].shape):
            plus = [w.copy() for w in ws]
            minus = [w.copy() for w in ws]
            plus[k][idx] += H
            minus[k][idx] -= H
            fd_w[idx] = (loss_of(x, plus, bs, y, act) - loss_of(x, minus, bs, y, act)) / (2 * H)
        np.testing.assert_allclose(grads.weights[k], fd_w, rtol=1e-6, atol=1e-9)
        fd_b = np.zeros_like(bs[k])
        for i in range(bs[k].size):
            plus = [b.copy() for b in bs]
            minus = [b.copy() for b in bs]
            plus[k][i] += H
            minus[k][i] -= H
            fd_b[i] = (loss_of(x, ws, plus, y, act) - loss_of(x, ws, minus, y, act)) / (2 * H)
        np.testing.assert_allclose(grads.biases[k], fd_b, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("act", sorted(CLOSED))  # the page: sigmoid, tanh, ReLU and linear units
def test_backward_input_gradient_matches_central_differences(act):
    x, ws, bs, y = small_stack(5)
    fwd = dense_forward(x, ws, bs, act)
    grads = dense_backward(fwd, ws, mean_squared_error_grad(fwd.outputs[-1], y))
    fd = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += H
        xm[idx] -= H
        fd[idx] = (loss_of(xp, ws, bs, y, act) - loss_of(xm, ws, bs, y, act)) / (2 * H)
    np.testing.assert_allclose(grads.inputs[0], fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
def test_backward_is_the_product_of_wT_diag_phi_prime(act):
    """For one example, dL/dh_0 = W_1^T D_1 W_2^T D_2 ... W_L^T D_L g_L with D_k = diag(phi'(a_k))."""
    x, ws, bs, _ = small_stack(6, widths=(3, 4, 4, 4, 2), batch=1)
    fwd = dense_forward(x, ws, bs, act)
    g_top = np.array([[0.7, -1.3]])
    grads = dense_backward(fwd, ws, g_top)
    product = np.eye(3)
    for W, a in zip(ws, fwd.pre_activations, strict=True):
        product = product @ W.T @ np.diag(CLOSED[act][1](a[0]))
    np.testing.assert_allclose(grads.inputs[0][0], product @ g_top[0], rtol=1e-12)
    # and each intermediate gradient likewise
    for k in range(len(ws)):
        tail = np.eye(ws[k].shape[1])
        for W, a in zip(ws[k:], fwd.pre_activations[k:], strict=True):
            tail = tail @ W.T @ np.diag(CLOSED[act][1](a[0]))
        np.testing.assert_allclose(grads.inputs[k][0], tail @ g_top[0], rtol=1e-12)


def test_layer_backward_values():
    rng = np.random.default_rng(7)
    a, g, W = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(4, 5))
    delta, g_in = layer_backward(g, a, W, "sigmoid")
    np.testing.assert_allclose(delta, g * CLOSED["sigmoid"][1](a), rtol=1e-12)
    np.testing.assert_allclose(g_in, np.array([W.T @ np.diag(CLOSED["sigmoid"][1](a[i])) @ g[i] for i in range(3)]),
                               rtol=1e-12)


def test_mean_squared_error_and_gradient():
    rng = np.random.default_rng(8)
    h, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    assert mean_squared_error(h, y) == pytest.approx(sum(((h[i] - y[i]) ** 2).sum() for i in range(5)) / 10)
    fd = np.zeros_like(h)
    for idx in np.ndindex(h.shape):
        hp, hm = h.copy(), h.copy()
        hp[idx] += H
        hm[idx] -= H
        fd[idx] = (mean_squared_error(hp, y) - mean_squared_error(hm, y)) / (2 * H)
    np.testing.assert_allclose(mean_squared_error_grad(h, y), fd, rtol=1e-6, atol=1e-10)


def test_layer_gradient_norms_are_frobenius_norms():
    x, ws, bs, y = small_stack(9)
    fwd = dense_forward(x, ws, bs, "tanh")
    grads = dense_backward(fwd, ws, mean_squared_error_grad(fwd.outputs[-1], y))
    expected = [math.sqrt(sum(v * v for v in g.ravel())) for g in grads.weights]
    np.testing.assert_allclose(layer_gradient_norms(grads), expected, rtol=1e-13)


# --- the bound (1/4)^L ------------------------------------------------------------------------


def test_product_bound_values():
    assert sigmoid_derivative_product_bound(0) == 1.0
    assert sigmoid_derivative_product_bound(10) == 1.0 / 4**10
    assert sigmoid_derivative_product_bound(10) == pytest.approx(9.5e-7, rel=0.01)  # quoted: 0.25^10 ~ 9.5e-7


def test_random_products_of_sigmoid_derivatives_respect_the_bound():
    rng = np.random.default_rng(10)
    for depth in (1, 2, 5, 10, 30):
        z = rng.normal(0.0, 2.0, size=(1000, depth))
        prod = np.prod(CLOSED["sigmoid"][1](z), axis=1)
        assert np.all(prod <= 0.25**depth)
    assert np.prod(CLOSED["sigmoid"][1](np.zeros(7))) == sigmoid_derivative_product_bound(7)  # equality at z = 0


# --- the 50-layer experiment --------------------------------------------------------------------


def test_profile_shape_and_seed():
    # Speed is measured by tools/bench.py (`make bench`), not asserted here.
    p = gradient_norm_profile("sigmoid", depth=50, width=128, batch=64, seed=0)
    assert p.shape == (50,)
    np.testing.assert_array_equal(p, gradient_norm_profile("sigmoid", 50, 128, 64, 0))
    assert not np.array_equal(p, gradient_norm_profile("sigmoid", 50, 128, 64, 1))


def test_sigmoid_vanishes_and_tanh_and_relu_do_not():
    sig = gradient_norm_profile("sigmoid")
    # each sigmoid layer passes at most 1/4 of the signal through phi'; Glorot weights keep n Var W = 1
    assert sig[0] / sig[-1] < 0.3 ** 49
    assert np.all(np.diff(np.log(sig)) > 0)  # strictly larger at every step towards the output
    for act in ("tanh", "relu"):
        p = gradient_norm_profile(act)
        assert 0.2 < p[0] / p[-1] < 5.0


def test_relu_with_glorot_scale_is_flat_but_small():
    """ReLU is homogeneous: with Glorot (Var W = 1/n) instead of He (2/n) every W_k is 1/sqrt2 as large."""
    he = gradient_norm_profile("relu", depth=20, width=64, batch=16, seed=3)
    glorot_like = gradient_norm_profile("relu", depth=20, width=64, batch=16, seed=3, init="lecun_normal")
    # dL/dW_k scales with the other 19 weight matrices and with the output error (targets fixed): not exact,
    # but the gradient must be far smaller at every layer.
    assert np.all(glorot_like < he * 1e-2)


# --- one unit: the compensation width ----------------------------------------------------------


def brute_width(w: float, b: float = 0.0, n: int = 400_001) -> tuple[float, float]:
    span = 40.0 / max(abs(w), 1.0) + abs(b) / max(abs(w), 1e-9)
    a = np.linspace(-span, span, n)
    z = w * a + b
    ok = np.abs(w * np.exp(-z) / (1 + np.exp(-z)) ** 2) >= 1.0
    return np.count_nonzero(ok) * (a[1] - a[0]), a[1] - a[0]


@pytest.mark.parametrize("w", [-3.99, -1.0, 0.0, 0.5, 2.0, 3.0, 3.999])
def test_width_is_zero_below_four(w):
    assert compensation_width(w) == 0.0
    lo, hi = compensation_interval(w)
    assert math.isnan(lo) and math.isnan(hi)
    assert brute_width(w)[0] == 0.0


@pytest.mark.parametrize("w", [4.2, 5.0, 6.9, 10.0, -10.0, 25.0, -60.0])
@pytest.mark.parametrize("b", [0.0, 1.5])
def test_width_matches_brute_force_count(w, b):
    counted, step = brute_width(w, b)
    assert compensation_width(w) == pytest.approx(counted, abs=2 * step)


@pytest.mark.parametrize("w", [4.5, 7.0, -12.0, 100.0])
@pytest.mark.parametrize("b", [0.0, -2.0])
def test_interval_ends_are_where_the_factor_is_one(w, b):
    lo, hi = compensation_interval(w, b)
    assert lo < hi
    assert hi - lo == pytest.approx(compensation_width(w), rel=1e-12)
    for a in (lo, hi):
        z = w * a + b
        assert abs(w) * math.exp(-z) / (1 + math.exp(-z)) ** 2 == pytest.approx(1.0, rel=1e-9)
    mid = 0.5 * (lo + hi)
    assert abs(unit_backward_factor(w, mid, b)) > 1.0
    assert abs(unit_backward_factor(w, hi + 1e-3, b)) < 1.0


def test_interval_in_z_is_symmetric_and_given_by_the_quadratic():
    w = 10.0
    lo, hi = compensation_interval(w)
    # s(1 - s) = 1/10  ->  s = (1 +- sqrt(1 - 0.4)) / 2,  z = ln(s / (1 - s))
    s_plus = (1 + math.sqrt(0.6)) / 2
    assert hi == pytest.approx(math.log(s_plus / (1 - s_plus)) / w, rel=1e-12)
    assert lo == pytest.approx(-hi, rel=1e-12)


def test_width_array_input_and_evenness():
    w = np.array([-20.0, -5.0, 0.0, 3.0, 5.0, 20.0])
    out = compensation_width(w)
    assert isinstance(out, np.ndarray) and out.shape == w.shape
    np.testing.assert_allclose(out, out[::-1])
    assert type(compensation_width(5)) is float


@pytest.mark.parametrize("w", [4.3, 5.0, 6.0, 6.9, 8.0, 15.0, 40.0, -9.0])
def test_width_derivative_matches_central_difference(w):
    fd = (compensation_width(w + H) - compensation_width(w - H)) / (2 * H)
    assert compensation_width_prime(w) == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_width_derivative_edges():
    assert compensation_width_prime(2.0) == 0.0
    assert compensation_width_prime(4.0) == math.inf
    assert compensation_width_prime(-4.0) == -math.inf
    assert compensation_width_prime(4.0 + 1e-9) > 1e3


def bisect(f, lo, hi, tol=1e-14):
    flo = f(lo)
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if (f(mid) > 0) == (flo > 0):
            lo, flo = mid, f(mid)
        else:
            hi = mid
    return 0.5 * (lo + hi)


def test_maximum_width_is_about_045_near_69():
    w_star, width_star = max_compensation_width()
    # quoted: at most ~0.45, reached near |w| ~ 6.9
    assert round(width_star, 2) == 0.45
    assert round(w_star, 1) == 6.9
    # independent 1: a fine grid of the closed form written here
    w = np.arange(4.0, 40.0, 1e-4)
    r = np.sqrt(1 - 4 / w)
    width = (2 / w) * np.log((1 + r) / (1 - r))
    assert w_star == pytest.approx(w[np.argmax(width)], abs=2e-4)
    assert width_star == pytest.approx(width.max(), abs=1e-9)
    # independent 2: stationarity 2 r artanh(r) = 1, solved by bisection
    r_star = bisect(lambda r: r * math.log((1 + r) / (1 - r)) - 1.0, 0.1, 0.9)
    assert w_star == pytest.approx(4 / (1 - r_star**2), rel=1e-7)
    assert width_star == pytest.approx((1 - r_star**2) / (2 * r_star), rel=1e-12)
    assert compensation_width_prime(w_star) == pytest.approx(0.0, abs=1e-8)


def test_maximum_width_by_brute_force_count():
    counted = [brute_width(w, n=200_001)[0] for w in (5.5, 6.9, 8.5)]
    assert counted[1] > counted[0] and counted[1] > counted[2]
    assert counted[1] == pytest.approx(0.4477, abs=1e-3)


def test_large_weight_asymptote():
    for w in (1e4, 1e6):
        assert compensation_width(w) * w / (2 * math.log(w)) == pytest.approx(1.0, rel=1e-3)


def test_tanh_width_closed_form_scaling_and_count():
    for w in (0.5, 0.999):
        assert tanh_compensation_width(w) == 0.0
    for w in (1.2, 1.72, 3.0, -8.0):
        # tanh'(z) = 4 sigma'(2z): the tanh width at w is twice the sigmoid width at 4w
        assert tanh_compensation_width(w) == pytest.approx(2 * compensation_width(4 * w), rel=1e-12)
        a = np.linspace(-5, 5, 1_000_001)
        counted = np.count_nonzero(np.abs(w / np.cosh(w * a) ** 2) >= 1.0) * (a[1] - a[0])
        assert tanh_compensation_width(w) == pytest.approx(counted, abs=3e-5)


def test_golden_section_finds_known_maxima():
    assert golden_section_maximise(lambda x: -(x - 2.0) ** 2, 0.0, 5.0) == pytest.approx(2.0, abs=1e-8)
    # at a smooth maximum f changes by O(dx^2): rounding limits the argmax to about sqrt(eps) ~ 1e-8
    assert golden_section_maximise(math.sin, 0.0, 3.0, tol=1e-12) == pytest.approx(math.pi / 2, abs=1e-7)
    assert golden_section_maximise(lambda x: x, 0.0, 1.0) == pytest.approx(1.0, abs=1e-8)


# --- numbers on the page and the exercises ------------------------------------------------------


def test_page_numbers_quoted_in_the_brief():
    assert NUMBERS["deep_quarter_pow_10"].value() == pytest.approx(0.25**10, rel=1e-15)
    assert NUMBERS["deep_w_threshold"].value() == 4.0
    assert NUMBERS["deep_w_star"].value() == pytest.approx(6.894, abs=1e-3)
    assert NUMBERS["deep_width_star"].value() == pytest.approx(0.4477, abs=1e-4)


def test_exercise_depth_for_one_in_a_million():
    # smallest L with (1/4)^L < 1e-6
    depth = math.ceil(6 / math.log10(4))
    assert depth == 10
    assert NUMBERS["deep_quarter_pow_10"].value() < 1e-6 < NUMBERS["deep_quarter_pow_9"].value()


def test_exercise_interval_at_ten():
    r = math.sqrt(1 - 4 / 10)
    assert NUMBERS["deep_interval_hi_at_10"].value() == pytest.approx(math.log((1 + r) / (1 - r)) / 10, rel=1e-12)
    assert NUMBERS["deep_width_at_10"].value() == pytest.approx(2 * math.log((1 + r) / (1 - r)) / 10, rel=1e-12)
    assert NUMBERS["deep_width_at_100"].value() == pytest.approx(4 * math.atanh(math.sqrt(0.96)) / 100, rel=1e-12)


def test_exercise_tanh_peak_is_the_sigmoid_peak_rescaled():
    w_star, width_star = 6.894, 0.44774
    assert NUMBERS["deep_tanh_w_star"].value() == pytest.approx(w_star / 4, abs=1e-3)
    assert NUMBERS["deep_tanh_width_star"].value() == pytest.approx(2 * width_star, abs=1e-4)


def test_exercise_per_layer_factor_is_close_to_mean_sigma_prime():
    per_layer = NUMBERS["deep_sigmoid_per_layer"].value()
    assert per_layer < 0.25
    assert per_layer == pytest.approx(NUMBERS["deep_sigmoid_mean_prime"].value(), rel=0.05)


@pytest.mark.parametrize("name", ["deep-gradient-norms", "deep-compensation-width"])
def test_figures_render_small(name):
    from vgsite.theme import render_svg

    for scheme in ("light", "dark"):
        assert 1000 < len(render_svg(name, scheme)) < 200_000


# --- bad input ---------------------------------------------------------------------------------


def test_forward_rejects_bad_shapes_and_values():
    x, ws, bs, _ = small_stack(11)
    with pytest.raises(ValueError, match=r"^x must be a non-empty 2-D array"):
        dense_forward(x[0], ws, bs, "tanh")
    with pytest.raises(ValueError, match=r"^x must be"):
        dense_forward([[1.0, 2.0]], ws, bs, "tanh")
    with pytest.raises(ValueError, match=r"^weights must be a non-empty list"):
        dense_forward(x, [], [], "tanh")
    with pytest.raises(ValueError, match=r"^weights\[1\] must have 5 columns"):
        dense_forward(x, [ws[0], ws[2], ws[1]], bs, "tanh")
    with pytest.raises(ValueError, match=r"^biases must be a list"):
        dense_forward(x, ws, bs[:-1], "tanh")
    with pytest.raises(ValueError, match=r"^biases\[0\] must be a 1-D array of length 5"):
        dense_forward(x, ws, [bs[1], bs[1], bs[2]], "tanh")
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^x must be finite"):
        dense_forward(bad, ws, bs, "tanh")
    with pytest.raises(ValueError, match=r"^activation"):
        dense_forward(x, ws, bs, "elu")


def test_backward_rejects_bad_input():
    x, ws, bs, y = small_stack(12)
    fwd = dense_forward(x, ws, bs, "tanh")
    g = mean_squared_error_grad(fwd.outputs[-1], y)
    with pytest.raises(ValueError, match=r"^forward must be"):
        dense_backward((fwd.outputs, fwd.pre_activations), ws, g)
    with pytest.raises(ValueError, match=r"^weights must have one matrix per layer"):
        dense_backward(fwd, ws[:2], np.zeros((6, 3)))
    with pytest.raises(ValueError, match=r"^grad_output must have the shape"):
        dense_backward(fwd, ws, g.T)
    with pytest.raises(ValueError, match=r"^grad_output must be"):
        dense_backward(fwd, ws, None)


def test_layer_functions_reject_bad_input():
    rng = np.random.default_rng(13)
    h, W, b = rng.normal(size=(2, 3)), rng.normal(size=(4, 3)), np.zeros(4)
    with pytest.raises(ValueError, match=r"^weights\[0\] must have 3 columns"):
        layer_forward(h, W.T, b, "relu")
    with pytest.raises(ValueError, match=r"^biases\[0\]"):
        layer_forward(h, W, np.zeros(3), "relu")
    with pytest.raises(ValueError, match=r"^activation"):
        layer_forward(h, W, b, "step")
    a = rng.normal(size=(2, 4))
    with pytest.raises(ValueError, match=r"^grad_h and a must have the same shape"):
        layer_backward(a[:, :3], a, W, "relu")
    with pytest.raises(ValueError, match=r"^W must have 4 rows"):
        layer_backward(a, a, W.T, "relu")
    with pytest.raises(ValueError, match=r"^a must be"):
        layer_backward(a, "a", W, "relu")


def test_loss_and_norms_reject_bad_input():
    with pytest.raises(ValueError, match=r"^h and y must have the same shape"):
        mean_squared_error(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"^h and y must have the same shape"):
        mean_squared_error_grad(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"^y must be"):
        mean_squared_error(np.zeros((2, 3)), 1.0)
    with pytest.raises(ValueError, match=r"^grads must be"):
        layer_gradient_norms([np.zeros((2, 2))])


@pytest.mark.parametrize("depth", [-1, 2.5, True, "3", None])
def test_product_bound_rejects_bad_depth(depth):
    with pytest.raises(ValueError, match=r"^depth"):
        sigmoid_derivative_product_bound(depth)


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"activation": "gelu"}, "activation"),
    ({"activation": "tanh", "depth": 0}, "depth"),
    ({"activation": "tanh", "width": 1.5}, "width"),
    ({"activation": "tanh", "batch": -2}, "batch"),
    ({"activation": "tanh", "seed": -1}, "seed"),
    ({"activation": "tanh", "init": "kaiming_uniform"}, "init"),
])
def test_profile_rejects_bad_arguments(kwargs, says):
    with pytest.raises(ValueError, match=rf"^{says}"):
        gradient_norm_profile(**kwargs)


@pytest.mark.parametrize("fn", [compensation_width, compensation_width_prime, tanh_compensation_width,
                                compensation_interval])
@pytest.mark.parametrize("bad", [math.nan, math.inf, "5", None, True, [5.0]])
def test_width_functions_reject_bad_weights(fn, bad):
    with pytest.raises(ValueError, match=r"^w\b"):
        fn(bad)


def test_interval_and_factor_reject_bad_bias_and_input():
    with pytest.raises(ValueError, match=r"^b\b"):
        compensation_interval(5.0, b=math.nan)
    with pytest.raises(ValueError, match=r"^a\b"):
        unit_backward_factor(5.0, "x")
    with pytest.raises(ValueError, match=r"^w\b"):
        unit_backward_factor(None, 0.1)


@pytest.mark.parametrize(("args", "says"), [
    ((None, 0.0, 1.0), "f must be a callable"),
    ((abs, 1.0, 1.0), "lo and hi"),
    ((abs, 2.0, 1.0), "lo and hi"),
    ((abs, np.zeros(2), 1.0), "lo and hi"),
    ((abs, math.nan, 1.0), "lo must be finite"),
    ((abs, 0.0, 1.0, 0.0), "tol must be > 0"),
    ((abs, 0.0, 1.0, -1e-3), "tol must be >= 0"),
])
def test_golden_section_rejects_bad_input(args, says):
    with pytest.raises(ValueError, match=rf"^{says}"):
        golden_section_maximise(*args)


# --- Hochreiter's fixed-input view, the 4x-Glorot sigmoid stack, the factor's norm bound ----------


def test_weighted_slope_peak_against_bisection_and_a_grid():
    from vgdocs.deep_stacks import weighted_slope_peak

    u_star, c = weighted_slope_peak()
    # independent: the root of u tanh(u/2) = 1 by bisection, and a fine grid of u sigma'(u)
    lo, hi = 0.5, 3.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if mid * math.tanh(mid / 2) < 1 else (lo, mid)
    assert u_star == pytest.approx(lo, abs=1e-8)
    u = np.linspace(0.0, 10.0, 2_000_001)
    s = 1.0 / (1.0 + np.exp(-u))
    assert c == pytest.approx(np.max(u * s * (1 - s)), rel=1e-10)
    assert 0.22 < c < 0.23


@pytest.mark.parametrize("a", [0.05, 0.2, 0.5, 1.0, -0.7])
def test_fixed_input_max_factor_is_the_best_weight(a):
    from vgdocs.deep_stacks import fixed_input_max_factor

    w = np.linspace(-400.0, 400.0, 4_000_001)
    s = 1.0 / (1.0 + np.exp(-w * a))
    best = np.max(np.abs(w * s * (1 - s)))
    assert fixed_input_max_factor(a) == pytest.approx(best, rel=1e-6)
    # a factor of one or more needs an input below c, and then a weight above four
    assert (fixed_input_max_factor(a) >= 1) == (abs(a) < 0.2239)


def test_fixed_input_max_factor_rejects_zero():
    from vgdocs.deep_stacks import fixed_input_max_factor

    with pytest.raises(ValueError, match=r"^a\b"):
        fixed_input_max_factor(0.0)


def test_four_times_glorot_sigmoid_stack_spans_far_fewer_decades():
    """deep-stacks.md: the '31 orders of magnitude' belong to Glorot's scale, not to the sigmoid."""
    from vgdocs.initialisation import glorot_uniform, sigmoid_uniform

    a = sigmoid_uniform(30, 20, np.random.default_rng(5))
    b = glorot_uniform(30, 20, np.random.default_rng(5))
    np.testing.assert_array_equal(a, 4.0 * b)
    glorot = gradient_norm_profile("sigmoid", 50, 128, 64, 0)
    wide = gradient_norm_profile("sigmoid", 50, 128, 64, 0, init="sigmoid_uniform")
    assert glorot[0] / glorot[-1] < 1e-28
    assert 1e-13 < wide[0] / wide[-1] < 1e-8
    assert NUMBERS["deep_sigmoid4_span"].value() == pytest.approx(wide[0] / wide[-1], rel=1e-12)


def test_a_sigmoid_factor_can_stretch_a_gradient_once_the_weights_exceed_four():
    """rectifiers.md: ||W^T D|| <= ||W|| / 4 for sigmoid slopes, and above one for large W."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        W = rng.standard_normal((16, 16))
        a = rng.standard_normal(16)
        s = 1.0 / (1.0 + np.exp(-a))
        factor = np.linalg.norm(W.T @ np.diag(s * (1 - s)), 2)
        assert factor <= np.linalg.norm(W, 2) / 4 + 1e-12
    W = 6.0 * np.linalg.qr(rng.standard_normal((16, 16)))[0]  # every singular value 6
    small = 1e-3 * rng.standard_normal(16)  # pre-activations near 0: slopes near 1/4
    s = 1.0 / (1.0 + np.exp(-small))
    assert np.linalg.norm(W.T @ np.diag(s * (1 - s)), 2) > 1.4


def test_sigmoid_deltas_shrink_by_the_rms_slope_and_layer_one_drops_further():
    """deep-stacks.md: delta_k shrinks by ~ the RMS slope; the first weight gradient loses more (zero-mean x)."""
    from vgdocs.initialisation import glorot_uniform

    rng = np.random.default_rng(0)
    weights = [glorot_uniform(128, 128, rng) for _ in range(50)]
    x, y = rng.standard_normal((64, 128)), rng.standard_normal((64, 128))
    fwd = dense_forward(x, weights, [np.zeros(128)] * 50, "sigmoid")
    grads = dense_backward(fwd, weights, mean_squared_error_grad(fwd.outputs[-1], y))
    s = np.stack([1 / (1 + np.exp(-a)) for a in fwd.pre_activations])
    rms_slope = float(np.sqrt(np.mean((s * (1 - s)) ** 2)))
    d = [np.linalg.norm(g) for g in grads.pre_activations]
    assert (d[0] / d[-1]) ** (1 / 49) == pytest.approx(rms_slope, rel=0.01)
    w = [np.linalg.norm(g) for g in grads.weights]
    interior = (w[1] / w[-1]) ** (1 / 48)
    assert interior == pytest.approx(rms_slope, rel=0.02)
    assert w[0] / w[1] < 0.5 * interior
    assert NUMBERS["deep_sigmoid_rms_prime"].value() == pytest.approx(rms_slope, rel=1e-12)


def _glorot_draws(seed: int = 0, depth: int = 50, width: int = 128, batch: int = 64):
    """The draws of gradient_norm_profile (Glorot uniform, written out here), in its order."""
    rng = np.random.default_rng(seed)
    lim = math.sqrt(6.0 / (2 * width))
    weights = [rng.uniform(-lim, lim, (width, width)) for _ in range(depth)]
    return weights, rng.standard_normal((batch, width)), rng.standard_normal((batch, width))


def test_tanh_units_move_towards_zero_with_depth():
    """deep-stacks.md: the tanh stack's mean slope rises from layer 1 to layer 50 (a plain loop)."""
    from vgdocs.initialisation import glorot_uniform

    weights, x, _ = _glorot_draws()
    np.testing.assert_array_equal(weights[0], glorot_uniform(128, 128, np.random.default_rng(0)))
    h, slopes, spread = x, [], []
    for w in weights:
        a = h @ w.T
        spread.append(float(np.mean(a * a)))
        slopes.append(float(np.mean(1.0 - np.tanh(a) ** 2)))
        h = np.tanh(a)
    blocks = np.mean(np.reshape(spread, (5, 10)), axis=1)  # the mean square of a, ten layers at a time
    assert np.all(np.diff(blocks) < 0) and spread[-1] < 0.01 * spread[0]
    assert slopes[0] < 0.7 < 0.95 < slopes[-1]
    assert NUMBERS["deep_tanh_mean_slope_first"].value() == pytest.approx(slopes[0], rel=1e-12)
    assert NUMBERS["deep_tanh_mean_slope_last"].value() == pytest.approx(slopes[-1], rel=1e-12)


def test_sigmoid_first_step_is_costly_because_the_data_has_mean_zero():
    """deep-stacks.md: give x the mean of a sigmoid output and the step to layer 1 looks like the others."""
    weights, x, y = _glorot_draws()
    steps = {}
    for shift in (0.0, 0.5):
        fwd = dense_forward(x + shift, weights, [np.zeros(128)] * 50, "sigmoid")
        w = layer_gradient_norms(dense_backward(fwd, weights, mean_squared_error_grad(fwd.outputs[-1], y)))
        steps[shift] = (w[0] / w[1], (w[1] / w[-1]) ** (1 / 48))
    first, interior = steps[0.0]
    assert first < 0.5 * interior
    shifted_first, shifted_interior = steps[0.5]
    assert shifted_first == pytest.approx(shifted_interior, rel=0.1)
    assert NUMBERS["deep_sigmoid_first_step"].value() == pytest.approx(first, rel=1e-12)


def test_sigmoid_outputs_keep_the_next_pre_activations_spread():
    """deep-stacks.md, exercise 4: E[h^2] is about 1/4 or more and Glorot's scale passes that mean square on to a."""
    weights, x, _ = _glorot_draws()
    h, ratios = x, []
    for k, w in enumerate(weights):
        a = h @ w.T
        if k > 0:  # h is a sigmoid output from layer 2 on
            assert float(np.mean(h * h)) > 0.24  # about 1/4 or more: the mean is about one half
            ratios.append(float(np.mean(a * a) / np.mean(h * h)))
        h = 1.0 / (1.0 + np.exp(-a))
    assert np.mean(ratios) == pytest.approx(1.0, abs=0.05)
