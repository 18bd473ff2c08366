# Input checks shared by every public function: reject, never coerce.
"""Validation helpers: every public function checks its inputs with these."""

from __future__ import annotations

import functools
import inspect
import numbers
from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

Real = float | NDArray[np.float64]
"""A real number or an array of them; what the math functions accept and return."""


def real(name: str, value: object) -> Real:
    """Return ``value`` as a float or float64 array, or raise ``ValueError`` naming ``name``.

    Accepted: ``int``, ``float``, numpy real scalars and numpy arrays of a real
    (integer or floating) dtype. Rejected: ``bool``, complex numbers, strings,
    ``None``, lists and other containers, NaN and infinities.
    """
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be a real number or array, not a bool ({value!r})")
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "iuf":
            raise ValueError(
                f"{name} must be an array of real numbers, got dtype {value.dtype}"
            )
        out = value.astype(np.float64)
        if not np.all(np.isfinite(out)):
            raise ValueError(f"{name} must be finite everywhere; it contains NaN or inf")
        return out
    if isinstance(value, numbers.Real):
        out_f = float(value)
        if not np.isfinite(out_f):
            raise ValueError(f"{name} must be finite, got {out_f!r}")
        return out_f
    raise ValueError(
        f"{name} must be a real number or a numpy array of real numbers, "
        f"got {type(value).__name__}"
    )


def positive_int(name: str, value: object, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` if it is an ``int`` in ``[minimum, maximum]``, else raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {type(value).__name__}")
    ivalue = int(value)
    if ivalue < minimum or (maximum is not None and ivalue > maximum):
        upper = "" if maximum is None else f" and <= {maximum}"
        raise ValueError(f"{name} must be >= {minimum}{upper}, got {ivalue}")
    return ivalue


def non_negative(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite real number >= 0, else raise ``ValueError``."""
    out = real(name, value)
    if isinstance(out, np.ndarray):
        raise ValueError(f"{name} must be a single number, got an array of shape {out.shape}")
    if out < 0:
        raise ValueError(f"{name} must be >= 0, got {out!r}")
    return out


def same_shape(**arrays: Real) -> None:
    """Raise ``ValueError`` unless the given values broadcast together."""
    shapes = {name: np.shape(v) for name, v in arrays.items()}
    try:
        np.broadcast_shapes(*shapes.values())
    except ValueError:
        described = ", ".join(f"{n} {s}" for n, s in shapes.items())
        raise ValueError(f"shapes do not broadcast together: {described}") from None


def array(name: str, value: object, ndim: int | None = None, *, allow_empty: bool = False) -> NDArray[np.float64]:
    """``value`` as a finite float64 numpy array (with ``ndim`` dimensions if given), or ``ValueError``."""
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{name} must be a numpy array of real numbers, got {type(value).__name__}")
    out = real(name, value)
    assert isinstance(out, np.ndarray)
    if ndim is not None and out.ndim != ndim:
        raise ValueError(f"{name} must be a {'' if allow_empty else 'non-empty '}{ndim}-D array, got shape {out.shape}")
    if out.size == 0 and not allow_empty:
        raise ValueError(f"{name} must be a non-empty array, got shape {out.shape}")
    return out


def matrix(name: str, value: object) -> NDArray[np.float64]:
    """``value`` as a non-empty 2-D float64 array, or ``ValueError`` naming ``name``."""
    return array(name, value, 2)


def positive(name: str, value: object) -> float:
    """``value`` as a float if it is a single finite number > 0, else ``ValueError``."""
    out = real(name, value)
    if isinstance(out, np.ndarray) or not out > 0:
        raise ValueError(f"{name} must be a single number > 0, got {value!r}")
    return out


def generator(name: str, value: object) -> np.random.Generator:
    """``value`` if it is a ``numpy.random.Generator`` (``numpy.random.default_rng(seed)``), else ``ValueError``."""
    if not isinstance(value, np.random.Generator):
        raise ValueError(f"{name} must be a numpy.random.Generator (numpy.random.default_rng(seed)), "
                         f"got {type(value).__name__}")
    return value


P = ParamSpec("P")
R = TypeVar("R")


class Checked(Protocol[P, R]):
    """A function guarded by input checks; ``unchecked`` is the same math without them."""

    unchecked: Callable[..., R]

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...


def checked(check: Callable[..., tuple[Any, ...]]) -> Callable[[Callable[P, R]], Checked[P, R]]:
    """Guard a function with ``check``, which validates its arguments and returns them checked.

    The math is written once, in the decorated function; calling it runs ``check`` first.
    ``fn.unchecked`` is the bare math, for loops whose inputs were checked on the way in.
    """

    def decorate(fn: Callable[P, R]) -> Checked[P, R]:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            bound = signature.bind(*args, **kwargs)  # keyword calls reach the check by position
            bound.apply_defaults()
            return fn(*check(*bound.args))

        guarded.unchecked = fn  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


# ---------------------------------------------------------------------------- sequences and states


def shape(name: str, value: NDArray[np.float64], expected: tuple[int, ...]) -> None:
    """Raise ``ValueError`` unless ``value`` has exactly the shape ``expected``."""
    if value.shape != expected:
        raise ValueError(f"{name} must have shape {expected}, got {value.shape}")


def sequence(name: str, value: object, D: int) -> NDArray[np.float64]:
    r"""A batch of sequences, shape $(T, B, D)$ with $T, B \ge 1$."""
    xs = array(name, value, 3, allow_empty=True)
    if xs.shape[0] < 1 or xs.shape[1] < 1:
        raise ValueError(f"{name} must have shape (T, B, D) with T >= 1 and B >= 1, got {xs.shape}")
    shape(name, xs, (xs.shape[0], xs.shape[1], D))
    return xs


def state(name: str, value: object, B: int, H: int) -> NDArray[np.float64]:
    """A batch of states, shape $(B, H)$."""
    out = array(name, value, 2, allow_empty=True)
    shape(name, out, (B, H))
    return out


def cotangent(name: str, value: object, B: int, H: int) -> NDArray[np.float64]:
    r"""Gradients with respect to a batch of states, shape $(\ldots, B, H)$: extra leading axes allowed."""
    out = array(name, value, allow_empty=True)
    if out.ndim < 2 or out.shape[-2:] != (B, H):
        raise ValueError(f"{name} must have shape (..., {B}, {H}), got {out.shape}")
    return out


def instance(name: str, value: object, kind: type) -> None:
    """Raise ``ValueError`` unless ``value`` is a ``kind``."""
    if not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "AEIOUL" else "a"
        raise ValueError(f"{name} must be {article} {kind.__name__}, got {type(value).__name__}")


def step_list(steps: object, kind: type, forward: str) -> None:
    """Raise ``ValueError`` unless ``steps`` is a non-empty list of ``kind``, as ``forward`` returns."""
    if not isinstance(steps, list) or not steps or not all(isinstance(s, kind) for s in steps):
        raise ValueError(f"steps must be a non-empty list of {kind.__name__}, as returned by {forward}")
