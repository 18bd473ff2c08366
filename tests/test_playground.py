# The playground's arithmetic: the generator against published outputs, math against numpy, gradients against autograd.
"""Tests for vgdocs.mersenne, vgdocs.portable_math and vgdocs.playground (no browser).

Independent references: the published MT19937 outputs (``mt19937ar.out`` of the 2002 reference
code, as reproduced in several libraries' test suites), the C++ standard's check value for
``std::mt19937``, CPython's ``random`` and numpy's ``RandomState`` (two other implementations of
the same generator); numpy and ``math`` for the elementary functions; plain Python loops for the
order of every sum; central finite differences, the ``autograd`` package and
``vgdocs.training`` for the gradients. The comparison with the page's script is in
``test_playground_browser.py``.
"""

from __future__ import annotations

import itertools
import math
import random

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from vgdocs import playground as pg
from vgdocs.mersenne import MT19937, polar_pair, res53
from vgdocs.portable_math import cos, exp, exp_expm1, expm1, log, log_array, log_scalar, sin
from vgdocs.training import MLP, softmax_cross_entropy_grad

# ---------------------------------------------------------------------------- the generator

# mt19937ar.out, init_by_array({0x123, 0x234, 0x345, 0x456}): outputs 1-20 and 981-1000 of
# genrand_int32, and genrand_res53 after the 1000 integers (printed to 8 decimals).
KEY = [0x123, 0x234, 0x345, 0x456]
FIRST = [1067595299, 955945823, 477289528, 4107218783, 4228976476, 3344332714, 3355579695, 227628506,
         810200273, 2591290167, 2560260675, 3242736208, 646746669, 1479517882, 4245472273, 1143372638,
         3863670494, 3221021970, 1773610557, 1138697238]
LAST = [123599888, 472658308, 1053598179, 1012713758, 3481064843, 3759461013, 3981457956, 3830587662,
        1877191791, 3650996736, 988064871, 3515461600, 4089077232, 2225147448, 1249609188, 2643151863,
        3896204135, 2416995901, 1397735321, 3460025646]
REAL2_AFTER_1000 = [0.76275443, 0.99000644, 0.98670464, 0.10143112, 0.27933125, 0.69867227, 0.94218740,
                    0.03427201, 0.78842173, 0.28180608]
RES53_AFTER_1000 = [0.76275444, 0.98670464, 0.27933125, 0.94218739, 0.78842173, 0.92179002, 0.54534773,
                    0.38107717, 0.65286910, 0.22765212]


def test_mt19937_reproduces_the_reference_output():
    g = MT19937(key=KEY)
    out = [g.uint32() for _ in range(1000)]
    assert out[:20] == FIRST
    assert out[980:] == LAST
    real2 = [g.uint32() / 2**32 for _ in range(10)]
    assert [round(v, 8) for v in real2] == REAL2_AFTER_1000
    g = MT19937(key=KEY)
    for _ in range(1000):
        g.uint32()
    assert [round(g.uniform(), 8) for _ in range(10)] == RES53_AFTER_1000


def test_mt19937_default_seed_matches_the_cpp_standard():
    # ISO C++ [rand.predef]: the 10000th output of a default-constructed std::mt19937 (seed 5489).
    g = MT19937(seed=5489)
    for _ in range(9999):
        g.uint32()
    assert g.uint32() == 4123659995


@pytest.mark.parametrize("seed", [0, 1, 7, 123456789, 2**32 - 1])
def test_mt19937_key_streams_match_cpython_random(seed):
    # CPython seeds with init_by_array of the integer's 32-bit words, least significant first.
    for stream in (pg.DATA_STREAM, pg.WEIGHT_STREAM):
        ours, theirs = MT19937(key=[seed, stream]), random.Random(seed + (stream << 32))
        assert [ours.uint32() for _ in range(700)] == [theirs.getrandbits(32) for _ in range(700)]
        assert [ours.uniform() for _ in range(700)] == [theirs.random() for _ in range(700)]


@pytest.mark.parametrize("seed", [0, 42, 2**31, 2**32 - 1])
def test_mt19937_seed_streams_match_numpy_randomstate(seed):
    ours, theirs = MT19937(seed=seed), np.random.RandomState(seed)
    assert [ours.uniform() for _ in range(1500)] == list(theirs.random_sample(1500))


def test_normals_are_the_polar_method_with_the_portable_log():
    ours, uniforms = MT19937(key=[3, 2]), MT19937(key=[3, 2])
    expected = []
    while len(expected) < 2000:  # the polar method written out here, with math.log
        v1, v2 = 2 * uniforms.uniform() - 1, 2 * uniforms.uniform() - 1
        s = v1 * v1 + v2 * v2
        if 0 < s < 1:
            f = math.sqrt(-2 * math.log(s) / s)
            expected += [v1 * f, v2 * f]
    got = ours.normals(2000)
    # The portable log is within a few units in the last place of math.log: so is every normal.
    assert np.allclose(got, expected, rtol=1e-14, atol=0)
    z = np.array(MT19937(key=[11, 2]).normals(200_000))
    assert abs(z.mean()) < 0.01 and abs(z.var() - 1) < 0.015
    assert abs(np.mean(z**4) - 3) < 0.06  # a normal's fourth moment


def test_res53_and_the_polar_pair_are_their_formulas():
    assert res53(0, 0) == 0.0
    assert res53(2**32 - 1, 2**32 - 1) == 1 - 2.0**-53  # the largest double below one
    assert res53(1 << 5, 0) == 2.0**-27 and res53(0, 1 << 6) == 2.0**-53
    z1, z2 = polar_pair(0.6, 0.0)
    assert z1 == pytest.approx(0.6 * math.sqrt(-2 * math.log(0.36) / 0.36), rel=1e-15) and z2 == 0.0
    a, b = polar_pair(-0.3, 0.4)  # the pair keeps the direction of (v1, v2)
    assert a / b == pytest.approx(-0.75, rel=1e-15) and math.hypot(a, b) == pytest.approx(
        math.sqrt(-2 * math.log(0.25)), rel=1e-15)
    for bad in ((0.0, 0.0), (0.8, 0.6), (1.0, 0.5)):
        with pytest.raises(ValueError, match="unit circle"):
            polar_pair(*bad)
    with pytest.raises(ValueError, match="y1 must be >= 0"):
        res53(-1, 0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "exactly one of seed"), ({"seed": 1, "key": [1]}, "exactly one of seed"),
    ({"seed": -1}, "seed must be >= 0 and <= 4294967295"), ({"seed": 2**32}, "seed must be >= 0"),
    ({"key": []}, "key must hold at least one"), ({"key": [1, 2**32]}, r"key\[1\] must be >= 0"),
    ({"seed": 1.5}, "seed must be an integer"),
])
def test_mt19937_rejects_bad_seeds(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MT19937(**kwargs)


# ---------------------------------------------------------------------------- portable math

ULP = np.finfo(float).eps


def _points(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "exp": np.concatenate([rng.uniform(-740, 709, 20_000), rng.uniform(-1, 1, 20_000), [0.0, -0.0, 1e-300]]),
        "log": np.concatenate([rng.uniform(1e-3, 5, 20_000), 10 ** rng.uniform(-300, 300, 20_000), [1.0, 5e-324]]),
        "trig": rng.uniform(-20, 20, 5_000),
    }


def test_exp_and_expm1_are_within_three_ulps_of_numpy():
    x = _points(1)["exp"]
    e, m = exp_expm1(x)
    normal = np.exp(x) > np.finfo(float).tiny
    assert np.max(np.abs(e[normal] - np.exp(x[normal])) / np.exp(x[normal])) < 3 * ULP
    nz = np.expm1(x) != 0
    assert np.max(np.abs(m[nz] - np.expm1(x[nz])) / np.abs(np.expm1(x[nz]))) < 3 * ULP
    assert exp(0.0) == 1.0 and expm1(0.0) == 0.0 and expm1(1e-20) == 1e-20
    assert exp(-745.2) == 0.0 and 0 < exp(-745.1) < 1e-323 and exp(709.78) == pytest.approx(math.exp(709.78), rel=3e-16)


def test_exp_keeps_going_where_a_run_diverges():
    e, m = exp_expm1(np.array([np.inf, -np.inf, np.nan, 710.0, -800.0]))
    assert e[0] == np.inf and e[1] == 0 and np.isnan(e[2]) and e[3] == np.inf and e[4] == 0
    assert m[0] == np.inf and m[1] == -1 and np.isnan(m[2]) and m[4] == -1


def test_log_is_within_three_ulps_of_numpy_and_its_two_forms_agree_bit_for_bit():
    x = _points(2)["log"]
    ours, ref = log_array(x), np.log(x)
    nz = ref != 0
    assert np.max(np.abs(ours[nz] - ref[nz]) / np.abs(ref[nz])) < 3 * ULP
    assert log(1.0) == 0.0 and log(math.e) == pytest.approx(1.0, rel=3e-16)
    assert [log_scalar(float(v)) for v in x[::7]] == list(ours[::7])
    assert log_scalar(0.0) == -math.inf and math.isnan(log_scalar(-1.0)) and log_scalar(math.inf) == math.inf


def test_sin_and_cos_are_within_two_ulps_of_one():
    t = _points(3)["trig"]
    assert max(abs(sin(float(v)) - math.sin(v)) for v in t) < 2 * ULP
    assert max(abs(cos(float(v)) - math.cos(v)) for v in t) < 2 * ULP
    assert sin(0.0) == 0.0 and cos(0.0) == 1.0


@pytest.mark.parametrize(("fn", "value", "message"), [
    (exp, math.nan, "x must be finite"), (exp, "1", "x must be a real number"), (log, 0.0, "x must be > 0"),
    (log, np.array([1.0, -2.0]), "x must be > 0"), (sin, 2e6, r"\|x\| <= 1e6"), (cos, np.ones(2), "single number"),
])
def test_portable_math_rejects_bad_input(fn, value, message):
    with pytest.raises(ValueError, match=message):
        fn(value)


# ---------------------------------------------------------------------------- configuration and data


def config(**changes) -> pg.Config:
    base = {"dataset": "moons", "depth": 3, "width": 5, "activation": "tanh", "init": "glorot",
            "residual": False, "lr": 0.5, "seed": 4}
    return pg.Config(**{**base, **changes})


@pytest.mark.parametrize(("changes", "message"), [
    ({"dataset": "xor"}, "dataset must be one of moons, circles, spiral"),
    ({"activation": "gelu"}, "activation must be one of sigmoid, tanh, relu"),
    ({"init": "lecun"}, "init must be one of standard, glorot, he, orthogonal"),
    ({"depth": 0}, "depth must be >= 1 and <= 20"), ({"depth": 21}, "depth must be >= 1 and <= 20"),
    ({"depth": 2.0}, "depth must be an integer"), ({"width": 3}, "width must be >= 4 and <= 32"),
    ({"width": 33}, "width must be >= 4 and <= 32"), ({"lr": 0.0}, "lr must be a number from 0.0001 to 10"),
    ({"lr": 11}, "lr must be a number from 0.0001 to 10"), ({"lr": math.nan}, "lr must be a number"),
    ({"lr": True}, "lr must be a number"), ({"seed": -1}, "seed must be >= 0 and <= 4294967295"),
    ({"residual": 1}, "residual must be True or False"),
])
def test_config_names_the_bad_argument_and_its_range(changes, message):
    with pytest.raises(ValueError, match=message):
        config(**changes)


def test_train_and_dataset_reject_bad_input():
    with pytest.raises(ValueError, match="steps must be >= 0"):
        pg.train(config(), -1)
    with pytest.raises(ValueError, match=r"config must be a vgdocs\.playground\.Config"):
        pg.train({"depth": 3}, 5)
    with pytest.raises(ValueError, match="name must be one of moons, circles, spiral"):
        pg.dataset("blobs", 1)
    with pytest.raises(ValueError, match="a must have at least as many rows as columns"):
        pg.orthonormal_columns(np.ones((2, 3)))
    with pytest.raises(ValueError, match="name must be one of sigmoid, tanh, relu"):
        pg.activation("elu", np.zeros(3))


@pytest.mark.parametrize("name", pg.DATASETS)
def test_datasets_have_their_shape_and_classes_and_follow_the_seed(name):
    x, y = pg.dataset(name, 5)
    classes = pg.CLASSES[name]
    assert x.shape == (pg.N_POINTS, 2) and y.shape == (pg.N_POINTS,)
    assert list(y) == [i % classes for i in range(pg.N_POINTS)]
    assert np.all(np.abs(x) < 2.0)  # the panel draws the square from -2 to 2
    again, _ = pg.dataset(name, 5)
    other, _ = pg.dataset(name, 6)
    assert np.array_equal(x, again) and not np.allclose(x, other)


def test_the_datasets_have_their_shapes():
    x, y = pg.dataset("circles", 9)
    r = np.hypot(x[:, 0], x[:, 1])
    assert abs(np.median(r[y == 0]) - 1.0) < 0.05 and abs(np.median(r[y == 1]) - 0.5) < 0.05
    x, y = pg.dataset("moons", 9)
    assert np.mean(x[y == 0, 1]) > np.mean(x[y == 1, 1]) + 0.5  # the upper moon is class 0
    x, y = pg.dataset("spiral", 9)
    assert np.max(np.hypot(x[:, 0], x[:, 1])) < 1.6


def test_mini_batches_cycle_through_the_data_in_order():
    rows = [pg.batch_rows(t) for t in range(2 * pg.N_POINTS // pg.BATCH)]
    covered = np.concatenate([np.arange(pg.N_POINTS)[r] for r in rows[: pg.N_POINTS // pg.BATCH]])
    assert list(covered) == list(range(pg.N_POINTS))
    assert rows[pg.N_POINTS // pg.BATCH] == rows[0]


# ---------------------------------------------------------------------------- initialisation


def test_weight_draws_have_their_schemes_variances():
    big = {"depth": 20, "width": 32, "dataset": "spiral"}
    for init, var in (("standard", lambda a, c: 1 / (3 * a)), ("glorot", lambda a, c: 2 / (a + c)),
                      ("he", lambda a, c: 2 / a)):
        ws, bs = pg.init_network(config(init=init, **big))
        hidden = np.concatenate([w.ravel() for w in ws[1:-1]])
        assert hidden.var() == pytest.approx(var(32, 32), rel=0.04), init
        assert all(np.all(b == 0) for b in bs)
        if init != "he":
            limit = math.sqrt(3 * var(32, 32))
            assert np.max(np.abs(hidden)) <= limit and np.max(np.abs(hidden)) > 0.99 * limit


def test_orthogonal_weights_have_orthonormal_rows_or_columns():
    ws, _ = pg.init_network(config(init="orthogonal", depth=3, width=7, dataset="spiral"))
    assert [w.shape for w in ws] == [(2, 7), (7, 7), (7, 7), (7, 3)]
    np.testing.assert_allclose(ws[0] @ ws[0].T, np.eye(2), atol=1e-14)  # rows orthonormal (fan-in < fan-out)
    np.testing.assert_allclose(ws[1].T @ ws[1], np.eye(7), atol=1e-14)
    np.testing.assert_allclose(ws[3].T @ ws[3], np.eye(3), atol=1e-14)  # columns orthonormal
    a = np.random.default_rng(0).normal(size=(6, 4))
    q = pg.orthonormal_columns(a)
    r = q.T @ a  # Gram-Schmidt is a QR factorisation with a positive diagonal
    np.testing.assert_allclose(np.tril(r, -1), 0, atol=1e-13)
    assert np.all(np.diag(r) > 0)
    np.testing.assert_allclose(np.abs(q), np.abs(np.linalg.qr(a)[0]), atol=1e-13)


def test_same_seed_same_weights_and_other_seeds_other_weights():
    a, _ = pg.init_network(config(seed=8))
    b, _ = pg.init_network(config(seed=8))
    c, _ = pg.init_network(config(seed=9))
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.allclose(a[1], c[1])


# ---------------------------------------------------------------------------- passes and their summation order


def test_every_sum_runs_in_order_as_plain_loops_do():
    """The vectorised passes give the bits of a plain Python loop that adds one term at a time."""
    rng = np.random.default_rng(3)
    h, w, b = rng.normal(size=(4, 6)), rng.normal(size=(6, 5)), rng.normal(size=5)
    z = pg._affine(h, w, b)
    for n, j in itertools.product(range(4), range(5)):
        s = b[j]
        for i in range(6):
            s = s + h[n, i] * w[i, j]
        assert z[n, j] == s
    cfg = config(depth=2, width=4, residual=True, activation="sigmoid")
    ws, bs = pg.init_network(cfg)
    x, y = pg.dataset(cfg.dataset, cfg.seed)
    passes = pg.forward(ws, bs, x[:16], cfg.activation, cfg.residual)
    _, g, _ = pg.softmax_cross_entropy(passes.scores, y[:16])
    gw, _ = pg.backward(passes, ws, g, cfg.residual)
    top, h_top = gw[-1], passes.inputs[-1]
    for i, j in itertools.product(range(h_top.shape[1]), range(top.shape[1])):
        s = 0.0
        for n in range(16):
            s = s + h_top[n, i] * g[n, j]
        assert top[i, j] == s
    assert pg.frobenius_norm(gw[0]) == math.sqrt(sum(v * v for v in gw[0].ravel()))


def _loss_autograd(params, x, y, act, residual, depth):
    ws, bs = params[: depth + 1], params[depth + 1:]
    phi = {"sigmoid": lambda z: 1 / (1 + anp.exp(-z)), "tanh": anp.tanh, "relu": lambda z: anp.maximum(z, 0)}[act]
    h = x
    for k in range(depth):
        a = phi(anp.dot(h, ws[k]) + bs[k])
        h = h + a if residual and k >= 1 else a
    s = anp.dot(h, ws[-1]) + bs[-1]
    m = anp.max(s, axis=1, keepdims=True)
    lse = anp.log(anp.sum(anp.exp(s - m), axis=1)) + m[:, 0]
    return anp.mean(lse - s[anp.arange(len(y)), y])


CASES = list(itertools.product(pg.ACTIVATIONS, (False, True), pg.INITS))


@pytest.mark.parametrize(("act", "residual", "init"), CASES)
def test_backward_matches_autograd(act, residual, init):
    cfg = config(dataset="spiral", depth=4, width=6, activation=act, init=init, residual=residual)
    ws, bs = pg.init_network(cfg)
    bs = [b + 0.05 * np.arange(b.size) for b in bs]  # non-zero biases, so that they are tested too
    x, y = pg.dataset(cfg.dataset, cfg.seed)
    passes = pg.forward(ws, bs, x[16:32], act, residual)
    loss, g, _ = pg.softmax_cross_entropy(passes.scores, y[16:32])
    gw, gb = pg.backward(passes, ws, g, residual)
    assert loss == pytest.approx(_loss_autograd(ws + bs, x[16:32], y[16:32], act, residual, cfg.depth), rel=1e-13)
    ref = grad(_loss_autograd)(ws + bs, x[16:32], y[16:32], act, residual, cfg.depth)
    for got, want in zip(gw + gb, ref, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-14 * np.max(np.abs(want)))


@pytest.mark.parametrize(("act", "residual"), [("sigmoid", False), ("tanh", True), ("relu", True)])
def test_backward_matches_central_finite_differences(act, residual):
    cfg = config(dataset="moons", depth=3, width=5, activation=act, init="he" if act == "relu" else "glorot",
                 residual=residual)
    ws, bs = pg.init_network(cfg)
    x, y = pg.dataset(cfg.dataset, cfg.seed)
    xb, yb = x[:16], y[:16]

    def loss_at(ws_, bs_):
        return pg.softmax_cross_entropy(pg.forward(ws_, bs_, xb, act, residual).scores, yb)[0]

    passes = pg.forward(ws, bs, xb, act, residual)
    gw, gb = pg.backward(passes, ws, pg.softmax_cross_entropy(passes.scores, yb)[1], residual)
    rng, h = np.random.default_rng(7), 1e-6
    for k in range(len(ws)):
        for _ in range(4):
            i, j = rng.integers(ws[k].shape[0]), rng.integers(ws[k].shape[1])
            up = [w.copy() for w in ws]
            down = [w.copy() for w in ws]
            up[k][i, j] += h
            down[k][i, j] -= h
            numeric = (loss_at(up, bs) - loss_at(down, bs)) / (2 * h)
            assert gw[k][i, j] == pytest.approx(numeric, rel=1e-5, abs=1e-9)
        up, down = [b.copy() for b in bs], [b.copy() for b in bs]
        up[k][0] += h
        down[k][0] -= h
        assert gb[k][0] == pytest.approx((loss_at(ws, up) - loss_at(ws, down)) / (2 * h), rel=1e-5, abs=1e-9)


@pytest.mark.parametrize("act", pg.ACTIVATIONS)
def test_backward_matches_vgdocs_training_where_the_networks_coincide(act):
    """Without skip connections the playground's network is a vgdocs.training.MLP (weights transposed)."""
    cfg = config(dataset="spiral", depth=5, width=8, activation=act, init="orthogonal", residual=False)
    ws, bs = pg.init_network(cfg)
    x, y = pg.dataset(cfg.dataset, cfg.seed)
    mlp = MLP([w.T.copy() for w in ws], [b.copy() for b in bs], act)
    for t in range(6):  # a few SGD steps, each model with its own update
        rows = pg.batch_rows(t)
        passes = pg.forward(ws, bs, x[rows], act, False)
        _, g, _ = pg.softmax_cross_entropy(passes.scores, y[rows])
        gw, gb = pg.backward(passes, ws, g, False)
        scores, cache = mlp.forward(x[rows])
        np.testing.assert_allclose(scores, passes.scores, rtol=1e-12, atol=1e-14)
        ref = mlp.backward(cache, softmax_cross_entropy_grad(scores, y[rows]))
        for ours, theirs in zip([w.T for w in gw] + gb, ref, strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15)
        ws, _ = pg.sgd_step(ws, gw, cfg.lr)
        bs, _ = pg.sgd_step(bs, gb, cfg.lr)
        for p, r in zip(mlp.params, ref, strict=True):
            p -= cfg.lr * r


# ---------------------------------------------------------------------------- runs


def test_a_run_records_every_step_and_its_definitions_hold():
    cfg = config(depth=4, width=6, activation="sigmoid", lr=0.4)
    run = pg.train(cfg, 30)
    assert run.steps == 30 and run.diverged_at is None
    assert run.grad_norm.shape == run.update_ratio.shape == (31, cfg.depth + 1)
    assert np.all(np.isnan(run.update_ratio[0])) and np.all(np.isfinite(run.update_ratio[1:]))
    # Step 0 is the loss of the initial weights on the first mini-batch.
    ws, bs = pg.init_network(cfg)
    x, y = pg.dataset(cfg.dataset, cfg.seed)
    passes = pg.forward(ws, bs, x[:16], cfg.activation, False)
    loss0, g, right = pg.softmax_cross_entropy(passes.scores, y[:16])
    gw, gb = pg.backward(passes, ws, g, False)
    assert run.loss[0] == loss0 and run.accuracy[0] == right / 16
    assert list(run.grad_norm[0]) == [pg.frobenius_norm(w) for w in gw]
    # Step 1: one update, the ratio of its size to the weights before it.
    new, moves = pg.sgd_step(ws, gw, cfg.lr)
    by_hand = [pg.frobenius_norm(m) / pg.frobenius_norm(w) for m, w in zip(moves, ws, strict=True)]
    assert list(run.update_ratio[1]) == by_hand
    newb, _ = pg.sgd_step(bs, gb, cfg.lr)
    loss1 = pg.softmax_cross_entropy(pg.forward(new, newb, x[16:32], cfg.activation, False).scores, y[16:32])[0]
    assert run.loss[1] == loss1
    # Accuracy: the share right over the last twelve mini-batches.
    assert run.accuracy.min() >= 0 and run.accuracy.max() <= 1


def test_a_deep_sigmoid_stack_shows_a_vanishing_gradient_and_he_relu_does_not():
    sig = pg.train(config(depth=10, width=16, activation="sigmoid", init="glorot"), 0)
    relu = pg.train(config(depth=10, width=16, activation="relu", init="he"), 0)
    assert sig.grad_norm[0, -1] / sig.grad_norm[0, 0] > 1e4
    assert relu.grad_norm[0, -1] / relu.grad_norm[0, 0] < 1e2


def test_a_diverging_run_stops_at_its_first_non_finite_step_and_keeps_the_last_finite_one():
    cfg = config(depth=10, width=16, activation="relu", init="he", residual=True, lr=0.03, seed=1)
    run = pg.train(cfg, 100)
    assert run.diverged_at is not None and run.steps == run.diverged_at - 1
    assert np.all(np.isfinite(run.loss)) and np.all(np.isfinite(run.grad_norm))
    assert all(np.all(np.isfinite(w)) for w in run.weights)
    # One more step from the kept weights is not finite any more.
    x, y = pg.dataset(cfg.dataset, cfg.seed)
    rows = pg.batch_rows(run.steps)
    with np.errstate(all="ignore"):
        passes = pg.forward(run.weights, run.biases, x[rows], cfg.activation, True)
        _, g, _ = pg.softmax_cross_entropy(passes.scores, y[rows])
        gw, gb = pg.backward(passes, run.weights, g, True)
        ws, _ = pg.sgd_step(run.weights, gw, cfg.lr)
        bs, _ = pg.sgd_step(run.biases, gb, cfg.lr)
        passes = pg.forward(ws, bs, x[pg.batch_rows(run.diverged_at)], cfg.activation, True)
        nxt, g, _ = pg.softmax_cross_entropy(passes.scores, y[pg.batch_rows(run.diverged_at)])
        norms = [pg.frobenius_norm(a) for a in [*pg.backward(passes, ws, g, True)[0], *ws]]
    assert not (math.isfinite(nxt) and all(map(math.isfinite, norms)))


def test_predict_gives_probabilities():
    cfg = config(dataset="spiral")
    run = pg.train(cfg, 5)
    p = pg.predict(run, cfg, np.array([[0.0, 0.0], [1.0, -1.0]]))
    assert p.shape == (2, 3) and np.allclose(p.sum(axis=1), 1) and np.all(p > 0)
    assert math.isnan(pg.update_ratio(np.ones((2, 2)), np.zeros((2, 2))))
    assert pg.update_ratio(np.full((2, 2), 0.5), np.ones((2, 2))) == 0.5


def test_playground_page_gradient_claims_during_training():
    # "What the bars do during training": the tanh and ReLU stacks end with every layer's gradient
    # far below its start; the shallow sigmoid network learns while its layer-1 gradient grows.
    from vgsite.pages import page

    play = page("playground")
    for recipe in ("tanh", "relu"):
        g = play.run(recipe)["grad_norm"]
        assert np.all(g[-1] < 0.2 * g[0]), recipe
        assert play.run(recipe)["accuracy"][-1] > 0.95, recipe
    shallow = play.run("shallow")
    assert shallow["grad_norm"][-1, 0] > 1.5 * shallow["grad_norm"][0, 0]
    assert shallow["accuracy"][-1] > 0.8
    sig = play.run("sigmoid")["grad_norm"]
    assert np.max(sig[-1]) < 1e-6 and 0.5 < sig[-1, 0] / sig[0, 0] < 2.0  # uniformly tiny; layer 1 unchanged


def test_playground_spiral_settles_at_ln3():
    # Exercise 1: the panel's deep sigmoid stack on the three-class spiral ends at the cost of a
    # uniform guess over three equally common classes.
    from vgsite.pages import page

    config = pg.Config(**{**page("playground").DEFAULT.__dict__, "dataset": "spiral"})
    _, y = pg.dataset("spiral", config.seed)
    assert np.all(np.bincount(y) == len(y) // 3)
    run = pg.train(config, 360)
    assert np.mean(run.loss[-pg.N_POINTS // pg.BATCH:]) == pytest.approx(np.log(3), rel=0.01)
