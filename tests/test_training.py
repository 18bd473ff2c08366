# The training loop's parts: initialisers, optimisers, clipping, losses, and train() replayed by hand.
"""Unit tests for vgdocs.training.

Initialisers are checked against the variances and ranges of their formulas, optimisers against
one and two steps worked out in closed form, clipping against the definition of the global norm,
and :func:`train` against a loop written here (batches drawn as documented, gradients from
autograd) that must reproduce its parameters and every recorded quantity.
"""

from __future__ import annotations

import math

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from vgdocs.datasets import Split, digits
from vgdocs.training import (
    MLP,
    SGD,
    Adam,
    Momentum,
    ResidualMLP,
    accuracy,
    clip_by_global_norm,
    global_norm,
    init_mlp,
    init_residual_mlp,
    linear_decay,
    sigmoid_cross_entropy,
    softmax,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    train,
)


def gen(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def blobs(n_train: int = 40, n_test: int = 20, d: int = 4, seed: int = 0) -> Split:
    """Two well-separated Gaussian classes (means at -1.5 and +1.5 along every axis)."""
    rng = gen(seed)

    def part(n):
        y = np.arange(n) % 2
        return rng.standard_normal((n, d)) * 0.5 + (3.0 * y[:, None] - 1.5), y.astype(np.int64)

    return Split(*part(n_train), *part(n_test))


# ---------------------------------------------------------------------------- init_mlp


@pytest.mark.parametrize(("init", "std"), [
    ("he_normal", lambda n_in, n_out: math.sqrt(2.0 / n_in)),
    ("lecun_normal", lambda n_in, n_out: math.sqrt(1.0 / n_in)),
    ("glorot_uniform", lambda n_in, n_out: math.sqrt(2.0 / (n_in + n_out))),
    ("sigmoid_uniform", lambda n_in, n_out: 4.0 * math.sqrt(2.0 / (n_in + n_out))),
    ("standard_uniform", lambda n_in, n_out: math.sqrt(1.0 / (3.0 * n_in))),
])
def test_init_mlp_hidden_weights_have_the_formula_std(init, std):
    sizes = [300, 200, 100, 10]
    model = init_mlp(sizes, "tanh", init, gen(1))
    assert [w.shape for w in model.weights] == [(200, 300), (100, 200), (10, 100)]
    assert [b.shape for b in model.biases] == [(200,), (100,), (10,)]
    for W, n_in, n_out in zip(model.weights[:-1], sizes[:-2], sizes[1:-1], strict=True):
        # 20 000+ draws: the sample std is within ~1% of the true one; 4% leaves a wide margin.
        assert W.std() == pytest.approx(std(n_in, n_out), rel=0.04)
        assert abs(W.mean()) < 0.05 * std(n_in, n_out)
    # The read-out defaults to Glorot uniform whatever the hidden layers use.
    limit = math.sqrt(6.0 / (100 + 10))
    assert np.max(np.abs(model.weights[-1])) <= limit
    assert model.weights[-1].std() == pytest.approx(limit / math.sqrt(3.0), rel=0.1)
    for b in model.biases:
        np.testing.assert_array_equal(b, 0.0)


def test_uniform_inits_stay_inside_their_ranges_and_sigmoid_uniform_is_four_times_glorot():
    sizes = [50, 30, 20, 5]
    glorot = init_mlp(sizes, "sigmoid", "glorot_uniform", gen(3))
    wide = init_mlp(sizes, "sigmoid", "sigmoid_uniform", gen(3))
    for Wg, Ws, n_in, n_out in zip(glorot.weights[:-1], wide.weights[:-1], sizes[:-2], sizes[1:-1], strict=True):
        limit = math.sqrt(6.0 / (n_in + n_out))
        assert np.max(np.abs(Wg)) <= limit
        assert np.max(np.abs(Wg)) > 0.9 * limit  # the draws do fill the range
        np.testing.assert_array_equal(Ws, 4.0 * Wg)  # same generator, same draws, four times the range
    np.testing.assert_array_equal(wide.weights[-1], glorot.weights[-1])


def test_init_mlp_gain_bias_std_dtype_and_stacks():
    sizes = [20, 30, 30, 4]
    base = init_mlp(sizes, "relu", "he_normal", gen(4))
    doubled = init_mlp(sizes, "relu", "he_normal", gen(4), gain=2.0)
    for W1, W2 in zip(base.weights[:-1], doubled.weights[:-1], strict=True):
        np.testing.assert_array_equal(W2, 2.0 * W1)
    np.testing.assert_array_equal(doubled.weights[-1], base.weights[-1])  # the gain is for hidden layers only
    biased = init_mlp([200, 500, 400, 4], "relu", "he_normal", gen(5), bias_std=0.7)
    assert np.concatenate(biased.biases[:-1]).std() == pytest.approx(0.7, rel=0.08)
    small = init_mlp(sizes, "relu", "he_normal", gen(4), dtype=np.float32)
    assert all(p.dtype == np.float32 for p in small.params)
    np.testing.assert_array_equal(small.weights[0], base.weights[0].astype(np.float32))
    stack = init_mlp(sizes, "relu", "he_normal", gen(4), networks=3)
    assert [w.shape for w in stack.weights] == [(3, 30, 20), (3, 30, 30), (3, 4, 30)]
    assert [b.shape for b in stack.biases] == [(3, 30), (3, 30), (3, 4)]
    # R networks are drawn one after another: the first is the single network of the same generator.
    for Ws, W in zip(stack.weights, base.weights, strict=True):
        np.testing.assert_array_equal(Ws[0], W)
        assert not np.array_equal(Ws[1], W)
    assert stack.activation == "relu"


def test_init_residual_mlp_starts_every_block_at_the_identity():
    model = init_residual_mlp(6, 5, 3, 4, "tanh", gen(6), networks=2)
    assert model.first[0].shape == (2, 5, 6) and model.first[1].shape == (2, 5)
    assert model.readout[0].shape == (2, 4, 5) and model.readout[1].shape == (2, 4)
    assert len(model.blocks) == 3
    for U, u, V, v in model.blocks:
        assert U.shape == V.shape == (2, 5, 5) and u.shape == v.shape == (2, 5)
        assert np.all(U != 0.0)
        np.testing.assert_array_equal(V, 0.0)
        np.testing.assert_array_equal(u, 0.0)
        np.testing.assert_array_equal(v, 0.0)
    x = gen(7).standard_normal((2, 8, 6))
    scores, cache = model.forward(x)
    # With V = v = 0 each block passes its input through: the scores are those of projection + read-out.
    h1 = np.tanh(np.einsum("rbi,roi->rbo", x, model.first[0]))
    np.testing.assert_allclose(cache[3], h1, rtol=1e-14)
    np.testing.assert_allclose(scores, np.einsum("rbi,roi->rbo", h1, model.readout[0]), rtol=1e-13)
    assert len(model.params) == 2 + 4 * 3 + 2


def test_init_residual_mlp_uses_he_for_relu_and_glorot_otherwise():
    relu = init_residual_mlp(400, 300, 1, 10, "relu", gen(8))
    assert relu.first[0].std() == pytest.approx(math.sqrt(2.0 / 400), rel=0.04)
    assert relu.blocks[0][0].std() == pytest.approx(math.sqrt(2.0 / 300), rel=0.04)
    tanh = init_residual_mlp(400, 300, 1, 10, "tanh", gen(8))
    assert np.max(np.abs(tanh.first[0])) <= math.sqrt(6.0 / 700)
    assert tanh.first[0].std() == pytest.approx(math.sqrt(2.0 / 700), rel=0.04)
    assert np.max(np.abs(tanh.readout[0])) <= math.sqrt(6.0 / 310)
    assert init_residual_mlp(4, 3, 0, 2, "relu", gen(0), dtype=np.float32).first[0].dtype == np.float32


# ---------------------------------------------------------------------------- optimisers


def test_sgd_step_and_weight_decay_mask():
    p = [np.array([1.0, -2.0]), np.array([[0.5]])]
    g = [np.array([0.1, 0.4]), np.array([[-1.0]])]
    params = [a.copy() for a in p]
    updates = SGD().step(params, g, 0.5)
    np.testing.assert_allclose(params[0], [0.95, -2.2], rtol=1e-15)
    np.testing.assert_allclose(params[1], [[1.0]], rtol=1e-15)
    np.testing.assert_allclose(updates[0], [-0.05, -0.2], rtol=1e-15)
    # weight decay lambda adds lambda * theta to the gradient, only where the mask says so
    params = [a.copy() for a in p]
    SGD(weight_decay=0.1, decay=[True, False]).step(params, g, 0.5)
    np.testing.assert_allclose(params[0], [1.0 - 0.5 * (0.1 + 0.1), -2.0 - 0.5 * (0.4 - 0.2)], rtol=1e-15)
    np.testing.assert_allclose(params[1], [[1.0]], rtol=1e-15)
    params = [a.copy() for a in p]
    SGD(weight_decay=0.1).step(params, g, 0.5)  # an empty mask decays everything
    np.testing.assert_allclose(params[1], [[0.5 - 0.5 * (-1.0 + 0.05)]], rtol=1e-15)


def test_momentum_two_steps_in_closed_form():
    theta = [np.array([1.0, 2.0])]
    g1, g2 = np.array([0.5, -1.0]), np.array([0.25, 0.75])
    opt = Momentum(mu=0.8)
    u1 = opt.step(theta, [g1], 0.1)
    np.testing.assert_allclose(u1[0], -0.1 * g1, rtol=1e-15)
    u2 = opt.step(theta, [g2], 0.1)
    v2 = 0.8 * (-0.1 * g1) - 0.1 * g2
    np.testing.assert_allclose(u2[0], v2, rtol=1e-15)
    np.testing.assert_allclose(theta[0], np.array([1.0, 2.0]) - 0.1 * g1 + v2, rtol=1e-15)


def test_adam_two_steps_with_bias_correction_in_closed_form():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    theta0 = np.array([0.3, -0.7, 1.2])
    g1, g2 = np.array([0.2, -0.05, 3.0]), np.array([-0.1, -0.02, 1.0])
    theta = [theta0.copy()]
    opt = Adam(beta1=b1, beta2=b2, eps=eps)
    u1 = opt.step(theta, [g1], lr)
    # step 1: m_hat = g1 and v_hat = g1^2, so the update is -lr * g1 / (|g1| + eps) (about -lr * sign g1)
    np.testing.assert_allclose(u1[0], -lr * g1 / (np.abs(g1) + eps), rtol=1e-12)
    u2 = opt.step(theta, [g2], lr)
    m = b1 * (1 - b1) * g1 + (1 - b1) * g2
    v = b2 * (1 - b2) * g1**2 + (1 - b2) * g2**2
    expected = -lr * (m / (1 - b1**2)) / (np.sqrt(v / (1 - b2**2)) + eps)
    np.testing.assert_allclose(u2[0], expected, rtol=1e-12)
    np.testing.assert_allclose(theta[0], theta0 + u1[0] + expected, rtol=1e-14)
    assert opt.t == 2


# ---------------------------------------------------------------------------- clipping


def test_global_norm_single_and_per_network():
    a, b = np.array([3.0, 4.0]), np.array([[12.0]])
    assert float(global_norm([a, b])) == pytest.approx(13.0, rel=1e-15)
    stacked = [np.array([[3.0, 4.0], [0.0, 1.0]]), np.array([[[12.0]], [[0.0]]])]
    np.testing.assert_allclose(global_norm(stacked, networks=2), [13.0, 1.0], rtol=1e-15)


def test_clip_by_global_norm_keeps_direction_caps_norm_and_leaves_small_gradients():
    rng = gen(9)
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    clipped, before = clip_by_global_norm(grads, 0.5 * norm)
    assert float(before) == pytest.approx(norm, rel=1e-14)
    assert float(global_norm(clipped)) == pytest.approx(0.5 * norm, rel=1e-14)
    for c, g in zip(clipped, grads, strict=True):
        np.testing.assert_allclose(c, 0.5 * g, rtol=1e-14)  # same direction, every array scaled alike
    untouched, _ = clip_by_global_norm(grads, 2.0 * norm)
    for c, g in zip(untouched, grads, strict=True):
        np.testing.assert_array_equal(c, g)


def test_clip_by_global_norm_per_network():
    rng = gen(10)
    grads = [rng.standard_normal((2, 3, 3)), rng.standard_normal((2, 3))]
    grads[0][1] *= 0.01
    grads[1][1] *= 0.01
    norms = [math.sqrt(sum(float(np.sum(g[r] ** 2)) for g in grads)) for r in range(2)]
    theta = 1.0
    assert norms[0] > theta > norms[1]
    clipped, before = clip_by_global_norm(grads, theta, networks=2)
    np.testing.assert_allclose(before, norms, rtol=1e-14)
    np.testing.assert_allclose(global_norm(clipped, networks=2), [theta, norms[1]], rtol=1e-14)
    for c, g in zip(clipped, grads, strict=True):
        np.testing.assert_allclose(c[0], g[0] * theta / norms[0], rtol=1e-14)
        np.testing.assert_array_equal(c[1], g[1])


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, np.array([1.0])])
def test_clip_by_global_norm_rejects_bad_thresholds(bad):
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm([np.ones(3)], bad)


# ---------------------------------------------------------------------------- small pieces


def test_linear_decay():
    assert linear_decay(0.2, 0, 10) == 0.2
    assert linear_decay(0.2, 5, 10) == pytest.approx(0.1, rel=1e-15)
    assert linear_decay(0.2, 9, 10) == pytest.approx(0.02, rel=1e-14)
    assert linear_decay(0.2, 10, 10) == 0.0


def test_accuracy_and_losses_on_hand_made_scores():
    z = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [4.0, 4.5, 0.0]])
    y = np.array([0, 1, 1, 0])
    assert float(accuracy(z, y)) == 0.5
    stacked = np.stack([z, z[:, ::-1]])
    np.testing.assert_array_equal(accuracy(stacked, y), [0.5, 0.25])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax(z), p, rtol=1e-14)
    assert float(softmax_cross_entropy(z, y)) == pytest.approx(-np.mean(np.log(p[np.arange(4), y])), rel=1e-14)
    grad_expected = (p - np.eye(3)[y]) / 4
    np.testing.assert_allclose(softmax_cross_entropy_grad(z, y), grad_expected, rtol=1e-13)
    # Large logits: the stable forms stay finite and exact where the naive form overflows.
    big = np.array([[1000.0, 0.0]])
    assert float(softmax_cross_entropy(big, np.array([1]))) == pytest.approx(1000.0, rel=1e-15)
    assert float(sigmoid_cross_entropy(big, np.array([1]))) == pytest.approx(1000.0 + math.log(2.0), rel=1e-15)


@pytest.mark.parametrize(("logits", "labels", "name"), [
    (np.array([[0.0, math.nan]]), np.array([0]), "logits"),
    (np.zeros((2, 3)), np.array([0.0, 1.0]), "labels"),
    (np.zeros((2, 3)), np.array([0, 3]), "labels"),
    (np.zeros((2, 3)), np.array([0, -1]), "labels"),
    (np.zeros((2, 3)), np.array([0, 1, 2]), "labels"),
])
def test_losses_and_accuracy_reject_bad_input(logits, labels, name):
    for fn in (softmax_cross_entropy, softmax_cross_entropy_grad, sigmoid_cross_entropy, accuracy):
        with pytest.raises(ValueError, match=name):
            fn(logits, labels)


# ---------------------------------------------------------------------------- train()


def a_mlp_scores(params, x, activation, n_layers):
    phi = {"tanh": anp.tanh, "relu": lambda z: anp.where(z > 0, z, 0.0)}[activation]
    h = x
    for k in range(n_layers):
        a = anp.dot(h, params[k].T) + params[n_layers + k]
        h = a if k == n_layers - 1 else phi(a)
    return h


def a_softmax_loss(params, x, y, activation, n_layers):
    z = a_mlp_scores(params, x, activation, n_layers)
    log_p = z - anp.log(anp.sum(anp.exp(z), axis=-1, keepdims=True))
    return -anp.mean(anp.sum(np.eye(z.shape[-1])[y] * log_p, axis=-1))


def snapshot_by_hand(params, start, data, activation, n):
    """What train() records after an epoch, computed here: losses, accuracies, gradient norms, weight change."""
    z_tr = a_mlp_scores(params, data.x_train, activation, n)
    z_te = a_mlp_scores(params, data.x_test, activation, n)
    g = grad(a_softmax_loss)(params, data.x_train, data.y_train, activation, n)
    return {
        "train_loss": a_softmax_loss(params, data.x_train, data.y_train, activation, n),
        "test_loss": a_softmax_loss(params, data.x_test, data.y_test, activation, n),
        "train_accuracy": np.mean(z_tr.argmax(-1) == data.y_train),
        "test_accuracy": np.mean(z_te.argmax(-1) == data.y_test),
        "weight_grad_norm": [np.linalg.norm(gk) for gk in g[:n]],
        "bias_grad_norm": [np.linalg.norm(gk) for gk in g[n:]],
        "weight_change": [np.linalg.norm(params[k] - start[k]) / np.linalg.norm(start[k]) for k in range(n)],
    }


@pytest.mark.parametrize(("schedule", "clip"), [("linear", None), ("constant", 0.3)])
def test_train_is_replayed_exactly_by_a_loop_written_here(schedule, clip):
    """Batches from default_rng(seed).permutation each epoch (last batch smaller), SGD, schedule and clipping."""
    data = blobs(n_train=20, n_test=9, seed=1)
    model = init_mlp([4, 5, 2], "tanh", "glorot_uniform", gen(11), bias_std=0.1)
    params = [p.copy() for p in model.params]
    start = [p.copy() for p in model.weights]
    n, epochs, batch_size, lr, seed = 2, 3, 7, 0.4, 5
    hist = train(model, data, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, schedule=schedule, clip=clip)

    order_rng = gen(seed)
    steps = epochs * math.ceil(20 / batch_size)
    step = 0
    expected = [snapshot_by_hand(params, start, data, "tanh", n)]
    ratios = [[math.nan] * n]
    for _ in range(epochs):
        order = order_rng.permutation(20)
        ratio = np.zeros(n)
        batches = [order[i:i + batch_size] for i in range(0, 20, batch_size)]
        assert [len(b) for b in batches] == [7, 7, 6]
        for batch in batches:
            g = grad(a_softmax_loss)(params, data.x_train[batch], data.y_train[batch], "tanh", n)
            if clip is not None:
                norm = math.sqrt(sum(float(np.sum(gk ** 2)) for gk in g))
                g = [gk * min(1.0, clip / norm) for gk in g]
            rate = lr * (1.0 - step / steps) if schedule == "linear" else lr
            # CS231n's ratio: the update's norm over the weights' norm before the update.
            ratio += [rate * np.linalg.norm(g[k]) / np.linalg.norm(params[k]) for k in range(n)]
            params = [p - rate * gk for p, gk in zip(params, g, strict=True)]
            step += 1
        expected.append(snapshot_by_hand(params, start, data, "tanh", n))
        ratios.append(list(ratio / len(batches)))

    for got, want in zip(model.params, params, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(hist.epochs, np.arange(epochs + 1))
    for key in expected[0]:
        np.testing.assert_allclose(getattr(hist, key), np.array([e[key] for e in expected]), rtol=1e-10,
                                   err_msg=key)
    # Update ratio: the mean over the epoch's steps of |dW| / |W|, W before the step; NaN before training.
    np.testing.assert_allclose(hist.update_ratio, np.array(ratios), rtol=1e-10)
    assert np.all(np.isnan(hist.update_ratio[0]))
    np.testing.assert_array_equal(hist.weight_change[0], 0.0)
    assert hist.weight_names == ["W1", "readout"]
    np.testing.assert_array_equal(hist.diverged, False)


def test_train_is_deterministic_and_depends_on_the_seed():
    data = digits().head(120)

    def run(seed):
        model = init_mlp([64, 16, 10], "relu", "he_normal", gen(12))
        return model, train(model, data, epochs=2, batch_size=32, lr=0.05, seed=seed, optimiser=Momentum())

    (m1, h1), (m2, h2), (m3, _) = run(3), run(3), run(4)
    for a, b in zip(m1.params, m2.params, strict=True):
        assert a.tobytes() == b.tobytes()
    for key in h1.__dataclass_fields__:
        a, b = np.asarray(getattr(h1, key)), np.asarray(getattr(h2, key))
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), key
    assert not any(np.array_equal(a, b) for a, b in zip(m1.params, m3.params, strict=True))


def test_train_reduces_the_loss_on_a_separable_problem():
    data = blobs(n_train=60, n_test=40, seed=2)
    model = init_mlp([4, 8, 2], "relu", "he_normal", gen(13))
    hist = train(model, data, epochs=15, batch_size=10, lr=0.05, seed=0, optimiser=Adam())
    assert hist.train_loss[-1] < 0.1 * hist.train_loss[0]
    assert hist.train_loss[-1] < 0.05
    assert np.all(np.diff(hist.train_loss) < 0)
    assert hist.test_accuracy[-1] == 1.0 and hist.train_accuracy[-1] == 1.0


def test_history_shapes_for_stacks_and_recording_options():
    data = blobs(n_train=24, n_test=10, seed=3)
    R, E = 3, 4
    model = init_mlp([4, 6, 5, 2], "relu", "he_normal", gen(14), networks=R)
    hist = train(model, data, epochs=E, batch_size=8, lr=0.1, seed=1, networks=R)
    assert hist.weight_names == ["W1", "W2", "readout"]
    for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy", "diverged"):
        assert getattr(hist, key).shape == (E + 1, R), key
    for key in ("weight_grad_norm", "bias_grad_norm", "update_ratio", "weight_change"):
        assert getattr(hist, key).shape == (E + 1, R, 3), key
    assert hist.dead_fraction.shape == (E + 1, R, 2)
    assert hist.diverged.dtype == bool
    only = train(init_mlp([4, 6, 2], "tanh", "glorot_uniform", gen(14)), data, epochs=E, batch_size=8, lr=0.1,
                 seed=1, record_epochs=[0, 2, 4])
    np.testing.assert_array_equal(only.epochs, [0, 2, 4])
    assert only.train_loss.shape == (3,) and only.weight_grad_norm.shape == (3, 2)
    bare = train(init_mlp([4, 6, 2], "tanh", "glorot_uniform", gen(14)), data, epochs=E, batch_size=8, lr=0.1,
                 seed=1, record=False)
    assert bare.train_loss.shape == (E + 1,)
    assert bare.weight_grad_norm.shape == (E + 1, 0)
    # Recording changes nothing about the training itself.
    np.testing.assert_array_equal(bare.train_loss, train(init_mlp([4, 6, 2], "tanh", "glorot_uniform", gen(14)),
                                                         data, epochs=E, batch_size=8, lr=0.1, seed=1).train_loss)


def test_training_a_stack_equals_training_each_network_alone():
    data = blobs(n_train=30, n_test=10, seed=4)
    stack = init_mlp([4, 6, 2], "tanh", "glorot_uniform", gen(15), networks=2, bias_std=0.1)
    alone = [MLP([w[r].copy() for w in stack.weights], [b[r].copy() for b in stack.biases], "tanh") for r in range(2)]
    hs = train(stack, data, epochs=3, batch_size=8, lr=0.2, seed=2, networks=2, clip=0.5)
    for r, model in enumerate(alone):
        h = train(model, data, epochs=3, batch_size=8, lr=0.2, seed=2, clip=0.5)
        for p_stack, p in zip(stack.params, model.params, strict=True):
            np.testing.assert_allclose(p_stack[r], p, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(hs.train_loss[:, r], h.train_loss, rtol=1e-12)
        np.testing.assert_allclose(hs.weight_grad_norm[:, r], h.weight_grad_norm, rtol=1e-10)


def test_dead_fraction_counts_units_that_are_zero_on_every_held_out_example():
    data = blobs(n_train=10, n_test=12, seed=5)
    model = init_mlp([4, 10, 8, 2], "relu", "he_normal", gen(16))
    model.biases[0][:3] = -100.0  # three of ten first-layer units can never fire
    model.biases[1][:] = -100.0  # the whole second layer is dead
    hist = train(model, data, epochs=1, batch_size=10, lr=0.0, seed=0)
    np.testing.assert_allclose(hist.dead_fraction, [[0.3, 1.0], [0.3, 1.0]], rtol=1e-15)


def test_residual_history_names_and_weight_change_of_a_zero_start():
    data = blobs(n_train=16, n_test=8, seed=6)
    model = init_residual_mlp(4, 5, 2, 2, "tanh", gen(17))
    V0 = [b[2].copy() for b in model.blocks]
    hist = train(model, data, epochs=2, batch_size=8, lr=0.1, seed=0)
    assert hist.weight_names == ["projection", "U1", "V1", "U2", "V2", "readout"]
    assert isinstance(model, ResidualMLP)
    assert all(np.all(v == 0) for v in V0) and not np.all(model.blocks[0][2] == 0)
    finite_cols = [0, 1, 3, 5]
    assert np.all(np.isfinite(hist.weight_change[:, finite_cols]))
    assert np.all(hist.weight_change[1:, finite_cols] > 0)


def test_weight_change_is_nan_where_the_start_is_zero():
    data = blobs(n_train=16, n_test=8, seed=6)
    model = init_residual_mlp(4, 5, 2, 2, "tanh", gen(17))
    hist = train(model, data, epochs=2, batch_size=8, lr=0.1, seed=0)
    assert np.all(np.isnan(hist.weight_change[:, [2, 4]]))


def test_train_with_zero_epochs_only_records_the_start():
    data = blobs(n_train=12, n_test=6, seed=7)
    model = init_mlp([4, 3, 2], "tanh", "glorot_uniform", gen(18))
    before = [p.copy() for p in model.params]
    hist = train(model, data, epochs=0, batch_size=4, lr=0.1, seed=0)
    np.testing.assert_array_equal(hist.epochs, [0])
    assert hist.train_loss.shape == (1,)
    for p, q in zip(model.params, before, strict=True):
        np.testing.assert_array_equal(p, q)


def test_a_diverging_network_is_flagged_and_its_records_are_nan():
    data = digits().head(60)
    model = init_mlp([64, 8, 10], "tanh", "glorot_uniform", gen(19), networks=2)
    with np.errstate(all="ignore"):
        hist = train(model, data, epochs=3, batch_size=10, lr=1e308, seed=0, networks=2)
    assert not hist.diverged[0].any() and np.all(np.isfinite(hist.train_loss[0]))
    assert hist.diverged[1:].all()
    for key in ("train_loss", "test_loss", "weight_grad_norm", "bias_grad_norm"):
        assert np.all(np.isnan(getattr(hist, key)[hist.diverged])), key


def test_diverged_is_set_whenever_the_recorded_loss_is_not_finite():
    data = digits().head(60)
    model = init_mlp([64, 8, 10], "tanh", "glorot_uniform", gen(0))
    with np.errstate(all="ignore"):
        hist = train(model, data, epochs=1, batch_size=30, lr=1e308, seed=0)
    assert np.isfinite(hist.train_loss[0]) and np.isnan(hist.train_loss[1])
    assert hist.diverged[1]


# ---------------------------------------------------------------------------- errors


def small_setup():
    return init_mlp([4, 3, 2], "tanh", "glorot_uniform", gen(20)), blobs(n_train=8, n_test=4, seed=9)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"epochs": -1}, "epochs"),
    ({"epochs": 1.5}, "epochs"),
    ({"batch_size": 0}, "batch_size"),
    ({"lr": -0.1}, "lr"),
    ({"lr": math.nan}, "lr"),
    ({"seed": -1}, "seed"),
    ({"networks": -1}, "networks"),
    ({"loss": "mse"}, "loss"),
    ({"schedule": "cosine"}, "schedule"),
    ({"clip": 0.0}, "clip"),
    ({"clip": -1.0}, "clip"),
    ({"record_epochs": [0, 5]}, "record_epochs"),
])
def test_train_rejects_bad_arguments(kwargs, name):
    model, data = small_setup()
    args = {"epochs": 2, "batch_size": 4, "lr": 0.1, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=name):
        train(model, data, **args)


@pytest.mark.parametrize(("sizes", "activation", "rng", "kwargs", "name"), [
    ([4], "tanh", gen(0), {}, "sizes"),
    ([4, 0, 2], "tanh", gen(0), {}, r"sizes\[1\]"),
    ([4, 2.5, 2], "tanh", gen(0), {}, r"sizes\[1\]"),
    ([4, 3, 2], "gelu", gen(0), {}, "activation"),
    ([4, 3, 2], "tanh", 0, {}, "rng"),
    ([4, 3, 2], "tanh", gen(0), {"gain": 0.0}, "gain"),
    ([4, 3, 2], "tanh", gen(0), {"networks": -1}, "networks"),
    ([4, 3, 2], "tanh", gen(0), {"bias_std": -1.0}, "bias_std"),
])
def test_init_mlp_rejects_bad_arguments(sizes, activation, rng, kwargs, name):
    with pytest.raises(ValueError, match=name):
        init_mlp(sizes, activation, "glorot_uniform", rng, **kwargs)


@pytest.mark.parametrize("argument", ["init", "readout"])
def test_init_mlp_unknown_sampler_error_names_the_argument(argument):
    kwargs = {"init": "glorot_uniform", "readout": "glorot_uniform", argument: "bogus"}
    with pytest.raises(ValueError, match=rf"\b{argument}\b"):
        init_mlp([4, 3, 2], "tanh", kwargs["init"], gen(0), readout=kwargs["readout"])


@pytest.mark.parametrize(("args", "kwargs", "name"), [
    ((0, 3, 1, 2, "relu"), {}, "n_in"),
    ((4, 0, 1, 2, "relu"), {}, "width"),
    ((4, 3, -1, 2, "relu"), {}, "blocks"),
    ((4, 3, 1, 0, "relu"), {}, "classes"),
    ((4, 3, 1, 2, "swish"), {}, "activation"),
    ((4, 3, 1, 2, "relu"), {"networks": -2}, "networks"),
])
def test_init_residual_mlp_rejects_bad_arguments(args, kwargs, name):
    with pytest.raises(ValueError, match=name):
        init_residual_mlp(*args, gen(0), **kwargs)
    with pytest.raises(ValueError, match="rng"):
        init_residual_mlp(4, 3, 1, 2, "relu", 0)


@pytest.mark.parametrize(("width", "networks", "name"), [(5, 0, "data"), (4, 2, "networks")],
                         ids=["wrong-width", "networks-mismatch"])
def test_train_rejects_a_model_that_does_not_fit_the_data(width, networks, name):
    model = init_mlp([width, 3, 2], "tanh", "glorot_uniform", gen(20))
    with pytest.raises(ValueError, match=name):
        train(model, blobs(n_train=8, n_test=4, seed=9), epochs=1, batch_size=4, lr=0.1, seed=0, networks=networks)


def test_softmax_rejects_non_finite_scores():
    with pytest.raises(ValueError, match=r"\bz\b"):
        softmax(np.array([[0.0, math.inf]]))
