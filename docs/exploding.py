# What the page "Exploding gradients" shows: its experiment's settings, the numbers it quotes, its figures.
"""The numbers and figures of ``docs/exploding.md``, computed with :mod:`vgdocs.exploding`."""

from __future__ import annotations

import functools
import math

import numpy as np

from vgdocs.activations import SIGMOID_PRIME_MAX, sigmoid_prime
from vgdocs.exploding import (
    EULER_GAMMA,
    Trajectory,
    angle_degrees,
    clip_by_norm,
    clip_by_value,
    digamma_half_integer,
    first_step_above,
    gaussian_lyapunov_exponent,
    lyapunov_estimate,
    plain_recurrence,
    random_product_log_norms,
    recurrence_jacobian_norms,
    sigmoid_fixed_point,
)
from vgsite import experiment, figure, number

W_DEMO = np.array([[1.0, 4.0], [4.0, 1.0]])
H0_DEMO = np.array([1.0, 1.0])
T_DEMO = 10
T_PLOT = 20
PROD_D = 4
PROD_T = 100
PROD_SEEDS = (0, 1, 2, 3, 4)
LYAP_T = 2000
LYAP_CHAINS = 100
LYAP_SEED = 0
G_DEMO = np.array([4.0, 1.0])
THETA_DEMO = 1.0


def _traj(activation: str, T: int = T_DEMO) -> Trajectory:
    return plain_recurrence(W_DEMO, H0_DEMO, T, activation)


def _jac(activation: str, T: int = T_DEMO) -> np.ndarray:
    return recurrence_jacobian_norms(_traj(activation, T), W_DEMO)


@functools.cache
def _product_norms(variance: float = 1.0) -> np.ndarray:
    return np.array([random_product_log_norms(PROD_D, PROD_T, s, variance)[-1] for s in PROD_SEEDS]) / math.log(10)


@functools.cache
def _lyap() -> tuple[float, float]:
    return lyapunov_estimate(PROD_D, LYAP_T, LYAP_CHAINS, LYAP_SEED)


_EIG = np.linalg.eigvalsh(W_DEMO)  # ascending

number("explode_eig_max", ".0f")(lambda: float(_EIG[-1]))
number("explode_eig_min", ".0f")(lambda: float(_EIG[0]))
number("explode_T", ".0f")(lambda: T_DEMO)
number("explode_relu_h10", ",.0f")(lambda: float(_traj("relu").h[-1, 0]))
number("explode_relu_jac10", ",.0f")(lambda: float(_jac("relu")[-1]))
number("explode_sigmoid_h10", ".4f")(lambda: float(_traj("sigmoid").h[-1, 0]))
number("explode_sigmoid_fixed", ".4f")(lambda: sigmoid_fixed_point(float(_EIG[-1])))
number("explode_sigmoid_slope", ".4f")(lambda: sigmoid_prime(_EIG[-1] * sigmoid_fixed_point(float(_EIG[-1]))))
number("explode_sigmoid_factor", ".4f")(
    lambda: _EIG[-1] * sigmoid_prime(_EIG[-1] * sigmoid_fixed_point(float(_EIG[-1]))))
number("explode_sigmoid_jac10", ".1e")(lambda: float(_jac("sigmoid")[-1]))
number("explode_sigmoid_threshold", ".0f")(lambda: 1.0 / SIGMOID_PRIME_MAX)
number("explode_T_plot", ".0f")(lambda: T_PLOT)
number("explode_relu_jac20", ".1e")(lambda: float(_jac("relu", T_PLOT)[-1]))
number("explode_sigmoid_jac20", ".1e")(lambda: float(_jac("sigmoid", T_PLOT)[-1]))
number("explode_prod_d", ".0f")(lambda: PROD_D)
number("explode_prod_T", ".0f")(lambda: PROD_T)
number("explode_prod_seeds", ".0f")(lambda: len(PROD_SEEDS))
number("explode_prod_min", ".1e")(lambda: 10 ** float(_product_norms().min()))
number("explode_prod_max", ".1e")(lambda: 10 ** float(_product_norms().max()))
number("explode_prod_expected", ".1e")(lambda: math.exp(PROD_T * gaussian_lyapunov_exponent(PROD_D)))
number("explode_ln2", ".4f")(lambda: math.log(2.0))
number("explode_euler", ".4f")(lambda: EULER_GAMMA)
number("explode_psi2", ".4f")(lambda: digamma_half_integer(2))
number("explode_lyap", ".3f")(lambda: gaussian_lyapunov_exponent(PROD_D))
# The same products at the critical scale Var = 1/d, which keeps E||G u||^2 = ||u||^2.
number("explode_lyap_crit", ".3f")(lambda: gaussian_lyapunov_exponent(PROD_D, 1.0 / PROD_D))
number("explode_prod_crit_expected", ".1e")(lambda: math.exp(PROD_T * gaussian_lyapunov_exponent(PROD_D, 1.0 / PROD_D)))
number("explode_prod_crit_min", ".1e")(lambda: 10 ** float(_product_norms(1.0 / PROD_D).min()))
number("explode_prod_crit_max", ".1e")(lambda: 10 ** float(_product_norms(1.0 / PROD_D).max()))
number("explode_lyap_scale_part", ".3f")(lambda: 0.5 * math.log(PROD_D))
number("explode_lyap_growth", ".2f")(lambda: math.exp(gaussian_lyapunov_exponent(PROD_D)))
number("explode_lyap_T", ",.0f")(lambda: LYAP_T)
number("explode_lyap_chains", ".0f")(lambda: LYAP_CHAINS)
number("explode_lyap_sim", ".3f")(lambda: _lyap()[0])
number("explode_lyap_se", ".3f")(lambda: _lyap()[1])
number("explode_theta", ".0f")(lambda: THETA_DEMO)
number("explode_g1", ".0f")(lambda: G_DEMO[0])
number("explode_g2", ".0f")(lambda: G_DEMO[1])
number("explode_g_norm", ".3f")(lambda: float(np.linalg.norm(G_DEMO)))
number("explode_norm_clip1", ".3f")(lambda: clip_by_norm(G_DEMO, THETA_DEMO)[0])
number("explode_norm_clip2", ".3f")(lambda: clip_by_norm(G_DEMO, THETA_DEMO)[1])
number("explode_value_clip1", ".0f")(lambda: clip_by_value(G_DEMO, THETA_DEMO)[0])
number("explode_value_clip2", ".0f")(lambda: clip_by_value(G_DEMO, THETA_DEMO)[1])
number("explode_angle", ".1f")(lambda: angle_degrees(G_DEMO, clip_by_value(G_DEMO, THETA_DEMO)))
number("explode_angle_norm", ".1f")(lambda: angle_degrees(G_DEMO, clip_by_norm(G_DEMO, THETA_DEMO)))
number("explode_vanish_clipped", ".1e")(
    lambda: float(np.linalg.norm(clip_by_norm(np.array([_jac("sigmoid")[-1], 0.0]), THETA_DEMO))))

# Exercises.
EX_G = np.array([3.0, 4.0])
EX_THETA = 2.5
EX_LYAP_T = 100


number("explode_ex_f32_max", ".1e")(lambda: float(np.finfo(np.float32).max))
number("explode_ex_f32_t", ".0f")(lambda: first_step_above(float(_EIG[-1]), float(np.finfo(np.float32).max)))
number("explode_ex_f64_t", ".0f")(lambda: first_step_above(float(_EIG[-1]), float(np.finfo(np.float64).max)))
number("explode_ex_lyap1", ".3f")(lambda: gaussian_lyapunov_exponent(1))
number("explode_ex_lyap2", ".3f")(lambda: gaussian_lyapunov_exponent(2))
number("explode_ex_lyap3", ".3f")(lambda: gaussian_lyapunov_exponent(3))
number("explode_ex_lyap1_100", ".1e")(lambda: math.exp(EX_LYAP_T * gaussian_lyapunov_exponent(1)))
number("explode_ex_g1", ".0f")(lambda: EX_G[0])
number("explode_ex_g2", ".0f")(lambda: EX_G[1])
number("explode_ex_g_norm", ".0f")(lambda: float(np.linalg.norm(EX_G)))
number("explode_ex_lyap_T", ".0f")(lambda: EX_LYAP_T)
number("explode_ex_theta", ".1f")(lambda: EX_THETA)
number("explode_ex_norm1", ".1f")(lambda: clip_by_norm(EX_G, EX_THETA)[0])
number("explode_ex_norm2", ".1f")(lambda: clip_by_norm(EX_G, EX_THETA)[1])
number("explode_ex_value1", ".1f")(lambda: clip_by_value(EX_G, EX_THETA)[0])
number("explode_ex_value2", ".1f")(lambda: clip_by_value(EX_G, EX_THETA)[1])
number("explode_ex_angle", ".2f")(lambda: angle_degrees(EX_G, clip_by_value(EX_G, EX_THETA)))
number("explode_ex_value_norm", ".3f")(lambda: float(np.linalg.norm(clip_by_value(EX_G, EX_THETA))))


# ---------------------------------------------------------------------------
# Figures.


@figure("explode-relu-vs-sigmoid", size=(6.4, 3.6))
def draw_relu_vs_sigmoid(fig, theme) -> None:
    """State norms and Jacobian norms of the ReLU and the sigmoid recurrence with the same W."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    t = np.arange(0, T_PLOT + 1)
    # Colour says which activation, marker and line style say which norm. The ReLU pair differ by
    # a constant factor (a fraction of a decade on this axis), so the Jacobian is drawn as open
    # squares around the state's dots and the factor is written beside them.
    for colour, act, name in ((c[1], "relu", "ReLU"), (c[0], "sigmoid", "sigmoid")):
        traj = _traj(act, T_PLOT)
        state = np.linalg.norm(traj.h, axis=1)
        jac = np.concatenate([[1.0], recurrence_jacobian_norms(traj, W_DEMO)])
        ax.plot(t, state, color=colour, marker="o", markersize=3.5, zorder=4,
                label=rf"{name}: state $\Vert h_t \Vert$")
        ax.plot(t, jac, color=colour, linestyle=(0, (4, 3)), linewidth=1.5, marker="s", markersize=7,
                markerfacecolor="none", markeredgewidth=1.2, zorder=3,
                label=rf"{name}: Jacobian $\Vert \partial h_t / \partial h_0 \Vert_2$")
        if act == "relu":
            ratio = state[-1] / jac[-1]
            ax.annotate(f"ReLU: state = {ratio:.2f} × Jacobian\nat every step, so the lines overlap",
                        (t[9], state[9]), xytext=(-6, 22), textcoords="offset points", ha="right",
                        va="bottom", fontsize=8.5, color=theme["fg"],
                        arrowprops={"arrowstyle": "-", "color": theme["muted"], "linewidth": 0.8})
    ax.axhline(1.0, color=theme["muted"], linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xlim(0, T_PLOT)
    ax.set_xticks(range(0, T_PLOT + 1, 5))
    ax.set_xlabel("time step $t$ (dimensionless)")
    ax.set_ylabel("norm (dimensionless)")
    ax.legend(loc="lower left", fontsize=9)


@figure("explode-random-products", size=(6.4, 3.8))
def draw_random_products(fig, theme) -> None:
    """Norms of products of random Gaussian 4x4 matrices at two entry variances, with the Lyapunov lines."""
    ax = fig.add_subplot()
    c = theme["cycle"]
    t = np.arange(1, PROD_T + 1)
    for variance, colour, name in ((1.0, c[0], "1"), (1.0 / PROD_D, c[1], f"1/{PROD_D}")):
        for i, seed in enumerate(PROD_SEEDS):
            ax.plot(t, np.exp(random_product_log_norms(PROD_D, PROD_T, seed, variance)), color=colour,
                    linewidth=1.2, label=f"entries of variance {name}, {len(PROD_SEEDS)} seeds" if i == 0 else None)
        lam = gaussian_lyapunov_exponent(PROD_D, variance)
        ax.plot(t, np.exp(lam * t), color=theme["fg"], linestyle=(0, (4, 3)), linewidth=1.4,
                label=rf"$e^{{\lambda_1 t}}$, $\lambda_1 = {lam:.3f}$")
    ax.axhline(1.0, color=theme["muted"], linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xlim(0, PROD_T)
    ax.set_xlabel("number of factors $t$ (dimensionless)")
    ax.set_ylabel(r"$\Vert G_t \cdots G_1 \Vert_2$ (dimensionless)")
    ax.legend(loc="upper left", fontsize=9)


@figure("explode-clipping", size=(6.4, 3.5))
def draw_clipping(fig, theme) -> None:
    """A 2-D gradient, its norm-clipped and value-clipped versions, the circle and the box of radius theta."""
    from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

    ax = fig.add_subplot()
    c = theme["cycle"]
    th = THETA_DEMO
    ax.add_patch(Circle((0, 0), th, fill=False, edgecolor=c[0], linestyle=(0, (4, 3)), linewidth=1.2,
                        label=r"$\Vert \hat g \Vert \leq \theta$ (norm clipping)"))
    ax.add_patch(Rectangle((-th, -th), 2 * th, 2 * th, fill=False, edgecolor=c[1], linestyle=(0, (1, 2)),
                           linewidth=1.4, label=r"$|\hat g_i| \leq \theta$ (value clipping)"))
    arrows = (
        (G_DEMO, theme["fg"], "gradient $g$"),
        (clip_by_norm(G_DEMO, th), c[0], "clipped by norm"),
        (clip_by_value(G_DEMO, th), c[1], "clipped by value"),
    )
    for vec, colour, label in arrows:
        ax.add_patch(FancyArrowPatch((0, 0), tuple(vec), arrowstyle="-|>", mutation_scale=14, color=colour,
                                     linewidth=2.0, label=label, shrinkA=0, shrinkB=0))
    turn = angle_degrees(G_DEMO, clip_by_value(G_DEMO, th))
    ax.annotate(f"value clipping turns the\ngradient by {turn:.0f}°", xy=(0.72, 0.72), xytext=(1.5, 1.15),
                color=theme["fg"], fontsize=9, arrowprops={"arrowstyle": "->", "color": theme["muted"]})
    ax.set_aspect("equal")
    ax.set_xlim(-1.4, 4.4)
    ax.set_ylim(-1.6, 1.6)
    ax.set_xlabel("gradient component $g_1$ (dimensionless)")
    ax.set_ylabel("component $g_2$ (dimensionless)")
    ax.legend(loc="lower right", fontsize=8.5)


# ---------------------------------------------------------------------------- clipping while training

CLIP_T = 50
CLIP_GAIN = 2.0
CLIP_LR = 0.1
CLIP_STEPS = 200
CLIP_THETA = 1.0


@experiment("explode-clipping-training")
def clipping_run() -> dict[str, np.ndarray]:
    """A tanh RNN whose recurrent matrix is twice an orthogonal one, trained by plain SGD with and without clipping."""
    from vgdocs.datasets import adding_problem
    from vgdocs.recurrence import scaled_orthogonal
    from vgdocs.sequence_training import init_sequence_model, train_sequence_model

    H, B = 16, 16
    W_hh = scaled_orthogonal(H, CLIP_GAIN, 0).astype(np.float32)
    test_x, test_y = adding_problem(CLIP_T, 256, np.random.default_rng([CLIP_T, 999]), centre=True)
    test = (test_x[:, None].astype(np.float32), test_y[None].astype(np.float32))
    runs = []
    for clip in (None, CLIP_THETA):  # the same start and the same batches, with and without clipping
        model = init_sequence_model("tanh", 2, H, [CLIP_T], np.random.default_rng([0, 17]))
        model.weights[0][:, :, 2:] = W_hh
        stream = np.random.default_rng([0, CLIP_T, 1])

        def batch(_: int, stream=stream) -> tuple[np.ndarray, np.ndarray]:
            x, y = adding_problem(CLIP_T, B, stream, centre=True)
            return x[:, None].astype(np.float32), y[None].astype(np.float32)

        runs.append(train_sequence_model(model, batch, updates=CLIP_STEPS, lr=CLIP_LR, clip=clip, optimiser="sgd",
                                         test=test, test_every=CLIP_STEPS))
    baseline = 2.0 / 12.0  # predicting the mean: Var(u1 + u2) for two independent U[0, 1] values
    return {"loss_free": runs[0].train_loss[:, 0] / baseline, "loss_clipped": runs[1].train_loss[:, 0] / baseline,
            "norm_free": runs[0].grad_norm[:, 0], "norm_clipped": runs[1].grad_norm[:, 0],
            "stopped_free": runs[0].stopped_at[0], "stopped_clipped": runs[1].stopped_at[0]}


number("explode_train_T", ".0f")(lambda: CLIP_T)
number("explode_train_gain", ".0f")(lambda: CLIP_GAIN)
number("explode_train_lr", ".1f")(lambda: CLIP_LR)
number("explode_train_steps", ".0f")(lambda: CLIP_STEPS)
number("explode_train_theta", ".0f")(lambda: CLIP_THETA)
number("explode_train_stop", ".0f")(lambda: float(clipping_run()["stopped_free"]))
number("explode_train_max_loss_free", ".0e")(lambda: float(np.nanmax(clipping_run()["loss_free"])))
number("explode_train_max_norm_clipped", ".0e")(lambda: float(np.nanmax(clipping_run()["norm_clipped"])))
number("explode_train_first_norm", ".0f")(lambda: float(clipping_run()["norm_free"][0]))
number("explode_train_first_step", ".0f")(lambda: CLIP_LR * float(clipping_run()["norm_free"][0]))
number("explode_train_second_step", ".1f")(lambda: CLIP_LR * float(clipping_run()["norm_free"][1]))
number("explode_train_step_back", ".0f")(
    # Step numbers count from 1, as on the figure's axis: the gradient of index i is step i + 1's.
    lambda: float(2 + np.argmax(clipping_run()["norm_free"][1:] > clipping_run()["norm_free"][0])))
number("explode_train_max_step", ".1f")(lambda: CLIP_LR * CLIP_THETA)
number("explode_train_norm_growth", ".1f")(
    lambda: float((clipping_run()["norm_free"][40] / clipping_run()["norm_free"][10]) ** (1 / 30)))
number("explode_train_growth", ".1f")(
    lambda: float((clipping_run()["loss_free"][40] / clipping_run()["loss_free"][10]) ** (1 / 30)))
number("explode_train_median_norm_clipped", ".1f")(lambda: float(np.nanmedian(clipping_run()["norm_clipped"][-100:])))
number("explode_train_first_clipped", ".1f")(lambda: float(np.mean(clipping_run()["loss_clipped"][:10])))
number("explode_train_last_clipped", ".2f")(lambda: float(np.mean(clipping_run()["loss_clipped"][-20:])))


@figure("explode-training", size=(7.2, 3.6))
def draw_clipping_training(fig, theme) -> None:
    """A tanh RNN with recurrent gain two under plain SGD, with and without clipping: loss, and gradient norm."""
    from matplotlib.ticker import LogLocator

    left, right = fig.subplots(1, 2)
    c = theme["cycle"]
    run = clipping_run()
    steps = np.arange(1, CLIP_STEPS + 1)
    stop = int(run["stopped_free"])
    for ax, key, label in ((left, "loss", "training error / baseline (dimensionless)"),
                           (right, "norm", r"gradient norm before clipping, $\Vert g \Vert$")):
        ax.plot(steps, run[f"{key}_free"], color=c[1], linewidth=1.6, label="no clipping")
        ax.plot(steps, run[f"{key}_clipped"], color=c[0], linewidth=1.2, label=rf"clipped at $\theta = {CLIP_THETA:g}$")
        if stop >= 0:
            ax.axvline(stop + 1, color=c[1], linestyle=":", linewidth=1.0)
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0,), numticks=6))
        ax.set_xlim(0, CLIP_STEPS)
        ax.set_xlabel("training step (plain gradient descent)")
        ax.set_ylabel(label)
    if stop >= 0:
        left.text(stop + 6, np.sqrt(np.nanmax(run["loss_free"])), "not finite\nfrom here on", color=theme["fg"],
                  fontsize=9, va="center")
    left.axhline(1.0, color=theme["muted"], linestyle=(0, (4, 3)), linewidth=1.0)
    right.axhline(CLIP_THETA, color=theme["muted"], linestyle=(0, (4, 3)), linewidth=1.0)
    right.text(CLIP_STEPS - 4, CLIP_THETA * 0.25, r"$\theta$", color=theme["muted"], fontsize=9, ha="right", va="top")
    left.legend(loc="upper right", fontsize=8.5)
