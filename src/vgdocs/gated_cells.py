# LSTM and GRU cells, and a plain tanh RNN, in PyTorch's gate convention: forward and hand-written BPTT.
r"""Gated recurrent cells (LSTM, GRU) and a plain tanh RNN, batched in numpy.

**Convention.** Everything follows PyTorch (``torch.nn.LSTM``, ``torch.nn.GRU``,
``torch.nn.RNN``): inputs are row vectors, a batch is a stack of rows, and the gate blocks of
the weight matrices are stacked in PyTorch's order.

- LSTM, gates $(i, f, g, o)$: ``W_ih`` has shape $(4H, D)$, ``W_hh`` $(4H, H)$, and one bias
  ``b`` of shape $(4H,)$, which plays the role of PyTorch's ``b_ih + b_hh`` (only their sum
  enters the LSTM equations).
- GRU, gates $(r, z, n)$: ``W_ih`` $(3H, D)$, ``W_hh`` $(3H, H)$, and two biases ``b_ih``,
  ``b_hh`` of shape $(3H,)$; they are kept apart because $b_{hn}$ sits inside the reset gate.
- tanh RNN: ``W_ih`` $(H, D)$, ``W_hh`` $(H, H)$, one bias ``b`` $(H,)$.

A sequence ``xs`` has shape $(T, B, D)$ (time, batch, input) and a state has shape $(B, H)$.
Backward functions accept cotangents with extra leading axes, ``(..., B, H)``: the experiments
of :mod:`vgdocs.lag_gradients` use this to push the gradients of many losses through one sweep
over time. Each step function checks its inputs; its ``unchecked`` attribute is the same math
without the checks, which the loops over time use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from vgdocs._cell_checks import run_cotangents, run_inputs, step_cotangents, step_inputs
from vgdocs._validate import (
    array,
    checked,
    generator,
    positive_int,
    real,
    shape,
    state,
)

Array = NDArray[np.float64]


# ---------------------------------------------------------------------------- validation


def _array(name: str, value: object, ndim: int | None = None) -> Array:
    return array(name, value, ndim, allow_empty=True)


def _sigmoid(a: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _t(a: Array) -> Array:
    """The transpose of a matrix, or of each matrix of a stack."""
    return a.swapaxes(-1, -2)


def _weights(obj: object, gates: int, biases: tuple[str, ...]) -> None:
    """Check and freeze ``W_ih`` (gates*H, D), ``W_hh`` (gates*H, H) and each bias (gates*H,).

    All of them may carry the same leading axes: the parameters of several models at once.
    """
    rows = "H" if gates == 1 else f"{gates}H"
    W_hh = _array("W_hh", obj.W_hh)  # type: ignore[attr-defined]
    if W_hh.ndim < 2 or W_hh.shape[-2] < gates or W_hh.shape[-2] != gates * W_hh.shape[-1]:
        raise ValueError(f"W_hh must have shape ({rows}, H) with H >= 1, got {W_hh.shape}")
    lead, H = W_hh.shape[:-2], W_hh.shape[-1]
    W_ih = _array("W_ih", obj.W_ih)  # type: ignore[attr-defined]
    if W_ih.ndim < 2 or W_ih.shape[:-2] != lead or W_ih.shape[-2] != gates * H or W_ih.shape[-1] < 1:
        raise ValueError(f"W_ih must have shape ({rows}, D) = ({gates * H}, D) with D >= 1, got {W_ih.shape}")
    checked_biases = []
    for name in biases:
        b = _array(name, getattr(obj, name))
        shape(name, b, (*lead, gates * H))
        checked_biases.append(b)
    for name, val in (("W_ih", W_ih), ("W_hh", W_hh), *zip(biases, checked_biases, strict=True)):
        object.__setattr__(obj, name, val)


# ---------------------------------------------------------------------------- parameters


class _Widths:
    """The widths every parameter set reads off its matrices."""

    W_ih: Array
    W_hh: Array

    @classmethod
    def unchecked(cls, *arrays: Array) -> _Widths:
        """The parameters as given, without checks or conversion (float32 and model stacks stay as they are)."""
        params = object.__new__(cls)
        for f, value in zip(fields(cls), arrays, strict=True):  # type: ignore[arg-type]
            object.__setattr__(params, f.name, value)
        return params

    @property
    def H(self) -> int:
        """Hidden width $H$."""
        return self.W_hh.shape[-1]

    @property
    def D(self) -> int:
        """Input width $D$."""
        return self.W_ih.shape[-1]


@dataclass(frozen=True)
class LSTMParams(_Widths):
    r"""LSTM weights in PyTorch's layout: gate rows stacked as $(i, f, g, o)$.

    ``W_ih``: $(4H, D)$, ``W_hh``: $(4H, H)$, ``b``: $(4H,)$ (PyTorch's ``b_ih + b_hh``).
    """

    W_ih: Array
    W_hh: Array
    b: Array

    def __post_init__(self) -> None:
        _weights(self, 4, ("b",))


@dataclass(frozen=True)
class GRUParams(_Widths):
    r"""GRU weights in PyTorch's layout: gate rows stacked as $(r, z, n)$.

    ``W_ih``: $(3H, D)$, ``W_hh``: $(3H, H)$, ``b_ih``, ``b_hh``: $(3H,)$.
    """

    W_ih: Array
    W_hh: Array
    b_ih: Array
    b_hh: Array

    def __post_init__(self) -> None:
        _weights(self, 3, ("b_ih", "b_hh"))


@dataclass(frozen=True)
class TanhRNNParams(_Widths):
    r"""Plain tanh RNN weights: ``W_ih``: $(H, D)$, ``W_hh``: $(H, H)$, ``b``: $(H,)$."""

    W_ih: Array
    W_hh: Array
    b: Array

    def __post_init__(self) -> None:
        _weights(self, 1, ("b",))


def pytorch_init_bound(H: int) -> float:
    r"""PyTorch's default initialisation range for recurrent layers, $k = 1/\sqrt{H}$.

    Every weight and bias is drawn from $\mathcal U(-k, k)$.
    """
    H = positive_int("H", H)
    return 1.0 / math.sqrt(H)


def init_lstm(D: int, H: int, rng: np.random.Generator, forget_bias: float = 0.0) -> LSTMParams:
    r"""LSTM with PyTorch's default initialisation, then the forget-gate bias set to $b_f$.

    Every weight, and each of PyTorch's two bias vectors $b_{ih}$ and $b_{hh}$, is drawn from
    $\mathcal U(-1/\sqrt H, 1/\sqrt H)$; ``b`` is their sum. Its $f$ block (rows $H$ to $2H$) is
    then replaced by ``forget_bias`` for every unit.
    """
    D, H, rng = positive_int("D", D), positive_int("H", H), generator("rng", rng)
    fb = real("forget_bias", forget_bias)
    if isinstance(fb, np.ndarray):
        raise ValueError(f"forget_bias must be a single number, got an array of shape {fb.shape}")
    k = pytorch_init_bound(H)
    W_ih = rng.uniform(-k, k, (4 * H, D))
    W_hh = rng.uniform(-k, k, (4 * H, H))
    b = rng.uniform(-k, k, 4 * H) + rng.uniform(-k, k, 4 * H)  # b_ih + b_hh
    b[H:2 * H] = fb
    return LSTMParams(W_ih, W_hh, b)


def init_gru(D: int, H: int, rng: np.random.Generator) -> GRUParams:
    r"""GRU with PyTorch's default initialisation: every entry from $\mathcal U(-1/\sqrt H, 1/\sqrt H)$."""
    D, H, rng = positive_int("D", D), positive_int("H", H), generator("rng", rng)
    k = pytorch_init_bound(H)
    return GRUParams(rng.uniform(-k, k, (3 * H, D)), rng.uniform(-k, k, (3 * H, H)),
                     rng.uniform(-k, k, 3 * H), rng.uniform(-k, k, 3 * H))


def init_tanh_rnn(D: int, H: int, rng: np.random.Generator) -> TanhRNNParams:
    r"""A tanh RNN with PyTorch's default initialisation.

    Every weight, and each of the two bias vectors $b_{ih}$ and $b_{hh}$, is drawn from
    $\mathcal U(-1/\sqrt H, 1/\sqrt H)$; ``b`` is their sum.
    """
    D, H, rng = positive_int("D", D), positive_int("H", H), generator("rng", rng)
    k = pytorch_init_bound(H)
    W_ih, W_hh = rng.uniform(-k, k, (H, D)), rng.uniform(-k, k, (H, H))
    return TanhRNNParams(W_ih, W_hh, rng.uniform(-k, k, H) + rng.uniform(-k, k, H))


# ---------------------------------------------------------------------------- LSTM


@dataclass(frozen=True)
class LSTMStep:
    """What one LSTM step keeps for its backward pass: inputs, gate activations, outputs."""

    x: Array
    h_prev: Array
    c_prev: Array
    i: Array
    f: Array
    g: Array
    o: Array
    c: Array
    h: Array


@checked(step_inputs(LSTMParams, ("h_prev", "c_prev")))
def lstm_step(x: Array, h_prev: Array, c_prev: Array, params: LSTMParams) -> LSTMStep:
    r"""One LSTM step in PyTorch's convention (gates $i, f, g, o$).

    $$ \begin{aligned}
    i_t &= \sigma(W_{ii} x_t + W_{hi} h_{t-1} + b_i), &
    f_t &= \sigma(W_{if} x_t + W_{hf} h_{t-1} + b_f), \\
    g_t &= \tanh(W_{ig} x_t + W_{hg} h_{t-1} + b_g), &
    o_t &= \sigma(W_{io} x_t + W_{ho} h_{t-1} + b_o), \\
    c_t &= f_t \odot c_{t-1} + i_t \odot g_t, &
    h_t &= o_t \odot \tanh(c_t).
    \end{aligned} $$

    ``x``: $(B, D)$; ``h_prev``, ``c_prev``: $(B, H)$.
    """
    H = params.H
    a = x @ _t(params.W_ih) + h_prev @ _t(params.W_hh) + params.b[..., None, :]
    i = _sigmoid(a[..., :H])
    f = _sigmoid(a[..., H:2 * H])
    g = np.tanh(a[..., 2 * H:3 * H])
    o = _sigmoid(a[..., 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return LSTMStep(x, h_prev, c_prev, i, f, g, o, c, h)


@checked(step_cotangents(LSTMParams, LSTMStep, ("dh", "dc")))
def lstm_step_backward(dh: Array, dc: Array, step: LSTMStep,
                       params: LSTMParams) -> tuple[Array, Array, Array]:
    r"""Vector–Jacobian product of one LSTM step: from $(\bar h_t, \bar c_t)$ to the step's inputs.

    With $\bar c = \bar c_t + \bar h_t \odot o_t \odot (1 - \tanh^2 c_t)$,

    $$ \begin{aligned}
    \bar c_{t-1} &= \bar c \odot f_t, \\
    \bar a_i &= \bar c \odot g_t \odot i_t(1-i_t), \quad
    \bar a_f = \bar c \odot c_{t-1} \odot f_t(1-f_t), \\
    \bar a_g &= \bar c \odot i_t \odot (1-g_t^2), \quad
    \bar a_o = \bar h_t \odot \tanh(c_t) \odot o_t(1-o_t), \\
    \bar h_{t-1} &= \bar a\, W_{hh}, \qquad \bar x_t = \bar a\, W_{ih},
    \end{aligned} $$

    where $\bar a = [\bar a_i, \bar a_f, \bar a_g, \bar a_o]$ is the gradient of the gate
    pre-activations. Returns ``(da, dh_prev, dc_prev)``; ``dx``, ``dW_ih = da^T x``,
    ``dW_hh = da^T h_prev`` and ``db = sum(da)`` follow from ``da``. ``dh`` and ``dc`` may carry
    extra leading axes, ``(..., B, H)``.
    """
    tc = np.tanh(step.c)
    dct = dc + dh * step.o * (1.0 - tc * tc)
    da = np.concatenate([
        dct * step.g * step.i * (1.0 - step.i),
        dct * step.c_prev * step.f * (1.0 - step.f),
        dct * step.i * (1.0 - step.g * step.g),
        dh * tc * step.o * (1.0 - step.o),
    ], axis=-1)
    return da, da @ params.W_hh, dct * step.f


@checked(run_inputs(LSTMParams, ("h0", "c0")))
def lstm_forward(xs: Array, h0: Array, c0: Array, params: LSTMParams) -> list[LSTMStep]:
    r"""Run an LSTM over a sequence ``xs`` $(T, B, D)$ from $(h_0, c_0)$; one ``LSTMStep`` per time step."""
    h, c = h0, c0
    steps = []
    for x in xs:
        s = lstm_step.unchecked(x, h, c, params)
        steps.append(s)
        h, c = s.h, s.c
    return steps


@dataclass(frozen=True)
class LSTMGrads:
    """Gradients of a loss with respect to everything an LSTM run depends on."""

    dxs: Array
    dh0: Array
    dc0: Array
    dW_ih: Array  # noqa: N815
    dW_hh: Array  # noqa: N815
    db: Array


def _lstm_backward_inputs(dhs: object, steps: object, params: object, dc_last: object = None) -> tuple[object, ...]:
    dhs, steps, params = run_cotangents(LSTMParams, LSTMStep, "lstm_forward")(dhs, steps, params)
    return dhs, steps, params, None if dc_last is None else state("dc_last", dc_last, *dhs.shape[1:])  # type: ignore[union-attr]


@checked(_lstm_backward_inputs)
def lstm_backward(dhs: Array, steps: list[LSTMStep], params: LSTMParams,
                  dc_last: Array | None = None) -> LSTMGrads:
    r"""Backpropagation through time for an LSTM run.

    ``dhs`` $(T, B, H)$ holds $\partial L/\partial h_t$ where the loss reads $h_t$ directly;
    ``dc_last`` (default zero) is $\partial L/\partial c_T$. Walking back from $t = T$,

    $$ \bar h_{t-1} = \texttt{dhs}_{t-1} + \bar a_t W_{hh}, \quad
       \bar c_{t-1} = \bar c\,\odot f_t, \quad
       \bar W_{ih} = \sum_t \bar a_t^{\top} x_t, \quad
       \bar W_{hh} = \sum_t \bar a_t^{\top} h_{t-1}, \quad \bar b = \sum_t \textstyle\sum_{\text{batch}} \bar a_t . $$
    """
    T, state_shape, dtype = len(steps), steps[0].h.shape, steps[0].h.dtype
    dc = np.zeros(state_shape, dtype) if dc_last is None else dc_last
    dh = np.zeros(state_shape, dtype)
    dxs = np.empty((T, *state_shape[:-1], params.D), dtype)
    dW_ih, dW_hh, db = np.zeros_like(params.W_ih), np.zeros_like(params.W_hh), np.zeros_like(params.b)
    for t in range(T - 1, -1, -1):
        s = steps[t]
        da, dh, dc = lstm_step_backward.unchecked(dh + dhs[t], dc, s, params)
        dxs[t] = da @ params.W_ih
        dW_ih += _t(da) @ s.x
        dW_hh += _t(da) @ s.h_prev
        db += da.sum(axis=-2)
    return LSTMGrads(dxs, dh, dc, dW_ih, dW_hh, db)


# ---------------------------------------------------------------------------- GRU


@dataclass(frozen=True)
class GRUStep:
    """What one GRU step keeps for its backward pass."""

    x: Array
    h_prev: Array
    r: Array
    z: Array
    n: Array
    hn: Array
    h: Array


@checked(step_inputs(GRUParams))
def gru_step(x: Array, h_prev: Array, params: GRUParams) -> GRUStep:
    r"""One GRU step in PyTorch's convention (gates $r, z, n$).

    $$ \begin{aligned}
    r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}), \\
    z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}), \\
    n_t &= \tanh\bigl(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})\bigr), \\
    h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}.
    \end{aligned} $$

    ``hn`` in the result is $W_{hn} h_{t-1} + b_{hn}$.
    """
    H = params.H
    gi = x @ _t(params.W_ih) + params.b_ih[..., None, :]
    gh = h_prev @ _t(params.W_hh) + params.b_hh[..., None, :]
    r = _sigmoid(gi[..., :H] + gh[..., :H])
    z = _sigmoid(gi[..., H:2 * H] + gh[..., H:2 * H])
    hn = gh[..., 2 * H:]
    n = np.tanh(gi[..., 2 * H:] + r * hn)
    h = (1.0 - z) * n + z * h_prev
    return GRUStep(x, h_prev, r, z, n, hn, h)


@checked(step_cotangents(GRUParams, GRUStep))
def gru_step_backward(dh: Array, step: GRUStep, params: GRUParams) -> tuple[Array, Array, Array]:
    r"""Vector–Jacobian product of one GRU step, from $\bar h_t$ to the step's inputs.

    $$ \begin{aligned}
    \bar a_n &= \bar h_t \odot (1 - z_t) \odot (1 - n_t^2), \quad
    \bar a_z = \bar h_t \odot (h_{t-1} - n_t) \odot z_t(1 - z_t), \\
    \bar a_r &= \bar a_n \odot (W_{hn} h_{t-1} + b_{hn}) \odot r_t(1 - r_t), \\
    \bar h_{t-1} &= \bar h_t \odot z_t + [\bar a_r, \bar a_z, \bar a_n \odot r_t]\, W_{hh},
    \qquad \bar x_t = [\bar a_r, \bar a_z, \bar a_n]\, W_{ih}.
    \end{aligned} $$

    Returns ``(dgi, dgh, dh_prev)``: the gradients of $W_{ih} x_t + b_{ih}$ and of
    $W_{hh} h_{t-1} + b_{hh}$, and $\bar h_{t-1}$. ``dh`` may carry extra leading axes.
    """
    da_n = dh * (1.0 - step.z) * (1.0 - step.n * step.n)
    da_z = dh * (step.h_prev - step.n) * step.z * (1.0 - step.z)
    da_r = da_n * step.hn * step.r * (1.0 - step.r)
    dgi = np.concatenate([da_r, da_z, da_n], axis=-1)
    dgh = np.concatenate([da_r, da_z, da_n * step.r], axis=-1)
    return dgi, dgh, dh * step.z + dgh @ params.W_hh


@checked(run_inputs(GRUParams))
def gru_forward(xs: Array, h0: Array, params: GRUParams) -> list[GRUStep]:
    r"""Run a GRU over a sequence ``xs`` $(T, B, D)$ from $h_0$; one ``GRUStep`` per time step."""
    h = h0
    steps = []
    for x in xs:
        s = gru_step.unchecked(x, h, params)
        steps.append(s)
        h = s.h
    return steps


@dataclass(frozen=True)
class GRUGrads:
    """Gradients of a loss with respect to everything a GRU run depends on."""

    dxs: Array
    dh0: Array
    dW_ih: Array  # noqa: N815
    dW_hh: Array  # noqa: N815
    db_ih: Array
    db_hh: Array


@checked(run_cotangents(GRUParams, GRUStep, 'gru_forward'))
def gru_backward(dhs: Array, steps: list[GRUStep], params: GRUParams) -> GRUGrads:
    r"""Backpropagation through time for a GRU run; ``dhs`` $(T, B, H)$ holds $\partial L/\partial h_t$.

    $$ \bar h_{t-1} = \texttt{dhs}_{t-1} + \bar h_t \odot z_t + \bar a^{h}_t W_{hh}, \quad
       \bar W_{ih} = \sum_t (\bar a^{x}_t)^{\top} x_t, \quad
       \bar W_{hh} = \sum_t (\bar a^{h}_t)^{\top} h_{t-1} . $$
    """
    T, state_shape, dtype = len(steps), steps[0].h.shape, steps[0].h.dtype
    dh = np.zeros(state_shape, dtype)
    dxs = np.empty((T, *state_shape[:-1], params.D), dtype)
    dW_ih, dW_hh = np.zeros_like(params.W_ih), np.zeros_like(params.W_hh)
    db_ih, db_hh = np.zeros_like(params.b_ih), np.zeros_like(params.b_hh)
    for t in range(T - 1, -1, -1):
        s = steps[t]
        dgi, dgh, dh = gru_step_backward.unchecked(dh + dhs[t], s, params)
        dxs[t] = dgi @ params.W_ih
        dW_ih += _t(dgi) @ s.x
        dW_hh += _t(dgh) @ s.h_prev
        db_ih += dgi.sum(axis=-2)
        db_hh += dgh.sum(axis=-2)
    return GRUGrads(dxs, dh, dW_ih, dW_hh, db_ih, db_hh)


# ---------------------------------------------------------------------------- tanh RNN


@dataclass(frozen=True)
class TanhRNNStep:
    """What one tanh-RNN step keeps for its backward pass."""

    x: Array
    h_prev: Array
    h: Array


@checked(step_inputs(TanhRNNParams))
def tanh_rnn_step(x: Array, h_prev: Array, params: TanhRNNParams) -> TanhRNNStep:
    r"""One step of a plain tanh RNN, $h_t = \tanh(W_{ih} x_t + W_{hh} h_{t-1} + b)$."""
    return TanhRNNStep(x, h_prev, np.tanh(x @ _t(params.W_ih) + h_prev @ _t(params.W_hh) + params.b[..., None, :]))


@checked(step_cotangents(TanhRNNParams, TanhRNNStep))
def tanh_rnn_step_backward(dh: Array, step: TanhRNNStep, params: TanhRNNParams) -> tuple[Array, Array]:
    r"""Vector–Jacobian product of one tanh-RNN step.

    $$ \bar a_t = \bar h_t \odot (1 - h_t^2), \qquad \bar h_{t-1} = \bar a_t W_{hh},
       \qquad \bar x_t = \bar a_t W_{ih}. $$

    Returns ``(da, dh_prev)``; ``dh`` may carry extra leading axes.
    """
    da = dh * (1.0 - step.h * step.h)
    return da, da @ params.W_hh


@checked(run_inputs(TanhRNNParams))
def tanh_rnn_forward(xs: Array, h0: Array, params: TanhRNNParams) -> list[TanhRNNStep]:
    r"""Run a tanh RNN over ``xs`` $(T, B, D)$ from $h_0$; one ``TanhRNNStep`` per time step."""
    h = h0
    steps = []
    for x in xs:
        s = tanh_rnn_step.unchecked(x, h, params)
        steps.append(s)
        h = s.h
    return steps


@dataclass(frozen=True)
class TanhRNNGrads:
    """Gradients of a loss with respect to everything a tanh-RNN run depends on."""

    dxs: Array
    dh0: Array
    dW_ih: Array  # noqa: N815
    dW_hh: Array  # noqa: N815
    db: Array


@checked(run_cotangents(TanhRNNParams, TanhRNNStep, 'tanh_rnn_forward'))
def tanh_rnn_backward(dhs: Array, steps: list[TanhRNNStep], params: TanhRNNParams) -> TanhRNNGrads:
    r"""Backpropagation through time for a tanh-RNN run; ``dhs`` $(T, B, H)$ holds $\partial L/\partial h_t$.

    $$ \bar h_{t-1} = \texttt{dhs}_{t-1} + \bigl(\bar h_t \odot (1 - h_t^2)\bigr) W_{hh} . $$
    """
    T, state_shape, dtype = len(steps), steps[0].h.shape, steps[0].h.dtype
    dh = np.zeros(state_shape, dtype)
    dxs = np.empty((T, *state_shape[:-1], params.D), dtype)
    dW_ih, dW_hh, db = np.zeros_like(params.W_ih), np.zeros_like(params.W_hh), np.zeros_like(params.b)
    for t in range(T - 1, -1, -1):
        s = steps[t]
        da, dh = tanh_rnn_step_backward.unchecked(dh + dhs[t], s, params)
        dxs[t] = da @ params.W_ih
        dW_ih += _t(da) @ s.x
        dW_hh += _t(da) @ s.h_prev
        db += da.sum(axis=-2)
    return TanhRNNGrads(dxs, dh, dW_ih, dW_hh, db)


# ---------------------------------------------------------------------------- the cell path


def forget_path_gain(fs: Array) -> Array:
    r"""Gain of the LSTM's direct cell path, $\partial c_T/\partial c_0 \,|_{\text{cell path}} = \prod_{t=1}^{T} f_t$.

    ``fs`` has shape $(T, \ldots)$ with every entry in $[0, 1]$; the product runs over axis 0,
    unit by unit (the Jacobian of the path is diagonal).
    """
    fs = _array("fs", fs)
    if fs.ndim < 1 or fs.shape[0] < 1:
        raise ValueError(f"fs must have a time axis of length >= 1, got shape {fs.shape}")
    if np.any(fs < 0.0) or np.any(fs > 1.0):
        raise ValueError("fs must lie in [0, 1] (they are sigmoid outputs)")
    return np.prod(fs, axis=0)


def constant_forget_gain(f_bar: float, T: int) -> float:
    r"""The cell-path gain when the forget gate is held at $\bar f$: $\bar f^{\,T}$."""
    f_bar = real("f_bar", f_bar)
    if isinstance(f_bar, np.ndarray) or not 0.0 <= f_bar <= 1.0:
        raise ValueError(f"f_bar must be a single number in [0, 1], got {f_bar!r}")
    T = positive_int("T", T, minimum=0)
    return float(f_bar) ** T


# ---------------------------------------------------------------------------- the first-input loss


def first_input_loss(h: Array, y: Array) -> Array:
    r"""Loss of each sequence, read from its last hidden state: $\ell = \tfrac12 \lVert h_T - y \rVert^2$."""
    h, y = _array("h", h, 2), _array("y", y, 2)
    shape("y", y, h.shape)
    return 0.5 * np.sum((h - y) ** 2, axis=-1)


def first_input_loss_grad(h: Array, y: Array) -> Array:
    r"""Gradient of $\ell = \tfrac12 \lVert h_T - y \rVert^2$ with respect to $h_T$: $h_T - y$."""
    h, y = _array("h", h, 2), _array("y", y, 2)
    shape("y", y, h.shape)
    return h - y


# ---------------------------------------------------------------------------- sizes


def lstm_parameter_count(D: int, H: int) -> int:
    r"""Parameters of one LSTM layer as PyTorch stores them (two bias vectors): $4H(D + H + 2)$."""
    D, H = positive_int("D", D), positive_int("H", H)
    return 4 * H * (D + H + 2)


def gru_parameter_count(D: int, H: int) -> int:
    r"""Parameters of one GRU layer as PyTorch stores them: $3H(D + H + 2)$."""
    D, H = positive_int("D", D), positive_int("H", H)
    return 3 * H * (D + H + 2)
