# Public API: the math behind every formula on the vgdocs site.
"""vgdocs: the vanishing-gradient problem as small, tested functions.

Every formula on the site is one of these functions; every number on the site is computed
with them when the site is built. The article's functions (activations and the worked example)
are re-exported here; each later page's functions live in the module named after its idea,
e.g. ``vgdocs.recurrence.bptt`` or ``vgdocs.gated_cells.lstm_forward``. The package is the
math only: which sizes and seeds a page uses, and how its figures are drawn, live beside the
page in ``docs/<page>.py``.
"""

from vgdocs import (
    deep_stacks,
    exploding,
    gated_cells,
    initialisation,
    isometry,
    lag_gradients,
    layer_norm_placement,
    mean_field,
    rectifiers,
    recurrence,
    residual,
    residual_scaling,
)
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
    DescentRun,
    ForwardPass,
    chain_gradient_descent,
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
    "DescentRun",
    "ForwardPass",
    "chain_gradient_descent",
    "chain_gradients",
    "deep_stacks",
    "dh_dW1",
    "dy_hat_dW2",
    "dy_hat_dh",
    "exploding",
    "forward",
    "gated_cells",
    "grad_W1",
    "grad_W2",
    "gradient_descent_step",
    "initialisation",
    "isometry",
    "lag_gradients",
    "layer_norm_placement",
    "leaky_relu",
    "leaky_relu_prime",
    "mean_field",
    "pre_activation",
    "pre_activation_grad_input",
    "pre_activation_grad_weight",
    "rectifiers",
    "recurrence",
    "relu",
    "relu_prime",
    "residual",
    "residual_scaling",
    "sigmoid",
    "sigmoid_prime",
    "squared_error",
    "squared_error_prime",
    "tanh",
    "tanh_prime",
]
