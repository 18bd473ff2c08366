# Residual scaling: activation growth through deep residual ReLU stacks, with Fixup- and ReZero-style scales.
r"""Activation growth in residual stacks $x_{l+1} = x_l + \alpha\, s_2 W_2 \operatorname{relu}(s_1 W_1 x_l)$.

Both branch matrices are drawn with He's variance, $\mathcal N(0, 2/n)$, and scaled by $s_1$,
$s_2$; $\alpha$ multiplies the whole branch. Given $x_l$, the branch is a centred Gaussian vector
independent of $x_l$'s direction, so the cross term vanishes in expectation and

$$ \mathbb E\,\lVert x_{l+1} \rVert^2 = (1 + g)\, \lVert x_l \rVert^2, \qquad g = 2 \alpha^2 s_1^2 s_2^2 , $$

exactly, at any width (half of $\lVert s_1 W_1 x \rVert^2$ survives the ReLU, and $W_2$ doubles
it back). The variants:

| variant | $s_1$ | $s_2$ | $\alpha$ | $g$ |
|---|---|---|---|---|
| ``plain`` (He in both layers) | $1$ | $1$ | $1$ | $2$ |
| ``fixup`` (Zhang, Dauphin and Ma, 2019) | $L^{-1/2}$ | $0$ | $1$ | $0$ |
| ``fixup_scale`` (Fixup's rescaling, last layer not zeroed) | $L^{-1/2}$ | $1$ | $1$ | $2/L$ |
| ``rezero`` (Bachlechner et al., 2021) | $1$ | $1$ | $\alpha$ (``alpha``, 0 at initialisation) | $2\alpha^2$ |

Fixup scales the weight layers inside each of the $L$ branches by $L^{-1/(2m-2)}$ for $m$ layers
per branch ($m = 2$ here) and starts each branch's last layer at zero; ReZero multiplies each
branch by a learned scalar that starts at zero.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from vgdocs._validate import array, non_negative, positive_int, real

__all__ = [
    "VARIANTS",
    "branch_gain",
    "branch_scales",
    "residual_growth",
    "residual_log_norms",
    "residual_norm_growth",
]

VARIANTS = ("plain", "fixup", "fixup_scale", "rezero")
"""The branch scalings this module compares."""

Array = NDArray[np.float64]


def branch_scales(variant: str, depth: int, alpha: float = 0.0) -> tuple[float, float, float]:
    r"""$(s_1, s_2, \alpha)$ of a variant for a stack of $L$ = ``depth`` blocks (table in the module docstring)."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {list(VARIANTS)}, got {variant!r}")
    depth = positive_int("depth", depth, maximum=100_000)
    alpha = non_negative("alpha", alpha)
    if variant != "rezero" and alpha != 0.0:
        raise ValueError(f"alpha applies to the 'rezero' variant only, got alpha={alpha!r} for {variant!r}")
    return {"plain": (1.0, 1.0, 1.0), "fixup": (depth ** -0.5, 0.0, 1.0),
            "fixup_scale": (depth ** -0.5, 1.0, 1.0), "rezero": (1.0, 1.0, alpha)}[variant]


def branch_gain(s1: float, s2: float, alpha: float) -> float:
    r"""Growth of the mean squared norm per block, minus one: $g = 2 \alpha^2 s_1^2 s_2^2$."""
    return 2.0 * non_negative("alpha", alpha) ** 2 * non_negative("s1", s1) ** 2 * non_negative("s2", s2) ** 2


def residual_growth(g: float, depth: int) -> float:
    r"""Root-mean-square growth, $\sqrt{\mathbb E \lVert x_L \rVert^2} / \lVert x_0 \rVert = (1 + g)^{L/2}$."""
    return (1.0 + non_negative("g", g)) ** (positive_int("depth", depth, minimum=0) / 2.0)


def residual_log_norms(x0: Array, W1: Array, W2: Array, s1: float, s2: float, alpha: float) -> Array:
    r"""$\ln (\lVert x_l \rVert / \lVert x_0 \rVert)$ for $l = 0, \dots, L$, one column per row of ``x0``.

    ``W1`` and ``W2`` have shape (L, n, n). The block is positively homogeneous
    ($x \mapsto c\,x$ scales its output by $c > 0$), so each step renormalises the state and adds
    the logarithm of its norm: no overflow even where the norm grows like $3^{L/2}$.
    """
    x = array("x0", x0, 2)
    W1 = array("W1", W1, 3)
    W2 = array("W2", W2, 3)
    if W1.shape != W2.shape or W1.shape[1:] != (x.shape[1], x.shape[1]):
        raise ValueError(f"W1 and W2 must both have shape (L, {x.shape[1]}, {x.shape[1]}), "
                         f"got {W1.shape} and {W2.shape}")
    s1, s2, alpha = (float(real(name, v)) for name, v in (("s1", s1), ("s2", s2), ("alpha", alpha)))
    norms = np.linalg.norm(x, axis=1)
    if np.any(norms == 0.0):
        raise ValueError("x0 must have no zero rows")
    x = x / norms[:, None]
    out = np.zeros((W1.shape[0] + 1, x.shape[0]))
    scale = alpha * s1 * s2
    for layer in range(W1.shape[0]):
        x = x + scale * (np.maximum(x @ W1[layer].T, 0.0) @ W2[layer].T)
        step = np.linalg.norm(x, axis=1)
        out[layer + 1] = out[layer] + np.log(step)
        x = x / step[:, None]
    return out


def residual_norm_growth(variants: list[tuple[str, float]], depths: list[int], width: int, batch: int,
                         seed: int) -> Array:
    r"""$\ln(\lVert x_L \rVert / \lVert x_0 \rVert)$ per variant, at each depth in ``depths``, for ``batch`` inputs.

    ``variants`` lists ``(variant, alpha)`` pairs (``alpha`` is used by ``"rezero"`` only).
    Returns shape (variants, depths, batch). The weights are He normal, drawn once from
    ``default_rng(seed)`` for the deepest stack (all of $W_1$, then all of $W_2$, then the
    standard normal inputs) and shared by every variant; a shallower stack uses its first $L$
    blocks. A variant whose scales depend on $L$ (Fixup's) is run once per depth.
    """
    if not isinstance(variants, list | tuple) or not variants:
        raise ValueError("variants must be a non-empty list of (variant, alpha) pairs")
    for v in variants:
        if not isinstance(v, tuple) or len(v) != 2:
            raise ValueError(f"variants must hold (variant, alpha) pairs, got {v!r}")
        branch_scales(v[0], 1, v[1])
    if not isinstance(depths, list | tuple) or not depths:
        raise ValueError("depths must list at least one depth")
    depths = [positive_int(f"depths[{i}]", d, maximum=5000) for i, d in enumerate(depths)]
    width = positive_int("width", width, maximum=2048)
    batch = positive_int("batch", batch, maximum=4096)
    seed = positive_int("seed", seed, minimum=0)
    deepest = max(depths)
    rng = np.random.default_rng(seed)
    std = math.sqrt(2.0 / width)
    W1 = std * rng.standard_normal((deepest, width, width))
    W2 = std * rng.standard_normal((deepest, width, width))
    x0 = rng.standard_normal((batch, width))
    out = np.empty((len(variants), len(depths), batch))
    for v, (variant, alpha) in enumerate(variants):
        if variant in ("plain", "rezero"):
            out[v] = residual_log_norms(x0, W1, W2, *branch_scales(variant, deepest, alpha))[depths]
            continue
        for k, depth in enumerate(depths):
            out[v, k] = residual_log_norms(x0, W1[:depth], W2[:depth], *branch_scales(variant, depth))[-1]
    return out
