# Activations and their derivatives against closed forms, finite differences and the 1/4 bound.
"""Tests for vgdocs.activations.

Every expectation is computed independently here with the ``math`` module (closed forms) or by
central finite differences of the forward function; nothing is pasted from the code's output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vgdocs import (
    SIGMOID_PRIME_MAX,
    TANH_PRIME_MAX,
    leaky_relu,
    leaky_relu_prime,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    tanh,
    tanh_prime,
)

FAST = settings(max_examples=150, deadline=None, database=None)
H = 1e-6  # finite-difference step
RTOL = 1e-6  # derivative vs finite difference
ATOL = 1e-9  # rounding noise of a central difference of an O(1) function with H = 1e-6 is ~1e-10


def central_difference(f, z: float, h: float = H) -> float:
    return (f(z + h) - f(z - h)) / (2.0 * h)


def sigma_closed(z: float) -> float:
    """The logistic function written out, overflow-safe on both sides."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# z values that avoid 0 (where relu/leaky relu are not differentiable).
GRID = [-6.0, -3.5, -2.0, -1.0, -0.25, -1e-3, 1e-3, 0.311, 0.5, 1.0, 2.0, 3.5, 6.0]
FINITE = st.floats(min_value=-30.0, max_value=30.0, allow_nan=False, allow_infinity=False)
AWAY_FROM_0 = FINITE.filter(lambda z: abs(z) > 1e-3)


# --- sigmoid ---------------------------------------------------------------------------------


def test_sigmoid_known_values():
    assert sigmoid(0.0) == 0.5
    assert sigmoid(0) == 0.5
    # sigma(ln 3) = 1 / (1 + 1/3) = 3/4 exactly in exact arithmetic.
    assert sigmoid(math.log(3.0)) == pytest.approx(0.75, rel=1e-14)
    assert sigmoid(-math.log(3.0)) == pytest.approx(0.25, rel=1e-14)


@pytest.mark.parametrize("z", [*GRID, -15.0, -10.0, 10.0, 15.0])
def test_sigmoid_matches_closed_form(z):
    assert sigmoid(z) == pytest.approx(1.0 / (1.0 + math.exp(-z)), rel=1e-9, abs=0)


@FAST
@given(st.floats(min_value=-700.0, max_value=700.0, allow_nan=False))
def test_sigmoid_closed_form_absolute_and_range(z):
    s = sigmoid(z)
    assert isinstance(s, float)
    assert 0.0 <= s <= 1.0
    assert abs(s - sigma_closed(z)) <= 1e-15
    # symmetry sigma(-z) = 1 - sigma(z)
    assert abs(sigmoid(-z) - (1.0 - s)) <= 1e-15


def test_sigmoid_extremes_do_not_overflow():
    assert sigmoid(1e6) == 1.0
    assert sigmoid(-1e6) == 0.0
    assert sigmoid_prime(1e6) == 0.0


@pytest.mark.parametrize("z", [-40.0, 40.0])
def test_sigmoid_tail_relative_accuracy(z):
    # abs=0: pytest.approx would otherwise accept anything within 1e-12 of these tiny values
    assert sigmoid_prime(z) == pytest.approx(0.25 / math.cosh(z / 2.0) ** 2, rel=1e-6, abs=0)
    assert sigmoid(-abs(z)) == pytest.approx(sigma_closed(-abs(z)), rel=1e-6, abs=0)


# --- sigmoid derivative ----------------------------------------------------------------------


@pytest.mark.parametrize("z", GRID)
def test_sigmoid_prime_matches_finite_difference(z):
    expected = central_difference(lambda t: 1.0 / (1.0 + math.exp(-t)), z)
    assert sigmoid_prime(z) == pytest.approx(expected, rel=RTOL, abs=ATOL)
    # also against the package's own forward function
    assert sigmoid_prime(z) == pytest.approx(central_difference(sigmoid, z), rel=RTOL, abs=ATOL)


@FAST
@given(st.floats(min_value=-8.0, max_value=8.0, allow_nan=False))
def test_sigmoid_prime_finite_difference_property(z):
    fd = central_difference(sigma_closed, z)
    assert sigmoid_prime(z) == pytest.approx(fd, rel=RTOL, abs=ATOL)


@pytest.mark.parametrize("z", [*GRID, -15.0, 15.0])
def test_sigmoid_prime_closed_form(z):
    # sigma'(z) = e^{-z} / (1 + e^{-z})^2 = 1 / (4 cosh^2(z/2))
    e = math.exp(-z)
    assert sigmoid_prime(z) == pytest.approx(e / (1.0 + e) ** 2, rel=1e-8, abs=0)
    assert sigmoid_prime(z) == pytest.approx(0.25 / math.cosh(z / 2.0) ** 2, rel=1e-8, abs=0)


def test_sigmoid_prime_max_is_a_quarter_at_zero():
    assert SIGMOID_PRIME_MAX == 0.25
    assert sigmoid_prime(0.0) == 0.25
    assert sigmoid_prime(0.0) == SIGMOID_PRIME_MAX


@FAST
@given(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False))
def test_sigmoid_prime_never_exceeds_a_quarter(z):
    d = sigmoid_prime(z)
    assert 0.0 <= d <= 0.25
    if abs(z) >= 1e-3:
        # sigma'(z) = 1/4 - z^2/16 + O(z^4): strictly below the maximum away from 0
        assert d < 0.25


@FAST
@given(st.lists(st.floats(min_value=-10.0, max_value=10.0, allow_nan=False), min_size=1,
                max_size=30))
def test_product_of_sigmoid_derivatives_bounded(zs):
    n = len(zs)
    product = math.prod(sigmoid_prime(z) for z in zs)
    assert product <= 0.25**n
    # array form: same product
    assert float(np.prod(sigmoid_prime(np.array(zs)))) == pytest.approx(product, rel=1e-12, abs=0)


@FAST
@given(st.floats(min_value=-700.0, max_value=700.0, allow_nan=False))
def test_sigmoid_prime_lies_between_a_quarter_of_exp_and_exp(z):
    """sigmoid-derivative.md: e^{-|z|}/4 <= sigma'(z) < e^{-|z|}, from central differences of sigma."""
    e = math.exp(-abs(z))
    d = sigmoid_prime(z)
    # Both bounds allow a relative 1e-12: in the tails d is e^{-|z|} from numpy's exp, and numpy's
    # exp and math.exp may differ in the last bit (z = 162.90628735049847: one ulp above).
    assert 0.25 * e * (1 - 1e-12) <= d <= e * (1 + 1e-12)
    if 1e-3 < abs(z) <= 20:  # strict where (1 + e^-|z|)^2 differs from 1 in floating point
        assert d < e
    if abs(z) <= 20:  # where a central difference of sigma still resolves the slope
        fd = central_difference(sigma_closed, z, h=1e-5)
        assert 0.25 * e - 1e-9 <= fd <= e + 1e-9


def test_sigmoid_prime_bounds_are_tight_at_the_ends():
    assert sigmoid_prime(0.0) == 0.25 * math.exp(0.0)  # the lower bound is attained at 0
    for z in (10.0, 20.0, 30.0):  # and the ratio to the upper bound tends to one
        assert sigmoid_prime(z) / math.exp(-z) == pytest.approx(1.0 / (1.0 + math.exp(-z)) ** 2, rel=1e-12)


def test_gradient_through_sigmoid_layers_with_small_weights_shrinks_fourfold_per_layer():
    """sigmoid-derivative.md: with every singular value of W_k at most one, ||prod W_k^T D_k|| <= 4^-n."""
    rng = np.random.default_rng(3)
    width = 12
    for n in (1, 3, 8):
        for _ in range(20):
            h = rng.standard_normal(width)
            jac = np.eye(width)
            for _ in range(n):
                w = rng.standard_normal((width, width))
                w /= np.linalg.svd(w, compute_uv=False)[0] * rng.uniform(1.0, 3.0)
                a = w @ h
                s = np.array([sigma_closed(v) for v in a])
                jac = (s * (1 - s))[:, None] * w @ jac  # d h_k / d h_0, a plain loop
                h = s
            assert np.linalg.norm(jac, 2) <= 0.25**n * (1 + 1e-12)


def test_product_bound_is_attained_at_zero():
    for n in range(1, 12):
        assert math.prod(sigmoid_prime(0.0) for _ in range(n)) == 0.25**n


# --- tanh ------------------------------------------------------------------------------------


@pytest.mark.parametrize("z", GRID)
def test_tanh_closed_form(z):
    expected = (math.exp(z) - math.exp(-z)) / (math.exp(z) + math.exp(-z))
    assert tanh(z) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("z", GRID)
def test_tanh_prime_matches_finite_difference(z):
    assert tanh_prime(z) == pytest.approx(central_difference(math.tanh, z), rel=RTOL, abs=ATOL)
    assert tanh_prime(z) == pytest.approx(1.0 / math.cosh(z) ** 2, rel=1e-9, abs=0)


@FAST
@given(st.floats(min_value=-5.0, max_value=5.0, allow_nan=False))
def test_tanh_prime_finite_difference_property(z):
    assert tanh_prime(z) == pytest.approx(central_difference(math.tanh, z), rel=RTOL, abs=ATOL)


@FAST
@given(FINITE)
def test_tanh_prime_bounded_by_one(z):
    assert 0.0 <= tanh_prime(z) <= 1.0


def test_tanh_prime_max_is_one_at_zero():
    assert TANH_PRIME_MAX == 1.0
    assert tanh_prime(0.0) == 1.0
    assert tanh(0.0) == 0.0


def test_tanh_is_rescaled_sigmoid():
    # tanh(z) = 2 sigma(2z) - 1 and tanh'(0) = 4 sigma'(0)
    for z in GRID:
        assert tanh(z) == pytest.approx(2.0 * sigma_closed(2.0 * z) - 1.0, abs=1e-14)
    assert tanh_prime(0.0) == 4.0 * sigmoid_prime(0.0)


# --- relu and leaky relu ---------------------------------------------------------------------


@pytest.mark.parametrize(("z", "expected"), [(-2.0, 0.0), (-1e-9, 0.0), (0.0, 0.0), (3.5, 3.5),
                                             (7, 7.0)])
def test_relu_values(z, expected):
    assert relu(z) == expected
    assert isinstance(relu(z), float)


@pytest.mark.parametrize("z", GRID)
def test_relu_prime_matches_finite_difference_away_from_zero(z):
    expected = central_difference(lambda t: max(0.0, t), z)
    assert relu_prime(z) == pytest.approx(expected, rel=RTOL, abs=ATOL)
    assert relu_prime(z) == (1.0 if z > 0 else 0.0)


@FAST
@given(AWAY_FROM_0)
def test_relu_prime_property(z):
    assert relu_prime(z) == pytest.approx(central_difference(relu, z), rel=RTOL, abs=ATOL)


def test_relu_prime_at_zero_is_zero():
    assert relu_prime(0.0) == 0.0


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 0.999])
@pytest.mark.parametrize("z", [-4.0, -0.5, 0.0, 0.5, 4.0])
def test_leaky_relu_values(z, slope):
    expected = z if z > 0 else slope * z
    assert leaky_relu(z, slope) == expected
    assert leaky_relu(z, slope=slope) == max(z, slope * z)


def test_leaky_relu_default_slope_is_one_percent():
    assert leaky_relu(-2.0) == pytest.approx(-0.02, rel=1e-15)
    assert leaky_relu_prime(-2.0) == 0.01
    assert leaky_relu_prime(2.0) == 1.0


def test_leaky_relu_with_zero_slope_is_relu():
    for z in GRID:
        assert leaky_relu(z, 0.0) == relu(z)
        assert leaky_relu_prime(z, 0.0) == relu_prime(z)


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.3])
@pytest.mark.parametrize("z", GRID)
def test_leaky_relu_prime_matches_finite_difference(z, slope):
    expected = central_difference(lambda t: t if t > 0 else slope * t, z)
    assert leaky_relu_prime(z, slope) == pytest.approx(expected, rel=RTOL, abs=ATOL)


@FAST
@given(AWAY_FROM_0, st.floats(min_value=0.0, max_value=0.99))
def test_leaky_relu_prime_property(z, slope):
    fd = central_difference(lambda t: leaky_relu(t, slope), z)
    assert leaky_relu_prime(z, slope) == pytest.approx(fd, rel=RTOL, abs=ATOL)


def test_leaky_relu_prime_at_zero_is_slope():
    assert leaky_relu_prime(0.0, 0.2) == 0.2


@pytest.mark.parametrize("slope", [-0.01, -1.0, 1.0, 1.5, math.nan, math.inf, True, "0.1", None,
                                   np.array([0.1, 0.2]), [0.1]])
@pytest.mark.parametrize("fn", [leaky_relu, leaky_relu_prime])
def test_leaky_relu_slope_outside_unit_interval_raises(fn, slope):
    with pytest.raises(ValueError, match=r"^slope\b"):
        fn(0.5, slope)


# --- arrays ----------------------------------------------------------------------------------

ELEMENTWISE = [sigmoid, sigmoid_prime, tanh, tanh_prime, relu, relu_prime,
               leaky_relu, leaky_relu_prime]


@pytest.mark.parametrize("fn", ELEMENTWISE, ids=lambda f: f.__name__)
def test_array_input_is_elementwise_scalar(fn):
    z = np.array([[-3.0, -0.5, 0.0], [0.25, 1.0, 4.0]])
    out = fn(z)
    assert isinstance(out, np.ndarray)
    assert out.shape == z.shape
    assert out.dtype == np.float64
    expected = np.array([[fn(float(v)) for v in row] for row in z])
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("fn", ELEMENTWISE, ids=lambda f: f.__name__)
def test_scalar_input_returns_python_float(fn):
    assert type(fn(0.7)) is float
    assert type(fn(2)) is float
    assert type(fn(np.float64(-0.7))) is float


def test_integer_arrays_are_accepted():
    z = np.array([-2, 0, 3])
    np.testing.assert_allclose(sigmoid(z), [sigma_closed(-2.0), 0.5, sigma_closed(3.0)],
                               rtol=1e-14)
    np.testing.assert_array_equal(relu(z), [0.0, 0.0, 3.0])


def test_sigmoid_prime_array_matches_finite_difference():
    z = np.linspace(-6.0, 6.0, 49)
    fd = (sigmoid(z + H) - sigmoid(z - H)) / (2 * H)
    np.testing.assert_allclose(sigmoid_prime(z), fd, rtol=RTOL, atol=ATOL)
