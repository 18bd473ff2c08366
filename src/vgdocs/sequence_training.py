# Training recurrent cells on long-lag tasks with their own hand-written backpropagation through time.
r"""Sequence regressors trained on a task such as the adding problem (:func:`vgdocs.datasets.adding_problem`).

A model reads a sequence $x_1, \dots, x_T$ with one of four recurrent cells and predicts one
number from its last state, $\hat y = w^\top h_T + c$. The cells are

- ``"lstm"`` and ``"gru"``: the cells of :mod:`vgdocs.gated_cells`, with their forward and
  backward passes through time;
- ``"tanh"`` and ``"irnn"``: a plain recurrent network, $h_t = \phi([x_t, h_{t-1}]\, W^\top + b)$,
  each step one dense layer of :mod:`vgdocs.deep_stacks` applied to the input and the previous
  state side by side; ``"irnn"`` is the ReLU network whose recurrent weights start as the
  identity and whose biases start at zero (Le, Jaitly and Hinton, 2015).

Several models of one cell train at once, stacked along a leading axis of length $M$: each may
read sequences of its own length $T_m \le T$ (its prediction is taken at step $T_m$), so the lags
of an experiment share one loop over time. Training minimises the mean squared error with Adam,
with every model's gradient clipped to a global norm (Pascanu, Mikolov and Bengio, 2013).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vgdocs._validate import generator, non_negative, positive, positive_int
from vgdocs.deep_stacks import layer_backward, layer_forward
from vgdocs.gated_cells import (
    GRUParams,
    LSTMParams,
    gru_backward,
    gru_forward,
    lstm_backward,
    lstm_forward,
    pytorch_init_bound,
)
from vgdocs.training import SGD, Adam, clip_by_global_norm

__all__ = ["CELLS", "SequenceHistory", "SequenceModel", "init_sequence_model", "mse", "steps_to_escape",
           "train_sequence_model"]

Array = NDArray[np.floating]
CELLS = ("tanh", "irnn", "gru", "lstm")
"""The recurrent cells a :class:`SequenceModel` can use."""


@dataclass
class SequenceModel:
    r"""$M$ models of one cell: the cell's parameters, and a read-out $\hat y = w^\top h_{T_m} + c$ per model.

    ``weights`` holds the cell's arrays (for ``"tanh"`` and ``"irnn"``: $W$ of shape
    (M, H, D + H) and $b$ (M, H); for ``"lstm"`` and ``"gru"``: the fields of
    :class:`~vgdocs.gated_cells.LSTMParams` or :class:`~vgdocs.gated_cells.GRUParams`), then
    $w$ (M, H) and $c$ (M,). ``lags[m]`` is the step $T_m$ at which model $m$ is read.
    """

    cell: str
    weights: list[Array]
    lags: NDArray[np.int64]

    @property
    def params(self) -> list[Array]:
        """Every parameter array (what an optimiser updates)."""
        return self.weights

    @property
    def H(self) -> int:
        """Width of the state."""
        return self.weights[-2].shape[-1]

    @property
    def _activation(self) -> str:
        return "tanh" if self.cell == "tanh" else "relu"

    def _cell(self) -> LSTMParams | GRUParams | None:
        if self.cell == "lstm":
            return LSTMParams.unchecked(*self.weights[:3])
        if self.cell == "gru":
            return GRUParams.unchecked(*self.weights[:4])
        return None

    def forward(self, xs: Array) -> tuple[Array, tuple]:
        """Predictions (M, B) for sequences ``xs`` (T, M, B, D), and what :meth:`backward` needs."""
        T, M, B, _ = xs.shape
        zero = np.zeros((M, B, self.H), xs.dtype)
        cell = self._cell()
        if self.cell == "lstm":
            steps = lstm_forward.unchecked(xs, zero, zero, cell)
            hs = [s.h for s in steps]
        elif self.cell == "gru":
            steps = gru_forward.unchecked(xs, zero, cell)
            hs = [s.h for s in steps]
        else:
            W, b = self.weights[:2]
            steps, hs, h = [], [], zero
            for x in xs:
                z = np.concatenate([x, h], axis=-1)
                a, h = layer_forward.unchecked(z, W, b, self._activation)
                steps.append((z, a))
                hs.append(h)
        last = np.stack([hs[t - 1][m] for m, t in enumerate(self.lags)])
        w, c = self.weights[-2:]
        return np.einsum("mbh,mh->mb", last, w) + c[:, None], (steps, last, T)

    def backward(self, cache: tuple, grad_pred: Array) -> list[Array]:
        r"""Gradients of the loss for every array of :attr:`params`, from $\partial L / \partial \hat y$ (M, B)."""
        steps, last, T = cache
        w = self.weights[-2]
        grads_w = np.einsum("mb,mbh->mh", grad_pred, last)
        grads_c = grad_pred.sum(axis=-1)
        M, B, H = last.shape
        dhs = np.zeros((T, M, B, H), last.dtype)
        for m, t in enumerate(self.lags):
            dhs[t - 1, m] = grad_pred[m, :, None] * w[m]
        cell = self._cell()
        if self.cell == "lstm":
            g = lstm_backward.unchecked(dhs, steps, cell)
            return [g.dW_ih, g.dW_hh, g.db, grads_w, grads_c]
        if self.cell == "gru":
            g = gru_backward.unchecked(dhs, steps, cell)
            return [g.dW_ih, g.dW_hh, g.db_ih, g.db_hh, grads_w, grads_c]
        W, b = self.weights[:2]
        D = W.shape[-1] - H
        dW, db, dh = np.zeros_like(W), np.zeros_like(b), np.zeros((M, B, H), last.dtype)
        for t in range(T - 1, -1, -1):
            z, a = steps[t]
            delta, g_in = layer_backward.unchecked(dh + dhs[t], a, W, self._activation)
            dW += delta.swapaxes(-1, -2) @ z
            db += delta.sum(axis=-2)
            dh = g_in[..., D:]
        return [dW, db, grads_w, grads_c]


def init_sequence_model(cell: str, D: int, H: int, lags: Sequence[int], rng: np.random.Generator, *,
                        forget_bias: float | Sequence[float] = 0.0, gain: float = 1.0,
                        dtype: type = np.float32) -> SequenceModel:
    r"""$M$ = ``len(lags)`` models of ``cell`` with PyTorch's default initialisation, stored as ``dtype``.

    Every weight and bias is drawn from $\mathcal U(-1/\sqrt H, 1/\sqrt H)$ (two bias vectors
    summed, as PyTorch keeps them, for the LSTM and the plain networks), and so is the read-out's
    $w$; $c = 0$. An LSTM's forget-gate bias is then set to ``forget_bias`` (one value, or one per
    model). ``"irnn"`` starts its recurrent weights at the identity and its bias at zero. ``gain``
    multiplies a plain network's recurrent weights. Each model draws its arrays in turn from ``rng``.
    """
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
    D, H = positive_int("D", D), positive_int("H", H)
    rng, gain = generator("rng", rng), positive("gain", gain)
    lags = np.array([positive_int(f"lags[{i}]", t) for i, t in enumerate(lags)], dtype=np.int64)
    if lags.size == 0:
        raise ValueError("lags must name at least one model")
    M, k = lags.size, pytorch_init_bound(H)
    fb = np.atleast_1d(np.asarray(forget_bias, dtype=np.float64))
    if fb.ndim != 1 or fb.size not in (1, M) or not np.all(np.isfinite(fb)):
        raise ValueError(f"forget_bias must be one finite number or one per model ({M}), got {forget_bias!r}")
    biases = np.broadcast_to(fb, (M,))

    def u(*shape: int) -> Array:
        return rng.uniform(-k, k, shape)

    models = []
    for m in range(M):
        if cell == "lstm":
            b = u(4 * H) + u(4 * H)
            arrays = [u(4 * H, D), u(4 * H, H), b]
            arrays[2][H:2 * H] = biases[m]
        elif cell == "gru":
            arrays = [u(3 * H, D), u(3 * H, H), u(3 * H), u(3 * H)]
        else:
            W_ih, W_hh, b = u(H, D), u(H, H), u(H) + u(H)
            if cell == "irnn":
                W_hh, b = np.eye(H), np.zeros(H)
            arrays = [np.concatenate([W_ih, gain * W_hh], axis=1), b]
        models.append([*arrays, u(H), np.zeros(())])
    weights = [np.stack([model[i] for model in models]).astype(dtype) for i in range(len(models[0]))]
    return SequenceModel(cell, weights, lags)


def mse(pred: Array, target: Array) -> Array:
    r"""Mean squared error of each model over its batch, $\frac1B \sum_i (\hat y_i - y_i)^2$ (last axis)."""
    return np.mean((pred - target) ** 2, axis=-1)


@dataclass
class SequenceHistory:
    """What :func:`train_sequence_model` records; the last axis runs over the $M$ models."""

    train_loss: Array
    """Mean squared error of every update's training batch, before the update, shape (updates, M)."""
    grad_norm: Array
    """Each model's global gradient norm before clipping, shape (updates, M)."""
    test_updates: NDArray[np.int64]
    """The updates after which the held-out error was measured."""
    test_loss: Array
    """Held-out mean squared error at those updates, shape (len(test_updates), M)."""
    stopped_at: NDArray[np.int64]
    """The update at which a model's loss or parameters stopped being finite (-1: never); it is frozen there."""


def train_sequence_model(model: SequenceModel, batch: Callable[[int], tuple[Array, Array]], *, updates: int,
                         lr: float, test: tuple[Array, Array], clip: float | None = None, optimiser: str = "adam",
                         test_every: int = 25) -> SequenceHistory:
    r"""Train ``model`` for ``updates`` steps on the batches ``batch(update)`` returns: ``(xs (T, M, B, D), y (M, B))``.

    The loss is :func:`mse`; its gradient goes back through time with the cell's own backward
    pass. ``clip`` caps each model's global gradient norm, ``optimiser`` is ``"adam"`` or
    ``"sgd"`` with learning rate ``lr``. Every ``test_every`` updates (and at the end) the held-out
    error on ``test`` is recorded. A model whose loss or update is no longer finite is stopped: its
    parameters keep their last finite values and its later records are NaN.
    """
    updates = positive_int("updates", updates)
    lr = non_negative("lr", lr)
    test_every = positive_int("test_every", test_every)
    if clip is not None:
        clip = positive("clip", clip)
    if optimiser not in ("adam", "sgd"):
        raise ValueError(f"optimiser must be 'adam' or 'sgd', got {optimiser!r}")
    opt = Adam() if optimiser == "adam" else SGD()
    M = model.lags.size
    alive = np.ones(M, dtype=bool)
    stopped = np.full(M, -1, dtype=np.int64)
    losses, norms, tests, test_at = [], [], [], []

    def evaluate() -> Array:
        with np.errstate(over="ignore", invalid="ignore"):
            pred, _ = model.forward(test[0])
            out = mse(pred, test[1]).astype(np.float64)
        return np.where(alive, out, np.nan)

    for step in range(updates):
        if step % test_every == 0:
            tests.append(evaluate())
            test_at.append(step)
        xs, y = batch(step)
        # A diverging model overflows; it is detected below and stopped, so no warning is needed.
        with np.errstate(over="ignore", invalid="ignore"):
            pred, cache = model.forward(xs)
            loss = mse(pred, y)
            grads = model.backward(cache, 2.0 * (pred - y) / y.shape[-1])
            norm = np.sqrt(sum(np.sum(g.reshape(M, -1).astype(np.float64) ** 2, axis=1) for g in grads))
            finite = np.isfinite(loss) & np.isfinite(norm) & alive
            stopped[alive & ~finite] = step
            alive &= finite
            losses.append(np.where(alive, loss, np.nan))
            norms.append(np.where(alive, norm, np.nan))
            if clip is not None:
                grads, _ = clip_by_global_norm(grads, clip, networks=M)
            # A stopped model keeps its last finite parameters: its update is undone. An update
            # can itself overflow (a huge step): that stops the model at this update too.
            before = [p.copy() for p in model.params]
            opt.step(model.params, grads, lr)
            landed = np.all([np.all(np.isfinite(p.reshape(M, -1)), axis=1) for p in model.params], axis=0)
            stopped[alive & ~landed] = step
            alive &= landed
            if not alive.all():
                for p, p0 in zip(model.params, before, strict=True):
                    p[...] = np.where(_axes(alive, p), p, p0)
    tests.append(evaluate())
    test_at.append(updates)
    return SequenceHistory(np.array(losses), np.array(norms), np.array(test_at), np.array(tests), stopped)


def _axes(mask: NDArray[np.bool_], like: Array) -> NDArray[np.bool_]:
    """A per-model mask shaped to broadcast against ``like`` (models on the first axis)."""
    return mask.reshape(mask.shape + (1,) * (like.ndim - 1))


def steps_to_escape(loss: Array, baseline: float, window: int = 25, level: float = 0.5) -> NDArray[np.int64]:
    r"""When each model leaves the plateau: the first update whose trailing mean loss is below ``level`` × ``baseline``.

    The mean runs over the last ``window`` training losses; ``loss`` is (updates, M) and the
    result has one entry per model (-1: never).
    """
    window = positive_int("window", window)
    baseline, level = positive("baseline", baseline), positive("level", level)
    kernel = np.ones(window) / window
    out = np.full(loss.shape[1], -1, dtype=np.int64)
    if window > loss.shape[0]:
        return out  # no trailing window fits in the run: it never left the plateau on record
    for m in range(loss.shape[1]):
        trailing = np.convolve(np.nan_to_num(loss[:, m], nan=np.inf), kernel, mode="valid")
        below = np.flatnonzero(trailing < level * baseline)
        if below.size:
            out[m] = below[0] + window - 1
    return out

