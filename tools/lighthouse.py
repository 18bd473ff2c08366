"""Lighthouse (pinned in package-lock.json) on built pages, mobile preset, served with gzip.

    python tools/lighthouse.py SITE [PAGE ...] [--runs N]   # every page when none is named

Prints one row per page: performance, accessibility, best practices, SEO, first contentful
paint, total blocking time, cumulative layout shift and DOM size. ``make bench`` calls
:func:`audit_sites` for the site and for the bare Material floor, interleaved.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from browser import CHROMIUM_ARGS, find_chromium, serve_site  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def pages_of(site: Path) -> list[str]:
    """Every page of a built site, as a URL path ('' is the home page)."""
    rels = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html"))
    return ["" if r == "./" else r for r in rels if not r.startswith("404")]


def _one(url: str, out: Path) -> dict[str, float]:
    chrome = find_chromium()
    if chrome is None:
        raise SystemExit("Lighthouse needs a Chromium: install Debian's chromium or set CHROMIUM_PATH")
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    cmd = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
           f"--chrome-flags={flags}", f"--only-categories={','.join(CATEGORIES)}"]
    proc = subprocess.run(cmd, env={**os.environ, "CHROME_PATH": chrome}, capture_output=True, text=True,
                          timeout=300)
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(f"lighthouse failed on {url}:\n{proc.stderr[-2000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise SystemExit(f"lighthouse could not measure {url}: {report['runtimeError']}")
    audits = report["audits"]
    missing = [k for k in ("first-contentful-paint", "total-blocking-time", "cumulative-layout-shift")
               if "numericValue" not in audits.get(k, {})]
    if missing:
        raise SystemExit(f"lighthouse measured no {', '.join(missing)} on {url} "
                         f"({audits.get(missing[0], {}).get('errorMessage', 'no message')})")
    row = {c: report["categories"][c]["score"] for c in CATEGORIES}
    row |= {
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "dom": audits["dom-size"].get("numericValue", 0),
        "bytes": audits["total-byte-weight"]["numericValue"],
    }
    return row


def _median(rows: list[dict[str, float]]) -> dict[str, float]:
    """Each measure's median over repeated runs (its own median: the runs need not agree)."""
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]}


def audit(site: Path, pages: list[str] | None = None, keep: Path | None = None,
          runs: int = 1) -> dict[str, dict[str, float]]:
    """Lighthouse's mobile preset on each page of ``site``, served with gzip on a local port.

    ``runs`` > 1 measures each page that many times and keeps each measure's median (what
    Lighthouse's documentation advises: one run's simulated timings move with the machine's
    load). With ``keep``, each page's last JSON report is left there (``<page>.json``).
    """
    return audit_sites({"site": site}, pages, keep, runs)["site"]


def audit_sites(sites: dict[str, Path], pages: list[str] | None = None, keep: Path | None = None,
                runs: int = 1) -> dict[str, dict[str, dict[str, float]]]:
    """:func:`audit` over several sites, interleaved: each run of a page visits every site in turn.

    ``make bench`` measures the site and its bare Material floor this way, so that a slow spell
    of the machine weighs on both alike. A page missing from a site (the floor has no notebook)
    is skipped there. Returns ``{site name: {page: medians}}``.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    first = next(iter(sites.values()))
    pages = pages_of(first) if pages is None else pages
    measured: dict[str, dict[str, list[dict[str, float]]]] = {name: {} for name in sites}
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        bases = {name: stack.enter_context(serve_site(site, compress=True)) for name, site in sites.items()}
        where = Path(tmp) if keep is None else keep
        where.mkdir(parents=True, exist_ok=True)
        for rel in pages:
            stem = rel.strip("/").replace("/", "__") or "index"
            for _ in range(runs):
                for name, site in sites.items():
                    if not (site / rel / "index.html").is_file():
                        continue
                    report = where / (f"{stem}.json" if len(sites) == 1 else f"{stem}.{name}.json")
                    row = _one(f"{bases[name]}{rel}", report)
                    measured[name].setdefault(rel or "/", []).append(row)
    return {name: {page: _median(rs) for page, rs in by_page.items()} for name, by_page in measured.items()}


def table(rows: dict[str, dict[str, float]]) -> list[str]:
    """Markdown rows: one per page."""
    out = ["| Page | Perf. | A11y | Best pr. | SEO | FCP | TBT | CLS | DOM elements | Transferred |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for page, r in rows.items():
        out.append(f"| `{page}` | {r['performance']:.2f} | {r['accessibility']:.2f} | {r['best-practices']:.2f} "
                   f"| {r['seo']:.2f} | {r['fcp_ms'] / 1000:.2f} s | {r['tbt_ms']:.0f} ms | {r['cls']:.3f} "
                   f"| {r['dom']:,.0f} | {r['bytes']:,.0f} B |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("pages", nargs="*")
    ap.add_argument("--keep", type=Path, help="leave each page's JSON report in this directory")
    ap.add_argument("--runs", type=int, default=1, help="runs per page; each measure's median is shown")
    args = ap.parse_args()
    rows = audit(args.site, args.pages or None, args.keep, args.runs)
    print("\n".join(table(rows)))


if __name__ == "__main__":
    main()
