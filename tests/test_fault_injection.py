"""Fault injection: break the site in seven ways and check that the gates catch each, for its reason.

A copy of the project (the files git tracks plus untracked files that are not ignored, with
``node_modules`` linked and this interpreter's packages) is built once as it is: that control
build must pass. Then, in a fresh copy each, one fault is injected and the strict build, or the
named test, must fail with a message that names the fault: not merely a non-zero exit.

The control starts from the checkout's figure and output cache (entries are keyed by hashes of
the code they depend on, so only fitting ones are used). Then the cases run two at a time (one
per core), each in a clone of the control with its warm cache: only what a fault touches is
computed again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import copy_project, give_stored_experiments, mkdocs_build

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
PAGE = "docs/article.md"  # the page every docs fault is injected into
NOTEBOOKS = "docs/notebooks"
WORKERS = 2
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


# ---------------------------------------------------------------------------- the project copy


def seed_cache(root: Path, dest: Path) -> None:
    """Copy the checkout's figure/output cache into a copy, so its control build starts warm.

    Entries are keyed by a hash of the package source, so the copy uses exactly those that fit
    it. Only complete entries are taken (others may be writing the cache right now): SVG files and
    stored training runs (``.npz``), which are written atomically, and JSON files that parse.
    """
    src = root / ".cache" / "vgdocs"
    for path in sorted(src.rglob("*")) if src.is_dir() else []:
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".json":
            try:
                json.loads(data)
            except ValueError:
                continue
        elif path.suffix not in (".svg", ".npz"):
            continue
        target = dest / ".cache" / "vgdocs" / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def clone(base: Path, dest: Path) -> Path:
    """A copy of an already-built project copy, with its warm ``.cache`` but not its site."""
    shutil.copytree(base, dest, symlinks=True, ignore=shutil.ignore_patterns("site", "__pycache__"))
    return dest


def copy_env(project: Path) -> dict[str, str]:
    """Environment for a copy: its own ``src`` first, so the build, the notebook kernel and pytest
    import the copy's ``vgdocs`` rather than the editable install of this checkout."""
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(project / "src"),
                                                        os.environ.get("PYTHONPATH")])),
            "PYTHONDONTWRITEBYTECODE": "1"}


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n",
                    encoding="utf-8")


# ---------------------------------------------------------------------------- the faults


@dataclass(frozen=True)
class Fault:
    """One way to break the site, and what a correct failure says about it."""

    name: str
    what: str
    inject: Callable[[Path], None]
    # Every pattern must be found in the failing run's output (case-sensitive regexes).
    expect: tuple[str, ...]
    run: str = "build"  # "build": strict mkdocs build; "numbers": tests/test_site_numbers.py


def _python_raises(p: Path) -> None:
    append(p / PAGE, '```python\nraise ValueError("vgdocs fault injection: example raises")\n```')


def _notebook_cell_raises(p: Path) -> None:
    import nbformat

    nb_path = sorted((p / NOTEBOOKS).glob("*.ipynb"))[0]
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        'raise RuntimeError("vgdocs fault injection: notebook cell raises")', id="fault-injection"))
    nbformat.write(nb, nb_path)


def _invalid_tex(p: Path) -> None:
    append(p / PAGE, r"A formula with a typo: $\sigmoidd(z) + 1$.")


def _broken_link(p: Path) -> None:
    append(p / PAGE, "See [a page that does not exist](no-such-page.md).")


def _broken_anchor(p: Path) -> None:
    append(p / PAGE, "See [a section that does not exist](#no-such-heading).")


def _missing_figure(p: Path) -> None:
    append(p / PAGE, "![A figure that no function in the package draws at all]"
                     "(figures/no-such-figure.svg)")


def _number_drifts(p: Path) -> None:
    """Make the registration of ``h`` depend on process state as well as on its inputs.

    The process id stands in for an unseeded random generator or a clock: the build computes one
    value and the test's own call another (the build runs in a child process of pytest, so the
    two ids always differ). The displayed number no longer matches its function.
    """
    path = p / "docs" / "article.py"  # the article's page file registers its numbers
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(r'^(number\(\s*"h"[^)\n]*\)\(\s*lambda\s*:\s*)(.+)\)[ \t]*$', re.M)
    assert pattern.search(text), f'no one-line `number("h")(lambda: ...)` registration in {path}'
    path.write_text(pattern.sub(r'\1(\2) + __import__("os").getpid())', text, count=1), encoding="utf-8")


FAULTS = [
    Fault("python-example-raises", "a python code example that raises", _python_raises,
          (r"article\.md: python block \d+ raised", r"ValueError: vgdocs fault injection: example raises",
           r"Aborted with \d+ warnings in strict mode")),
    Fault("notebook-cell-raises", "a notebook cell that raises", _notebook_cell_raises,
          (r"Error reading page 'notebooks/[\w-]+\.ipynb'", r"CellExecutionError",
           r"RuntimeError: vgdocs fault injection: notebook cell raises")),
    Fault("invalid-tex", "invalid TeX", _invalid_tex,
          (r"article\.md: KaTeX cannot render", r"sigmoidd", r"Undefined control sequence",
           r"Aborted with \d+ warnings in strict mode")),
    Fault("broken-link", "a link to a missing page", _broken_link,
          (r"article\.md", r"no-such-page\.md", r"not found",
           r"Aborted with \d+ warnings in strict mode")),
    Fault("broken-anchor", "a link to a missing anchor", _broken_anchor,
          (r"article\.md", r"#no-such-heading", r"no such anchor",
           r"Aborted with \d+ warnings in strict mode")),
    Fault("missing-figure", "a figure that is not drawn", _missing_figure,
          (r"article\.md", r"figures/no-such-figure(-dark)?\.svg", r"not found",
           r"Aborted with \d+ warnings in strict mode")),
    Fault("number-drifts", "a displayed number that no longer matches its function", _number_drifts,
          (r"FAILED tests/test_site_numbers\.py::test_every_displayed_number_matches_its_function",
           r"article/index\.html: h shows '[\d.,-]+', its function gives '[\d.,-]+'"),
          run="numbers"),
]


def _links_mkdocs_cannot_see(p: Path) -> None:
    """The three link faults above, plus a link in raw HTML, which mkdocs does not validate."""
    _broken_link(p)
    _broken_anchor(p)
    _missing_figure(p)
    append(p / PAGE, '<p>Raw HTML: <a href="../no-such-raw-page/">a page that does not exist</a>.</p>')


# Not one of the seven: the built-HTML link check of tests/test_links.py, on a site built
# WITHOUT --strict (as if mkdocs' own validation had been switched off or bypassed).
LINK_CHECK = Fault("links-in-built-html", "broken links, anchors and images in the built HTML",
                   _links_mkdocs_cannot_see,
                   (r"no-such-page\.md", r"no id or name 'no-such-heading'",
                    r"figures/no-such-figure\.svg", r"no-such-raw-page"), run="links")


# ---------------------------------------------------------------------------- running them


@dataclass
class Outcome:
    fault: Fault
    returncode: int | None
    log: str
    skipped: str | None = None
    seconds: float = 0.0


def _run(fault: Fault, project: Path) -> Outcome:
    start = time.perf_counter()
    fault.inject(project)
    env = copy_env(project)
    if fault.run == "numbers":
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
             "tests/test_site_numbers.py::test_every_displayed_number_matches_its_function"],
            cwd=project, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
            capture_output=True, text=True, timeout=900)
    elif fault.run == "links":
        proc = mkdocs_build(project, project / "site", strict=False, env=env)
        if proc.returncode == 0:
            from test_links import check_site

            problems, _ = check_site(project / "site")
            return Outcome(fault, 1 if problems else 0, "\n".join(problems),
                           seconds=time.perf_counter() - start)
    else:
        proc = mkdocs_build(project, project / "site", env=env)
    # IPython colours the notebook's traceback: strip the ANSI codes before matching.
    return Outcome(fault, proc.returncode, _ANSI.sub("", proc.stdout + proc.stderr),
                   seconds=time.perf_counter() - start)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every fault's run, two at a time; raises if the unbroken control build fails."""
    work = tmp_path_factory.mktemp("faults")
    pristine = copy_project(work / "pristine")
    seed_cache(ROOT, pristine)
    give_stored_experiments(pristine)  # trained once for the whole suite, under its locks
    has_notebook = any((pristine / NOTEBOOKS).glob("*.ipynb"))
    results: dict[str, Outcome] = {}
    lock = threading.Lock()

    def run(fault: Fault) -> None:
        if fault.name == "notebook-cell-raises" and not has_notebook:
            out = Outcome(fault, None, "", skipped=f"no notebook in {NOTEBOOKS}/")
        else:
            out = _run(fault, clone(pristine, work / fault.name))
        with lock:
            results[fault.name] = out

    start = time.perf_counter()
    control = mkdocs_build(pristine, pristine / "site", env=copy_env(pristine))
    control_seconds = time.perf_counter() - start
    if control.returncode != 0:
        pytest.fail("the unbroken copy of the project does not build strictly, so no fault "
                    f"can be attributed:\n{control.stdout}\n{control.stderr}", pytrace=False)
    # Every case starts from the control's cache, so only what its fault touches is computed
    # again. The drift case changes a page file: that page's figures and numbers, and a build
    # inside pytest; it is the longest, so it goes first.
    order = sorted([*FAULTS, LINK_CHECK], key=lambda f: f.run != "numbers")
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures: list[Future[None]] = [pool.submit(run, f) for f in order]
        for f in futures:
            f.result()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "fault_injection.txt").write_text("".join(
        [f"control build: passed in {control_seconds:.1f} s\n"]
        + [f"{o.fault.name}: exit {o.returncode}, {o.seconds:.1f} s, "
           f"{'caught' if not _verdict(o) else '; '.join(_verdict(o))}\n"
           for o in (results[f.name] for f in [*FAULTS, LINK_CHECK]) if not o.skipped]),
        encoding="utf-8")
    return results


def _verdict(o: Outcome) -> list[str]:
    """What is wrong with how the fault was caught (empty: caught, for the right reason)."""
    if o.returncode == 0:
        return [f"{o.fault.what}: NOT caught, the {o.fault.run} run passed"]
    return [f"{o.fault.what}: failed, but the output does not match {pattern!r}"
            for pattern in o.fault.expect if not re.search(pattern, o.log)]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_fault_is_caught_for_its_reason(outcomes: dict[str, Outcome], fault: Fault) -> None:
    o = outcomes[fault.name]
    if o.skipped:
        pytest.xfail(f"cannot inject {fault.what}: {o.skipped}")
    problems = _verdict(o)
    assert not problems, "\n".join(problems) + f"\n--- output (last 4000 chars) ---\n{o.log[-4000:]}"


def test_seven_of_seven_faults_are_caught(outcomes: dict[str, Outcome]) -> None:
    seven = {f.name: outcomes[f.name] for f in FAULTS}
    caught = [name for name, o in seven.items() if not o.skipped and not _verdict(o)]
    missed = {name: _verdict(o) or [o.skipped] for name, o in seven.items() if name not in caught}
    assert len(FAULTS) == 7
    assert len(caught) == 7, f"{len(caught)} of 7 faults caught; missed: {missed}"


def test_link_check_catches_broken_links_without_mkdocs_validation(outcomes: dict[str, Outcome]) -> None:
    """tests/test_links.py finds all four, including the raw-HTML link mkdocs never looks at."""
    o = outcomes[LINK_CHECK.name]
    problems = _verdict(o)
    assert not problems, "\n".join(problems) + f"\n--- output ---\n{o.log[-4000:]}"


def test_the_shared_build_helper_is_really_strict(tmp_path: Path) -> None:
    """``conftest.mkdocs_build(strict=True)`` fails on a warning, or no test's build is strict.

    A regression guard, checked on a two-file project whose only page has a broken link (a
    warning): mkdocs 1.6's ``-q`` hides warnings from ``--strict`` (mkdocs/mkdocs#4126), so the
    helper must never pass it, and neither ``-v`` (mkdocs/mkdocs#3991, anchors).
    """
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: strict canary\n", encoding="utf-8")
    (tmp_path / "docs" / "index.md").write_text("# Canary\n\n[gone](no-such-page.md)\n",
                                                encoding="utf-8")
    proc = mkdocs_build(tmp_path, tmp_path / "site", strict=True)
    assert proc.returncode != 0, (
        "conftest.mkdocs_build(strict=True) built a page with a broken link without failing; "
        f"is it passing -q or -v again (mkdocs/mkdocs#4126, #3991)? args: {proc.args}")
    assert "no-such-page.md" in proc.stdout + proc.stderr
