# The data the training pages use: scikit-learn's bundled digits, and long-lag sequence tasks.
r"""Data sets for the training experiments, all generated or loaded without a network.

- :func:`digits`: the 1797 handwritten digits of 8 × 8 pixels that scikit-learn ships inside its
  wheel (``sklearn.datasets.load_digits``, the UCI "Optical Recognition of Handwritten Digits"
  test set), scaled to $[0, 1]$ and split into a training and a held-out part, stratified by
  class and seeded.
- :func:`adding_problem`: Hochreiter and Schmidhuber's (1997) long-lag task, in its common
  modern form.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from vgdocs._validate import array, generator, positive_int

__all__ = ["Split", "adding_problem", "adding_problem_baseline", "adding_problem_marker_blind", "digits", "digits_file",
           "stratified_split"]


@dataclass(frozen=True)
class Split:
    """Inputs (one example per row) and integer labels, for training and for held-out testing."""

    x_train: NDArray[np.float64]
    y_train: NDArray[np.int64]
    x_test: NDArray[np.float64]
    y_test: NDArray[np.int64]

    @property
    def classes(self) -> int:
        """Number of classes $C$ (labels run from 0 to $C - 1$)."""
        return int(max(self.y_train.max(), self.y_test.max())) + 1

    def astype(self, dtype: type) -> Split:
        """The same split with the inputs in another floating-point type (``numpy.float32``)."""
        return Split(self.x_train.astype(dtype), self.y_train, self.x_test.astype(dtype), self.y_test)

    def head(self, n: int) -> Split:
        """The first ``n`` training examples, and the whole held-out part."""
        n = positive_int("n", n, maximum=self.x_train.shape[0])
        return Split(self.x_train[:n], self.y_train[:n], self.x_test, self.y_test)


def stratified_split(labels: NDArray[np.int64], n_test: int, seed: int) -> tuple[NDArray[np.int64], ...]:
    r"""Indices ``(train, test)``, the test part holding ``n_test`` examples in the classes' proportions.

    Class $c$ with $n_c$ of the $n$ examples gets $\lfloor n_c\, n_{\text{test}} / n \rfloor$ test
    places; the places left over go to the largest fractional parts (ties to the lower class).
    Within each class the test examples are drawn by a permutation from
    ``numpy.random.default_rng(seed)``. Both index arrays are sorted.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be a non-empty 1-D array of integers, got {labels.dtype} {labels.shape}")
    n_test = positive_int("n_test", n_test, maximum=labels.size - 1)
    seed = positive_int("seed", seed, minimum=0)
    classes = np.unique(labels)
    counts = np.array([np.sum(labels == c) for c in classes])
    exact = counts * n_test / labels.size
    take = np.floor(exact).astype(int)
    order = np.lexsort((classes, -(exact - take)))
    take[order[: n_test - take.sum()]] += 1
    rng = np.random.default_rng(seed)
    test = np.sort(np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:k]
                                   for c, k in zip(classes, take, strict=True)]))
    return np.setdiff1d(np.arange(labels.size), test), test


def digits_file() -> Path:
    """Where scikit-learn keeps its digits, ``sklearn/datasets/data/digits.csv.gz`` (found without importing it)."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("vgdocs.datasets.digits reads the digits that scikit-learn ships: "
                          "pip install scikit-learn, or the package with its [data] extra")
    return Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"


@lru_cache(maxsize=1)
def _digits_raw() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    # The file sklearn.datasets.load_digits reads: 64 pixel columns, then the label. Reading it
    # directly skips importing scikit-learn (and SciPy), which costs seconds per process.
    table = np.loadtxt(digits_file(), delimiter=",", dtype=np.float64)
    x, y = table[:, :-1], table[:, -1].astype(np.int64)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def digits(n_test: int = 360, seed: int = 0) -> Split:
    r"""scikit-learn's 1797 digits (8 × 8 pixels, values 0..16) as $x / 16 \in [0, 1]^{64}$, split by class.

    ``n_test`` examples are held out (:func:`stratified_split` with ``seed``); the default leaves
    1437 for training. Nothing is downloaded: the data ship inside scikit-learn's wheel.
    """
    x, y = _digits_raw()
    train, test = stratified_split(y, n_test, seed)
    x = x / 16.0
    return Split(x[train], y[train], x[test], y[test])


def adding_problem(T: int, n: int, rng: np.random.Generator, *,
                   centre: bool = False) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""``n`` sequences of the adding problem of length $T$: inputs $(T, n, 2)$ and targets $(n,)$.

    At each step the first input is a value $v_t \sim \mathcal U[0, 1]$ (shown as $v_t - \tfrac12$
    with ``centre``) and the second a marker, $1$ at exactly two steps and $0$ elsewhere: one
    marked step among the first $\lfloor T/2 \rfloor$, one among the rest. The target is the sum
    of the two marked values, $y = v_{t_1} + v_{t_2} \in [0, 2]$. This is the form used by Le,
    Jaitly and Hinton (2015) and Arjovsky et al. (2016); Hochreiter and Schmidhuber's (1997)
    original rescales the sum into $[0, 1]$ and varies the length.
    """
    T = positive_int("T", T, minimum=2)
    n = positive_int("n", n)
    rng = generator("rng", rng)
    values = rng.uniform(0.0, 1.0, (T, n))
    half = T // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, T, n)
    markers = np.zeros((T, n))
    cols = np.arange(n)
    markers[first, cols] = 1.0
    markers[second, cols] = 1.0
    shown = values - 0.5 if centre else values
    return np.stack([shown, markers], axis=-1), values[first, cols] + values[second, cols]


def adding_problem_baseline(targets: NDArray[np.float64]) -> float:
    r"""Mean squared error of always predicting the mean target: the error of a model that ignores the inputs.

    For the adding problem the sum of two independent $\mathcal U[0, 1]$ values has variance
    $2 \cdot \tfrac1{12} = \tfrac16 \approx 0.167$, so an error near $\tfrac16$ means nothing was learned.
    """
    y = array("targets", targets, 1)
    return float(np.mean((y - y.mean()) ** 2))


def adding_problem_marker_blind(T: int) -> float:
    r"""The best error without the markers, as a fraction of the baseline $\tfrac16$: $1 - \tfrac12 (1/n_1 + 1/n_2)$.

    A model that sees the values but not the markers can at best predict
    $\mathbb E[y \mid v] = \bar v_{\text{first}} + \bar v_{\text{second}}$, the means of the
    $n_1 = \lfloor T/2 \rfloor$ values where the first marker may fall and of the $n_2 = T - n_1$
    others. Each half leaves the variance $\tfrac1{12}(1 - 1/n_i)$ of one value about its half's mean.
    """
    T = positive_int("T", T, minimum=2)
    n1 = T // 2
    n2 = T - n1
    return 1.0 - 0.5 * (1.0 / n1 + 1.0 / n2)
