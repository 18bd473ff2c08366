# Where the normalisation sits: post-LN against pre-LN residual MLP blocks, and their gradients at initialisation.
r"""Residual blocks of feed-forward layers with layer normalisation after the sum or inside the branch.

Each block has a two-layer branch $F_l(x) = \operatorname{relu}(x W_1^{(l)\top})\, W_2^{(l)\top}$
with Xavier weights $\mathcal N(0, 1/d)$ on $d \times d$ matrices, and one input per row:

$$ \text{post-LN: } x_{l+1} = \operatorname{LN}\bigl(x_l + F_l(x_l)\bigr), \quad y = x_L; \qquad
   \text{pre-LN: } x_{l+1} = x_l + F_l\bigl(\operatorname{LN}(x_l)\bigr), \quad y = \operatorname{LN}(x_L) . $$

Post-LN is the arrangement of the original Transformer (Vaswani et al., 2017); pre-LN, with a
final normalisation before the output, is the one Xiong et al. (2020) analyse as its alternative.
A Transformer layer adds a self-attention sub-layer in front of each feed-forward one; these
stacks leave it out. The loss is a fixed linear read-out of the output, $\ell_i = r^\top y_i$.
Layer normalisation and its backward pass are :func:`vgdocs.residual.layer_norm` and
:func:`vgdocs.residual.layer_norm_backward`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vgdocs._validate import array, positive_int
from vgdocs.residual import layer_norm, layer_norm_backward

__all__ = [
    "PLACEMENTS",
    "LNStackGradients",
    "ffn_gradient_norms",
    "ln_stack_backward",
    "ln_stack_forward",
]

PLACEMENTS = ("post", "pre")
"""Where each block normalises: after the residual sum, or at the start of the branch."""

Array = NDArray[np.float64]


def _inputs(x: object, W1: object, W2: object, placement: object) -> tuple[Array, Array, Array, str]:
    if placement not in PLACEMENTS:
        raise ValueError(f"placement must be one of {list(PLACEMENTS)}, got {placement!r}")
    x = array("x", x, 2)
    W1 = array("W1", W1, 3)
    W2 = array("W2", W2, 3)
    d = x.shape[1]
    if W1.shape[1:] != (W1.shape[1], d) or W2.shape != (W1.shape[0], d, W1.shape[1]):
        raise ValueError(f"W1 must have shape (L, m, {d}) and W2 (L, {d}, m), got {W1.shape} and {W2.shape}")
    return x, W1, W2, str(placement)


@dataclass(frozen=True)
class LNStackGradients:
    r"""Gradients of $\sum_i \ell_i$ for every block's weights, per example, and for the input."""

    W1: Array
    """Shape (L, m, d): $\\partial / \\partial W_1^{(l)}$."""
    W2: Array
    """Shape (L, d, m): $\\partial / \\partial W_2^{(l)}$."""
    x: Array
    """Shape (B, d): $\\partial / \\partial x_0$."""
    W2_per_example: Array
    r"""Shape (L, B): $\lVert \partial \ell_i / \partial W_2 \rVert_F = \lVert \delta_i \rVert \lVert a_i \rVert$."""


def ln_stack_forward(x: Array, W1: Array, W2: Array, placement: str) -> tuple[Array, list[tuple[Array, ...]]]:
    r"""The output $y$ of the stack (module docstring) and, per block, what its backward pass needs."""
    x, W1, W2, placement = _inputs(x, W1, W2, placement)
    cache = []
    for k in range(W1.shape[0]):
        u = x if placement == "post" else layer_norm(x)  # the branch's input
        a = np.maximum(u @ W1[k].T, 0.0)
        s = x + a @ W2[k].T
        cache.append((x, u, a, s))
        x = layer_norm(s) if placement == "post" else s
    return (x if placement == "post" else layer_norm(x)), cache


def ln_stack_backward(x: Array, W1: Array, W2: Array, placement: str, r: Array) -> LNStackGradients:
    r"""Hand-written backward pass of $\sum_i r^\top y_i$ through :func:`ln_stack_forward`.

    Post-LN: $g_s = \operatorname{LN}'(s)^\top g$, $g_x = g_s + \text{branch}$; pre-LN: $g_x = g + \text{branch}$
    with the branch's gradient sent back through $\operatorname{LN}'(x)^\top$; in both the branch gives
    $\delta = $ the gradient at its output, $\partial/\partial W_2 = \delta^\top a$,
    $\partial/\partial W_1 = (\delta W_2 \odot [a > 0])^\top u$.
    """
    x, W1, W2, placement = _inputs(x, W1, W2, placement)
    r = array("r", r, 1)
    if r.shape != (x.shape[1],):
        raise ValueError(f"r must be a vector of length {x.shape[1]}, got shape {r.shape}")
    _, cache = ln_stack_forward(x, W1, W2, placement)
    g = np.tile(r, (x.shape[0], 1))
    if placement == "pre":
        g = layer_norm_backward(cache[-1][3], g)
    L = W1.shape[0]
    gW1, gW2 = np.empty_like(W1), np.empty_like(W2)
    per_example = np.empty((L, x.shape[0]))
    for k in range(L - 1, -1, -1):
        x_in, u, a, s = cache[k]
        delta = layer_norm_backward(s, g) if placement == "post" else g  # gradient at the block's sum
        gW2[k] = delta.T @ a
        per_example[k] = np.linalg.norm(delta, axis=1) * np.linalg.norm(a, axis=1)
        da = (delta @ W2[k]) * (a > 0.0)
        gW1[k] = da.T @ u
        gu = da @ W1[k]
        g = delta + (gu if placement == "post" else layer_norm_backward(x_in, gu))
    return LNStackGradients(gW1, gW2, g, per_example)


def ffn_gradient_norms(placement: str, depth: int, width: int, batch: int, seed: int) -> Array:
    r"""Mean over the inputs of $\lVert \partial \ell_i / \partial W_2^{(l)} \rVert_F$, $l = 1, \dots, L$, at the start.

    From ``default_rng(seed)``: all $W_1$, all $W_2$ (Xavier, $\mathcal N(0, 1/d)$), inputs
    $x_0 \sim \mathcal N(0, I)$, then a read-out $r \sim \mathcal N(0, I/d)$.
    """
    depth = positive_int("depth", depth, maximum=2000)
    width = positive_int("width", width, minimum=2, maximum=2048)
    batch = positive_int("batch", batch, maximum=4096)
    seed = positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    std = width ** -0.5
    W1 = std * rng.standard_normal((depth, width, width))
    W2 = std * rng.standard_normal((depth, width, width))
    x = rng.standard_normal((batch, width))
    r = std * rng.standard_normal(width)
    return ln_stack_backward(x, W1, W2, placement, r).W2_per_example.mean(axis=1)
