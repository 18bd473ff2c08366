# Activation functions and their derivatives, each beside the other.
r"""Activation functions $\phi$ and their derivatives $\phi'$.

Each function accepts a float or a numpy array and returns the same kind. Each checks its
input (a real number or a finite real array); ``fn.unchecked`` is the same math without the
check, for the training loops, which also keep the array's floating-point type.
"""

from __future__ import annotations

import numpy as np

from vgdocs._validate import Real, checked, real

SIGMOID_PRIME_MAX = 0.25
r"""The largest value of $\sigma'(z)$, reached at $z = 0$: $\sigma'(0) = \tfrac14$."""

TANH_PRIME_MAX = 1.0
r"""The largest value of $\tanh'(z)$, reached at $z = 0$."""


def _like(z: Real, out: np.ndarray) -> Real:
    return float(out) if isinstance(z, float) else out


def _z(z: object) -> tuple[Real]:
    return (real("z", z),)


def _z_slope(z: object, slope: object = 0.01) -> tuple[Real, float]:
    return real("z", z), _slope(slope)


@checked(_z)
def sigmoid(z: Real) -> Real:
    r"""Logistic sigmoid $\sigma(z) = \dfrac{1}{1 + e^{-z}}$."""
    za = np.asarray(z)
    # exp of a non-positive number only: no overflow, and full relative accuracy for z << 0.
    e = np.exp(-np.abs(za))
    return _like(z, np.where(za >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


@checked(_z)
def sigmoid_prime(z: Real) -> Real:
    r"""Derivative of the sigmoid, $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$."""
    # sigma(z) (1 - sigma(z)) == 1 / (4 cosh^2(z/2)) == e^{-|z|} / (1 + e^{-|z|})^2.
    # Near 0 the cosh form never rounds above 1/4; in the tails the exponential form keeps full
    # relative accuracy where 1 - sigma(z) would round to 0 (and cosh would overflow).
    za = np.abs(np.asarray(z))
    e = np.exp(-za)
    near = 0.25 / np.cosh(0.5 * np.minimum(za, 30.0)) ** 2
    return _like(z, np.where(za < 30.0, near, e / (1.0 + e) ** 2))


@checked(_z)
def tanh(z: Real) -> Real:
    r"""Hyperbolic tangent $\tanh(z) = \dfrac{e^{z} - e^{-z}}{e^{z} + e^{-z}}$."""
    return _like(z, np.tanh(np.asarray(z)))


@checked(_z)
def tanh_prime(z: Real) -> Real:
    r"""Derivative of tanh, $\tanh'(z) = 1 - \tanh^2(z)$."""
    t = tanh.unchecked(z)
    return 1.0 - t * t


@checked(_z)
def relu(z: Real) -> Real:
    r"""Rectified linear unit $\operatorname{relu}(z) = \max(0, z)$."""
    return _like(z, np.maximum(0.0, np.asarray(z)))


@checked(_z)
def relu_prime(z: Real) -> Real:
    r"""Derivative of ReLU, $\operatorname{relu}'(z) = 1$ if $z > 0$ else $0$ (0 at $z = 0$)."""
    za = np.asarray(z)
    return _like(z, (za > 0).astype(za.dtype))


@checked(_z_slope)
def leaky_relu(z: Real, slope: float = 0.01) -> Real:
    r"""Leaky ReLU $\max(z, \alpha z)$ with negative-side slope $\alpha \in [0, 1)$."""
    za = np.asarray(z)
    return _like(z, np.where(za > 0, za, slope * za))


@checked(_z_slope)
def leaky_relu_prime(z: Real, slope: float = 0.01) -> Real:
    r"""Derivative of leaky ReLU: $1$ if $z > 0$ else $\alpha$."""
    return _like(z, np.where(np.asarray(z) > 0, 1.0, slope))


def _slope(slope: object) -> float:
    s = real("slope", slope)
    if isinstance(s, np.ndarray) or not 0.0 <= s < 1.0:
        raise ValueError(f"slope must be a single number in [0, 1), got {slope!r}")
    return s
