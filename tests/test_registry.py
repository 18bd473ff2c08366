# The registries of displayed numbers and figures, number formatting, and SVG rendering.
"""Tests for vgsite.registry and vgsite.theme.render_svg (the site machinery, not the library)."""

from __future__ import annotations

import math
import re

import pytest

import vgsite
from vgsite import registry
from vgsite.registry import FIGURES, NUMBERS, format_number
from vgsite.theme import THEMES, render_svg

vgsite.load_all()  # every page file registers its numbers and figures
MINUS = "\u2212"

# --- format_number ---------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "fmt", "prose", "tex"), [
    (0.62245933, ".3f", "0.622", "0.622"),
    (-0.0242527, ".3f", f"{MINUS}0.024", "-0.024"),
    (-0.84563, ".3f", f"{MINUS}0.846", "-0.846"),
    (5.0, ".0f", "5", "5"),
    (0.25, ".2f", "0.25", "0.25"),
    (12345.678, ",.1f", "12,345.7", "12{,}345.7"),
    (-1234567.0, ",.0f", f"{MINUS}1,234,567", "-1{,}234{,}567"),
    (3.14159, ".2%", "314.16%", "314.16%"),
])
def test_format_number_fixed(value, fmt, prose, tex):
    assert format_number(value, fmt, tex=False) == prose
    assert format_number(value, fmt, tex=True) == tex


@pytest.mark.parametrize(("value", "fmt", "prose", "tex"), [
    (1.234e-5, ".2e", f"1.23 × 10<sup>{MINUS}5</sup>", r"1.23 \times 10^{-5}"),
    (-4.5e-7, ".1e", f"{MINUS}4.5 × 10<sup>{MINUS}7</sup>", r"-4.5 \times 10^{-7}"),
    (12345.0, ".1e", "1.2 × 10<sup>4</sup>", r"1.2 \times 10^{4}"),
    (6.02214076e23, ".3e", "6.022 × 10<sup>23</sup>", r"6.022 \times 10^{23}"),
    (2.5, ".1e", "2.5 × 10<sup>0</sup>", r"2.5 \times 10^{0}"),
    (9.5367431640625e-07, ".2e", f"9.54 × 10<sup>{MINUS}7</sup>", r"9.54 \times 10^{-7}"),
    (-1e-100, ".0e", f"{MINUS}1 × 10<sup>{MINUS}100</sup>", r"-1 \times 10^{-100}"),
])
def test_format_number_scientific(value, fmt, prose, tex):
    assert format_number(value, fmt, tex=False) == prose
    assert format_number(value, fmt, tex=True) == tex


@pytest.mark.parametrize("value", [-0.5, -123.456, -7e-9, 0.25**12])
@pytest.mark.parametrize("fmt", [".3f", ".2e", ".4g", ",.2f"])
def test_prose_never_has_ascii_hyphen_and_tex_never_has_unicode_minus(value, fmt):
    prose = format_number(value, fmt, tex=False)
    tex = format_number(value, fmt, tex=True)
    assert "-" not in prose
    assert MINUS not in tex
    assert prose.startswith(MINUS) == (value < 0)
    assert tex.startswith("-") == (value < 0)


# --- registering -----------------------------------------------------------------------------


@pytest.fixture
def fresh(monkeypatch):
    """Empty registries for the duration of one test; the real ones are left untouched."""
    monkeypatch.setattr(registry, "NUMBERS", {})
    monkeypatch.setattr(registry, "FIGURES", {})
    return registry


def _three() -> float:
    return 3.0


def _four() -> float:
    return 4.0


def _draw_a(fig, theme) -> None:
    fig.add_subplot()


def _draw_b(fig, theme) -> None:
    fig.add_subplot()


def test_number_registers_and_returns_function(fresh):
    assert fresh.number("three")(_three) is _three
    entry = fresh.NUMBERS["three"]
    assert entry.name == "three"
    assert entry.fmt == ".3f"  # the default
    assert entry.value() == 3.0
    assert type(entry.value()) is float
    assert entry.source == f"{__name__}._three:{_three.__code__.co_firstlineno}"
    fresh.number("four", ".1e")(_four)
    assert fresh.NUMBERS["four"].fmt == ".1e"
    assert sorted(fresh.NUMBERS) == ["four", "three"]


def test_number_value_is_computed_on_demand(fresh):
    box = [1.0]
    fresh.number("box")(lambda: box[0])
    assert fresh.NUMBERS["box"].value() == 1.0
    box[0] = 2.0
    assert fresh.NUMBERS["box"].value() == 2.0


def test_number_same_function_twice_is_allowed(fresh):
    # what happens when a module is imported (or reloaded) a second time
    fresh.number("three")(_three)
    fresh.number("three")(_three)
    assert fresh.NUMBERS["three"].value() == 3.0


def test_number_same_name_from_different_function_raises(fresh):
    fresh.number("n")(_three)
    with pytest.raises(ValueError, match="'n'"):
        fresh.number("n")(_four)
    assert fresh.NUMBERS["n"].value() == 3.0  # the first registration survives


def test_real_number_names_cannot_be_hijacked():
    with pytest.raises(ValueError, match="'h'"):
        registry.number("h")(_four)
    assert NUMBERS["h"].value() != 4.0


def test_number_same_name_from_two_lambdas_raises(fresh):
    fresh.number("dup")(lambda: 1.0)
    with pytest.raises(ValueError, match="'dup'"):
        fresh.number("dup")(lambda: 2.0)


def test_figure_registers_and_rejects_duplicates(fresh):
    assert fresh.figure("a")(_draw_a) is _draw_a
    assert fresh.FIGURES["a"].size == (6.4, 3.6)  # the default
    assert fresh.FIGURES["a"].draw is _draw_a
    fresh.figure("b", size=(3.0, 2.0))(_draw_b)
    assert fresh.FIGURES["b"].size == (3.0, 2.0)
    fresh.figure("a")(_draw_a)  # same function again: fine
    with pytest.raises(ValueError, match="'a'"):
        fresh.figure("a")(_draw_b)
    assert fresh.FIGURES["a"].draw is _draw_a


def test_the_article_registries_are_populated():
    # names the pages use; each must exist
    for name in ["x", "W1", "W2", "y", "h", "y_hat", "loss", "dL_dW1", "dL_dW2",
                 "sigma_prime_max"]:
        assert name in NUMBERS
    assert {"network", "sigmoid"} <= set(FIGURES)


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_every_registered_number_is_a_finite_float(name):
    entry = NUMBERS[name]
    value = entry.value()
    assert type(value) is float
    assert math.isfinite(value)
    text = format_number(value, entry.fmt, tex=False)
    assert text
    assert "nan" not in text.lower()
    assert "inf" not in text.lower()


def test_some_registered_numbers_against_closed_forms():
    # sigma'(0) = 1/4, sigma(0) = 1/2, sigma'(z) = e^-z / (1 + e^-z)^2
    assert NUMBERS["sigma_prime_max"].value() == 0.25
    assert NUMBERS["sigma_at_0"].value() == 0.5
    sp2 = math.exp(-2) / (1 + math.exp(-2)) ** 2
    sp5 = math.exp(-5) / (1 + math.exp(-5)) ** 2
    assert NUMBERS["sigma_prime_at_2"].value() == pytest.approx(sp2, rel=1e-12)
    assert NUMBERS["sigma_prime_at_5"].value() == pytest.approx(sp5, rel=1e-10)
    assert NUMBERS["sigma_prime_2_ratio"].value() == pytest.approx(0.25 / sp2, rel=1e-12)
    assert NUMBERS["sigma_prime_5_ratio"].value() == pytest.approx(0.25 / sp5, rel=1e-10)
    assert format_number(NUMBERS["sigma_prime_at_2"].value(), ".3f", tex=False) == "0.105"


# --- render_svg ------------------------------------------------------------------------------

ISO_DATE = re.compile(rb"(19|20)\d\d-[01]\d-[0-3]\d")


@pytest.fixture(scope="module")
def rendered():
    """Every registered figure in both colour schemes, rendered once for the module."""
    return {(name, scheme): render_svg(name, scheme)
            for name in sorted(FIGURES) for scheme in ("light", "dark")}


def test_every_figure_renders_in_both_schemes(rendered):
    assert set(THEMES) == {"light", "dark"}
    for (name, scheme), svg in rendered.items():
        assert isinstance(svg, bytes), (name, scheme)
        assert svg.lstrip().startswith(b"<?xml"), (name, scheme)
        assert b"<svg" in svg
        assert svg.rstrip().endswith(b"</svg>"), (name, scheme)
        # the scheme's foreground colour is actually used
        assert THEMES[scheme]["fg"].lower().encode() in svg.lower(), (name, scheme)
    for name in FIGURES:
        assert rendered[(name, "light")] != rendered[(name, "dark")], name


def test_render_svg_is_deterministic(rendered):
    name = "network" if "network" in FIGURES else sorted(FIGURES)[0]
    assert render_svg(name, "light") == rendered[(name, "light")]


def test_render_svg_has_no_timestamp(rendered):
    for key, svg in rendered.items():
        assert b"<dc:date" not in svg, key
        assert not ISO_DATE.search(svg), key


def test_unclip_markers_frees_edge_markers_and_only_lines_inside_the_axes():
    import io

    from matplotlib.figure import Figure

    from vgsite.theme import unclip_markers

    def draw(unclip: bool):
        fig = Figure(figsize=(3, 2))
        ax = fig.add_subplot()
        inside = ax.plot([0, 1, 2], [0, 1, 2], marker="o", markersize=12)[0]  # last marker on the corner
        outside = ax.plot([0, 3], [1, 1], marker="s")[0]  # its second point is beyond the limit
        bare = ax.plot([0, 2], [2, 0])[0]  # no markers
        axes_coords = ax.plot([0.5], [0.5], marker="^", transform=ax.transAxes)[0]
        logged = fig.add_subplot(2, 2, 4)
        logged.set_yscale("log")
        log_line = logged.plot([1, 10], [1e-3, 1], marker="v")[0]
        logged.set_xlim(1, 10)
        logged.set_ylim(1e-3, 1)
        ax.set_xlim(0, 2)
        ax.set_ylim(0, 2)
        if unclip:
            unclip_markers(fig)
        return fig, (inside, outside, bare, axes_coords, log_line)

    _, (inside, outside, bare, axes_coords, log_line) = draw(True)
    assert not inside.get_clip_on() and not log_line.get_clip_on()
    assert outside.get_clip_on() and bare.get_clip_on() and axes_coords.get_clip_on()
    # and the picture changes: the corner marker's outer three quarters are drawn.
    svgs = []
    for unclip in (False, True):
        buf = io.BytesIO()
        draw(unclip)[0].savefig(buf, format="svg")
        svgs.append(buf.getvalue())
    assert svgs[0] != svgs[1]


_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?")


def test_round_coordinates_moves_no_point_more_than_half_a_hundredth():
    """Compared with matplotlib's own six-decimal SVG of the same figure, number by number."""
    import io

    import matplotlib
    from matplotlib.figure import Figure

    from vgsite.theme import round_coordinates

    matplotlib.use("Agg", force=False)
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([0.123456, 1.987654, 2.5], [1 / 3, 2 / 7, 5 / 9], label="a curve")
    ax.set_xlabel("depth (layers)")
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "t"}):
        fig.savefig(buf, format="svg")
    raw = buf.getvalue()
    short = round_coordinates(raw)
    assert len(short) < len(raw)
    # The same numbers in the same order: only digits went, and none more than 0.005.
    before, after = _NUMBER.findall(raw), _NUMBER.findall(short)
    assert len(before) == len(after)
    moved = [abs(float(a) - float(b)) for a, b in zip(before, after, strict=True)]
    assert max(moved) <= 0.005 + 1e-12
    assert any(m > 0 for m in moved)
    # Glyph scale factors keep every digit (0.015625 rounded would shrink the text by 36 %).
    assert re.findall(rb"scale\([^)]*\)", raw) == re.findall(rb"scale\([^)]*\)", short)
    assert b"scale(0.015625)" in short
    # Still one SVG document with the same elements.
    assert short.count(b"<path") == raw.count(b"<path") and short.rstrip().endswith(b"</svg>")


@pytest.mark.parametrize("name", ["no-such-figure", "", "Sigmoid"])
def test_render_svg_unknown_figure_raises(name):
    with pytest.raises(ValueError, match=r"^name\b"):
        render_svg(name, "light")


@pytest.mark.parametrize("scheme", ["blue", "", "Light", "slate"])
def test_render_svg_unknown_scheme_raises(scheme):
    with pytest.raises(ValueError, match=r"^scheme\b"):
        render_svg(sorted(FIGURES)[0], scheme)


def _svg_with_axes_at(left: float) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.hashsalt": "vgdocs"}):
        fig = Figure(figsize=(3, 2))
        fig.add_axes((left, 0.1, 0.8, 0.8)).plot([0, 1], [0, 1])
        fig.add_axes((0.5, 0.5, 0.3, 0.3)).plot([0, 1], [1, 0])
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def test_clip_names_do_not_depend_on_the_last_bits_of_the_layout():
    """Two builds once differed only in clip-path names: matplotlib hashes the clip bounds' repr."""
    from vgsite.theme import stable_clip_ids

    a, b = _svg_with_axes_at(0.1), _svg_with_axes_at(0.1 + 1e-13)
    assert a != b  # matplotlib's own names differ for a bound that moved by 1e-13
    assert stable_clip_ids(a) == stable_clip_ids(b)
    out = stable_clip_ids(a).decode()
    assert re.findall(r'<clipPath id="([^"]+)"', out) == ["clip0", "clip1"]
    # every reference points at a defined clip path, and no old name is left
    assert set(re.findall(r"url\(#([^)]+)\)", out)) == {"clip0", "clip1"}
    assert not re.search(r'"p[0-9a-f]{10}"|#p[0-9a-f]{10}\)', out)


@pytest.mark.parametrize("name", ["network", "explode-relu-vs-sigmoid"])
def test_shared_mathtext_gives_the_bytes_of_matplotlibs_own_cache(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures drawn with one mathtext table for all renderers are byte for byte those drawn
    with matplotlib's own per-renderer cache, and a second drawing parses no string again."""
    from matplotlib.mathtext import MathTextParser

    from vgsite.theme import share_mathtext_parses

    assert share_mathtext_parses(), "matplotlib's MathTextParser._parse_cached is no longer an lru_cache"
    shared = MathTextParser._parse_cached
    fresh = {}
    with monkeypatch.context() as m:
        m.setattr(MathTextParser, "_parse_cached", shared.original)
        for scheme in THEMES:
            fresh[scheme] = render_svg(name, scheme)
    assert MathTextParser._parse_cached is shared
    shared.table.clear()
    assert {scheme: render_svg(name, scheme) for scheme in THEMES} == fresh
    parsed = len(shared.table)
    assert parsed > 0, f"{name} draws no mathtext, so it checks nothing here"
    for scheme in THEMES:  # new renderers: every string is found in the table, none parsed again
        render_svg(name, scheme)
    assert len(shared.table) == parsed, "the second drawing parsed mathtext again"
