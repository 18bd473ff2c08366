# Residual connections and layer normalisation: gradient norms through plain and residual stacks.
r"""Plain and residual stacks of small tanh blocks, with hand-written backward passes.

Each block is $F(h) = W_2 \tanh(W_1 h)$. A plain stack applies $h_{k+1} = F_k(h_k)$, a residual
stack $h_{k+1} = h_k + F_k(h_k)$, so the gradient is carried back by

$$ \frac{\partial L}{\partial h_0} = \Bigl(\prod_{k} J_k\Bigr)^{\!\top} \frac{\partial L}{\partial h_L}
   \quad\text{versus}\quad
   \frac{\partial L}{\partial h_0} = \Bigl(\prod_{k} (I + J_k)\Bigr)^{\!\top}
   \frac{\partial L}{\partial h_L}, \qquad J_k = \frac{\partial F_k}{\partial h} . $$

Layer normalisation is implemented too, for the stacks ``plain_ln``
($h_{k+1} = \operatorname{LN}(F_k(h_k))$) and ``residual_ln``
($h_{k+1} = h_k + F_k(\operatorname{LN}(h_k))$, the "pre-norm" arrangement). Arrays hold one
input per row; a block maps a batch $H$ to $\tanh(H W_1^\top) W_2^\top$.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vgdocs._validate import Real, non_negative, positive_int, real
from vgdocs.activations import tanh, tanh_prime
from vgdocs.rectifiers import readout_loss_grad

__all__ = [
    "ARCHITECTURES",
    "LN_EPS",
    "StackGradients",
    "activation_rms_profile",
    "block",
    "block_backward",
    "block_jacobian",
    "block_stack_backward",
    "block_stack_forward",
    "gaussian_expectation",
    "gradient_norm_profile",
    "init_blocks",
    "layer_norm",
    "layer_norm_backward",
    "ln_tanh_block_gain",
    "scalar_chain_products",
]

ARCHITECTURES = ("plain", "residual", "plain_ln", "residual_ln")
"""The stacks this module builds from the same blocks."""

LN_EPS = 1e-5
r"""The $\epsilon$ inside layer normalisation's square root."""


# ---------------------------------------------------------------------------------- checks


def _matrix(name: str, value: object) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{name} must be a 2-D numpy array, got {type(value).__name__}")
    out = real(name, value)
    if out.ndim != 2 or out.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {out.shape}")
    return out


def _weights(h: np.ndarray, W1: object, W2: object) -> tuple[np.ndarray, np.ndarray]:
    W1, W2 = _matrix("W1", W1), _matrix("W2", W2)
    d = h.shape[-1]
    if W1.shape[1] != d:
        raise ValueError(f"W1 must have {d} columns (the width of h), got shape {W1.shape}")
    if W2.shape != (d, W1.shape[0]):
        raise ValueError(f"W2 must have shape {(d, W1.shape[0])}, got {W2.shape}")
    return W1, W2


def _stack(x: object, W1: object, W2: object, architecture: object
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    x = _matrix("x", x)
    for name, w in (("W1", W1), ("W2", W2)):
        if not isinstance(w, np.ndarray) or w.ndim != 3 or w.size == 0:
            raise ValueError(f"{name} must be a 3-D array (depth, width, width)")
    W1, W2 = real("W1", W1), real("W2", W2)
    d = x.shape[1]
    if W1.shape != W2.shape or W1.shape[1:] != (d, d):
        raise ValueError(f"W1 and W2 must both have shape (depth, {d}, {d}); "
                         f"got {W1.shape} and {W2.shape}")
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
    return x, W1, W2, architecture


# ---------------------------------------------------------------------------------- block


def block(h: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    r"""The residual branch $F(h) = W_2 \tanh(W_1 h)$, applied to each row of $H$."""
    h = _matrix("h", h)
    W1, W2 = _weights(h, W1, W2)
    return tanh(h @ W1.T) @ W2.T


def block_backward(h: np.ndarray, W1: np.ndarray, W2: np.ndarray, grad_out: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Backward pass of :func:`block`: $(\partial L/\partial h,\ \partial L/\partial W_1,\ \partial L/\partial W_2)$.

    With $u = W_1 h$, $a = \tanh u$, $G = \partial L/\partial F$ and
    $\delta = (G W_2) \odot \tanh'(u)$:

    $$ \frac{\partial L}{\partial h} = \delta\, W_1, \qquad
       \frac{\partial L}{\partial W_1} = \delta^\top H, \qquad
       \frac{\partial L}{\partial W_2} = G^\top a . $$
    """
    h = _matrix("h", h)
    W1, W2 = _weights(h, W1, W2)
    g = _matrix("grad_out", grad_out)
    if g.shape != (h.shape[0], W2.shape[0]):
        raise ValueError(f"grad_out must have shape {(h.shape[0], W2.shape[0])}, got {g.shape}")
    u = h @ W1.T
    a = tanh(u)
    delta = (g @ W2) * tanh_prime(u)
    return delta @ W1, delta.T @ h, g.T @ a


def block_jacobian(h: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    r"""Jacobian of the block at one input $h$ (a vector): $J = W_2 \operatorname{diag}(\tanh'(W_1 h))\, W_1$."""
    hv = real("h", h)
    if not isinstance(hv, np.ndarray) or hv.ndim != 1:
        raise ValueError("h must be a 1-D numpy array (one input)")
    W1, W2 = _weights(hv, W1, W2)
    return (W2 * tanh_prime(W1 @ hv)) @ W1


# ----------------------------------------------------------------------------- layer norm


def layer_norm(x: np.ndarray, eps: float = LN_EPS) -> np.ndarray:
    r"""Layer normalisation of each row, without the learned gain and offset (their initial values).

    $$ \operatorname{LN}(x) = \frac{x - \mu}{\sqrt{v + \epsilon}}, \qquad
       \mu = \frac1d \sum_j x_j, \quad v = \frac1d \sum_j (x_j - \mu)^2 . $$
    """
    x = _matrix("x", x)
    eps = non_negative("eps", eps)
    mu = x.mean(axis=1, keepdims=True)
    return (x - mu) / np.sqrt(x.var(axis=1, keepdims=True) + eps)


def layer_norm_backward(x: np.ndarray, grad_out: np.ndarray, eps: float = LN_EPS) -> np.ndarray:
    r"""Backward pass of :func:`layer_norm`, row by row; $\hat x = \operatorname{LN}(x)$, $s = \sqrt{v+\epsilon}$.

    $$ \frac{\partial L}{\partial x} = \frac1s\Bigl(g - \bar g\,\mathbf 1
       - \hat x\,\overline{g \odot \hat x}\Bigr), \qquad g = \frac{\partial L}{\partial \operatorname{LN}(x)},
       \quad \bar{\ } = \text{mean over the row.} $$

    The result has zero mean and is orthogonal to $\hat x$: a normalised layer ignores shifts
    and rescalings of its input, so it sends no gradient along them.
    """
    x = _matrix("x", x)
    g = _matrix("grad_out", grad_out)
    if g.shape != x.shape:
        raise ValueError(f"grad_out must have the shape of x {x.shape}, got {g.shape}")
    eps = non_negative("eps", eps)
    s = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=1, keepdims=True)) / s
    return (g - g.mean(axis=1, keepdims=True) - xhat * (g * xhat).mean(axis=1, keepdims=True)) / s


# ---------------------------------------------------------------------------------- stacks


def init_blocks(depth: int, width: int, branch_scale: float, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
    r"""Random block weights: $W_1 \sim \mathcal N(0, 1/d)$ and $W_2 \sim \mathcal N(0, c^2/d)$.

    $W_1$ has LeCun's scale for tanh; $c$ (``branch_scale``) scales the block's output.
    Returns arrays of shape (depth, width, width).
    """
    depth = positive_int("depth", depth)
    width = positive_int("width", width)
    c = non_negative("branch_scale", branch_scale)
    seed = positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((depth, width, width)) / math.sqrt(width)
    W2 = rng.standard_normal((depth, width, width)) * (c / math.sqrt(width))
    return W1, W2


def block_stack_forward(x: np.ndarray, W1: np.ndarray, W2: np.ndarray, architecture: str
                        ) -> list[np.ndarray]:
    r"""Hidden states $h_0 = x, h_1, \dots, h_L$ of a stack of blocks.

    $$ \text{plain: } h_{k+1} = F_k(h_k), \qquad \text{residual: } h_{k+1} = h_k + F_k(h_k), $$

    $$ \text{plain\_ln: } h_{k+1} = \operatorname{LN}(F_k(h_k)), \qquad
       \text{residual\_ln: } h_{k+1} = h_k + F_k(\operatorname{LN}(h_k)) . $$
    """
    x, W1, W2, arch = _stack(x, W1, W2, architecture)
    hs = [x]
    for w1, w2 in zip(W1, W2, strict=True):
        h = hs[-1]
        if arch == "plain":
            hs.append(block(h, w1, w2))
        elif arch == "residual":
            hs.append(h + block(h, w1, w2))
        elif arch == "plain_ln":
            hs.append(layer_norm(block(h, w1, w2)))
        else:
            hs.append(h + block(layer_norm(h), w1, w2))
    return hs


@dataclass(frozen=True)
class StackGradients:
    r"""$\partial L/\partial h_k$ for $k = 0..L$, and $\partial L/\partial W_1$, $\partial L/\partial W_2$ per block."""

    h: list[np.ndarray]
    W1: np.ndarray
    W2: np.ndarray


def block_stack_backward(x: np.ndarray, W1: np.ndarray, W2: np.ndarray, architecture: str,
                         grad_out: np.ndarray) -> StackGradients:
    r"""Hand-written backward pass of :func:`block_stack_forward`.

    $$ \text{plain: } g_k = J_k^\top g_{k+1}, \qquad \text{residual: } g_k = g_{k+1} + J_k^\top g_{k+1}, $$

    with :func:`layer_norm_backward` inserted where the stack normalises ($g_k = \partial L /
    \partial h_k$, applied row by row).
    """
    x, W1, W2, arch = _stack(x, W1, W2, architecture)
    hs = block_stack_forward(x, W1, W2, arch)
    g = _matrix("grad_out", grad_out)
    if g.shape != x.shape:
        raise ValueError(f"grad_out must have shape {x.shape}, got {g.shape}")
    grads_h: list[np.ndarray] = [g]
    gW1, gW2 = np.empty_like(W1), np.empty_like(W2)
    for k in range(len(W1) - 1, -1, -1):
        h = hs[k]
        if arch == "plain":
            gh, gW1[k], gW2[k] = block_backward(h, W1[k], W2[k], g)
        elif arch == "residual":
            gb, gW1[k], gW2[k] = block_backward(h, W1[k], W2[k], g)
            gh = g + gb
        elif arch == "plain_ln":
            f = block(h, W1[k], W2[k])
            gh, gW1[k], gW2[k] = block_backward(h, W1[k], W2[k], layer_norm_backward(f, g))
        else:
            hn = layer_norm(h)
            gb, gW1[k], gW2[k] = block_backward(hn, W1[k], W2[k], g)
            gh = g + layer_norm_backward(h, gb)
        g = gh
        grads_h.append(g)
    return StackGradients(h=grads_h[::-1], W1=gW1, W2=gW2)


def _experiment(architecture: str, depth: int, width: int, batch: int, branch_scale: float,
                seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    depth = positive_int("depth", depth)
    width = positive_int("width", width)
    batch = positive_int("batch", batch)
    seed = positive_int("seed", seed, minimum=0)
    W1, W2 = init_blocks(depth, width, branch_scale, seed)
    rng = np.random.default_rng([seed, 1])
    x = rng.standard_normal((batch, width))
    r = rng.standard_normal(width) / math.sqrt(width)
    return x, W1, W2, r


def gradient_norm_profile(architecture: str, depth: int = 50, width: int = 64, batch: int = 32,
                          branch_scale: float = 0.5, seed: int = 0) -> np.ndarray:
    r"""$\lVert \partial L/\partial h_k \rVert / \lVert \partial L/\partial h_L \rVert$ for $k = 0..L$.

    Standard-normal inputs, blocks from :func:`init_blocks`, and the linear read-out loss
    $L = \tfrac1n\sum_i r^\top h_L^{(i)}$ with $r \sim \mathcal N(0, I/d)$ (norms are Frobenius
    norms over the batch).
    """
    x, W1, W2, r = _experiment(architecture, depth, width, batch, branch_scale, seed)
    g_top = readout_loss_grad(x, r)  # r/n per row; needs only the batch shape
    grads = block_stack_backward(x, W1, W2, architecture, g_top)
    norms = np.array([np.linalg.norm(g) for g in grads.h])
    return norms / norms[-1]


def activation_rms_profile(architecture: str, depth: int = 50, width: int = 64, batch: int = 32,
                           branch_scale: float = 0.5, seed: int = 0) -> np.ndarray:
    r"""Root-mean-square activation $\sqrt{\overline{h_k^2}}$ of every layer $k = 0..L$ (setup as for the gradients)."""
    x, W1, W2, _ = _experiment(architecture, depth, width, batch, branch_scale, seed)
    return np.array([math.sqrt(float(np.mean(h * h))) for h in block_stack_forward(x, W1, W2,
                                                                                    architecture)])


# ------------------------------------------------------------------------------ estimates


def gaussian_expectation(f: Callable[[np.ndarray], np.ndarray], nodes: int = 200) -> float:
    r"""$\mathbb E[f(z)]$ for $z \sim \mathcal N(0, 1)$, by Gauss–Hermite quadrature.

    $$ \mathbb E[f(z)] = \int f(z)\,\frac{e^{-z^2/2}}{\sqrt{2\pi}}\,dz \approx \sum_i w_i f(z_i) . $$
    """
    nodes = positive_int("nodes", nodes, minimum=2, maximum=400)  # 200 nodes: ~1e-14 for tanh moments
    if not callable(f):
        raise ValueError(f"f must be callable, got {type(f).__name__}")
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    return float(np.sum(w * f(z)) / np.sum(w))


def ln_tanh_block_gain() -> float:
    r"""Mean-field growth of the gradient per block of the ``plain_ln`` stack.

    LN makes each block's input have unit variance, so $u = W_1 h \sim \mathcal N(0, 1)$; the
    block shrinks activations by $c\sqrt{\mathbb E[\tanh^2 u]}$, LN's backward pass divides by
    that, and $J^\top$ multiplies the gradient by about $c\sqrt{\mathbb E[\tanh'^2 u]}$:

    $$ \rho = \sqrt{\frac{\mathbb E[\tanh'(u)^2]}{\mathbb E[\tanh(u)^2]}} ,
       \qquad u \sim \mathcal N(0, 1), $$

    independent of the branch scale $c$. Ignores correlations between the factors.
    """
    num = gaussian_expectation(lambda z: tanh_prime(z) ** 2)
    den = gaussian_expectation(lambda z: tanh(z) ** 2)
    return math.sqrt(num / den)


def scalar_chain_products(a: Real, depth: int) -> tuple[Real, Real]:
    r"""The two products for scalar Jacobians $J_k = a$: $\bigl(a^L,\ (1 + a)^L\bigr)$.

    $$ \prod_{k=1}^{L} J_k = a^{L}, \qquad \prod_{k=1}^{L} (1 + J_k) = (1 + a)^{L} . $$
    """
    a = real("a", a)
    depth = positive_int("depth", depth)
    return a**depth, (1.0 + a) ** depth
