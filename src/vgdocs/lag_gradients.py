# How much gradient reaches the start of a sequence: the first-input task and what it measures.
r"""The gradient at the initial state against the lag, for the cells of :mod:`vgdocs.gated_cells`.

A target that only the first input decides (:func:`first_input_task`), the gradient of the
loss at every lag $T$ with respect to the initial state in one backward sweep
(:func:`initial_state_gradients`), the part of it that rides the LSTM's cell state alone
(:func:`cell_path_gradients`), and the per-step rate at which it decays (:func:`decay_rate`).
"""

from __future__ import annotations

import math

import numpy as np

from vgdocs._validate import generator, positive_int, real, sequence, state, step_list
from vgdocs.gated_cells import (
    Array,
    GRUParams,
    LSTMParams,
    LSTMStep,
    TanhRNNParams,
    _array,
    gru_forward,
    gru_step_backward,
    lstm_forward,
    lstm_step_backward,
    tanh_rnn_forward,
    tanh_rnn_step_backward,
)


def first_input_task(T: int, B: int, D: int, H: int, rng: np.random.Generator) -> tuple[Array, Array]:
    r"""Inputs $x_t \sim \mathcal N(0, I_D)$ for $t = 1..T$ and targets $y = \tanh(x_1 P)$, $P \sim \mathcal N(0, 1/D)$.

    The target depends on the first input only. Returns ``xs`` $(T, B, D)$ and ``y`` $(B, H)$.
    """
    T, B, D, H, rng = (positive_int("T", T), positive_int("B", B), positive_int("D", D),
                       positive_int("H", H), generator("rng", rng))
    P = rng.normal(0.0, 1.0 / math.sqrt(D), (D, H))
    xs = rng.normal(0.0, 1.0, (T, B, D))
    return xs, np.tanh(xs[0] @ P)


def initial_state_gradients(params: LSTMParams | GRUParams | TanhRNNParams, xs: Array,
                            y: Array) -> dict[str, Array]:
    r"""$\partial \ell_T / \partial h_0$ (and $\partial \ell_T/\partial c_0$ for an LSTM) for every length $T$.

    Sequence length $T$ uses the prefix $x_1..x_T$ of ``xs`` (from $h_0 = c_0 = 0$) and the loss
    $\ell_T = \tfrac12\lVert h_T - y\rVert^2$. Backward passes are linear in their cotangent and
    every prefix shares the same forward pass, so all $T_{\max}$ losses travel back in one sweep
    with a cotangent of shape $(T_{\max}, B, H)$: row $T - 1$ is injected at step $T$.

    Returns ``{"dh0": (T_max, B, H)}`` and, for an LSTM, also ``"dc0"``.
    """
    if not isinstance(params, LSTMParams | GRUParams | TanhRNNParams):
        raise ValueError(f"params must be LSTMParams, GRUParams or TanhRNNParams, got {type(params).__name__}")
    xs = sequence("xs", xs, params.D)
    Tmax, B = xs.shape[:2]
    H = params.H
    y = state("y", y, B, H)
    zero = np.zeros((B, H))
    dh = np.zeros((Tmax, B, H))
    if isinstance(params, LSTMParams):
        steps = lstm_forward(xs, zero, zero, params)
        dc = np.zeros((Tmax, B, H))
        for t in range(Tmax, 0, -1):
            s = steps[t - 1]
            dh[t - 1] = s.h - y
            _, dh[t - 1:], dc[t - 1:] = lstm_step_backward.unchecked(dh[t - 1:], dc[t - 1:], s, params)
        return {"dh0": dh, "dc0": dc}
    if isinstance(params, GRUParams):
        gsteps = gru_forward(xs, zero, params)
        for t in range(Tmax, 0, -1):
            s = gsteps[t - 1]
            dh[t - 1] = s.h - y
            dh[t - 1:] = gru_step_backward.unchecked(dh[t - 1:], s, params)[2]
        return {"dh0": dh}
    rsteps = tanh_rnn_forward(xs, zero, params)
    for t in range(Tmax, 0, -1):
        s = rsteps[t - 1]
        dh[t - 1] = s.h - y
        dh[t - 1:] = tanh_rnn_step_backward.unchecked(dh[t - 1:], s, params)[1]
    return {"dh0": dh}


def cell_path_gradients(steps: list[LSTMStep], y: Array) -> Array:
    r"""The part of $\partial \ell_T/\partial c_0$ that travels along the cell state alone, for every $T$.

    $$ \frac{\partial \ell_T}{\partial c_0}\Big|_{\text{cell path}}
       = \bigl(h_T - y\bigr) \odot o_T \odot \bigl(1 - \tanh^2 c_T\bigr) \odot \prod_{t=1}^{T} f_t $$

    (the loss reaches $c_T$ through $h_T = o_T \odot \tanh c_T$, then $c_T$ goes back to $c_0$
    through the forget gates only). Returns shape $(T_{\max}, B, H)$.
    """
    step_list(steps, LSTMStep, "lstm_forward")
    B, H = steps[0].h.shape
    y = state("y", y, B, H)
    h = np.stack([s.h for s in steps])
    o = np.stack([s.o for s in steps])
    c = np.stack([s.c for s in steps])
    f = np.stack([s.f for s in steps])
    return (h - y) * o * (1.0 - np.tanh(c) ** 2) * np.cumprod(f, axis=0)


def mean_gradient_norm(grads: Array) -> Array:
    r"""Batch mean of the per-sequence norm, $\frac1B \sum_b \lVert \bar s_{b} \rVert_2$, for each leading index.

    ``grads`` has shape $(T, B, H)$; the result has shape $(T,)$.
    """
    grads = _array("grads", grads, 3)
    return np.linalg.norm(grads, axis=-1).mean(axis=-1)


def decay_rate(values: Array, first: int, last: int) -> float:
    r"""Per-step factor $\rho$ of the least-squares fit $\log v_T \approx a + T \log \rho$, $T$ = ``first``..``last``.

    ``values[T - 1]`` is $v_T$; all of them must be positive.
    """
    values = _array("values", values, 1)
    first = positive_int("first", first)
    last = positive_int("last", last, minimum=first + 1, maximum=values.shape[0])
    v = values[first - 1:last]
    if np.any(v <= 0):
        raise ValueError("values must be positive to fit a decay rate")
    T = np.arange(first, last + 1, dtype=np.float64)
    slope = np.polyfit(T, np.log(v), 1)[0]
    return float(np.exp(slope))


def uniform_init_radius() -> float:
    r"""Circular-law radius of an $H \times H$ matrix with entries $\mathcal U(-1/\sqrt H, 1/\sqrt H)$.

    Each entry has variance $k^2/3 = 1/(3H)$, so the eigenvalues fill a disc of radius
    $\sqrt{H \cdot 1/(3H)} = 1/\sqrt 3$ as $H \to \infty$.
    """
    return 1.0 / math.sqrt(3.0)


def steps_to_fraction(f_bar: float, fraction: float) -> int:
    r"""Smallest $T$ with $\bar f^{\,T} \le$ ``fraction``: $T = \lceil \ln(\text{fraction}) / \ln \bar f \rceil$.

    ``f_bar`` must lie in $(0, 1)$ and ``fraction`` in $(0, 1)$.
    """
    f_bar, fraction = real("f_bar", f_bar), real("fraction", fraction)
    if isinstance(f_bar, np.ndarray) or not 0.0 < f_bar < 1.0:
        raise ValueError(f"f_bar must be a single number in (0, 1), got {f_bar!r}")
    if isinstance(fraction, np.ndarray) or not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be a single number in (0, 1), got {fraction!r}")
    T = math.ceil(math.log(fraction) / math.log(f_bar) - 1e-12)
    return max(T, 1)


def forget_bias_for_gain(gain: float, T: int) -> float:
    r"""Bias $b$ that makes $\sigma(b)^T$ equal ``gain`` (inputs off): $b = \operatorname{logit}(\text{gain}^{1/T})$."""
    gain = real("gain", gain)
    if isinstance(gain, np.ndarray) or not 0.0 < gain < 1.0:
        raise ValueError(f"gain must be a single number in (0, 1), got {gain!r}")
    T = positive_int("T", T)
    p = float(gain) ** (1.0 / T)
    return math.log(p / (1.0 - p))
