# The playground's random numbers: MT19937, 53-bit doubles and polar-method normals, specified to the bit.
r"""One random-number generator, specified once, that Python and the page's script both implement.

The generator is Matsumoto and Nishimura's (1998) **MT19937** in its 2002 reference version
(``mt19937ar.c``): a state of 624 words of 32 bits, seeded by ``init_genrand(s)`` or
``init_by_array(key)``, each output tempered. Every operation on the state is an integer
operation modulo $2^{32}$ (a multiplication, an exclusive or, a shift), which JavaScript does
exactly with ``Math.imul`` and ``>>> 0``; its outputs are the published ones (the tests compare
them with the reference output ``mt19937ar.out`` and with CPython's ``random``, which is the
same generator).

From its 32-bit outputs $y_1, y_2, \dots$ come

- **doubles** in $[0, 1)$ with 53 random bits, ``genrand_res53``:
  $u = (a\,2^{26} + b) / 2^{53}$ with $a = y_1 \gg 5$, $b = y_2 \gg 6$ (every step exact);
- **normals** by Marsaglia's polar method: draw $v_1 = 2u_1 - 1$, $v_2 = 2u_2 - 1$ until
  $0 < s = v_1^2 + v_2^2 < 1$, then return $v_1 f$ and keep $v_2 f$ for the next call, where
  $f = \sqrt{(-2 \ln s)/s}$ and $\ln$ is :func:`vgdocs.portable_math.log_scalar`, so that the
  square root and the logarithm round the same way in every language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from vgdocs._validate import positive_int
from vgdocs.portable_math import log_scalar

__all__ = ["MASK32", "MT19937", "N_STATE", "polar_pair", "res53"]

N_STATE = 624
"""Words of state."""
_M = 397
_MATRIX_A = 0x9908B0DF
_UPPER = 0x80000000
_LOWER = 0x7FFFFFFF
MASK32 = 0xFFFFFFFF


def res53(y1: int, y2: int) -> float:
    r"""The double of ``genrand_res53`` from two outputs: $u = \bigl((y_1 \gg 5)\,2^{26} + (y_2 \gg 6)\bigr) / 2^{53}$.

    $y_1 \gg 5$ has 27 bits and $y_2 \gg 6$ has 26, so $u$ takes each of the $2^{53}$ values
    $k / 2^{53}$ in $[0, 1)$; every operation is exact in double precision.
    """
    y1 = positive_int("y1", y1, minimum=0, maximum=MASK32)
    y2 = positive_int("y2", y2, minimum=0, maximum=MASK32)
    return ((y1 >> 5) * 67108864.0 + (y2 >> 6)) * (1.0 / 9007199254740992.0)


def polar_pair(v1: float, v2: float) -> tuple[float, float]:
    r"""Marsaglia's polar transform: $(v_1 f, v_2 f)$ with $f = \sqrt{(-2 \ln s)/s}$, $s = v_1^2 + v_2^2$.

    For $(v_1, v_2)$ uniform in the unit disc ($0 < s < 1$) the two values are independent
    standard normals. The logarithm is :func:`vgdocs.portable_math.log_scalar`.
    """
    s = v1 * v1 + v2 * v2
    if not 0.0 < s < 1.0:
        raise ValueError(f"v1 and v2 must lie inside the unit circle, 0 < v1^2 + v2^2 < 1; got {s!r}")
    f = math.sqrt((-2.0 * log_scalar(s)) / s)
    return v1 * f, v2 * f


class MT19937:
    r"""The Mersenne Twister MT19937 with ``genrand_res53`` doubles and polar-method normals.

    ``MT19937(seed=s)`` seeds with ``init_genrand(s)``; ``MT19937(key=[k_0, k_1, ...])`` with
    ``init_by_array`` (CPython's ``random.Random(n)`` is ``init_by_array`` of the 32-bit words of
    $n$, least significant first). Words and seeds must lie in $[0, 2^{32})$.
    """

    def __init__(self, seed: int | None = None, *, key: Sequence[int] | None = None) -> None:
        if (seed is None) == (key is None):
            raise ValueError("give exactly one of seed (an integer in [0, 2**32)) and key (a list of such integers)")
        self.mt = [0] * N_STATE
        self.mti = N_STATE + 1
        self.spare: float | None = None
        if seed is not None:
            self._init_genrand(positive_int("seed", seed, minimum=0, maximum=MASK32))
        else:
            assert key is not None
            words = [positive_int(f"key[{i}]", k, minimum=0, maximum=MASK32) for i, k in enumerate(key)]
            if not words:
                raise ValueError("key must hold at least one integer in [0, 2**32)")
            self._init_by_array(words)

    def _init_genrand(self, s: int) -> None:
        r"""$m_0 = s$, $m_i = 1812433253\,(m_{i-1} \oplus (m_{i-1} \gg 30)) + i \bmod 2^{32}$."""
        mt = self.mt
        mt[0] = s & MASK32
        for i in range(1, N_STATE):
            mt[i] = (1812433253 * (mt[i - 1] ^ (mt[i - 1] >> 30)) + i) & MASK32
        self.mti = N_STATE

    def _init_by_array(self, key: list[int]) -> None:
        """The reference ``init_by_array``: ``init_genrand(19650218)``, then two mixing passes."""
        self._init_genrand(19650218)
        mt = self.mt
        i, j = 1, 0
        for _ in range(max(N_STATE, len(key))):
            mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525)) + key[j] + j) & MASK32
            i, j = i + 1, j + 1
            if i >= N_STATE:
                mt[0], i = mt[N_STATE - 1], 1
            if j >= len(key):
                j = 0
        for _ in range(N_STATE - 1):
            mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941)) - i) & MASK32
            i += 1
            if i >= N_STATE:
                mt[0], i = mt[N_STATE - 1], 1
        mt[0] = 0x80000000
        self.mti = N_STATE

    def _twist(self) -> None:
        mt = self.mt
        for k in range(N_STATE):
            y = (mt[k] & _UPPER) | (mt[(k + 1) % N_STATE] & _LOWER)
            mt[k] = mt[(k + _M) % N_STATE] ^ (y >> 1) ^ (_MATRIX_A if y & 1 else 0)
        self.mti = 0

    def uint32(self) -> int:
        r"""The next output, ``genrand_int32``: a state word, tempered by four shifts and masks."""
        if self.mti >= N_STATE:
            self._twist()
        y = self.mt[self.mti]
        self.mti += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y & MASK32

    def uniform(self) -> float:
        r"""A double in $[0, 1)$ with 53 random bits: $\bigl((y_1 \gg 5)\,2^{26} + (y_2 \gg 6)\bigr)/2^{53}$."""
        y1 = self.uint32()
        return res53(y1, self.uint32())

    def normal(self) -> float:
        r"""A standard normal by the polar method: $v_1 \sqrt{-2 \ln s / s}$, then $v_2 \sqrt{-2 \ln s / s}$."""
        if self.spare is not None:
            out, self.spare = self.spare, None
            return out
        while True:
            v1 = 2.0 * self.uniform() - 1.0
            v2 = 2.0 * self.uniform() - 1.0
            s = v1 * v1 + v2 * v2
            if 0.0 < s < 1.0:
                break
        z1, self.spare = polar_pair(v1, v2)
        return z1

    def uniforms(self, n: int) -> list[float]:
        """The next ``n`` doubles of :meth:`uniform`."""
        return [self.uniform() for _ in range(positive_int("n", n, minimum=0))]

    def normals(self, n: int) -> list[float]:
        """The next ``n`` values of :meth:`normal`."""
        return [self.normal() for _ in range(positive_int("n", n, minimum=0))]
