# The training pages' data: scikit-learn's digits split by class, and the adding problem.
"""Tests for vgdocs.datasets.

The digits are compared with ``sklearn.datasets.load_digits`` itself; the split with the class
counts it promises; the adding problem with its definition (two markers, one per half, the target
their sum) and its baseline with the variance of a sum of two independent U[0, 1] values, 1/6.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.datasets import load_digits

from vgdocs.datasets import (
    Split,
    adding_problem,
    adding_problem_baseline,
    adding_problem_marker_blind,
    digits,
    digits_file,
    stratified_split,
)


@pytest.fixture(scope="module")
def sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    bunch = load_digits()
    return bunch.data, bunch.target


def rows_with_labels(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The rows (pixels, then label) in lexicographic order: the data as a multiset of examples."""
    table = np.column_stack([x, y])
    return table[np.lexsort(table.T[::-1])]


# ---------------------------------------------------------------------------- digits


def test_digits_are_sklearns_scaled_to_the_unit_interval_and_partitioned(sklearn_digits):
    X, y = sklearn_digits
    split = digits()
    assert split.x_train.shape == (1437, 64) and split.x_test.shape == (360, 64)
    assert split.y_train.shape == (1437,) and split.y_test.shape == (360,)
    assert split.x_train.dtype == np.float64 and split.y_train.dtype.kind == "i"
    assert split.x_train.min() >= 0.0 and split.x_train.max() == 1.0
    both = rows_with_labels(np.concatenate([split.x_train, split.x_test]),
                            np.concatenate([split.y_train, split.y_test]))
    np.testing.assert_array_equal(both, rows_with_labels(X / 16.0, y))
    assert split.classes == 10
    assert digits_file().name == "digits.csv.gz"


def test_digits_split_by_index_is_the_stratified_split(sklearn_digits):
    X, y = sklearn_digits
    train, test = stratified_split(y.astype(np.int64), 360, 0)
    split = digits()
    np.testing.assert_array_equal(split.x_train, X[train] / 16.0)
    np.testing.assert_array_equal(split.y_test, y[test])


@pytest.mark.parametrize(("n_test", "seed"), [(360, 0), (100, 3), (797, 11)])
def test_digits_split_is_stratified(sklearn_digits, n_test, seed):
    _, y = sklearn_digits
    split = digits(n_test=n_test, seed=seed)
    assert split.x_test.shape[0] == n_test and split.x_train.shape[0] == y.size - n_test
    for c in range(10):
        exact = np.sum(y == c) * n_test / y.size
        assert abs(np.sum(split.y_test == c) - exact) < 1.0, c  # within one example of the exact share


def test_digits_split_is_deterministic_and_depends_on_the_seed():
    a, b, c = digits(seed=5), digits(seed=5), digits(seed=6)
    for field in ("x_train", "y_train", "x_test", "y_test"):
        assert getattr(a, field).tobytes() == getattr(b, field).tobytes()
    assert not np.array_equal(a.y_test, c.y_test) or not np.array_equal(a.x_test, c.x_test)
    # a different seed changes which examples are held out, not how many of each class
    np.testing.assert_array_equal(np.bincount(a.y_test), np.bincount(c.y_test))


# ---------------------------------------------------------------------------- stratified_split


def test_stratified_split_gives_leftover_places_to_the_largest_remainders():
    labels = np.array([0] * 5 + [1] * 3 + [2] * 2)  # exact shares for 3 places: 1.5, 0.9, 0.6
    train, test = stratified_split(labels, 3, 0)
    np.testing.assert_array_equal(np.bincount(labels[test], minlength=3), [1, 1, 1])
    assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(10))
    # equal remainders: the place goes to the lower class
    for seed in range(4):
        tied = np.array([0, 0, 1, 1])
        _, test = stratified_split(tied, 1, seed)
        assert tied[test].tolist() == [0]
    _, test = stratified_split(np.array([0, 0, 1, 1, 1, 1]), 3, 2)  # shares 1 and 2 exactly
    np.testing.assert_array_equal(np.bincount(np.array([0, 0, 1, 1, 1, 1])[test]), [1, 2])


def test_stratified_split_draws_within_each_class_by_the_seed():
    labels = np.repeat(np.arange(3), 20)
    seen = {tuple(stratified_split(labels, 6, s)[1]) for s in range(6)}
    assert len(seen) > 1
    np.testing.assert_array_equal(stratified_split(labels, 6, 4)[1], stratified_split(labels, 6, 4)[1])


@pytest.mark.parametrize(("labels", "n_test", "seed", "name"), [
    (np.array([[0, 1], [1, 0]]), 1, 0, "labels"),
    (np.array([0.0, 1.0, 1.0]), 1, 0, "labels"),
    (np.array([], dtype=np.int64), 1, 0, "labels"),
    (np.array([0, 1, 1]), 0, 0, "n_test"),
    (np.array([0, 1, 1]), 3, 0, "n_test"),
    (np.array([0, 1, 1]), 1.0, 0, "n_test"),
    (np.array([0, 1, 1]), 1, -1, "seed"),
])
def test_stratified_split_rejects_bad_arguments(labels, n_test, seed, name):
    with pytest.raises(ValueError, match=name):
        stratified_split(labels, n_test, seed)


def test_digits_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_test"):
        digits(n_test=1797)
    with pytest.raises(ValueError, match="seed"):
        digits(seed=-1)


# ---------------------------------------------------------------------------- Split


def test_split_astype_and_head():
    split = digits().head(50)
    assert split.x_train.shape == (50, 64) and split.x_test.shape == (360, 64)
    np.testing.assert_array_equal(split.x_train, digits().x_train[:50])
    np.testing.assert_array_equal(split.y_train, digits().y_train[:50])
    np.testing.assert_array_equal(split.x_test, digits().x_test)
    single = split.astype(np.float32)
    assert single.x_train.dtype == single.x_test.dtype == np.float32
    assert single.y_train.dtype == split.y_train.dtype
    np.testing.assert_array_equal(single.x_train, split.x_train.astype(np.float32))
    np.testing.assert_array_equal(single.y_test, split.y_test)
    for bad in (0, 51, 2.0):
        with pytest.raises(ValueError, match=r"\bn\b"):
            split.head(bad)


def test_split_classes_counts_both_parts():
    s = Split(np.zeros((2, 1)), np.array([0, 1]), np.zeros((1, 1)), np.array([4]))
    assert s.classes == 5


# ---------------------------------------------------------------------------- adding problem


@pytest.mark.parametrize("T", [2, 7, 10])
def test_adding_problem_has_two_markers_one_per_half_and_sums_them(T):
    n = 500
    xs, y = adding_problem(T, n, np.random.default_rng(T))
    assert xs.shape == (T, n, 2) and y.shape == (n,)
    values, markers = xs[..., 0], xs[..., 1]
    assert np.all((values >= 0.0) & (values < 1.0))
    assert set(np.unique(markers)) <= {0.0, 1.0}
    np.testing.assert_array_equal(markers.sum(axis=0), 2.0)
    half = T // 2
    np.testing.assert_array_equal(markers[:half].sum(axis=0), 1.0)
    np.testing.assert_array_equal(markers[half:].sum(axis=0), 1.0)
    np.testing.assert_allclose(y, (values * markers).sum(axis=0), rtol=1e-15)
    # every step of each half gets used as a marked step
    used = np.flatnonzero(markers.sum(axis=1))
    np.testing.assert_array_equal(used, np.arange(T))


def test_adding_problem_centre_shifts_only_the_value_channel():
    xs, y = adding_problem(9, 40, np.random.default_rng(1))
    xc, yc = adding_problem(9, 40, np.random.default_rng(1), centre=True)
    np.testing.assert_allclose(xc[..., 0], xs[..., 0] - 0.5, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(xc[..., 1], xs[..., 1])
    np.testing.assert_array_equal(yc, y)


def test_adding_problem_is_determined_by_the_generator():
    a = adding_problem(6, 30, np.random.default_rng(4))
    b = adding_problem(6, 30, np.random.default_rng(4))
    c = adding_problem(6, 30, np.random.default_rng(5))
    assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
    assert not np.array_equal(a[0], c[0]) and not np.array_equal(a[1], c[1])
    rng = np.random.default_rng(4)
    first, second = adding_problem(6, 30, rng), adding_problem(6, 30, rng)
    assert not np.array_equal(first[1], second[1])  # the generator moves on


def test_adding_problem_baseline_is_the_variance_of_a_sum_of_two_uniforms():
    _, y = adding_problem(4, 100_000, np.random.default_rng(7))
    # Var(U1 + U2) = 2/12 = 1/6; the standard error of the estimate is about 6e-4 here.
    assert adding_problem_baseline(y) == pytest.approx(1.0 / 6.0, abs=3e-3)
    assert np.mean(y) == pytest.approx(1.0, abs=6e-3)


def test_adding_problem_baseline_closed_form():
    assert adding_problem_baseline(np.array([0.0, 1.0, 2.0])) == pytest.approx(2.0 / 3.0, rel=1e-15)
    assert adding_problem_baseline(np.array([0.7, 0.7])) == 0.0
    y = np.array([0.1, 1.9, 0.4, 1.2])
    assert adding_problem_baseline(y) == pytest.approx(float(np.var(y)), rel=1e-14)


@pytest.mark.parametrize(("T", "n", "rng", "name"), [
    (1, 5, np.random.default_rng(0), "T"),
    (2.0, 5, np.random.default_rng(0), "T"),
    (4, 0, np.random.default_rng(0), "n"),
    (4, 5, 0, "rng"),
    (4, 5, np.random.RandomState(0), "rng"),
])
def test_adding_problem_rejects_bad_arguments(T, n, rng, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        adding_problem(T, n, rng)


@pytest.mark.parametrize("bad", [[1.0, 2.0], np.zeros((2, 2)), np.array([]), np.array([1.0, math.nan])])
def test_adding_problem_baseline_rejects_bad_targets(bad):
    with pytest.raises(ValueError, match="targets"):
        adding_problem_baseline(bad)


@pytest.mark.parametrize("T", [5, 10, 20, 50])
def test_marker_blind_error_matches_the_conditional_mean_on_samples(T):
    # The best guess without markers is the mean of each half's values, summed; its error,
    # estimated on samples, against the closed form (both as a fraction of 1/6).
    xs, y = adding_problem(T, 200_000, np.random.default_rng([T, 5]))
    v = xs[..., 0]
    guess = v[: T // 2].mean(axis=0) + v[T // 2:].mean(axis=0)
    assert np.mean((y - guess) ** 2) / (1 / 6) == pytest.approx(adding_problem_marker_blind(T), abs=0.01)
    # A guess that also ignores the values does worse: the baseline, 1.
    assert adding_problem_marker_blind(T) < 1.0


def test_marker_blind_error_small_cases():
    assert adding_problem_marker_blind(2) == 0.0  # one step per half: the values are the answer
    assert adding_problem_marker_blind(5) == pytest.approx(1 - 0.5 * (1 / 2 + 1 / 3))
    with pytest.raises(ValueError):
        adding_problem_marker_blind(1)
