"""A copy of the project in another directory, for builds that must not touch this checkout."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def project_files(root: Path = ROOT) -> list[str]:
    """Files git tracks plus untracked files that are not ignored (what a commit would hold)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=root, capture_output=True, check=True).stdout.decode()
    return sorted({f for f in out.split("\0") if f and (root / f).is_file()})


def copy_project(dest: Path, root: Path = ROOT, keep: Callable[[str], bool] | None = None) -> Path:
    """Copy the project's files (those ``keep`` accepts) to ``dest``; link ``node_modules``."""
    for rel in project_files(root):
        if keep is not None and not keep(rel):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, target)
    if (root / "node_modules").exists():
        (dest / "node_modules").symlink_to(root / "node_modules", target_is_directory=True)
    return dest
