# Every hand-written backward pass against reverse-mode autodiff (autograd) of a forward pass written here.
"""Independent autodiff references for every backward pass in vgdocs.

Each forward pass is written again below with ``autograd.numpy``, from the formulas in the
library's docstrings (the library's own forward functions are never traced). The library's
gradients and vector-Jacobian products are then compared with autograd's on seeded random
float64 inputs, with a relative tolerance of 1e-9 (maximum absolute difference over the largest
entry of the reference). Gradients with respect to intermediate quantities (pre-activations,
hidden states) are obtained by adding a zero perturbation at that point of the forward pass and
differentiating with respect to it.
"""

from __future__ import annotations

import itertools

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad, grad, jacobian, make_vjp

from vgdocs import deep_stacks as ds
from vgdocs import gated_cells as gc
from vgdocs import lag_gradients as lg
from vgdocs import recurrence as rec
from vgdocs import residual as res
from vgdocs import training as tr
from vgdocs.sequence_training import CELLS, init_sequence_model, mse

RTOL = 1e-9
WORST: dict[str, float] = {}
"""The largest relative error seen per check (read by whoever wants to report it)."""


def close(name: str, got, want, rtol: float = RTOL) -> None:
    """Assert ``max|got - want| <= rtol * max|want|``; the reference must not be identically zero."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{name}: shape {got.shape} != {want.shape}"
    scale = float(np.max(np.abs(want)))
    assert scale > 0.0, f"{name}: the reference is identically zero, the comparison would prove nothing"
    err = float(np.max(np.abs(got - want))) / scale
    WORST[name] = max(WORST.get(name, 0.0), err)
    assert err <= rtol, f"{name}: relative error {err:.3e} > {rtol:.0e}"


def a_sigmoid(z):
    return 1.0 / (1.0 + anp.exp(-z))


ACT = {
    "sigmoid": a_sigmoid,
    "tanh": anp.tanh,
    "relu": lambda z: anp.where(z > 0.0, z, 0.0),
    "linear": lambda z: z,
}
SMOOTH_AND_RELU = ("sigmoid", "tanh", "relu")


def away_from_kinks(a: np.ndarray, activation: str) -> None:
    """ReLU's derivative is ambiguous only at 0: make sure no pre-activation sits there."""
    if activation == "relu":
        assert np.min(np.abs(a)) > 1e-6


def rng_for(*key: int) -> np.random.Generator:
    return np.random.default_rng([20240601, *(int(k) for k in key)])


# ============================================================================ deep_stacks


@pytest.mark.parametrize("activation", [*SMOOTH_AND_RELU, "linear"])
def test_layer_forward_and_backward_match_autograd(activation):
    rng = rng_for(1, [*SMOOTH_AND_RELU, "linear"].index(activation))
    h, W, b = rng.standard_normal((5, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)
    g = rng.standard_normal((5, 3))
    phi = ACT[activation]
    a, out = ds.layer_forward(h, W, b, activation)
    away_from_kinks(a, activation)
    close("layer_forward pre-activation", a, h @ W.T + b[None, :])
    close("layer_forward output", out, phi(h @ W.T + b[None, :]))
    delta, g_in = ds.layer_backward(g, a, W, activation)
    vjp, _ = make_vjp(phi)(a)
    close("layer_backward delta", delta, vjp(g))
    close("layer_backward g_in", g_in, grad(lambda hh: anp.sum(g * phi(anp.dot(hh, W.T) + b)))(h))


@pytest.mark.parametrize("activation", SMOOTH_AND_RELU)
def test_layer_passes_on_a_stack_of_networks_match_autograd(activation):
    rng = rng_for(2, SMOOTH_AND_RELU.index(activation))
    R, B = 3, 4
    h, W, b = rng.standard_normal((R, B, 5)), rng.standard_normal((R, 2, 5)), rng.standard_normal((R, 2))
    g = rng.standard_normal((R, B, 2))
    phi = ACT[activation]

    def ref(hh):
        return phi(anp.einsum("rbi,roi->rbo", hh, W) + b[:, None, :])

    a, out = ds.layer_forward.unchecked(h, W, b, activation)
    away_from_kinks(a, activation)
    close("layer_forward (stack) output", out, ref(h))
    delta, g_in = ds.layer_backward.unchecked(g, a, W, activation)
    close("layer_backward (stack) delta", delta, elementwise_grad(phi)(a) * g)
    close("layer_backward (stack) g_in", g_in, grad(lambda hh: anp.sum(g * ref(hh)))(h))


def dense_reference(x, Ws, bs, eps_a, eps_h, activation, stacked=False):
    """H_k = phi(H_{k-1} W_k^T + b_k), with zero perturbations added to every A_k and every H_{k-1}."""
    phi = ACT[activation]
    h = x
    for W, b, ea, eh in zip(Ws, bs, eps_a, eps_h, strict=True):
        h = h + eh
        a = (anp.einsum("rbi,roi->rbo", h, W) + b[:, None, :]) if stacked else anp.dot(h, W.T) + b
        h = phi(a + ea)
    return h


@pytest.mark.parametrize("stacked", [False, True], ids=["one-network", "stack-of-3"])
@pytest.mark.parametrize("activation", SMOOTH_AND_RELU)
def test_dense_backward_matches_autograd(activation, stacked):
    rng = rng_for(3, SMOOTH_AND_RELU.index(activation), stacked)
    sizes, B = [4, 6, 5, 3], 7
    lead = (3,) if stacked else ()
    x = rng.standard_normal((*lead, B, sizes[0]))
    Ws = [rng.standard_normal((*lead, n_out, n_in)) / np.sqrt(n_in) for n_in, n_out in itertools.pairwise(sizes)]
    bs = [0.3 * rng.standard_normal((*lead, n)) for n in sizes[1:]]
    G = rng.standard_normal((*lead, B, sizes[-1]))
    fn = ds.dense_forward.unchecked if stacked else ds.dense_forward
    back = ds.dense_backward.unchecked if stacked else ds.dense_backward
    fwd = fn(x, Ws, bs, activation)
    for a in fwd.pre_activations:
        away_from_kinks(a, activation)
    L = len(Ws)
    zeros_a = [np.zeros_like(a) for a in fwd.pre_activations]
    zeros_h = [np.zeros_like(h) for h in fwd.outputs[:-1]]
    close("dense_forward output", fwd.outputs[-1], dense_reference(x, Ws, bs, zeros_a, zeros_h, activation, stacked))

    def loss(args):
        ws, bb, ea, eh = args[:L], args[L:2 * L], args[2 * L:3 * L], args[3 * L:]
        return anp.sum(G * dense_reference(x, ws, bb, ea, eh, activation, stacked))

    ref = grad(loss)([*Ws, *bs, *zeros_a, *zeros_h])
    got = back(fwd, Ws, G)
    for k in range(L):
        close("dense_backward dW", got.weights[k], ref[k])
        close("dense_backward db", got.biases[k], ref[L + k])
        close("dense_backward delta", got.pre_activations[k], ref[2 * L + k])
        close("dense_backward inputs", got.inputs[k], ref[3 * L + k])
    if not stacked:
        np.testing.assert_allclose(ds.layer_gradient_norms(got), [np.linalg.norm(r) for r in ref[:L]], rtol=1e-12)


def test_mean_squared_error_and_its_gradient_match_autograd():
    rng = rng_for(4)
    h, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))

    def ref(hh):
        return 0.5 * anp.sum((hh - y) ** 2) / hh.shape[0]

    close("mean_squared_error", ds.mean_squared_error(h, y), ref(h))
    close("mean_squared_error_grad", ds.mean_squared_error_grad(h, y), grad(ref)(h))


# ============================================================================ residual


def a_block(h, W1, W2):
    return anp.dot(anp.tanh(anp.dot(h, W1.T)), W2.T)


def a_layer_norm(x, eps=res.LN_EPS):
    mu = anp.mean(x, axis=1, keepdims=True)
    v = anp.mean((x - mu) ** 2, axis=1, keepdims=True)
    return (x - mu) / anp.sqrt(v + eps)


def test_block_backward_matches_autograd():
    rng = rng_for(5)
    h, W1, W2 = rng.standard_normal((5, 4)), rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    G = rng.standard_normal((5, 4))
    close("block forward", res.block(h, W1, W2), a_block(h, W1, W2))
    ref = grad(lambda args: anp.sum(G * a_block(*args)))([h, W1, W2])
    got = res.block_backward(h, W1, W2, G)
    for name, g, r in zip(("dh", "dW1", "dW2"), got, ref, strict=True):
        close(f"block_backward {name}", g, r)


def test_block_jacobian_matches_autograd():
    rng = rng_for(6)
    h, W1, W2 = rng.standard_normal(4), rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    ref = jacobian(lambda v: anp.dot(W2, anp.tanh(anp.dot(W1, v))))(h)
    close("block_jacobian", res.block_jacobian(h, W1, W2), ref)


@pytest.mark.parametrize("eps", [res.LN_EPS, 0.3])
def test_layer_norm_backward_matches_autograd(eps):
    rng = rng_for(7, int(eps * 10))
    x, G = rng.standard_normal((5, 6)) * 2.0 + 1.0, rng.standard_normal((5, 6))
    close("layer_norm forward", res.layer_norm(x, eps), a_layer_norm(x, eps))
    vjp, _ = make_vjp(lambda xx: a_layer_norm(xx, eps))(x)
    close("layer_norm_backward", res.layer_norm_backward(x, G, eps), vjp(G))


def stack_reference(x, W1, W2, eps_h, architecture):
    """h_{k+1} from h_k for the four stacks of the module docstring; eps_h[k] is added to h_k."""
    h = x
    for k in range(len(W1)):
        h = h + eps_h[k]
        if architecture == "plain":
            h = a_block(h, W1[k], W2[k])
        elif architecture == "residual":
            h = h + a_block(h, W1[k], W2[k])
        elif architecture == "plain_ln":
            h = a_layer_norm(a_block(h, W1[k], W2[k]))
        else:
            h = h + a_block(a_layer_norm(h), W1[k], W2[k])
    return h + eps_h[len(W1)]


@pytest.mark.parametrize("architecture", res.ARCHITECTURES)
def test_block_stack_backward_matches_autograd(architecture):
    rng = rng_for(8, res.ARCHITECTURES.index(architecture))
    depth, d, B = 4, 5, 3
    x = rng.standard_normal((B, d))
    W1 = rng.standard_normal((depth, d, d)) / np.sqrt(d)
    W2 = 0.7 * rng.standard_normal((depth, d, d)) / np.sqrt(d)
    G = rng.standard_normal((B, d))
    zeros = [np.zeros((B, d)) for _ in range(depth + 1)]
    hs = res.block_stack_forward(x, W1, W2, architecture)
    close("block_stack_forward", hs[-1], stack_reference(x, W1, W2, zeros, architecture))
    ref = grad(lambda args: anp.sum(G * stack_reference(x, args[0], args[1], args[2:], architecture)))(
        [W1, W2, *zeros])
    got = res.block_stack_backward(x, W1, W2, architecture, G)
    close("block_stack_backward W1", got.W1, ref[0])
    close("block_stack_backward W2", got.W2, ref[1])
    assert len(got.h) == depth + 1
    for k in range(depth + 1):
        close("block_stack_backward h", got.h[k], ref[2 + k])


# ============================================================================ training: losses


def one_hot(labels: np.ndarray, C: int) -> np.ndarray:
    return np.eye(C)[labels]


def a_log_softmax(z):
    return z - anp.log(anp.sum(anp.exp(z), axis=-1, keepdims=True))  # unshifted: the logits here are moderate


@pytest.mark.parametrize("lead", [(), (3,)], ids=["one-network", "stack-of-3"])
def test_softmax_and_softmax_cross_entropy_match_autograd(lead):
    rng = rng_for(9, len(lead))
    B, C = 6, 4
    z = 3.0 * rng.standard_normal((*lead, B, C))
    y = rng.integers(0, C, B)
    t = one_hot(y, C)
    p_ref = anp.exp(z) / anp.sum(anp.exp(z), axis=-1, keepdims=True)
    close("softmax", tr.softmax(z), p_ref)

    def ref(zz):  # one loss per network: -(1/B) sum_i log p_{i, y_i}
        return -anp.mean(anp.sum(t * a_log_softmax(zz), axis=-1), axis=-1)

    close("softmax_cross_entropy", tr.softmax_cross_entropy(z, y), ref(z))
    close("softmax_cross_entropy_grad", tr.softmax_cross_entropy_grad(z, y), grad(lambda zz: anp.sum(ref(zz)))(z))


@pytest.mark.parametrize("scale", [2.0, 30.0], ids=["moderate", "large-logits"])
@pytest.mark.parametrize("lead", [(), (2,)], ids=["one-network", "stack-of-2"])
def test_sigmoid_cross_entropy_matches_autograd(lead, scale):
    rng = rng_for(10, len(lead), int(scale))
    B, C = 5, 4
    z = scale * rng.standard_normal((*lead, B, C))
    y = rng.integers(0, C, B)
    t = one_hot(y, C)

    def ref(zz):
        if scale < 10:  # the textbook form, -[t ln a + (1 - t) ln(1 - a)] with a = sigma(z)
            a = a_sigmoid(zz)
            per = -(t * anp.log(a) + (1.0 - t) * anp.log(1.0 - a))
        else:  # ln a = -softplus(-z), ln(1 - a) = -softplus(z): no cancellation at large |z|
            per = t * anp.logaddexp(0.0, -zz) + (1.0 - t) * anp.logaddexp(0.0, zz)
        return anp.mean(anp.sum(per, axis=-1), axis=-1)

    close("sigmoid_cross_entropy", tr.sigmoid_cross_entropy(z, y), ref(z))
    close("sigmoid_cross_entropy_grad", tr.sigmoid_cross_entropy_grad(z, y), grad(lambda zz: anp.sum(ref(zz)))(z))


# ============================================================================ training: models


def mlp_reference(params, x, activation, n_layers, stacked):
    """H_k = phi(H_{k-1} W_k^T + b_k) for the hidden layers, then Z = H_L V^T + c."""
    ws, bs = params[:n_layers], params[n_layers:]
    phi = ACT[activation]
    h = x
    for k, (W, b) in enumerate(zip(ws, bs, strict=True)):
        a = (anp.einsum("rbi,roi->rbo", h, W) + b[:, None, :]) if stacked else anp.dot(h, W.T) + b
        h = a if k == n_layers - 1 else phi(a)
    return h


@pytest.mark.parametrize("networks", [0, 3], ids=["one-network", "stack-of-3"])
@pytest.mark.parametrize("activation", SMOOTH_AND_RELU)
def test_mlp_forward_and_backward_match_autograd(activation, networks):
    rng = rng_for(11, SMOOTH_AND_RELU.index(activation), networks)
    model = tr.init_mlp([6, 5, 4, 3], activation, "glorot_uniform", rng, networks=networks, bias_std=0.5)
    x = rng.standard_normal((networks, 8, 6) if networks else (8, 6))
    scores, cache = model.forward(x)
    for h in cache[0].pre_activations:
        away_from_kinks(h, activation)
    G = rng.standard_normal(scores.shape)
    n = len(model.weights)
    close("MLP.forward", scores, mlp_reference(model.params, x, activation, n, bool(networks)))
    ref = grad(lambda ps: anp.sum(G * mlp_reference(ps, x, activation, n, bool(networks))))(model.params)
    got = model.backward(cache, G)
    assert len(got) == len(ref) == len(model.params)
    for g, r, p in zip(got, ref, model.params, strict=True):
        assert g.shape == p.shape
        close("MLP.backward", g, r)


def test_mlp_gradient_of_the_softmax_loss_matches_autograd_end_to_end():
    rng = rng_for(12)
    model = tr.init_mlp([5, 4, 3], "tanh", "lecun_normal", rng, bias_std=0.2)
    x, y = rng.standard_normal((9, 5)), rng.integers(0, 3, 9)
    t = one_hot(y, 3)
    scores, cache = model.forward(x)
    got = model.backward(cache, tr.softmax_cross_entropy_grad(scores, y))
    ref = grad(lambda ps: -anp.mean(anp.sum(t * a_log_softmax(mlp_reference(ps, x, "tanh", 2, False)), axis=-1)))(
        model.params)
    for g, r in zip(got, ref, strict=True):
        close("MLP.backward (softmax loss)", g, r)


def residual_reference(params, x, activation, n_blocks, stacked):
    """H_1 = phi(X W_0^T + b_0); H_{k+1} = H_k + phi(H_k U_k^T + u_k) V_k^T + v_k; Z = H W^T + b."""
    phi = ACT[activation]

    def dense(h, W, b):
        return (anp.einsum("rbi,roi->rbo", h, W) + b[:, None, :]) if stacked else anp.dot(h, W.T) + b

    h = phi(dense(x, params[0], params[1]))
    for k in range(n_blocks):
        U, u, V, v = params[2 + 4 * k: 6 + 4 * k]
        h = h + dense(phi(dense(h, U, u)), V, v)
    return dense(h, params[-2], params[-1])


@pytest.mark.parametrize("networks", [0, 2], ids=["one-network", "stack-of-2"])
@pytest.mark.parametrize("activation", SMOOTH_AND_RELU)
def test_residual_mlp_forward_and_backward_match_autograd(activation, networks):
    rng = rng_for(13, SMOOTH_AND_RELU.index(activation), networks)
    n_blocks = 2
    model = tr.init_residual_mlp(5, 4, n_blocks, 3, activation, rng, networks=networks)
    # Leave the identity start: every branch and bias gets random values, so every factor matters.
    for p in model.params:
        p += 0.4 * rng.standard_normal(p.shape)
    x = rng.standard_normal((networks, 7, 5) if networks else (7, 5))
    scores, cache = model.forward(x)
    away_from_kinks(cache[1], activation)
    for _, a, _ in cache[2]:
        away_from_kinks(a, activation)
    G = rng.standard_normal(scores.shape)
    close("ResidualMLP.forward", scores, residual_reference(model.params, x, activation, n_blocks, bool(networks)))
    ref = grad(lambda ps: anp.sum(G * residual_reference(ps, x, activation, n_blocks, bool(networks))))(model.params)
    got = model.backward(cache, G)
    assert len(got) == len(model.params)
    for g, r, p in zip(got, ref, model.params, strict=True):
        assert g.shape == p.shape
        close("ResidualMLP.backward", g, r)


# ============================================================================ recurrence (plain RNN)


def small_rnn(seed: int, n: int = 4, d: int = 3, T: int = 6):
    rng = rng_for(14, seed)
    return (0.5 * rng.standard_normal(n), rng.standard_normal((T, d)), 0.9 * rng.standard_normal((n, n)) / np.sqrt(n),
            0.6 * rng.standard_normal((n, d)), 0.2 * rng.standard_normal(n), rng.standard_normal((T, n)))


def rnn_states(h0, xs, W_hh, W_xh, b, eps_a=None):
    """h_t = tanh(W_hh h_{t-1} + W_xh x_t + b); eps_a[t - 1] is added to a_t."""
    hs, h = [], h0
    for t in range(xs.shape[0]):
        a = anp.dot(W_hh, h) + anp.dot(W_xh, xs[t]) + b
        h = anp.tanh(a if eps_a is None else a + eps_a[t])
        hs.append(h)
    return hs


@pytest.mark.parametrize("seed", [0, 1])
def test_bptt_matches_autograd(seed):
    h0, xs, W_hh, W_xh, b, dL_dh = small_rnn(seed)

    def loss(args):  # a loss whose direct gradient at h_t is dL_dh[t - 1]
        return sum(anp.sum(dL_dh[t] * h) for t, h in enumerate(rnn_states(*args[:1], xs, *args[1:])))

    trace = rec.rnn_forward(h0, xs, W_hh, W_xh, b)
    close("rnn_forward", trace.h[1:], np.stack(rnn_states(h0, xs, W_hh, W_xh, b)))
    ref = grad(loss)([h0, W_hh, W_xh, b])
    got = rec.bptt(trace, W_hh, dL_dh)
    for name, g, r in zip(("h0", "W_hh", "W_xh", "b"), (got.h0, got.W_hh, got.W_xh, got.b), ref, strict=True):
        close(f"bptt {name}", g, r)


@pytest.mark.parametrize(("k1", "k2"), [(1, 1), (1, 3), (2, 4), (3, 3), (6, 6)])
def test_truncated_bptt_matches_autograd_of_the_truncated_graph(k1, k2):
    """BPTT(k1, k2) = the gradient with h_{T-k2} held constant and only the loss terms of the last k1 steps."""
    h0, xs, W_hh, W_xh, b, dL_dh = small_rnn(2)
    T = xs.shape[0]
    start = max(T - k2, 0)
    h_start = np.asarray(rnn_states(h0, xs, W_hh, W_xh, b)[start - 1]) if start > 0 else h0

    def loss(args):
        hs = rnn_states(args[0], xs[start:], *args[1:])
        return sum(anp.sum(dL_dh[start + j] * h) for j, h in enumerate(hs) if start + j + 1 > T - k1)

    ref = grad(loss)([h_start, W_hh, W_xh, b])
    got = rec.truncated_bptt(rec.rnn_forward(h0, xs, W_hh, W_xh, b), W_hh, dL_dh, k1=k1, k2=k2)
    for name, g, r in zip(("W_hh", "W_xh", "b"), (got.W_hh, got.W_xh, got.b), ref[1:], strict=True):
        close(f"truncated_bptt {name}", g, r)
    if k2 >= T:
        close("truncated_bptt h0", got.h0, ref[0])
    else:
        np.testing.assert_array_equal(got.h0, 0.0)


def test_rnn_jacobians_and_step_contributions_match_autograd():
    h0, xs, W_hh, W_xh, b, dL_dh = small_rnn(3)
    trace = rec.rnn_forward(h0, xs, W_hh, W_xh, b)
    ref_product = jacobian(lambda h: rnn_states(h, xs, W_hh, W_xh, b)[-1])(h0)
    close("hidden_jacobian_product", rec.hidden_jacobian_product(trace, W_hh), ref_product)
    step = jacobian(lambda h: anp.tanh(anp.dot(W_hh, h) + anp.dot(W_xh, xs[2]) + b))(trace.h[2])
    close("rnn_step_jacobian", rec.rnn_step_jacobian(trace.a[2], W_hh), step)
    norms = [np.linalg.norm(jacobian(lambda h, t=t: rnn_states(h, xs[:t], W_hh, W_xh, b)[-1])(h0), 2)
             for t in range(1, xs.shape[0] + 1)]
    close("hidden_jacobian_norms", rec.hidden_jacobian_norms(trace, W_hh), norms)
    # The term of step t in dL/dW_hh is g_t h_{t-1}^T with g_t = dL/da_t, so its norm is |g_t| |h_{t-1}|.
    T = xs.shape[0]
    g = grad(lambda e: sum(anp.sum(dL_dh[t] * h) for t, h in enumerate(rnn_states(h0, xs, W_hh, W_xh, b, e))))(
        np.zeros((T, h0.size)))
    expected = [np.linalg.norm(g[t - 1]) * np.linalg.norm(trace.h[t - 1]) for t in range(T, 0, -1)]
    close("bptt_step_contributions", rec.bptt_step_contributions(trace, W_hh, dL_dh), expected)


# ============================================================================ gated cells


def lstm_ref_step(x, h, c, W_ih, W_hh, b, eps=0.0):
    """PyTorch's LSTM (gates i, f, g, o); eps is added to the gate pre-activations."""
    H = h.shape[-1]
    a = anp.dot(x, W_ih.T) + anp.dot(h, W_hh.T) + b + eps
    i, f = a_sigmoid(a[..., :H]), a_sigmoid(a[..., H:2 * H])
    g, o = anp.tanh(a[..., 2 * H:3 * H]), a_sigmoid(a[..., 3 * H:])
    c = f * c + i * g
    return o * anp.tanh(c), c, (i, f, g, o)


def gru_ref_step(x, h, W_ih, W_hh, b_ih, b_hh, eps_i=0.0, eps_h=0.0):
    """PyTorch's GRU (gates r, z, n); eps_i, eps_h are added to W_ih x + b_ih and W_hh h + b_hh."""
    H = h.shape[-1]
    gi = anp.dot(x, W_ih.T) + b_ih + eps_i
    gh = anp.dot(h, W_hh.T) + b_hh + eps_h
    r = a_sigmoid(gi[..., :H] + gh[..., :H])
    z = a_sigmoid(gi[..., H:2 * H] + gh[..., H:2 * H])
    n = anp.tanh(gi[..., 2 * H:] + r * gh[..., 2 * H:])
    return (1.0 - z) * n + z * h


def tanh_rnn_ref_step(x, h, W_ih, W_hh, b, eps=0.0):
    return anp.tanh(anp.dot(x, W_ih.T) + anp.dot(h, W_hh.T) + b + eps)


def lstm_params(rng, D, H):
    p = gc.init_lstm(D, H, rng, forget_bias=0.7)
    # Scale the weights up a little so that gates are away from 1/2 and every path carries weight.
    return gc.LSTMParams(2.0 * p.W_ih, 2.0 * p.W_hh, p.b + 0.3 * rng.standard_normal(p.b.shape))


def gru_params(rng, D, H):
    p = gc.init_gru(D, H, rng)
    return gc.GRUParams(2.0 * p.W_ih, 2.0 * p.W_hh, p.b_ih + 0.3 * rng.standard_normal(3 * H), 0.5 + p.b_hh)


def tanh_params(rng, D, H):
    p = gc.init_tanh_rnn(D, H, rng)
    return gc.TanhRNNParams(2.0 * p.W_ih, 2.0 * p.W_hh, p.b)


D, H, B, T = 3, 4, 5, 6


def test_lstm_step_backward_matches_autograd_with_extra_leading_axes():
    rng = rng_for(15)
    p = lstm_params(rng, D, H)
    x, h, c = rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    step = gc.lstm_step(x, h, c, p)
    h_ref, c_ref, _ = lstm_ref_step(x, h, c, p.W_ih, p.W_hh, p.b)
    close("lstm_step h", step.h, h_ref)
    close("lstm_step c", step.c, c_ref)
    K = 3
    dh, dc = rng.standard_normal((K, B, H)), rng.standard_normal((K, B, H))
    da, dh_prev, dc_prev = gc.lstm_step_backward(dh, dc, step, p)
    assert da.shape == (K, B, 4 * H)
    for k in range(K):
        def loss(args, k=k):
            hh, cc, _ = lstm_ref_step(x, args[1], args[2], p.W_ih, p.W_hh, p.b, args[0])
            return anp.sum(dh[k] * hh) + anp.sum(dc[k] * cc)

        ref = grad(loss)([np.zeros((B, 4 * H)), h, c])
        close("lstm_step_backward da", da[k], ref[0])
        close("lstm_step_backward dh_prev", dh_prev[k], ref[1])
        close("lstm_step_backward dc_prev", dc_prev[k], ref[2])


@pytest.mark.parametrize("with_dc_last", [False, True], ids=["dc_last=None", "dc_last"])
def test_lstm_backward_through_a_whole_run_matches_autograd(with_dc_last):
    rng = rng_for(16, with_dc_last)
    p = lstm_params(rng, D, H)
    xs, h0, c0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    dhs = rng.standard_normal((T, B, H))
    dc_last = rng.standard_normal((B, H)) if with_dc_last else None

    def loss(args):
        xx, h, c, W_ih, W_hh, b = args
        total = 0.0
        for t in range(T):
            h, c, _ = lstm_ref_step(xx[t], h, c, W_ih, W_hh, b)
            total = total + anp.sum(dhs[t] * h)
        return total + (anp.sum(dc_last * c) if with_dc_last else 0.0)

    steps = gc.lstm_forward(xs, h0, c0, p)
    ref = grad(loss)([xs, h0, c0, p.W_ih, p.W_hh, p.b])
    got = gc.lstm_backward(dhs, steps, p, dc_last)
    for name, r in zip(("dxs", "dh0", "dc0", "dW_ih", "dW_hh", "db"), ref, strict=True):
        close(f"lstm_backward {name}", getattr(got, name), r)


def test_gru_step_backward_matches_autograd_with_extra_leading_axes():
    rng = rng_for(17)
    p = gru_params(rng, D, H)
    x, h = rng.standard_normal((B, D)), rng.standard_normal((B, H))
    step = gc.gru_step(x, h, p)
    close("gru_step h", step.h, gru_ref_step(x, h, p.W_ih, p.W_hh, p.b_ih, p.b_hh))
    K = 2
    dh = rng.standard_normal((K, B, H))
    dgi, dgh, dh_prev = gc.gru_step_backward(dh, step, p)
    for k in range(K):
        ref = grad(lambda args, k=k: anp.sum(dh[k] * gru_ref_step(x, args[2], p.W_ih, p.W_hh, p.b_ih, p.b_hh,
                                                                  args[0], args[1])))(
            [np.zeros((B, 3 * H)), np.zeros((B, 3 * H)), h])
        close("gru_step_backward dgi", dgi[k], ref[0])
        close("gru_step_backward dgh", dgh[k], ref[1])
        close("gru_step_backward dh_prev", dh_prev[k], ref[2])


def test_gru_backward_through_a_whole_run_matches_autograd():
    rng = rng_for(18)
    p = gru_params(rng, D, H)
    xs, h0, dhs = rng.standard_normal((T, B, D)), rng.standard_normal((B, H)), rng.standard_normal((T, B, H))

    def loss(args):
        xx, h, *w = args
        total = 0.0
        for t in range(T):
            h = gru_ref_step(xx[t], h, *w)
            total = total + anp.sum(dhs[t] * h)
        return total

    ref = grad(loss)([xs, h0, p.W_ih, p.W_hh, p.b_ih, p.b_hh])
    got = gc.gru_backward(dhs, gc.gru_forward(xs, h0, p), p)
    for name, r in zip(("dxs", "dh0", "dW_ih", "dW_hh", "db_ih", "db_hh"), ref, strict=True):
        close(f"gru_backward {name}", getattr(got, name), r)


def test_tanh_rnn_backward_matches_autograd():
    rng = rng_for(19)
    p = tanh_params(rng, D, H)
    xs, h0, dhs = rng.standard_normal((T, B, D)), rng.standard_normal((B, H)), rng.standard_normal((T, B, H))

    def loss(args):
        xx, h, *w = args
        total = 0.0
        for t in range(T):
            h = tanh_rnn_ref_step(xx[t], h, *w)
            total = total + anp.sum(dhs[t] * h)
        return total

    ref = grad(loss)([xs, h0, p.W_ih, p.W_hh, p.b])
    steps = gc.tanh_rnn_forward(xs, h0, p)
    close("tanh_rnn_forward", steps[-1].h, tanh_rnn_ref_step(xs[-1], steps[-2].h, p.W_ih, p.W_hh, p.b))
    got = gc.tanh_rnn_backward(dhs, steps, p)
    for name, r in zip(("dxs", "dh0", "dW_ih", "dW_hh", "db"), ref, strict=True):
        close(f"tanh_rnn_backward {name}", getattr(got, name), r)
    # One step, with an extra leading axis on the cotangent.
    dh = rng.standard_normal((2, B, H))
    da, dh_prev = gc.tanh_rnn_step_backward(dh, steps[2], p)
    for k in range(2):
        ref = grad(lambda args, k=k: anp.sum(dh[k] * tanh_rnn_ref_step(xs[2], args[1], p.W_ih, p.W_hh, p.b,
                                                                       args[0])))([np.zeros((B, H)), steps[1].h])
        close("tanh_rnn_step_backward da", da[k], ref[0])
        close("tanh_rnn_step_backward dh_prev", dh_prev[k], ref[1])


# ============================================================================ lag_gradients


@pytest.mark.parametrize("kind", ["lstm", "gru", "tanh"])
def test_initial_state_gradients_match_autograd_for_every_length(kind):
    rng = rng_for(20, ("lstm", "gru", "tanh").index(kind))
    p = {"lstm": lstm_params, "gru": gru_params, "tanh": tanh_params}[kind](rng, D, H)
    Tmax = 5
    xs, y = lg.first_input_task(Tmax, B, D, H, rng)
    got = lg.initial_state_gradients(p, xs, y)
    zero = np.zeros((B, H))
    for length in range(1, Tmax + 1):
        def loss(states, length=length):
            h, c = states
            for t in range(length):
                if kind == "lstm":
                    h, c, _ = lstm_ref_step(xs[t], h, c, p.W_ih, p.W_hh, p.b)
                elif kind == "gru":
                    h = gru_ref_step(xs[t], h, p.W_ih, p.W_hh, p.b_ih, p.b_hh)
                else:
                    h = tanh_rnn_ref_step(xs[t], h, p.W_ih, p.W_hh, p.b)
            return 0.5 * anp.sum((h - y) ** 2)  # summed over the batch: each row gets its own sequence's gradient

        ref = grad(loss)([zero, zero])
        close(f"initial_state_gradients dh0 ({kind})", got["dh0"][length - 1], ref[0])
        if kind == "lstm":
            close("initial_state_gradients dc0 (lstm)", got["dc0"][length - 1], ref[1])


def test_cell_path_gradients_match_autograd_with_the_gates_held_fixed():
    rng = rng_for(21)
    p = lstm_params(rng, D, H)
    Tmax = 5
    xs, y = lg.first_input_task(Tmax, B, D, H, rng)
    zero = np.zeros((B, H))
    gates, h, c = [], zero, zero
    for t in range(Tmax):  # the gates of the reference forward pass, as constants
        h, c, g = lstm_ref_step(xs[t], h, c, p.W_ih, p.W_hh, p.b)
        gates.append(g)
    got = lg.cell_path_gradients(gc.lstm_forward(xs, zero, zero, p), y)
    for length in range(1, Tmax + 1):
        def loss(c0, length=length):
            c = c0
            for i, f, g, _ in gates[:length]:
                c = f * c + i * g
            return 0.5 * anp.sum((gates[length - 1][3] * anp.tanh(c) - y) ** 2)

        close("cell_path_gradients", got[length - 1], grad(loss)(zero))


# ============================================================================ sequence models


def sequence_reference(cell, params, xs, lags):
    """Predictions (M, B) of M models; params carry a leading axis of M models."""
    M = len(lags)
    h = anp.zeros((M, xs.shape[2], params[-2].shape[-1]))
    c = h
    hs = []
    Hh = h.shape[-1]
    for x in xs:
        if cell == "lstm":
            W_ih, W_hh, b = params[:3]
            a = anp.einsum("mbd,mgd->mbg", x, W_ih) + anp.einsum("mbh,mgh->mbg", h, W_hh) + b[:, None, :]
            i, f = a_sigmoid(a[..., :Hh]), a_sigmoid(a[..., Hh:2 * Hh])
            g, o = anp.tanh(a[..., 2 * Hh:3 * Hh]), a_sigmoid(a[..., 3 * Hh:])
            c = f * c + i * g
            h = o * anp.tanh(c)
        elif cell == "gru":
            W_ih, W_hh, b_ih, b_hh = params[:4]
            gi = anp.einsum("mbd,mgd->mbg", x, W_ih) + b_ih[:, None, :]
            gh = anp.einsum("mbh,mgh->mbg", h, W_hh) + b_hh[:, None, :]
            r = a_sigmoid(gi[..., :Hh] + gh[..., :Hh])
            z = a_sigmoid(gi[..., Hh:2 * Hh] + gh[..., Hh:2 * Hh])
            n = anp.tanh(gi[..., 2 * Hh:] + r * gh[..., 2 * Hh:])
            h = (1.0 - z) * n + z * h
        else:
            W, b = params[:2]
            a = anp.einsum("mbk,mhk->mbh", anp.concatenate([x, h], axis=-1), W) + b[:, None, :]
            h = ACT["tanh" if cell == "tanh" else "relu"](a)
        hs.append(h)
    w, c0 = params[-2], params[-1]
    return anp.stack([anp.dot(hs[t - 1][m], w[m]) + c0[m] for m, t in enumerate(lags)])


@pytest.mark.parametrize("lags", [[2, 5, 4], [5, 1]], ids=["lags-2-5-4", "lags-5-1"])
@pytest.mark.parametrize("cell", CELLS)
def test_sequence_model_forward_and_backward_match_autograd(cell, lags):
    rng = rng_for(22, CELLS.index(cell), len(lags))
    Dx, Hx, Bx, Tx = 2, 3, 4, max(lags)
    model = init_sequence_model(cell, Dx, Hx, lags, rng, forget_bias=[0.5, 1.0, 2.0][:len(lags)], dtype=np.float64)
    for p in model.params:  # leave the initialisation (IRNN: identity and zero bias) so every path matters
        p += 0.3 * rng.standard_normal(p.shape)
    M = len(lags)
    xs = rng.standard_normal((Tx, M, Bx, Dx))
    y = rng.standard_normal((M, Bx))
    pred, cache = model.forward(xs)
    if cell == "irnn":
        for _, a in cache[0]:
            away_from_kinks(a, "relu")
    close(f"SequenceModel.forward ({cell})", pred, sequence_reference(cell, model.params, xs, model.lags))
    close("mse", mse(pred, y), np.mean((pred - y) ** 2, axis=-1))

    def loss(ps):  # the sum over models of each model's mean squared error
        return anp.sum(anp.mean((sequence_reference(cell, ps, xs, model.lags) - y) ** 2, axis=-1))

    ref = grad(loss)(model.params)
    got = model.backward(cache, 2.0 * (pred - y) / Bx)
    assert len(got) == len(model.params)
    for g, r, p in zip(got, ref, model.params, strict=True):
        assert g.shape == p.shape
        close(f"SequenceModel.backward ({cell})", g, r)
