# What the page "Signal propagation" shows: mean field, edge of chaos, Jacobian spectra, residual scaling, LN placement.
"""The experiments, numbers and figures of ``docs/signal-propagation.md``.

The math is in :mod:`vgdocs.mean_field`, :mod:`vgdocs.isometry`, :mod:`vgdocs.residual_scaling`
and :mod:`vgdocs.layer_norm_placement`; this file fixes the sizes and seeds. The expensive
results (training runs, Jacobian spectra, deep stacks) are experiments (``vgsite.experiment``),
computed once per version of the code.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from vgdocs.datasets import Split, digits
from vgdocs.initialisation import orthogonal
from vgdocs.isometry import jacobian_spectrum, relu_rnn_gradient_norms
from vgdocs.layer_norm_placement import ffn_gradient_norms
from vgdocs.mean_field import (
    chi_1,
    critical_line,
    critical_sigma_w2,
    depth_scales,
    fixed_point_c,
    fixed_point_q,
    init_mean_field_mlp,
    mean_field_trajectory,
    simulate_pair,
    variance_map,
)
from vgdocs.residual_scaling import branch_gain, branch_scales, residual_growth, residual_norm_growth
from vgdocs.training import train
from vgsite import experiment, figure, number

SIGMA_B2 = 0.05
"""The bias variance of the page's tanh networks (the value Schoenholz et al. use in their figures)."""
EXAMPLES = (1.0, None, 3.0)
"""Weight variances of the ordered, critical (``None``: computed) and chaotic examples."""


def critical() -> tuple[float, float]:
    r"""Critical $\sigma_w^2$ and its $q^*$ at the page's bias variance."""
    sw, q = critical_sigma_w2(SIGMA_B2)
    return float(sw), float(q)


def examples() -> tuple[float, float, float]:
    """The ordered, critical and chaotic weight variances."""
    return EXAMPLES[0], critical()[0], EXAMPLES[2]


# ---------------------------------------------------------------------------- mean field against simulation

MC_WIDTH = 500
MC_DEPTH = 20
MC_SEEDS = 8
MC_Q0 = 1.0
MC_C0 = 0.6


@experiment("signal-mean-field-simulation")
def mean_field_simulation() -> dict[str, np.ndarray]:
    """q^l and c^l in finite networks (one per seed, all three weight variances on shared draws)."""
    runs = [simulate_pair(MC_Q0, MC_C0, MC_DEPTH, MC_WIDTH, np.array(examples()), SIGMA_B2,
                          np.random.default_rng([seed, 11])) for seed in range(MC_SEEDS)]
    return {"q": np.stack([q for q, _ in runs]), "c": np.stack([c for _, c in runs])}


@cache
def trajectories() -> tuple[np.ndarray, np.ndarray]:
    """Mean-field (q^l, c^l), one row per example weight variance."""
    out = [mean_field_trajectory(MC_Q0, MC_C0, MC_DEPTH, sw, SIGMA_B2) for sw in examples()]
    return np.array([q for q, _ in out]), np.array([c for _, c in out])


# ---------------------------------------------------------------------------- phase diagram, depth scales

GRID_SW2 = np.linspace(0.5, 4.0, 141)
GRID_SB2 = np.linspace(0.0, 0.3, 61)


@experiment("signal-phase-diagram")
def phase_diagram() -> dict[str, np.ndarray]:
    """chi_1 on the (sigma_w^2, sigma_b^2) grid, the critical line, and the depth scales at sigma_b^2 = 0.05."""
    xi_q, xi_c = depth_scales(GRID_SW2, SIGMA_B2)
    line_sw, _ = critical_sigma_w2(GRID_SB2)
    return {"chi_1": chi_1(GRID_SW2[None, :], GRID_SB2[:, None]), "critical": line_sw, "xi_q": xi_q, "xi_c": xi_c}


# ---------------------------------------------------------------------------- trainability on digits

TRAIN_WIDTH = 32
TRAIN_DEPTHS = (4, 8, 16, 24, 32)
TRAIN_SW2 = np.linspace(0.5, 4.0, 8)
TRAIN_EXAMPLES = 400
TRAIN_BATCH = 8
TRAIN_EPOCHS = 8
TRAIN_LR = 0.05
TRAIN_LR_DEPTH = 8
"""The rate is $\\min(\\eta, 8\\eta / L)$: deeper stacks need smaller steps."""
F32 = np.float32


def train_data() -> Split:
    """The first 400 training digits, each pixel standardised with the training set's statistics."""
    d = digits()
    mean, std = d.x_train.mean(axis=0), d.x_train.std(axis=0) + 1e-8
    return Split(((d.x_train - mean) / std).astype(F32), d.y_train,
                 ((d.x_test - mean) / std).astype(F32), d.y_test).head(TRAIN_EXAMPLES)


def train_rate(depth: int) -> float:
    """The learning rate of a stack of ``depth`` hidden layers."""
    return min(TRAIN_LR, TRAIN_LR_DEPTH * TRAIN_LR / depth)


@experiment("signal-trainability")
def trainability() -> dict[str, np.ndarray]:
    """Training accuracy after the budget: one row per depth, one column per weight variance."""
    data = train_data()
    rows = []
    for depth in TRAIN_DEPTHS:
        model = init_mean_field_mlp([64, *[TRAIN_WIDTH] * depth, 10], TRAIN_SW2, SIGMA_B2,
                                    np.random.default_rng([depth, 5]), dtype=F32)
        with np.errstate(over="ignore", invalid="ignore"):
            h = train(model, data, epochs=TRAIN_EPOCHS, batch_size=TRAIN_BATCH, lr=train_rate(depth), seed=0,
                      networks=TRAIN_SW2.size, record=False)
        rows.append(h.train_accuracy[-1])
    return {"accuracy": np.array(rows)}


def train_steps() -> int:
    """SGD steps in the training budget."""
    return TRAIN_EPOCHS * math.ceil(TRAIN_EXAMPLES / TRAIN_BATCH)


# ---------------------------------------------------------------------------- Jacobian spectra

JAC_DEPTH = 100
JAC_WIDTH = 200
SMALL_Q = 1.0 / 64.0
"""The small fixed point on the critical line for the near-linear networks."""


@cache
def small_point() -> tuple[float, float]:
    """(sigma_w^2, sigma_b^2) on the critical line with q* = 1/64."""
    sw, sb = critical_line(SMALL_Q)
    return float(sw), float(sb)


def jacobian_cases() -> dict[str, tuple[float, float, str, str, float]]:
    """Each spectrum: (sigma_w^2, sigma_b^2, activation, init, q^0)."""
    (sw, q), (sws, sbs) = critical(), small_point()
    return {"tanh-gaussian-critical": (sw, SIGMA_B2, "tanh", "gaussian", q),
            "tanh-gaussian-small": (sws, sbs, "tanh", "gaussian", SMALL_Q),
            "tanh-orthogonal-critical": (sw, SIGMA_B2, "tanh", "orthogonal", q),
            "tanh-orthogonal-small": (sws, sbs, "tanh", "orthogonal", SMALL_Q),
            "relu-gaussian": (2.0, 0.0, "relu", "gaussian", 1.0),
            "relu-orthogonal": (2.0, 0.0, "relu", "orthogonal", 1.0)}


def _spectra(names: tuple[str, ...]) -> dict[str, np.ndarray]:
    out = {}
    for i, name in enumerate(names):
        s = jacobian_spectrum(JAC_DEPTH, JAC_WIDTH, *jacobian_cases()[name], seed=i)
        out[f"{name}/log10_s"] = s.log10_s
        out[f"{name}/mean_square"] = np.array(s.mean_square)
    return out


GAUSSIAN_CASES = ("tanh-gaussian-critical", "tanh-gaussian-small")
OTHER_CASES = ("tanh-orthogonal-critical", "tanh-orthogonal-small", "relu-gaussian", "relu-orthogonal")
# Two experiments, so that the build's two workers share them.
_SPECTRA = {"gaussian": experiment("signal-jacobian-gaussian")(lambda: _spectra(GAUSSIAN_CASES)),
            "other": experiment("signal-jacobian-other")(lambda: _spectra(OTHER_CASES))}


def spectrum(name: str) -> np.ndarray:
    """log10 of the singular values of one case, descending (-inf: exact zeros)."""
    return _SPECTRA["gaussian" if name in GAUSSIAN_CASES else "other"]()[f"{name}/log10_s"]


def spread(name: str) -> float:
    """log10 of the largest over the median nonzero singular value."""
    s = spectrum(name)
    return float(s[0] - np.median(s[np.isfinite(s)]))


def zeros(name: str) -> int:
    """How many singular values of one case are exactly zero."""
    return int(np.sum(~np.isfinite(spectrum(name))))


# ---------------------------------------------------------------------------- residual scaling

RES_DEPTHS = [10, 30, 100, 300, 1000]
RES_WIDTH = 128
RES_BATCH = 16
RES_SEEDS = 2
REZERO_ALPHA = 0.1
"""A ReZero scale after it has grown from zero to a tenth (the same for every block)."""
RES_VARIANTS = {"plain": ("plain", 0.0), "rezero": ("rezero", REZERO_ALPHA), "fixup_scale": ("fixup_scale", 0.0),
                "fixup": ("fixup", 0.0)}


@experiment("signal-residual-growth")
def residual_growth_runs() -> dict[str, np.ndarray]:
    """log10 ||x_L|| / ||x_0|| at each depth (rows) for each input and seed (columns), per variant."""
    pairs = list(RES_VARIANTS.values())
    runs = np.concatenate([residual_norm_growth(pairs, RES_DEPTHS, RES_WIDTH, RES_BATCH, seed)
                           for seed in range(RES_SEEDS)], axis=2) / math.log(10.0)
    return {key: runs[v] for v, key in enumerate(RES_VARIANTS)}


def closed_growth(key: str, depth: int) -> float:
    """log10 of the root-mean-square growth (1 + g)^(L/2)."""
    variant, alpha = RES_VARIANTS[key]
    return math.log10(residual_growth(branch_gain(*branch_scales(variant, depth, alpha)), depth))


# ---------------------------------------------------------------------------- layer-norm placement

LN_DEPTHS = (6, 12, 24, 48, 96)
LN_WIDTH = 64
LN_BATCH = 64
LN_SEEDS = 12
LN_PROFILE_DEPTH = 48


@experiment("signal-ln-gradients")
def ln_gradients() -> dict[str, np.ndarray]:
    """Per-layer mean ||d l_i / d W_2^l||_F, averaged over seeds, for each placement and depth."""
    out = {}
    for placement in ("post", "pre"):
        for depth in LN_DEPTHS:
            out[f"{placement}/{depth}"] = np.mean(
                [ffn_gradient_norms(placement, depth, LN_WIDTH, LN_BATCH, seed) for seed in range(LN_SEEDS)], axis=0)
    return out


def ln_last(placement: str) -> np.ndarray:
    """The last block's gradient norm at each depth."""
    return np.array([ln_gradients()[f"{placement}/{d}"][-1] for d in LN_DEPTHS])


def ln_slope(values: np.ndarray) -> float:
    """Exponent of a power-law fit of values against depth (log-log least squares)."""
    return float(np.polyfit(np.log(LN_DEPTHS), np.log(values), 1)[0])


# ---------------------------------------------------------------------------- recurrent

RNN_WIDTH = 100
RNN_STEPS = 200
RNN_INPUTS = 8
RNN_SEEDS = 8
RNN_LAG = 100


@cache
def rnn_gradients(init: str) -> np.ndarray:
    """||dl/dh_{T-k}||, one row per seed, for W_hh = I or a Haar orthogonal matrix."""
    rows = []
    for seed in range(RNN_SEEDS):
        rng = np.random.default_rng([seed, 21])
        W = np.eye(RNN_WIDTH) if init == "identity" else orthogonal(RNN_WIDTH, RNN_WIDTH, rng)
        U = rng.standard_normal((RNN_WIDTH, RNN_INPUTS)) / math.sqrt(RNN_INPUTS)
        xs = rng.standard_normal((RNN_STEPS, RNN_INPUTS))
        r = rng.standard_normal(RNN_WIDTH)
        norms, active = relu_rnn_gradient_norms(W, U, xs, r / np.linalg.norm(r))
        rows.append(np.concatenate([norms, [active.mean()]]))
    return np.array(rows)


def rnn_at_lag(init: str) -> float:
    """Geometric mean over seeds of ||dl/dh_{T-100}|| / ||dl/dh_T||."""
    return float(np.exp(np.mean(np.log(rnn_gradients(init)[:, RNN_LAG]))))


# ---------------------------------------------------------------------------- numbers

number("signal_sb2", ".2f")(lambda: SIGMA_B2)
number("signal_crit_sw2", ".4f")(lambda: critical()[0])
number("signal_crit_q", ".4f")(lambda: critical()[1])
number("signal_crit_sw2_short", ".2f")(lambda: critical()[0])
number("signal_ordered_sw2", ".1f")(lambda: EXAMPLES[0])
number("signal_chaotic_sw2", ".1f")(lambda: EXAMPLES[2])
number("signal_q_ordered", ".3f")(lambda: fixed_point_q(EXAMPLES[0], SIGMA_B2))
number("signal_q_chaotic", ".3f")(lambda: fixed_point_q(EXAMPLES[2], SIGMA_B2))
number("signal_chi_ordered", ".3f")(lambda: chi_1(EXAMPLES[0], SIGMA_B2))
number("signal_chi_chaotic", ".3f")(lambda: chi_1(EXAMPLES[2], SIGMA_B2))
number("signal_c_star_chaotic", ".3f")(lambda: fixed_point_c(EXAMPLES[2], SIGMA_B2)[0])
number("signal_mc_width", ".0f")(lambda: MC_WIDTH)
number("signal_mc_depth", ".0f")(lambda: MC_DEPTH)
number("signal_mc_seeds", ".0f")(lambda: MC_SEEDS)
number("signal_mc_q0", ".1f")(lambda: MC_Q0)
number("signal_mc_c0", ".1f")(lambda: MC_C0)
for _i, _label in enumerate(("ordered", "critical", "chaotic")):
    number(f"signal_mc_c_{_label}", ".3f")(lambda i=_i: float(mean_field_simulation()["c"][:, i, -1].mean()))
    number(f"signal_mf_c_{_label}", ".3f")(lambda i=_i: float(trajectories()[1][i, -1]))
number("signal_mc_c_spread", ".3f")(
    lambda: float(np.max(np.abs(mean_field_simulation()["c"][:, :, -1].mean(axis=0) - trajectories()[1][:, -1]))))
number("signal_mc_c_std_min", ".3f")(
    lambda: float(np.min(mean_field_simulation()["c"][:, 1:, -1].std(axis=0, ddof=1))))
number("signal_crit_sw2_sb0", ".0f")(lambda: float(critical_sigma_w2(0.0)[0]))
CRIT_SB2 = (0.1, 0.3)
"""Two more bias variances whose critical weight variance the page quotes."""
number("signal_sb2_mid", ".1f")(lambda: CRIT_SB2[0])
number("signal_sb2_high", ".1f")(lambda: CRIT_SB2[1])
number("signal_crit_sw2_sb01", ".3f")(lambda: float(critical_sigma_w2(CRIT_SB2[0])[0]))
number("signal_crit_sw2_sb03", ".3f")(lambda: float(critical_sigma_w2(CRIT_SB2[1])[0]))
number("signal_xi_c_ordered", ".2f")(lambda: depth_scales(EXAMPLES[0], SIGMA_B2)[1])
number("signal_xi_c_chaotic", ".2f")(lambda: depth_scales(EXAMPLES[2], SIGMA_B2)[1])
number("signal_xi_q_critical", ".2f")(lambda: depth_scales(critical()[0], SIGMA_B2)[0])
number("signal_xi_q_max", ".2f")(lambda: float(np.max(phase_diagram()["xi_q"])))
# Trainability.
number("signal_train_width", ".0f")(lambda: TRAIN_WIDTH)
number("signal_train_examples", ".0f")(lambda: TRAIN_EXAMPLES)
number("signal_train_batch", ".0f")(lambda: TRAIN_BATCH)
number("signal_train_steps", ".0f")(train_steps)
number("signal_train_lr", ".2f")(lambda: TRAIN_LR)
number("signal_train_lr_depth", ".0f")(lambda: TRAIN_LR_DEPTH)
number("signal_train_depth_max", ".0f")(lambda: max(TRAIN_DEPTHS))
number("signal_train_sw2_min", ".1f")(lambda: TRAIN_SW2[0])
number("signal_train_sw2_mid", ".1f")(lambda: TRAIN_SW2[2])


def _acc(depth: int, sw2: float) -> float:
    return 100 * float(trainability()["accuracy"][TRAIN_DEPTHS.index(depth), int(np.argmin(np.abs(TRAIN_SW2 - sw2)))])


# The table under the trainability map: every cell's accuracy, and the weight variances heading its columns.
for _i, _sw in enumerate(TRAIN_SW2):
    number(f"signal_cell_sw{_i}", ".1f")(lambda sw=_sw: float(sw))
    for _d in TRAIN_DEPTHS:
        number(f"signal_cell_d{_d}_{_i}", ".0f")(lambda d=_d, sw=_sw: _acc(d, float(sw)))
number("signal_acc_sw1_d16", ".0f")(lambda: _acc(16, 1.0))
number("signal_acc_sw1_d24", ".0f")(lambda: _acc(24, 1.0))
number("signal_acc_sw05_d8", ".0f")(lambda: _acc(8, TRAIN_SW2[0]))
number("signal_acc_sw05_d16", ".0f")(lambda: _acc(16, TRAIN_SW2[0]))
number("signal_acc_sw4_d24", ".0f")(lambda: _acc(24, 4.0))
number("signal_acc_sw15_d24", ".0f")(lambda: _acc(24, TRAIN_SW2[2]))
number("signal_acc_best_d32", ".0f")(lambda: 100 * float(np.max(trainability()["accuracy"][-1])))
number("signal_6xi_sw05", ".0f")(lambda: 6 * depth_scales(TRAIN_SW2[0], SIGMA_B2)[1])
number("signal_6xi_sw1", ".0f")(lambda: 6 * depth_scales(1.0, SIGMA_B2)[1])
number("signal_6xi_sw4", ".0f")(lambda: 6 * depth_scales(4.0, SIGMA_B2)[1])
# Jacobian spectra.
number("signal_jac_depth", ".0f")(lambda: JAC_DEPTH)
number("signal_jac_width", ".0f")(lambda: JAC_WIDTH)
number("signal_small_q_inv", ".0f")(lambda: 1.0 / SMALL_Q)
number("signal_small_sw2", ".4f")(lambda: small_point()[0])
number("signal_small_sb2", ".1e")(lambda: small_point()[1])
for _name in jacobian_cases():
    _key = _name.replace("tanh-", "").replace("-", "_")
    number(f"signal_spread_{_key}", ".1f")(lambda n=_name: spread(n))
number("signal_min_gaussian_critical", ".0f")(lambda: float(spectrum("tanh-gaussian-critical")[-1]))
number("signal_ratio_orthogonal_small", ".2f")(lambda: 10 ** spread("tanh-orthogonal-small"))
number("signal_minmax_orthogonal_small", ".0f")(
    lambda: 10 ** float(spectrum("tanh-orthogonal-small")[0] - spectrum("tanh-orthogonal-small")[-1]))
number("signal_zeros_relu_gaussian", ".0f")(lambda: zeros("relu-gaussian"))
number("signal_zeros_relu_orthogonal", ".0f")(lambda: zeros("relu-orthogonal"))
number("signal_ms_gaussian_critical", ".2f")(
    lambda: float(_SPECTRA["gaussian"]()["tanh-gaussian-critical/mean_square"]))
# Residual scaling.
number("signal_res_width", ".0f")(lambda: RES_WIDTH)
number("signal_res_inputs", ".0f")(lambda: RES_BATCH * RES_SEEDS)
number("signal_res_alpha", ".1f")(lambda: REZERO_ALPHA)
number("signal_res_plain_1000", ".0f")(lambda: float(np.median(residual_growth_runs()["plain"][-1])))
number("signal_res_plain_1000_closed", ".1f")(lambda: closed_growth("plain", 1000))
number("signal_res_plain_10", ".2f")(lambda: float(np.median(residual_growth_runs()["plain"][0])))
number("signal_res_plain_10_closed", ".2f")(lambda: closed_growth("plain", 10))
number("signal_res_rezero_1000", ".1f")(lambda: float(np.median(residual_growth_runs()["rezero"][-1])))
number("signal_res_rezero_1000_closed", ".2f")(lambda: closed_growth("rezero", 1000))
number("signal_res_fixup_1000", ".2f")(lambda: 10 ** float(np.median(residual_growth_runs()["fixup_scale"][-1])))
number("signal_res_fixup_closed", ".2f")(lambda: 10 ** closed_growth("fixup_scale", 1000))
number("signal_res_sqrt3", ".3f")(lambda: math.sqrt(3.0))
# Layer-norm placement.
number("signal_ln_width", ".0f")(lambda: LN_WIDTH)
number("signal_ln_batch", ".0f")(lambda: LN_BATCH)
number("signal_ln_seeds", ".0f")(lambda: LN_SEEDS)
number("signal_ln_depth_min", ".0f")(lambda: min(LN_DEPTHS))
number("signal_ln_depth_max", ".0f")(lambda: max(LN_DEPTHS))
number("signal_ln_profile_depth", ".0f")(lambda: LN_PROFILE_DEPTH)
number("signal_ln_post_slope", ".2f")(lambda: ln_slope(ln_last("post")))
number("signal_ln_pre_slope", ".2f")(lambda: ln_slope(ln_last("pre")))
number("signal_ln_ratio_slope", ".2f")(lambda: ln_slope(ln_last("post") / ln_last("pre")))
number("signal_ln_ratio_max", ".1f")(lambda: float(ln_last("post")[-1] / ln_last("pre")[-1]))
LN_ENDS = 6
"""Blocks averaged at each end of the profile (one block alone is noisy)."""


def ln_ends(placement: str) -> float:
    """Mean gradient of the first six blocks over that of the last six, at the profile depth."""
    g = ln_gradients()[f"{placement}/{LN_PROFILE_DEPTH}"]
    return float(g[:LN_ENDS].mean() / g[-LN_ENDS:].mean())


number("signal_ln_ends", ".0f")(lambda: LN_ENDS)
number("signal_ln_pre_first_last", ".1f")(lambda: ln_ends("pre"))
number("signal_ln_post_first_last", ".2f")(lambda: ln_ends("post"))
# Recurrent.
number("signal_rnn_width", ".0f")(lambda: RNN_WIDTH)
number("signal_rnn_seeds", ".0f")(lambda: RNN_SEEDS)
number("signal_rnn_lag", ".0f")(lambda: RNN_LAG)
number("signal_rnn_identity_lag", ".2f")(lambda: rnn_at_lag("identity"))
number("signal_rnn_orthogonal_lag", ".0e")(lambda: rnn_at_lag("orthogonal"))
number("signal_rnn_identity_active_pct", ".0f")(lambda: 100 * float(rnn_gradients("identity")[:, -1].mean()))
number("signal_rnn_orthogonal_active_pct", ".0f")(lambda: 100 * float(rnn_gradients("orthogonal")[:, -1].mean()))
number("signal_rnn_half_root", ".3f")(lambda: math.sqrt(0.5))
# Exercises.
EX_RELU = (1.5, 0.1)
"""(sigma_w^2, sigma_b^2) of the ReLU exercise."""
EX_SW2 = 1.5
"""The ordered tanh network of the depth exercise."""
number("signal_ex_relu_sw2", ".1f")(lambda: EX_RELU[0])
number("signal_ex_relu_sb2", ".1f")(lambda: EX_RELU[1])
number("signal_ex_relu_q", ".2f")(lambda: fixed_point_q(*EX_RELU, "relu"))
number("signal_ex_sw2", ".1f")(lambda: EX_SW2)
number("signal_ex_xi_15", ".1f")(lambda: depth_scales(EX_SW2, SIGMA_B2)[1])
number("signal_ex_6xi_15", ".0f")(lambda: 6 * depth_scales(EX_SW2, SIGMA_B2)[1])
number("signal_ex_chi_15", ".4f")(lambda: chi_1(EX_SW2, SIGMA_B2))
number("signal_ex_alpha", ".3f")(lambda: math.sqrt((10 ** (2 / 1000) - 1) / 2))
number("signal_ex_v_zero", ".2f")(lambda: variance_map(0.0, 1.5, SIGMA_B2))


# ---------------------------------------------------------------------------- figures


def _colours(theme) -> tuple[str, str, str]:
    c = theme["cycle"]
    return c[0], c[2], c[1]  # ordered, critical, chaotic


@figure("signal-maps", size=(7.2, 3.5))
def draw_maps(fig, theme) -> None:
    """Left: the variance map for three weight variances. Right: the correlation c^l, mean field and simulation."""
    left, right = fig.subplots(1, 2)
    colours = _colours(theme)
    labels = [rf"$\sigma_w^2 = {s:.2f}$" + t for s, t in zip(examples(), (" (ordered)", " (critical)", " (chaotic)"),
                                                          strict=True)]
    q = np.linspace(0.0, 2.5, 200)
    left.plot(q, q, color=theme["muted"], linestyle=(0, (4, 3)), linewidth=1.1, label=r"$q$ (identity)")
    for sw, colour, label in zip(examples(), colours, labels, strict=True):
        left.plot(q, variance_map(q, sw, SIGMA_B2), color=colour, label=label)
        qs = fixed_point_q(sw, SIGMA_B2)
        left.plot([qs], [qs], marker="o", color=colour, markersize=6, linestyle="none")
    left.set_xlim(0, 2.5)
    left.set_ylim(0, 2.5)
    left.set_xlabel(r"variance $q^{l-1}$ (dimensionless)")
    left.set_ylabel(r"next variance $\mathcal{V}(q^{l-1})$ (dimensionless)")
    left.set_title(r"length map, dots at $q^*$", fontsize=10)
    left.legend(loc="upper left", fontsize=7.5)
    sim = mean_field_simulation()["c"]
    layers = np.arange(MC_DEPTH + 1)
    for i, (colour, label) in enumerate(zip(colours, labels, strict=True)):
        right.plot(layers, trajectories()[1][i], color=colour, label=label.split(" (")[0] + " mean field")
        mean, sd = sim[:, i].mean(axis=0), sim[:, i].std(axis=0)
        right.errorbar(layers[::2], mean[::2], yerr=sd[::2], color=colour, marker="o", markersize=3.5,
                       linestyle="none", capsize=2, linewidth=0.9)
    right.plot([], [], color=theme["muted"], marker="o", markersize=3.5, linestyle="none",
               label=f"simulation, width {MC_WIDTH}, {MC_SEEDS} seeds")
    right.set_xlim(0, MC_DEPTH)
    right.set_ylim(0.0, 1.05)
    right.set_xlabel("layer $l$")
    right.set_ylabel(r"correlation $c^l$ of two inputs (dimensionless)")
    right.set_title(rf"two inputs, $c^0 = {MC_C0}$", fontsize=10)
    right.legend(loc="lower left", fontsize=7.5)


@figure("signal-phase-diagram", size=(6.4, 4.2))
def draw_phase_diagram(fig, theme) -> None:
    """chi_1 over (sigma_w^2, sigma_b^2) for tanh, with the edge of chaos chi_1 = 1."""
    from matplotlib.colors import TwoSlopeNorm

    ax = fig.add_subplot()
    data = phase_diagram()
    log_chi = np.log10(data["chi_1"])
    norm = TwoSlopeNorm(vmin=float(log_chi.min()), vcenter=0.0, vmax=float(log_chi.max()))
    mesh = ax.pcolormesh(GRID_SW2, GRID_SB2, log_chi, cmap="PuOr_r", norm=norm, shading="gouraud", rasterized=True)
    bar = fig.colorbar(mesh, ax=ax)
    bar.set_label(r"$\log_{10} \chi_1$ (dimensionless)")
    q = np.geomspace(1e-4, 3.0, 400)
    line_sw, line_sb = critical_line(q)
    # Vermillion on the map's white band (chi_1 = 1) and on either page background (>= 3:1 on both).
    edge = "#D55E00"
    ax.plot(line_sw, line_sb, color=edge, linewidth=2.5, label=r"edge of chaos, $\chi_1 = 1$")
    sw, _ = critical()
    ax.plot([sw], [SIGMA_B2], marker="o", color=edge, markeredgecolor=theme["fg"], markeredgewidth=1.2,
            markersize=8, linestyle="none", label=rf"$\sigma_b^2 = {SIGMA_B2}$: $\sigma_w^2 = {sw:.3f}$")
    # The two phases are named at the ends of the colour bar, on the page's background.
    bar.ax.text(0.5, -0.03, "ordered\n" r"$\chi_1 < 1$", transform=bar.ax.transAxes, ha="center", va="top",
                fontsize=9, color=theme["fg"])
    bar.ax.text(0.5, 1.03, "chaotic\n" r"$\chi_1 > 1$", transform=bar.ax.transAxes, ha="center", va="bottom",
                fontsize=9, color=theme["fg"])
    ax.set_xlim(GRID_SW2[0], GRID_SW2[-1])
    ax.set_ylim(GRID_SB2[0], GRID_SB2[-1])
    ax.grid(False)
    ax.set_xlabel(r"weight variance $\sigma_w^2$ (dimensionless)")
    ax.set_ylabel(r"bias variance $\sigma_b^2$ (dimensionless)")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=2, fontsize=8.5, frameon=False)


@figure("signal-depth-scales", size=(6.4, 3.6))
def draw_depth_scales(fig, theme) -> None:
    """xi_q and xi_c against sigma_w^2 at sigma_b^2 = 0.05, log y, with the critical point marked."""
    ax = fig.add_subplot()
    data = phase_diagram()
    c = theme["cycle"]
    ax.plot(GRID_SW2, data["xi_c"], color=c[0], label=r"$\xi_c$ (correlations, and gradients)")
    ax.plot(GRID_SW2, data["xi_q"], color=c[1], linestyle=(0, (5, 2)), label=r"$\xi_q$ (variances)")
    sw, _ = critical()
    ax.axvline(sw, color=theme["muted"], linewidth=1.0, linestyle=(0, (2, 2)))
    ax.text(sw + 0.05, 300, rf"$\chi_1 = 1$ at $\sigma_w^2 = {sw:.2f}$", color=theme["fg"], fontsize=9)
    ax.set_yscale("log")
    ax.set_ylim(0.5, 2000)
    ax.set_xlim(GRID_SW2[0], GRID_SW2[-1])
    ax.set_xlabel(rf"weight variance $\sigma_w^2$ ($\sigma_b^2 = {SIGMA_B2}$, dimensionless)")
    ax.set_ylabel("depth scale (layers)")
    ax.legend(loc="upper right", fontsize=9)


@figure("signal-trainability", size=(6.4, 4.0))
def draw_trainability(fig, theme) -> None:
    """Training accuracy on digits over (sigma_w^2, depth), with 6 xi_c overlaid."""
    ax = fig.add_subplot()
    acc = 100 * trainability()["accuracy"]
    step = TRAIN_SW2[1] - TRAIN_SW2[0]
    sw_edges = np.concatenate([TRAIN_SW2 - step / 2, [TRAIN_SW2[-1] + step / 2]])
    d = np.array(TRAIN_DEPTHS, dtype=float)
    d_edges = np.concatenate([[d[0] - 2], (d[1:] + d[:-1]) / 2, [d[-1] + 4]])
    mesh = ax.pcolormesh(sw_edges, d_edges, acc, cmap="cividis", vmin=0, vmax=100, rasterized=True)
    bar = fig.colorbar(mesh, ax=ax)
    bar.set_label(f"training accuracy after {train_steps()} steps (%)")
    xi_c = phase_diagram()["xi_c"]
    # Vermillion reads on the colour map and on either page background; the accuracies of the
    # cells are in the table under the figure (text inside the map could not read on both).
    ax.plot(GRID_SW2, 6 * xi_c, color="#D55E00", linewidth=2.5,
            label=r"$6\,\xi_c$ from the mean field (Schoenholz et al.'s envelope)")
    ax.text(2.45, 44, f"no networks deeper\nthan {max(TRAIN_DEPTHS)} were trained", ha="center", va="center",
            fontsize=8.5, color=theme["muted"])
    ax.set_xlim(sw_edges[0], sw_edges[-1])
    ax.set_ylim(d_edges[0], 52)
    ax.set_yticks([*TRAIN_DEPTHS, 48])
    ax.grid(False)
    ax.set_xlabel(rf"weight variance $\sigma_w^2$ ($\sigma_b^2 = {SIGMA_B2}$, dimensionless)")
    ax.set_ylabel("hidden layers $L$")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), fontsize=8.5, frameon=False)


@figure("signal-jacobian-spectra", size=(7.2, 3.8))
def draw_jacobian_spectra(fig, theme) -> None:
    """Sorted log10 singular values of the input-output Jacobian for six networks."""
    left, right = fig.subplots(1, 2, sharey=True)
    c = theme["cycle"]
    rank = lambda s: np.arange(1, s.size + 1) / s.size  # noqa: E731
    tanh = (("tanh-gaussian-critical", c[1], "-", rf"Gaussian, $q^* = {critical()[1]:.2f}$"),
            ("tanh-gaussian-small", c[1], (0, (4, 2)), r"Gaussian, $q^* = 1/64$"),
            ("tanh-orthogonal-critical", c[0], "-", rf"orthogonal, $q^* = {critical()[1]:.2f}$"),
            ("tanh-orthogonal-small", c[0], (0, (4, 2)), r"orthogonal, $q^* = 1/64$"))
    for name, colour, style, label in tanh:
        s = spectrum(name)
        left.plot(rank(s), s, color=colour, linestyle=style, label=label)
    relu = (("relu-gaussian", c[2], "-", "Gaussian (He)"), ("relu-orthogonal", c[3], (0, (4, 2)), "orthogonal"))
    for name, colour, style, label in relu:
        s = spectrum(name)
        finite = np.isfinite(s)
        right.plot(rank(s)[finite], s[finite], color=colour, linestyle=style,
                   label=f"{label}: {zeros(name)} of {JAC_WIDTH} exactly 0")
    titles = (r"tanh on the edge of chaos, $\chi_1 = 1$", r"ReLU, $\sigma_w^2 = 2$, $\sigma_b^2 = 0$")
    for ax, title in zip((left, right), titles, strict=True):
        ax.axhline(0.0, color=theme["muted"], linewidth=0.8, linestyle=(0, (1, 2)))
        ax.axvline(0.5, color=theme["muted"], linewidth=0.8, linestyle=(0, (1, 2)))
        ax.text(0.51, 3.0, "median", color=theme["muted"], fontsize=8, va="bottom")
        ax.set_title(title, fontsize=10)
        ax.set_xlim(0, 1)
        ax.set_xlabel("rank / width (largest first)")
    left.set_ylim(-200, 10)
    left.set_ylabel(r"$\log_{10}$ singular value of $J$ (dimensionless)")
    left.legend(loc="lower left", fontsize=7.5)
    right.legend(loc="lower left", fontsize=7.5)


@figure("signal-residual-growth", size=(6.4, 3.8))
def draw_residual_growth(fig, theme) -> None:
    """log10 ||x_L|| / ||x_0|| against depth for four residual scalings: simulation and closed form."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    runs = residual_growth_runs()
    depths = np.array(RES_DEPTHS)
    fine = np.unique(np.logspace(1, 3, 60).astype(int))
    styles = {"plain": (c[1], "o", "plain, He in both layers, $g = 2$"),
              "rezero": (c[3], "s", rf"ReZero-style, fixed $\alpha = {REZERO_ALPHA}$, $g = 2\alpha^2$"),
              "fixup_scale": (c[0], "^", r"Fixup's $L^{-1/2}$ scale only, $g = 2/L$"),
              "fixup": (c[2], "D", r"Fixup (last layer 0) or ReZero $\alpha = 0$, $g = 0$")}
    for key, (colour, marker, label) in styles.items():
        sim = runs[key]
        ax.plot(fine, [closed_growth(key, int(L)) for L in fine], color=colour, linewidth=1.2)
        ax.errorbar(depths, np.median(sim, axis=1), yerr=np.std(sim, axis=1), color=colour, marker=marker,
                    markersize=5, linestyle="none", capsize=2, label=label)
    ax.plot([], [], color=theme["muted"], label=r"closed form $\frac{L}{2}\log_{10}(1+g)$")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=0.01, linscale=0.4)
    ax.set_ylim(-0.004, 2000)
    ax.set_yticks([0, 0.01, 0.1, 1, 10, 100, 1000], ["0", "0.01", "0.1", "1", "10", "100", "1000"])
    ax.set_xlabel("residual blocks $L$ (log scale)")
    ax.set_ylabel(r"$\log_{10} \|x_L\| / \|x_0\|$ (symlog scale)")
    ax.legend(loc="upper left", fontsize=7.5)


@figure("signal-ln-gradients", size=(7.2, 3.6))
def draw_ln_gradients(fig, theme) -> None:
    """Left: per-block gradient norms at one depth, post-LN and pre-LN. Right: last block's gradient against depth."""
    left, right = fig.subplots(1, 2)
    c = theme["cycle"]
    data = ln_gradients()
    blocks = np.arange(1, LN_PROFILE_DEPTH + 1)
    left.plot(blocks, data[f"post/{LN_PROFILE_DEPTH}"], color=c[1], label="post-LN")
    left.plot(blocks, data[f"pre/{LN_PROFILE_DEPTH}"], color=c[0], linestyle=(0, (5, 2)), label="pre-LN")
    left.set_yscale("log")
    left.set_ylim(0.5, 10)
    left.set_yticks([0.5, 1, 2, 5, 10], ["0.5", "1", "2", "5", "10"])
    left.minorticks_off()
    left.set_xlabel("block $l$ (from the input)")
    left.set_ylabel(r"$\|\partial \ell / \partial W_2^{(l)}\|_F$ (dimensionless)")
    left.set_title(f"{LN_PROFILE_DEPTH} blocks at initialisation", fontsize=10)
    left.legend(loc="upper right", fontsize=8, ncol=2)
    depths = np.array(LN_DEPTHS, dtype=float)
    post, pre = ln_last("post"), ln_last("pre")
    right.plot(depths, post, color=c[1], marker="o", label="post-LN, last block")
    right.plot(depths, pre, color=c[0], marker="s", linestyle=(0, (5, 2)), label="pre-LN, last block")
    right.plot(depths, post / pre, color=c[2], marker="^", label="ratio post / pre")
    right.plot(depths, (post / pre)[0] * np.sqrt(depths / depths[0]), color=theme["muted"], linestyle=(0, (2, 2)),
               label=r"$\propto \sqrt{L}$")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xticks(LN_DEPTHS, [str(d) for d in LN_DEPTHS])
    right.set_ylim(0.5, 40)
    right.set_yticks([0.5, 1, 2, 5, 10, 20], ["0.5", "1", "2", "5", "10", "20"])
    right.minorticks_off()
    right.set_xlabel("blocks $L$ (log scale)")
    right.set_ylabel("gradient norm, or ratio (dimensionless)")
    right.set_title("the last block against depth", fontsize=10)
    right.legend(loc="upper left", fontsize=7.5)
