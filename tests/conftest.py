"""Shared fixtures: the site is built once per test session and shared by every test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"


def mkdocs_build(project: Path, site_dir: Path, *, strict: bool = True,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build`` for ``project`` into ``site_dir`` and return the finished process."""
    # No -q: mkdocs 1.6 implements it by raising its log level, so --strict would count no
    # warnings (mkdocs/mkdocs#4126).
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(project / "mkdocs.yml"),
           "-d", str(site_dir)]
    if strict:
        cmd.append("--strict")
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run(cmd, cwd=project, env=full_env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built strictly from this checkout into a temporary directory."""
    out = tmp_path_factory.mktemp("site") / "site"
    proc = mkdocs_build(ROOT, out)
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    return out


@pytest.fixture(scope="session")
def html_pages(site_dir: Path) -> dict[str, str]:
    """Every built HTML page except the 404 page, by path relative to the site root."""
    return {
        p.relative_to(site_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(site_dir.rglob("*.html"))
        if p.name != "404.html"
    }
