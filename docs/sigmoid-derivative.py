# What the page "The sigmoid's derivative" shows: the values it quotes and the plot of sigma and sigma'.
"""The numbers and figures of ``docs/sigmoid-derivative.md``, computed with :mod:`vgdocs.activations`."""

from __future__ import annotations

import numpy as np

from vgdocs.activations import SIGMOID_PRIME_MAX, sigmoid, sigmoid_prime
from vgsite import figure, number

number("sigma_prime_max", ".2f")(lambda: sigmoid_prime(0.0))
number("sigma_at_0", ".1f")(lambda: sigmoid(0.0))
number("sigma_prime_at_2", ".3f")(lambda: sigmoid_prime(2.0))
number("sigma_prime_at_5", ".4f")(lambda: sigmoid_prime(5.0))
number("sigma_prime_2_ratio", ".1f")(lambda: SIGMOID_PRIME_MAX / sigmoid_prime(2.0))
number("sigma_prime_5_ratio", ".0f")(lambda: SIGMOID_PRIME_MAX / sigmoid_prime(5.0))


@figure("sigmoid", size=(6.4, 3.4))
def draw_sigmoid(fig, theme) -> None:
    """The sigmoid and its derivative on [-6, 6], with the bound 1/4 marked."""
    z = np.linspace(-6.0, 6.0, 601)
    ax = fig.add_subplot()
    c = theme["cycle"]
    ax.plot(z, sigmoid(z), color=c[0], label=r"$\sigma(z)$")
    ax.plot(z, sigmoid_prime(z), color=c[1], label=r"$\sigma'(z) = \sigma(z)\,(1-\sigma(z))$")
    ax.axhline(SIGMOID_PRIME_MAX, color=theme["muted"], linestyle=(0, (4, 3)), linewidth=1.2)
    ax.annotate(r"maximum $\sigma'(0) = 1/4$", xy=(0, SIGMOID_PRIME_MAX), xytext=(1.2, 0.40),
                color=theme["fg"], arrowprops={"arrowstyle": "->", "color": theme["fg"]})
    ax.scatter([0], [SIGMOID_PRIME_MAX], color=c[1], zorder=3, s=28)
    ax.set_xlabel("pre-activation $z$ (dimensionless)")
    ax.set_ylabel("value (dimensionless)")
    ax.set_xlim(-6, 6)
    ax.set_ylim(-0.02, 1.05)
    ax.legend(loc="center left", bbox_to_anchor=(0.0, 0.62))
