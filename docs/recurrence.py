# What the page "Backpropagation through time" shows: its experiment's settings, the numbers it quotes, its figures.
"""The numbers and figures of ``docs/recurrence.md``, computed with :mod:`vgdocs.recurrence`."""

from __future__ import annotations

import math

import numpy as np

from vgdocs._validate import positive_int
from vgdocs.activations import SIGMOID_PRIME_MAX, TANH_PRIME_MAX, tanh_prime
from vgdocs.recurrence import (
    RNNTrace,
    bptt,
    bptt_step_contributions,
    cosine_similarity,
    final_state_loss_grad,
    hidden_jacobian_norms,
    hidden_jacobian_product,
    matrix_power_norm,
    pascanu_bound,
    rnn_forward,
    scaled_gaussian,
    scaled_orthogonal,
    spectral_norm,
    spectral_radius,
    steps_below,
    triangular_power,
    truncated_bptt,
    vanishing_threshold,
)
from vgsite import figure, number

N_UNITS = 64
N_INPUTS = 8
INPUT_SCALE = 0.1
GAINS = (0.5, 0.9, 1.0, 1.5, 3.0)
T_MAX = 100
T_BOUND = 50
GAIN_BOUND = 0.9
SEED = 0
JORDAN_C = 0.9
JORDAN_U = 10.0
JORDAN_K = 5
TBPTT_T = 50
TBPTT_K2 = 10


def rnn_experiment(gain: float, T: int, seed: int = SEED, *, gaussian: bool = False) -> tuple[RNNTrace, np.ndarray]:
    r"""The page's experiment: the trace of a 64-unit tanh RNN and its $W_{hh}$, for a given gain.

    $W_{hh}$ is ``gain`` times a random orthogonal matrix (or, with ``gaussian=True``, a Gaussian
    matrix rescaled to spectral norm ``gain``); $W_{xh}$ has entries of size about 0.1, $b = 0$,
    $h_0$ and the inputs are standard Gaussian.
    """
    T = positive_int("T", T)
    seed = positive_int("seed", seed, minimum=0)
    W_hh = scaled_gaussian(N_UNITS, gain, seed) if gaussian else scaled_orthogonal(N_UNITS, gain, seed)
    rng = np.random.default_rng(seed + 1000)
    W_xh = rng.standard_normal((N_UNITS, N_INPUTS)) * (INPUT_SCALE / math.sqrt(N_INPUTS))
    b = np.zeros(N_UNITS)
    h0 = rng.standard_normal(N_UNITS)
    xs = rng.standard_normal((T, N_INPUTS))
    return rnn_forward(h0, xs, W_hh, W_xh, b), W_hh


def _jacobian_norm_at(T: int, gain: float, *, gaussian: bool = False) -> float:
    trace, W = rnn_experiment(gain, T, gaussian=gaussian)
    return spectral_norm(hidden_jacobian_product(trace, W))


def _final_loss_grads(gain: float, T: int) -> tuple[RNNTrace, np.ndarray, np.ndarray]:
    trace, W = rnn_experiment(gain, T)
    dL = np.zeros((T, N_UNITS))
    dL[-1] = final_state_loss_grad(trace.h[-1], np.zeros(N_UNITS))  # target 0: L = |h_T|^2 / 2
    return trace, W, dL


def truncation_kept(gain: float, T: int = TBPTT_T, k2: int = TBPTT_K2) -> tuple[float, float]:
    r"""How much of the full gradient truncation keeps, in the page's experiment with a loss on $h_T$.

    Returns the cosine between the truncated and the full $\partial L / \partial W_{hh}$ and the
    ratio of their Frobenius norms.
    """
    trace, W, dL = _final_loss_grads(gain, T)
    full = bptt(trace, W, dL).W_hh
    trunc = truncated_bptt(trace, W, dL, k1=1, k2=k2).W_hh
    return cosine_similarity(trunc, full), float(np.linalg.norm(trunc) / np.linalg.norm(full))


def _jordan() -> np.ndarray:
    return np.array([[JORDAN_C, JORDAN_U], [0.0, JORDAN_C]])


def _jordan_norms(k_max: int = 100) -> np.ndarray:
    A = _jordan()
    return np.array([matrix_power_norm(A, k) for k in range(k_max + 1)])


number("rnn_units", ".0f")(lambda: N_UNITS)
number("rnn_inputs", ".0f")(lambda: N_INPUTS)
number("rnn_input_scale", ".1f")(lambda: INPUT_SCALE)
number("rnn_T_bound", ".0f")(lambda: T_BOUND)
number("rnn_gain_bound", ".1f")(lambda: GAIN_BOUND)
number("rnn_bound_50", ".1e")(lambda: pascanu_bound(GAIN_BOUND, TANH_PRIME_MAX, T_BOUND))
number("rnn_measured_50", ".1e")(lambda: _jacobian_norm_at(T_BOUND, GAIN_BOUND))
number("rnn_measured_50_ratio", ".1f")(
    lambda: _jacobian_norm_at(T_BOUND, GAIN_BOUND) / pascanu_bound(GAIN_BOUND, TANH_PRIME_MAX, T_BOUND))
number("rnn_mean_factor", ".3f")(
    lambda: (_jacobian_norm_at(T_BOUND, GAIN_BOUND) / pascanu_bound(GAIN_BOUND, TANH_PRIME_MAX, T_BOUND))
    ** (1.0 / T_BOUND))
number("rnn_g05", ".1f")(lambda: GAINS[0])
number("rnn_g15", ".1f")(lambda: GAINS[3])
number("rnn_g3", ".0f")(lambda: GAINS[4])
number("rnn_T_max", ".0f")(lambda: T_MAX)
number("rnn_gaussian_50", ".1e")(lambda: _jacobian_norm_at(T_BOUND, GAIN_BOUND, gaussian=True))
number("rnn_gaussian_radius", ".2f")(lambda: spectral_radius(scaled_gaussian(N_UNITS, GAIN_BOUND, SEED)))
number("rnn_gaussian_radius_pow", ".1e")(lambda: spectral_radius(scaled_gaussian(N_UNITS, GAIN_BOUND, SEED)) ** T_BOUND)
SATURATED_SLOPE = 0.1
"""A unit counts as saturated at a step where its slope $\tanh'(a)$ is below this."""
number("rnn_saturated_slope", ".1f")(lambda: SATURATED_SLOPE)
number("rnn_gain_3_saturated_pct", ".0f")(
    lambda: 100 * float(np.mean(tanh_prime(rnn_experiment(3.0, T_MAX)[0].a) < SATURATED_SLOPE)))
number("rnn_threshold_tanh", ".0f")(lambda: vanishing_threshold(TANH_PRIME_MAX))
number("rnn_threshold_sigmoid", ".0f")(lambda: vanishing_threshold(SIGMOID_PRIME_MAX))
number("rnn_gain_3_at_100", ".1e")(lambda: _jacobian_norm_at(T_MAX, 3.0))
number("rnn_gain_1_at_100", ".1e")(lambda: _jacobian_norm_at(T_MAX, 1.0))
number("rnn_jordan_c", ".1f")(lambda: JORDAN_C)
number("rnn_jordan_u", ".0f")(lambda: JORDAN_U)
number("rnn_jordan_k", ".0f")(lambda: JORDAN_K)
number("rnn_jordan_rho", ".1f")(lambda: spectral_radius(_jordan()))
number("rnn_jordan_rho_k", ".2f")(lambda: spectral_radius(_jordan()) ** JORDAN_K)
number("rnn_jordan_norm_k", ".1f")(lambda: matrix_power_norm(_jordan(), JORDAN_K))
number("rnn_jordan_offdiag_k", ".1f")(lambda: triangular_power(JORDAN_C, JORDAN_U, JORDAN_K)[0, 1])
number("rnn_jordan_peak_k", ".0f")(lambda: float(np.argmax(_jordan_norms())))
number("rnn_jordan_peak", ".1f")(lambda: float(np.max(_jordan_norms())))
number("rnn_jordan_below_1", ".0f")(lambda: float(np.argmax((_jordan_norms() < 1.0) & (np.arange(101) > 0))))
number("rnn_jordan_peak_cont", ".2f")(lambda: -1.0 / math.log(JORDAN_C))
number("rnn_tbptt_T", ".0f")(lambda: TBPTT_T)
number("rnn_tbptt_k2", ".0f")(lambda: TBPTT_K2)
number("rnn_tbptt_cos_09", ".4f")(lambda: truncation_kept(0.9)[0])
number("rnn_tbptt_ratio_09", ".4f")(lambda: truncation_kept(0.9)[1])
number("rnn_tbptt_cos_15", ".2f")(lambda: truncation_kept(1.5)[0])
number("rnn_tbptt_ratio_15", ".2f")(lambda: truncation_kept(1.5)[1])


# Exercises.
EX_SIGMOID_NORM = 2.0
EX_SIGMOID_T = 20
EX_TOL = 1e-6


number("rnn_ex_sigmoid_norm", ".0f")(lambda: EX_SIGMOID_NORM)
number("rnn_ex_sigmoid_T", ".0f")(lambda: EX_SIGMOID_T)
number("rnn_ex_sigmoid_bound", ".1e")(lambda: pascanu_bound(EX_SIGMOID_NORM, SIGMOID_PRIME_MAX, EX_SIGMOID_T))
number("rnn_ex_sigmoid_tanh_bound", ",.0f")(lambda: pascanu_bound(EX_SIGMOID_NORM, TANH_PRIME_MAX, EX_SIGMOID_T))
number("rnn_ex_tol", ".0e")(lambda: EX_TOL)
number("rnn_ex_steps", ".0f")(lambda: steps_below(GAIN_BOUND, TANH_PRIME_MAX, EX_TOL))
number("rnn_ex_tbptt_cos_10", ".3f")(lambda: truncation_kept(1.0)[0])
number("rnn_ex_tbptt_ratio_10", ".3f")(lambda: truncation_kept(1.0)[1])


@figure("rnn-jacobian-norms", size=(6.4, 3.8))
def draw_jacobian_norms(fig, theme) -> None:
    """||dh_T/dh_0||_2 against T for several gains of W_hh, with the bound 0.9^T."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    T = np.arange(1, T_MAX + 1)
    for colour, gain in zip(c, GAINS, strict=False):
        trace, W = rnn_experiment(gain, T_MAX)
        ax.plot(T, hidden_jacobian_norms(trace, W), color=colour,
                label=rf"$\Vert W_{{hh}} \Vert_2 = {gain:g}$")
    ax.plot(T, pascanu_bound(GAIN_BOUND, TANH_PRIME_MAX, 1) ** T, color=c[1], linestyle=(0, (4, 3)),
            linewidth=1.2, label=rf"bound ${GAIN_BOUND:g}^T$")
    ax.axhline(1.0, color=theme["muted"], linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xlim(0, T_MAX)
    ax.set_ylim(1e-30, 1e16)
    ax.set_xlabel("time steps $T$ (dimensionless)")
    ax.set_ylabel(r"$\Vert \partial h_T / \partial h_0 \Vert_2$ (dimensionless)")
    ax.legend(loc="lower left", ncol=2, fontsize=9)


@figure("rnn-power-norms", size=(6.4, 3.4))
def draw_power_norms(fig, theme) -> None:
    """||A^k||_2 against the spectral radius rho^k for the triangular matrix A."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    k = np.arange(0, 101)
    ax.plot(k, _jordan_norms(100), color=c[0], label=r"$\Vert A^k \Vert_2$")
    ax.plot(k, spectral_radius(_jordan()) ** k, color=c[1], linestyle=(0, (4, 3)),
            label=r"$\rho(A)^k$")
    ax.axhline(1.0, color=theme["muted"], linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xlim(0, 100)
    ax.set_xlabel("power $k$ (dimensionless)")
    ax.set_ylabel("norm (dimensionless)")
    ax.legend(loc="lower left")


@figure("rnn-contributions", size=(6.4, 3.4))
def draw_contributions(fig, theme) -> None:
    """Norm of each time step's term in dL/dW_hh against its lag, with the truncation window shaded."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    lags = np.arange(TBPTT_T)
    ax.axvspan(-0.5, TBPTT_K2 - 0.5, color=theme["grid"], alpha=0.6, linewidth=0,
               label=f"kept by truncation, $k_2 = {TBPTT_K2}$")
    for gain in (0.9, 1.0, 1.5):
        trace, W, dL = _final_loss_grads(gain, TBPTT_T)
        ax.plot(lags, bptt_step_contributions(trace, W, dL), color=c[GAINS.index(gain)], marker="o", markersize=3,
                label=rf"$\Vert W_{{hh}} \Vert_2 = {gain:g}$")
    ax.set_yscale("log")
    ax.set_xlim(-0.5, TBPTT_T - 0.5)
    ax.set_xlabel("lag $T - t$ of the step (time steps)")
    ax.set_ylabel(r"$\Vert g_t\, h_{t-1}^{\top} \Vert_F$ (dimensionless)")
    ax.legend(loc="lower left", fontsize=9)
