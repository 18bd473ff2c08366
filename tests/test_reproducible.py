"""Reproducible build: two clean builds with the same SOURCE_DATE_EPOCH are byte-identical.

Build A is this checkout with its figure/output cache (``.cache/vgdocs``) as it is. Build B is a
fresh copy of the project elsewhere on disk (tracked plus untracked-but-not-ignored files,
``node_modules`` linked), whose cache starts empty but for the stored training runs
(``vgsite.experiment``; the suite computes them once, and their determinism, same seed to the
same bytes, is tested in ``tests/test_training.py`` and ``tests/test_sequence_training.py``):
every figure is drawn, every example and the notebook run, every number is computed anew. Both
go to fresh output directories, side by side (one per core). Every file of the two sites must
have the same SHA-256: pages, search index, sitemaps, figures, KaTeX output, notebook page.
Build C then builds B's copy again, reading everything from the caches B filled (figures,
numbers, math, the notebook, the API reference's entries and the search sections), and must
give B's files byte for byte: a cache can make a build faster, never different.

The differences, if any, are written to ``tests/artifacts/reproducible/`` as unified diffs.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import os
import re
import struct
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import copy_project, give_stored_experiments, mkdocs_build

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts" / "reproducible"
EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z: any fixed instant will do
TEXT = {".html", ".xml", ".json", ".css", ".js", ".svg", ".txt", ".ipynb", ".map"}


def _build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return mkdocs_build(project, site, env={
        "SOURCE_DATE_EPOCH": str(EPOCH),
        # the copy's own package, for the build and the notebook kernel alike
        "PYTHONPATH": os.pathsep.join(filter(None, [str(project / "src"),
                                                    os.environ.get("PYTHONPATH")])),
        "PYTHONDONTWRITEBYTECODE": "1"})


def digests(site: Path) -> dict[str, str]:
    """SHA-256 of every file under ``site``, by path relative to it."""
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("repro")
    copy = copy_project(work / "copy")
    assert not (copy / ".cache").exists()
    give_stored_experiments(copy)  # computed once for the whole suite
    with ThreadPoolExecutor(max_workers=2) as pool:
        a = pool.submit(_build, ROOT, work / "site-a")
        b = pool.submit(_build, copy, work / "site-b")
        for name, run in (("A (this checkout, its cache)", a), ("B (fresh copy, empty cache)", b)):
            proc = run.result()
            assert proc.returncode == 0, f"build {name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return work / "site-a", work / "site-b"


@pytest.fixture(scope="module")
def rebuilt_from_caches(two_builds: tuple[Path, Path]) -> Path:
    """Build C: the copy of build B again, now with every cache B filled (a warm build)."""
    copy = two_builds[1].parent / "copy"
    cache = copy / ".cache" / "vgdocs"
    assert any(cache.glob("api/*/*.json")) and any(cache.glob("search/*.json")), (
        f"build B left no rendered API entries or search sections in {cache}")
    proc = _build(copy, copy.parent / "site-c")
    assert proc.returncode == 0, f"build C failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return copy.parent / "site-c"


def _diff(rel: str, a: Path, b: Path) -> str:
    pa, pb = a / rel, b / rel
    if pa.suffix == ".gz":
        da, db = pa.read_bytes(), pb.read_bytes()
        head = f"gzip header mtime {struct.unpack('<I', da[4:8])[0]} vs {struct.unpack('<I', db[4:8])[0]}"
        same = gzip.decompress(da) == gzip.decompress(db)
        return f"{rel}: {head}; decompressed content {'identical' if same else 'differs'}\n"
    if pa.suffix not in TEXT:
        return f"{rel}: binary files differ ({pa.stat().st_size} vs {pb.stat().st_size} bytes)\n"
    la = pa.read_text(encoding="utf-8", errors="replace").splitlines()
    lb = pb.read_text(encoding="utf-8", errors="replace").splitlines()
    # Long minified lines: split on tags/commas so the diff points at the spot.
    if max(map(len, la + lb), default=0) > 400:
        la = re.split(r"(?<=>)|(?<=,)", "\n".join(la))
        lb = re.split(r"(?<=>)|(?<=,)", "\n".join(lb))
    return "".join(f"{line}\n" for line in difflib.unified_diff(
        la, lb, f"A/{rel}", f"B/{rel}", n=1, lineterm=""))


def test_two_clean_builds_are_byte_identical(two_builds: tuple[Path, Path]) -> None:
    _assert_identical(*two_builds)


def test_a_build_from_the_caches_is_byte_identical_to_a_fresh_one(
        two_builds: tuple[Path, Path], rebuilt_from_caches: Path) -> None:
    """Figures, numbers, math, API entries and search sections read back from the cache (tools/vgsite)."""
    _assert_identical(two_builds[1], rebuilt_from_caches)


def _assert_identical(a: Path, b: Path) -> None:
    da, db = digests(a), digests(b)
    assert len(da) > 20, f"only {len(da)} files in the site"
    only_a, only_b = sorted(da.keys() - db.keys()), sorted(db.keys() - da.keys())
    differ = sorted(k for k in da.keys() & db.keys() if da[k] != db[k])
    if not (only_a or only_b or differ):
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = [f"only in A: {p}" for p in only_a] + [f"only in B: {p}" for p in only_b]
    for rel in differ:
        text = _diff(rel, a, b)
        (ARTIFACTS / (rel.replace("/", "__") + ".diff")).write_text(text, encoding="utf-8")
        report.append(f"differs: {rel}\n    " + "\n    ".join(text.splitlines()[:12]))
    pytest.fail(f"{len(only_a) + len(only_b) + len(differ)} file(s) differ between two builds "
                f"with SOURCE_DATE_EPOCH={EPOCH} (diffs in {ARTIFACTS}):\n" + "\n".join(report),
                pytrace=False)


def test_dates_in_the_build_come_from_source_date_epoch(two_builds: tuple[Path, Path]) -> None:
    """The sitemap's dates and the gzip header's mtime come from the epoch, not the build time."""
    a, _ = two_builds
    day = time.strftime("%Y-%m-%d", time.gmtime(EPOCH))
    sitemap = (a / "sitemap.xml").read_text(encoding="utf-8")
    lastmods = set(re.findall(r"<lastmod>([^<]+)</lastmod>", sitemap))
    assert lastmods <= {day}, f"sitemap.xml <lastmod> {lastmods}, expected only {day}"
    # mkdocs stamps the gzip header with the newest page date, at midnight UTC (date precision).
    gz = (a / "sitemap.xml.gz").read_bytes()
    midnight = EPOCH - EPOCH % 86_400
    assert struct.unpack("<I", gz[4:8])[0] == midnight, (
        f"sitemap.xml.gz header mtime {struct.unpack('<I', gz[4:8])[0]}, expected {midnight}")
    assert gzip.decompress(gz).decode("utf-8") == sitemap
