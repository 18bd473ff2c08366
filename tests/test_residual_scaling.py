# Residual growth against a direct forward pass, the exact mean-square law, and the variants' closed forms.
"""Tests for vgdocs.residual_scaling.

The renormalised log-norm recursion is compared with a plain forward pass written here; the
law $\\mathbb E \\lVert x_{l+1} \\rVert^2 = (1 + g) \\lVert x_l \\rVert^2$ with a Monte Carlo average over
fresh weights for a fixed input (exact at any width, so only sampling error is allowed).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from vgdocs.residual_scaling import (
    branch_gain,
    branch_scales,
    residual_growth,
    residual_log_norms,
    residual_norm_growth,
)


def test_branch_scales_and_gains_of_the_variants():
    assert branch_scales("plain", 100) == (1.0, 1.0, 1.0)
    assert branch_scales("fixup", 100) == (0.1, 0.0, 1.0)
    assert branch_scales("fixup_scale", 400) == (0.05, 1.0, 1.0)
    assert branch_scales("rezero", 100, 0.3) == (1.0, 1.0, 0.3)
    assert branch_gain(*branch_scales("plain", 7)) == 2.0
    assert branch_gain(*branch_scales("fixup_scale", 50)) == pytest.approx(2 / 50, rel=1e-14)
    assert branch_gain(*branch_scales("fixup", 50)) == 0.0
    assert residual_growth(2.0, 10) == pytest.approx(3**5, rel=1e-14)
    # Fixup's rescaling alone: (1 + 2/L)^(L/2) rises towards e
    values = [residual_growth(2 / L, L) for L in (10, 100, 1000, 100_000)]
    assert all(a < b < math.e for a, b in itertools.pairwise(values))
    assert values[-1] == pytest.approx(math.e, rel=1e-4)


def test_log_norms_match_a_direct_forward_pass():
    rng = np.random.default_rng(0)
    L, n, B = 12, 16, 5
    W1 = rng.standard_normal((L, n, n)) * math.sqrt(2 / n)
    W2 = rng.standard_normal((L, n, n)) * math.sqrt(2 / n)
    x0 = rng.standard_normal((B, n))
    s1, s2, alpha = 0.7, 1.3, 0.9
    x, direct = x0.copy(), [np.zeros(B)]
    for layer in range(L):
        x = x + alpha * s2 * np.maximum(s1 * x @ W1[layer].T, 0.0) @ W2[layer].T
        direct.append(np.log(np.linalg.norm(x, axis=1) / np.linalg.norm(x0, axis=1)))
    np.testing.assert_allclose(residual_log_norms(x0, W1, W2, s1, s2, alpha), np.array(direct), atol=1e-12)


@pytest.mark.parametrize(("s1", "s2", "alpha"), [(1.0, 1.0, 1.0), (0.1, 1.0, 1.0), (1.0, 1.0, 0.3)])
def test_one_block_multiplies_the_mean_square_by_one_plus_g(s1, s2, alpha):
    """For a fixed input, average ||x + branch||^2 over 4000 fresh weight draws (width 32)."""
    rng = np.random.default_rng(1)
    n, draws = 32, 4000
    x = rng.standard_normal(n)
    W1 = rng.standard_normal((draws, n, n)) * math.sqrt(2 / n)
    W2 = rng.standard_normal((draws, n, n)) * math.sqrt(2 / n)
    a = np.maximum(s1 * np.einsum("dij,j->di", W1, x), 0.0)
    out = x + alpha * s2 * np.einsum("dij,dj->di", W2, a)
    ratio = np.sum(out * out, axis=1) / (x @ x)
    g = branch_gain(s1, s2, alpha)
    assert abs(ratio.mean() - (1 + g)) < 5 * ratio.std() / math.sqrt(draws)


def test_norm_growth_of_the_variants():
    variants = [("plain", 0.0), ("rezero", 0.1), ("fixup_scale", 0.0), ("fixup", 0.0)]
    out = residual_norm_growth(variants, [3, 30], 64, 8, seed=2)
    assert out.shape == (4, 2, 8)
    assert np.max(np.abs(out[3])) < 1e-12  # Fixup's zero last layer: every block is the identity
    # a fixed small scale grows like L * ln(1 + 2 alpha^2) / 2 in the log (the typical value sits a
    # little below this root-mean-square law); 4 weight draws x 16 inputs scatter by about 10 %
    closed = 30 * math.log(1 + 2 * 0.01) / 2
    logs = np.concatenate([residual_norm_growth([("rezero", 0.1)], [30], 64, 16, s) for s in range(4)], axis=2)
    assert np.mean(logs) == pytest.approx(closed, rel=0.25)
    assert np.mean(logs) == pytest.approx(np.mean(out[1, 1]), rel=0.5)
    # the plain stack, root mean square over inputs and 40 weight draws at L = 3, against (1 + 2)^(3/2)
    runs = np.concatenate([residual_norm_growth([("plain", 0.0)], [3], 64, 8, seed) for seed in range(40)], axis=2)
    assert math.sqrt(np.mean(np.exp(2 * runs))) == pytest.approx(3**1.5, rel=0.1)


def test_shallower_stacks_use_the_first_blocks_of_the_deepest():
    both = residual_norm_growth([("plain", 0.0)], [5, 20], 16, 4, seed=3)
    rng = np.random.default_rng(3)
    W1 = math.sqrt(2 / 16) * rng.standard_normal((20, 16, 16))
    W2 = math.sqrt(2 / 16) * rng.standard_normal((20, 16, 16))
    x0 = rng.standard_normal((4, 16))
    np.testing.assert_allclose(both[0, 0], residual_log_norms(x0, W1[:5], W2[:5], 1, 1, 1)[-1], atol=1e-12)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: branch_scales("resnet", 10), r"variant must be one of"),
    (lambda: branch_scales("plain", 10, 0.5), r"alpha applies to the 'rezero' variant only"),
    (lambda: branch_scales("plain", 0), r"depth must be >= 1"),
    (lambda: branch_gain(-1.0, 1.0, 1.0), r"s1 must be >= 0"),
    (lambda: residual_growth(-0.5, 3), r"g must be >= 0"),
    (lambda: residual_log_norms(np.zeros((2, 3)), np.ones((1, 3, 3)), np.ones((1, 3, 3)), 1, 1, 1),
     r"x0 must have no zero rows"),
    (lambda: residual_log_norms(np.ones((2, 3)), np.ones((1, 3, 3)), np.ones((2, 3, 3)), 1, 1, 1),
     r"W1 and W2 must both have shape"),
    (lambda: residual_norm_growth([], [3], 8, 2, 0), r"variants must be a non-empty list"),
    (lambda: residual_norm_growth([("plain", 0.0)], [0], 8, 2, 0), r"depths\[0\] must be >= 1"),
])
def test_bad_inputs_raise_value_errors_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
