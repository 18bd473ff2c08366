# What the page "The vanishing gradient" shows: the example's inputs, every number it quotes, the network diagram.
"""The numbers and figures of ``docs/article.md``, computed with :mod:`vgdocs.worked_example`."""

from __future__ import annotations

import numpy as np

from vgdocs.activations import SIGMOID_PRIME_MAX, sigmoid_prime
from vgdocs.worked_example import (
    ForwardPass,
    chain_gradients,
    dh_dW1,
    dy_hat_dh,
    dy_hat_dW2,
    forward,
    grad_W1,
    grad_W2,
    gradient_descent_step,
    max_chain_backward_product,
    squared_error,
    squared_error_prime,
)
from vgsite import figure, number

# The worked example's inputs, those of the source article.
X = 1.0
W1 = 0.5
W2 = 0.5
Y = 1.0
LEARNING_RATE = 0.1
"""The learning rate $\\eta$ of the article's update step."""


def _fp() -> ForwardPass:
    return forward(X, W1, W2)


number("x", ".0f")(lambda: X)
number("W1", ".1f")(lambda: W1)
number("W2", ".1f")(lambda: W2)
number("y", ".0f")(lambda: Y)
number("lr", ".1f")(lambda: LEARNING_RATE)
number("z1")(lambda: _fp().z1)
number("h")(lambda: _fp().h)
number("z2")(lambda: _fp().z2)
number("y_hat")(lambda: _fp().y_hat)
number("loss")(lambda: squared_error(_fp().y_hat, Y))
number("dL_dy_hat")(lambda: squared_error_prime(_fp().y_hat, Y))
number("sigma_prime_z2")(lambda: sigmoid_prime(_fp().z2))
number("dy_hat_dh")(lambda: dy_hat_dh(_fp().h, W2))
number("sigma_prime_z1")(lambda: sigmoid_prime(_fp().z1))
number("dh_dW1")(lambda: dh_dW1(X, W1))
number("dy_hat_dW2")(lambda: dy_hat_dW2(_fp().h, W2))
number("dL_dW1")(lambda: grad_W1(X, W1, W2, Y))
number("dL_dW2")(lambda: grad_W2(X, W1, W2, Y))
number("grad_ratio", ".1f")(lambda: grad_W2(X, W1, W2, Y) / grad_W1(X, W1, W2, Y))
number("W1_new", ".4f")(lambda: gradient_descent_step(W1, grad_W1(X, W1, W2, Y), LEARNING_RATE))
number("W2_new", ".4f")(lambda: gradient_descent_step(W2, grad_W2(X, W1, W2, Y), LEARNING_RATE))
number("W1_step", ".4f")(lambda: -LEARNING_RATE * grad_W1(X, W1, W2, Y))
number("W2_step", ".4f")(lambda: -LEARNING_RATE * grad_W2(X, W1, W2, Y))
number("W1_step_pct", ".2f")(lambda: -100 * LEARNING_RATE * grad_W1(X, W1, W2, Y) / W1)
number("W2_step_pct", ".2f")(lambda: -100 * LEARNING_RATE * grad_W2(X, W1, W2, Y) / W2)

# The interactive widget's depth view: layer 1 keeps W1, every further sigmoid layer uses W2.
WIDGET_DEPTH = 10
"""How many one-weight sigmoid layers the article's interactive depth view starts with."""


def _widget_chain() -> np.ndarray:
    return chain_gradients(X, [W1] + [W2] * (WIDGET_DEPTH - 1), Y)


WIDGET_W_MAX = 5.0
"""The largest weight, in size, that the panel accepts (its inputs' ``min``/``max``)."""
WIDGET_X_MAX = 5.0
r"""The largest input, in size, that the panel accepts: $\lvert W_1 x\rvert \le 25$."""


def _widget_max_product(depth: int) -> float:
    return max_chain_backward_product(depth, WIDGET_W_MAX, WIDGET_W_MAX * WIDGET_X_MAX)[0]


number("we_depth", ".0f")(lambda: WIDGET_DEPTH)
number("we_w_max", ".0f")(lambda: WIDGET_W_MAX)
number("we_max_product_2", ".2f")(lambda: _widget_max_product(2))
number("we_max_product_3", ".2f")(lambda: _widget_max_product(3))
number("we_max_product_10", ".2f")(lambda: _widget_max_product(10))
# Neighbouring layers' gradients in a longer chain: the page's weights, and W = 2 throughout.
number("we_gap_step", ".1f")(lambda: _widget_chain()[-1] / _widget_chain()[-2])
number("we_gap_step_w2", ".1f")(lambda: (lambda g: g[-1] / g[-2])(chain_gradients(X, [2.0] * 6, Y)))
# The two factors of dL/dW1 that carry a sigmoid slope, against the slope's bound 1/4.
number("dy_hat_dh_pct", ".0f")(lambda: 100 * abs(dy_hat_dh(_fp().h, W2)) / SIGMOID_PRIME_MAX)
number("dh_dW1_pct", ".0f")(lambda: 100 * abs(dh_dW1(X, W1)) / SIGMOID_PRIME_MAX)
number("two_factor_product", ".3f")(lambda: dy_hat_dh(_fp().h, W2) * dh_dW1(X, W1))
number("two_factor_shrink", ".0f")(lambda: 1.0 / (dy_hat_dh(_fp().h, W2) * dh_dW1(X, W1)))
number("we_depth_dL_dW1", ".2e")(lambda: _widget_chain()[0])
number("we_depth_dL_dWn", ".2e")(lambda: _widget_chain()[-1])


@figure("network", size=(6.4, 1.9))
def draw_network(fig, theme) -> None:
    """The two-layer network of the worked example as a left-to-right graph."""
    from matplotlib.patches import Circle, FancyArrowPatch

    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(-0.6, 9.6)
    ax.set_ylim(-1.2, 1.35)
    ax.set_aspect("equal")
    fp = _fp()
    pal = theme["palette"]
    # Given values (input, target) in green, computed ones in the scheme's first series colour:
    # both stand out from the page by at least 3:1 in either scheme (sky and orange did not on white).
    given, computed = theme["cycle"][2], theme["cycle"][0]
    nodes = [
        (0.0, "$x$", f"{X:g}", given),
        (3.0, "$h$", f"{fp.h:.3f}", computed),
        (6.0, r"$\hat y$", f"{fp.y_hat:.3f}", computed),
        (9.0, "$y$", f"{Y:g}", given),
    ]
    for cx, label, value, colour in nodes:
        ax.add_patch(Circle((cx, 0), 0.55, facecolor="none", edgecolor=colour, linewidth=2.2))
        ax.text(cx, 0.08, label, ha="center", va="center", fontsize=15, color=theme["fg"])
        ax.text(cx, -0.85, value, ha="center", va="center", fontsize=10.5, color=theme["fg"])
    edges = [
        (0.0, 3.0, rf"$W_1 = {W1:g}$" "\n" r"$\sigma(W_1 x)$"),
        (3.0, 6.0, rf"$W_2 = {W2:g}$" "\n" r"$\sigma(W_2 h)$"),
    ]
    for x0, x1, label in edges:
        ax.add_patch(
            FancyArrowPatch((x0 + 0.6, 0), (x1 - 0.6, 0), arrowstyle="-|>", mutation_scale=16,
                            color=theme["fg"], linewidth=1.6)
        )
        ax.text((x0 + x1) / 2, 0.55, label, ha="center", va="bottom", fontsize=10.5,
                color=theme["fg"], linespacing=1.5)
    ax.add_patch(
        FancyArrowPatch((6.6, 0), (8.4, 0), arrowstyle="<|-|>", mutation_scale=14,
                        color=pal["vermillion"], linewidth=1.4, linestyle=(0, (4, 3)))
    )
    ax.text(7.5, 0.55, r"$L = (\hat y - y)^2$", ha="center", va="bottom", fontsize=10.5,
            color=theme["fg"])
    ax.text(1.5, -0.85, "input → hidden", ha="center", va="center", fontsize=9,
            color=theme["muted"])
    ax.text(4.5, -0.85, "hidden → output", ha="center", va="center", fontsize=9,
            color=theme["muted"])


number("quarter_pow_10", ".1e")(lambda: SIGMOID_PRIME_MAX**10)
