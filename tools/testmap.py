"""Which tests exercise which package function: read from the test files' syntax trees.

Used by the build (each API reference entry names its tests) and by the tests (every
function a formula links to has at least one test).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


def _imports(tree: ast.Module) -> dict[str, str]:
    """Local name → dotted ``vgdocs`` path it was imported as."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("vgdocs"):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("vgdocs"):
                    names[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0])
    return names


def _references(node: ast.AST, imports: dict[str, str]) -> set[str]:
    """Dotted ``vgdocs`` paths referenced inside ``node`` (``f`` or ``module.f``)."""
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id in imports:
            found.add(imports[sub.id])
        elif isinstance(sub, ast.Attribute):
            chain = []
            cur: ast.AST = sub
            while isinstance(cur, ast.Attribute):
                chain.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name) and cur.id in imports:
                base = imports[cur.id]
                for attr in reversed(chain):
                    base = f"{base}.{attr}"
                    found.add(base)
    return found


def canonical(dotted: str) -> str:
    """``vgdocs.grad_W1`` → ``vgdocs.worked_example.grad_W1``: where the object is defined."""
    import importlib

    module, _, attr = dotted.partition(".")
    obj: object = importlib.import_module(module)
    path = module
    for part in attr.split(".") if attr else []:
        path = f"{path}.{part}"
        nxt = getattr(obj, part, None)
        if nxt is None:
            try:
                nxt = importlib.import_module(path)
            except ImportError:
                return dotted
        obj = nxt
    mod, qual = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(mod, str) and isinstance(qual, str) and mod.startswith("vgdocs"):
        return f"{mod}.{qual}"
    return dotted


@cache
def coverage_index(tests_dir: Path = TESTS) -> dict[str, tuple[str, ...]]:
    """Map each referenced ``vgdocs`` object to the tests that use it (cached by the tests' hash).

    See ``_coverage_index`` for the format; parsing every test file costs more than half a
    second, so the index is kept in ``.cache/vgdocs`` under a hash of the test files.
    """
    import hashlib
    import json

    h = hashlib.sha256()
    # The tests, and the package that says where each name is defined.
    for path in [*sorted(tests_dir.glob("test_*.py")), *sorted((ROOT / "src").rglob("*.py"))]:
        h.update(path.name.encode() + path.read_bytes())
    cached = ROOT / ".cache" / "vgdocs" / f"testmap.{h.hexdigest()[:16]}.json"
    if cached.exists():
        return {k: tuple(v) for k, v in json.loads(cached.read_text(encoding="utf-8")).items()}
    index = _coverage_index(tests_dir)
    cached.parent.mkdir(parents=True, exist_ok=True)
    for old in cached.parent.glob("testmap.*.json"):
        old.unlink(missing_ok=True)
    cached.write_text(json.dumps(index, sort_keys=True), encoding="utf-8")
    return index


def _coverage_index(tests_dir: Path) -> dict[str, tuple[str, ...]]:
    """Map each referenced ``vgdocs`` object to the tests that use it.

    Keys are where the object is defined (``vgdocs.worked_example.grad_W1``); values are test ids such as
    ``tests/test_worked_example.py::test_grad_W1_matches_finite_differences``. A name used only
    in a module-level table (a parametrised list) maps to the test file itself.
    """
    index: dict[str, set[str]] = defaultdict(set)
    for path in sorted(tests_dir.glob("test_*.py")):
        rel = path.relative_to(tests_dir.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = _imports(tree)
        in_tests: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                refs = {canonical(r) for r in _references(node, imports)}
                for name in refs:
                    index[name].add(f"{rel}::{node.name}")
                in_tests |= refs
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name.startswith("test"):
                        for name in {canonical(r) for r in _references(item, imports)}:
                            index[name].add(f"{rel}::{node.name}::{item.name}")
        for name in {canonical(r) for r in _references(tree, imports)} - in_tests:
            index[name].add(rel)
    return {name: tuple(sorted(ids)) for name, ids in index.items()}


def covering_tests(qualified: str) -> tuple[str, ...]:
    """Test ids that exercise ``vgdocs.module.function`` (or ``vgdocs.function``)."""
    return coverage_index().get(canonical(qualified), ())
