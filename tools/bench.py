"""Benchmark the site build against a bare Material build of the same Markdown.

Prints a Markdown table and writes it to docs/snippets/benchmark.md, which the page
"How this site is built" includes. Run with `make bench`.

Measured, side by side in one run on this machine:
- clean `mkdocs build --strict` (empty figure/output cache) and warm build, each as a ratio
  to a bare Material build (theme and search only, no hooks or other plugins);
- `mkdocs serve` rebuild after a one-line prose edit, as a ratio to the bare serve rebuild;
- bytes of each page's first load in headless Chromium (every response body);
- each page file's compute time (all the numbers docs/<page>.py registers, in a fresh process).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import blas_kernel  # noqa: E402
from browser import launch, serve_site  # noqa: E402
from project import copy_project  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
blas_kernel.pin(ENV)
OUT = ROOT / "docs" / "snippets" / "benchmark.md"


def bare_config(project: Path) -> Path:
    """A bare Material config over the same docs: theme and search only, no hooks or plugins."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    cfg = yaml.load((project / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    bare = {
        "site_name": cfg["site_name"],
        "theme": {"name": "material", "font": False},
        "plugins": ["search"],
        "nav": cfg.get("nav"),
        "markdown_extensions": cfg.get("markdown_extensions"),
        "exclude_docs": "*.ipynb\n",
    }
    if bare["nav"]:
        bare["nav"] = _drop_notebooks(bare["nav"])
    path = project / "mkdocs-bare.yml"
    path.write_text(yaml.safe_dump(bare, sort_keys=False), encoding="utf-8")
    return path


def _drop_notebooks(nav):
    out = []
    for item in nav:
        if isinstance(item, dict):
            (k, v), = item.items()
            if isinstance(v, list):
                out.append({k: _drop_notebooks(v)})
            elif not str(v).endswith(".ipynb"):
                out.append(item)
        elif not str(item).endswith(".ipynb"):
            out.append(item)
    return out


def timed_build(project: Path, config: str, *, strict: bool, clean_cache: bool,
                keep_experiments: bool = False) -> float:
    """Seconds of one ``mkdocs build``; ``clean_cache`` empties the build caches first (all of them,
    or all but the stored training runs with ``keep_experiments``)."""
    if clean_cache:
        cache = project / ".cache"
        for path in cache.glob("*") if keep_experiments else [cache]:
            if not (keep_experiments and path.name == "vgdocs"):
                shutil.rmtree(path, ignore_errors=True)
        if keep_experiments:
            for path in (cache / "vgdocs").glob("*"):
                if path.name != "experiments":
                    shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
    site = project / "site-bench"
    shutil.rmtree(site, ignore_errors=True)
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", config, "-d", str(site)]  # no -q: see conftest
    if strict:
        cmd.append("--strict")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=project, env=ENV, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if strict and proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    return dt


def serve_rebuild(project: Path, config: str, port: int, edits: int = 3) -> float:
    """Median `mkdocs serve` rebuild time (as it logs it) after a one-line prose edit."""
    page = project / "docs" / "article.md"
    original = page.read_text(encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", config, "-a", f"127.0.0.1:{port}",
         "--livereload"],
        cwd=project, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    times: list[float] = []
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")),
                              daemon=True)
    reader.start()
    try:
        _wait_for(lines, "Serving on", 300)
        for i in range(edits):
            n = sum("Documentation built in" in ln for ln in lines)
            time.sleep(1.5)
            # The file watcher can miss an edit made just as it starts: edit again until it sees one.
            for attempt in range(10):
                page.write_text(original + f"\nA one-line prose edit, number {i}.{attempt}.\n",
                                encoding="utf-8")
                if _wait_for(lines, "Documentation built in", 20, after=n, fail=False):
                    break
            else:
                raise SystemExit(f"mkdocs serve never rebuilt:\n{''.join(lines[-30:])}")
            built = [ln for ln in lines if "Documentation built in" in ln]
            times.append(float(re.search(r"built in ([\d.]+) seconds", built[-1]).group(1)))
    finally:
        page.write_text(original, encoding="utf-8")
        proc.terminate()
        proc.wait(timeout=30)
    return statistics.median(times)


def _wait_for(lines: list[str], text: str, timeout: float, after: int = 0, fail: bool = True) -> bool:
    t0 = time.time()
    while time.time() - t0 < timeout:
        if sum(text in ln for ln in lines) > after:
            return True
        time.sleep(0.05)
    if fail:
        raise SystemExit(f"timed out waiting for {text!r}:\n{''.join(lines[-30:])}")
    return False


def page_bytes(site: Path) -> dict[str, tuple[int, int]]:
    """Bytes of every response the browser receives on a page's first load (empty cache).

    Returns (raw bytes, gzip bytes) per page: the second is what a server that compresses,
    such as GitHub Pages, sends over the wire.
    """
    pages = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html"))
    out: dict[str, tuple[int, int]] = {}
    with serve_site(site) as base, launch() as browser:
        for rel in pages:
            rel = "" if rel == "./" else rel
            ctx = browser.new_context()
            page = ctx.new_page()
            sizes: list[tuple[int, int]] = []

            def on_response(resp, sizes=sizes):
                # Redirects and aborted loads have no body.
                with contextlib.suppress(Exception):
                    body = resp.body()
                    sizes.append((len(body), len(gzip.compress(body, mtime=0))))

            page.on("response", on_response)
            page.goto(f"{base}{rel}", wait_until="networkidle")
            page.wait_for_timeout(200)
            out[rel or "/"] = (sum(r for r, _ in sizes), sum(g for _, g in sizes))
            ctx.close()
    return out


def number_times() -> dict[str, float]:
    """Seconds to compute every number of each page file, in a fresh process, experiments cached."""
    code = r"""
import json, sys, time
sys.path[:0] = sys.argv[1:3]
import vgsite, vgsite.cache, vgsite.experiments
from pathlib import Path
vgsite.experiments.configure(Path(sys.argv[3]))
vgsite.load_all()
times = {}
for num in vgsite.NUMBERS.values():
    t0 = time.perf_counter()
    num.value()
    times[num.page] = times.get(num.page, 0.0) + time.perf_counter() - t0
print(json.dumps(times))
"""
    with tempfile.TemporaryDirectory() as cache:
        experiment_times(Path(cache))  # fill the cache: a number's time is its own, not its training's
        proc = subprocess.run([sys.executable, "-c", code, str(ROOT / "src"), str(ROOT / "tools"), cache],
                              capture_output=True, text=True, check=True, env=ENV)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def experiment_times(cache: Path | None = None) -> tuple[dict[str, float], float]:
    """CPU seconds of each experiment (training run) on one thread, and the wall time of all of them
    shared out over the cores as the build does (fresh processes, nothing cached)."""
    code = r"""
import json, multiprocessing, os, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
sys.path[:0] = sys.argv[1:3]
import vgsite, vgsite.experiments as ex
vgsite.load_all()
ex.configure(Path(sys.argv[3]))
def timed(name):
    t0 = time.process_time(); ex.store(name); return time.process_time() - t0
names = sorted(ex.EXPERIMENTS)
t0 = time.perf_counter()
with ProcessPoolExecutor(os.cpu_count(), mp_context=multiprocessing.get_context("fork")) as pool:
    cpu = dict(zip(names, pool.map(timed, names)))
print(json.dumps({"cpu": cpu, "wall": time.perf_counter() - t0}))
"""
    with contextlib.ExitStack() as stack:
        where = cache or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        proc = subprocess.run([sys.executable, "-c", code, str(ROOT / "src"), str(ROOT / "tools"), str(where)],
                              capture_output=True, text=True, check=True, env=ENV)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["cpu"], out["wall"]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB memory, Python "
            f"{platform.python_version()}, {platform.system()} {platform.release()}")


TARGETS = {"cold": 6.0, "warm": 3.0, "rebuild": 1.5, "bytes": 1.5, "performance": 0.95, "score": 1.0,
           "tbt_ms": 150.0, "cls": 0.01, "fcp": 1.3, "training_s": 30.0}


def _path_cell(path: str) -> str:
    """A page's path as inline code that may wrap only after a ``/`` or ``_`` (never mid-word)."""
    breaks = path.replace("/", "/<wbr>").replace("_", "_<wbr>").removesuffix("<wbr>")
    return f'<code class="vg-path">{breaks}</code>'


def _pair(site: str, floor: str) -> str:
    """A table cell: the site's figure, the floor's under it in brackets; neither breaks inside."""
    nbsp = "\u00a0"
    return f"{site.replace(' ', nbsp)}<br>({floor.replace(' ', nbsp)})"


def _lighthouse_checks(r: dict[str, float], floor: dict[str, float]) -> dict[str, bool]:
    """Which Lighthouse targets a page's medians ``r`` meet (first paint against its floor page's)."""
    return {
        "performance": r["performance"] >= TARGETS["performance"],
        "tbt_ms": r["tbt_ms"] <= TARGETS["tbt_ms"],
        "cls": r["cls"] <= TARGETS["cls"],
        "fcp": r["fcp_ms"] <= TARGETS["fcp"] * floor["fcp_ms"],
        "score": min(r["accessibility"], r["best-practices"], r["seo"]) >= TARGETS["score"],
    }


def _ok(value: float, target: float, *, at_least: bool = False) -> str:
    met = value >= target if at_least else value <= target
    return "met" if met else "**not met**"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true", help="print the tables only")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse (about 15 s per page and run)")
    ap.add_argument("--lighthouse-runs", type=int, default=3,
                    help="Lighthouse runs per page, for the site and the floor alike; the table shows medians")
    args = ap.parse_args()
    rows: list[tuple[str, str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        bare = bare_config(project).name
        timed_build(project, bare, strict=False, clean_cache=True)  # warm the OS caches
        bare_t = min(timed_build(project, bare, strict=False, clean_cache=True) for _ in range(args.repeat))
        full_t = timed_build(project, "mkdocs.yml", strict=True, clean_cache=True)  # trains too
        cold_t = min(timed_build(project, "mkdocs.yml", strict=True, clean_cache=True, keep_experiments=True)
                     for _ in range(args.repeat))
        warm_t = min(timed_build(project, "mkdocs.yml", strict=True, clean_cache=False) for _ in range(args.repeat))
        rows.append(("Bare Material build (floor)", f"{bare_t:.2f} s", "1.00×", "—", ""))
        rows.append(("`mkdocs build --strict`, empty cache, training included", f"{full_t:.2f} s",
                     f"{full_t / bare_t:.1f}×", "—", ""))
        rows.append(("`mkdocs build --strict`, empty cache, training runs kept", f"{cold_t:.2f} s",
                     f"{cold_t / bare_t:.1f}×", f"≤ {TARGETS['cold']:.0f}×", _ok(cold_t / bare_t, TARGETS["cold"])))
        rows.append(("`mkdocs build --strict`, warm cache", f"{warm_t:.2f} s", f"{warm_t / bare_t:.1f}×",
                     f"≤ {TARGETS['warm']:.0f}×", _ok(warm_t / bare_t, TARGETS["warm"])))
        bare_r = serve_rebuild(project, bare, 8765)
        ours_r = serve_rebuild(project, "mkdocs.yml", 8766)
        rows.append(("`mkdocs serve` rebuild, bare floor", f"{bare_r:.2f} s", "1.00×", "—", ""))
        rows.append(("`mkdocs serve` rebuild after a one-line prose edit", f"{ours_r:.2f} s",
                     f"{ours_r / bare_r:.1f}×", f"≤ {TARGETS['rebuild']}×", _ok(ours_r / bare_r, TARGETS["rebuild"])))
        bare_site, site = project / "site-bare", project / "site-bench"
        shutil.rmtree(bare_site, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", bare, "-d", str(bare_site)], cwd=project,
                       env=ENV, capture_output=True, check=True)
        timed_build(project, "mkdocs.yml", strict=True, clean_cache=False)
        floor_sizes, sizes = page_bytes(bare_site), page_bytes(site)
        lighthouse = floor_lh = None
        if not args.no_lighthouse:
            from lighthouse import audit_sites

            both = audit_sites({"site": site, "floor": bare_site}, runs=args.lighthouse_runs)
            lighthouse, floor_lh = both["site"], both["floor"]
    table = ["| Measurement | Value | Ratio | Target | |", "|---|---:|---:|---:|---|"]
    table += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    size_table = ["| Page | Transferred (gzip) | Floor page (gzip) | Ratio | Target | Uncompressed | |",
                  "|---|---:|---:|---:|---:|---:|---|"]
    for page, (n, gz) in sizes.items():
        floor = floor_sizes.get(page, floor_sizes.get("/"))
        ratio = gz / floor[1]
        size_table.append(f"| {_path_cell(page)} | {gz:,} | {floor[1]:,} | {ratio:.2f}× | ≤ {TARGETS['bytes']}× "
                          f"| {n:,} | {_ok(ratio, TARGETS['bytes'])} |")
    lh_table: list[str] = []
    if lighthouse:
        lh_table = ["| Page | Performance (floor) | A11y / best pr. / SEO | TBT (floor) | CLS | FCP (floor) "
                    "| DOM elements | |",
                    "|---|---:|---:|---:|---:|---:|---:|---|"]
        met, floor_met = Counter(), Counter()
        for page, r in lighthouse.items():
            f = floor_lh.get(page, floor_lh.get("/"))
            checks = _lighthouse_checks(r, f)
            met.update(k for k, ok in checks.items() if ok)
            met["all"] += all(checks.values())
            floor_met.update(k for k, ok in _lighthouse_checks(f, f).items() if ok)
            perf = _pair(f"{r['performance']:.2f}", f"{f['performance']:.2f}")
            tbt = _pair(f"{r['tbt_ms']:.0f} ms", f"{f['tbt_ms']:.0f} ms")
            fcp = _pair(f"{r['fcp_ms'] / 1000:.2f} s", f"{f['fcp_ms'] / 1000:.2f} s")
            lh_table.append(
                f"| {_path_cell(page)} | {perf} "
                f"| {r['accessibility']:.2f} / {r['best-practices']:.2f} / {r['seo']:.2f} "
                f"| {tbt} | {r['cls']:.3f} | {fcp} | {r['dom']:,.0f} "
                f"| {'met' if all(checks.values()) else '**not met**'} |")
        n = len(lighthouse)
        lh_summary = (
            f"Of {n} pages: performance ≥ {TARGETS['performance']} on {met['performance']} "
            f"(the floor's pages: {floor_met['performance']}); total blocking time ≤ {TARGETS['tbt_ms']:.0f} ms on "
            f"{met['tbt_ms']} (floor: {floor_met['tbt_ms']}); first contentful paint ≤ {TARGETS['fcp']}× the "
            f"floor's on {met['fcp']}; layout shift ≤ {TARGETS['cls']} on {met['cls']}; every target on "
            f"{met['all']}.")
        lh_table += ["", lh_summary]
    cpu, wall = experiment_times()
    exp_table = ["| Training run (experiment) | CPU time, one thread |", "|---|---:|"]
    exp_table += [f"| `{name}` | {t:.1f} s |" for name, t in sorted(cpu.items())]
    exp_table.append(f"| **all, on {os.cpu_count()} worker processes (wall)** | {wall:.1f} s "
                     f"(target ≤ {TARGETS['training_s']:.0f} s: {_ok(wall, TARGETS['training_s'])}) |")
    nums = number_times()
    num_table = ["| Page file | Compute time of all its numbers (training runs cached) |", "|---|---:|"]
    num_table += [f"| `docs/{m}` | {t * 1000:.0f} ms |" for m, t in sorted(nums.items())]
    text = "\n".join([
        "<!-- Generated by tools/bench.py (`make bench`); do not edit by hand. -->",
        "", f"Measured on {machine()}.", "", *table, "", *size_table, "",
        *([f"Lighthouse 12.2.3, mobile preset, pages served with gzip; each figure is the median of "
           f"{args.lighthouse_runs} runs, the site's and the floor's runs taken in turn "
           f"(the floor's figure under the site's, in brackets):",
           "", *lh_table, ""] if lh_table else []),
        *exp_table, "", *num_table, "",
    ])
    print(text)
    if not args.no_write:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
