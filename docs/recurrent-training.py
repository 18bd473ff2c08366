# What the page "Training recurrent networks" shows: five cells trained on the adding problem at four lags.
"""The experiments, numbers and figures of ``docs/recurrent-training.md``.

Each cell is trained with :func:`vgdocs.sequence_training.train_sequence_model` on the adding
problem (:func:`vgdocs.datasets.adding_problem`, inputs centred), all lags of one cell at once.
One experiment per cell, so that the build's two workers share them out.
"""

from __future__ import annotations

import math

import numpy as np

from vgdocs.activations import sigmoid
from vgdocs.datasets import adding_problem, adding_problem_marker_blind
from vgdocs.sequence_training import init_sequence_model, steps_to_escape, train_sequence_model
from vgsite import experiment, figure, number

LAGS = (5, 10, 20, 50)
T_MAX = max(LAGS)
H = 16
BATCH = 16
UPDATES = 600
LR = 0.015
CLIP = 1.0
SEED = 0
TEST_SIZE = 1024
BASELINE = 1.0 / 6.0
"""Mean squared error of predicting the mean target, $\\operatorname{Var}(u_1 + u_2) = 2/12$."""
SOLVED = 0.1
"""A lag counts as learned when the held-out error is below this fraction of the baseline."""
CELLS = {
    "tanh": ("tanh RNN", "tanh", (0.0,)),
    "irnn": ("IRNN (ReLU, identity start)", "irnn", (0.0,)),
    "gru": ("GRU", "gru", (0.0,)),
    "lstm0": ("LSTM, $b_f = 0$", "lstm", (0.0,)),
    "lstm1": ("LSTM, $b_f = 1$", "lstm", (1.0,)),
}
"""Each curve of the page: its label, the cell, and the LSTM's forget-gate bias."""


def _pad(pieces: list[tuple[np.ndarray, np.ndarray]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of every lag, zero-padded to ``T_MAX`` steps: inputs (T, M, n, 2) and targets (M, n)."""
    xs = np.zeros((T_MAX, len(pieces), n, 2), np.float32)
    ys = np.zeros((len(pieces), n), np.float32)
    for m, (x, y) in enumerate(pieces):
        xs[:x.shape[0], m] = x
        ys[m] = y
    return xs, ys


def test_set() -> tuple[np.ndarray, np.ndarray]:
    """One held-out set per lag, seeded by the lag alone (every cell is scored on the same sequences)."""
    return _pad([adding_problem(t, TEST_SIZE, np.random.default_rng([t, 999]), centre=True) for t in LAGS],
                TEST_SIZE)


def run(cells: tuple[str, ...], updates: int = UPDATES, seed: int = SEED) -> dict[str, np.ndarray]:
    """Train the curves ``cells`` (all of one cell kind) at every lag; every cell sees the same batches."""
    labels = {CELLS[c][1] for c in cells}
    if len(labels) != 1:
        raise ValueError(f"cells must share one kind of cell, got {cells}")
    kind = labels.pop()
    biases = [b for c in cells for b in CELLS[c][2] for _ in LAGS]
    lags = [t for _ in cells for t in LAGS]
    model = init_sequence_model(kind, 2, H, lags, np.random.default_rng([seed, 17]), forget_bias=biases)
    streams = {t: np.random.default_rng([seed, t, 1]) for t in LAGS}

    def batch(_: int) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = _pad([adding_problem(t, BATCH, streams[t], centre=True) for t in LAGS], BATCH)
        return np.tile(xs, (1, len(cells), 1, 1)), np.tile(ys, (len(cells), 1))

    tx, ty = test_set()
    test = (np.tile(tx, (1, len(cells), 1, 1)), np.tile(ty, (len(cells), 1)))
    h = train_sequence_model(model, batch, updates=updates, lr=LR, clip=CLIP, test=test, test_every=updates)
    out = {}
    for i, c in enumerate(cells):
        part = slice(i * len(LAGS), (i + 1) * len(LAGS))
        out[f"{c}/test"] = h.test_loss[-1, part] / BASELINE
        out[f"{c}/train"] = h.train_loss[:, part] / BASELINE
        out[f"{c}/escape"] = steps_to_escape(h.train_loss[:, part], BASELINE)
        out[f"{c}/clipped"] = np.mean(h.grad_norm[:, part] > CLIP, axis=0)
    return out


RUNS = {
    "tanh": experiment("rnn-lags-tanh")(lambda: run(("tanh",))),
    "irnn": experiment("rnn-lags-irnn")(lambda: run(("irnn",))),
    "gru": experiment("rnn-lags-gru")(lambda: run(("gru",))),
    "lstm": experiment("rnn-lags-lstm")(lambda: run(("lstm0", "lstm1"))),
}


SPREAD_SEEDS = (1, 2)
"""Two more seeds (initialisation and batches) for every cell, to see which results hang on one run."""
SEED_RUNS = {
    kind: experiment(f"rnn-lags-{kind}-seeds")(
        lambda cells=cells: {f"{seed}/{k}": v for seed in SPREAD_SEEDS for k, v in run(cells, seed=seed).items()
                             if k.endswith("/test")})
    for kind, cells in (("tanh", ("tanh",)), ("irnn", ("irnn",)), ("gru", ("gru",)), ("lstm", ("lstm0", "lstm1")))
}


def seeds_test(curve: str) -> np.ndarray:
    """Held-out error / baseline of ``curve`` for seed 0 and ``SPREAD_SEEDS`` (rows) at every lag (columns)."""
    runs = SEED_RUNS["lstm" if curve.startswith("lstm") else curve]()
    return np.stack([result(curve, "test"), *[runs[f"{seed}/{curve}/test"] for seed in SPREAD_SEEDS]])


def result(curve: str, key: str) -> np.ndarray:
    """One recorded array of one curve (``"lstm0"`` and ``"lstm1"`` share the LSTM run)."""
    return RUNS["lstm" if curve.startswith("lstm") else curve]()[f"{curve}/{key}"]


def _escape(curve: str, i: int) -> float:
    """The update at which ``curve`` left the plateau at the ``i``-th lag; a page cannot quote one it never left."""
    step = int(result(curve, "escape")[i])
    if step < 0:
        raise ValueError(f"{curve} never left the plateau at T = {LAGS[i]}: the page must not quote its escape")
    return float(step)


number("seq_H", ".0f")(lambda: H)
number("seq_batch", ".0f")(lambda: BATCH)
number("seq_updates", ".0f")(lambda: UPDATES)
number("seq_lr", ".3f")(lambda: LR)
number("seq_clip", ".0f")(lambda: CLIP)
number("seq_test_size", ",.0f")(lambda: TEST_SIZE)
number("seq_baseline", ".3f")(lambda: BASELINE)
number("seq_solved_pct", ".0f")(lambda: 100 * SOLVED)
number("seq_t_max", ".0f")(lambda: T_MAX)
for _c in CELLS:
    for _i, _t in enumerate(LAGS):
        number(f"seq_{_c}_t{_t}", ".3f")(lambda c=_c, i=_i: float(result(c, "test")[i]))
        if _c != "tanh" or _t <= 10:  # the tanh RNN stays on its plateau from T = 20 (tested)
            number(f"seq_{_c}_escape_t{_t}", ".0f")(lambda c=_c, i=_i: _escape(c, i))
number("seq_first_escape_t50", ".0f")(lambda: min(_escape(c, LAGS.index(50)) for c in CELLS if c != "tanh"))
# Exercise 3: a forget gate stuck at sigma(b_f) over T/2 = 25 steps.
number("seq_sigmoid_1", ".3f")(lambda: float(sigmoid(1.0)))
number("seq_forget_pow_b0", ".0e")(lambda: float(sigmoid(0.0)) ** 25)
number("seq_forget_pow_b1", ".0e")(lambda: float(sigmoid(1.0)) ** 25)
number("seq_forget_gain_decades", ".0f")(lambda: 25 * math.log10(float(sigmoid(1.0)) / float(sigmoid(0.0))))
number("seq_seeds_n", ".0f")(lambda: 1 + len(SPREAD_SEEDS))
for _t in (20, 50):
    number(f"seq_tanh_t{_t}_seeds_min", ".2f")(lambda t=_t: float(np.min(seeds_test("tanh")[:, LAGS.index(t)])))
    number(f"seq_blind_t{_t}", ".2f")(lambda t=_t: adding_problem_marker_blind(t))
number("seq_tanh_t20_seeds_max", ".2f")(lambda: float(np.max(seeds_test("tanh")[:, LAGS.index(20)])))
number("seq_tanh_t20_beats_blind", ".0f")(
    lambda: float(np.sum(seeds_test("tanh")[:, LAGS.index(20)] < adding_problem_marker_blind(20))))
number("seq_blind_t5", ".2f")(lambda: adding_problem_marker_blind(5))
number("seq_tanh_t5_seeds_max", ".3f")(lambda: float(np.max(seeds_test("tanh")[:, LAGS.index(5)])))
number("seq_tanh_t10_seeds_min", ".3f")(lambda: float(np.min(seeds_test("tanh")[:, LAGS.index(10)])))
number("seq_tanh_t10_seeds_max", ".3f")(lambda: float(np.max(seeds_test("tanh")[:, LAGS.index(10)])))
number("seq_gru_lstm0_seeds_max", ".3f")(lambda: float(max(np.max(seeds_test(c)) for c in ("gru", "lstm0"))))
number("seq_lstm1_t20_seeds_max", ".3f")(lambda: float(np.max(seeds_test("lstm1")[:, LAGS.index(20)])))
for _c in ("lstm1", "irnn"):
    number(f"seq_{_c}_t50_learned", ".0f")(
        lambda c=_c: float(np.sum(seeds_test(c)[:, LAGS.index(50)] < SOLVED)))
number("seq_lstm1_t50_seeds_min", ".3f")(lambda: float(np.min(seeds_test("lstm1")[:, LAGS.index(50)])))
number("seq_lstm1_t50_seeds_max", ".3f")(lambda: float(np.max(seeds_test("lstm1")[:, LAGS.index(50)])))
number("seq_irnn_t50_seeds_min", ".3f")(lambda: float(np.min(seeds_test("irnn")[:, LAGS.index(50)])))
number("seq_irnn_t50_seeds_max", ".3f")(lambda: float(np.max(seeds_test("irnn")[:, LAGS.index(50)])))
number("seq_irnn_t20_seeds_max", ".3f")(lambda: float(np.max(seeds_test("irnn")[:, LAGS.index(20)])))
number("seq_irnn_clipped_pct", ".0f")(lambda: 100 * float(np.mean(result("irnn", "clipped"))))
number("seq_gated_clipped_pct", ".0f")(
    lambda: 100 * float(max(np.max(result(c, "clipped")) for c in ("gru", "lstm0", "lstm1"))))


def _style(theme) -> dict[str, tuple]:
    c = theme["cycle"]
    return {"tanh": (c[1], "o", "-"), "irnn": (c[2], "D", "--"), "gru": (c[0], "^", "-"),
            "lstm0": (c[3], "s", ":"), "lstm1": (c[4], "v", "-")}


@figure("seq-lags", size=(6.4, 4.4))
def draw_lags(fig, theme) -> None:
    """Held-out error relative to the baseline against the lag, one line per cell."""
    ax = fig.add_subplot()
    style = _style(theme)
    for c, (label, _, _) in CELLS.items():
        colour, marker, line = style[c]
        ax.plot(LAGS, result(c, "test"), color=colour, marker=marker, linestyle=line, markersize=5, label=label)
    ax.axhline(1.0, color=theme["muted"], linewidth=1.0, linestyle=(0, (4, 3)))
    ax.text(LAGS[0], 1.25, "baseline: predict the mean", color=theme["muted"], fontsize=9)
    ax.axhline(SOLVED, color=theme["muted"], linewidth=0.8, linestyle=":")
    # At the right, above the line: clear of the tanh RNN's climb from T = 10 to T = 20.
    ax.text(LAGS[-1], SOLVED * 1.25, f"learned: below {SOLVED:.0%} of the baseline", color=theme["muted"], fontsize=9,
            ha="right")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(top=3.0)
    ax.set_xticks(LAGS, [str(t) for t in LAGS])
    ax.minorticks_off()
    ax.set_xlabel("sequence length $T$ (time steps; the first marked value is $\\geq T/2$ steps back)")
    ax.set_ylabel("held-out error / baseline\n(dimensionless)")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=8.5)


@figure("seq-curves", size=(6.4, 3.8))
def draw_curves(fig, theme) -> None:
    """Training error relative to the baseline against the update, at the longest lag, one line per cell."""
    ax = fig.add_subplot()
    style = _style(theme)
    window = 25
    kernel = np.ones(window) / window
    for c, (label, _, _) in CELLS.items():
        colour, _, line = style[c]
        smooth = np.convolve(result(c, "train")[:, -1], kernel, mode="valid")
        ax.plot(np.arange(window, UPDATES + 1), smooth, color=colour, linestyle=line, label=label)
    ax.axhline(1.0, color=theme["muted"], linewidth=1.0, linestyle=(0, (4, 3)))
    ax.set_yscale("log")
    ax.set_ylim(top=10)
    ax.set_xlim(0, UPDATES)
    ax.set_title(f"sequence length $T = {T_MAX}$", fontsize=10)
    ax.set_xlabel(f"update (training batches of {BATCH} sequences)")
    ax.set_ylabel(f"training error / baseline\n(mean of the last {window} batches)")
    ax.legend(loc="lower left", fontsize=8.5)
