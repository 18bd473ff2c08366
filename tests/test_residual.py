# Residual and plain stacks, layer norm: backward passes against central differences, linear limits.
"""Tests for vgdocs.residual.

Every hand-written backward pass (block, layer norm, the four stacks) is compared with central
finite differences of the forward pass; gradient profiles are compared in the small-weight
limit with explicit products of matrices computed with numpy; quadrature is compared with the
trapezoid rule.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vgdocs.residual import (
    ARCHITECTURES,
    LN_EPS,
    activation_rms_profile,
    block,
    block_backward,
    block_jacobian,
    block_stack_backward,
    block_stack_forward,
    gaussian_expectation,
    gradient_norm_profile,
    init_blocks,
    layer_norm,
    layer_norm_backward,
    ln_tanh_block_gain,
    scalar_chain_products,
)
from vgsite.registry import NUMBERS

H = 1e-6


def fd_grad(f, array: np.ndarray) -> np.ndarray:
    """Central differences of the scalar f() with respect to every entry of ``array`` (in place)."""
    out = np.zeros_like(array)
    for idx in np.ndindex(array.shape):
        old = array[idx]
        array[idx] = old + H
        up = f()
        array[idx] = old - H
        down = f()
        array[idx] = old
        out[idx] = (up - down) / (2 * H)
    return out


def trapezoid_gauss(f) -> float:
    z = np.linspace(-12, 12, 400_001)
    return float(np.trapezoid(f(z) * np.exp(-z * z / 2) / math.sqrt(2 * math.pi), z))


# --- block ------------------------------------------------------------------------------------


def _block_setup(seed=0, n=3, d=4, hidden=5):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, d)), rng.standard_normal((hidden, d)) / 2,
            rng.standard_normal((d, hidden)) / 2, rng.standard_normal((n, d)))


def test_block_matches_explicit_formula():
    h, W1, W2, _ = _block_setup()
    for i in range(h.shape[0]):
        a = [math.tanh(sum(W1[j, t] * h[i, t] for t in range(4))) for j in range(5)]
        expected = [sum(W2[p, j] * a[j] for j in range(5)) for p in range(4)]
        np.testing.assert_allclose(block(h, W1, W2)[i], expected, rtol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_block_backward_matches_central_differences(seed):
    h, W1, W2, G = _block_setup(seed)

    def loss():
        return float(np.sum(G * block(h, W1, W2)))

    gh, gW1, gW2 = block_backward(h, W1, W2, G)
    np.testing.assert_allclose(gh, fd_grad(loss, h), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(gW1, fd_grad(loss, W1), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(gW2, fd_grad(loss, W2), rtol=1e-6, atol=1e-9)


def test_block_jacobian_and_identity_plus_jacobian():
    h, W1, W2, _ = _block_setup(3)
    x = h[0].copy()
    J = block_jacobian(x, W1, W2)
    fd = np.zeros((4, 4))
    fd_res = np.zeros((4, 4))
    for t in range(4):
        e = np.zeros(4)
        e[t] = H
        fd[:, t] = (block((x + e)[None], W1, W2)[0] - block((x - e)[None], W1, W2)[0]) / (2 * H)
        up = (x + e) + block((x + e)[None], W1, W2)[0]
        down = (x - e) + block((x - e)[None], W1, W2)[0]
        fd_res[:, t] = (up - down) / (2 * H)
    np.testing.assert_allclose(J, fd, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(np.eye(4) + J, fd_res, rtol=1e-6, atol=1e-9)


# --- layer norm -------------------------------------------------------------------------------


def test_layer_norm_matches_hand_computation():
    x = np.array([[1.0, 2.0, 4.0, 7.0], [-3.0, 0.0, 0.0, 3.0]])
    out = layer_norm(x)
    for i, row in enumerate(x):
        mu = sum(row) / 4
        var = sum((v - mu) ** 2 for v in row) / 4
        np.testing.assert_allclose(out[i], [(v - mu) / math.sqrt(var + LN_EPS) for v in row], rtol=1e-13)
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-15)
    np.testing.assert_allclose(layer_norm(x, eps=0.0).var(axis=1), 1.0, rtol=1e-13)


@pytest.mark.parametrize("eps", [0.0, LN_EPS, 0.3])
@pytest.mark.parametrize("seed", [0, 1])
def test_layer_norm_backward_matches_central_differences(eps, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 6))
    G = rng.standard_normal((3, 6))
    gx = layer_norm_backward(x, G, eps)
    np.testing.assert_allclose(gx, fd_grad(lambda: float(np.sum(G * layer_norm(x, eps))), x),
                               rtol=1e-6, atol=1e-9)


def test_layer_norm_gradient_ignores_shift_and_scale_directions():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 8)) * 3 + 1
    gx = layer_norm_backward(x, rng.standard_normal((5, 8)), eps=0.0)
    np.testing.assert_allclose(gx.sum(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose((gx * (x - x.mean(axis=1, keepdims=True))).sum(axis=1), 0.0, atol=1e-12)
    # scaling the input by c scales the gradient by 1/c (eps = 0)
    G = rng.standard_normal((5, 8))
    np.testing.assert_allclose(layer_norm_backward(10 * x, G, 0.0), layer_norm_backward(x, G, 0.0) / 10,
                               rtol=1e-12)


# --- stacks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize("seed", [0, 1])
def test_stack_backward_matches_central_differences(architecture, seed):
    W1, W2 = init_blocks(3, 4, 0.8, seed)
    rng = np.random.default_rng(seed + 10)
    x = rng.standard_normal((2, 4))
    G = rng.standard_normal((2, 4))

    def loss():
        return float(np.sum(G * block_stack_forward(x, W1, W2, architecture)[-1]))

    grads = block_stack_backward(x, W1, W2, architecture, G)
    np.testing.assert_allclose(grads.h[-1], G)
    np.testing.assert_allclose(grads.h[0], fd_grad(loss, x), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(grads.W1, fd_grad(loss, W1), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(grads.W2, fd_grad(loss, W2), rtol=1e-5, atol=1e-8)


def test_intermediate_gradients_match_differences_in_a_hidden_state():
    # dL/dh_k: perturb h_k and run only the blocks above it
    W1, W2 = init_blocks(4, 3, 0.7, 5)
    x = np.random.default_rng(6).standard_normal((2, 3))
    G = np.random.default_rng(7).standard_normal((2, 3))
    for arch in ARCHITECTURES:
        hs = block_stack_forward(x, W1, W2, arch)
        grads = block_stack_backward(x, W1, W2, arch, G)
        for k in (1, 2, 3):
            hk = hs[k].copy()
            fd = fd_grad(lambda hk=hk, k=k, arch=arch:
                         float(np.sum(G * block_stack_forward(hk, W1[k:], W2[k:], arch)[-1])), hk)
            np.testing.assert_allclose(grads.h[k], fd, rtol=1e-5, atol=1e-8)


def test_linear_limit_matches_explicit_matrix_products():
    # With tiny inputs tanh is the identity, so J_k = W2_k W1_k; compare with numpy products.
    depth, width = 6, 5
    W1, W2 = init_blocks(depth, width, 0.5, 1)
    x = 1e-7 * np.random.default_rng(2).standard_normal((1, width))
    G = np.random.default_rng(3).standard_normal((1, width))
    P_plain, P_res = np.eye(width), np.eye(width)
    for k in range(depth):
        J = W2[k] @ W1[k]
        P_plain = J @ P_plain
        P_res = (np.eye(width) + J) @ P_res
    g_plain = block_stack_backward(x, W1, W2, "plain", G).h[0]
    g_res = block_stack_backward(x, W1, W2, "residual", G).h[0]
    np.testing.assert_allclose(g_plain[0], P_plain.T @ G[0], rtol=1e-6)
    np.testing.assert_allclose(g_res[0], P_res.T @ G[0], rtol=1e-6)


def test_plain_profile_decays_like_branch_scale_and_residual_does_not():
    plain = gradient_norm_profile("plain", depth=50, width=64, batch=32, branch_scale=0.5)
    res = gradient_norm_profile("residual", depth=50, width=64, batch=32, branch_scale=0.5)
    assert plain[-1] == res[-1] == 1.0
    # within an order of magnitude of the linear estimate c^L
    assert 1e-1 < plain[0] / 0.5**50 < 1e1
    assert plain[0] < 1e-14
    assert res[:-1].min() > 1.0


def test_ln_growth_matches_mean_field_estimate_on_wide_layers():
    rho = ln_tanh_block_gain()
    per_block = [gradient_norm_profile("plain_ln", depth=30, width=128, batch=8, seed=s)[0] ** (1 / 30)
                 for s in range(4)]
    assert math.exp(np.mean(np.log(per_block))) == pytest.approx(rho, rel=0.02)


def test_ln_stack_is_nearly_independent_of_branch_scale():
    a = gradient_norm_profile("plain_ln", depth=20, width=16, batch=4, branch_scale=0.5)
    b = gradient_norm_profile("plain_ln", depth=20, width=16, batch=4, branch_scale=2.0)
    np.testing.assert_allclose(a, b, rtol=1e-2)


def test_activation_rms_profile():
    ln = activation_rms_profile("plain_ln", depth=10, width=16, batch=4)
    np.testing.assert_allclose(ln[1:], 1.0, rtol=1e-3)
    plain = activation_rms_profile("plain", depth=10, width=16, batch=4, branch_scale=0.1)
    assert plain[-1] < 1e-8


def test_init_blocks_scales():
    W1, W2 = init_blocks(40, 50, 0.5, 0)
    assert W1.shape == W2.shape == (40, 50, 50)
    assert W1.var() == pytest.approx(1 / 50, rel=0.02)
    assert W2.var() == pytest.approx(0.25 / 50, rel=0.02)


# --- estimates and exercises ------------------------------------------------------------------


def test_gaussian_expectation_against_trapezoid_and_moments():
    assert gaussian_expectation(lambda z: z**2) == pytest.approx(1.0, rel=1e-12)
    assert gaussian_expectation(lambda z: z**4) == pytest.approx(3.0, rel=1e-12)
    assert gaussian_expectation(lambda z: np.tanh(z) ** 2) == pytest.approx(
        trapezoid_gauss(lambda z: np.tanh(z) ** 2), rel=1e-8)
    assert gaussian_expectation(lambda z: np.cosh(z) ** -4) == pytest.approx(
        trapezoid_gauss(lambda z: np.cosh(z) ** -4), rel=1e-8)


def test_ln_block_gain_value():
    num = trapezoid_gauss(lambda z: np.cosh(z) ** -4)
    den = trapezoid_gauss(lambda z: np.tanh(z) ** 2)
    assert ln_tanh_block_gain() == pytest.approx(math.sqrt(num / den), rel=1e-8)
    assert NUMBERS["res_ln_chi_pow"].value() == pytest.approx(math.sqrt(num / den) ** 50, rel=1e-6)


def test_scalar_chain_products_and_exercises():
    assert scalar_chain_products(0.5, 50) == (0.5**50, 1.5**50)
    assert NUMBERS["res_ex_neg_half"].value() == 2.0**-50
    assert NUMBERS["res_ex_pos_half"].value() == pytest.approx(1.5**50, rel=1e-14)
    small = NUMBERS["res_ex_small"].value()
    assert small == pytest.approx(1.02**50, rel=1e-14)
    assert small < math.e
    # (1 + 1/L)^L increases towards e
    big = (1 + 1 / 1000) ** 1000
    assert small < big < math.e
    assert NUMBERS["res_ex_tanh2"].value() == pytest.approx(trapezoid_gauss(lambda z: np.tanh(z) ** 2), rel=1e-8)
    assert NUMBERS["res_ex_tanhp2"].value() == pytest.approx(trapezoid_gauss(lambda z: np.cosh(z) ** -4), rel=1e-8)


def test_displayed_numbers_are_consistent():
    assert NUMBERS["res_plain_linear"].value() == 0.5**50
    assert NUMBERS["res_ln_rms_last"].value() == pytest.approx(1.0, rel=1e-3)
    assert NUMBERS["res_residual_min"].value() > 1.0
    assert NUMBERS["res_ln_seed_min"].value() <= NUMBERS["res_ln_g0"].value() <= NUMBERS["res_ln_seed_max"].value()


# --- bad input --------------------------------------------------------------------------------


def test_block_rejects():
    h, W1, W2, G = _block_setup()
    with pytest.raises(ValueError, match=r"^h\b"):
        block(h[0], W1, W2)
    with pytest.raises(ValueError, match=r"^W1\b"):
        block(h, W1.T, W2)
    with pytest.raises(ValueError, match=r"^W2\b"):
        block(h, W1, W2.T)
    with pytest.raises(ValueError, match=r"^W1\b"):
        block(h, [[1.0]], W2)
    with pytest.raises(ValueError, match=r"^grad_out\b"):
        block_backward(h, W1, W2, G[:, :2])
    with pytest.raises(ValueError, match=r"^h\b"):
        block_jacobian(h, W1, W2)
    with pytest.raises(ValueError, match=r"^h\b"):
        block(np.array([[np.nan] * 4]), W1, W2)


def test_layer_norm_rejects():
    with pytest.raises(ValueError, match=r"^x\b"):
        layer_norm(np.ones(3))
    with pytest.raises(ValueError, match=r"^eps\b"):
        layer_norm(np.ones((2, 3)), eps=-1.0)
    with pytest.raises(ValueError, match=r"^grad_out\b"):
        layer_norm_backward(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"^eps\b"):
        layer_norm_backward(np.ones((2, 3)), np.ones((2, 3)), eps=math.inf)


def test_stack_rejects():
    W1, W2 = init_blocks(2, 3, 1.0)
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"^architecture\b"):
        block_stack_forward(x, W1, W2, "dense")
    with pytest.raises(ValueError, match=r"^W1\b"):
        block_stack_forward(x, W1[0], W2, "plain")
    with pytest.raises(ValueError, match=r"^W1 and W2\b"):
        block_stack_forward(x, W1, W2[:1], "plain")
    with pytest.raises(ValueError, match=r"^W1 and W2\b"):
        block_stack_forward(np.ones((2, 4)), W1, W2, "plain")
    with pytest.raises(ValueError, match=r"^grad_out\b"):
        block_stack_backward(x, W1, W2, "plain", np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"^x\b"):
        block_stack_backward([[1.0, 2.0, 3.0]], W1, W2, "plain", np.ones((1, 3)))


def test_profiles_and_init_reject():
    with pytest.raises(ValueError, match=r"^depth\b"):
        init_blocks(0, 3, 1.0)
    with pytest.raises(ValueError, match=r"^branch_scale\b"):
        init_blocks(2, 3, -1.0)
    with pytest.raises(ValueError, match=r"^seed\b"):
        init_blocks(2, 3, 1.0, seed=-1)
    with pytest.raises(ValueError, match=r"^width\b"):
        gradient_norm_profile("plain", width=0)
    with pytest.raises(ValueError, match=r"^architecture\b"):
        gradient_norm_profile("resnet", depth=2, width=3, batch=1)
    with pytest.raises(ValueError, match=r"^batch\b"):
        activation_rms_profile("plain", batch=0)


def test_estimates_reject():
    with pytest.raises(ValueError, match=r"^nodes\b"):
        gaussian_expectation(np.tanh, nodes=1)
    with pytest.raises(ValueError, match=r"^f\b"):
        gaussian_expectation(3.0)
    with pytest.raises(ValueError, match=r"^a\b"):
        scalar_chain_products("0.5", 3)
    with pytest.raises(ValueError, match=r"^depth\b"):
        scalar_chain_products(0.5, 0)


def test_random_branches_need_only_a_one_over_sqrt_depth_scale():
    """residual.md exercise 2: c = 1/sqrt(L) keeps the residual gradient's growth small over 50 blocks."""
    sqrt_scale = gradient_norm_profile("residual", 50, 64, 32, 1 / math.sqrt(50))
    assert 1.0 < sqrt_scale[0] < 2.0
    assert np.all(sqrt_scale >= 0.95)  # on average each block cannot shrink it; one may dip a little
    big = gradient_norm_profile("residual", 50, 64, 32, 1.0)
    assert big[0] > 10 * sqrt_scale[0]
    assert NUMBERS["res_ex_sqrt_growth"].value() == pytest.approx(sqrt_scale[0], rel=1e-12)


def _plain_ln_profile(c: float, eps: float, depth: int = 50, width: int = 64, batch: int = 32) -> np.ndarray:
    """The normalised plain stack h_{k+1} = LN(W2 tanh(W1 h_k)) of the page, written out here with
    its own layer norm and backward pass (explicit Jacobian of LN per row), at a chosen epsilon."""
    W1, W2 = init_blocks(depth, width, c, 0)
    rng = np.random.default_rng([0, 1])
    x = rng.standard_normal((batch, width))
    r = rng.standard_normal(width) / math.sqrt(width)
    hs, pre = [x], []
    for w1, w2 in zip(W1, W2, strict=True):
        f = np.tanh(hs[-1] @ w1.T) @ w2.T
        pre.append(f)
        mu, var = f.mean(axis=1, keepdims=True), f.var(axis=1, keepdims=True)
        hs.append((f - mu) / np.sqrt(var + eps))
    g = np.tile(r / batch, (batch, 1))
    norms = [np.linalg.norm(g)]
    eye, centre = np.eye(width), np.eye(width) - 1.0 / width
    for k in range(depth - 1, -1, -1):
        f, gf = pre[k], np.empty_like(g)
        for i in range(batch):
            u = f[i] - f[i].mean()
            s2 = u @ u / width + eps
            # d LN / d f = (I - 11^T/d) / s - u u^T (I - 11^T/d) / (d s^3)
            jac = (eye - 1.0 / width) / math.sqrt(s2) - np.outer(u, u @ centre) / (width * s2**1.5)
            gf[i] = jac.T @ g[i]
        a = hs[k] @ W1[k].T
        g = ((gf @ W2[k]) * (1 - np.tanh(a) ** 2)) @ W1[k]
        norms.append(np.linalg.norm(g))
    norms = np.array(norms[::-1])
    return norms / norms[-1]


def test_normalised_stack_ignores_the_branch_scale_but_for_epsilon():
    """residual.md: the c = 0.5 and c = 1 profiles differ only because of epsilon."""
    W1a, W2a = init_blocks(50, 64, 0.5, 0)
    W1b, W2b = init_blocks(50, 64, 1.0, 0)
    np.testing.assert_array_equal(W1a, W1b)
    np.testing.assert_allclose(W2a, 0.5 * W2b, rtol=1e-15)
    eps = NUMBERS["res_ln_eps"].value()
    np.testing.assert_allclose(_plain_ln_profile(0.5, eps), gradient_norm_profile("plain_ln", branch_scale=0.5),
                               rtol=1e-9)
    np.testing.assert_allclose(_plain_ln_profile(0.5, 0.0), _plain_ln_profile(1.0, 0.0), rtol=1e-10)
    diff = np.max(np.abs(_plain_ln_profile(0.5, eps) / _plain_ln_profile(1.0, eps) - 1))
    assert diff == pytest.approx(NUMBERS["res_ln_scale_diff"].value(), rel=1e-6)
    assert diff > 1e-4


def test_layer_norm_gradient_along_x_hat_is_the_epsilon_share():
    """residual.md, exercise 4: x_hat . dL/dx = (d/s) mean(g x_hat) eps/(v + eps)."""
    rng = np.random.default_rng(5)
    d = 16
    for scale, eps in [(1.0, 1e-5), (0.01, 1e-5), (0.003, 1e-5), (1.0, 0.0)]:
        x, g = scale * rng.standard_normal((3, d)), rng.standard_normal((3, d))
        gx = layer_norm_backward(x, g, eps=eps)
        for i in range(3):
            v = x[i].var()
            s = math.sqrt(v + eps)
            xh = (x[i] - x[i].mean()) / s
            expected = d / s * np.mean(g[i] * xh) * eps / (v + eps)
            assert gx[i] @ xh == pytest.approx(expected, rel=1e-8, abs=1e-9 * np.abs(g[i]).sum() / s)


def test_figure_descriptions_more_than_fifteen_decades():
    """residual.md alt texts: the c = 0.5 plain stack loses more than fifteen (but not seventeen)
    orders of magnitude in its gradient and in its activations (inputs have unit variance)."""
    g0 = gradient_norm_profile("plain", branch_scale=0.5)[0]
    rms = activation_rms_profile("plain", branch_scale=0.5)
    assert 1e-17 < g0 < 1e-15
    assert 1e-17 < rms[-1] / rms[0] < 1e-15
    assert rms[0] == pytest.approx(1.0, rel=0.1)
