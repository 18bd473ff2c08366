# Same training numbers on every x86-64 machine: one BLAS thread and one OpenBLAS kernel family.
"""Pin numpy's BLAS before numpy loads, so a training run gives the same bits on any x86-64 CPU.

numpy's OpenBLAS picks its matrix kernels by CPU: on Intel chips with AVX-512 it takes the
``SkylakeX`` kernels, on AMD Zen and older Intel chips the ``Haswell`` ones. The two sum
products in different orders, and a training run amplifies that last-bit difference: the
recurrent page's tanh RNN at $T = 20$ ended at 0.56 of the baseline with one kernel and
1.35 with the other, for the same seed. ``OPENBLAS_CORETYPE=Haswell`` makes every CPU
that has AVX2 and FMA (every x86-64 chip since 2013, GitHub's runners included) use
the same kernels. An explicit setting in the environment wins; other CPUs are left alone.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

__all__ = ["pin"]

KERNEL = "Haswell"


def _has_avx2_fma(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return "avx2" in flags and "fma" in flags


def pin(environ: dict[str, str] | None = None) -> None:
    """Set one BLAS thread and, on x86-64 with AVX2 and FMA, OpenBLAS's Haswell kernels (unless set)."""
    env = os.environ if environ is None else environ
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    if platform.machine().lower() in ("x86_64", "amd64") and _has_avx2_fma():
        env.setdefault("OPENBLAS_CORETYPE", KERNEL)
