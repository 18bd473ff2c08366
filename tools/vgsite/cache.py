# The code behind every number and figure, hashed: caches of numbers, figures and experiments live under it.
"""The hash that names the build caches.

A number, a figure or an experiment depends on the library (``src/vgdocs``), the page files
(``docs/**/*.py``), the site machinery (``tools/vgsite``), the hooks module, and the versions of
Python, numpy and matplotlib. Any change to one of them gives another hash, so a cache entry is
never reused for code that could compute something else.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def code_files(root: Path = ROOT) -> list[tuple[str, Path]]:
    """``(name, path)`` of every file whose content the hash covers, in a fixed order."""
    roots = {"src": (root / "src", "vgdocs/**/*.py"), "tools": (root / "tools", "vgsite/**/*.py"),
             "docs": (root / "docs", "**/*.py")}
    files = [(f"{label}/{p.relative_to(base).as_posix()}", p)
             for label, (base, pattern) in roots.items() for p in sorted(base.glob(pattern))]
    return [*files, ("tools/mkdocs_hooks.py", root / "tools" / "mkdocs_hooks.py")]


def code_hash(files: list[tuple[str, Path]] | None = None) -> str:
    """Sixteen hex digits of SHA-256 over ``files`` (default :func:`code_files`) and the library versions."""
    h = hashlib.sha256()
    for name, path in code_files() if files is None else files:
        h.update(name.encode())
        h.update(path.read_bytes())
    import matplotlib
    import numpy

    h.update(f"{matplotlib.__version__} {numpy.__version__} {sys.version}".encode())
    return h.hexdigest()[:16]
