# Initialisation samplers against their closed-form variances, and variance propagation against simulation.
"""Tests for vgdocs.initialisation.

Sampler variances are compared with closed forms typed here, within a tolerance set by the
standard error of a sample variance: for N independent draws of kurtosis kappa,
SE(var) = Var * sqrt((kappa - 1) / N) (kappa = 3 for a normal, 9/5 for a uniform). Propagation
laws are compared with simulations within tolerances from the known size of finite-width
fluctuations; nothing is pasted from the code's own output.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from vgdocs.initialisation import (
    SAMPLERS,
    backprop_gradients,
    backward_gain,
    forward_gain,
    glorot_uniform,
    glorot_uniform_limit,
    glorot_variance,
    he_normal,
    he_variance,
    layer_mean_square,
    layer_std,
    layer_variance,
    lecun_normal,
    lecun_variance,
    linear_variance_ratio,
    relu_second_moment_ratio,
    relu_signal_profile,
    sampler,
    scaled_normal,
    standard_uniform,
    standard_uniform_limit,
    standard_uniform_variance,
    tanh_activation_stds,
    uniform_variance,
)
from vgsite.registry import NUMBERS

FAN_IN, FAN_OUT = 400, 300
N = FAN_IN * FAN_OUT
KURTOSIS = {"normal": 3.0, "uniform": 9.0 / 5.0}
# (sampler, closed-form variance written out here, family)
CASES = [
    (standard_uniform, 1.0 / (3 * FAN_IN), "uniform"),
    (lecun_normal, 1.0 / FAN_IN, "normal"),
    (glorot_uniform, 2.0 / (FAN_IN + FAN_OUT), "uniform"),
    (he_normal, 2.0 / FAN_IN, "normal"),
]


# --- samplers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("draw", "var", "family"), CASES, ids=lambda c: getattr(c, "__name__", str(c)))
def test_sampler_variance_matches_closed_form(draw, var, family):
    w = draw(FAN_IN, FAN_OUT, np.random.default_rng(20))
    assert w.shape == (FAN_OUT, FAN_IN) and w.dtype == np.float64
    se_var = var * math.sqrt((KURTOSIS[family] - 1.0) / N)
    assert abs(np.var(w) - var) < 5 * se_var
    assert abs(np.mean(w)) < 5 * math.sqrt(var / N)


def test_uniform_samplers_stay_inside_their_limits():
    rng = np.random.default_rng(21)
    for draw, limit in ((standard_uniform, 1 / math.sqrt(FAN_IN)), (glorot_uniform, math.sqrt(6 / (FAN_IN + FAN_OUT)))):
        w = draw(FAN_IN, FAN_OUT, rng)
        assert np.max(np.abs(w)) <= limit
        assert np.max(np.abs(w)) > limit * (1 - 1e-3)  # with 120 000 draws the extremes come close


def test_normal_samplers_have_normal_tails():
    w = he_normal(FAN_IN, FAN_OUT, np.random.default_rng(22)) / math.sqrt(2 / FAN_IN)
    # P(|Z| > 2) = erfc(sqrt 2) = 0.0455; binomial standard error sqrt(p(1-p)/N)
    p = math.erfc(math.sqrt(2.0))
    assert abs(np.mean(np.abs(w) > 2) - p) < 5 * math.sqrt(p * (1 - p) / N)


def test_scaled_normal_variance_and_seed():
    w = scaled_normal(FAN_IN, FAN_OUT, np.random.default_rng(23), 0.01)
    assert abs(np.var(w) - 1e-4) < 5 * 1e-4 * math.sqrt(2 / N)
    np.testing.assert_array_equal(w, scaled_normal(FAN_IN, FAN_OUT, np.random.default_rng(23), 0.01))


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_samplers_are_reproducible_from_a_seed(name):
    a = sampler(name)(30, 20, np.random.default_rng(5))
    b = sampler(name)(30, 20, np.random.default_rng(5))
    c = sampler(name)(30, 20, np.random.default_rng(6))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_lecun_and_he_differ_by_exactly_sqrt2_for_the_same_stream():
    a = lecun_normal(50, 40, np.random.default_rng(9))
    b = he_normal(50, 40, np.random.default_rng(9))
    np.testing.assert_allclose(b, math.sqrt(2) * a, rtol=1e-14)


# --- closed forms ------------------------------------------------------------------------------


def test_closed_form_variances():
    assert standard_uniform_variance(FAN_IN) == pytest.approx(1 / 1200, rel=1e-15)
    assert lecun_variance(FAN_IN) == 1 / 400
    assert glorot_variance(FAN_IN, FAN_OUT) == pytest.approx(2 / 700, rel=1e-15)
    assert he_variance(FAN_IN) == 2 / 400
    assert standard_uniform_limit(400) == pytest.approx(0.05, rel=1e-15)
    assert glorot_uniform_limit(250, 350) == pytest.approx(0.1, rel=1e-15)


def test_uniform_variance_by_integration():
    # Var of U[-l, l] = (1 / 2l) * integral of x^2 over [-l, l], by the midpoint rule
    for limit in (0.05, 1.0, 3.0):
        x = np.linspace(-limit, limit, 200_001)
        mid = 0.5 * (x[1:] + x[:-1])
        integral = np.sum(mid**2 * np.diff(x)) / (2 * limit)
        assert uniform_variance(limit) == pytest.approx(integral, rel=1e-9)
    np.testing.assert_allclose(uniform_variance(np.array([0.0, 3.0])), [0.0, 3.0])


def test_uniform_limits_give_the_scheme_variances():
    for n_in, n_out in ((1, 1), (400, 300), (784, 256)):
        assert uniform_variance(standard_uniform_limit(n_in)) == pytest.approx(standard_uniform_variance(n_in))
        assert uniform_variance(glorot_uniform_limit(n_in, n_out)) == pytest.approx(glorot_variance(n_in, n_out))


@pytest.mark.parametrize("n", [1, 7, 500, 4096])
def test_gains_of_each_scheme(n):
    assert forward_gain(standard_uniform_variance(n), n) == pytest.approx(1 / 3, rel=1e-14)
    assert forward_gain(lecun_variance(n), n) == pytest.approx(1.0, rel=1e-14)
    assert forward_gain(glorot_variance(n, n), n) == pytest.approx(1.0, rel=1e-14)
    assert forward_gain(he_variance(n), n) == pytest.approx(2.0, rel=1e-14)
    # Glorot's compromise: the forward and backward gains average to one
    m = 3 * n
    f, b = forward_gain(glorot_variance(n, m), n), backward_gain(glorot_variance(n, m), m)
    assert (f + b) / 2 == pytest.approx(1.0, rel=1e-14)


def test_propagation_laws():
    assert linear_variance_ratio(1 / 3, 4) == pytest.approx(1 / 81, rel=1e-14)
    assert linear_variance_ratio(2.0, 0) == 1.0
    assert relu_second_moment_ratio(1.0, 30) == 2.0**-30
    assert relu_second_moment_ratio(1.0, 30) == pytest.approx(9.3e-10, rel=0.01)  # quoted: (1/2)^30 ~ 9.3e-10
    assert relu_second_moment_ratio(2.0, 50) == 1.0


# --- propagation against simulation ------------------------------------------------------------


@pytest.mark.parametrize(("name", "gain"), [("standard_uniform", 1 / 3), ("lecun_normal", 1.0), ("he_normal", 2.0)])
def test_linear_stack_forward_variance_follows_gain_power(name, gain):
    """A linear stack: E[h_k^2] / E[x^2] = (n Var W)^k in expectation.

    Per layer the ratio fluctuates by about sqrt(2 / n) relative (a chi-square with n degrees of
    freedom), so after k layers ln(ratio) is within 5 sqrt(2k / n) of k ln(gain).
    """
    from vgdocs.deep_stacks import dense_forward

    n, depth = 300, 6
    rng = np.random.default_rng(30)
    ws = [sampler(name)(n, n, rng) for _ in range(depth)]
    x = rng.standard_normal((200, n))
    ms = layer_mean_square(list(dense_forward(x, ws, [np.zeros(n)] * depth, "linear").outputs))
    for k in range(1, depth + 1):
        assert abs(math.log(ms[k] / ms[0]) - k * math.log(gain)) < 5 * math.sqrt(2 * k / n)


@pytest.mark.parametrize(("name", "gain"), [("standard_uniform", 1 / 3), ("he_normal", 2.0)])
def test_linear_stack_backward_variance_follows_gain_power(name, gain):
    grads = backprop_gradients(name, "linear", depth=5, width=300, batch=200, seed=31)
    v = layer_variance(list(grads))  # v[k-1]: gradient at the input of layer k; 5 - k + 1 layers below the top
    for k in range(1, 6):
        layers = 5 - k + 1
        assert abs(math.log(v[k - 1]) - layers * math.log(gain)) < 5 * math.sqrt(2 * layers / 300)


def test_relu_two_to_the_minus_l_law():
    """E[h_k^2]/E[x^2] = 2^-k with Var W = 1/n.

    Each ReLU layer multiplies ln E[h^2] by a random factor with mean ln(1/2) and a variance of at
    most about 5/n (finite-width fluctuation of a ReLU layer); over k layers ln(ratio) is therefore
    within 4 sqrt(5k/n) of -k ln 2, and the per-layer mean within 4 sqrt(5/(kn)) of ln(1/2).
    """
    n, depth = 500, 30
    prof = relu_signal_profile("lecun_normal", depth=depth, width=n, batch=200, seed=0)
    assert abs(math.log(prof[-1]) + depth * math.log(2)) < 4 * math.sqrt(5 * depth / n)
    per_layer = np.diff(np.log(np.concatenate([[1.0], prof])))
    assert abs(per_layer.mean() - math.log(0.5)) < 4 * math.sqrt(5 / (depth * n))
    # over several seeds the mean of ln(ratio) tightens
    logs = [math.log(relu_signal_profile("lecun_normal", depth=depth, width=n, batch=20, seed=s)[-1])
            for s in range(1, 5)]
    assert abs(np.mean(logs) + depth * math.log(2)) < 4 * math.sqrt(5 * depth / n) / 2


def test_he_keeps_relu_signal_level_and_is_lecun_times_two_to_the_k():
    depth = 30
    he = relu_signal_profile("he_normal", depth=depth, batch=20, seed=0)
    lecun = relu_signal_profile("lecun_normal", depth=depth, batch=20, seed=0)
    # ReLU is positively homogeneous and the He weights are sqrt(2) times the LeCun weights drawn
    # from the same stream: every layer's mean square is exactly 2^k times larger.
    np.testing.assert_allclose(he, lecun * 2.0 ** np.arange(1, depth + 1), rtol=1e-10)
    assert np.all(np.abs(np.log(he)) < 4 * math.sqrt(5 * depth / 500))


def test_relu_he_backward_variance_is_level():
    # n_out Var W E[relu'^2] = n (2/n) (1/2) = 1 per layer
    v = layer_variance(list(backprop_gradients("he_normal", "relu", depth=5, width=300, batch=200, seed=32)))
    assert np.all(np.abs(np.log(v)) < 5 * math.sqrt(2 * 5 / 300))


def test_standard_init_with_tanh_shrinks_gradients_at_least_threefold_per_layer():
    """tanh'^2 <= 1, so each tanh layer passes at most the linear factor n Var W = 1/3."""
    v = layer_variance(list(backprop_gradients("standard_uniform", "tanh", depth=5, width=500, batch=200, seed=0)))
    ratios = v[:-1] / v[1:]
    assert np.all(ratios < (1 / 3) * (1 + 5 * math.sqrt(2 / 500)))
    assert np.all(ratios > 0.15)


def test_tanh_small_weights_collapse_like_the_linear_regime():
    stds = tanh_activation_stds(0.01, depth=10, width=500, batch=100, seed=0)
    closed = (0.01 * math.sqrt(500)) ** np.arange(1, 11)  # linear regime: std_k = (s sqrt(n))^k
    np.testing.assert_allclose(stds, closed, rtol=0.12)
    assert 0.5e-4 < stds[5] < 2e-4  # quoted: ~1e-4 by layer 6


def test_tanh_unit_weights_saturate():
    """With W ~ N(0, 1) the pre-activations have std s ~ sqrt(n) E[h^2]^(1/2) ~ 22, and

    E[tanh^2(a)] = 1 - E[sech^2(a)] ~ 1 - (integral of sech^2 = 2) / (s sqrt(2 pi)).
    """
    stds = tanh_activation_stds(1.0, depth=10, width=500, batch=100, seed=0)
    s = math.sqrt(500) * stds.mean()
    predicted = math.sqrt(1 - 2 / (s * math.sqrt(2 * math.pi)))
    np.testing.assert_allclose(stds, predicted, atol=3e-3)
    assert np.all(np.round(stds, 2) == 0.98)  # quoted: std ~ 0.98


def test_tanh_lecun_scale_decays_slowly():
    stds = tanh_activation_stds(1 / math.sqrt(500), depth=10, width=500, batch=100, seed=0)
    assert np.all(np.diff(stds) < 0)
    assert stds[-1] > 0.15


# --- per-layer statistics ----------------------------------------------------------------------


def test_layer_statistics_match_direct_sums():
    rng = np.random.default_rng(40)
    arrays = [rng.normal(1.0, 2.0, size=(7, 5)), rng.normal(size=13)]
    for a, s, v, m in zip(arrays, layer_std(arrays), layer_variance(arrays), layer_mean_square(arrays), strict=True):
        vals = list(a.ravel())
        mean = sum(vals) / len(vals)
        var = sum((x - mean) ** 2 for x in vals) / len(vals)
        assert v == pytest.approx(var, rel=1e-12)
        assert s == pytest.approx(math.sqrt(var), rel=1e-12)
        assert m == pytest.approx(sum(x * x for x in vals) / len(vals), rel=1e-12)


# --- page numbers and exercises ----------------------------------------------------------------


def test_quoted_numbers():
    assert NUMBERS["init_standard_gain"].value() == pytest.approx(1 / 3, rel=1e-14)
    assert NUMBERS["init_standard_shrink"].value() == pytest.approx(3.0, rel=1e-14)
    assert NUMBERS["init_half_pow_30"].value() == 2.0**-30
    assert NUMBERS["init_small_layer6_closed"].value() == pytest.approx((0.01 * math.sqrt(500)) ** 6, rel=1e-12)
    assert 0.5e-4 < NUMBERS["init_small_layer6"].value() < 2e-4
    assert round(NUMBERS["init_unit_std_min"].value(), 2) == 0.98
    assert NUMBERS["init_relu_lecun_l30"].value() == pytest.approx(2.0**-30, rel=0.6)
    assert NUMBERS["init_standard_span_closed"].value() == pytest.approx(81.0, rel=1e-12)
    assert 0.15 < NUMBERS["init_standard_back_factor"].value() < 1 / 3
    assert NUMBERS["init_he_back_factor"].value() == pytest.approx(1.0, abs=0.1)


def test_exercise_answers():
    # Glorot with 784 inputs and 256 outputs: Var W = 2/1040
    assert NUMBERS["init_ex_glorot_fwd"].value() == pytest.approx(784 * 2 / 1040, rel=1e-14)
    assert NUMBERS["init_ex_glorot_bwd"].value() == pytest.approx(256 * 2 / 1040, rel=1e-14)
    assert NUMBERS["init_ex_standard_5"].value() == pytest.approx(1 / 243, rel=1e-14)
    # He as a uniform: l^2 / 3 = 2/n  ->  l = sqrt(6 / n)
    assert NUMBERS["init_ex_he_limit"].value() == pytest.approx(math.sqrt(6 / 500), rel=1e-14)
    # smallest L with 2^-L < 1e-6 is 20
    assert math.ceil(6 / math.log10(2)) == 20
    assert NUMBERS["init_ex_half_pow_20"].value() < 1e-6 < NUMBERS["init_ex_half_pow_19"].value()


@pytest.mark.parametrize("name", ["init-gradient-histograms", "init-tanh-activation-std", "init-relu-signal"])
def test_figures_render_small(name):
    from vgsite.theme import render_svg

    for scheme in ("light", "dark"):
        assert 1000 < len(render_svg(name, scheme)) < 200_000


# --- bad input ---------------------------------------------------------------------------------

SAMPLER_FNS = [standard_uniform, lecun_normal, glorot_uniform, he_normal,
               lambda i, o, r: scaled_normal(i, o, r, 0.1)]


@pytest.mark.parametrize("draw", SAMPLER_FNS)
@pytest.mark.parametrize(("fan_in", "fan_out", "says"), [
    (0, 3, "fan_in"), (-2, 3, "fan_in"), (2.5, 3, "fan_in"), (True, 3, "fan_in"), ("4", 3, "fan_in"),
    (3, 0, "fan_out"), (3, None, "fan_out"), (3, 1.0, "fan_out"),
])
def test_samplers_reject_bad_fans(draw, fan_in, fan_out, says):
    with pytest.raises(ValueError, match=rf"^{says}"):
        draw(fan_in, fan_out, np.random.default_rng(0))


@pytest.mark.parametrize("draw", SAMPLER_FNS)
@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0), "rng"])
def test_samplers_reject_anything_but_a_generator(draw, rng):
    with pytest.raises(ValueError, match=r"^rng must be a numpy.random.Generator"):
        draw(3, 3, rng)


@pytest.mark.parametrize("scale", [0.0, -0.1, math.nan, np.array([0.1]), "0.1"])
def test_scaled_normal_rejects_bad_scale(scale):
    with pytest.raises(ValueError, match=r"^scale"):
        scaled_normal(3, 3, np.random.default_rng(0), scale)


@pytest.mark.parametrize("fn", [standard_uniform_limit, standard_uniform_variance, lecun_variance, he_variance])
@pytest.mark.parametrize("bad", [0, -1, 1.5, None])
def test_one_fan_closed_forms_reject_bad_fan(fn, bad):
    with pytest.raises(ValueError, match=r"^fan_in"):
        fn(bad)


@pytest.mark.parametrize("fn", [glorot_variance, glorot_uniform_limit])
def test_two_fan_closed_forms_reject_bad_fans(fn):
    with pytest.raises(ValueError, match=r"^fan_in"):
        fn(0, 3)
    with pytest.raises(ValueError, match=r"^fan_out"):
        fn(3, -3)


def test_gain_functions_reject_bad_input():
    with pytest.raises(ValueError, match=r"^variance"):
        forward_gain(-0.1, 3)
    with pytest.raises(ValueError, match=r"^variance"):
        backward_gain(np.array([0.1]), 3)
    with pytest.raises(ValueError, match=r"^fan_in"):
        forward_gain(0.1, 0)
    with pytest.raises(ValueError, match=r"^fan_out"):
        backward_gain(0.1, 2.0)
    for fn in (linear_variance_ratio, relu_second_moment_ratio):
        with pytest.raises(ValueError, match=r"^gain"):
            fn(-1.0, 3)
        with pytest.raises(ValueError, match=r"^gain"):
            fn(math.inf, 3)
        with pytest.raises(ValueError, match=r"^depth"):
            fn(1.0, -1)
    with pytest.raises(ValueError, match=r"^limit"):
        uniform_variance(-1.0)
    with pytest.raises(ValueError, match=r"^limit"):
        uniform_variance("1")


def test_sampler_lookup_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"^name must be one of"):
        sampler("kaiming_uniform")  # ("orthogonal" was the example here until it became a sampler)
    with pytest.raises(ValueError, match=r"^name must be one of"):
        sampler(None)


def test_statistics_reject_bad_input():
    for fn in (layer_std, layer_variance, layer_mean_square):
        with pytest.raises(ValueError, match=r"^arrays must be a non-empty list"):
            fn([])
        with pytest.raises(ValueError, match=r"^arrays must be a non-empty list"):
            fn(np.zeros((2, 2)))
        with pytest.raises(ValueError, match=r"^arrays\[1\] must be a non-empty array"):
            fn([np.zeros(2), np.zeros(0)])
        with pytest.raises(ValueError, match=r"^arrays\[0\] must be finite"):
            fn([np.array([1.0, math.nan])])


@pytest.mark.parametrize(("call", "says"), [
    (lambda: tanh_activation_stds(0.0), "scale"),
    (lambda: tanh_activation_stds(0.01, depth=0), "depth"),
    (lambda: tanh_activation_stds(0.01, width=5000), "width"),
    (lambda: relu_signal_profile("kaiming"), "name"),
    (lambda: relu_signal_profile("he_normal", batch=0), "batch"),
    (lambda: backprop_gradients("he_normal", "swish"), "activation"),
    (lambda: backprop_gradients("he_normal", "relu", seed=-1), "seed"),
])
def test_experiments_reject_bad_arguments(call, says):
    with pytest.raises(ValueError, match=rf"^{says}"):
        call()


# --- what the wrong scales do to the gradient (initialisation.md, "The scale of the activations") --


def _rms(a):
    return float(np.sqrt(np.mean(a * a)))


def test_unit_scale_saturates_forward_yet_explodes_backward():
    """W ~ N(0, 1): the slopes average a few percent, yet each layer multiplies the gradient's variance by ~12."""
    from vgdocs.initialisation import tanh_backprop

    fwd, grads = tanh_backprop(1.0, depth=10, width=500, batch=500, seed=0)
    slopes = np.stack([1 - np.tanh(a) ** 2 for a in fwd.pre_activations])
    assert slopes.mean() < 0.05
    rms = [_rms(g) for g in grads.inputs]  # input of layer 1 first
    assert all(lo > 2 * hi for lo, hi in itertools.pairwise(rms))  # grows towards the input
    assert rms[0] > 1e4
    chi = 500 * float(np.mean(slopes ** 2))  # n Var W E[tanh'^2], the mean-field estimate
    measured = (rms[0] / rms[-1]) ** (2 / 9)
    assert 8 < chi < 16 and measured == pytest.approx(chi, rel=0.25)
    assert NUMBERS["init_unit_chi"].value() == pytest.approx(chi, rel=1e-12)


def test_small_scale_gives_every_layer_the_same_tiny_weight_gradient():
    from vgdocs.initialisation import tanh_backprop

    _, small = tanh_backprop(0.01, depth=10, width=500, batch=500, seed=0)
    norms = np.array([np.linalg.norm(g) for g in small.weights])
    assert norms.max() / norms.min() < 1.05  # delta shrinks as fast as the activations grow
    _, lecun = tanh_backprop(1 / math.sqrt(500), depth=10, width=500, batch=500, seed=0)
    assert norms.max() < 1e-4 * min(np.linalg.norm(g) for g in lecun.weights)
    assert NUMBERS["init_small_wgrad_max"].value() == pytest.approx(norms.max(), rel=1e-12)


def test_tanh_backprop_uses_the_draws_of_tanh_activation_stds():
    from vgdocs.initialisation import tanh_backprop

    fwd, _ = tanh_backprop(0.05, depth=4, width=50, batch=20, seed=3)
    np.testing.assert_array_equal([np.std(h) for h in fwd.outputs[1:]], tanh_activation_stds(0.05, 4, 50, 20, 3))


# --- orthogonal initialisation (signal-propagation.md, "Dynamical isometry") -----------------------


def _haar(n: int, samples: int, seed: int) -> np.ndarray:
    from vgdocs.initialisation import orthogonal

    rng = np.random.default_rng(seed)
    return np.stack([orthogonal(n, n, rng) for _ in range(samples)])


@pytest.mark.parametrize(("fan_in", "fan_out"), [(50, 50), (80, 30), (30, 80)])
def test_orthogonal_has_orthonormal_rows_or_columns_and_the_gain(fan_in, fan_out):
    from vgdocs.initialisation import orthogonal

    W = orthogonal(fan_in, fan_out, np.random.default_rng(40), gain=1.7)
    assert W.shape == (fan_out, fan_in)
    small = min(fan_in, fan_out)
    gram = W @ W.T if fan_out <= fan_in else W.T @ W
    np.testing.assert_allclose(gram, 1.7**2 * np.eye(small), atol=1e-13)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 1.7, rtol=1e-13)
    # entries have variance g^2 / max(fan_in, fan_out), like the table says
    assert np.mean(W * W) == pytest.approx(1.7**2 / max(fan_in, fan_out), rel=1e-12)


def test_orthogonal_is_haar_by_the_determinant_and_trace_moments():
    """Haar O(n): P(det = +1) = 1/2, E tr W = 0, E (tr W)^2 = 1, E tr W^2 = 1 (Diaconis-Shahshahani).

    numpy's raw QR fails the first and the second: its Q always has det (-1)^(n-1), and its diagonal
    is biased, because LAPACK's Householder reflections choose the signs of R's diagonal from the data.
    """
    n, S = 6, 20_000
    Q = _haar(n, S, 41)
    det = np.linalg.det(Q)
    tr = np.trace(Q, axis1=1, axis2=2)
    tr2 = np.einsum("sij,sji->s", Q, Q)
    assert abs(np.mean(det > 0) - 0.5) < 4 * 0.5 / math.sqrt(S)
    assert abs(tr.mean()) < 4 * 1.0 / math.sqrt(S)  # Var tr W = 1
    assert abs((tr**2).mean() - 1.0) < 4 * tr.std() ** 2 * math.sqrt(2 / S) * 1.5
    assert abs(tr2.mean() - 1.0) < 4 * tr2.std() / math.sqrt(S)
    raw, _ = np.linalg.qr(np.random.default_rng(42).standard_normal((S, n, n)))
    assert np.all(np.sign(np.linalg.det(raw)) == (-1) ** (n - 1))
    assert abs(np.trace(raw, axis1=1, axis2=2).mean()) > 20 / math.sqrt(S)


def test_orthogonal_entries_and_eigenvalue_phases_follow_the_haar_law():
    """W_11^2 ~ Beta(1/2, (n-1)/2); E sum_j cos(k theta_j) = E tr W^k = 1 for even k, 0 for odd k < n."""
    from scipy import stats

    n, S = 10, 4000
    Q = _haar(n, S, 43)
    assert stats.kstest(Q[:, 0, 0] ** 2, stats.beta(0.5, (n - 1) / 2).cdf).pvalue > 1e-3
    assert stats.kstest(Q[:, 3, 7] ** 2, stats.beta(0.5, (n - 1) / 2).cdf).pvalue > 1e-3
    phases = np.angle(np.linalg.eigvals(Q))
    for k in (1, 2, 3, 4):
        moment = np.cos(k * phases).sum(axis=1)
        expected = 1.0 if k % 2 == 0 else 0.0
        assert abs(moment.mean() - expected) < 5 * moment.std() / math.sqrt(S)
    assert abs(np.mean(Q[:, 0, 0] > 0) - 0.5) < 4 * 0.5 / math.sqrt(S)
    raw, _ = np.linalg.qr(np.random.default_rng(44).standard_normal((S, n, n)))
    assert abs(np.mean(raw[:, 0, 0] > 0) - 0.5) > 0.4  # the raw Q's first entry has (nearly) one sign


def test_orthogonal_is_a_registered_reproducible_sampler():
    from vgdocs.initialisation import orthogonal

    a = sampler("orthogonal")(20, 10, np.random.default_rng(45))
    np.testing.assert_array_equal(a, orthogonal(20, 10, np.random.default_rng(45)))
    assert not np.array_equal(a, orthogonal(20, 10, np.random.default_rng(46)))


@pytest.mark.parametrize(("call", "says"), [
    (lambda: __import__("vgdocs.initialisation", fromlist=["x"]).orthogonal(0, 5, np.random.default_rng(0)),
     r"^fan_in must be >= 1"),
    (lambda: __import__("vgdocs.initialisation", fromlist=["x"]).orthogonal(5, 5, np.random.default_rng(0), -1.0),
     r"^gain must be a single number > 0"),
    (lambda: __import__("vgdocs.initialisation", fromlist=["x"]).orthogonal(5, 5, 0), r"^rng must be"),
])
def test_orthogonal_rejects_bad_arguments(call, says):
    with pytest.raises(ValueError, match=says):
        call()


def test_glorot_tanh_steps_are_the_mean_squared_slopes():
    """initialisation.md: with Glorot's scale, layer k multiplies the gradient's variance by ~E[tanh'(a_k)^2]."""
    rng = np.random.default_rng(0)
    lim = math.sqrt(6.0 / 1000)  # Glorot's half-width for 500 -> 500, written out
    weights = [rng.uniform(-lim, lim, (500, 500)) for _ in range(5)]
    x = rng.standard_normal((200, 500))
    top = rng.standard_normal((200, 500))
    h, pre = x, []
    for w in weights:
        pre.append(h @ w.T)
        h = np.tanh(pre[-1])
    g, at_input = top, []
    for w, a in zip(weights[::-1], pre[::-1], strict=True):  # a plain backward loop
        g = (g * (1.0 - np.tanh(a) ** 2)) @ w
        at_input.append(g)
    at_input = at_input[::-1]  # at_input[k - 1]: the gradient arriving at the input of layer k
    np.testing.assert_allclose(at_input[0], backprop_gradients("glorot_uniform", "tanh", 5, 500, 200, 0)[0],
                               rtol=1e-10, atol=1e-12)
    moments = [float(np.mean((1.0 - np.tanh(a) ** 2) ** 2)) for a in pre]
    for k in range(4):  # layer k + 1: from the gradient at its output to the one at its input
        step = float(np.var(at_input[k]) / np.var(at_input[k + 1]))
        assert step == pytest.approx(moments[k], rel=0.03), k
    assert moments[0] < moments[3] < 1
    assert NUMBERS["init_glorot_slope2_layer1"].value() == pytest.approx(moments[0], rel=1e-12)
    assert NUMBERS["init_glorot_slope2_layer4"].value() == pytest.approx(moments[3], rel=1e-12)
    factor = (np.var(at_input[0]) / np.var(at_input[-1])) ** 0.25
    assert NUMBERS["init_glorot_back_factor"].value() == pytest.approx(factor, rel=1e-6)
