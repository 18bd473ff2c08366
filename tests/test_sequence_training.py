# Sequence models on the adding problem: initialisation, the training loop, stopping a diverging model, clipping.
"""Unit tests for vgdocs.sequence_training.

Initial parameters are checked against PyTorch's ranges and the IRNN and forget-bias rules;
single updates against SGD and Adam worked out here from the model's gradient; the stopping of a
diverging model against a run that ends just before it diverged and a run of the healthy model
alone; ``steps_to_escape`` against hand-made loss curves.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vgdocs.datasets import adding_problem, adding_problem_baseline
from vgdocs.sequence_training import (
    CELLS,
    SequenceModel,
    init_sequence_model,
    mse,
    steps_to_escape,
    train_sequence_model,
)


def gen(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def adding_batches(T: int, B: int, M: int, seed: int, scales=None, dtype=np.float32):
    """batch(step): the same adding-problem batch for every model, optionally scaled per model."""
    scales = np.ones(M) if scales is None else np.asarray(scales, dtype=np.float64)

    def batch(step: int):
        xs, y = adding_problem(T, B, gen([seed, step]))
        xs_m = xs[:, None] * scales[None, :, None, None]
        return xs_m.astype(dtype), (y[None] * scales[:, None]).astype(dtype)

    return batch


def held_out(T: int, n: int, M: int, seed: int = 99, scales=None, dtype=np.float32):
    return adding_batches(T, n, M, seed, scales, dtype)(0)


def copy_model(model: SequenceModel, models=None) -> SequenceModel:
    models = slice(None) if models is None else models
    return SequenceModel(model.cell, [p[models].copy() for p in model.weights], model.lags[models].copy())


# ---------------------------------------------------------------------------- init_sequence_model


@pytest.mark.parametrize("cell", CELLS)
def test_init_shapes_ranges_and_dtype(cell):
    D, H, lags = 3, 5, [2, 4, 6]
    model = init_sequence_model(cell, D, H, lags, gen(1))
    M, k = 3, 1.0 / math.sqrt(H)
    shapes = {
        "tanh": [(M, H, D + H), (M, H)], "irnn": [(M, H, D + H), (M, H)],
        "lstm": [(M, 4 * H, D), (M, 4 * H, H), (M, 4 * H)],
        "gru": [(M, 3 * H, D), (M, 3 * H, H), (M, 3 * H), (M, 3 * H)],
    }[cell]
    assert [p.shape for p in model.weights] == [*shapes, (M, H), (M,)]
    assert all(p.dtype == np.float32 for p in model.weights)
    assert model.H == H and model.cell == cell
    np.testing.assert_array_equal(model.lags, lags)
    assert model.lags.dtype == np.int64
    weights = [model.weights[0], *([model.weights[1]] if cell in ("lstm", "gru") else [])]
    for W in weights:
        W = W[..., :D] if cell == "irnn" else W
        assert np.max(np.abs(W)) <= k and np.max(np.abs(W)) > 0.8 * k
        assert W.std() == pytest.approx(k / math.sqrt(3.0), rel=0.25)
    assert np.max(np.abs(model.weights[-2])) <= k  # the read-out's w
    np.testing.assert_array_equal(model.weights[-1], 0.0)  # c = 0
    if cell in ("tanh", "lstm"):  # two PyTorch bias vectors summed: range 2k, and wider than one
        b = model.weights[1] if cell == "tanh" else model.weights[2]
        assert np.max(np.abs(b)) <= 2 * k and np.max(np.abs(b)) > k
    if cell == "gru":
        for b in model.weights[2:4]:
            assert np.max(np.abs(b)) <= k
    assert not np.array_equal(model.weights[0][0], model.weights[0][1])  # each model draws its own
    assert init_sequence_model(cell, D, H, lags, gen(1), dtype=np.float64).weights[0].dtype == np.float64


def test_irnn_starts_at_the_identity_with_zero_bias_and_gain_scales_recurrent_weights():
    D, H = 2, 4
    irnn = init_sequence_model("irnn", D, H, [3, 3], gen(2))
    for m in range(2):
        np.testing.assert_array_equal(irnn.weights[0][m, :, D:], np.eye(H))
        assert np.all(irnn.weights[0][m, :, :D] != 0)
    np.testing.assert_array_equal(irnn.weights[1], 0.0)
    scaled = init_sequence_model("irnn", D, H, [3, 3], gen(2), gain=0.5)
    np.testing.assert_array_equal(scaled.weights[0][:, :, D:], np.broadcast_to(0.5 * np.eye(H), (2, H, H)))
    one, two = (init_sequence_model("tanh", D, H, [3], gen(3), gain=g, dtype=np.float64) for g in (1.0, 2.0))
    np.testing.assert_array_equal(two.weights[0][..., D:], 2.0 * one.weights[0][..., D:])
    np.testing.assert_array_equal(two.weights[0][..., :D], one.weights[0][..., :D])
    np.testing.assert_array_equal(two.weights[1], one.weights[1])


def test_lstm_forget_bias_fills_the_f_block_one_value_or_one_per_model():
    H = 4
    model = init_sequence_model("lstm", 2, H, [3, 3, 3], gen(4), forget_bias=2.5)
    b = model.weights[2]
    np.testing.assert_array_equal(b[:, H:2 * H], 2.5)
    for block in (slice(0, H), slice(2 * H, 3 * H), slice(3 * H, 4 * H)):  # i, g and o keep their draws
        assert np.all(np.abs(b[:, block]) <= 2.0 / math.sqrt(H)) and np.all(b[:, block] != 2.5)
    per = init_sequence_model("lstm", 2, H, [3, 3, 3], gen(4), forget_bias=[0.0, 1.0, 3.0])
    for m, fb in enumerate([0.0, 1.0, 3.0]):
        np.testing.assert_array_equal(per.weights[2][m, H:2 * H], fb)
    # everything but the f block is the same draw
    mask = np.ones(4 * H, dtype=bool)
    mask[H:2 * H] = False
    np.testing.assert_array_equal(per.weights[2][:, mask], b[:, mask])
    np.testing.assert_array_equal(per.weights[0], model.weights[0])


@pytest.mark.parametrize(("args", "kwargs", "name"), [
    (("gated", 2, 3, [3]), {}, "cell"),
    (("lstm", 0, 3, [3]), {}, r"\bD\b"),
    (("lstm", 2, 0, [3]), {}, r"\bH\b"),
    (("lstm", 2, 3, []), {}, "lags"),
    (("lstm", 2, 3, [3, 0]), {}, r"lags\[1\]"),
    (("lstm", 2, 3, [3, 2.5]), {}, r"lags\[1\]"),
    (("lstm", 2, 3, [3]), {"gain": 0.0}, "gain"),
])
def test_init_rejects_bad_arguments(args, kwargs, name):
    with pytest.raises(ValueError, match=name):
        init_sequence_model(*args, gen(0), **kwargs)
    with pytest.raises(ValueError, match="rng"):
        init_sequence_model("lstm", 2, 3, [3], 0)


@pytest.mark.parametrize("forget_bias", [[1.0, 2.0], math.nan], ids=["wrong-length", "nan"])
def test_init_rejects_bad_forget_bias(forget_bias):
    with pytest.raises(ValueError, match="forget_bias"):
        init_sequence_model("lstm", 2, 3, [3, 3, 3], gen(0), forget_bias=forget_bias)


def test_mse_is_the_mean_over_the_batch_per_model():
    pred = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    target = np.array([[1.0, 0.0, 0.0], [1.0, -1.0, 2.0]])
    np.testing.assert_allclose(mse(pred, target), [13.0 / 3.0, 2.0], rtol=1e-15)


# ---------------------------------------------------------------------------- train_sequence_model


def test_training_is_deterministic():
    def run():
        model = init_sequence_model("gru", 2, 4, [3, 5], gen(5))
        hist = train_sequence_model(model, adding_batches(5, 8, 2, seed=1), updates=12, lr=0.01,
                                    test=held_out(5, 16, 2), clip=1.0, test_every=5)
        return model, hist

    (m1, h1), (m2, h2) = run(), run()
    for a, b in zip(m1.params, m2.params, strict=True):
        assert a.tobytes() == b.tobytes()
    for key in ("train_loss", "grad_norm", "test_updates", "test_loss", "stopped_at"):
        assert getattr(h1, key).tobytes() == getattr(h2, key).tobytes(), key
    np.testing.assert_array_equal(h1.test_updates, [0, 5, 10, 12])
    assert h1.train_loss.shape == h1.grad_norm.shape == (12, 2)
    assert h1.test_loss.shape == (4, 2)
    np.testing.assert_array_equal(h1.stopped_at, -1)


@pytest.mark.parametrize("cell", CELLS)
def test_loss_falls_well_below_the_baseline_on_an_easy_case(cell):
    """Lag 3, 100 Adam updates: every cell learns to add two numbers it saw a step or two ago."""
    M = 2
    test = held_out(3, 256, M)
    baseline = adding_problem_baseline(test[1][0].astype(np.float64))
    model = init_sequence_model(cell, 2, 8, [3, 3], gen(6))
    hist = train_sequence_model(model, adding_batches(3, 32, M, seed=2), updates=100, lr=0.02, test=test, clip=1.0)
    assert np.all(hist.test_loss[-1] < 0.6 * baseline)
    assert np.all(hist.test_loss[-1] < 0.25 * hist.test_loss[0])
    assert np.all(hist.train_loss[-10:].mean(axis=0) < 0.5 * hist.train_loss[:10].mean(axis=0))


def test_one_update_records_the_loss_and_norm_before_it_and_clips_each_model():
    """SGD, one update: theta' = theta - lr * g * min(1, clip / |g|), with |g| each model's own global norm."""
    M, lr, clip = 2, 0.1, 1.0
    batch = adding_batches(4, 6, M, seed=3, scales=[20.0, 0.05], dtype=np.float64)
    test = held_out(4, 10, M, dtype=np.float64)
    model = init_sequence_model("lstm", 2, 3, [4, 2], gen(7), dtype=np.float64)
    before = copy_model(model)
    xs, y = batch(0)
    pred, cache = before.forward(xs)
    grads = before.backward(cache, 2.0 * (pred - y) / y.shape[-1])
    norms = np.sqrt(sum(np.sum(g.reshape(M, -1) ** 2, axis=1) for g in grads))
    assert norms[0] > clip > norms[1]  # one model is clipped, the other is not
    hist = train_sequence_model(model, batch, updates=1, lr=lr, test=test, clip=clip, optimiser="sgd")
    np.testing.assert_allclose(hist.train_loss[0], mse(pred, y), rtol=1e-13)
    np.testing.assert_allclose(hist.grad_norm[0], norms, rtol=1e-13)
    scale = np.minimum(1.0, clip / norms)
    for p, p0, g in zip(model.params, before.params, grads, strict=True):
        expected = p0 - lr * g * scale.reshape((M,) + (1,) * (g.ndim - 1))
        np.testing.assert_allclose(p, expected, rtol=1e-13, atol=1e-16)
    # The update of the clipped model has global norm lr * clip; the other one lr * |g|.
    step_norms = np.sqrt(sum(np.sum((p - p0).reshape(M, -1) ** 2, axis=1)
                             for p, p0 in zip(model.params, before.params, strict=True)))
    np.testing.assert_allclose(step_norms, lr * np.array([clip, norms[1]]), rtol=1e-12)
    # Held-out errors: before the first update and after the last one.
    np.testing.assert_array_equal(hist.test_updates, [0, 1])
    np.testing.assert_allclose(hist.test_loss[0], mse(before.forward(test[0])[0], test[1]), rtol=1e-13)
    np.testing.assert_allclose(hist.test_loss[1], mse(model.forward(test[0])[0], test[1]), rtol=1e-13)


def test_one_adam_update_moves_each_parameter_by_lr_times_the_sign_of_its_clipped_gradient():
    M, lr, clip = 2, 0.01, 0.5
    batch = adding_batches(3, 5, M, seed=4, dtype=np.float64)
    model = init_sequence_model("gru", 2, 3, [3, 3], gen(8), dtype=np.float64)
    before = copy_model(model)
    xs, y = batch(0)
    pred, cache = before.forward(xs)
    grads = before.backward(cache, 2.0 * (pred - y) / y.shape[-1])
    norms = np.sqrt(sum(np.sum(g.reshape(M, -1) ** 2, axis=1) for g in grads))
    scale = np.minimum(1.0, clip / norms)
    train_sequence_model(model, batch, updates=1, lr=lr, test=held_out(3, 4, M, dtype=np.float64), clip=clip)
    for p, p0, g in zip(model.params, before.params, grads, strict=True):
        gc = g * scale.reshape((M,) + (1,) * (g.ndim - 1))
        # Adam's first step: m_hat = g, v_hat = g^2, so the step is -lr * g / (|g| + 1e-8)
        np.testing.assert_allclose(p, p0 - lr * gc / (np.abs(gc) + 1e-8), rtol=1e-12, atol=1e-15)


def test_a_diverging_model_is_stopped_frozen_and_the_others_train_on():
    """An IRNN shown inputs 1000 times larger overflows under SGD; its twin on the plain task keeps learning."""
    M, T, updates, lr = 2, 4, 60, 0.05
    batch = adding_batches(T, 16, M, seed=1, scales=[1e3, 1.0])
    test = held_out(T, 32, M, scales=[1e3, 1.0])
    model = init_sequence_model("irnn", 2, 4, [T, T], gen(0))
    start = copy_model(model)
    hist = train_sequence_model(model, batch, updates=updates, lr=lr, test=test, optimiser="sgd", test_every=10)
    s = int(hist.stopped_at[0])
    assert 0 <= s < updates and hist.stopped_at[1] == -1
    assert np.all(np.isfinite(hist.train_loss[:s, 0])) and np.all(np.isnan(hist.train_loss[s:, 0]))
    assert np.all(np.isfinite(hist.grad_norm[:s, 0])) and np.all(np.isnan(hist.grad_norm[s:, 0]))
    late = hist.test_updates > s
    assert np.all(np.isnan(hist.test_loss[late, 0])) and np.all(np.isfinite(hist.test_loss[~late, 0]))
    # Frozen at its last finite values: those of a run that stops just before the failing update.
    for p in model.params:
        assert np.all(np.isfinite(p[0]))
    if s > 0:
        short = copy_model(start)
        train_sequence_model(short, batch, updates=s, lr=lr, test=test, optimiser="sgd", test_every=10)
        for p, q in zip(model.params, short.params, strict=True):
            np.testing.assert_array_equal(p[0], q[0])
    else:
        for p, q in zip(model.params, start.params, strict=True):
            np.testing.assert_array_equal(p[0], q[0])
    # The healthy model is untouched by its twin's failure: it ends where it ends when trained alone.
    assert np.all(np.isfinite(hist.train_loss[:, 1])) and np.all(np.isfinite(hist.test_loss[:, 1]))
    assert hist.train_loss[-10:, 1].mean() < 0.5 * hist.train_loss[:10, 1].mean()
    alone = copy_model(start, slice(1, 2))

    def batch_alone(step):
        xs, y = batch(step)
        return xs[:, 1:], y[1:]

    h_alone = train_sequence_model(alone, batch_alone, updates=updates, lr=lr, test=(test[0][:, 1:], test[1][1:]),
                                   optimiser="sgd", test_every=10)
    for p, q in zip(model.params, alone.params, strict=True):
        np.testing.assert_allclose(p[1], q[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(hist.train_loss[:, 1], h_alone.train_loss[:, 0], rtol=1e-6)


def test_a_model_whose_update_overflows_keeps_its_last_finite_parameters():
    batch = adding_batches(4, 16, 1, seed=1)
    model = init_sequence_model("irnn", 2, 4, [4], gen(0))
    start = copy_model(model)
    hist = train_sequence_model(model, batch, updates=3, lr=1e38, test=held_out(4, 8, 1), optimiser="sgd")
    assert hist.stopped_at[0] >= 0
    assert all(np.all(np.isfinite(p)) for p in model.params)
    assert hist.stopped_at[0] == 0  # the first update was the one that was no longer finite
    for p, q in zip(model.params, start.params, strict=True):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"updates": 0}, "updates"),
    ({"lr": -1.0}, "lr"),
    ({"lr": math.inf}, "lr"),
    ({"test_every": 0}, "test_every"),
    ({"clip": 0.0}, "clip"),
    ({"optimiser": "rmsprop"}, "optimiser"),
])
def test_train_rejects_bad_arguments(kwargs, name):
    model = init_sequence_model("tanh", 2, 3, [3], gen(0))
    args = {"updates": 2, "lr": 0.01, "test": held_out(3, 4, 1), **kwargs}
    with pytest.raises(ValueError, match=name):
        train_sequence_model(model, adding_batches(3, 4, 1, seed=0), **args)


# ---------------------------------------------------------------------------- steps_to_escape


def test_steps_to_escape_on_hand_made_curves():
    n = 60
    loss = np.ones((n, 4))
    loss[30:, 0] = 0.0  # drops at update 30
    loss[:, 2] = 0.2  # below the level from the start
    loss[:, 3] = 0.0
    loss[20:, 3] = np.nan  # a stopped model's NaNs count as infinitely bad
    # window 5, level 0.5: the trailing mean over updates t-4..t first drops below 0.5 when three of them are 0
    np.testing.assert_array_equal(steps_to_escape(loss, baseline=1.0, window=5, level=0.5), [32, -1, 4, 4])
    # the threshold is level * baseline, strictly below (window 4 and quarters: every mean is exact)
    flat = np.full((8, 1), 0.25)
    np.testing.assert_array_equal(steps_to_escape(flat, baseline=0.5, window=4, level=0.5), [-1])
    np.testing.assert_array_equal(steps_to_escape(flat, baseline=0.5001, window=4, level=0.5), [3])
    # a linear fall 1 - t/60: the mean of updates t-9..t is 1 - (t - 4.5)/60, below 0.5 first at t = 35
    ramp = (1.0 - np.arange(n) / n)[:, None]
    np.testing.assert_array_equal(steps_to_escape(ramp, baseline=1.0, window=10, level=0.5), [35])
    assert steps_to_escape(loss, 1.0).dtype == np.int64


def test_steps_to_escape_with_a_window_longer_than_the_run():
    loss = np.full((5, 1), 0.9)  # never below 0.5
    try:
        out = steps_to_escape(loss, baseline=1.0, window=10, level=0.5)
    except ValueError as exc:
        assert "window" in str(exc)
        return
    np.testing.assert_array_equal(out, [-1])


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"window": 0}, "window"),
    ({"baseline": 0.0}, "baseline"),
    ({"baseline": -1.0}, "baseline"),
    ({"level": 0.0}, "level"),
])
def test_steps_to_escape_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        steps_to_escape(np.ones((10, 1)), **{"baseline": 1.0, **kwargs})
