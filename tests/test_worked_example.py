# The article's two-layer network: published numbers, chain-rule factors vs finite differences.
"""Tests for vgdocs.worked_example.

Expectations come from (a) the values published in the source article, (b) closed forms written
out here with the ``math`` module, and (c) central finite differences of the loss
``L(W1, W2) = (sigma(W2 sigma(W1 x)) - y)^2`` computed from scratch in this file.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vgdocs import (
    ForwardPass,
    chain_gradients,
    dh_dW1,
    dy_hat_dh,
    dy_hat_dW2,
    forward,
    grad_W1,
    grad_W2,
    gradient_descent_step,
    pre_activation,
    pre_activation_grad_input,
    pre_activation_grad_weight,
    sigmoid_prime,
    squared_error,
    squared_error_prime,
)
from vgsite.registry import NUMBERS, format_number

FAST = settings(max_examples=150, deadline=None, database=None)
H = 1e-6
RTOL = 1e-6
# A central difference of a loss of size <= 36 with H = 1e-6 carries ~4e-9 rounding noise.
ATOL = 1e-8
# ... and of a function of size <= 1 (sigma itself) about 1e-10; allow a margin.
ATOL_UNIT = 1e-9

BOUNDED = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False, allow_infinity=False)


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def sig_prime(z: float) -> float:
    e = math.exp(-z)
    return e / (1.0 + e) ** 2


def loss(x: float, w1: float, w2: float, y: float) -> float:
    """The article's loss, written out from scratch."""
    return (sig(w2 * sig(w1 * x)) - y) ** 2


def chain_loss(x: float, weights: list[float], y: float) -> float:
    a = x
    for w in weights:
        a = sig(w * a)
    return (a - y) ** 2


def cd(f, t: float, h: float = H) -> float:
    return (f(t + h) - f(t - h)) / (2.0 * h)


# --- the article's numbers, from scratch -----------------------------------------------------

X, W1, W2, Y, LR = 1.0, 0.5, 0.5, 1.0, 0.1
Z1 = W1 * X
HID = sig(Z1)
Z2 = W2 * HID
YH = sig(Z2)
LOSS = (YH - Y) ** 2
DL_DYH = 2.0 * (YH - Y)
DYH_DH = sig_prime(Z2) * W2
DH_DW1 = sig_prime(Z1) * X
GW1 = DL_DYH * DYH_DH * DH_DW1
GW2 = DL_DYH * sig_prime(Z2) * HID


def _fp() -> ForwardPass:
    return forward(X, W1, W2)


# (registry name, package computation, from-scratch value, published 3-decimal string)
PUBLISHED = [
    ("h", lambda: _fp().h, HID, "0.622"),
    ("y_hat", lambda: _fp().y_hat, YH, "0.577"),
    ("loss", lambda: squared_error(_fp().y_hat, Y), LOSS, "0.179"),
    ("dL_dy_hat", lambda: squared_error_prime(_fp().y_hat, Y), DL_DYH, "-0.846"),
    ("sigma_prime_z2", lambda: sigmoid_prime(_fp().z2), sig_prime(Z2), "0.244"),
    ("dy_hat_dh", lambda: dy_hat_dh(_fp().h, W2), DYH_DH, "0.122"),
    ("sigma_prime_z1", lambda: sigmoid_prime(0.5), sig_prime(0.5), "0.235"),
    ("dh_dW1", lambda: dh_dW1(X, W1), DH_DW1, "0.235"),
    ("dL_dW1", lambda: grad_W1(X, W1, W2, Y), GW1, "-0.024"),
    ("dL_dW2", lambda: grad_W2(X, W1, W2, Y), GW2, "-0.128"),
]


@pytest.mark.parametrize(("name", "compute", "scratch", "published"), PUBLISHED,
                         ids=[p[0] for p in PUBLISHED])
def test_published_values(name, compute, scratch, published):
    value = compute()
    assert f"{value:.3f}" == published
    assert f"{scratch:.3f}" == published  # our from-scratch arithmetic agrees with the article
    assert value == pytest.approx(scratch, rel=1e-12, abs=0)
    # ... and the site shows exactly this number, with a typographic minus.
    shown = NUMBERS[name]
    assert shown.value() == pytest.approx(scratch, rel=1e-12, abs=0)
    assert format_number(shown.value(), shown.fmt, tex=False) == published.replace("-", "\u2212")


def test_published_intermediates():
    fp = _fp()
    assert f"{fp.z1:.3f}" == "0.500"
    assert f"{fp.z2:.3f}" == "0.311"
    assert fp.z1 == Z1
    assert fp.z2 == pytest.approx(Z2, rel=1e-14)
    # sigma'(0.5) and dh/dW1 coincide because x = 1
    assert dh_dW1(X, W1) == pytest.approx(sig_prime(0.5), rel=1e-12)


def test_update_step_matches_article():
    new_w1 = gradient_descent_step(W1, grad_W1(X, W1, W2, Y), LR)
    new_w2 = gradient_descent_step(W2, grad_W2(X, W1, W2, Y), LR)
    assert new_w1 == pytest.approx(W1 - LR * GW1, rel=1e-12)
    assert new_w2 == pytest.approx(W2 - LR * GW2, rel=1e-12)
    assert f"{new_w1:.4f}" == "0.5024"
    assert f"{new_w2:.4f}" == "0.5128"
    assert NUMBERS["W1_new"].value() == pytest.approx(W1 - LR * GW1, rel=1e-12)
    assert NUMBERS["W2_new"].value() == pytest.approx(W2 - LR * GW2, rel=1e-12)
    # the step lowers the loss
    assert loss(X, new_w1, new_w2, Y) < LOSS
    # the output layer's gradient is about five times the hidden layer's
    assert NUMBERS["grad_ratio"].value() == pytest.approx(GW2 / GW1, rel=1e-12)
    ratio = GW2 / GW1
    assert ratio == pytest.approx(HID / (W2 * sig_prime(Z1) * X), rel=1e-12)


# --- forward pass ----------------------------------------------------------------------------


@FAST
@given(BOUNDED, BOUNDED, BOUNDED)
def test_forward_closed_form(x, w1, w2):
    fp = forward(x, w1, w2)
    assert isinstance(fp, ForwardPass)
    assert fp.z1 == pytest.approx(w1 * x, rel=1e-15, abs=0)
    assert fp.h == pytest.approx(sig(w1 * x), rel=1e-9, abs=1e-15)
    assert fp.z2 == pytest.approx(w2 * sig(w1 * x), rel=1e-9, abs=1e-15)
    assert fp.y_hat == pytest.approx(sig(w2 * sig(w1 * x)), rel=1e-9, abs=1e-15)


def test_forward_pass_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        _fp().h = 0.0  # type: ignore[misc]


@FAST
@given(BOUNDED, BOUNDED)
def test_squared_error_closed_form(y_hat, y):
    assert squared_error(y_hat, y) == pytest.approx((y_hat - y) ** 2, rel=1e-15, abs=0)


# --- every derivative vs central finite differences ------------------------------------------


@FAST
@given(BOUNDED, BOUNDED)
def test_pre_activation_grads_finite_difference(w, a):
    assert pre_activation(w, a) == w * a
    d_da = cd(lambda t: pre_activation(w, t), a)
    d_dw = cd(lambda t: pre_activation(t, a), w)
    assert pre_activation_grad_input(w) == pytest.approx(d_da, rel=RTOL, abs=ATOL)
    assert pre_activation_grad_weight(a) == pytest.approx(d_dw, rel=RTOL, abs=ATOL)


@FAST
@given(BOUNDED, BOUNDED)
def test_squared_error_prime_finite_difference(y_hat, y):
    fd = cd(lambda t: (t - y) ** 2, y_hat)
    assert squared_error_prime(y_hat, y) == pytest.approx(fd, rel=RTOL, abs=ATOL)
    fd_pkg = cd(lambda t: squared_error(t, y), y_hat)
    assert squared_error_prime(y_hat, y) == pytest.approx(fd_pkg, rel=RTOL, abs=ATOL)


@FAST
@given(st.floats(min_value=0.0, max_value=1.0), BOUNDED)
def test_dy_hat_dh_finite_difference(h, w2):
    fd = cd(lambda t: sig(w2 * t), h)
    assert dy_hat_dh(h, w2) == pytest.approx(fd, rel=RTOL, abs=ATOL_UNIT)


@FAST
@given(BOUNDED, BOUNDED)
def test_dh_dW1_finite_difference(x, w1):
    fd = cd(lambda t: sig(t * x), w1)
    assert dh_dW1(x, w1) == pytest.approx(fd, rel=RTOL, abs=ATOL_UNIT)


@FAST
@given(st.floats(min_value=0.0, max_value=1.0), BOUNDED)
def test_dy_hat_dW2_finite_difference(h, w2):
    fd = cd(lambda t: sig(t * h), w2)
    assert dy_hat_dW2(h, w2) == pytest.approx(fd, rel=RTOL, abs=ATOL_UNIT)


@pytest.mark.parametrize(("x", "w1", "w2", "y"), [
    (X, W1, W2, Y), (-2.0, 1.3, -0.7, 0.0), (0.3, -4.0, 2.5, 1.0), (3.0, 0.1, -1.5, -1.0),
])
def test_grads_finite_difference_examples(x, w1, w2, y):
    fd1 = cd(lambda t: loss(x, t, w2, y), w1)
    fd2 = cd(lambda t: loss(x, w1, t, y), w2)
    assert grad_W1(x, w1, w2, y) == pytest.approx(fd1, rel=RTOL, abs=ATOL_UNIT)
    assert grad_W2(x, w1, w2, y) == pytest.approx(fd2, rel=RTOL, abs=ATOL_UNIT)


@FAST
@given(BOUNDED, BOUNDED, BOUNDED, BOUNDED)
def test_grad_W1_property(x, w1, w2, y):
    fd = cd(lambda t: loss(x, t, w2, y), w1)
    assert grad_W1(x, w1, w2, y) == pytest.approx(fd, rel=RTOL, abs=ATOL)
    # the chain-rule product, written out
    closed = 2 * (sig(w2 * sig(w1 * x)) - y) * sig_prime(w2 * sig(w1 * x)) * w2 \
        * sig_prime(w1 * x) * x
    assert grad_W1(x, w1, w2, y) == pytest.approx(closed, rel=1e-9, abs=1e-14)


@FAST
@given(BOUNDED, BOUNDED, BOUNDED, BOUNDED)
def test_grad_W2_property(x, w1, w2, y):
    fd = cd(lambda t: loss(x, w1, t, y), w2)
    assert grad_W2(x, w1, w2, y) == pytest.approx(fd, rel=RTOL, abs=ATOL)
    h = sig(w1 * x)
    closed = 2 * (sig(w2 * h) - y) * sig_prime(w2 * h) * h
    assert grad_W2(x, w1, w2, y) == pytest.approx(closed, rel=1e-9, abs=1e-14)


# --- chain_gradients -------------------------------------------------------------------------


@FAST
@given(BOUNDED, BOUNDED, BOUNDED, BOUNDED)
def test_chain_gradients_two_layers_is_the_article_network(x, w1, w2, y):
    g = chain_gradients(x, [w1, w2], y)
    assert isinstance(g, np.ndarray)
    assert g.shape == (2,)
    # atol only absorbs subnormal results (weights ~1e-310 are legal inputs)
    np.testing.assert_allclose(g, [grad_W1(x, w1, w2, y), grad_W2(x, w1, w2, y)],
                               rtol=1e-12, atol=1e-300)


@FAST
@given(st.floats(min_value=-3.0, max_value=3.0),
       st.lists(st.floats(min_value=-3.0, max_value=3.0), min_size=1, max_size=8),
       st.floats(min_value=-2.0, max_value=2.0))
def test_chain_gradients_finite_difference(x, weights, y):
    g = chain_gradients(x, weights, y)
    assert g.shape == (len(weights),)
    for k in range(len(weights)):
        def f(t, k=k):
            w = list(weights)
            w[k] = t
            return chain_loss(x, w, y)

        assert g[k] == pytest.approx(cd(f, weights[k]), rel=RTOL, abs=ATOL)


def test_chain_gradients_single_layer_closed_form():
    # L = (sigma(w x) - y)^2  =>  dL/dw = 2 (sigma(wx) - y) sigma'(wx) x
    x, w, y = 1.5, -0.8, 0.25
    expected = 2 * (sig(w * x) - y) * sig_prime(w * x) * x
    g = chain_gradients(x, [w], y)
    assert g[0] == pytest.approx(expected, rel=1e-12)
    assert chain_gradients(x, w, y)[0] == pytest.approx(expected, rel=1e-12)  # scalar weight


def test_chain_gradients_vanish_with_depth():
    # with all weights 1 every factor sigma'(z) W <= 1/4, so the first gradient shrinks
    # at least 4x per extra layer
    firsts = [abs(chain_gradients(1.0, np.ones(n), 0.0)[0]) for n in range(2, 9)]
    for shallow, deep in itertools.pairwise(firsts):
        assert deep <= shallow / 4


def test_chain_gradients_accepts_tuples_and_arrays():
    ws = (0.5, -1.0, 2.0)
    expected = chain_gradients(0.7, list(ws), 0.3)
    np.testing.assert_array_equal(chain_gradients(0.7, ws, 0.3), expected)
    np.testing.assert_array_equal(chain_gradients(0.7, np.array(ws), 0.3), expected)
    np.testing.assert_array_equal(chain_gradients(0.7, np.array([1, 2]), 0.3),
                                  chain_gradients(0.7, [1.0, 2.0], 0.3))


@pytest.mark.parametrize("weights", [[], (), np.array([]), [[0.5, 0.5]], np.zeros((2, 2)),
                                     np.zeros((1, 3))])
def test_chain_gradients_empty_or_2d_weights_raise(weights):
    with pytest.raises(ValueError, match=r"^weights\b"):
        chain_gradients(1.0, weights, 1.0)


@pytest.mark.parametrize("weights", [[0.5, math.nan], [0.5, math.inf], [0.5, "a"], [0.5, None],
                                     [0.5, 1j], [0.5, True], [0.5, [1.0, 2.0]], (0.5, np.nan)],
                         ids=["nan", "inf", "str", "None", "complex", "bool", "ragged", "tuple"])
def test_chain_gradients_bad_weight_elements_raise(weights):
    # reject, never coerce: a bool inside the list must not silently become 1.0
    with pytest.raises(ValueError, match=r"^weights\b"):
        chain_gradients(1.0, weights, 1.0)


@pytest.mark.parametrize(("x", "y"), [(np.array([1.0, 2.0]), 1.0), (1.0, np.array([0.0, 1.0])),
                                      (np.array(1.0), 1.0)])
def test_chain_gradients_x_y_must_be_scalars(x, y):
    with pytest.raises(ValueError, match=r"x and y must be single numbers"):
        chain_gradients(x, [0.5, 0.5], y)


# --- gradient descent step -------------------------------------------------------------------


@pytest.mark.parametrize(("w", "grad", "lr", "expected"), [
    (0.5, -0.024, 0.1, 0.5024), (1.0, 2.0, 0.25, 0.5), (-3.0, -1.0, 0.0, -3.0), (2, 4, 1, -2.0),
])
def test_gradient_descent_step_values(w, grad, lr, expected):
    assert gradient_descent_step(w, grad, lr) == pytest.approx(expected, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("lr", [-0.1, -1e-12, -np.inf, np.nan, np.array([0.1, 0.2]), "0.1",
                                None, True])
def test_gradient_descent_step_bad_learning_rate(lr):
    with pytest.raises(ValueError, match=r"^lr\b"):
        gradient_descent_step(0.5, 0.1, lr)


def test_gradient_descent_step_broadcasts():
    w = np.array([0.5, -1.0, 2.0])
    g = np.array([[1.0], [-2.0]])
    out = gradient_descent_step(w, g, 0.1)
    assert out.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert out[i, j] == pytest.approx(w[j] - 0.1 * g[i, 0], rel=1e-15)


# --- arrays broadcast and agree with scalars -------------------------------------------------

XS = np.array([-1.5, 0.0, 1.0, 2.5])
W1S = np.array([[0.5], [-2.0], [3.0]])
W2S = 0.75
YS = np.array([0.0, 1.0, 0.25, -0.5])


def test_forward_arrays_match_scalars():
    fp = forward(XS, W1S, W2S)
    assert np.shape(fp.y_hat) == (3, 4)
    for i in range(3):
        for j in range(4):
            s = forward(float(XS[j]), float(W1S[i, 0]), W2S)
            assert fp.z1[i, j] == s.z1
            assert fp.h[i, j] == s.h
            assert fp.z2[i, j] == s.z2
            assert fp.y_hat[i, j] == s.y_hat


@pytest.mark.parametrize("fn", [grad_W1, grad_W2], ids=lambda f: f.__name__)
def test_grads_arrays_match_scalars(fn):
    out = fn(XS, W1S, W2S, YS)
    assert out.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            expected = fn(float(XS[j]), float(W1S[i, 0]), W2S, float(YS[j]))
            assert out[i, j] == pytest.approx(expected, rel=1e-14, abs=0)


@pytest.mark.parametrize("fn", [dy_hat_dh, dy_hat_dW2, dh_dW1, pre_activation, squared_error,
                                squared_error_prime], ids=lambda f: f.__name__)
def test_two_argument_functions_broadcast(fn):
    a = np.array([0.1, 0.6, 0.9])
    b = np.array([[-1.0], [0.5]])
    out = fn(a, b)
    assert out.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert out[i, j] == pytest.approx(fn(float(a[j]), float(b[i, 0])), rel=1e-14, abs=0)


@pytest.mark.parametrize("fn", [pre_activation_grad_input, pre_activation_grad_weight])
def test_pre_activation_grads_pass_arrays_through(fn):
    a = np.array([[1, -2], [3, 4]])
    out = fn(a)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, a.astype(float))
    assert type(fn(2)) is float


@pytest.mark.parametrize(("fn", "args"), [
    (pre_activation, (np.ones(2), np.ones(3))),
    (forward, (np.ones(2), np.ones(3), 0.5)),
    (forward, (1.0, np.ones(2), np.ones(3))),
    (squared_error, (np.ones(2), np.ones(3))),
    (squared_error_prime, (np.ones(2), np.ones(3))),
    (dy_hat_dh, (np.ones(2), np.ones(3))),
    (dh_dW1, (np.ones(2), np.ones(3))),
    (dy_hat_dW2, (np.ones(2), np.ones(3))),
    (grad_W1, (np.ones(2), 0.5, 0.5, np.ones(3))),
    (grad_W2, (np.ones(2), 0.5, 0.5, np.ones(3))),
    (grad_W1, (1.0, 0.5, np.ones(2), np.ones(3))),
    (gradient_descent_step, (np.ones(2), np.ones(3), 0.1)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_incompatible_shapes_raise(fn, args):
    with pytest.raises(ValueError, match="broadcast"):
        fn(*args)


# --- the deeper chain's backward product and the interactive panel's range ---------------------


def chain_output(h: float, w: float, depth: int) -> float:
    """a_n of the chain a_1 = h, a_j = sigma(w a_{j-1}), written out from scratch."""
    a = h
    for _ in range(depth - 1):
        a = sig(w * a)
    return a


@FAST
@given(st.floats(min_value=1e-6, max_value=1 - 1e-6), BOUNDED, st.integers(min_value=2, max_value=12))
def test_chain_backward_product_is_the_derivative_of_the_chain(h, w, depth):
    """P_n = d a_n / d a_1: the product of the backward factors is the chain's own derivative."""
    from vgdocs.worked_example import chain_backward_product

    fd = cd(lambda t: chain_output(t, w, depth), h)
    assert chain_backward_product(h, w, depth) == pytest.approx(fd, rel=RTOL, abs=ATOL_UNIT)


def test_chain_backward_product_is_what_chain_gradients_puts_on_the_first_layer():
    from vgdocs.worked_example import chain_backward_product

    x, w1, w, y, depth = 0.8, -1.7, 2.3, 0.2, 6
    g = chain_gradients(x, [w1] + [w] * (depth - 1), y)
    a_n = chain_output(sig(w1 * x), w, depth)
    expected = g[0] / (2 * (a_n - y) * sig_prime(w1 * x) * x)
    assert chain_backward_product(sig(w1 * x), w, depth) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize(("depth", "published"), [(2, 1.25), (3, 0.81), (10, 0.40)])
def test_max_chain_backward_product_against_an_independent_search(depth, published):
    """The maximum over the panel's inputs, against scipy's global optimiser from scratch code."""
    from scipy.optimize import differential_evolution

    from vgdocs.worked_example import max_chain_backward_product

    best, h_star, w_star = max_chain_backward_product(depth, 5.0, 25.0)

    def neg(p):
        z, w = p
        a, prod = sig(z), 1.0
        for _ in range(depth - 1):
            prod *= sig_prime(w * a) * w
            a = sig(w * a)
        return -abs(prod)

    found = differential_evolution(neg, [(-25.0, 25.0), (-5.0, 5.0)], seed=0, tol=1e-12, polish=True)
    assert best == pytest.approx(-found.fun, rel=1e-5)
    assert best == pytest.approx(published, abs=0.006)  # the values the review computed
    assert abs(chain_output(h_star, w_star, 2)) > 0  # the argmax is a real point of the range


def test_the_panel_cannot_show_a_growing_product():
    """article.md: beyond depth 2 the product over layers 2..n stays below one in the panel."""
    from vgdocs.worked_example import max_chain_backward_product

    for depth in range(3, 21):  # every depth the panel offers (min 2, max 20)
        assert max_chain_backward_product(depth, 5.0, 25.0)[0] < 1.0, depth
    assert max_chain_backward_product(2, 5.0, 25.0)[0] == pytest.approx(5.0 / 4, rel=1e-6)
    # ... whereas larger weights than the panel allows do make it grow
    assert max_chain_backward_product(3, 12.0, 25.0)[0] > 1.0


def test_panel_range_is_the_range_the_claim_is_computed_for():
    import re
    from pathlib import Path

    from vgsite import page

    WIDGET_W_MAX, WIDGET_X_MAX = page("article").WIDGET_W_MAX, page("article").WIDGET_X_MAX

    md = (Path(__file__).resolve().parents[1] / "docs" / "article.md").read_text(encoding="utf-8")
    for name, limit in (("x", WIDGET_X_MAX), ("W1", WIDGET_W_MAX), ("W2", WIDGET_W_MAX)):
        m = re.search(rf'data-input="{name}" min="(-?[\d.]+)" max="(-?[\d.]+)"', md)
        assert m, name
        assert (float(m.group(1)), float(m.group(2))) == (-limit, limit), name


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_max_chain_backward_product_rejects_a_bad_range(bad):
    from vgdocs.worked_example import max_chain_backward_product

    with pytest.raises(ValueError, match="w_max"):
        max_chain_backward_product(3, bad, 25.0)


def test_neighbouring_layer_gap_numbers_against_finite_differences():
    """we_gap_step(_w2): ratios of neighbouring layers' gradients, from finite differences."""
    def chain_loss_fd(ws, k):
        return cd(lambda t: chain_loss(1.0, [*ws[:k], t, *ws[k + 1:]], 1.0), ws[k])

    ws = [0.5] * 10
    assert NUMBERS["we_gap_step"].value() == pytest.approx(chain_loss_fd(ws, 9) / chain_loss_fd(ws, 8), rel=1e-5)
    ws = [2.0] * 6
    gap = chain_loss_fd(ws, 5) / chain_loss_fd(ws, 4)
    assert NUMBERS["we_gap_step_w2"].value() == pytest.approx(gap, rel=1e-5)
    assert 3.5 < gap < 4.0  # "at least four" fails once |W| > 1
    assert NUMBERS["dh_dW1_pct"].value() == pytest.approx(100 * sig_prime(0.5) / 0.25, rel=1e-12)
    assert NUMBERS["dh_dW1_pct"].value() > 90  # not "well below" the bound


# --- gradient descent on the chain (the notebook's training plot) ------------------------------


def test_chain_gradient_descent_two_layers_against_a_loop_written_here():
    from vgdocs import chain_gradient_descent

    run = chain_gradient_descent(X, [W1, W2], Y, lr=1.0, steps=40)
    w1, w2 = W1, W2
    for step in range(41):
        assert run.weights[step] == pytest.approx([w1, w2], rel=1e-12)
        assert run.loss[step] == pytest.approx(loss(X, w1, w2, Y), rel=1e-12)
        h = sig(w1 * X)
        d_out = 2.0 * (sig(w2 * h) - Y) * sig_prime(w2 * h)
        w1, w2 = w1 - d_out * w2 * sig_prime(w1 * X) * X, w2 - d_out * h


def test_chain_gradient_descent_deep_chain_against_finite_differences_and_monotone_loss():
    from vgdocs import chain_gradient_descent

    start = [0.5] * 6
    run = chain_gradient_descent(X, start, Y, lr=1.0, steps=1)
    fd = [cd(lambda t, k=k: chain_loss(X, [t if j == k else w for j, w in enumerate(start)], Y), 0.5)
          for k in range(6)]
    assert run.weights[1] == pytest.approx(np.array(start) - np.array(fd), rel=1e-7)
    long = chain_gradient_descent(X, start, Y, lr=1.0, steps=300)
    assert np.all(np.diff(long.loss) < 0)
    moved = np.abs(long.weights[-1] - long.weights[0])
    assert np.all(np.diff(moved) > 0) and moved[-1] > 100 * moved[0]  # the notebook's "barely changes"


@pytest.mark.parametrize(("kwargs", "name"), [({"lr": -1.0}, "lr"), ({"steps": -1}, "steps"),
                                              ({"weights": []}, "weights")])
def test_chain_gradient_descent_rejects_bad_arguments(kwargs, name):
    from vgdocs import chain_gradient_descent

    args = {"x": 1.0, "weights": [0.5, 0.5], "y": 1.0, "lr": 0.1, "steps": 3} | kwargs
    with pytest.raises(ValueError, match=name):
        chain_gradient_descent(**args)


# --- article.md: what one more layer does to the first layer's gradient ---------------------


def chain_output_from(x: float, weights: list[float]) -> float:
    a = x
    for w in weights:
        a = sig(w * a)
    return a


@FAST
@given(BOUNDED, st.lists(BOUNDED, min_size=1, max_size=6), BOUNDED,
       st.floats(min_value=0.0, max_value=1.0))
def test_one_more_layer_multiplies_the_first_gradient_by_slope_weight_and_error_ratio(x, weights, w_new, y):
    """article.md: g1(new) / g1(old) = sigma'(z) W (a_new - y) / (a_old - y), from finite differences."""
    a_old = chain_output_from(x, weights)
    if abs(a_old - y) < 1e-3 or abs(x) < 1e-2:
        return
    a_new = sig(w_new * a_old)
    old = chain_gradients(x, weights, y)[0]
    new = chain_gradients(x, [*weights, w_new], y)[0]
    predicted = sig_prime(w_new * a_old) * w_new * (a_new - y) / (a_old - y)
    assert new == pytest.approx(old * predicted, rel=1e-9, abs=1e-300)
    # The same, with no package code: central differences of the two losses.
    fd_old = cd(lambda t: chain_loss(x, [t, *weights[1:]], y), weights[0], h=1e-5)
    fd_new = cd(lambda t: chain_loss(x, [t, *weights[1:], w_new], y), weights[0], h=1e-5)
    assert fd_new == pytest.approx(fd_old * predicted, rel=1e-4, abs=1e-9)


def test_with_small_weights_the_first_gradient_grows_only_near_the_target():
    """article.md: with |W| <= 1 a further layer can grow g1 only if |a_old - y| < 1/4."""
    rng = np.random.default_rng(7)
    grew_far = 0
    grew_near = 0
    for _ in range(4_000):
        depth = int(rng.integers(1, 6))
        x = float(rng.uniform(-5, 5))
        weights = list(rng.uniform(-1, 1, depth))
        w_new = float(rng.uniform(-1, 1))
        y = float(rng.uniform(0, 1))
        a_old = chain_output_from(x, weights)
        old = abs(chain_gradients(x, weights, y)[0])
        new = abs(chain_gradients(x, [*weights, w_new], y)[0])
        if new > old:
            if abs(a_old - y) >= 0.25:
                grew_far += 1
            else:
                grew_near += 1
    assert grew_far == 0
    # ... and near the target it does happen: the condition is not empty.
    assert grew_near > 0
    # The article's own step from one layer to two shrinks g1 by the product written out here.
    h = sig(W1 * X)
    step = sig_prime(W2 * h) * W2 * (sig(W2 * h) - Y) / (h - Y)
    assert chain_gradients(X, [W1, W2], Y)[0] / chain_gradients(X, [W1], Y)[0] == pytest.approx(step, rel=1e-12)


def test_notebook_training_claims_from_a_loop_written_here():
    """worked-example.ipynb: W2 does most of the work; in six layers each weight moves less than the next."""
    w1, w2 = W1, W2
    for _ in range(300):
        h = sig(w1 * X)
        d_out = 2.0 * (sig(w2 * h) - Y) * sig_prime(w2 * h)
        w1, w2 = w1 - d_out * w2 * sig_prime(w1 * X) * X, w2 - d_out * h
    start = loss(X, W1, W2, Y)
    only_w2, only_w1, both = loss(X, W1, w2, Y), loss(X, w1, W2, Y), loss(X, w1, w2, Y)
    assert both < only_w2 < 0.1 * start  # W2 alone removes most of the loss ...
    assert only_w1 > 0.75 * start  # ... W1 alone very little
    from vgdocs import chain_gradient_descent

    run = chain_gradient_descent(X, [W1, W2], Y, lr=1.0, steps=300)
    assert run.weights[-1] == pytest.approx([w1, w2], rel=1e-10)
    six = chain_gradient_descent(X, [0.5] * 6, Y, lr=1.0, steps=300)
    moved = np.abs(six.weights[-1] - six.weights[0])
    assert np.all(moved[1:] / moved[:-1] > 2)
