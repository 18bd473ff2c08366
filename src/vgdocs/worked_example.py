# The article's two-layer sigmoid network: forward pass, loss, every chain-rule factor, update.
r"""The worked example: a two-layer sigmoid network with one weight per layer.

$$ z_1 = W_1 x,\quad h = \sigma(z_1),\quad z_2 = W_2 h,\quad \hat y = \sigma(z_2),
\quad L = (\hat y - y)^2 . $$

Every function accepts floats or numpy arrays that broadcast together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vgdocs._validate import Real, non_negative, positive_int, real, same_shape
from vgdocs.activations import sigmoid, sigmoid_prime


def pre_activation(w: Real, a: Real) -> Real:
    r"""Pre-activation of a one-weight layer, $z = W a$."""
    w, a = real("w", w), real("a", a)
    same_shape(w=w, a=a)
    return w * a


def pre_activation_grad_input(w: Real) -> Real:
    r"""Derivative of $z = W a$ with respect to its input: $\partial z / \partial a = W$."""
    return real("w", w)


def pre_activation_grad_weight(a: Real) -> Real:
    r"""Derivative of $z = W a$ with respect to its weight: $\partial z / \partial W = a$."""
    return real("a", a)


@dataclass(frozen=True)
class ForwardPass:
    r"""Every intermediate value of the forward pass $x \to z_1 \to h \to z_2 \to \hat y$."""

    z1: Real
    h: Real
    z2: Real
    y_hat: Real


def forward(x: Real, W1: Real, W2: Real) -> ForwardPass:
    r"""Forward pass: $h = \sigma(W_1 x)$ and $\hat y = \sigma(W_2 h)$."""
    x, W1, W2 = real("x", x), real("W1", W1), real("W2", W2)
    same_shape(x=x, W1=W1, W2=W2)
    z1 = pre_activation(W1, x)
    h = sigmoid(z1)
    z2 = pre_activation(W2, h)
    return ForwardPass(z1=z1, h=h, z2=z2, y_hat=sigmoid(z2))


def squared_error(y_hat: Real, y: Real) -> Real:
    r"""Squared-error loss of one sample, $L = (\hat y - y)^2$."""
    y_hat, y = real("y_hat", y_hat), real("y", y)
    same_shape(y_hat=y_hat, y=y)
    return (y_hat - y) ** 2


def squared_error_prime(y_hat: Real, y: Real) -> Real:
    r"""Derivative of the loss with respect to the prediction, $\partial L / \partial \hat y = 2(\hat y - y)$."""
    y_hat, y = real("y_hat", y_hat), real("y", y)
    same_shape(y_hat=y_hat, y=y)
    return 2.0 * (y_hat - y)


def dy_hat_dh(h: Real, W2: Real) -> Real:
    r"""Second factor of the chain, $\partial \hat y / \partial h = \sigma'(z_2)\, W_2$ with $z_2 = W_2 h$."""
    h, W2 = real("h", h), real("W2", W2)
    return sigmoid_prime(pre_activation(W2, h)) * pre_activation_grad_input(W2)


def dh_dW1(x: Real, W1: Real) -> Real:
    r"""Third factor of the chain, $\partial h / \partial W_1 = \sigma'(z_1)\, x$ with $z_1 = W_1 x$."""
    x, W1 = real("x", x), real("W1", W1)
    return sigmoid_prime(pre_activation(W1, x)) * pre_activation_grad_weight(x)


def dy_hat_dW2(h: Real, W2: Real) -> Real:
    r"""Local gradient of the output layer, $\partial \hat y / \partial W_2 = \sigma'(z_2)\, h$."""
    h, W2 = real("h", h), real("W2", W2)
    return sigmoid_prime(pre_activation(W2, h)) * pre_activation_grad_weight(h)


def grad_W1(x: Real, W1: Real, W2: Real, y: Real) -> Real:
    r"""Full gradient of the loss with respect to the first weight.

    $$ \frac{\partial L}{\partial W_1} = \frac{\partial L}{\partial \hat y}\cdot
       \frac{\partial \hat y}{\partial h}\cdot\frac{\partial h}{\partial W_1}
       = 2(\hat y - y)\,\sigma'(z_2)\,W_2\,\sigma'(z_1)\,x $$
    """
    fp = forward(x, W1, W2)
    y = real("y", y)
    same_shape(x=fp.z1, y=y)
    return squared_error_prime(fp.y_hat, y) * dy_hat_dh(fp.h, W2) * dh_dW1(x, W1)


def grad_W2(x: Real, W1: Real, W2: Real, y: Real) -> Real:
    r"""Full gradient of the loss with respect to the second weight.

    $$ \frac{\partial L}{\partial W_2} = \frac{\partial L}{\partial \hat y}\cdot
       \frac{\partial \hat y}{\partial W_2} = 2(\hat y - y)\,\sigma'(z_2)\,h $$
    """
    fp = forward(x, W1, W2)
    y = real("y", y)
    same_shape(x=fp.z1, y=y)
    return squared_error_prime(fp.y_hat, y) * dy_hat_dW2(fp.h, W2)


def gradient_descent_step(w: Real, grad: Real, lr: float) -> Real:
    r"""One gradient-descent update, $W \leftarrow W - \eta\,\dfrac{\partial L}{\partial W}$, $\eta \ge 0$."""
    w, grad = real("w", w), real("grad", grad)
    lr = non_negative("lr", lr)
    same_shape(w=w, grad=grad)
    return w - lr * grad


def chain_gradients(x: float, weights: Real, y: float) -> np.ndarray:
    r"""Gradients $\partial L/\partial W_k$ of a chain of one-weight sigmoid layers.

    With $a_0 = x$, $a_k = \sigma(W_k a_{k-1})$ and $L = (a_n - y)^2$,

    $$ \frac{\partial L}{\partial W_k} = 2(a_n - y)
       \Bigl[\prod_{j=k+1}^{n} \sigma'(z_j)\, W_j\Bigr]\, \sigma'(z_k)\, a_{k-1}. $$

    The article's network is the case $n = 2$.
    """
    x, y = real("x", x), real("y", y)
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        raise ValueError("x and y must be single numbers for chain_gradients")
    if isinstance(weights, list | tuple):
        w = np.array([real(f"weights[{i}]", v) for i, v in enumerate(weights)], dtype=np.float64)
    else:
        w = np.atleast_1d(np.asarray(real("weights", weights), dtype=np.float64))
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"weights must be a non-empty 1-D sequence, got shape {w.shape}")
    acts = [x]
    zs = []
    for wk in w:
        zs.append(wk * acts[-1])
        acts.append(float(sigmoid(zs[-1])))
    upstream = float(squared_error_prime(acts[-1], y))
    grads = np.empty_like(w)
    for k in range(w.size - 1, -1, -1):
        local = float(sigmoid_prime(zs[k]))
        grads[k] = upstream * local * acts[k]
        upstream = upstream * local * w[k]
    return grads


@dataclass(frozen=True)
class DescentRun:
    """The weights and the loss of a chain at every step of gradient descent (row 0: the start)."""

    weights: np.ndarray
    """Shape (steps + 1, n): $W_k$ after each step."""
    loss: np.ndarray
    """Shape (steps + 1,): $L = (a_n - y)^2$ at those weights."""


def chain_gradient_descent(x: float, weights: Real, y: float, lr: float, steps: int) -> DescentRun:
    r"""Plain gradient descent on every weight of the chain at once, ``steps`` times.

    $$ W_k \leftarrow W_k - \eta\, \frac{\partial L}{\partial W_k}, \qquad k = 1, \dots, n, $$

    with the gradients of :func:`chain_gradients`; the article's network is $n = 2$.
    """
    lr = non_negative("lr", lr)
    steps = positive_int("steps", steps, minimum=0)
    grads = chain_gradients(x, weights, y)  # checks x, weights and y
    w = np.array(weights, dtype=np.float64).reshape(grads.shape)
    history, losses = [w], []
    for _ in range(steps):
        w = w - lr * grads
        grads = chain_gradients(x, w, y)
        history.append(w)
    for row in history:
        a = float(x)
        for wk in row:
            a = float(sigmoid(wk * a))
        losses.append(float(squared_error(a, y)))
    return DescentRun(np.array(history), np.array(losses))


def chain_backward_product(h: Real, w: Real, depth: int) -> Real:
    r"""The backward factors of layers $2, \dots, n$ of a chain whose later layers share one weight.

    Layer 1 outputs $a_1 = h$ and every later layer has the weight $w$, so
    $a_j = \sigma(w\, a_{j-1})$ and the first layer's gradient carries

    $$ P_n(h, w) = \prod_{j=2}^{n} \sigma'(w\, a_{j-1})\, w $$

    (:func:`chain_gradients` with weights $[W_1, w, \dots, w]$ and $h = \sigma(W_1 x)$).
    ``h`` and ``w`` broadcast together; ``depth`` is $n \ge 2$.
    """
    h, w = real("h", h), real("w", w)
    same_shape(h=h, w=w)
    depth = positive_int("depth", depth, minimum=2, maximum=1000)
    a, product = np.asarray(h, dtype=np.float64), np.ones(np.broadcast(h, w).shape)
    for _ in range(depth - 1):
        z = w * a
        product = product * sigmoid_prime(z) * w
        a = sigmoid(z)
    return float(product) if np.ndim(product) == 0 else product


def max_chain_backward_product(depth: int, w_max: float, z_max: float) -> tuple[float, float, float]:
    r"""The largest $\lvert P_n(h, w)\rvert$ for $\lvert w\rvert \le w_{\max}$, $\lvert z\rvert \le z_{\max}$.

    Here $h = \sigma(z)$ and $z$ is the first layer's pre-activation $W_1 x$.
    $P_n$ is :func:`chain_backward_product`. The search evaluates $P_n$ on a grid of
    $(z, w)$ and zooms in on the best cell three times; returns $(\max, h^\ast, w^\ast)$.
    """
    depth = positive_int("depth", depth, minimum=2, maximum=1000)
    w_max, z_max = non_negative("w_max", w_max), non_negative("z_max", z_max)
    if w_max == 0.0:
        raise ValueError("w_max must be > 0, got 0.0")
    z_lo, z_hi, w_lo, w_hi = -z_max, z_max, -w_max, w_max
    for _ in range(4):
        z, w = np.linspace(z_lo, z_hi, 401), np.linspace(w_lo, w_hi, 401)
        values = np.abs(chain_backward_product(sigmoid(z)[:, None], w[None, :], depth))
        i, j = np.unravel_index(np.argmax(values), values.shape)
        dz, dw = z[1] - z[0], w[1] - w[0]
        z_lo, z_hi = max(-z_max, z[i] - 2 * dz), min(z_max, z[i] + 2 * dz)
        w_lo, w_hi = max(-w_max, w[j] - 2 * dw), min(w_max, w[j] + 2 * dw)
    return float(values[i, j]), float(sigmoid(z[i])), float(w[j])
