# Training dense and residual classifiers with the site's hand-written passes: losses, optimisers, instruments.
r"""A small, readable training loop over the forward and backward passes of :mod:`vgdocs.deep_stacks`.

A classifier is a stack of dense layers (:class:`MLP`) or of residual blocks built from the same
dense layers (:class:`ResidualMLP`), with a linear read-out to one score per class. Its gradient
comes from ``dense_forward`` / ``dense_backward`` — the passes the deep-stacks page tests against
finite differences — and the losses below. Several networks of the same shape can be trained at
once: every parameter then carries a leading axis of length $R$, one entry per network, and each
numpy call does the work of all of them.

:func:`train` runs mini-batch gradient descent and records, every epoch, what the training
pages plot: loss and accuracy on the training and held-out data, each layer's gradient norm
(weights, and the biases that Nielsen's chapter 5 tracks), each layer's update-to-weight ratio
(CS231n's rule of thumb puts it near $10^{-3}$), how far each layer's weights have moved, and the
fraction of dead ReLU units.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from vgdocs._validate import array, checked, generator, non_negative, positive, positive_int
from vgdocs.activations import sigmoid
from vgdocs.datasets import Split
from vgdocs.deep_stacks import activation_functions, dense_backward, dense_forward, layer_backward, layer_forward
from vgdocs.initialisation import SAMPLERS, sampler

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "History",
    "Momentum",
    "ResidualMLP",
    "accuracy",
    "clip_by_global_norm",
    "global_norm",
    "init_mlp",
    "init_residual_mlp",
    "linear_decay",
    "sigmoid_cross_entropy",
    "sigmoid_cross_entropy_grad",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "train",
]

Array = NDArray[np.float64]


# ---------------------------------------------------------------------------- losses


def _scores(z: object) -> tuple[Array]:
    return (array("z", z),)


@checked(_scores)
def softmax(z: Array) -> Array:
    r"""Class probabilities $p_c = e^{z_c} / \sum_{c'} e^{z_{c'}}$ along the last axis (shifted by $\max z$)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _scores_labels(logits: object, labels: object) -> tuple[Array, NDArray[np.int64]]:
    z = array("logits", logits)
    y = np.asarray(labels)
    if y.dtype.kind not in "iu" or y.shape != z.shape[-2:-1]:
        raise ValueError(f"labels must be integers, one per row of the scores {z.shape}, got {y.dtype} {y.shape}")
    if y.min() < 0 or y.max() >= z.shape[-1]:
        raise ValueError(f"labels must lie in 0..{z.shape[-1] - 1}, got {y.min()}..{y.max()}")
    return z, y


def _one_hot(z: Array, y: NDArray[np.int64]) -> Array:
    return np.eye(z.shape[-1], dtype=z.dtype)[y]


@checked(_scores_labels)
def softmax_cross_entropy(logits: Array, labels: NDArray[np.int64]) -> Array:
    r"""Mean cross-entropy of the softmax over a batch, $L = -\frac1B \sum_i \ln p_{i, y_i}$.

    ``logits`` is (..., B, C); the result has the leading shape (one loss per network).
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return -(log_p * _one_hot(logits, labels)).sum(axis=-1).mean(axis=-1)


@checked(_scores_labels)
def softmax_cross_entropy_grad(logits: Array, labels: NDArray[np.int64]) -> Array:
    r"""$\partial L / \partial z_{ic} = (p_{ic} - [c = y_i]) / B$ for the loss of :func:`softmax_cross_entropy`."""
    return (softmax.unchecked(logits) - _one_hot(logits, labels)) / logits.shape[-2]


@checked(_scores_labels)
def sigmoid_cross_entropy(logits: Array, labels: NDArray[np.int64]) -> Array:
    r"""Cross-entropy of one sigmoid output per class against one-hot targets, summed over classes, mean over the batch.

    $$ C = -\frac1B \sum_i \sum_c \bigl[t_{ic} \ln a_{ic} + (1 - t_{ic}) \ln (1 - a_{ic})\bigr],
       \qquad a = \sigma(z), \; t_{ic} = [c = y_i] , $$

    the cost of Nielsen's ``network2`` (written with $\ln(1 + e^{-|z|})$ so that it never overflows).
    """
    z, t = logits, _one_hot(logits, labels)
    per = np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))
    return per.sum(axis=-1).mean(axis=-1)


@checked(_scores_labels)
def sigmoid_cross_entropy_grad(logits: Array, labels: NDArray[np.int64]) -> Array:
    r"""$\partial C / \partial z_{ic} = (\sigma(z_{ic}) - t_{ic}) / B$ for the cost of :func:`sigmoid_cross_entropy`."""
    return (sigmoid.unchecked(logits) - _one_hot(logits, labels)) / logits.shape[-2]


LOSSES = {
    "softmax": (softmax_cross_entropy, softmax_cross_entropy_grad),
    "sigmoid": (sigmoid_cross_entropy, sigmoid_cross_entropy_grad),
}
"""The losses :func:`train` knows, by the name of the output: ``(loss, gradient with respect to the scores)``."""


@checked(_scores_labels)
def accuracy(logits: Array, labels: NDArray[np.int64]) -> Array:
    r"""Fraction of rows whose largest score is the label's, $\frac1B \sum_i [\arg\max_c z_{ic} = y_i]$."""
    return (logits.argmax(axis=-1) == labels).mean(axis=-1)


# ---------------------------------------------------------------------------- models


@dataclass
class MLP:
    r"""A dense classifier: hidden layers $H_k = \phi(H_{k-1} W_k^\top + b_k)$, then scores $Z = H_L V^\top + c$.

    ``weights[k]`` has shape (..., n_{k+1}, n_k) and ``biases[k]`` (..., n_{k+1}); the last pair is
    the linear read-out. A leading axis of length $R$ holds $R$ networks of the same shape.
    """

    weights: list[Array]
    biases: list[Array]
    activation: str

    @property
    def params(self) -> list[Array]:
        """Every parameter array: the weights, then the biases (what an optimiser updates)."""
        return [*self.weights, *self.biases]

    def forward(self, x: Array) -> tuple[Array, tuple]:
        """Scores for a batch ``x`` (B, n_0) and what :meth:`backward` needs."""
        hidden = dense_forward.unchecked(x, self.weights[:-1], self.biases[:-1], self.activation)
        out = dense_forward.unchecked(hidden.outputs[-1], self.weights[-1:], self.biases[-1:], "linear")
        return out.outputs[-1], (hidden, out)

    def backward(self, cache: tuple, grad_scores: Array) -> list[Array]:
        r"""Gradients of the loss for every array of :attr:`params`, from $\partial L / \partial Z$."""
        hidden, out = cache
        top = dense_backward.unchecked(out, self.weights[-1:], grad_scores)
        below = dense_backward.unchecked(hidden, self.weights[:-1], top.inputs[0])
        return [*below.weights, *top.weights, *below.biases, *top.biases]

    def hidden_outputs(self, cache: tuple) -> tuple[Array, ...]:
        r"""$H_1, \dots, H_L$ of the last forward pass (the units a dead-unit count looks at)."""
        return cache[0].outputs[1:]


@dataclass
class ResidualMLP:
    r"""A residual classifier: $H_1 = \phi(X W_0^\top + b_0)$, then blocks, then a linear read-out.

    Block $k$ adds a two-layer branch to its input,
    $H_{k+1} = H_k + \phi(H_k U_k^\top + u_k)\, V_k^\top + v_k$, built from the same dense layers as
    :class:`MLP`. ``blocks`` lists ``(U, u, V, v)`` per block; ``first`` and ``readout`` are ``(W, b)``.
    """

    first: tuple[Array, Array]
    blocks: list[tuple[Array, Array, Array, Array]]
    readout: tuple[Array, Array]
    activation: str

    @property
    def params(self) -> list[Array]:
        """The projection, every block's ``U, u, V, v``, then the read-out."""
        return [*self.first, *(p for block in self.blocks for p in block), *self.readout]

    def forward(self, x: Array) -> tuple[Array, tuple]:
        """Scores for a batch ``x`` (B, n_0) and what :meth:`backward` needs."""
        a0, h = layer_forward.unchecked(x, *self.first, self.activation)
        steps = []
        for U, u, V, v in self.blocks:
            a, inner = layer_forward.unchecked(h, U, u, self.activation)
            _, branch = layer_forward.unchecked(inner, V, v, "linear")
            steps.append((h, a, inner))
            h = h + branch
        _, scores = layer_forward.unchecked(h, *self.readout, "linear")
        return scores, (x, a0, steps, h)

    def backward(self, cache: tuple, grad_scores: Array) -> list[Array]:
        r"""Gradients of the loss for every array of :attr:`params`, from $\partial L / \partial Z$."""
        x, a0, steps, h_top = cache
        W, _ = self.readout
        _, g = layer_backward.unchecked(grad_scores, grad_scores, W, "linear")
        readout = [_transpose(grad_scores) @ h_top, grad_scores.sum(axis=-2)]
        block_grads: list[list[Array]] = []
        for (U, _u, V, _v), (h, a, inner) in zip(reversed(self.blocks), reversed(steps), strict=True):
            d_branch, g_inner = layer_backward.unchecked(g, g, V, "linear")
            d_a, g_h = layer_backward.unchecked(g_inner, a, U, self.activation)
            block_grads.append([_transpose(d_a) @ h, d_a.sum(axis=-2), _transpose(d_branch) @ inner, d_branch.sum(-2)])
            g = g + g_h
        d0, _ = layer_backward.unchecked(g, a0, self.first[0], self.activation)
        first = [_transpose(d0) @ x, d0.sum(axis=-2)]
        return [*first, *(p for grads in reversed(block_grads) for p in grads), *readout]

    def hidden_outputs(self, cache: tuple) -> tuple[Array, ...]:
        r"""The branches' hidden units $\phi(H_k U_k^\top + u_k)$ (and the projection's) of the last pass."""
        _, a0, steps, _ = cache
        phi, _ = activation_functions(self.activation)
        return (phi.unchecked(a0), *(inner for _, _, inner in steps))  # type: ignore[attr-defined]


def _transpose(a: Array) -> Array:
    return a.swapaxes(-1, -2)


def _lead(networks: int) -> tuple[int, ...]:
    return () if networks == 0 else (networks,)


def init_mlp(sizes: Sequence[int], activation: str, init: str, rng: np.random.Generator, *,
             networks: int = 0, gain: float = 1.0, readout: str = "glorot_uniform", bias_std: float = 0.0,
             dtype: type = np.float64) -> MLP:
    r"""An :class:`MLP` with layer widths ``sizes`` $= (n_0, n_1, \dots, n_L, C)$.

    Hidden weights come from the sampler ``init`` (:data:`vgdocs.initialisation.SAMPLERS`) times
    ``gain``, the read-out from the sampler ``readout``; biases are $\mathcal N(0, s^2)$ with
    $s$ = ``bias_std`` (zero by default; Nielsen's ``network2`` draws them with $s = 1$).
    ``networks`` $= R > 0$ draws $R$ networks, one after another from ``rng``, stacked along a
    leading axis. The parameters are stored as ``dtype``.
    """
    sizes = [positive_int(f"sizes[{i}]", n) for i, n in enumerate(sizes)]
    if len(sizes) < 2:
        raise ValueError(f"sizes must hold at least an input and an output width, got {sizes}")
    activation_functions(activation)
    for name, value in (("init", init), ("readout", readout)):
        if not isinstance(value, str) or value not in SAMPLERS:
            raise ValueError(f"{name} must be one of {sorted(SAMPLERS)}, got {value!r}")
    draw, draw_out = sampler(init), sampler(readout)
    rng, gain = generator("rng", rng), positive("gain", gain)
    networks = positive_int("networks", networks, minimum=0)
    bias_std = non_negative("bias_std", bias_std)

    def one() -> list[Array]:
        ws = [gain * draw(n_in, n_out, rng) for n_in, n_out in itertools.pairwise(sizes[:-1])]
        ws.append(draw_out(sizes[-2], sizes[-1], rng))
        return [*ws, *(bias_std * rng.standard_normal(n) if bias_std else np.zeros(n) for n in sizes[1:])]

    draws = [one() for _ in range(max(networks, 1))]
    arrays = [(np.stack(layer) if networks else layer[0]).astype(dtype) for layer in zip(*draws, strict=True)]
    n = len(sizes) - 1
    return MLP(arrays[:n], arrays[n:], activation)


def init_residual_mlp(n_in: int, width: int, blocks: int, classes: int, activation: str, rng: np.random.Generator,
                      *, networks: int = 0, dtype: type = np.float64) -> ResidualMLP:
    r"""A :class:`ResidualMLP` whose blocks start as the identity: every branch's last layer $V_k$ is zero.

    The projection and each branch's first layer are He normal for ReLU and Glorot uniform
    otherwise, the read-out Glorot uniform, biases zero; parameters are stored as ``dtype``.
    Zeroing the last layer of each branch is Fixup's first rule (Zhang, Dauphin and Ma, 2019),
    the same idea as a zero-initialised normalisation scale (Goyal et al., 2017) or a residual
    weight that starts at zero (ReZero).
    """
    n_in, width, classes = positive_int("n_in", n_in), positive_int("width", width), positive_int("classes", classes)
    blocks = positive_int("blocks", blocks, minimum=0)
    activation_functions(activation)
    rng = generator("rng", rng)
    networks = positive_int("networks", networks, minimum=0)
    draw = sampler("he_normal" if activation == "relu" else "glorot_uniform")
    lead = _lead(networks)

    def stack(make) -> Array:
        return np.stack([make() for _ in range(networks)]) if networks else make()

    first = (stack(lambda: draw(n_in, width, rng)), np.zeros((*lead, width)))
    block_list = [(stack(lambda: draw(width, width, rng)), np.zeros((*lead, width)),
                   np.zeros((*lead, width, width)), np.zeros((*lead, width))) for _ in range(blocks)]
    readout = (stack(lambda: sampler("glorot_uniform")(width, classes, rng)), np.zeros((*lead, classes)))
    cast = lambda arrays: tuple(a.astype(dtype) for a in arrays)  # noqa: E731
    return ResidualMLP(cast(first), [cast(b) for b in block_list], cast(readout), activation)


# ---------------------------------------------------------------------------- optimisers


def _decay_inputs(lr: object, step: object, steps: object) -> tuple[float, int, int]:
    steps = positive_int("steps", steps)
    return non_negative("lr", lr), positive_int("step", step, minimum=0, maximum=steps), steps


@checked(_decay_inputs)
def linear_decay(lr: float, step: int, steps: int) -> float:
    r"""Learning rate at ``step`` of ``steps`` when it falls linearly to zero: $\eta_t = \eta\,(1 - t/T)$."""
    return lr * (1.0 - step / steps)


@dataclass
class SGD:
    r"""Plain gradient descent, $\theta \leftarrow \theta - \eta\, g$.

    A weight decay $\lambda$ adds $\lambda \theta$ to $g$ for the parameters that ``decay`` marks
    (all of them if ``decay`` is empty): Nielsen's L2 regularisation, $\lambda = \lambda_N / n$.
    """

    weight_decay: float = 0.0
    decay: list[bool] = field(default_factory=list)

    def step(self, params: list[Array], grads: list[Array], lr: float) -> list[Array]:
        r"""Update ``params`` in place; return the updates $\Delta\theta$ that were applied."""
        updates = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if self.weight_decay and (not self.decay or self.decay[i]):
                g = g + self.weight_decay * p
            delta = -lr * g
            p += delta
            updates.append(delta)
        return updates


@dataclass
class Momentum:
    r"""Heavy-ball momentum, $v \leftarrow \mu v - \eta g$, $\theta \leftarrow \theta + v$."""

    mu: float = 0.9
    velocity: list[Array] = field(default_factory=list)

    def step(self, params: list[Array], grads: list[Array], lr: float) -> list[Array]:
        r"""Update ``params`` in place; return the updates $\Delta\theta$ that were applied."""
        if not self.velocity:
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.velocity, strict=True):
            v *= self.mu
            v -= lr * g
            p += v
        return [v.copy() for v in self.velocity]


@dataclass
class Adam:
    r"""Adam (Kingma and Ba, 2015), with running moments of the gradient and of its square.

    $$ m \leftarrow \beta_1 m + (1-\beta_1) g, \qquad v \leftarrow \beta_2 v + (1-\beta_2) g^2, $$

    $$ \theta \leftarrow \theta - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}, \qquad
       \hat m = \frac{m}{1 - \beta_1^t}, \quad \hat v = \frac{v}{1 - \beta_2^t} . $$
    """

    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: int = 0
    m: list[Array] = field(default_factory=list)
    v: list[Array] = field(default_factory=list)

    def step(self, params: list[Array], grads: list[Array], lr: float) -> list[Array]:
        r"""Update ``params`` in place; return the updates $\Delta\theta$ that were applied."""
        if not self.m:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        c1, c2 = 1.0 - self.beta1 ** self.t, 1.0 - self.beta2 ** self.t
        updates = []
        for p, g, m, v in zip(params, grads, self.m, self.v, strict=True):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            delta = -lr * (m / c1) / (np.sqrt(v / c2) + self.eps)
            p += delta
            updates.append(delta)
        return updates


def global_norm(arrays: Sequence[Array], networks: int = 0) -> Array:
    r"""$\sqrt{\sum_j \lVert g_j \rVert^2}$ over every array; per network with ``networks`` leading entries."""
    if networks:
        return np.sqrt(sum(np.sum(g * g, axis=tuple(range(1, g.ndim))) for g in arrays))
    return np.asarray(math.sqrt(sum(float(np.sum(g * g)) for g in arrays)))


def clip_by_global_norm(grads: Sequence[Array], max_norm: float, networks: int = 0) -> tuple[list[Array], Array]:
    r"""Scale every gradient by $\min(1, \theta / \lVert g \rVert)$ with the global norm of :func:`global_norm`.

    Pascanu, Mikolov and Bengio's (2013) clipping, applied to all parameters together so that the
    update keeps its direction. Returns the clipped gradients and the norm before clipping.
    """
    theta = positive("max_norm", max_norm)
    norm = global_norm(grads, networks)
    scale = np.minimum(1.0, theta / np.maximum(norm, np.finfo(float).tiny))
    return [g * scale.reshape(scale.shape + (1,) * (g.ndim - scale.ndim)) for g in grads], norm


# ---------------------------------------------------------------------------- the loop


@dataclass
class History:
    """What :func:`train` records, at initialisation and after every epoch (first axis: epochs 0..E).

    Per-network quantities carry one more axis of length $R$ when several networks train at once;
    per-layer ones end with an axis over the model's weight matrices (``weight_names``).
    """

    weight_names: list[str]
    epochs: NDArray[np.int64]
    """The epochs after which the rows were recorded (0: before training)."""
    train_loss: Array
    train_accuracy: Array
    test_loss: Array
    test_accuracy: Array
    weight_grad_norm: Array
    r"""$\lVert \partial C / \partial W_k \rVert_F$ of the whole training set's mean loss."""
    bias_grad_norm: Array
    r"""$\lVert \partial C / \partial b_k \rVert$ of the same gradient (Nielsen's measure)."""
    update_ratio: Array
    r"""Mean over the epoch's steps of $\lVert \Delta W_k \rVert_F / \lVert W_k \rVert_F$ (epoch 0: NaN).

    $W_k$ is taken before the step, as in CS231n's ratio of update scale to parameter scale.
    """
    weight_change: Array
    r"""$\lVert W_k - W_k^{(0)} \rVert_F / \lVert W_k^{(0)} \rVert_F$ (NaN where $W_k^{(0)} = 0$)."""
    dead_fraction: Array
    """Fraction of each hidden layer's units that are zero on every held-out example."""
    diverged: Array
    """Whether a network's loss or parameters stopped being finite (its later records are NaN)."""


def _weights_of(model: MLP | ResidualMLP) -> tuple[list[int], list[str]]:
    """Indices into ``model.params`` of the weight matrices, and their names."""
    if isinstance(model, MLP):
        n = len(model.weights)
        return list(range(n)), [f"W{k + 1}" for k in range(n - 1)] + ["readout"]
    idx, names = [0], ["projection"]
    for k in range(len(model.blocks)):
        idx += [2 + 4 * k, 4 + 4 * k]
        names += [f"U{k + 1}", f"V{k + 1}"]
    return [*idx, len(model.params) - 2], [*names, "readout"]


def _norms(arrays: Sequence[Array], networks: int) -> Array:
    axes = lambda a: tuple(range(1 if networks else 0, a.ndim))  # noqa: E731
    return np.stack([np.sqrt(np.sum(a * a, axis=axes(a))) for a in arrays], axis=-1)


def train(model: MLP | ResidualMLP, data: Split, *, epochs: int, batch_size: int, lr: float, seed: int,
          loss: str = "softmax", optimiser: SGD | Momentum | Adam | None = None, schedule: str = "constant",
          clip: float | None = None, networks: int = 0, record: bool = True,
          record_epochs: Sequence[int] | None = None) -> History:
    r"""Mini-batch training of ``model`` on ``data``; the parameters are updated in place.

    Each epoch visits the training examples once in an order drawn from
    ``numpy.random.default_rng(seed)``, in batches of ``batch_size`` (the last one smaller). The
    learning rate is ``lr``, constant or (``schedule="linear"``) falling linearly to zero over the
    run; ``clip`` caps each network's global gradient norm (:func:`clip_by_global_norm`).
    ``networks`` $= R$ says that every parameter has a leading axis of $R$ networks. Returns the
    :class:`History` of the run; with ``record=False`` only losses and accuracies are recorded, and
    with ``record_epochs`` only after those epochs (0 is before the first step; default: every
    epoch). ``History.epochs`` lists which.
    """
    epochs = positive_int("epochs", epochs, minimum=0)
    batch_size = positive_int("batch_size", batch_size)
    lr = non_negative("lr", lr)
    seed = positive_int("seed", seed, minimum=0)
    networks = positive_int("networks", networks, minimum=0)
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {loss!r}")
    if schedule not in ("constant", "linear"):
        raise ValueError(f"schedule must be 'constant' or 'linear', got {schedule!r}")
    if clip is not None:
        clip = positive("clip", clip)
    W0 = model.params[0]
    if W0.ndim != 2 + (networks > 0) or (networks and W0.shape[0] != networks):
        raise ValueError(f"networks must match the model's leading axis: got networks={networks} for a first "
                         f"weight matrix of shape {W0.shape}")
    if data.x_train.shape[-1] != W0.shape[-1] or data.x_test.shape[-1] != W0.shape[-1]:
        raise ValueError(f"data must have {W0.shape[-1]} input features (the model's first layer), "
                         f"got {data.x_train.shape[-1]}")
    opt = SGD() if optimiser is None else optimiser
    loss_fn, loss_grad = (f.unchecked for f in LOSSES[loss])  # type: ignore[attr-defined]
    acc = accuracy.unchecked  # type: ignore[attr-defined]
    x, y = data.x_train, data.y_train
    n = x.shape[0]
    order_rng = np.random.default_rng(seed)
    steps = epochs * math.ceil(n / batch_size)
    w_idx, names = _weights_of(model)
    start = [model.params[i].copy() for i in w_idx]
    bias_idx = [i for i in range(len(model.params)) if i not in w_idx]
    lead = _lead(networks)
    alive = np.ones(lead, dtype=bool)
    rows: dict[str, list[Array]] = {k: [] for k in History.__dataclass_fields__ if k not in ("weight_names", "epochs")}

    def snapshot(ratios: Array) -> None:
        scores_tr, cache = model.forward(x)
        scores_te, cache_te = model.forward(data.x_test)
        rows["train_loss"].append(loss_fn(scores_tr, y))
        np.logical_and(alive, np.isfinite(rows["train_loss"][-1]), out=alive)
        rows["train_accuracy"].append(acc(scores_tr, y))
        rows["test_loss"].append(loss_fn(scores_te, data.y_test))
        rows["test_accuracy"].append(acc(scores_te, data.y_test))
        rows["diverged"].append(~alive.copy())
        if not record:
            return
        grads = model.backward(cache, loss_grad(scores_tr, y))
        rows["weight_grad_norm"].append(_norms([grads[i] for i in w_idx], networks))
        rows["bias_grad_norm"].append(_norms([grads[i] for i in bias_idx], networks))
        rows["update_ratio"].append(ratios)
        change = _norms([model.params[i] - w0 for i, w0 in zip(w_idx, start, strict=True)], networks)
        size0 = _norms(start, networks)
        with np.errstate(divide="ignore", invalid="ignore"):
            rows["weight_change"].append(np.where(size0 > 0, change / size0, np.nan))
        hidden = model.hidden_outputs(cache_te)
        rows["dead_fraction"].append(np.stack([np.all(h <= 0.0, axis=-2).mean(axis=-1) for h in hidden], axis=-1))

    wanted = set(range(epochs + 1)) if record_epochs is None else {positive_int("record_epochs", e, minimum=0,
                                                                                        maximum=epochs)
                                                                           for e in record_epochs}
    nan_ratios = np.full((*lead, len(w_idx)), np.nan)
    if 0 in wanted:
        snapshot(nan_ratios)
    step = 0
    for epoch in range(1, epochs + 1):
        order = order_rng.permutation(n)
        ratio_sum, count = np.zeros((*lead, len(w_idx))), 0
        for start_row in range(0, n, batch_size):
            batch = order[start_row:start_row + batch_size]
            scores, cache = model.forward(x[batch])
            grads = model.backward(cache, loss_grad(scores, y[batch]))
            if clip is not None:
                grads, _ = clip_by_global_norm(grads, clip, networks)
            rate = linear_decay.unchecked(lr, step, steps) if schedule == "linear" else lr
            before = _norms([model.params[i] for i in w_idx], networks) if record else None
            updates = opt.step(model.params, grads, rate)
            step += 1
            if record:
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio_sum += _norms([updates[i] for i in w_idx], networks) / before
                count += 1
            finite = np.all(np.isfinite(scores), axis=tuple(range(len(lead), scores.ndim)))
            alive &= finite
        if epoch in wanted:
            snapshot(ratio_sum / max(count, 1) if record else nan_ratios)
    empty = np.full((len(wanted), *lead, 0), np.nan)
    out = {k: (np.stack(v) if v else empty) for k, v in rows.items()}
    return History(names, np.array(sorted(wanted)), **out)
