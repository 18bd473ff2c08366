# Post-LN and pre-LN stacks: the backward pass against central differences, the residual stream's growth, the scalings.
"""Tests for vgdocs.layer_norm_placement.

The hand-written backward pass is compared entry by entry with central finite differences of
the forward pass, for both placements; the growth of the pre-LN residual stream with the
closed form $\\mathbb E \\lVert x_{l+1} \\rVert^2 = \\mathbb E \\lVert x_l \\rVert^2 + d/2$ (Xavier weights,
a normalised branch input of squared norm $d$, half of it through the ReLU); and the depth
dependence of the last block's gradient with the exponents of Xiong et al.'s two bounds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vgdocs.layer_norm_placement import ffn_gradient_norms, ln_stack_backward, ln_stack_forward


def _setup(seed: int = 0, L: int = 3, d: int = 6, B: int = 4):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((L, d, d)) / math.sqrt(d)
    W2 = rng.standard_normal((L, d, d)) / math.sqrt(d)
    x = rng.standard_normal((B, d))
    r = rng.standard_normal(d)
    return x, W1, W2, r


def _loss(x, W1, W2, placement, r):
    y, _ = ln_stack_forward(x, W1, W2, placement)
    return float(np.sum(y @ r))


@pytest.mark.parametrize("placement", ["post", "pre"])
def test_backward_pass_matches_central_differences(placement):
    x, W1, W2, r = _setup()
    grads = ln_stack_backward(x, W1, W2, placement, r)
    eps = 1e-6
    for name, array, grad in (("W1", W1, grads.W1), ("W2", W2, grads.W2), ("x", x, grads.x)):
        fd = np.zeros_like(array)
        for idx in np.ndindex(array.shape):
            up, down = array.copy(), array.copy()
            up[idx] += eps
            down[idx] -= eps
            args = {"W1": (x, up, W2), "W2": (x, W1, up), "x": (up, W1, W2)}[name]
            args_down = {"W1": (x, down, W2), "W2": (x, W1, down), "x": (down, W1, W2)}[name]
            fd[idx] = (_loss(*args, placement, r) - _loss(*args_down, placement, r)) / (2 * eps)
        np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("placement", ["post", "pre"])
def test_per_example_norms_are_the_norms_of_each_examples_gradient(placement):
    x, W1, W2, r = _setup(seed=1)
    per = ln_stack_backward(x, W1, W2, placement, r).W2_per_example
    for i in range(x.shape[0]):
        single = ln_stack_backward(x[i:i + 1], W1, W2, placement, r).W2
        np.testing.assert_allclose(per[:, i], np.linalg.norm(single, axis=(1, 2)), rtol=1e-12)


def test_post_ln_output_is_normalised_and_pre_ln_stream_grows_by_d_over_two():
    rng = np.random.default_rng(2)
    d, L, B, draws = 32, 8, 16, 60
    sq = np.zeros(L + 1)
    for _ in range(draws):
        W1 = rng.standard_normal((L, d, d)) / math.sqrt(d)
        W2 = rng.standard_normal((L, d, d)) / math.sqrt(d)
        x = rng.standard_normal((B, d))
        _, cache = ln_stack_forward(x, W1, W2, "pre")
        streams = [c[0] for c in cache] + [cache[-1][3]]
        sq += np.array([np.mean(np.sum(s * s, axis=1)) for s in streams]) / draws
        y, _ = ln_stack_forward(x, W1, W2, "post")
        np.testing.assert_allclose(np.mean(y, axis=1), 0.0, atol=1e-12)
        np.testing.assert_allclose(np.mean(y * y, axis=1), 1.0, rtol=1e-4)  # epsilon = 1e-5
    steps = np.diff(sq)
    assert np.all(np.abs(steps - d / 2) < 0.1 * d / 2)


def test_last_block_gradient_scales_like_the_bounds():
    """Post-LN: independent of L (exponent 0); pre-LN: like L^(-1/2). Fit over L = 4..64."""
    depths = (4, 16, 64)
    post = [np.mean([ffn_gradient_norms("post", L, 32, 32, s)[-1] for s in range(3)]) for L in depths]
    pre = [np.mean([ffn_gradient_norms("pre", L, 32, 32, s)[-1] for s in range(3)]) for L in depths]
    post_slope = np.polyfit(np.log(depths), np.log(post), 1)[0]
    pre_slope = np.polyfit(np.log(depths), np.log(pre), 1)[0]
    assert abs(post_slope) < 0.1
    assert -0.6 < pre_slope < -0.35


@pytest.mark.parametrize(("call", "message"), [
    (lambda: ln_stack_forward(np.ones((2, 3)), np.ones((1, 3, 3)), np.ones((1, 3, 3)), "middle"),
     r"placement must be one of"),
    (lambda: ln_stack_forward(np.ones((2, 3)), np.ones((1, 3, 4)), np.ones((1, 3, 3)), "pre"),
     r"W1 must have shape"),
    (lambda: ln_stack_backward(np.ones((2, 3)), np.ones((1, 3, 3)), np.ones((1, 3, 3)), "pre", np.ones(4)),
     r"r must be a vector of length 3"),
    (lambda: ffn_gradient_norms("pre", 0, 8, 4, 0), r"depth must be >= 1"),
    (lambda: ffn_gradient_norms("pre", 3, 8, 4, -1), r"seed must be >= 0"),
])
def test_bad_inputs_raise_value_errors_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
