# LSTM and GRU cells in PyTorch's gate convention: forward, hand-written BPTT, gradient-decay experiments.
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
use this to push the gradients of many losses through one sweep over time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from vgdocs._validate import positive_int, real

Array = NDArray[np.float64]


# ---------------------------------------------------------------------------- validation


def _array(name: str, value: object, ndim: int | None = None) -> Array:
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{name} must be a numpy array of real numbers, got {type(value).__name__}")
    out = real(name, value)
    assert isinstance(out, np.ndarray)
    if ndim is not None and out.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {out.shape}")
    return out


def _shape(name: str, value: Array, shape: tuple[int, ...]) -> None:
    if value.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {value.shape}")


def _sigmoid(a: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _sequence(xs: object, D: int) -> Array:
    xs = _array("xs", xs, 3)
    if xs.shape[0] < 1 or xs.shape[1] < 1:
        raise ValueError(f"xs must have shape (T, B, D) with T >= 1 and B >= 1, got {xs.shape}")
    _shape("xs", xs, (xs.shape[0], xs.shape[1], D))
    return xs


def _state(name: str, value: object, B: int, H: int) -> Array:
    out = _array(name, value, 2)
    _shape(name, out, (B, H))
    return out


def _cotangent(name: str, value: object, B: int, H: int) -> Array:
    out = _array(name, value)
    if out.ndim < 2 or out.shape[-2:] != (B, H):
        raise ValueError(f"{name} must have shape (..., {B}, {H}), got {out.shape}")
    return out


# ---------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class LSTMParams:
    r"""LSTM weights in PyTorch's layout: gate rows stacked as $(i, f, g, o)$.

    ``W_ih``: $(4H, D)$, ``W_hh``: $(4H, H)$, ``b``: $(4H,)$ (PyTorch's ``b_ih + b_hh``).
    """

    W_ih: Array
    W_hh: Array
    b: Array

    def __post_init__(self) -> None:
        W_hh = _array("W_hh", self.W_hh, 2)
        if W_hh.shape[0] < 4 or W_hh.shape[0] != 4 * W_hh.shape[1]:
            raise ValueError(f"W_hh must have shape (4H, H) with H >= 1, got {W_hh.shape}")
        H = W_hh.shape[1]
        W_ih = _array("W_ih", self.W_ih, 2)
        if W_ih.shape[0] != 4 * H or W_ih.shape[1] < 1:
            raise ValueError(f"W_ih must have shape (4H, D) = ({4 * H}, D) with D >= 1, got {W_ih.shape}")
        b = _array("b", self.b, 1)
        _shape("b", b, (4 * H,))
        object.__setattr__(self, "W_ih", W_ih)
        object.__setattr__(self, "W_hh", W_hh)
        object.__setattr__(self, "b", b)

    @property
    def H(self) -> int:
        """Hidden width $H$."""
        return self.W_hh.shape[1]

    @property
    def D(self) -> int:
        """Input width $D$."""
        return self.W_ih.shape[1]


@dataclass(frozen=True)
class GRUParams:
    r"""GRU weights in PyTorch's layout: gate rows stacked as $(r, z, n)$.

    ``W_ih``: $(3H, D)$, ``W_hh``: $(3H, H)$, ``b_ih``, ``b_hh``: $(3H,)$.
    """

    W_ih: Array
    W_hh: Array
    b_ih: Array
    b_hh: Array

    def __post_init__(self) -> None:
        W_hh = _array("W_hh", self.W_hh, 2)
        if W_hh.shape[0] < 3 or W_hh.shape[0] != 3 * W_hh.shape[1]:
            raise ValueError(f"W_hh must have shape (3H, H) with H >= 1, got {W_hh.shape}")
        H = W_hh.shape[1]
        W_ih = _array("W_ih", self.W_ih, 2)
        if W_ih.shape[0] != 3 * H or W_ih.shape[1] < 1:
            raise ValueError(f"W_ih must have shape (3H, D) = ({3 * H}, D) with D >= 1, got {W_ih.shape}")
        b_ih = _array("b_ih", self.b_ih, 1)
        b_hh = _array("b_hh", self.b_hh, 1)
        _shape("b_ih", b_ih, (3 * H,))
        _shape("b_hh", b_hh, (3 * H,))
        for name, val in (("W_ih", W_ih), ("W_hh", W_hh), ("b_ih", b_ih), ("b_hh", b_hh)):
            object.__setattr__(self, name, val)

    @property
    def H(self) -> int:
        """Hidden width $H$."""
        return self.W_hh.shape[1]

    @property
    def D(self) -> int:
        """Input width $D$."""
        return self.W_ih.shape[1]


@dataclass(frozen=True)
class TanhRNNParams:
    r"""Plain tanh RNN weights: ``W_ih``: $(H, D)$, ``W_hh``: $(H, H)$, ``b``: $(H,)$."""

    W_ih: Array
    W_hh: Array
    b: Array

    def __post_init__(self) -> None:
        W_hh = _array("W_hh", self.W_hh, 2)
        if W_hh.shape[0] < 1 or W_hh.shape[0] != W_hh.shape[1]:
            raise ValueError(f"W_hh must have shape (H, H) with H >= 1, got {W_hh.shape}")
        H = W_hh.shape[1]
        W_ih = _array("W_ih", self.W_ih, 2)
        if W_ih.shape[0] != H or W_ih.shape[1] < 1:
            raise ValueError(f"W_ih must have shape (H, D) = ({H}, D) with D >= 1, got {W_ih.shape}")
        b = _array("b", self.b, 1)
        _shape("b", b, (H,))
        object.__setattr__(self, "W_ih", W_ih)
        object.__setattr__(self, "W_hh", W_hh)
        object.__setattr__(self, "b", b)

    @property
    def H(self) -> int:
        """Hidden width $H$."""
        return self.W_hh.shape[1]

    @property
    def D(self) -> int:
        """Input width $D$."""
        return self.W_ih.shape[1]


def _rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


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
    D, H, rng = positive_int("D", D), positive_int("H", H), _rng(rng)
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
    D, H, rng = positive_int("D", D), positive_int("H", H), _rng(rng)
    k = pytorch_init_bound(H)
    return GRUParams(rng.uniform(-k, k, (3 * H, D)), rng.uniform(-k, k, (3 * H, H)),
                     rng.uniform(-k, k, 3 * H), rng.uniform(-k, k, 3 * H))


def init_tanh_rnn(D: int, H: int, rng: np.random.Generator) -> TanhRNNParams:
    r"""A tanh RNN with PyTorch's default initialisation.

    Every weight, and each of the two bias vectors $b_{ih}$ and $b_{hh}$, is drawn from
    $\mathcal U(-1/\sqrt H, 1/\sqrt H)$; ``b`` is their sum.
    """
    D, H, rng = positive_int("D", D), positive_int("H", H), _rng(rng)
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
    if not isinstance(params, LSTMParams):
        raise ValueError(f"params must be LSTMParams, got {type(params).__name__}")
    H, D = params.H, params.D
    x = _array("x", x, 2)
    _shape("x", x, (x.shape[0], D))
    h_prev = _state("h_prev", h_prev, x.shape[0], H)
    c_prev = _state("c_prev", c_prev, x.shape[0], H)
    return _lstm_step(x, h_prev, c_prev, params)


def _lstm_step(x: Array, h_prev: Array, c_prev: Array, p: LSTMParams) -> LSTMStep:
    H = p.H
    a = x @ p.W_ih.T + h_prev @ p.W_hh.T + p.b
    i = _sigmoid(a[:, :H])
    f = _sigmoid(a[:, H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = _sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return LSTMStep(x, h_prev, c_prev, i, f, g, o, c, h)


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
    if not isinstance(params, LSTMParams):
        raise ValueError(f"params must be LSTMParams, got {type(params).__name__}")
    if not isinstance(step, LSTMStep):
        raise ValueError(f"step must be an LSTMStep, got {type(step).__name__}")
    B, H = step.h.shape
    dh = _cotangent("dh", dh, B, H)
    dc = _cotangent("dc", dc, B, H)
    return _lstm_step_backward(dh, dc, step, params)


def _lstm_step_backward(dh: Array, dc: Array, s: LSTMStep, p: LSTMParams) -> tuple[Array, Array, Array]:
    tc = np.tanh(s.c)
    dct = dc + dh * s.o * (1.0 - tc * tc)
    da = np.concatenate([
        dct * s.g * s.i * (1.0 - s.i),
        dct * s.c_prev * s.f * (1.0 - s.f),
        dct * s.i * (1.0 - s.g * s.g),
        dh * tc * s.o * (1.0 - s.o),
    ], axis=-1)
    return da, da @ p.W_hh, dct * s.f


def lstm_forward(xs: Array, h0: Array, c0: Array, params: LSTMParams) -> list[LSTMStep]:
    r"""Run an LSTM over a sequence ``xs`` $(T, B, D)$ from $(h_0, c_0)$; one ``LSTMStep`` per time step."""
    if not isinstance(params, LSTMParams):
        raise ValueError(f"params must be LSTMParams, got {type(params).__name__}")
    xs = _sequence(xs, params.D)
    h = _state("h0", h0, xs.shape[1], params.H)
    c = _state("c0", c0, xs.shape[1], params.H)
    steps = []
    for x in xs:
        s = _lstm_step(x, h, c, params)
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
    if not isinstance(params, LSTMParams):
        raise ValueError(f"params must be LSTMParams, got {type(params).__name__}")
    if not isinstance(steps, list) or not steps or not all(isinstance(s, LSTMStep) for s in steps):
        raise ValueError("steps must be a non-empty list of LSTMStep, as returned by lstm_forward")
    T = len(steps)
    B, H = steps[0].h.shape
    dhs = _array("dhs", dhs, 3)
    _shape("dhs", dhs, (T, B, H))
    dc = np.zeros((B, H)) if dc_last is None else _state("dc_last", dc_last, B, H)
    dh = np.zeros((B, H))
    dxs = np.empty((T, B, params.D))
    dW_ih, dW_hh, db = np.zeros_like(params.W_ih), np.zeros_like(params.W_hh), np.zeros_like(params.b)
    for t in range(T - 1, -1, -1):
        s = steps[t]
        da, dh, dc = _lstm_step_backward(dh + dhs[t], dc, s, params)
        dxs[t] = da @ params.W_ih
        dW_ih += da.T @ s.x
        dW_hh += da.T @ s.h_prev
        db += da.sum(axis=0)
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
    if not isinstance(params, GRUParams):
        raise ValueError(f"params must be GRUParams, got {type(params).__name__}")
    x = _array("x", x, 2)
    _shape("x", x, (x.shape[0], params.D))
    h_prev = _state("h_prev", h_prev, x.shape[0], params.H)
    return _gru_step(x, h_prev, params)


def _gru_step(x: Array, h_prev: Array, p: GRUParams) -> GRUStep:
    H = p.H
    gi = x @ p.W_ih.T + p.b_ih
    gh = h_prev @ p.W_hh.T + p.b_hh
    r = _sigmoid(gi[:, :H] + gh[:, :H])
    z = _sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    hn = gh[:, 2 * H:]
    n = np.tanh(gi[:, 2 * H:] + r * hn)
    h = (1.0 - z) * n + z * h_prev
    return GRUStep(x, h_prev, r, z, n, hn, h)


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
    if not isinstance(params, GRUParams):
        raise ValueError(f"params must be GRUParams, got {type(params).__name__}")
    if not isinstance(step, GRUStep):
        raise ValueError(f"step must be a GRUStep, got {type(step).__name__}")
    B, H = step.h.shape
    dh = _cotangent("dh", dh, B, H)
    return _gru_step_backward(dh, step, params)


def _gru_step_backward(dh: Array, s: GRUStep, p: GRUParams) -> tuple[Array, Array, Array]:
    da_n = dh * (1.0 - s.z) * (1.0 - s.n * s.n)
    da_z = dh * (s.h_prev - s.n) * s.z * (1.0 - s.z)
    da_r = da_n * s.hn * s.r * (1.0 - s.r)
    dgi = np.concatenate([da_r, da_z, da_n], axis=-1)
    dgh = np.concatenate([da_r, da_z, da_n * s.r], axis=-1)
    return dgi, dgh, dh * s.z + dgh @ p.W_hh


def gru_forward(xs: Array, h0: Array, params: GRUParams) -> list[GRUStep]:
    r"""Run a GRU over a sequence ``xs`` $(T, B, D)$ from $h_0$; one ``GRUStep`` per time step."""
    if not isinstance(params, GRUParams):
        raise ValueError(f"params must be GRUParams, got {type(params).__name__}")
    xs = _sequence(xs, params.D)
    h = _state("h0", h0, xs.shape[1], params.H)
    steps = []
    for x in xs:
        s = _gru_step(x, h, params)
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


def gru_backward(dhs: Array, steps: list[GRUStep], params: GRUParams) -> GRUGrads:
    r"""Backpropagation through time for a GRU run; ``dhs`` $(T, B, H)$ holds $\partial L/\partial h_t$.

    $$ \bar h_{t-1} = \texttt{dhs}_{t-1} + \bar h_t \odot z_t + \bar a^{h}_t W_{hh}, \quad
       \bar W_{ih} = \sum_t (\bar a^{x}_t)^{\top} x_t, \quad
       \bar W_{hh} = \sum_t (\bar a^{h}_t)^{\top} h_{t-1} . $$
    """
    if not isinstance(params, GRUParams):
        raise ValueError(f"params must be GRUParams, got {type(params).__name__}")
    if not isinstance(steps, list) or not steps or not all(isinstance(s, GRUStep) for s in steps):
        raise ValueError("steps must be a non-empty list of GRUStep, as returned by gru_forward")
    T = len(steps)
    B, H = steps[0].h.shape
    dhs = _array("dhs", dhs, 3)
    _shape("dhs", dhs, (T, B, H))
    dh = np.zeros((B, H))
    dxs = np.empty((T, B, params.D))
    dW_ih, dW_hh = np.zeros_like(params.W_ih), np.zeros_like(params.W_hh)
    db_ih, db_hh = np.zeros_like(params.b_ih), np.zeros_like(params.b_hh)
    for t in range(T - 1, -1, -1):
        s = steps[t]
        dgi, dgh, dh = _gru_step_backward(dh + dhs[t], s, params)
        dxs[t] = dgi @ params.W_ih
        dW_ih += dgi.T @ s.x
        dW_hh += dgh.T @ s.h_prev
        db_ih += dgi.sum(axis=0)
        db_hh += dgh.sum(axis=0)
    return GRUGrads(dxs, dh, dW_ih, dW_hh, db_ih, db_hh)


# ---------------------------------------------------------------------------- tanh RNN


@dataclass(frozen=True)
class TanhRNNStep:
    """What one tanh-RNN step keeps for its backward pass."""

    x: Array
    h_prev: Array
    h: Array


def tanh_rnn_step(x: Array, h_prev: Array, params: TanhRNNParams) -> TanhRNNStep:
    r"""One step of a plain tanh RNN, $h_t = \tanh(W_{ih} x_t + W_{hh} h_{t-1} + b)$."""
    if not isinstance(params, TanhRNNParams):
        raise ValueError(f"params must be TanhRNNParams, got {type(params).__name__}")
    x = _array("x", x, 2)
    _shape("x", x, (x.shape[0], params.D))
    h_prev = _state("h_prev", h_prev, x.shape[0], params.H)
    return _tanh_rnn_step(x, h_prev, params)


def _tanh_rnn_step(x: Array, h_prev: Array, p: TanhRNNParams) -> TanhRNNStep:
    return TanhRNNStep(x, h_prev, np.tanh(x @ p.W_ih.T + h_prev @ p.W_hh.T + p.b))


def tanh_rnn_step_backward(dh: Array, step: TanhRNNStep, params: TanhRNNParams) -> tuple[Array, Array]:
    r"""Vector–Jacobian product of one tanh-RNN step.

    $$ \bar a_t = \bar h_t \odot (1 - h_t^2), \qquad \bar h_{t-1} = \bar a_t W_{hh},
       \qquad \bar x_t = \bar a_t W_{ih}. $$

    Returns ``(da, dh_prev)``; ``dh`` may carry extra leading axes.
    """
    if not isinstance(params, TanhRNNParams):
        raise ValueError(f"params must be TanhRNNParams, got {type(params).__name__}")
    if not isinstance(step, TanhRNNStep):
        raise ValueError(f"step must be an TanhRNNStep, got {type(step).__name__}")
    B, H = step.h.shape
    dh = _cotangent("dh", dh, B, H)
    return _tanh_rnn_step_backward(dh, step, params)


def _tanh_rnn_step_backward(dh: Array, s: TanhRNNStep, p: TanhRNNParams) -> tuple[Array, Array]:
    da = dh * (1.0 - s.h * s.h)
    return da, da @ p.W_hh


def tanh_rnn_forward(xs: Array, h0: Array, params: TanhRNNParams) -> list[TanhRNNStep]:
    r"""Run a tanh RNN over ``xs`` $(T, B, D)$ from $h_0$; one ``TanhRNNStep`` per time step."""
    if not isinstance(params, TanhRNNParams):
        raise ValueError(f"params must be TanhRNNParams, got {type(params).__name__}")
    xs = _sequence(xs, params.D)
    h = _state("h0", h0, xs.shape[1], params.H)
    steps = []
    for x in xs:
        s = _tanh_rnn_step(x, h, params)
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


def tanh_rnn_backward(dhs: Array, steps: list[TanhRNNStep], params: TanhRNNParams) -> TanhRNNGrads:
    r"""Backpropagation through time for a tanh-RNN run; ``dhs`` $(T, B, H)$ holds $\partial L/\partial h_t$.

    $$ \bar h_{t-1} = \texttt{dhs}_{t-1} + \bigl(\bar h_t \odot (1 - h_t^2)\bigr) W_{hh} . $$
    """
    if not isinstance(params, TanhRNNParams):
        raise ValueError(f"params must be TanhRNNParams, got {type(params).__name__}")
    if not isinstance(steps, list) or not steps or not all(isinstance(s, TanhRNNStep) for s in steps):
        raise ValueError("steps must be a non-empty list of TanhRNNStep, as returned by tanh_rnn_forward")
    T = len(steps)
    B, H = steps[0].h.shape
    dhs = _array("dhs", dhs, 3)
    _shape("dhs", dhs, (T, B, H))
    dh = np.zeros((B, H))
    dxs = np.empty((T, B, params.D))
    dW_ih, dW_hh, db = np.zeros_like(params.W_ih), np.zeros_like(params.W_hh), np.zeros_like(params.b)
    for t in range(T - 1, -1, -1):
        s = steps[t]
        da, dh = _tanh_rnn_step_backward(dh + dhs[t], s, params)
        dxs[t] = da @ params.W_ih
        dW_ih += da.T @ s.x
        dW_hh += da.T @ s.h_prev
        db += da.sum(axis=0)
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


# ---------------------------------------------------------------------------- the experiment


def first_input_task(T: int, B: int, D: int, H: int, rng: np.random.Generator) -> tuple[Array, Array]:
    r"""Inputs $x_t \sim \mathcal N(0, I_D)$ for $t = 1..T$ and targets $y = \tanh(x_1 P)$, $P \sim \mathcal N(0, 1/D)$.

    The target depends on the first input only. Returns ``xs`` $(T, B, D)$ and ``y`` $(B, H)$.
    """
    T, B, D, H, rng = (positive_int("T", T), positive_int("B", B), positive_int("D", D),
                       positive_int("H", H), _rng(rng))
    P = rng.normal(0.0, 1.0 / math.sqrt(D), (D, H))
    xs = rng.normal(0.0, 1.0, (T, B, D))
    return xs, np.tanh(xs[0] @ P)


def first_input_loss(h: Array, y: Array) -> Array:
    r"""Loss of each sequence, read from its last hidden state: $\ell = \tfrac12 \lVert h_T - y \rVert^2$."""
    h, y = _array("h", h, 2), _array("y", y, 2)
    _shape("y", y, h.shape)
    return 0.5 * np.sum((h - y) ** 2, axis=-1)


def first_input_loss_grad(h: Array, y: Array) -> Array:
    r"""Gradient of $\ell = \tfrac12 \lVert h_T - y \rVert^2$ with respect to $h_T$: $h_T - y$."""
    h, y = _array("h", h, 2), _array("y", y, 2)
    _shape("y", y, h.shape)
    return h - y


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
    xs = _sequence(xs, params.D)
    Tmax, B = xs.shape[:2]
    H = params.H
    y = _state("y", y, B, H)
    zero = np.zeros((B, H))
    dh = np.zeros((Tmax, B, H))
    if isinstance(params, LSTMParams):
        steps = lstm_forward(xs, zero, zero, params)
        dc = np.zeros((Tmax, B, H))
        for t in range(Tmax, 0, -1):
            s = steps[t - 1]
            dh[t - 1] = s.h - y
            _, dh[t - 1:], dc[t - 1:] = _lstm_step_backward(dh[t - 1:], dc[t - 1:], s, params)
        return {"dh0": dh, "dc0": dc}
    if isinstance(params, GRUParams):
        gsteps = gru_forward(xs, zero, params)
        for t in range(Tmax, 0, -1):
            s = gsteps[t - 1]
            dh[t - 1] = s.h - y
            dh[t - 1:] = _gru_step_backward(dh[t - 1:], s, params)[2]
        return {"dh0": dh}
    rsteps = tanh_rnn_forward(xs, zero, params)
    for t in range(Tmax, 0, -1):
        s = rsteps[t - 1]
        dh[t - 1] = s.h - y
        dh[t - 1:] = _tanh_rnn_step_backward(dh[t - 1:], s, params)[1]
    return {"dh0": dh}


def cell_path_gradients(steps: list[LSTMStep], y: Array) -> Array:
    r"""The part of $\partial \ell_T/\partial c_0$ that travels along the cell state alone, for every $T$.

    $$ \frac{\partial \ell_T}{\partial c_0}\Big|_{\text{cell path}}
       = \bigl(h_T - y\bigr) \odot o_T \odot \bigl(1 - \tanh^2 c_T\bigr) \odot \prod_{t=1}^{T} f_t $$

    (the loss reaches $c_T$ through $h_T = o_T \odot \tanh c_T$, then $c_T$ goes back to $c_0$
    through the forget gates only). Returns shape $(T_{\max}, B, H)$.
    """
    if not isinstance(steps, list) or not steps or not all(isinstance(s, LSTMStep) for s in steps):
        raise ValueError("steps must be a non-empty list of LSTMStep, as returned by lstm_forward")
    B, H = steps[0].h.shape
    y = _state("y", y, B, H)
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


def lstm_parameter_count(D: int, H: int) -> int:
    r"""Parameters of one LSTM layer as PyTorch stores them (two bias vectors): $4H(D + H + 2)$."""
    D, H = positive_int("D", D), positive_int("H", H)
    return 4 * H * (D + H + 2)


def gru_parameter_count(D: int, H: int) -> int:
    r"""Parameters of one GRU layer as PyTorch stores them: $3H(D + H + 2)$."""
    D, H = positive_int("D", D), positive_int("H", H)
    return 3 * H * (D + H + 2)


def matrix_spectral_radius(W: Array) -> float:
    r"""Spectral radius $\rho(W) = \max_k |\lambda_k(W)|$ of a square matrix."""
    W = _array("W", W, 2)
    if W.shape[0] != W.shape[1] or W.shape[0] < 1:
        raise ValueError(f"W must be a non-empty square matrix, got shape {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def uniform_init_radius() -> float:
    r"""Circular-law radius of an $H \times H$ matrix with entries $\mathcal U(-1/\sqrt H, 1/\sqrt H)$.

    Each entry has variance $k^2/3 = 1/(3H)$, so the eigenvalues fill a disc of radius
    $\sqrt{H \cdot 1/(3H)} = 1/\sqrt 3$ as $H \to \infty$.
    """
    return 1.0 / math.sqrt(3.0)


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


# ---------------------------------------------------------------------------
# What the "LSTM and GRU" page shows.

from vgdocs.activations import sigmoid  # noqa: E402
from vgdocs.registry import figure, number  # noqa: E402

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
number("gate_rnn_radius", ".3f")(lambda: matrix_spectral_radius(_tanh_rnn_params().W_hh))
number("gate_rnn_radius_theory", ".3f")(uniform_init_radius)
number("gate_rnn_tanh_prime", ".3f")(tanh_rnn_mean_slope)
number("gate_rnn_rate_pred", ".3f")(lambda: matrix_spectral_radius(_tanh_rnn_params().W_hh) * tanh_rnn_mean_slope())

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
