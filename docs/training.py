# What the page "Training deep networks" shows: networks trained on digits at build time, and what they record.
"""The experiments, numbers and figures of ``docs/training.md``.

Every network is trained with :func:`vgdocs.training.train` on scikit-learn's digits
(:func:`vgdocs.datasets.digits`), in single precision, from seeds fixed here. The three runs
are experiments (``vgsite.experiment``): computed once per version of the code, in a worker of
the build, and shared by the numbers and the figures.
"""

from __future__ import annotations

import math

import numpy as np

from vgdocs.datasets import Split, digits
from vgdocs.training import MLP, SGD, ResidualMLP, init_mlp, init_residual_mlp, sigmoid_cross_entropy, train
from vgsite import experiment, figure, number

F32 = np.float32
WIDTH = 32
"""Units in every hidden layer."""
BATCH = 32
EPOCHS = 15
SEED = 0
DEPTHS = (1, 2, 3, 4, 6, 8, 10, 15)
"""Hidden layers (residual blocks for the residual recipe)."""
DYNAMICS_DEPTH = 6
RECIPES = ("sigmoid", "sigmoid4", "tanh", "relu", "residual")
LABELS = {
    "sigmoid": "sigmoid, Glorot uniform",
    "sigmoid4": "sigmoid, 4 × Glorot range",
    "tanh": "tanh, Glorot uniform",
    "relu": "ReLU, He normal",
    "residual": "residual ReLU blocks",
}
LEARNING_RATES = {"sigmoid": 2.0, "sigmoid4": 1.0, "tanh": 0.2, "relu": 0.1, "residual": 0.05}
"""One learning rate per recipe, the same at every depth (fixed before these runs; no selection code here)."""


def data() -> Split:
    """The digits, split 1437 / 360, in single precision."""
    return digits().astype(F32)


def network(recipe: str, depth: int, seed: int = SEED) -> MLP | ResidualMLP:
    """A fresh network of one recipe: 64 inputs, ``depth`` hidden layers of 32 units, 10 scores."""
    rng = np.random.default_rng([seed, depth, RECIPES.index(recipe)])
    if recipe == "residual":
        return init_residual_mlp(64, WIDTH, depth, 10, "relu", rng, dtype=F32)
    sizes = [64, *[WIDTH] * depth, 10]
    activation, init = {"sigmoid": ("sigmoid", "glorot_uniform"), "sigmoid4": ("sigmoid", "sigmoid_uniform"),
                        "tanh": ("tanh", "glorot_uniform"), "relu": ("relu", "he_normal")}[recipe]
    return init_mlp(sizes, activation, init, rng, dtype=F32)


def fit(recipe: str, depth: int, *, record: bool, epochs: int = EPOCHS, split: Split | None = None):
    """Train one network of ``recipe`` with the page's budget; return its history."""
    with np.errstate(over="ignore", invalid="ignore"):
        return train(network(recipe, depth), data() if split is None else split, epochs=epochs, batch_size=BATCH,
                     lr=LEARNING_RATES[recipe], seed=SEED, schedule="linear", record=record)


def _depth_runs(recipe: str) -> dict[str, np.ndarray]:
    runs = [fit(recipe, d, record=False) for d in DEPTHS]
    return {"accuracy": np.array([h.test_accuracy[-1] for h in runs]),
            "loss": np.array([h.train_loss[-1] for h in runs])}


# One experiment per recipe: the build's worker processes share them out.
DEPTH_RUNS = {r: experiment(f"training-depth-{r}")(lambda r=r: _depth_runs(r)) for r in RECIPES}


def depth_sweep() -> dict[str, np.ndarray]:
    """Held-out accuracy and training loss after the budget, for every recipe (rows) at every depth."""
    runs = [DEPTH_RUNS[r]() for r in RECIPES]
    return {key: np.stack([run[key] for run in runs]) for key in ("accuracy", "loss")}


SPREAD_SEEDS = (1, 2, 3, 4)
"""Further initialisations (and batch orders) for the depths where the page's claims turn on one run."""
SPREAD = {"sigmoid": (3, 4), "sigmoid4": (8, 10), "relu": (15,)}


@experiment("training-seeds")
def seed_spread() -> dict[str, np.ndarray]:
    """Held-out accuracy of the recipes of ``SPREAD`` at their depths for the seeds of ``SPREAD_SEEDS``."""
    out = {}
    for r, depths in SPREAD.items():
        for d in depths:
            accs = []
            for seed in SPREAD_SEEDS:
                with np.errstate(over="ignore", invalid="ignore"):
                    h = train(network(r, d, seed=seed), data(), epochs=EPOCHS, batch_size=BATCH,
                              lr=LEARNING_RATES[r], seed=seed, schedule="linear", record=False)
                accs.append(h.test_accuracy[-1])
            out[f"{r}/{d}"] = np.array(accs)
    return out


def spread(recipe: str, depth: int) -> np.ndarray:
    """Held-out accuracy at ``depth`` over all five seeds: the depth sweep's (seed 0) and ``SPREAD_SEEDS``."""
    sweep = depth_sweep()["accuracy"][RECIPES.index(recipe), DEPTHS.index(depth)]
    return np.concatenate([[sweep], seed_spread()[f"{recipe}/{depth}"]])


LR_GRID = tuple(float(v) for v in np.geomspace(0.01, 10.0, 10))
LR_GRID_DEPTHS = (4, 6)


@experiment("training-sigmoid-lr")
def sigmoid_lr_grid() -> dict[str, np.ndarray]:
    """The sigmoid stack (Glorot) at four and six layers, seed 0, for ten learning rates from 0.01 to 10."""
    acc = np.empty((len(LR_GRID_DEPTHS), len(LR_GRID)))
    for i, d in enumerate(LR_GRID_DEPTHS):
        for j, lr in enumerate(LR_GRID):
            with np.errstate(over="ignore", invalid="ignore"):
                h = train(network("sigmoid", d), data(), epochs=EPOCHS, batch_size=BATCH, lr=lr, seed=SEED,
                          schedule="linear", record=False)
            acc[i, j] = h.test_accuracy[-1]
    return {"accuracy": acc}


REFERENCE_EPOCHS = 30
REFERENCE_LR = 0.5
REFERENCE_DEPTHS = (1, 3, 6, 10)
"""A longer budget at a constant rate, for the sigmoid stack (the budget of an independent run)."""


@experiment("training-reference")
def reference() -> dict[str, np.ndarray]:
    """The sigmoid stack with 30 epochs at a constant learning rate of one half."""
    accs = []
    for d in REFERENCE_DEPTHS:
        with np.errstate(over="ignore", invalid="ignore"):
            h = train(network("sigmoid", d), data(), epochs=REFERENCE_EPOCHS, batch_size=BATCH, lr=REFERENCE_LR,
                      seed=SEED, record=False)
        accs.append(h.test_accuracy[-1])
    return {"accuracy": np.array(accs)}


@experiment("training-dynamics")
def dynamics() -> dict[str, np.ndarray]:
    """Every recorded quantity of the five recipes at depth 6, epoch by epoch."""
    out = {}
    for r in RECIPES:
        h = fit(r, DYNAMICS_DEPTH, record=True)
        for key in ("train_loss", "test_loss", "test_accuracy", "train_accuracy", "weight_grad_norm",
                    "bias_grad_norm", "update_ratio", "weight_change", "dead_fraction"):
            out[f"{r}/{key}"] = getattr(h, key)
    return out


# ---------------------------------------------------------------------------- Nielsen's setup

NIELSEN_SIZES = (64, 30, 30, 30, 30, 10)
NIELSEN_TRAIN = 1000
NIELSEN_EPOCHS = 500
NIELSEN_LR = 0.1
NIELSEN_LAMBDA = 5.0
NIELSEN_RECORD = (*range(0, 20), *range(20, 100, 5), *range(100, NIELSEN_EPOCHS + 1, 20))
"""The epochs at which the run is recorded: every one while the cost falls, then fewer."""


def nielsen_network(seed: int = SEED) -> MLP:
    """Nielsen's ``network2``: sigmoid units, weights N(0, 1/n_in), biases N(0, 1), sigmoid outputs."""
    return init_mlp(NIELSEN_SIZES, "sigmoid", "lecun_normal", np.random.default_rng([seed, 99]),
                    readout="lecun_normal", bias_std=1.0, dtype=F32)


def prior_cost(labels: np.ndarray) -> float:
    r"""The cost of predicting the class frequencies $p_c$ for every image.

    With sigmoid outputs and one-hot targets it is $-\sum_c [p_c \ln p_c + (1-p_c)\ln(1-p_c)]$.
    """
    p = np.bincount(labels, minlength=10) / labels.size
    return float(-np.sum(p * np.log(p) + (1 - p) * np.log(1 - p)))


@experiment("training-nielsen")
def nielsen() -> dict[str, np.ndarray]:
    """Nielsen's chapter-5 run on digits: full batch, L2 weight decay, 500 epochs; and its gradient at the start."""
    split = data().head(NIELSEN_TRAIN)
    model = nielsen_network()
    n_weights = len(model.weights)
    # Nielsen's update w <- (1 - eta lambda / n) w - eta dC/dw decays the weights, not the biases.
    decay = SGD(weight_decay=NIELSEN_LAMBDA / NIELSEN_TRAIN, decay=[True] * n_weights + [False] * n_weights)
    start = nielsen_network()
    scores, cache = start.forward(split.x_train)
    error = 1.0 / (1.0 + np.exp(-scores)) - np.eye(10, dtype=F32)[split.y_train]
    # The gradient is linear in the output error: split it into the mean error (the class prior)
    # and what is left (what each image says on its own).
    mean_part = start.backward(cache, np.broadcast_to(error.mean(axis=0), error.shape) / len(error))
    rest_part = start.backward(cache, (error - error.mean(axis=0)) / len(error))
    with np.errstate(over="ignore", invalid="ignore"):
        h = train(model, split, epochs=NIELSEN_EPOCHS, batch_size=NIELSEN_TRAIN, lr=NIELSEN_LR, seed=SEED,
                  loss="sigmoid", optimiser=decay, record_epochs=NIELSEN_RECORD)
    nb = len(start.biases) - 1
    return {"epochs": h.epochs, "bias_grad_norm": h.bias_grad_norm[:, :nb], "train_loss": h.train_loss,
            "test_accuracy": h.test_accuracy,
            "prior_part": np.array([np.linalg.norm(g) for g in mean_part[n_weights:n_weights + nb]]),
            "example_part": np.array([np.linalg.norm(g) for g in rest_part[n_weights:n_weights + nb]]),
            "prior_cost": prior_cost(split.y_train),
            "cost_at_start": float(sigmoid_cross_entropy(scores.astype(np.float64), split.y_train))}


NIELSEN_CONTROL_SEEDS = (0, 1, 2)


@experiment("training-nielsen-controls")
def nielsen_controls() -> dict[str, np.ndarray]:
    """Nielsen's run changed in one thing each: no weight decay (four hidden layers), or one hidden layer.

    Held-out accuracy after the 500 epochs, for three initialisations each.
    """
    split = data().head(NIELSEN_TRAIN)
    out = {}
    for key, sizes, lam in (("no_decay", NIELSEN_SIZES, 0.0), ("one_layer", (64, 30, 10), NIELSEN_LAMBDA)):
        accs = []
        for seed in NIELSEN_CONTROL_SEEDS:
            model = init_mlp(sizes, "sigmoid", "lecun_normal", np.random.default_rng([seed, 99]),
                             readout="lecun_normal", bias_std=1.0, dtype=F32)
            n_w = len(model.weights)
            opt = SGD(weight_decay=lam / NIELSEN_TRAIN, decay=[True] * n_w + [False] * n_w)
            with np.errstate(over="ignore", invalid="ignore"):
                h = train(model, split, epochs=NIELSEN_EPOCHS, batch_size=NIELSEN_TRAIN, lr=NIELSEN_LR, seed=SEED,
                          loss="sigmoid", optimiser=opt, record=False, record_epochs=(NIELSEN_EPOCHS,))
            accs.append(h.test_accuracy[-1])
        out[key] = np.array(accs)
    return out


# ---------------------------------------------------------------------------- numbers


def _acc(recipe: str, depth: int) -> float:
    return 100 * float(depth_sweep()["accuracy"][RECIPES.index(recipe), DEPTHS.index(depth)])


def _layer_ratio(values: np.ndarray) -> float:
    """Geometric-mean ratio of neighbouring hidden layers' values (layer k+1 over layer k)."""
    return float((values[-1] / values[0]) ** (1.0 / (len(values) - 1)))


number("train_width", ".0f")(lambda: WIDTH)
number("train_batch", ".0f")(lambda: BATCH)
number("train_epochs", ".0f")(lambda: EPOCHS)
number("train_n_train", ",.0f")(lambda: data().x_train.shape[0])
number("train_n_test", ".0f")(lambda: data().x_test.shape[0])
number("train_depth_max", ".0f")(lambda: max(DEPTHS))
number("train_dyn_depth", ".0f")(lambda: DYNAMICS_DEPTH)
for _r in RECIPES:
    number(f"train_lr_{_r}", ".2f")(lambda r=_r: LEARNING_RATES[r])
    for _d in DEPTHS:
        number(f"train_acc_{_r}_d{_d}", ".0f")(lambda r=_r, d=_d: _acc(r, d))
number("train_ref_epochs", ".0f")(lambda: REFERENCE_EPOCHS)
number("train_ref_lr", ".1f")(lambda: REFERENCE_LR)
for _i, _d in enumerate(REFERENCE_DEPTHS):
    number(f"train_ref_d{_d}", ".0f")(lambda i=_i: 100 * float(reference()["accuracy"][i]))
number("train_chance_pct", ".1f")(lambda: 100 * np.bincount(data().y_test).max() / data().y_test.size)
number("train_ln10", ".4f")(lambda: math.log(10))
number("train_sigmoid_deep_loss", ".4f")(lambda: float(depth_sweep()["loss"][0, DEPTHS.index(6)]))


def _dyn(recipe: str, key: str) -> np.ndarray:
    return dynamics()[f"{recipe}/{key}"]


# Per-layer shrink of Nielsen's measure, ||dC/db_k||, across the hidden layers (epoch 0 and last).
number("train_bias_ratio_sigmoid_0", ".1f")(lambda: _layer_ratio(_dyn("sigmoid", "bias_grad_norm")[0, :-1]))
number("train_bias_ratio_sigmoid_end", ".1f")(lambda: _layer_ratio(_dyn("sigmoid", "bias_grad_norm")[-1, :-1]))
number("train_bias_span_sigmoid_0", ".0f")(
    lambda: float(_dyn("sigmoid", "bias_grad_norm")[0, DYNAMICS_DEPTH - 1] / _dyn("sigmoid", "bias_grad_norm")[0, 0]))
for _r in ("sigmoid4", "tanh", "relu"):
    number(f"train_bias_ratio_{_r}_0", ".2f")(lambda r=_r: _layer_ratio(_dyn(r, "bias_grad_norm")[0, :-1]))
number("train_change_sigmoid_first_pct", ".1f")(lambda: 100 * float(_dyn("sigmoid", "weight_change")[-1, 0]))
number("train_change_sigmoid_last_pct", ".0f")(
    lambda: 100 * float(_dyn("sigmoid", "weight_change")[-1, DYNAMICS_DEPTH - 1]))
number("train_change_relu_first_pct", ".0f")(lambda: 100 * float(_dyn("relu", "weight_change")[-1, 0]))
number("train_change_relu_last_pct", ".0f")(lambda: 100 * float(_dyn("relu", "weight_change")[-1, DYNAMICS_DEPTH - 1]))
number("train_ratio_sigmoid_first", ".1e")(lambda: float(_dyn("sigmoid", "update_ratio")[1, 0]))
number("train_ratio_sigmoid_last", ".1e")(lambda: float(_dyn("sigmoid", "update_ratio")[1, DYNAMICS_DEPTH - 1]))
number("train_ratio_relu_first", ".1e")(lambda: float(_dyn("relu", "update_ratio")[1, 0]))
number("train_ratio_relu_last", ".1e")(lambda: float(_dyn("relu", "update_ratio")[1, DYNAMICS_DEPTH - 1]))
number("train_dead_relu_max_pct", ".0f")(lambda: 100 * float(np.max(_dyn("relu", "dead_fraction"))))
number("train_nielsen_ratio_0", ".1f")(lambda: _layer_ratio(nielsen()["bias_grad_norm"][0]))
for _k in range(4):
    number(f"train_nielsen_b{_k + 1}_0", ".3f")(lambda k=_k: float(nielsen()["bias_grad_norm"][0, k]))
number("train_nielsen_prior_cost", ".3f")(lambda: float(nielsen()["prior_cost"]))
number("train_nielsen_cost_0", ".2f")(lambda: float(nielsen()["cost_at_start"]))
number("train_nielsen_cost_end", ".3f")(lambda: float(nielsen()["train_loss"][-1]))
number("train_nielsen_acc_end", ".0f")(lambda: 100 * float(nielsen()["test_accuracy"][-1]))
number("train_nielsen_epoch_prior", ".0f")(
    lambda: float(nielsen()["epochs"][np.argmax(nielsen()["train_loss"] < 1.05 * nielsen()["prior_cost"])]))
number("train_nielsen_example_share_first", ".1e")(
    lambda: float(nielsen()["example_part"][0] / nielsen()["prior_part"][0]))
number("train_nielsen_example_share_last", ".1e")(
    lambda: float(nielsen()["example_part"][-1] / nielsen()["prior_part"][-1]))
number("train_nielsen_n", ",.0f")(lambda: NIELSEN_TRAIN)
number("train_nielsen_epochs", ".0f")(lambda: NIELSEN_EPOCHS)
number("train_nielsen_lr", ".1f")(lambda: NIELSEN_LR)
number("train_nielsen_lambda", ".0f")(lambda: NIELSEN_LAMBDA)
number("train_nielsen_decay_total", ".2f")(lambda: (1 - NIELSEN_LR * NIELSEN_LAMBDA / NIELSEN_TRAIN) ** NIELSEN_EPOCHS)
number("train_nielsen_control_seeds", ".0f")(lambda: len(NIELSEN_CONTROL_SEEDS))
number("train_nielsen_acc_nodecay_max", ".0f")(lambda: 100 * float(np.max(nielsen_controls()["no_decay"])))
number("train_nielsen_acc_one_layer_min", ".0f")(lambda: 100 * float(np.min(nielsen_controls()["one_layer"])))
number("train_nielsen_acc_one_layer_max", ".0f")(lambda: 100 * float(np.max(nielsen_controls()["one_layer"])))
NIELSEN_FALL_EPOCH = 40
number("train_nielsen_fall_epoch", ".0f")(lambda: NIELSEN_FALL_EPOCH)
for _k, _name in ((0, "first"), (3, "last")):
    number(f"train_nielsen_fall_{_name}", ".0f")(
        lambda k=_k: float(nielsen()["bias_grad_norm"][0, k]
                           / nielsen()["bias_grad_norm"][list(nielsen()["epochs"]).index(NIELSEN_FALL_EPOCH), k]))

# The spread over initialisations, and the learning-rate grid of the sigmoid stack.
number("train_seeds_n", ".0f")(lambda: 1 + len(SPREAD_SEEDS))
for _r, _ds in SPREAD.items():
    for _d in _ds:
        number(f"train_spread_{_r}_d{_d}_min", ".0f")(lambda r=_r, d=_d: 100 * float(np.min(spread(r, d))))
        number(f"train_spread_{_r}_d{_d}_max", ".0f")(lambda r=_r, d=_d: 100 * float(np.max(spread(r, d))))
number("train_lr_grid_n", ".0f")(lambda: len(LR_GRID))
number("train_lr_grid_lo", ".2f")(lambda: min(LR_GRID))
number("train_lr_grid_hi", ".0f")(lambda: max(LR_GRID))
number("train_sigmoid_lr_best", ".0f")(lambda: 100 * float(np.max(sigmoid_lr_grid()["accuracy"])))
number("train_acc_tanh_min", ".0f")(lambda: 100 * float(np.min(depth_sweep()["accuracy"][RECIPES.index("tanh")])))
number("train_acc_tanh_max", ".0f")(lambda: 100 * float(np.max(depth_sweep()["accuracy"][RECIPES.index("tanh")])))
number("train_acc_residual_min", ".0f")(
    lambda: 100 * float(np.min(depth_sweep()["accuracy"][RECIPES.index("residual")])))
number("train_prior_entropy", ".4f")(
    lambda: float(-np.sum((p := np.bincount(data().y_train) / data().y_train.size) * np.log(p))))
number("train_ratio_sigmoid_spread", ".0f")(
    lambda: float(_dyn("sigmoid", "update_ratio")[1, DYNAMICS_DEPTH - 1] / _dyn("sigmoid", "update_ratio")[1, 0]))


# ---------------------------------------------------------------------------- figures


def _style(theme) -> dict[str, tuple]:
    c = theme["cycle"]
    return {"sigmoid": (c[1], "o", "-"), "sigmoid4": (c[3], "s", "--"), "tanh": (c[0], "^", "-"),
            "relu": (c[2], "D", "-"), "residual": (c[4], "v", ":")}


@figure("train-depth", size=(6.4, 3.9))
def draw_depth(fig, theme) -> None:
    """Held-out accuracy after the fixed budget against the number of hidden layers, one line per recipe."""
    ax = fig.add_subplot()
    style = _style(theme)
    acc = 100 * depth_sweep()["accuracy"]
    for i, r in enumerate(RECIPES):
        colour, marker, line = style[r]
        ax.plot(DEPTHS, acc[i], color=colour, marker=marker, linestyle=line, markersize=5, label=LABELS[r])
    chance = 100 * np.bincount(data().y_test).max() / data().y_test.size
    ax.axhline(chance, color=theme["muted"], linewidth=1.0, linestyle=(0, (4, 3)))
    ax.text(min(DEPTHS), chance + 2, "chance level", color=theme["muted"], fontsize=9, ha="left")
    ax.set_xscale("log")
    ax.set_xticks(DEPTHS, [str(d) for d in DEPTHS])
    ax.minorticks_off()
    ax.set_ylim(0, 100)
    ax.set_xlabel("hidden layers (residual: blocks), log scale")
    ax.set_ylabel("held-out accuracy (%)")
    ax.legend(loc="center left", bbox_to_anchor=(0.0, 0.45), fontsize=8.5)


@figure("train-gradients", size=(7.2, 3.6))
def draw_gradients(fig, theme) -> None:
    """Nielsen's measure ||dC/db_k|| per hidden layer, at every epoch, sigmoid against ReLU at depth 6."""
    axes = fig.subplots(1, 2, sharey=True)
    from matplotlib import colormaps

    epochs = np.arange(EPOCHS + 1)
    for ax, r in zip(axes, ("sigmoid", "relu"), strict=True):
        norms = _dyn(r, "bias_grad_norm")[:, :-1]
        ramp = colormaps["viridis"](np.linspace(0.0 if theme["name"] == "light" else 1.0,
                                                0.58 if theme["name"] == "light" else 0.40, DYNAMICS_DEPTH))
        for k in range(DYNAMICS_DEPTH):
            ax.plot(epochs, norms[:, k], color=ramp[k], linewidth=1.6, label=f"layer {k + 1}")
        ax.set_yscale("log")
        ax.set_title(LABELS[r], fontsize=10)
        ax.set_xticks(range(0, EPOCHS + 1, 5))
        ax.set_xlabel("epoch")
    axes[0].set_ylabel(r"$\Vert\partial C/\partial b_k\Vert$ (dimensionless)")
    axes[1].legend(loc="lower right", fontsize=8, ncol=2)


@figure("train-curves", size=(7.2, 4.2))
def draw_curves(fig, theme) -> None:
    """Left: held-out accuracy per epoch for the five recipes at depth 6. Right: how far each layer's weights moved."""
    left, right = fig.subplots(1, 2)
    style = _style(theme)
    epochs = np.arange(EPOCHS + 1)
    for r in RECIPES:
        colour, marker, line = style[r]
        left.plot(epochs, 100 * _dyn(r, "test_accuracy"), color=colour, linestyle=line, label=LABELS[r])
    left.set_xlabel("epoch")
    left.set_xticks(range(0, EPOCHS + 1, 5))
    left.set_ylabel("held-out accuracy (%)")
    left.set_ylim(0, 100)
    fig.legend(*left.get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=8.5)
    layers = np.arange(1, DYNAMICS_DEPTH + 1)
    for r in ("sigmoid", "sigmoid4", "tanh", "relu"):
        colour, marker, line = style[r]
        right.plot(layers, 100 * _dyn(r, "weight_change")[-1, :DYNAMICS_DEPTH], color=colour, marker=marker,
                   linestyle=line, label=LABELS[r])
    right.set_yscale("log")
    right.set_xticks(layers)
    right.set_xlabel("hidden layer $k$ (count from the input)")
    right.set_ylabel("weight change after training (%)")


@figure("train-nielsen", size=(7.2, 3.6))
def draw_nielsen(fig, theme) -> None:
    """Nielsen's setup on digits: ||dC/db_k|| per layer over 500 epochs, and the cost against the prior-fit cost."""
    left, right = fig.subplots(1, 2)
    from matplotlib import colormaps

    run = nielsen()
    norms = run["bias_grad_norm"]
    ramp = colormaps["viridis"](np.linspace(0.0 if theme["name"] == "light" else 1.0,
                                            0.58 if theme["name"] == "light" else 0.40, norms.shape[1]))
    epochs = run["epochs"]
    for k in range(norms.shape[1]):
        left.plot(epochs, norms[:, k], color=ramp[k], linewidth=1.6, label=f"layer {k + 1}")
    left.set_yscale("log")
    left.set_xlabel("epoch (full batch)")
    left.set_ylabel(r"$\Vert\partial C/\partial b_k\Vert$ (dimensionless)")
    left.legend(loc="upper right", fontsize=8)
    right.plot(epochs, run["train_loss"], color=theme["cycle"][0], label="cost on the 1,000 images")
    right.axhline(float(run["prior_cost"]), color=theme["muted"], linestyle=(0, (4, 3)), linewidth=1.2,
                  label="cost of predicting the class frequencies")
    right.set_xscale("symlog", linthresh=10)
    right.set_xlim(0, NIELSEN_EPOCHS)
    right.set_xlabel("epoch (full batch, symmetric log scale)")
    right.set_ylabel("cost $C$ (nats)")
    right.legend(loc="upper right", fontsize=8)
