# Input checks shared by every public function: reject, never coerce.
"""Validation helpers: every public function checks its inputs with these."""

from __future__ import annotations

import numbers

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
