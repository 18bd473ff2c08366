# Public API: the math behind every formula on the vgdocs site.
"""vgdocs: the vanishing-gradient problem as small, tested functions.

Every formula on the site is one of these functions; every number on the site is computed
by them when the site is built.
"""

from vgdocs.activations import (
    SIGMOID_PRIME_MAX,
    TANH_PRIME_MAX,
    leaky_relu,
    leaky_relu_prime,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    tanh,
    tanh_prime,
)
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
    pre_activation,
    pre_activation_grad_input,
    pre_activation_grad_weight,
    squared_error,
    squared_error_prime,
)

__all__ = [
    "SIGMOID_PRIME_MAX",
    "TANH_PRIME_MAX",
    "ForwardPass",
    "chain_gradients",
    "dh_dW1",
    "dy_hat_dW2",
    "dy_hat_dh",
    "forward",
    "grad_W1",
    "grad_W2",
    "gradient_descent_step",
    "leaky_relu",
    "leaky_relu_prime",
    "pre_activation",
    "pre_activation_grad_input",
    "pre_activation_grad_weight",
    "relu",
    "relu_prime",
    "sigmoid",
    "sigmoid_prime",
    "squared_error",
    "squared_error_prime",
    "tanh",
    "tanh_prime",
]
