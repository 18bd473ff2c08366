# The training playground's arithmetic: toy data, initialisation, passes and SGD, step for step as the page's script.
r"""The network that the playground page trains in the reader's browser, computed in Python.

The page's script (``docs/javascripts/playground.js``) and this module perform the same IEEE 754
operations in the same order, so that they produce the same numbers: every random number comes
from :class:`vgdocs.mersenne.MT19937`, every exponential and logarithm from
:mod:`vgdocs.portable_math`, and every sum is taken in one fixed order (numpy's ``accumulate``
here, a loop there), never by numpy's pairwise ``sum`` or by BLAS.

**Data.** :data:`N_POINTS` points in the plane from one of :data:`DATASETS`, point $i$ of class
$i \bmod C$, drawn from the generator seeded with the key ``[seed, 1]``.

**Network.** ``depth`` $D$ hidden layers of ``width`` units and a linear read-out to $C$ scores,

$$ z_k = h_{k-1} W_k + b_k, \qquad h_k = \phi(z_k) + [\text{residual},\ k \ge 2]\; h_{k-1},
   \qquad s = h_D W_{D+1} + b_{D+1}, $$

with $h_0 = x$ and $W_k$ of shape $(n_{k-1}, n_k)$, one row per input. The weights are drawn layer
by layer, row by row, from the generator seeded with ``[seed, 2]``; biases start at zero.

**Training.** Plain gradient descent on the mean softmax cross-entropy of mini-batches of
:data:`BATCH` points taken in a fixed order: step $t$ uses points $16 (t \bmod 12)$ to
$16 (t \bmod 12) + 15$, so every twelve steps are one pass over the data. A run's record at step
$t$ describes the network after $t$ updates: its loss and its gradient on batch $t$ (the batch
the next update uses), and the update that brought it there.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from vgdocs._validate import positive_int
from vgdocs.mersenne import MASK32, MT19937
from vgdocs.portable_math import cos, exp_expm1, log_array, sin

__all__ = [
    "ACTIVATIONS",
    "BATCH",
    "DATASETS",
    "DEPTH_RANGE",
    "INITS",
    "LR_RANGE",
    "N_POINTS",
    "WIDTH_RANGE",
    "Config",
    "Passes",
    "Run",
    "activation",
    "backward",
    "batch_rows",
    "circles",
    "dataset",
    "forward",
    "frobenius_norm",
    "init_network",
    "layer_sizes",
    "moons",
    "orthonormal_columns",
    "predict",
    "sgd_step",
    "softmax_cross_entropy",
    "spiral",
    "train",
    "update_ratio",
]

Array = NDArray[np.float64]

DATASETS = ("moons", "circles", "spiral")
CLASSES = {"moons": 2, "circles": 2, "spiral": 3}
ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = ("standard", "glorot", "he", "orthogonal")
N_POINTS = 192
"""Points in every data set (divisible by the batch size and by every class count)."""
BATCH = 16
"""Points per mini-batch."""
DEPTH_RANGE = (1, 20)
WIDTH_RANGE = (4, 32)
LR_RANGE = (1e-4, 10.0)
MAX_STEPS = 1_000_000
DATA_STREAM, WEIGHT_STREAM = 1, 2
"""The second word of the generator's key for the data and for the weights."""


@dataclass(frozen=True)
class Config:
    """One playground configuration: what the page's controls set. Invalid values raise ``ValueError``."""

    dataset: str
    depth: int
    width: int
    activation: str
    init: str
    residual: bool
    lr: float
    seed: int

    def __post_init__(self) -> None:
        for name, allowed in (("dataset", DATASETS), ("activation", ACTIVATIONS), ("init", INITS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {getattr(self, name)!r}")
        positive_int("depth", self.depth, minimum=DEPTH_RANGE[0], maximum=DEPTH_RANGE[1])
        positive_int("width", self.width, minimum=WIDTH_RANGE[0], maximum=WIDTH_RANGE[1])
        positive_int("seed", self.seed, minimum=0, maximum=MASK32)
        if not isinstance(self.residual, bool):
            raise ValueError(f"residual must be True or False, got {self.residual!r}")
        lr = self.lr
        if isinstance(lr, bool) or not isinstance(lr, int | float) or not LR_RANGE[0] <= lr <= LR_RANGE[1]:
            raise ValueError(f"lr must be a number from {LR_RANGE[0]:g} to {LR_RANGE[1]:g}, got {lr!r}")
        object.__setattr__(self, "lr", float(lr))

    @property
    def classes(self) -> int:
        """Number of classes $C$ of the data set."""
        return CLASSES[self.dataset]


# ---------------------------------------------------------------------------- data


def _noisy(g: MT19937, x: float, y: float, sigma: float) -> tuple[float, float]:
    return x + sigma * g.normal(), y + sigma * g.normal()


def moons(n: int, g: MT19937) -> tuple[Array, NDArray[np.int64]]:
    r"""Two interleaved half circles, $t = \pi u$, plus Gaussian noise of $\sigma = 0.1$.

    Class 0 lies at $(\cos t - \frac12, \sin t - \frac14)$, class 1 at $(\frac12 - \cos t, \frac14 - \sin t)$.
    """
    pts, labels = [], []
    for i in range(positive_int("n", n)):
        c, t = i % 2, math.pi * g.uniform()
        x, y = (cos(t) - 0.5, sin(t) - 0.25) if c == 0 else (0.5 - cos(t), 0.25 - sin(t))
        pts.append(_noisy(g, x, y, 0.1))
        labels.append(c)
    return np.array(pts), np.array(labels, dtype=np.int64)


def circles(n: int, g: MT19937) -> tuple[Array, NDArray[np.int64]]:
    r"""Two rings: $\theta = 2\pi u$, radius $1$ (class 0) or $\frac12$ (class 1), noise $\sigma = 0.08$."""
    pts, labels = [], []
    for i in range(positive_int("n", n)):
        c, theta = i % 2, 2.0 * math.pi * g.uniform()
        r = 1.0 if c == 0 else 0.5
        pts.append(_noisy(g, r * cos(theta), r * sin(theta), 0.08))
        labels.append(c)
    return np.array(pts), np.array(labels, dtype=np.int64)


def spiral(n: int, g: MT19937) -> tuple[Array, NDArray[np.int64]]:
    r"""Three arms: point $i$ of class $c = i \bmod 3$ at $\frac32 s\,(\cos\theta, \sin\theta)$.

    Here $s = u$ and $\theta = \frac{2\pi c}{3} + 4s + 0.2\,\varepsilon$, with $\varepsilon$ a standard normal.
    """
    pts, labels = [], []
    for i in range(positive_int("n", n)):
        c, s = i % 3, g.uniform()
        theta = (2.0 * math.pi * c) / 3.0 + 4.0 * s + 0.2 * g.normal()
        pts.append((1.5 * s * cos(theta), 1.5 * s * sin(theta)))
        labels.append(c)
    return np.array(pts), np.array(labels, dtype=np.int64)


_MAKERS = {"moons": moons, "circles": circles, "spiral": spiral}


def dataset(name: str, seed: int) -> tuple[Array, NDArray[np.int64]]:
    """The :data:`N_POINTS` points and labels of data set ``name``, from the generator keyed ``[seed, 1]``."""
    if name not in _MAKERS:
        raise ValueError(f"name must be one of {', '.join(DATASETS)}; got {name!r}")
    seed = positive_int("seed", seed, minimum=0, maximum=MASK32)
    return _MAKERS[name](N_POINTS, MT19937(key=[seed, DATA_STREAM]))


def batch_rows(step: int) -> slice:
    r"""The rows of mini-batch ``step``: $16 (t \bmod 12)$ up to $16 (t \bmod 12) + 16$."""
    start = (positive_int("step", step, minimum=0) % (N_POINTS // BATCH)) * BATCH
    return slice(start, start + BATCH)


# ---------------------------------------------------------------------------- initialisation


def layer_sizes(config: Config) -> list[int]:
    r"""Widths $n_0 = 2, n_1 = \dots = n_D = $ ``width``, $n_{D+1} = C$."""
    return [2, *[config.width] * config.depth, config.classes]


def orthonormal_columns(a: Array) -> Array:
    r"""Modified Gram–Schmidt on the columns of ``a`` (rows $\ge$ columns): $q_j = v_j / \lVert v_j \rVert$.

    $v_j$ is column $j$ less its projections $(q_k \cdot v_j)\, q_k$ on the earlier columns, each
    taken from the updated $v_j$; every dot product and norm is summed over the rows in order.
    """
    q = np.array(a, dtype=np.float64)
    rows, cols = q.shape
    if rows < cols:
        raise ValueError(f"a must have at least as many rows as columns, got shape {q.shape}")
    for j in range(cols):
        v = q[:, j].copy()
        for k in range(j):
            r = np.add.accumulate(q[:, k] * v)[-1]
            v = v - r * q[:, k]
        q[:, j] = v / math.sqrt(np.add.accumulate(v * v)[-1])
    return q


def _draw(init: str, n_in: int, n_out: int, g: MT19937) -> Array:
    """One weight matrix (n_in, n_out), its entries drawn row by row."""
    size = n_in * n_out
    if init == "standard":  # U[-1/sqrt(n_in), 1/sqrt(n_in)]
        limit = 1.0 / math.sqrt(n_in)
        return np.array([limit * (2.0 * g.uniform() - 1.0) for _ in range(size)]).reshape(n_in, n_out)
    if init == "glorot":  # U[-sqrt(6/(n_in + n_out)), +sqrt(...)]
        limit = math.sqrt(6.0 / (n_in + n_out))
        return np.array([limit * (2.0 * g.uniform() - 1.0) for _ in range(size)]).reshape(n_in, n_out)
    if init == "he":  # N(0, 2/n_in)
        std = math.sqrt(2.0 / n_in)
        return np.array([std * g.normal() for _ in range(size)]).reshape(n_in, n_out)
    # orthogonal: a (max, min) Gaussian matrix, its columns orthonormalised, turned to (n_in, n_out)
    tall, short = max(n_in, n_out), min(n_in, n_out)
    q = orthonormal_columns(np.array(g.normals(tall * short)).reshape(tall, short))
    return q if n_in >= n_out else q.T.copy()


def init_network(config: Config) -> tuple[list[Array], list[Array]]:
    r"""The weights $W_1, \dots, W_{D+1}$ and zero biases of ``config``, from the generator keyed ``[seed, 2]``.

    standard: $U[\pm 1/\sqrt{n_{\text{in}}}]$; glorot: $U[\pm\sqrt{6/(n_{\text{in}} + n_{\text{out}})}]$;
    he: $\mathcal N(0, 2/n_{\text{in}})$; orthogonal: orthonormal rows or columns (gain 1).
    """
    g = MT19937(key=[config.seed, WEIGHT_STREAM])
    sizes = layer_sizes(config)
    weights = [_draw(config.init, a, b, g) for a, b in itertools.pairwise(sizes)]
    return weights, [np.zeros(b) for b in sizes[1:]]


# ---------------------------------------------------------------------------- passes


def _affine(h: Array, w: Array, b: Array) -> Array:
    r"""$z_{nj} = b_j + \sum_i h_{ni} W_{ij}$, summed over $i$ in order (each product rounded once)."""
    terms = h[:, :, None] * w[None, :, :]
    start = np.broadcast_to(b, (h.shape[0], 1, b.shape[0]))
    return np.add.accumulate(np.concatenate([start, terms], axis=1), axis=1)[:, -1, :]


def activation(name: str, z: Array) -> tuple[Array, Array]:
    r"""$\phi(z)$ and $\phi'(z)$ elementwise, for ``sigmoid``, ``tanh`` or ``relu``.

    sigmoid: $e = e^{-|z|}$, $\sigma = 1/(1+e)$ for $z \ge 0$ else $e/(1+e)$, $\sigma' = e/(1+e)^2$.
    tanh: $e = e^{-2|z|}$, $m = e - 1$ (from ``expm1``), $\tanh|z| = -m/(2+m)$, $\tanh' = 4e/(1+e)^2$.
    relu: $\max(0, z)$ and $[z > 0]$. Each form keeps full relative accuracy where the unit saturates.
    """
    if name == "sigmoid":
        e = exp_expm1(-np.abs(z))[0]
        d = 1.0 + e
        return np.where(z >= 0, 1.0 / d, e / d), e / (d * d)
    if name == "tanh":
        e, m = exp_expm1(-2.0 * np.abs(z))
        t = -m / (2.0 + m)
        d = 1.0 + e
        return np.where(z >= 0, t, -t), (4.0 * e) / (d * d)
    if name == "relu":
        return np.where(z > 0, z, 0.0), np.where(z > 0, 1.0, 0.0)
    raise ValueError(f"name must be one of {', '.join(ACTIVATIONS)}; got {name!r}")


@dataclass
class Passes:
    r"""What a forward pass keeps for the backward pass: each layer's input and $\phi'(z_k)$, and the scores."""

    inputs: list[Array]
    slopes: list[Array]
    scores: Array


def forward(weights: list[Array], biases: list[Array], x: Array, name: str, residual: bool) -> Passes:
    r"""Hidden layers $h_k = \phi(z_k)\ (+\, h_{k-1})$, then the scores $s = h_D W_{D+1} + b_{D+1}$."""
    h, inputs, slopes = np.asarray(x, dtype=np.float64), [], []
    for k, (w, b) in enumerate(zip(weights[:-1], biases[:-1], strict=True)):
        inputs.append(h)
        a, slope = activation(name, _affine(h, w, b))
        slopes.append(slope)
        h = h + a if residual and k >= 1 else a
    inputs.append(h)
    return Passes(inputs, slopes, _affine(h, weights[-1], biases[-1]))


def softmax_cross_entropy(scores: Array, labels: NDArray[np.int64]) -> tuple[float, Array, int]:
    r"""Loss $L = \frac1B \sum_n \bigl(\ln \sum_c e^{s_{nc} - m_n} - (s_{n y_n} - m_n)\bigr)$, $m_n = \max_c s_{nc}$.

    Returns $L$; its gradient
    $\partial L / \partial s_{nc} = (e^{s_{nc} - m_n} / \sum_{c'} e^{s_{nc'} - m_n} - [c = y_n]) / B$;
    and how many rows have their largest score (the first, on a tie) at the label.
    """
    b = scores.shape[0]
    m = scores.max(axis=1, keepdims=True)
    e = exp_expm1(scores - m)[0]
    total = np.add.accumulate(e, axis=1)[:, -1:]
    rows = np.arange(b)
    per = log_array(total[:, 0]) - (scores[rows, labels] - m[:, 0])
    loss = float(np.add.accumulate(per)[-1]) / b
    onehot = np.zeros_like(scores)
    onehot[rows, labels] = 1.0
    correct = int(np.count_nonzero(np.argmax(scores, axis=1) == labels))
    return loss, (e / total - onehot) / b, correct


def backward(passes: Passes, weights: list[Array], grad_scores: Array,
             residual: bool) -> tuple[list[Array], list[Array]]:
    r"""$\partial L/\partial W_k = h_{k-1}^\top \delta_k$ and $\partial L/\partial b_k = \sum_n \delta_k$.

    Going down from $\delta_{D+1} = \partial L/\partial s$: $g_D = \delta_{D+1} W_{D+1}^\top$,
    $\delta_k = g_k \odot \phi'(z_k)$ and $g_{k-1} = \delta_k W_k^\top + [\text{residual},\ k \ge 2]\, g_k$.
    Every sum runs in order: over the batch for the weights and biases, over the outputs for $\delta W^\top$.
    """
    depth = len(weights) - 1
    gw: list[Array] = [np.empty(0)] * (depth + 1)
    gb: list[Array] = [np.empty(0)] * (depth + 1)
    delta = grad_scores
    g = grad_scores  # replaced by dL/dh_D at the read-out
    for k in range(depth, -1, -1):  # k indexes weights: depth is the read-out
        if k < depth:
            delta = g * passes.slopes[k]
        h = passes.inputs[k]
        gw[k] = np.add.accumulate(h[:, :, None] * delta[:, None, :], axis=0)[-1]
        gb[k] = np.add.accumulate(delta, axis=0)[-1]
        if k > 0:
            down = np.add.accumulate(delta[:, None, :] * weights[k][None, :, :], axis=2)[:, :, -1]
            g = down + g if residual and k < depth else down  # h_k = phi(z_k) + h_{k-1}: g_k passes down
    return gw, gb


def frobenius_norm(a: Array) -> float:
    r"""$\lVert A \rVert_F = \sqrt{\sum_{ij} A_{ij}^2}$, the squares summed in row-major order."""
    flat = np.ravel(np.asarray(a, dtype=np.float64))
    return math.sqrt(float(np.add.accumulate(flat * flat)[-1])) if flat.size else 0.0


def update_ratio(move: Array, weight: Array) -> float:
    r"""$\lVert \eta\, \partial L / \partial W \rVert_F / \lVert W \rVert_F$: a step's size relative to its weights.

    ``move`` is $\eta\, \partial L / \partial W$, ``weight`` the matrix before the step; NaN if it is zero.
    """
    w = frobenius_norm(weight)
    return frobenius_norm(move) / w if w > 0 else math.nan


def sgd_step(params: list[Array], grads: list[Array], lr: float) -> tuple[list[Array], list[Array]]:
    r"""$\theta \leftarrow \theta - \eta\, g$ for every array; returns the new arrays and the steps $\eta g$."""
    steps = [lr * g for g in grads]
    return [p - s for p, s in zip(params, steps, strict=True)], steps


# ---------------------------------------------------------------------------- runs


@dataclass
class Run:
    r"""A training run, one record per step $t = 0, 1, \dots$ (after $t$ updates) until the run ends.

    Per-layer arrays have one column per weight matrix, $k = 1$ (next to the input) to $D + 1$
    (the read-out).
    """

    config: Config
    loss: Array
    """Mean cross-entropy of the network after $t$ updates on mini-batch $t$."""
    accuracy: Array
    """Share of the last twelve mini-batches' points (one pass, or all so far) classified right when evaluated."""
    grad_norm: Array
    r"""$\lVert \partial L / \partial W_k \rVert_F$ on mini-batch $t$, shape (steps + 1, D + 1)."""
    update_ratio: Array
    r"""$\lVert \eta\, \partial L / \partial W_k \rVert_F / \lVert W_k \rVert_F$, the update into step $t$."""
    diverged_at: int | None
    """The first step whose loss, gradient or weights were not finite (its record is not kept), or None."""
    weights: list[Array] = field(repr=False, default_factory=list)
    biases: list[Array] = field(repr=False, default_factory=list)
    """The parameters of the last finite step."""

    @property
    def steps(self) -> int:
        """The last step recorded."""
        return len(self.loss) - 1


def train(config: Config, steps: int) -> Run:
    r"""Train ``config`` for ``steps`` updates, or until a value stops being finite; record every step.

    Step $t$ evaluates mini-batch $t$ (:func:`batch_rows`) at the current weights, records the
    loss, the running accuracy and $\lVert \partial L / \partial W_k \rVert_F$, then updates
    $W_k \leftarrow W_k - \eta\, \partial L / \partial W_k$ (and the biases alike). The update ratio
    of step $t + 1$ is $\lVert \eta\, \partial L / \partial W_k \rVert_F / \lVert W_k \rVert_F$,
    with the weights before the update.
    """
    if not isinstance(config, Config):
        raise ValueError(f"config must be a vgdocs.playground.Config, got {type(config).__name__}")
    steps = positive_int("steps", steps, minimum=0, maximum=MAX_STEPS)
    x, y = dataset(config.dataset, config.seed)
    weights, biases = init_network(config)
    kept = (weights, biases)
    loss, acc, gnorm, ratio, correct = [], [], [], [], []
    ratios = [math.nan] * (config.depth + 1)
    diverged = None
    for t in range(steps + 1):
        rows = batch_rows(t)
        with np.errstate(all="ignore"):
            passes = forward(weights, biases, x[rows], config.activation, config.residual)
            value, grad_scores, right = softmax_cross_entropy(passes.scores, y[rows])
            gw, gb = backward(passes, weights, grad_scores, config.residual)
            norms = [frobenius_norm(g) for g in gw]
            wnorms = [frobenius_norm(w) for w in weights]
        if not (math.isfinite(value) and all(map(math.isfinite, norms + wnorms))):
            diverged = t
            break
        kept = (weights, biases)
        correct = [*correct[-(N_POINTS // BATCH - 1):], right]
        loss.append(value)
        acc.append(sum(correct) / (BATCH * len(correct)))
        gnorm.append(norms)
        ratio.append(ratios)
        if t < steps:
            with np.errstate(all="ignore"):
                weights, moves = sgd_step(weights, gw, config.lr)
                biases, _ = sgd_step(biases, gb, config.lr)
                ratios = [update_ratio(s, w) for s, w in zip(moves, kept[0], strict=True)]
    depth = config.depth
    return Run(config, np.array(loss), np.array(acc), np.array(gnorm).reshape(-1, depth + 1),
               np.array(ratio).reshape(-1, depth + 1), diverged, *kept)


def predict(run_or_params: Run | tuple[list[Array], list[Array]], config: Config, points: Array) -> Array:
    """Class probabilities (softmax of the scores) of ``points`` (n, 2) under a run's last weights."""
    weights, biases = (run_or_params.weights, run_or_params.biases) if isinstance(run_or_params, Run) else run_or_params
    scores = forward(weights, biases, np.asarray(points, dtype=np.float64), config.activation, config.residual).scores
    e = exp_expm1(scores - scores.max(axis=1, keepdims=True))[0]
    return e / e.sum(axis=1, keepdims=True)
