# Expensive computations a page needs (training runs), done once per version of the code and kept on disk.
"""Experiments: named, expensive results that several numbers and figures of a page share.

A page file registers one with ``@experiment("name")`` on a function that returns a mapping of
names to numpy arrays (or numbers). Calling the decorated function returns that mapping. With a
cache directory configured (the hook configures ``.cache/vgdocs/experiments``; a result is
filed under its name and :func:`vgsite.cache.page_hash` of its page file), the first process
that needs a result computes it under a file lock and stores it; every other process, the
build's figure workers and the test session included, waits for the lock and loads the stored
arrays. Without one, results are kept in memory only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vgsite import cache, registry

__all__ = ["EXPERIMENTS", "Experiment", "cached", "configure", "experiment", "result", "store", "stored_path"]

Result = dict[str, np.ndarray]


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: its name, how to compute it, and the page file that registered it."""

    name: str
    compute: Callable[[], Mapping[str, object]]
    page: str


EXPERIMENTS: dict[str, Experiment] = {}
_directory: list[Path | None] = [None]
_memory: dict[str, Result] = {}


def configure(directory: Path | None) -> None:
    """Store results under ``directory`` from now on (``None``: in memory only)."""
    _directory[0] = directory
    _memory.clear()


def experiment(name: str) -> Callable[[Callable[[], Mapping[str, object]]], Callable[[], Result]]:
    """Register ``compute`` as the experiment ``name``; the decorated name returns its (cached) result."""

    def register(compute: Callable[[], Mapping[str, object]]) -> Callable[[], Result]:
        page = registry.LOADING[-1] if registry.LOADING else ""
        if name in EXPERIMENTS and EXPERIMENTS[name].page != page:
            raise ValueError(f"experiment {name!r} is registered twice")
        EXPERIMENTS[name] = Experiment(name, compute, page)

        def get() -> Result:
            return result(name)

        get.__name__ = get.__qualname__ = getattr(compute, "__name__", name)
        get.__doc__ = compute.__doc__
        return get

    return register


def stored_path(name: str) -> Path | None:
    """Where the result of ``name`` is stored: its name and the hash of its page file's code."""
    directory = _directory[0]
    if directory is None:
        return None
    return directory / f"{name}.{cache.page_hash(EXPERIMENTS[name].page)}.npz"


def cached(name: str) -> bool:
    """Whether the result of ``name`` is already stored (or in memory)."""
    path = stored_path(name)
    return name in _memory or (path is not None and path.exists())


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _load(path: Path) -> Result:
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def result(name: str) -> Result:
    """The result of the experiment ``name``: from memory, from the store, or computed now."""
    if name not in EXPERIMENTS:
        raise ValueError(f"name must be a registered experiment, one of {sorted(EXPERIMENTS)}; got {name!r}")
    if name in _memory:
        return _memory[name]
    path = stored_path(name)
    if path is None:
        _memory[name] = _arrays(name, EXPERIMENTS[name].compute())
        return _memory[name]
    with _locked(path):
        if not path.exists():
            out = _arrays(name, EXPERIMENTS[name].compute())
            tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
            np.savez(tmp, **out)
            tmp.replace(path)
        _memory[name] = _load(path)
    return _memory[name]


def store(name: str) -> float | None:
    """Compute and store ``name`` (a build worker's job): the seconds it took, or None if it was stored."""
    path = stored_path(name)
    if path is not None and path.exists():
        return None
    start = time.perf_counter()
    result(name)
    return time.perf_counter() - start


def _arrays(name: str, values: Mapping[str, object]) -> Result:
    if not isinstance(values, Mapping):
        raise ValueError(f"experiment {name!r} must return a mapping of names to arrays, got {type(values).__name__}")
    out = {}
    for key, value in values.items():
        arr = np.asarray(value)
        if arr.dtype == object:
            raise ValueError(f"experiment {name!r}: {key!r} is not a numeric array")
        out[key] = arr
    return out
