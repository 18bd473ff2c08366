# What the page "LSTM and GRU" shows: the first-input experiment for three cells, its numbers and figures.
"""The numbers and figures of ``docs/gated-cells.md``.

Every cell, loss and gradient comes from :mod:`vgdocs.gated_cells` and :mod:`vgdocs.lag_gradients`;
this file fixes the experiment's sizes and seed, keeps each cell's run, and registers what the
page quotes and draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from vgdocs._validate import positive_int
from vgdocs.activations import sigmoid
from vgdocs.gated_cells import (
    Array,
    GRUParams,
    LSTMParams,
    TanhRNNParams,
    constant_forget_gain,
    forget_path_gain,
    gru_forward,
    gru_parameter_count,
    init_gru,
    init_lstm,
    init_tanh_rnn,
    lstm_backward,
    lstm_forward,
    lstm_parameter_count,
    pytorch_init_bound,
    tanh_rnn_forward,
)
from vgdocs.lag_gradients import (
    cell_path_gradients,
    decay_rate,
    first_input_task,
    forget_bias_for_gain,
    initial_state_gradients,
    mean_gradient_norm,
    steps_to_fraction,
    uniform_init_radius,
)
from vgdocs.recurrence import spectral_radius
from vgsite import figure, number

# The experiment's settings.
SEED = 2014
WIDTH = 32
INPUTS = 4
BATCH = 16
T_MAX = 100
FORGET_BIASES = (0.0, 1.0, 3.0)
FIT_FROM = 20
"""The decay-rate fits use lags ``FIT_FROM``..``T_MAX``, after the first steps' transient."""
LAG = 50
"""The lag at which the page compares the cells."""


@dataclass(frozen=True)
class DecayRun:
    r"""One model on the first-input task: $\lVert \partial\ell_T/\partial s_0 \rVert$ for $T = 1..T_{\max}$.

    ``norms`` is the batch mean of the norm of the gradient with respect to the initial state
    ($c_0$ for an LSTM, $h_0$ otherwise); ``gates`` holds the forget gates $f_t$ (LSTM) or update
    gates $z_t$ (GRU), shape $(T_{\max}, B, H)$; ``cell_norms`` the cell-path part (LSTM only).
    """

    label: str
    norms: Array
    gates: Array | None = None
    cell_norms: Array | None = None

    def rate(self) -> float:
        """Fitted per-step factor of ``norms`` over lags ``FIT_FROM``..``T_MAX``."""
        return decay_rate(self.norms, FIT_FROM, T_MAX)

    def at(self, T: int) -> float:
        """``norms`` at lag ``T``."""
        T = positive_int("T", T, maximum=self.norms.shape[0])
        return float(self.norms[T - 1])


@lru_cache(maxsize=1)
def _task() -> tuple[Array, Array]:
    return first_input_task(T_MAX, BATCH, INPUTS, WIDTH, np.random.default_rng(SEED))


def _zero_state() -> Array:
    return np.zeros((BATCH, WIDTH))


@lru_cache(maxsize=8)
def lstm_decay_run(forget_bias: float) -> DecayRun:
    r"""LSTM with $b_f$ = ``forget_bias``: $\lVert\partial\ell_T/\partial c_0\rVert$, its gates $f_t$ and cell path."""
    xs, y = _task()
    p = init_lstm(INPUTS, WIDTH, np.random.default_rng(SEED + 1), forget_bias=forget_bias)
    norms = mean_gradient_norm(initial_state_gradients(p, xs, y)["dc0"])
    steps = lstm_forward(xs, _zero_state(), _zero_state(), p)
    f = np.stack([s.f for s in steps])
    return DecayRun(f"LSTM, $b_f = {forget_bias:g}$", norms, f, mean_gradient_norm(cell_path_gradients(steps, y)))


@lru_cache(maxsize=1)
def _gru_params() -> GRUParams:
    return init_gru(INPUTS, WIDTH, np.random.default_rng(SEED + 2))


@lru_cache(maxsize=1)
def gru_decay_run() -> DecayRun:
    r"""GRU (PyTorch init): $\lVert\partial\ell_T/\partial h_0\rVert$ and its update gates $z_t$."""
    xs, y = _task()
    p = _gru_params()
    norms = mean_gradient_norm(initial_state_gradients(p, xs, y)["dh0"])
    z = np.stack([s.z for s in gru_forward(xs, _zero_state(), p)])
    return DecayRun("GRU", norms, z)


@lru_cache(maxsize=1)
def _tanh_rnn_params() -> TanhRNNParams:
    return init_tanh_rnn(INPUTS, WIDTH, np.random.default_rng(SEED + 3))


@lru_cache(maxsize=1)
def tanh_rnn_decay_run() -> DecayRun:
    r"""The tanh RNN (PyTorch init): $\lVert\partial\ell_T/\partial h_0\rVert$."""
    xs, y = _task()
    norms = mean_gradient_norm(initial_state_gradients(_tanh_rnn_params(), xs, y)["dh0"])
    return DecayRun("tanh RNN", norms)


def tanh_rnn_mean_slope() -> float:
    r"""Mean of $\tanh'(a_t) = 1 - h_t^2$ over the tanh RNN's run on the first-input task."""
    xs, _ = _task()
    h = np.stack([s.h for s in tanh_rnn_forward(xs, _zero_state(), _tanh_rnn_params())])
    return float(np.mean(1.0 - h * h))


CLOSED_BIAS = 3.0
CLOSED_T = 50


def constant_forget_bptt(forget_bias: float, T: int, seed: int = SEED) -> Array:
    r"""$\partial c_T/\partial c_0$ computed by ``lstm_backward`` for an LSTM whose forget gate is constant.

    The forget rows of ``W_ih`` and all of ``W_hh`` are zero, so $f_t = \sigma(b_f)$ at every
    step and the cell path is the only way back to $c_0$; the loss $L = \sum c_T$ then gives
    $\partial L/\partial c_0 = \sigma(b_f)^T$ for every entry. Returns that gradient, shape $(B, H)$.
    """
    T = positive_int("T", T)
    rng = np.random.default_rng(seed)
    p = init_lstm(INPUTS, WIDTH, rng, forget_bias=forget_bias)
    W_ih = p.W_ih.copy()
    W_ih[WIDTH:2 * WIDTH] = 0.0
    p = LSTMParams(W_ih, np.zeros_like(p.W_hh), p.b)
    xs = rng.normal(0.0, 1.0, (T, BATCH, INPUTS))
    c0 = rng.normal(0.0, 1.0, (BATCH, WIDTH))
    steps = lstm_forward(xs, _zero_state(), c0, p)
    return lstm_backward(np.zeros((T, BATCH, WIDTH)), steps, p, dc_last=np.ones((BATCH, WIDTH))).dc0




number("gate_H", ".0f")(lambda: WIDTH)
number("gate_D", ".0f")(lambda: INPUTS)
number("gate_B", ".0f")(lambda: BATCH)
number("gate_Tmax", ".0f")(lambda: T_MAX)
number("gate_seed", ".0f")(lambda: SEED)
number("gate_lag", ".0f")(lambda: LAG)
number("gate_fit_from", ".0f")(lambda: FIT_FROM)
number("gate_init_k", ".3f")(lambda: pytorch_init_bound(WIDTH))


# Display formats per forget bias: tiny values in powers of ten, values near one as decimals.
_FORMATS = {
    "b0": {"pow": ".1e", "g": ".1e", "vs": ".0f"},
    "b1": {"pow": ".1e", "g": ".1e", "vs": ".1e"},
    "b3": {"pow": ".3f", "g": ".2f", "vs": ".1e"},
}


def _register_forget_bias(tag: str, bias: float) -> None:
    run = lambda: lstm_decay_run(bias)  # noqa: E731
    fmt = _FORMATS[tag]
    number(f"gate_bias_{tag}", ".0f")(lambda: bias)
    number(f"gate_fbar_{tag}", ".3f")(lambda: float(run().gates.mean()))
    number(f"gate_sigma_bias_{tag}", ".3f")(lambda: sigmoid(bias))
    number(f"gate_fbar_pow_{tag}", fmt["pow"])(lambda: float(run().gates.mean()) ** LAG)
    number(f"gate_fprod_{tag}", fmt["pow"])(lambda: float(forget_path_gain(run().gates[:LAG]).mean()))
    number(f"gate_rate_cell_{tag}", ".3f")(lambda: decay_rate(run().cell_norms, FIT_FROM, T_MAX))
    number(f"gate_rate_{tag}", ".3f")(lambda: run().rate())
    number(f"gate_g_{tag}", fmt["g"])(lambda: run().at(LAG))
    number(f"gate_vs_rnn_{tag}", fmt["vs"])(lambda: run().at(LAG) / tanh_rnn_decay_run().at(LAG))


for _tag, _bias in zip(("b0", "b1", "b3"), FORGET_BIASES, strict=True):
    _register_forget_bias(_tag, _bias)

number("gate_cell_rate_dev_pct", ".1f")(lambda: 100 * max(
    abs(decay_rate(lstm_decay_run(b).cell_norms, FIT_FROM, T_MAX) / float(lstm_decay_run(b).gates.mean()) - 1)
    for b in FORGET_BIASES))
number("gate_zbar", ".3f")(lambda: float(gru_decay_run().gates.mean()))
number("gate_rate_gru", ".3f")(lambda: gru_decay_run().rate())
number("gate_gru_vs_rnn", ".1f")(lambda: gru_decay_run().at(LAG) / tanh_rnn_decay_run().at(LAG))
number("gate_rate_rnn", ".3f")(lambda: tanh_rnn_decay_run().rate())
number("gate_g_rnn", ".1e")(lambda: tanh_rnn_decay_run().at(LAG))
number("gate_rnn_radius", ".3f")(lambda: spectral_radius(_tanh_rnn_params().W_hh))
number("gate_rnn_radius_theory", ".3f")(uniform_init_radius)
number("gate_rnn_tanh_prime", ".3f")(tanh_rnn_mean_slope)
number("gate_rnn_rate_pred", ".3f")(lambda: spectral_radius(_tanh_rnn_params().W_hh) * tanh_rnn_mean_slope())

number("gate_closed_bias", ".0f")(lambda: CLOSED_BIAS)
number("gate_closed_T", ".0f")(lambda: CLOSED_T)
number("gate_closed_fbar", ".4f")(lambda: sigmoid(CLOSED_BIAS))
number("gate_closed_formula", ".6f")(lambda: constant_forget_gain(sigmoid(CLOSED_BIAS), CLOSED_T))
number("gate_closed_bptt_max", ".6f")(lambda: float(constant_forget_bptt(CLOSED_BIAS, CLOSED_T).max()))
number("gate_closed_bptt_dev", ".0e")(
    lambda: float(np.max(np.abs(constant_forget_bptt(CLOSED_BIAS, CLOSED_T)
                                / constant_forget_gain(sigmoid(CLOSED_BIAS), CLOSED_T) - 1.0))))

# Exercises.
EX_FRACTION = 0.01
EX_GAIN = 0.5
EX_GAIN_T = 100
number("gate_ex1_pct", ".0f")(lambda: 100 * EX_FRACTION)
for _tag, _bias in zip(("b0", "b1", "b3"), FORGET_BIASES, strict=True):
    number(f"gate_ex1_{_tag}", ".0f")(lambda b=_bias: steps_to_fraction(sigmoid(b), EX_FRACTION))
number("gate_ex2_T", ".0f")(lambda: EX_GAIN_T)
number("gate_ex2_bias", ".2f")(lambda: forget_bias_for_gain(EX_GAIN, EX_GAIN_T))
number("gate_ex2_f", ".4f")(lambda: EX_GAIN ** (1.0 / EX_GAIN_T))
number("gate_ex3_lstm", ",.0f")(lambda: lstm_parameter_count(INPUTS, WIDTH))
number("gate_ex3_gru", ",.0f")(lambda: gru_parameter_count(INPUTS, WIDTH))
number("gate_ex3_ratio", ".2f")(lambda: gru_parameter_count(INPUTS, WIDTH) / lstm_parameter_count(INPUTS, WIDTH))
number("gate_ex4_ratio", ".1e")(lambda: lstm_decay_run(3.0).at(LAG) / lstm_decay_run(0.0).at(LAG))


def cell_path_share(run: DecayRun, T: int) -> float:
    r"""How many times the total gradient at $c_0$ exceeds its cell-path part, at lag $T$."""
    if run.cell_norms is None:
        raise ValueError(f"run must be an LSTM run with a cell path, got {run.label!r}")
    T = positive_int("T", T, maximum=run.norms.shape[0])
    return float(run.norms[T - 1] / run.cell_norms[T - 1])


number("gate_ex4_cell_ratio", ".1e")(
    lambda: float(lstm_decay_run(3.0).cell_norms[LAG - 1] / lstm_decay_run(0.0).cell_norms[LAG - 1]))
number("gate_ex4_fprod_ratio", ".1e")(
    lambda: float(forget_path_gain(lstm_decay_run(3.0).gates[:LAG]).mean()
                  / forget_path_gain(lstm_decay_run(0.0).gates[:LAG]).mean()))
number("gate_ex4_share_b0", ".1e")(lambda: cell_path_share(lstm_decay_run(0.0), LAG))
number("gate_ex4_share_b3", ".0f")(lambda: cell_path_share(lstm_decay_run(3.0), LAG))


def _lags() -> Array:
    return np.arange(1, T_MAX + 1)


@figure("gate-lag", size=(6.4, 3.8))
def draw_gate_lag(fig, theme) -> None:
    """Figure 1: gradient at the initial state against the lag T, for the three cells."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    T = _lags()
    series = [
        (tanh_rnn_decay_run(), r"tanh RNN, $\|\partial\ell_T/\partial h_0\|$", c[1]),
        (gru_decay_run(), r"GRU, $\|\partial\ell_T/\partial h_0\|$", c[2]),
        (lstm_decay_run(0.0), r"LSTM $b_f = 0$, $\|\partial\ell_T/\partial c_0\|$", c[3]),
        (lstm_decay_run(1.0), r"LSTM $b_f = 1$, $\|\partial\ell_T/\partial c_0\|$", c[0]),
    ]
    for run, label, colour in series:
        ax.plot(T, run.norms, color=colour, label=label)
    ax.axvline(LAG, color=theme["muted"], linestyle=(0, (4, 3)), linewidth=1.0)
    ax.text(LAG + 1, 1e-1, f"$T = {LAG}$", color=theme["muted"], fontsize=9)
    ax.set_yscale("log")
    ax.set_xlim(1, T_MAX)
    ax.set_xlabel("lag $T$ between the first input and the loss (time steps)")
    ax.set_ylabel("gradient norm at the initial state\n(dimensionless, batch mean)")
    ax.legend(loc="lower left", fontsize=9)


@figure("gate-forget-bias", size=(6.4, 3.8))
def draw_gate_forget_bias(fig, theme) -> None:
    """Figure 2: LSTM gradient at c_0 for three forget-gate biases, total and along the cell path only."""
    from matplotlib.lines import Line2D

    ax = fig.add_subplot()
    c = theme["cycle"]
    T = _lags()
    handles = []
    for bias, colour in zip(FORGET_BIASES, (c[3], c[0], c[4]), strict=True):
        run = lstm_decay_run(bias)
        ax.plot(T, run.norms, color=colour)
        ax.plot(T, run.cell_norms, color=colour, linestyle=(0, (4, 2)), linewidth=1.6)
        handles.append(Line2D([], [], color=colour,
                              label=rf"$b_f = {bias:g}$ (mean $f = {float(run.gates.mean()):.2f}$)"))
    handles.append(Line2D([], [], color=theme["fg"], label="total gradient"))
    handles.append(Line2D([], [], color=theme["fg"], linestyle=(0, (4, 2)), linewidth=1.6,
                          label="cell path only"))
    ax.set_yscale("log")
    ax.set_xlim(1, T_MAX)
    ax.set_xlabel("lag $T$ between the first input and the loss (time steps)")
    ax.set_ylabel(r"$\|\partial\ell_T/\partial c_0\|$" "\n(dimensionless, batch mean)")
    ax.legend(handles=handles, loc="lower left", fontsize=9, ncol=2)
