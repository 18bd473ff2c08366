# The page files docs/<page>.py: found, imported and looked up by page name.
"""Load the code that goes with each page.

Every page ``docs/<page>.md`` that shows computed numbers or figures has a file
``docs/<page>.py`` beside it: the page's experiment settings (sizes, seeds), the numbers it
registers and the figures it draws, built on the library ``vgdocs``. The files are imported by
path, as modules named ``vgsite.pages.<page>`` (``-`` becomes ``_``), so their names can
follow the pages' names exactly.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from vgsite import registry

DOCS = Path(__file__).resolve().parents[2] / "docs"
PREFIX = "vgsite.pages."


def page_files(docs: Path = DOCS) -> list[Path]:
    """The page files, ``docs/**/<page>.py``, in a fixed order."""
    return sorted(p for p in docs.rglob("*.py") if "snippets" not in p.parts)


def module_name(path: Path, docs: Path = DOCS) -> str:
    """``docs/gated-cells.py`` -> ``vgsite.pages.gated_cells``."""
    rel = path.relative_to(docs).with_suffix("")
    return PREFIX + ".".join(part.replace("-", "_") for part in rel.parts)


def load(path: Path, docs: Path = DOCS) -> ModuleType:
    """Import one page file (once; later calls return the module already imported)."""
    name = module_name(path, docs)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import the page file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    registry.LOADING.append(path.relative_to(docs).as_posix())
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    finally:
        registry.LOADING.pop()
    return module


def load_all(docs: Path = DOCS) -> list[ModuleType]:
    """Import every page file, so that all numbers and figures are registered."""
    return [load(p, docs) for p in page_files(docs)]


def page(name: str, docs: Path = DOCS) -> ModuleType:
    """The code of the page ``name`` (``"gated-cells"`` is ``docs/gated-cells.py``)."""
    path = docs / f"{name}.py"
    if not path.is_file():
        known = ", ".join(p.relative_to(docs).with_suffix("").as_posix() for p in page_files(docs))
        raise ValueError(f"name must be a page with a page file ({known}); got {name!r}")
    return load(path, docs)
