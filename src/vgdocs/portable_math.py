# Elementary functions from + − × ÷ alone, so that Python and the browser compute the same bits.
r"""$e^x$, $e^x - 1$, $\ln x$, $\sin x$ and $\cos x$ built only from IEEE 754 operations.

IEEE 754 rounds $+$, $-$, $\times$, $\div$ and $\sqrt{\;}$ correctly, so every language that
performs the same sequence of them gets the same result, bit for bit. The libraries' ``exp`` and
``log`` carry no such promise: numpy, glibc and the JavaScript engines each round their last bit
their own way. The playground (:mod:`vgdocs.playground`) trains the same network in Python and in
the reader's browser and promises equal numbers, so it uses these functions instead, and the
page's script (``docs/javascripts/playground.js``) carries a line-by-line copy of them.

Each function reduces its argument exactly and evaluates a fixed polynomial by Horner's rule,
whose coefficients ($1/n!$, $1/(2n+1)$) are computed by one correctly rounded division each:

- $e^x = 2^k (1 + p(r))$ with $k = \lfloor x / \ln 2 + \tfrac12 \rfloor$,
  $r = (x - k\,\ell_{\mathrm{hi}}) - k\,\ell_{\mathrm{lo}}$, $|r| \le \tfrac12 \ln 2$, and
  $p(r) = \sum_{n=1}^{13} r^n / n!$ (Cody and Waite's reduction; $\ell_{\mathrm{hi}} + \ell_{\mathrm{lo}} = \ln 2$,
  fdlibm's split). The power $2^k$ is applied as two exact factors $2^{h}\,2^{k-h}$,
  $h = \lfloor k/2 \rfloor$, so that a result below the normal range is rounded once.
- $e^x - 1 = p(r)$ when $k = 0$, else $e^x - 1$ from the above (no cancellation for $|x| > 0.34$).
- $\ln x = k\,\ell_{\mathrm{hi}} + (2 t\, S(t^2) + k\,\ell_{\mathrm{lo}})$ with $x = m\,2^k$,
  $m \in [1/\sqrt2, \sqrt2)$, $t = (m - 1)/(m + 1)$, $S(w) = \sum_{n=0}^{11} w^n / (2n + 1)$
  (the series of $\operatorname{artanh}$).
- $\sin$ and $\cos$ reduce by $\pi/2$ in two parts and sum their Taylor series to degree 17 and 16.

The results are within a few units in the last place of the true values (the tests measure it
against numpy); what matters here is that they are *the same* wherever they are computed.
"""

from __future__ import annotations

import math

import numpy as np

from vgdocs._validate import Real, checked, real

__all__ = ["EXP_MAX", "EXP_MIN", "cos", "exp", "exp_expm1", "expm1", "log", "sin"]

INV_LN2 = 1.44269504088896338700e00
LN2_HI = 6.93147180369123816490e-01
"""$\\ln 2$ to 32 bits (fdlibm's ``ln2_hi``): $k\\,\\ell_{\\mathrm{hi}}$ is exact for $|k| < 2^{20}$."""
LN2_LO = 1.90821492927058770002e-10
PIO2_HI = 1.57079632673412561417e00
"""$\\pi/2$ to 33 bits (fdlibm's ``pio2_1``), and the rest of it below."""
PIO2_LO = 6.07710050650619224932e-11
SQRT2 = math.sqrt(2.0)
EXP_MAX = 709.79
"""Above this, $e^x$ is larger than the largest double: the result is $+\\infty$."""
EXP_MIN = -745.2
"""Below this, $e^x$ is smaller than half the smallest subnormal: the result is $0$."""

_EXP_C = [1.0 / math.factorial(n) for n in range(1, 14)]  # 1/1!, ..., 1/13!: exact integers, one division each
_LOG_C = [1.0 / (2 * n + 1) for n in range(12)]  # 1, 1/3, ..., 1/23
_SIN_C = [1.0 / math.factorial(n) for n in range(1, 18, 2)]  # 1/1!, 1/3!, ..., 1/17!
_COS_C = [1.0 / math.factorial(n) for n in range(0, 17, 2)]  # 1/0!, 1/2!, ..., 1/16!
_POW2_OFFSET = 540
_POW2 = np.array([math.ldexp(1.0, j) for j in range(-_POW2_OFFSET, _POW2_OFFSET + 1)])
"""$2^j$ for $j = -540, \\dots, 540$ (the script builds the same table by exact doublings)."""


def _x(x: object) -> tuple[Real]:
    return (real("x", x),)


def _like(x: Real, out: np.ndarray) -> Real:
    return float(out) if np.ndim(x) == 0 else out


def exp_expm1(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""$e^x$ and $e^x - 1$ of a float64 array, elementwise, from one shared reduction (no checks).

    $+\infty$, $-\infty$ and NaN give $(+\infty, +\infty)$, $(0, -1)$ and (NaN, NaN), as a
    training run that diverges needs.
    """
    x = np.asarray(x, dtype=np.float64)
    big, small, nan = x > EXP_MAX, x < EXP_MIN, np.isnan(x)
    xs = np.where(big | small | nan, 0.0, x)
    k = np.floor(xs * INV_LN2 + 0.5)
    r = (xs - k * LN2_HI) - k * LN2_LO
    q = np.full_like(r, _EXP_C[12])
    for c in _EXP_C[11::-1]:
        q = c + r * q
    p = r * q
    h = np.floor(k * 0.5)
    e = ((1.0 + p) * _POW2[(h + _POW2_OFFSET).astype(np.int64)]) * _POW2[(k - h + _POW2_OFFSET).astype(np.int64)]
    m = np.where(k == 0.0, p, e - 1.0)
    e = np.where(big, np.inf, np.where(small, 0.0, np.where(nan, np.nan, e)))
    m = np.where(big, np.inf, np.where(small, -1.0, np.where(nan, np.nan, m)))
    return e, m


@checked(_x)
def exp(x: Real) -> Real:
    r"""$e^x = 2^k \bigl(1 + p(r)\bigr)$, $p(r) = \sum_{n=1}^{13} r^n/n!$, from $+ - \times \div$ only."""
    return _like(x, exp_expm1(np.asarray(x))[0])


@checked(_x)
def expm1(x: Real) -> Real:
    r"""$e^x - 1$, accurate near $x = 0$: $p(x)$ itself when $|x| \le \tfrac12 \ln 2$."""
    return _like(x, exp_expm1(np.asarray(x))[1])


def log_array(x: np.ndarray) -> np.ndarray:
    r"""$\ln x$ of a float64 array, elementwise (no checks): $x \le 0$ gives NaN or $-\infty$, $+\infty$ stays."""
    x = np.asarray(x, dtype=np.float64)
    ok = np.isfinite(x) & (x > 0)
    frac, expo = np.frexp(np.where(ok, x, 1.0))  # x = frac 2^expo, frac in [1/2, 1): exact
    m, k = frac * 2.0, (expo - 1).astype(np.float64)
    high = m > SQRT2
    m, k = np.where(high, m * 0.5, m), np.where(high, k + 1.0, k)
    f = m - 1.0
    t = f / (2.0 + f)
    w = t * t
    s = np.full_like(w, _LOG_C[11])
    for c in _LOG_C[10::-1]:
        s = c + w * s
    out = k * LN2_HI + ((2.0 * t) * s + k * LN2_LO)
    bad = np.where(x == 0, -np.inf, np.where(x == np.inf, np.inf, np.nan))
    return np.where(ok, out, bad)


def log_scalar(x: float) -> float:
    r"""$\ln x$ of one float, the same operations as :func:`log_array` in plain Python (for the generator)."""
    if not (x > 0.0 and x < math.inf):
        return -math.inf if x == 0.0 else (math.inf if x == math.inf else math.nan)
    frac, expo = math.frexp(x)
    m, k = frac * 2.0, float(expo - 1)
    if m > SQRT2:
        m, k = m * 0.5, k + 1.0
    f = m - 1.0
    t = f / (2.0 + f)
    w = t * t
    s = _LOG_C[11]
    for c in _LOG_C[10::-1]:
        s = c + w * s
    return k * LN2_HI + ((2.0 * t) * s + k * LN2_LO)


def _positive_x(x: object) -> tuple[Real]:
    v = real("x", x)
    if np.any(np.asarray(v) <= 0):
        raise ValueError(f"x must be > 0 everywhere (the logarithm's domain), got {x!r}")
    return (v,)


@checked(_positive_x)
def log(x: Real) -> Real:
    r"""$\ln x = k\,\ln 2 + 2t \sum_{n=0}^{11} \frac{t^{2n}}{2n+1}$, $t = \frac{m-1}{m+1}$, $x = m\,2^k$.

    The mantissa $m$ lies in $[\tfrac{1}{\sqrt2}, \sqrt2)$, so that $|t| \le 0.172$.
    """
    return _like(x, log_array(np.asarray(x)))


def _sin_cos_reduced(x: float) -> tuple[float, float]:
    r"""$\sin x$ and $\cos x$ of one float, by reduction to $|r| \le \pi/4$ and two Taylor series."""
    n = math.floor(x * (2.0 / math.pi) + 0.5)
    r = (x - n * PIO2_HI) - n * PIO2_LO
    w = r * r
    s = _SIN_C[8]
    for c in _SIN_C[7::-1]:
        s = c - w * s
    c_ = _COS_C[8]
    for c in _COS_C[7::-1]:
        c_ = c - w * c_
    s = r * s
    quadrant = n % 4  # Python's % is never negative; the script adds 4 before its %
    return [(s, c_), (c_, -s), (-s, -c_), (-c_, s)][quadrant]


def _finite_x(x: object) -> tuple[float]:
    v = real("x", x)
    if isinstance(v, np.ndarray) or abs(v) > 1e6:
        raise ValueError(f"x must be a single number with |x| <= 1e6 (the reduction's range), got {x!r}")
    return (v,)


@checked(_finite_x)
def sin(x: float) -> float:
    r"""$\sin x = \pm\sin r$ or $\pm\cos r$ where $\sin r = \sum_{j=0}^{8} \frac{(-1)^j r^{2j+1}}{(2j+1)!}$.

    The reduction is accurate for $|x| \le 10^6$.
    """
    return _sin_cos_reduced(x)[0]


@checked(_finite_x)
def cos(x: float) -> float:
    r"""$\cos x$ from the same reduction, $\cos r = \sum_{j=0}^{8} (-1)^j \frac{r^{2j}}{(2j)!}$."""
    return _sin_cos_reduced(x)[1]
