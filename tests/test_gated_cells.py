# LSTM, GRU and tanh-RNN forward passes, hand-written BPTT and the gradient-decay experiment, checked independently.
"""Tests for vgdocs.gated_cells.

Forward passes are checked against a unit-by-unit reference written here from PyTorch's
documented equations; every backward pass against central finite differences of the forward
pass; the cell-path result against the closed form f^T; the exercise answers against closed
forms worked out with ``math``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vgdocs.gated_cells import (
    GRUParams,
    LSTMParams,
    TanhRNNParams,
    constant_forget_gain,
    first_input_loss,
    first_input_loss_grad,
    forget_path_gain,
    gru_backward,
    gru_forward,
    gru_parameter_count,
    gru_step,
    gru_step_backward,
    init_gru,
    init_lstm,
    init_tanh_rnn,
    lstm_backward,
    lstm_forward,
    lstm_parameter_count,
    lstm_step,
    lstm_step_backward,
    pytorch_init_bound,
    tanh_rnn_backward,
    tanh_rnn_forward,
    tanh_rnn_step,
    tanh_rnn_step_backward,
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
from vgsite import page
from vgsite.registry import NUMBERS

# What the page "LSTM and GRU" runs: its sizes, seed and the decay runs of its three cells.
GATED = page("gated-cells")
BATCH = GATED.BATCH
FORGET_BIASES = GATED.FORGET_BIASES
LAG = GATED.LAG
T_MAX = GATED.T_MAX
WIDTH = GATED.WIDTH
DecayRun = GATED.DecayRun
constant_forget_bptt = GATED.constant_forget_bptt
gru_decay_run = GATED.gru_decay_run
lstm_decay_run = GATED.lstm_decay_run
tanh_rnn_decay_run = GATED.tanh_rnn_decay_run
tanh_rnn_mean_slope = GATED.tanh_rnn_mean_slope

EPS = 1e-6  # central-difference step


def sig(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


def central(f, arr: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Central-difference gradient of the scalar f() with respect to every entry of arr (in place)."""
    grad = np.empty_like(arr)
    for idx in np.ndindex(arr.shape):
        old = arr[idx]
        arr[idx] = old + eps
        up = f()
        arr[idx] = old - eps
        down = f()
        arr[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


def close(a, b, rtol=1e-6, atol=1e-8):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


# Small, strongly nonlinear problems: weights of order one so every saturation term matters.
T_, B_, D_, H_ = 4, 2, 3, 3


def rand_lstm(rng, D=D_, H=H_, scale=1.0) -> LSTMParams:
    return LSTMParams(rng.uniform(-scale, scale, (4 * H, D)), rng.uniform(-scale, scale, (4 * H, H)),
                      rng.uniform(-scale, scale, 4 * H))


def rand_gru(rng, D=D_, H=H_, scale=1.0) -> GRUParams:
    return GRUParams(rng.uniform(-scale, scale, (3 * H, D)), rng.uniform(-scale, scale, (3 * H, H)),
                     rng.uniform(-scale, scale, 3 * H), rng.uniform(-scale, scale, 3 * H))


def rand_rnn(rng, D=D_, H=H_, scale=1.0) -> TanhRNNParams:
    return TanhRNNParams(rng.uniform(-scale, scale, (H, D)), rng.uniform(-scale, scale, (H, H)),
                     rng.uniform(-scale, scale, H))


# --- forward passes against a unit-by-unit reference ------------------------------------------


def affine(W, x, b_vec, row: int, sample: int, hidden=None, U=None) -> float:
    """One pre-activation entry: sum_d W[row, d] x[sample, d] (+ sum_k U[row, k] h[sample, k]) + b[row]."""
    total = sum(W[row, d] * x[sample, d] for d in range(W.shape[1])) + b_vec[row]
    if U is not None:
        total += sum(U[row, k] * hidden[sample, k] for k in range(U.shape[1]))
    return total


def reference_lstm_step(x, h, c, p: LSTMParams):
    """PyTorch's LSTM equations, one sample and one unit at a time, with plain floats."""
    H, B = p.H, x.shape[0]
    h_new, c_new = np.empty((B, H)), np.empty((B, H))
    for b in range(B):
        for j in range(H):
            pre = [affine(p.W_ih, x, p.b, gate * H + j, b, h, p.W_hh) for gate in range(4)]
            i, f, g, o = sig(pre[0]), sig(pre[1]), math.tanh(pre[2]), sig(pre[3])
            c_new[b, j] = f * c[b, j] + i * g
            h_new[b, j] = o * math.tanh(c_new[b, j])
    return h_new, c_new


def reference_gru_step(x, h, p: GRUParams):
    """PyTorch's GRU equations, one sample and one unit at a time: reset applied after W_hn h + b_hn."""
    H, B = p.H, x.shape[0]
    out = np.empty((B, H))
    for b in range(B):
        for j in range(H):
            gi = [affine(p.W_ih, x, p.b_ih, gate * H + j, b) for gate in range(3)]
            gh = [affine(p.W_hh, h, p.b_hh, gate * H + j, b) for gate in range(3)]
            r, z = sig(gi[0] + gh[0]), sig(gi[1] + gh[1])
            n = math.tanh(gi[2] + r * gh[2])
            out[b, j] = (1 - z) * n + z * h[b, j]
    return out


def test_lstm_step_matches_unit_by_unit_reference():
    rng = np.random.default_rng(0)
    p = rand_lstm(rng)
    x, h, c = rng.normal(size=(B_, D_)), rng.normal(size=(B_, H_)), rng.normal(size=(B_, H_))
    s = lstm_step(x, h, c, p)
    h_ref, c_ref = reference_lstm_step(x, h, c, p)
    close(s.h, h_ref, rtol=1e-12, atol=1e-14)
    close(s.c, c_ref, rtol=1e-12, atol=1e-14)


def test_gru_step_matches_unit_by_unit_reference():
    rng = np.random.default_rng(1)
    p = rand_gru(rng)
    x, h = rng.normal(size=(B_, D_)), rng.normal(size=(B_, H_))
    close(gru_step(x, h, p).h, reference_gru_step(x, h, p), rtol=1e-12, atol=1e-14)


def test_gru_reset_gate_multiplies_after_the_matrix_product():
    # With r = 1/2 exactly (zero r rows) the candidate must be tanh(W_in x + b_in + (W_hn h + b_hn)/2):
    # b_hn is halved too, which would not happen if r multiplied h before the product (Cho et al.'s form).
    H, D = 2, 1
    W_ih, W_hh = np.zeros((3 * H, D)), np.zeros((3 * H, H))
    b_ih, b_hh = np.zeros(3 * H), np.zeros(3 * H)
    b_hh[2 * H:] = 0.8  # b_hn
    b_ih[H:2 * H] = -50.0  # z ~ 0: h_t = n_t
    s = gru_step(np.zeros((1, D)), np.zeros((1, H)), GRUParams(W_ih, W_hh, b_ih, b_hh))
    close(s.h, np.full((1, H), math.tanh(0.4)), rtol=1e-12)


def test_rnn_step_closed_form():
    rng = np.random.default_rng(2)
    p = rand_rnn(rng)
    x, h = rng.normal(size=(B_, D_)), rng.normal(size=(B_, H_))
    expected = np.array([[math.tanh(sum(p.W_ih[j, d] * x[b, d] for d in range(D_))
                                    + sum(p.W_hh[j, k] * h[b, k] for k in range(H_)) + p.b[j])
                          for j in range(H_)] for b in range(B_)])
    close(tanh_rnn_step(x, h, p).h, expected, rtol=1e-12, atol=1e-14)


def test_lstm_with_open_forget_and_closed_input_keeps_its_cell():
    # f = sigma(+40) ~ 1, i = sigma(-40) ~ 0: c_t = c_{t-1}, the 1997 constant error carousel.
    H, D = 3, 2
    b = np.zeros(4 * H)
    b[:H], b[H:2 * H] = -40.0, 40.0
    p = LSTMParams(np.zeros((4 * H, D)), np.zeros((4 * H, H)), b)
    c0 = np.array([[0.3, -1.2, 2.0]])
    steps = lstm_forward(np.ones((20, 1, D)), np.zeros((1, H)), c0, p)
    close(steps[-1].c, c0, rtol=1e-12)


def test_forward_of_a_sequence_equals_repeated_steps():
    rng = np.random.default_rng(3)
    p = rand_lstm(rng)
    xs = rng.normal(size=(T_, B_, D_))
    h, c = np.zeros((B_, H_)), np.zeros((B_, H_))
    for t, s in enumerate(lstm_forward(xs, h, c, p)):
        h_ref, c_ref = reference_lstm_step(xs[t], h, c, p)
        close(s.h, h_ref, rtol=1e-12, atol=1e-14)
        h, c = h_ref, c_ref
    q = rand_gru(rng)
    h = np.zeros((B_, H_))
    for t, s in enumerate(gru_forward(xs, h, q)):
        h = reference_gru_step(xs[t], h, q)
        close(s.h, h, rtol=1e-12, atol=1e-14)


# --- BPTT against central finite differences ----------------------------------------------------


@pytest.mark.parametrize("seed", [10, 11])
def test_lstm_bptt_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    p = rand_lstm(rng)
    xs = rng.normal(size=(T_, B_, D_))
    h0, c0 = rng.normal(size=(B_, H_)), rng.normal(size=(B_, H_))
    Rh, Rc = rng.normal(size=(T_, B_, H_)), rng.normal(size=(B_, H_))

    def loss() -> float:
        steps = lstm_forward(xs, h0, c0, p)
        return float(sum(np.sum(R * s.h) for R, s in zip(Rh, steps, strict=True)) + np.sum(Rc * steps[-1].c))

    g = lstm_backward(Rh, lstm_forward(xs, h0, c0, p), p, dc_last=Rc)
    close(g.dW_ih, central(loss, p.W_ih))
    close(g.dW_hh, central(loss, p.W_hh))
    close(g.db, central(loss, p.b))
    close(g.dxs, central(loss, xs))
    close(g.dh0, central(loss, h0))
    close(g.dc0, central(loss, c0))


@pytest.mark.parametrize("seed", [20, 21])
def test_gru_bptt_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    p = rand_gru(rng)
    xs = rng.normal(size=(T_, B_, D_))
    h0 = rng.normal(size=(B_, H_))
    R = rng.normal(size=(T_, B_, H_))

    def loss() -> float:
        return float(sum(np.sum(Rt * s.h) for Rt, s in zip(R, gru_forward(xs, h0, p), strict=True)))

    g = gru_backward(R, gru_forward(xs, h0, p), p)
    close(g.dW_ih, central(loss, p.W_ih))
    close(g.dW_hh, central(loss, p.W_hh))
    close(g.db_ih, central(loss, p.b_ih))
    close(g.db_hh, central(loss, p.b_hh))
    close(g.dxs, central(loss, xs))
    close(g.dh0, central(loss, h0))


def test_rnn_bptt_matches_finite_differences():
    rng = np.random.default_rng(30)
    p = rand_rnn(rng)
    xs = rng.normal(size=(T_, B_, D_))
    h0 = rng.normal(size=(B_, H_))
    R = rng.normal(size=(T_, B_, H_))

    def loss() -> float:
        return float(sum(np.sum(Rt * s.h) for Rt, s in zip(R, tanh_rnn_forward(xs, h0, p), strict=True)))

    g = tanh_rnn_backward(R, tanh_rnn_forward(xs, h0, p), p)
    close(g.dW_ih, central(loss, p.W_ih))
    close(g.dW_hh, central(loss, p.W_hh))
    close(g.db, central(loss, p.b))
    close(g.dxs, central(loss, xs))
    close(g.dh0, central(loss, h0))


def test_step_backwards_match_finite_differences_of_one_step():
    rng = np.random.default_rng(40)
    p, q, r = rand_lstm(rng), rand_gru(rng), rand_rnn(rng)
    x, h, c = rng.normal(size=(B_, D_)), rng.normal(size=(B_, H_)), rng.normal(size=(B_, H_))
    dh, dc = rng.normal(size=(B_, H_)), rng.normal(size=(B_, H_))

    def lstm_loss() -> float:
        s = lstm_step(x, h, c, p)
        return float(np.sum(dh * s.h) + np.sum(dc * s.c))

    da, dh_prev, dc_prev = lstm_step_backward(dh, dc, lstm_step(x, h, c, p), p)
    close(dh_prev, central(lstm_loss, h))
    close(dc_prev, central(lstm_loss, c))
    close(da @ p.W_ih, central(lstm_loss, x))

    def gru_loss() -> float:
        return float(np.sum(dh * gru_step(x, h, q).h))

    dgi, _, dh_prev = gru_step_backward(dh, gru_step(x, h, q), q)
    close(dh_prev, central(gru_loss, h))
    close(dgi @ q.W_ih, central(gru_loss, x))

    def rnn_loss() -> float:
        return float(np.sum(dh * tanh_rnn_step(x, h, r).h))

    da, dh_prev = tanh_rnn_step_backward(dh, tanh_rnn_step(x, h, r), r)
    close(dh_prev, central(rnn_loss, h))
    close(da @ r.W_ih, central(rnn_loss, x))


def test_step_backwards_accept_extra_leading_axes():
    rng = np.random.default_rng(41)
    p, q, r = rand_lstm(rng), rand_gru(rng), rand_rnn(rng)
    x, h, c = rng.normal(size=(B_, D_)), rng.normal(size=(B_, H_)), rng.normal(size=(B_, H_))
    dh, dc = rng.normal(size=(5, B_, H_)), rng.normal(size=(5, B_, H_))
    s = lstm_step(x, h, c, p)
    stacked = lstm_step_backward(dh, dc, s, p)
    for k in range(5):
        for a, b in zip(stacked, lstm_step_backward(dh[k], dc[k], s, p), strict=True):
            close(a[k], b, rtol=1e-13, atol=1e-15)
    gs = gru_step(x, h, q)
    stacked = gru_step_backward(dh, gs, q)
    for k in range(5):
        for a, b in zip(stacked, gru_step_backward(dh[k], gs, q), strict=True):
            close(a[k], b, rtol=1e-13, atol=1e-15)
    rs = tanh_rnn_step(x, h, r)
    stacked = tanh_rnn_step_backward(dh, rs, r)
    for k in range(5):
        for a, b in zip(stacked, tanh_rnn_step_backward(dh[k], rs, r), strict=True):
            close(a[k], b, rtol=1e-13, atol=1e-15)


# --- the one-sweep experiment -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_initial_state_gradients_match_finite_differences_for_every_length(kind):
    rng = np.random.default_rng(50)
    Tmax = 5
    xs, y = first_input_task(Tmax, B_, D_, H_, rng)
    params = {"lstm": rand_lstm, "gru": rand_gru, "rnn": rand_rnn}[kind](rng)
    got = initial_state_gradients(params, xs, y)
    for T in range(1, Tmax + 1):
        h0, c0 = np.zeros((B_, H_)), np.zeros((B_, H_))

        def loss(T=T, h0=h0, c0=c0) -> float:
            if kind == "lstm":
                h = lstm_forward(xs[:T], h0, c0, params)[-1].h
            elif kind == "gru":
                h = gru_forward(xs[:T], h0, params)[-1].h
            else:
                h = tanh_rnn_forward(xs[:T], h0, params)[-1].h
            return float(0.5 * np.sum((h - y) ** 2))

        close(got["dh0"][T - 1], central(loss, h0))
        if kind == "lstm":
            close(got["dc0"][T - 1], central(loss, c0))


def test_cell_path_is_the_whole_gradient_without_recurrent_weights():
    # W_hh = 0: gates ignore h, so c_0 reaches the loss only along the cell state.
    rng = np.random.default_rng(51)
    p = rand_lstm(rng)
    p = LSTMParams(p.W_ih, np.zeros_like(p.W_hh), p.b)
    xs, y = first_input_task(6, B_, D_, H_, rng)
    steps = lstm_forward(xs, np.zeros((B_, H_)), np.zeros((B_, H_)), p)
    close(cell_path_gradients(steps, y), initial_state_gradients(p, xs, y)["dc0"], rtol=1e-12, atol=1e-15)


def test_loss_and_its_gradient():
    h = np.array([[1.0, 2.0], [0.0, -1.0]])
    y = np.array([[0.5, 0.0], [1.0, 1.0]])
    close(first_input_loss(h, y), [0.5 * (0.25 + 4.0), 0.5 * (1.0 + 4.0)], rtol=1e-15)
    hh = h.copy()
    fd = central(lambda: float(first_input_loss(hh, y).sum()), hh)
    close(first_input_loss_grad(h, y), fd)


def test_first_input_task_target_depends_only_on_the_first_input():
    xs, y = first_input_task(7, 3, 2, 4, np.random.default_rng(5))
    xs2, y2 = first_input_task(7, 3, 2, 4, np.random.default_rng(5))
    np.testing.assert_array_equal(xs, xs2)
    np.testing.assert_array_equal(y, y2)
    assert xs.shape == (7, 3, 2) and y.shape == (3, 4)
    assert np.all(np.abs(y) < 1)
    # y = tanh(x_1 P) for one P: y is a function of x_1, so equal first inputs give equal targets.
    rng = np.random.default_rng(5)
    P = rng.normal(0.0, 1.0 / math.sqrt(2), (2, 4))
    close(y, np.tanh(xs[0] @ P), rtol=1e-14)


# --- the cell path and its closed form ------------------------------------------------------------


@pytest.mark.parametrize(("f_bar", "T"), [(0.5, 1), (0.5, 10), (0.731, 7), (0.95, 50), (1.0, 100), (0.0, 3)])
def test_forget_path_gain_of_a_constant_gate_is_a_power(f_bar, T):
    assert forget_path_gain(np.full((T, 2), f_bar)) == pytest.approx([f_bar**T] * 2, rel=1e-13, abs=0)
    assert constant_forget_gain(f_bar, T) == pytest.approx(math.pow(f_bar, T), rel=1e-15, abs=0)


def test_forget_path_gain_is_elementwise_product():
    fs = np.array([[0.9, 0.1], [0.5, 1.0], [0.2, 0.7]])
    close(forget_path_gain(fs), [0.9 * 0.5 * 0.2, 0.1 * 1.0 * 0.7], rtol=1e-15)


@pytest.mark.parametrize(("bias", "T"), [(0.0, 5), (1.0, 12), (3.0, 50)])
def test_lstm_with_constant_forget_gate_has_dcT_dc0_equal_to_fbar_power_T(bias, T):
    # Finite differences of the forward pass itself: c_T(c_0) is affine with slope sigma(b_f)^T.
    rng = np.random.default_rng(60)
    H, D = 2, 3
    p = init_lstm(D, H, rng, forget_bias=bias)
    W_ih = p.W_ih.copy()
    W_ih[H:2 * H] = 0.0
    p = LSTMParams(W_ih, np.zeros((4 * H, H)), p.b)
    xs = rng.normal(size=(T, 1, D))
    c0 = rng.normal(size=(1, H))
    fd = central(lambda: float(lstm_forward(xs, np.zeros((1, H)), c0, p)[-1].c.sum()), c0)
    expected = sig(bias) ** T
    close(fd, np.full((1, H), expected), rtol=1e-6, atol=1e-10)
    f = np.stack([s.f for s in lstm_forward(xs, np.zeros((1, H)), c0, p)])
    close(forget_path_gain(f), np.full((1, H), expected), rtol=1e-12)


def test_constant_forget_bptt_equals_the_power():
    got = constant_forget_bptt(3.0, 50)
    assert got.shape == (BATCH, WIDTH)
    close(got, np.full_like(got, sig(3.0) ** 50), rtol=1e-12)


# --- the experiment's results -------------------------------------------------------------------


def test_gradient_shrinks_geometrically_for_rnn_and_gru():
    for run in (tanh_rnn_decay_run(), gru_decay_run(), lstm_decay_run(0.0)):
        assert isinstance(run, DecayRun)
        assert run.norms.shape == (T_MAX,)
        assert np.all(run.norms > 0)
        assert run.rate() < 0.7
        assert run.at(LAG) < 1e-9


def test_forget_bias_orders_the_decay():
    runs = [lstm_decay_run(b) for b in FORGET_BIASES]
    at_lag = [r.at(LAG) for r in runs]
    assert at_lag[0] < at_lag[1] < at_lag[2]
    # Mean forget gate near sigma(b_f): the inputs and h only perturb it (|W| <= 1/sqrt(H)).
    for b, r in zip(FORGET_BIASES, runs, strict=True):
        assert r.gates.mean() == pytest.approx(sig(b), abs=0.02)


def test_cell_path_decays_at_the_mean_forget_gate():
    # The cell-path norm is a product of forget gates times a bounded factor, so its fitted
    # per-step rate sits between the smallest and largest per-unit geometric means of f.
    for b in FORGET_BIASES:
        r = lstm_decay_run(b)
        rate = decay_rate(r.cell_norms, 20, T_MAX)
        assert rate == pytest.approx(float(r.gates.mean()), abs=0.02)
        assert np.all(r.cell_norms <= r.norms.max() * 10)


def test_rnn_rate_is_predicted_by_spectral_radius_times_mean_tanh_prime():
    predicted = NUMBERS["gate_rnn_rate_pred"].value()
    assert tanh_rnn_decay_run().rate() == pytest.approx(predicted, rel=0.05)
    # The measured radius is near the circular-law value 1/sqrt(3) for H = 32.
    assert NUMBERS["gate_rnn_radius"].value() == pytest.approx(1 / math.sqrt(3), rel=0.1)
    assert 0.5 < tanh_rnn_mean_slope() <= 1.0


def test_mean_gradient_norm_and_decay_rate_closed_forms():
    g = np.zeros((2, 2, 3))
    g[0, 0] = [3.0, 4.0, 0.0]
    g[1, 1] = [0.0, 0.0, 2.0]
    close(mean_gradient_norm(g), [2.5, 1.0], rtol=1e-15)
    v = 7.0 * 0.8 ** np.arange(1, 41)
    assert decay_rate(v, 1, 40) == pytest.approx(0.8, rel=1e-12)
    assert decay_rate(v, 10, 30) == pytest.approx(0.8, rel=1e-12)


# --- small closed forms and exercises -------------------------------------------------------------


def test_pytorch_init_bound_and_ranges():
    assert pytorch_init_bound(32) == pytest.approx(1 / math.sqrt(32), rel=1e-15)
    assert pytorch_init_bound(1) == 1.0
    p = init_lstm(4, 32, np.random.default_rng(0), forget_bias=3.0)
    k = 1 / math.sqrt(32)
    assert np.abs(p.W_ih).max() <= k and np.abs(p.W_hh).max() <= k
    assert np.all(p.b[32:64] == 3.0)
    # PyTorch keeps two bias vectors, each U(-k, k); the LSTM and the RNN see only their sum
    assert np.abs(np.delete(p.b, np.s_[32:64])).max() <= 2 * k
    q, r = init_gru(4, 32, np.random.default_rng(0)), init_tanh_rnn(4, 32, np.random.default_rng(0))
    for arr in (q.W_ih, q.W_hh, q.b_ih, q.b_hh, r.W_ih, r.W_hh):
        assert np.abs(arr).max() <= k
    assert np.abs(r.b).max() <= 2 * k


def test_summed_biases_have_the_spread_of_two_uniforms():
    """b = b_ih + b_hh: variance 2 k^2 / 3 and a triangular density on [-2k, 2k]."""
    H = 4096
    k = 1 / math.sqrt(H)
    lstm = init_lstm(1, H, np.random.default_rng(1)).b
    rnn = init_tanh_rnn(1, H, np.random.default_rng(2)).b
    for b in (np.delete(lstm, np.s_[H:2 * H]), rnn):
        assert b.var() == pytest.approx(2 * k * k / 3, rel=0.05)
        assert np.abs(b).max() <= 2 * k and np.abs(b).max() > 1.5 * k
        assert np.mean(np.abs(b) < k) == pytest.approx(0.75, abs=0.02)  # triangular: 3/4 inside [-k, k]


def test_uniform_init_radius():
    assert uniform_init_radius() == pytest.approx(math.sqrt(1 / 3), rel=1e-15)
    # variance of U(-k, k) is k^2/3: radius sqrt(H * k^2/3) with k = 1/sqrt(H)
    assert uniform_init_radius() == pytest.approx(math.sqrt(32 * (1 / 32) / 3), rel=1e-15)


def test_spectral_radius_closed_forms():
    assert spectral_radius(np.diag([0.5, -2.0, 1.0])) == pytest.approx(2.0, rel=1e-14)
    assert spectral_radius(np.array([[0.0, -1.0], [1.0, 0.0]])) == pytest.approx(1.0, rel=1e-14)  # rotation


@pytest.mark.parametrize(("f_bar", "frac", "expected"), [(0.5, 0.01, 7), (0.5, 0.25, 2), (0.9, 0.5, 7),
                                                        (0.99, 0.5, 69)])
def test_steps_to_fraction(f_bar, frac, expected):
    # 0.5^6 = 0.0156 > 0.01 >= 0.5^7; 0.9^6 = 0.531, 0.9^7 = 0.478; 0.99^68 = 0.505, 0.99^69 = 0.4998
    assert steps_to_fraction(f_bar, frac) == expected
    assert f_bar**expected <= frac < f_bar ** (expected - 1)


def test_exercise_one_answers():
    for tag, b in zip(("b0", "b1", "b3"), FORGET_BIASES, strict=True):
        f = sig(b)
        T = NUMBERS[f"gate_ex1_{tag}"].value()
        assert f**T <= 0.01 < f ** (T - 1)
    assert [NUMBERS[f"gate_ex1_{t}"].value() for t in ("b0", "b1", "b3")] == [7, 15, 95]


def test_exercise_two_answer():
    b = forget_bias_for_gain(0.5, 100)
    assert sig(b) ** 100 == pytest.approx(0.5, rel=1e-12)
    # logit(2^(-1/100)) = ln(p / (1 - p)), p = 0.993092...
    p = 2 ** (-1 / 100)
    assert b == pytest.approx(math.log(p / (1 - p)), rel=1e-12)
    assert NUMBERS["gate_ex2_bias"].value() == pytest.approx(4.97, abs=0.005)


def test_exercise_three_parameter_counts():
    # PyTorch stores W_ih, W_hh, b_ih, b_hh per layer: LSTM 4 gates, GRU 3.
    D, H = 4, 32
    assert lstm_parameter_count(D, H) == 4 * H * D + 4 * H * H + 2 * 4 * H == 4864
    assert gru_parameter_count(D, H) == 3 * H * D + 3 * H * H + 2 * 3 * H == 3648
    p = init_lstm(D, H, np.random.default_rng(0))
    assert lstm_parameter_count(D, H) == p.W_ih.size + p.W_hh.size + 2 * p.b.size
    assert NUMBERS["gate_ex3_ratio"].value() == pytest.approx(0.75, rel=1e-15)


def test_exercise_four_ratio():
    assert NUMBERS["gate_ex4_ratio"].value() == pytest.approx(lstm_decay_run(3.0).at(LAG) / lstm_decay_run(0.0).at(LAG))
    assert NUMBERS["gate_ex4_ratio"].value() > 1e6


def test_exercise_four_the_total_grows_less_than_the_cell_path():
    """Raising b_f from 0 to 3 multiplies the cell path by more than it multiplies the total.

    Computed from the runs' raw arrays (total norms, cell-path norms, gate products), not from the
    page's numbers; the old exercise claimed the opposite direction.
    """
    r0, r3 = lstm_decay_run(0.0), lstm_decay_run(3.0)
    total = r3.norms[LAG - 1] / r0.norms[LAG - 1]
    cell = r3.cell_norms[LAG - 1] / r0.cell_norms[LAG - 1]
    gates = np.prod(r3.gates[:LAG], axis=0).mean() / np.prod(r0.gates[:LAG], axis=0).mean()
    assert total < cell / 100 and total < gates / 100
    share0 = r0.norms[LAG - 1] / r0.cell_norms[LAG - 1]
    share3 = r3.norms[LAG - 1] / r3.cell_norms[LAG - 1]
    assert share0 > 1e3 and 1 < share3 < 100  # other routes dominate at b_f = 0, much less at 3
    assert total == pytest.approx(cell * share3 / share0, rel=1e-12)
    for name, value in [("gate_ex4_cell_ratio", cell), ("gate_ex4_fprod_ratio", gates),
                        ("gate_ex4_share_b0", share0), ("gate_ex4_share_b3", share3)]:
        assert NUMBERS[name].value() == pytest.approx(value, rel=1e-12), name



def test_figure_descriptions_match_the_runs():
    """The alt texts of both figures describe the runs in words; the words are checked here."""

    def decades(norms: np.ndarray, first: int, last: int) -> float:
        return math.log10(norms[first - 1] / norms[last - 1])

    # Figure 1: tanh RNN, GRU and LSTM b_f = 0 fall by twenty-one to twenty-six decades over
    # T = 1..100, the LSTM with b_f = 1 by about eight.
    for run in (tanh_rnn_decay_run(), gru_decay_run(), lstm_decay_run(0.0)):
        assert 20.5 <= decades(run.norms, 1, T_MAX) <= 26.0
        assert np.all(np.diff(np.log(run.norms)) < 0)  # falls at every step
    assert 7.5 <= decades(lstm_decay_run(1.0).norms, 1, T_MAX) <= 8.5
    # Figure 2: with b_f = 0 and 1 the total lies orders of magnitude above the cell path by
    # T = 50; with b_f = 3 the cell path falls by about one decade over 50 steps while the total
    # stays near one (between a half and three) over all 100 steps.
    for b in (0.0, 1.0):
        r = lstm_decay_run(b)
        assert r.norms[LAG - 1] / r.cell_norms[LAG - 1] > 100
    r3 = lstm_decay_run(3.0)
    assert 0.8 <= decades(r3.cell_norms, 1, LAG) <= 1.5
    assert r3.norms.min() > 0.5 and r3.norms.max() < 3.0


# --- bad input ----------------------------------------------------------------------------------


def test_params_reject_bad_shapes_and_values():
    with pytest.raises(ValueError, match=r"^W_hh"):
        LSTMParams(np.zeros((8, 1)), np.zeros((8, 3)), np.zeros(8))
    with pytest.raises(ValueError, match=r"^W_ih"):
        LSTMParams(np.zeros((7, 1)), np.zeros((8, 2)), np.zeros(8))
    with pytest.raises(ValueError, match=r"^b\b"):
        LSTMParams(np.zeros((8, 1)), np.zeros((8, 2)), np.zeros(7))
    with pytest.raises(ValueError, match=r"^W_ih"):
        LSTMParams([[0.0]], np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match=r"^W_hh"):
        LSTMParams(np.zeros((4, 1)), np.full((4, 1), np.nan), np.zeros(4))
    with pytest.raises(ValueError, match=r"^W_hh"):
        GRUParams(np.zeros((6, 1)), np.zeros((6, 3)), np.zeros(6), np.zeros(6))
    with pytest.raises(ValueError, match=r"^b_hh"):
        GRUParams(np.zeros((6, 1)), np.zeros((6, 2)), np.zeros(6), np.zeros(5))
    with pytest.raises(ValueError, match=r"^b_ih"):
        GRUParams(np.zeros((6, 1)), np.zeros((6, 2)), np.zeros(6, dtype=complex), np.zeros(6))
    with pytest.raises(ValueError, match=r"^W_ih"):
        GRUParams(np.zeros((6, 0)), np.zeros((6, 2)), np.zeros(6), np.zeros(6))
    with pytest.raises(ValueError, match=r"^W_hh"):
        TanhRNNParams(np.zeros((2, 1)), np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match=r"^W_ih"):
        TanhRNNParams(np.zeros((3, 1)), np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"^b\b"):
        TanhRNNParams(np.zeros((2, 1)), np.zeros((2, 2)), np.zeros(3))


def test_steps_and_runs_reject_bad_input():
    rng = np.random.default_rng(0)
    p, q, r = rand_lstm(rng), rand_gru(rng), rand_rnn(rng)
    x, h = np.zeros((B_, D_)), np.zeros((B_, H_))
    with pytest.raises(ValueError, match=r"^params"):
        lstm_step(x, h, h, q)
    with pytest.raises(ValueError, match=r"^x\b"):
        lstm_step(np.zeros((B_, D_ + 1)), h, h, p)
    with pytest.raises(ValueError, match=r"^h_prev"):
        lstm_step(x, np.zeros((B_ + 1, H_)), h, p)
    with pytest.raises(ValueError, match=r"^c_prev"):
        lstm_step(x, h, np.zeros(H_), p)
    with pytest.raises(ValueError, match=r"^params"):
        gru_step(x, h, p)
    with pytest.raises(ValueError, match=r"^h_prev"):
        gru_step(x, h.tolist(), q)
    with pytest.raises(ValueError, match=r"^params"):
        tanh_rnn_step(x, h, q)
    with pytest.raises(ValueError, match=r"^x\b"):
        tanh_rnn_step(np.full((B_, D_), np.inf), h, r)
    with pytest.raises(ValueError, match=r"^xs"):
        lstm_forward(np.zeros((0, B_, D_)), h, h, p)
    with pytest.raises(ValueError, match=r"^xs"):
        gru_forward(np.zeros((2, B_, D_ + 1)), h, q)
    with pytest.raises(ValueError, match=r"^h0"):
        tanh_rnn_forward(np.zeros((2, B_, D_)), np.zeros((B_, H_ + 1)), r)
    with pytest.raises(ValueError, match=r"^c0"):
        lstm_forward(np.zeros((2, B_, D_)), h, None, p)
    with pytest.raises(ValueError, match=r"^params"):
        gru_forward(np.zeros((2, B_, D_)), h, r)
    with pytest.raises(ValueError, match=r"^params"):
        tanh_rnn_forward(np.zeros((2, B_, D_)), h, p)


def test_backwards_reject_bad_input():
    rng = np.random.default_rng(0)
    p, q, r = rand_lstm(rng), rand_gru(rng), rand_rnn(rng)
    xs, h = np.zeros((2, B_, D_)), np.zeros((B_, H_))
    ls, gs, rs = lstm_forward(xs, h, h, p), gru_forward(xs, h, q), tanh_rnn_forward(xs, h, r)
    with pytest.raises(ValueError, match=r"^dh\b"):
        lstm_step_backward(np.zeros((B_, H_ + 1)), h, ls[0], p)
    with pytest.raises(ValueError, match=r"^dc\b"):
        lstm_step_backward(h, np.zeros(H_), ls[0], p)
    with pytest.raises(ValueError, match=r"^step"):
        lstm_step_backward(h, h, gs[0], p)
    with pytest.raises(ValueError, match=r"^params"):
        lstm_step_backward(h, h, ls[0], q)
    with pytest.raises(ValueError, match=r"^dh\b"):
        gru_step_backward(np.zeros((3, B_ + 1, H_)), gs[0], q)
    with pytest.raises(ValueError, match=r"^step"):
        gru_step_backward(h, rs[0], q)
    with pytest.raises(ValueError, match=r"^params"):
        gru_step_backward(h, gs[0], r)
    with pytest.raises(ValueError, match=r"^dh\b"):
        tanh_rnn_step_backward("1", rs[0], r)
    with pytest.raises(ValueError, match=r"^step"):
        tanh_rnn_step_backward(h, ls[0], r)
    with pytest.raises(ValueError, match=r"^params"):
        tanh_rnn_step_backward(h, rs[0], p)
    with pytest.raises(ValueError, match=r"^dhs"):
        lstm_backward(np.zeros((3, B_, H_)), ls, p)
    with pytest.raises(ValueError, match=r"^dc_last"):
        lstm_backward(np.zeros((2, B_, H_)), ls, p, dc_last=np.zeros((1, H_)))
    with pytest.raises(ValueError, match=r"^steps"):
        lstm_backward(np.zeros((2, B_, H_)), [], p)
    with pytest.raises(ValueError, match=r"^steps"):
        gru_backward(np.zeros((2, B_, H_)), ls, q)
    with pytest.raises(ValueError, match=r"^dhs"):
        gru_backward(np.zeros((2, B_, H_ + 1)), gs, q)
    with pytest.raises(ValueError, match=r"^steps"):
        tanh_rnn_backward(np.zeros((2, B_, H_)), gs, r)
    with pytest.raises(ValueError, match=r"^params"):
        tanh_rnn_backward(np.zeros((2, B_, H_)), rs, q)
    with pytest.raises(ValueError, match=r"^params"):
        lstm_backward(np.zeros((2, B_, H_)), ls, r)
    with pytest.raises(ValueError, match=r"^params"):
        gru_backward(np.zeros((2, B_, H_)), gs, p)


def test_experiment_helpers_reject_bad_input():
    rng = np.random.default_rng(0)
    p = rand_lstm(rng)
    xs, y = first_input_task(3, B_, D_, H_, rng)
    with pytest.raises(ValueError, match=r"^params"):
        initial_state_gradients("lstm", xs, y)
    with pytest.raises(ValueError, match=r"^y\b"):
        initial_state_gradients(p, xs, y[:, :1])
    with pytest.raises(ValueError, match=r"^xs"):
        initial_state_gradients(p, xs[..., :1], y)
    with pytest.raises(ValueError, match=r"^steps"):
        cell_path_gradients([], y)
    with pytest.raises(ValueError, match=r"^y\b"):
        cell_path_gradients(lstm_forward(xs, np.zeros((B_, H_)), np.zeros((B_, H_)), p), y.T)
    with pytest.raises(ValueError, match=r"^grads"):
        mean_gradient_norm(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"^values"):
        decay_rate(np.array([1.0, 0.0, 0.5]), 1, 3)
    with pytest.raises(ValueError, match=r"^last"):
        decay_rate(np.ones(5), 3, 3)
    with pytest.raises(ValueError, match=r"^last"):
        decay_rate(np.ones(5), 1, 6)
    with pytest.raises(ValueError, match=r"^first"):
        decay_rate(np.ones(5), 0, 3)
    with pytest.raises(ValueError, match=r"^y\b"):
        first_input_loss(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"^h\b"):
        first_input_loss_grad(np.zeros(3), np.zeros(3))
    for args, name in [((0, 1, 1, 1), "T"), ((1, 0, 1, 1), "B"), ((1, 1, 1.5, 1), "D"), ((1, 1, 1, True), "H")]:
        with pytest.raises(ValueError, match=rf"^{name}\b"):
            first_input_task(*args, rng)
    with pytest.raises(ValueError, match=r"^rng"):
        first_input_task(1, 1, 1, 1, 42)


@pytest.mark.parametrize("bad", [np.array([[0.5, 1.5]]), np.array([[-0.1]]), np.zeros((0,)), [0.5], 0.5])
def test_forget_path_gain_rejects_bad_input(bad):
    with pytest.raises(ValueError, match=r"^fs\b"):
        forget_path_gain(bad)


def test_closed_form_helpers_reject_bad_input():
    for bad in (-0.1, 1.1, math.nan, np.array([0.5]), "0.5"):
        with pytest.raises(ValueError, match=r"^f_bar"):
            constant_forget_gain(bad, 3)
        with pytest.raises(ValueError, match=r"^f_bar"):
            steps_to_fraction(bad, 0.5)
    with pytest.raises(ValueError, match=r"^T\b"):
        constant_forget_gain(0.5, -1)
    assert constant_forget_gain(0.5, 0) == 1.0
    for bad in (0.0, 1.0):
        with pytest.raises(ValueError, match=r"^f_bar"):
            steps_to_fraction(bad, 0.5)
        with pytest.raises(ValueError, match=r"^fraction"):
            steps_to_fraction(0.5, bad)
        with pytest.raises(ValueError, match=r"^gain"):
            forget_bias_for_gain(bad, 10)
    with pytest.raises(ValueError, match=r"^T\b"):
        forget_bias_for_gain(0.5, 0)
    with pytest.raises(ValueError, match=r"^T\b"):
        constant_forget_bptt(3.0, 0)
    for fn in (lstm_parameter_count, gru_parameter_count):
        with pytest.raises(ValueError, match=r"^D\b"):
            fn(0, 3)
        with pytest.raises(ValueError, match=r"^H\b"):
            fn(3, 2.0)
    with pytest.raises(ValueError, match=r"^H\b"):
        pytorch_init_bound(0)
    with pytest.raises(ValueError, match=r"^A\b"):
        spectral_radius(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"^A\b"):
        spectral_radius(np.zeros(3))


def test_inits_reject_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"^forget_bias"):
        init_lstm(2, 2, rng, forget_bias=np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"^forget_bias"):
        init_lstm(2, 2, rng, forget_bias=math.inf)
    with pytest.raises(ValueError, match=r"^rng"):
        init_gru(2, 2, 0)
    with pytest.raises(ValueError, match=r"^D\b"):
        init_tanh_rnn(0, 2, rng)
    with pytest.raises(ValueError, match=r"^H\b"):
        init_lstm(2, -1, rng)
    with pytest.raises(ValueError, match=r"^T\b"):
        DecayRun("x", np.ones(3)).at(4)
