# What the page "Playground" shows: its starting configuration, the runs its prose quotes, and its fallback figure.
"""The numbers and the figure of ``docs/playground.md``.

The page's script trains in the reader's browser; everything here is computed at build time by
:func:`vgdocs.playground.train`, the same arithmetic, for the configurations the page's text
talks about. ``DEFAULT`` is the configuration the panel starts from; the script carries the same
values (a test checks that they agree).
"""

from __future__ import annotations

import math

import numpy as np

from vgdocs import playground as pg
from vgsite import experiment, figure, number

DEFAULT = pg.Config(dataset="moons", depth=10, width=16, activation="sigmoid", init="glorot", residual=False,
                    lr=0.3, seed=1)
"""The panel's starting configuration (and ``DEFAULTS`` in docs/javascripts/playground.js)."""
STEPS = 360
"""Training steps of every run quoted on the page: thirty passes over the data."""
GRID = 60
"""Points per side of the decision-region grid in the fallback figure."""
VIEW = 2.0
"""The figure and the panel show the plane from -2 to 2 in both directions."""

RECIPES = {
    "sigmoid": DEFAULT,
    "tanh": pg.Config(**{**DEFAULT.__dict__, "activation": "tanh"}),
    "relu": pg.Config(**{**DEFAULT.__dict__, "activation": "relu", "init": "he", "lr": 0.1}),
    "residual": pg.Config(**{**DEFAULT.__dict__, "residual": True}),
    "shallow": pg.Config(**{**DEFAULT.__dict__, "depth": 2}),
    "explode": pg.Config(**{**DEFAULT.__dict__, "activation": "relu", "init": "he", "residual": True, "lr": 0.03}),
}
"""The runs the page's text quotes: the default, and one change each."""


def _run(recipe: str) -> dict[str, np.ndarray]:
    config = RECIPES[recipe]
    run = pg.train(config, STEPS)
    out = {"loss": run.loss, "accuracy": run.accuracy, "grad_norm": run.grad_norm,
           "update_ratio": run.update_ratio, "diverged_at": -1 if run.diverged_at is None else run.diverged_at}
    if recipe == "sigmoid":
        centres = -VIEW + (np.arange(GRID) + 0.5) * (2 * VIEW / GRID)
        gx, gy = np.meshgrid(centres, centres[::-1])
        out["regions"] = pg.predict(run, config, np.column_stack([gx.ravel(), gy.ravel()])).reshape(GRID, GRID, -1)
        x, y = pg.dataset(config.dataset, config.seed)
        out["x"], out["y"] = x, y
    return out


RUNS = {r: experiment(f"play-{r}")(lambda r=r: _run(r)) for r in RECIPES}


def run(recipe: str) -> dict[str, np.ndarray]:
    """The recorded run of one recipe (``RUNS``), computed once per version of the code."""
    return RUNS[recipe]()


def _grad(recipe: str, layer: int, step: int = 0) -> float:
    return float(run(recipe)["grad_norm"][step, layer])


# ---------------------------------------------------------------------------- numbers

number("play_points", ".0f")(lambda: pg.N_POINTS)
number("play_batch", ".0f")(lambda: pg.BATCH)
number("play_batches", ".0f")(lambda: pg.N_POINTS // pg.BATCH)
number("play_depth", ".0f")(lambda: DEFAULT.depth)
number("play_width", ".0f")(lambda: DEFAULT.width)
number("play_lr", ".1f")(lambda: DEFAULT.lr)
number("play_seed", ".0f")(lambda: DEFAULT.seed)
number("play_steps", ".0f")(lambda: STEPS)
number("play_epochs", ".0f")(lambda: STEPS * pg.BATCH / pg.N_POINTS)
number("play_depth_max", ".0f")(lambda: pg.DEPTH_RANGE[1])
number("play_width_max", ".0f")(lambda: pg.WIDTH_RANGE[1])
number("play_ln2", ".3f")(lambda: math.log(2))
for _r in ("sigmoid", "tanh", "relu", "residual", "shallow"):
    number(f"play_{_r}_g1", ".1e")(lambda r=_r: _grad(r, 0))
    number(f"play_{_r}_gout", ".1e")(lambda r=_r: _grad(r, -1))
    number(f"play_{_r}_loss_end", ".3f")(lambda r=_r: float(np.mean(run(r)["loss"][-pg.N_POINTS // pg.BATCH:])))
    number(f"play_{_r}_acc_end", ".0f")(lambda r=_r: 100 * float(run(r)["accuracy"][-1]))
number("play_sigmoid_span", ".1e")(lambda: _grad("sigmoid", -1) / _grad("sigmoid", 0))
number("play_sigmoid_ratio1", ".1e")(lambda: float(run("sigmoid")["update_ratio"][1, 0]))
number("play_sigmoid_ratio_last", ".1e")(lambda: float(run("sigmoid")["update_ratio"][1, DEFAULT.depth - 1]))
number("play_relu_ratio1", ".1e")(lambda: float(run("relu")["update_ratio"][1, 0]))
number("play_relu_ratio_last", ".1e")(lambda: float(run("relu")["update_ratio"][1, DEFAULT.depth - 1]))
number("play_sigmoid_ratio_span", ".1e")(
    lambda: float(run("sigmoid")["update_ratio"][1, DEFAULT.depth - 1] / run("sigmoid")["update_ratio"][1, 0]))
number("play_relu_ratio_span", ".0f")(
    lambda: float(run("relu")["update_ratio"][1, DEFAULT.depth - 1] / run("relu")["update_ratio"][1, 0]))
number("play_sigmoid_gmax_end", ".1e")(lambda: float(np.max(run("sigmoid")["grad_norm"][-1])))
number("play_relu_lr", ".1f")(lambda: RECIPES["relu"].lr)
number("play_explode_lr", ".2f")(lambda: RECIPES["explode"].lr)
number("play_explode_loss0", ".0f")(lambda: float(run("explode")["loss"][0]))
number("play_explode_g1", ".0f")(lambda: _grad("explode", 0))
number("play_explode_step", ".0f")(lambda: float(run("explode")["diverged_at"]))
number("play_shallow_depth", ".0f")(lambda: RECIPES["shallow"].depth)
for _r in ("tanh", "relu"):
    number(f"play_{_r}_grad_end_max_pct", ".0f")(
        lambda r=_r: 100 * float(np.max(run(r)["grad_norm"][-1] / run(r)["grad_norm"][0])))
number("play_shallow_g1_growth", ".1f")(lambda: _grad("shallow", 0, -1) / _grad("shallow", 0))
number("play_sigmoid_g1_end", ".1e")(lambda: _grad("sigmoid", 0, -1))


# ---------------------------------------------------------------------------- the fallback figure


@figure("play-default", size=(7.4, 3.5))
def draw_default(fig, theme) -> None:
    """The starting configuration after the page's run: decision regions, loss per step, gradient per layer."""
    from matplotlib.colors import to_rgb

    r = run("sigmoid")
    left, mid, right = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.05, 1, 1]})
    colours = [theme["cycle"][0], theme["cycle"][1], theme["cycle"][2]]
    regions, bg = r["regions"], np.array(to_rgb(theme["bg"]))
    best = regions.argmax(axis=-1)
    conf = (regions.max(axis=-1) - 1 / regions.shape[-1]) / (1 - 1 / regions.shape[-1])
    alpha = (0.15 + 0.45 * conf)[..., None]
    left.imshow(bg + alpha * (np.array([to_rgb(c) for c in colours])[best] - bg),
                extent=(-VIEW, VIEW, -VIEW, VIEW), interpolation="bilinear")
    x, y = r["x"], r["y"]
    for c in range(int(y.max()) + 1):
        left.scatter(x[y == c, 0], x[y == c, 1], s=8, color=colours[c], edgecolors=theme["fg"], linewidths=0.4,
                     label=f"class {c}")
    left.set_xlim(-VIEW, VIEW)
    left.set_ylim(-VIEW, VIEW)
    left.grid(False)
    left.set_xlabel("$x_1$ (dimensionless)")
    left.set_ylabel("$x_2$ (dimensionless)")
    left.legend(loc="lower left", fontsize=8, handletextpad=0.1, borderpad=0.2)
    left.set_title(f"classes after {STEPS} steps", fontsize=9.5)

    loss = r["loss"]
    steps = np.arange(len(loss))
    window = pg.N_POINTS // pg.BATCH
    mean = np.convolve(loss, np.ones(window) / window, mode="valid")
    mid.plot(steps, loss, color=theme["muted"], linewidth=0.7, label="mini-batch")
    mid.plot(steps[window - 1:], mean, color=theme["cycle"][0], linewidth=2, label="mean over a pass")
    mid.axhline(math.log(2), color=theme["cycle"][1], linestyle=(0, (4, 3)), linewidth=1.2, label=r"$\ln 2$")
    mid.set_ylim(0, 1.1 * float(loss.max()))
    mid.set_xlabel("training step")
    mid.set_ylabel("cross-entropy (nats)")
    mid.legend(loc="lower right", fontsize=8)
    mid.set_title("loss", fontsize=9.5)

    layers = np.arange(1, DEFAULT.depth + 2)
    for row, colour, marker, label in ((0, theme["cycle"][0], "o", "step 0"),
                                       (-1, theme["cycle"][1], "s", f"step {STEPS}")):
        right.plot(layers, r["grad_norm"][row], color=colour, marker=marker, markersize=4, label=label)
    right.set_yscale("log")
    ticks = layers[::2]
    right.set_xticks(ticks, [str(k) if k <= DEFAULT.depth else "out" for k in ticks])
    right.set_xlabel("layer $k$, from the input")
    right.set_ylabel(r"$\Vert\partial L/\partial W_k\Vert$ (dimensionless)")
    right.legend(loc="upper left", fontsize=8)
    right.set_title("gradient per layer", fontsize=9.5)
