# Bad input is rejected, never coerced, and every error names the argument that caused it.
"""Tests for vgdocs._validate and for the input checks of every public function."""

from __future__ import annotations

import inspect
import math
import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import vgdocs
from vgdocs._validate import non_negative, positive_int, real, same_shape

# --- the helpers themselves ------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (0, 0.0), (3, 3.0), (-2.5, -2.5), (np.int64(7), 7.0), (np.float32(0.5), 0.5),
    (np.uint8(200), 200.0), (Fraction(1, 4), 0.25), (1e308, 1e308), (-0.0, 0.0),
])
def test_real_accepts_real_scalars_as_float(value, expected):
    out = real("v", value)
    assert type(out) is float
    assert out == expected


@pytest.mark.parametrize("array", [
    np.array([1, 2, 3]), np.array([1, 2], dtype=np.uint16), np.array([0.5, -1.5], dtype=np.float32),
    np.array([[1.0, 2.0], [3.0, 4.0]]), np.array(2.5),
])
def test_real_accepts_real_arrays_as_float64(array):
    out = real("v", array)
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float64
    assert out.shape == array.shape
    np.testing.assert_array_equal(out, array.astype(np.float64))


BAD_VALUES = {
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "str": "0.5",
    "None": None,
    "list": [0.5],
    "bool": True,
    "complex": 0.5 + 0j,
    "np_bool": np.bool_(False),
    "np_complex": np.complex128(1.0),
    "decimal": Decimal("0.5"),
    "nan_array": np.array([0.5, np.nan]),
    "inf_array": np.array([[np.inf]]),
    "complex_array": np.array([0.5 + 1j]),
    "bool_array": np.array([True, False]),
    "str_array": np.array(["0.5"]),
    "object_array": np.array([0.5, None], dtype=object),
}


@pytest.mark.parametrize("value", list(BAD_VALUES.values()), ids=list(BAD_VALUES))
def test_real_rejects_and_names_argument(value):
    with pytest.raises(ValueError, match=r"^the_arg\b"):
        real("the_arg", value)


@pytest.mark.parametrize(("value", "kwargs"), [(1, {}), (5, {}), (np.int64(3), {}),
                                               (0, {"minimum": 0}), (8, {"maximum": 8})])
def test_positive_int_accepts(value, kwargs):
    out = positive_int("n", value, **kwargs)
    assert type(out) is int
    assert out == int(value)


@pytest.mark.parametrize(("value", "kwargs"), [
    (0, {}), (-3, {}), (True, {}), (1.0, {}), ("2", {}), (None, {}), (2, {"minimum": 3}),
    (9, {"maximum": 8}), (np.float64(2.0), {}),
])
def test_positive_int_rejects_and_names_argument(value, kwargs):
    with pytest.raises(ValueError, match=r"^depth\b"):
        positive_int("depth", value, **kwargs)


@pytest.mark.parametrize(("value", "expected"), [(0, 0.0), (0.1, 0.1), (3, 3.0), (-0.0, 0.0)])
def test_non_negative_accepts(value, expected):
    out = non_negative("lr", value)
    assert type(out) is float
    assert out == expected


@pytest.mark.parametrize("value", [-1e-300, -1, np.array([0.1]), np.array(0.1), math.nan,
                                   math.inf, True, "0.1", None])
def test_non_negative_rejects_and_names_argument(value):
    with pytest.raises(ValueError, match=r"^lr\b"):
        non_negative("lr", value)


@pytest.mark.parametrize("shapes", [((), ()), ((3,), ()), ((2, 1), (3,)), ((4, 3), (3,), (1, 3))])
def test_same_shape_accepts_broadcastable(shapes):
    same_shape(**{f"a{i}": np.zeros(s) for i, s in enumerate(shapes)})  # must not raise
    same_shape(a=0.5, b=np.zeros(4))


@pytest.mark.parametrize("shapes", [((2,), (3,)), ((2, 3), (3, 2)), ((3,), (1,), (4,))])
def test_same_shape_rejects_and_names_every_argument(shapes):
    arrays = {f"arg{i}": np.zeros(s) for i, s in enumerate(shapes)}
    with pytest.raises(ValueError, match="broadcast") as info:
        same_shape(**arrays)
    for name, a in arrays.items():
        assert f"{name} {a.shape}" in str(info.value)


# --- every public function rejects bad input, naming the argument ----------------------------

# Valid keyword arguments for every public function; each bad value is substituted for one
# argument at a time.
VALID_ARGS = {
    "sigmoid": {"z": 0.3},
    "sigmoid_prime": {"z": 0.3},
    "tanh": {"z": 0.3},
    "tanh_prime": {"z": 0.3},
    "relu": {"z": 0.3},
    "relu_prime": {"z": 0.3},
    "leaky_relu": {"z": 0.3, "slope": 0.1},
    "leaky_relu_prime": {"z": 0.3, "slope": 0.1},
    "pre_activation": {"w": 0.5, "a": 1.0},
    "pre_activation_grad_input": {"w": 0.5},
    "pre_activation_grad_weight": {"a": 1.0},
    "forward": {"x": 1.0, "W1": 0.5, "W2": 0.5},
    "squared_error": {"y_hat": 0.577, "y": 1.0},
    "squared_error_prime": {"y_hat": 0.577, "y": 1.0},
    "dy_hat_dh": {"h": 0.622, "W2": 0.5},
    "dh_dW1": {"x": 1.0, "W1": 0.5},
    "dy_hat_dW2": {"h": 0.622, "W2": 0.5},
    "grad_W1": {"x": 1.0, "W1": 0.5, "W2": 0.5, "y": 1.0},
    "grad_W2": {"x": 1.0, "W1": 0.5, "W2": 0.5, "y": 1.0},
    "gradient_descent_step": {"w": 0.5, "grad": -0.024, "lr": 0.1},
    "chain_gradients": {"x": 1.0, "weights": [0.5, 0.5], "y": 1.0},
    "chain_gradient_descent": {"x": 1.0, "weights": [0.5, 0.5], "y": 1.0, "lr": 0.1, "steps": 3},
}

# The bad values the project rules name, plus arrays holding bad entries.
BAD_INPUTS = {k: BAD_VALUES[k] for k in ["nan", "inf", "-inf", "str", "None", "list", "bool",
                                         "complex", "nan_array", "complex_array"]}

# Arguments that legitimately accept a value from BAD_INPUTS.
ALLOWED = {("chain_gradients", "weights", "list"), ("chain_gradient_descent", "weights", "list")}

# Functions whose error messages name an internal parameter ("w"/"a" of pre_activation)
# instead of their own argument; see the report. Remove once fixed.
MISNAMED: set[str] = set()


def public_functions() -> list[str]:
    return sorted(n for n in vgdocs.__all__ if inspect.isfunction(getattr(vgdocs, n)))


def test_valid_args_cover_every_public_function_and_parameter():
    assert sorted(VALID_ARGS) == public_functions()
    for name, kwargs in VALID_ARGS.items():
        fn = getattr(vgdocs, name)
        params = inspect.signature(fn).parameters
        assert set(kwargs) == set(params), name
        fn(**kwargs)  # the baseline call succeeds


def _cases():
    for fname in public_functions():
        for arg in VALID_ARGS[fname]:
            for bad in BAD_INPUTS:
                if (fname, arg, bad) in ALLOWED:
                    continue
                marks = []
                if fname in MISNAMED:
                    marks = [pytest.mark.xfail(strict=True, raises=AssertionError,
                                               reason=f"{fname} reports pre_activation's "
                                               "parameter names, not its own")]
                yield pytest.param(fname, arg, bad, id=f"{fname}-{arg}-{bad}", marks=marks)


@pytest.mark.parametrize(("fname", "arg", "bad"), list(_cases()))
def test_bad_input_raises_value_error_naming_argument(fname, arg, bad):
    fn = getattr(vgdocs, fname)
    kwargs = dict(VALID_ARGS[fname])
    kwargs[arg] = BAD_INPUTS[bad]
    with pytest.raises(ValueError) as info:
        fn(**kwargs)
    message = str(info.value)
    # the message starts with the argument's name, as a whole word ("y" is not "y_hat")
    assert re.match(rf"{re.escape(arg)}\b", message), message


def test_bad_input_also_raises_positionally():
    # the same checks hold when arguments are passed positionally
    with pytest.raises(ValueError, match=r"^W2\b"):
        vgdocs.grad_W1(1.0, 0.5, math.nan, 1.0)
    with pytest.raises(ValueError, match=r"^y\b"):
        vgdocs.squared_error(0.5, "1")
    with pytest.raises(ValueError, match=r"^lr\b"):
        vgdocs.gradient_descent_step(0.5, 0.1, -0.1)
