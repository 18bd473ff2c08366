# The code behind every number and figure, hashed: caches of numbers, figures and experiments live under it.
"""The hash that names the build caches.

:func:`code_hash` covers all the code behind the site: the library (``src/vgdocs``), the page
files (``docs/**/*.py``), the site machinery (``tools/vgsite``), the hooks module, the versions
of Python, numpy and matplotlib, and the OpenBLAS kernels (``tools/blas_kernel.py``); the hooks
re-import the package when it changes. A figure, a displayed number or an experiment (a training
run) depends on less: the library, *its own* page file and, for a figure, the theme, for a
number the site machinery (``tools/vgsite``, which loads its experiments): :func:`page_hash`.
Editing one page's code redraws that page's figures and recomputes its numbers and nothing else,
and no edit outside the library retrains another page's networks. Any change to what a hash
covers gives another hash, so a cache entry is never reused for code that could compute
something else.
"""

from __future__ import annotations

import functools
import hashlib
import os
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
    # The BLAS kernels change a training run's last bits (tools/blas_kernel.py).
    h.update(os.environ.get("OPENBLAS_CORETYPE", "").encode())
    return h.hexdigest()[:16]


@functools.cache
def page_hash(page: str, *, figure: bool = False, number: bool = False, root: Path = ROOT) -> str:
    """The hash of what one page file's experiments (with ``figure``, figures; with ``number``,
    numbers) depend on.

    ``page`` is the page file, ``"training.py"``. An experiment depends on the library, the page
    file and the versions; a figure also on the theme that draws it (``tools/vgsite/theme.py``);
    a number on all of ``tools/vgsite`` (the registry, and the loading of its experiments).
    ``""`` (something registered outside any page file) leaves the page file out.
    """
    if figure and number:
        raise ValueError("figure and number: at most one of them may be true")

    def machinery(name: str) -> bool:
        return name == "tools/vgsite/theme.py" if figure else number and name.startswith("tools/vgsite/")

    base = [f for f in code_files(root) if f[0].startswith("src/") or machinery(f[0])]
    return code_hash([*base, (f"docs/{page}", root / "docs" / page)] if page else base)
