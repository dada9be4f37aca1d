"""Beta posterior intervals without SciPy: the regularised incomplete beta and its inverse.

Vectorised with NumPy over arrays of parameters (one entry per relationship, dimension and
window, never per message). ``log_gamma`` uses a shifted Stirling series (error below 1e-10
for positive arguments), ``beta_cdf`` the continued fraction of Numerical Recipes (Lentz's
method, run until every entry converged) and ``beta_quantile`` bisection to 1e-10.
``beta_interval`` remembers the intervals it found (a corpus meets the same count pairs
in bucket after bucket).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["beta_cdf", "beta_interval", "beta_quantile", "log_gamma"]

Array = npt.NDArray[np.float64]

_TINY = 1e-300
_EPS = 3e-14


def log_gamma(x: npt.ArrayLike) -> Array:
    """ln Γ(x) for positive ``x``, elementwise.

    >>> round(float(log_gamma(5.0)), 10) == round(float(np.log(24.0)), 10)
    True
    """
    v = np.asarray(x, dtype=np.float64)
    shift = np.zeros_like(v)
    z = v.copy()
    # Γ(z) = Γ(z + 6) / (z (z+1) ... (z+5)): move z up to where Stirling is accurate.
    for _ in range(6):
        shift += np.log(z)
        z = z + 1.0
    inv = 1.0 / z
    inv2 = inv * inv
    series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))
    stirling = (z - 0.5) * np.log(z) - z + 0.5 * np.log(2 * np.pi) + series
    return np.asarray(stirling - shift, dtype=np.float64)


def _continued_fraction(a: Array, b: Array, x: Array) -> Array:
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < _TINY, _TINY, d)
    d = 1.0 / d
    h = d.copy()
    done = np.zeros(x.shape, dtype=bool)
    # Convergence takes about sqrt(max(a, b)) steps; stop as soon as all entries are done.
    limit = int(10 * np.sqrt(max(float(np.max(a, initial=1.0)), float(np.max(b, initial=1.0)))))
    for m in range(1, limit + 200):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        h = np.where(done, h, h * d * c)
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        step = d * c
        h = np.where(done, h, h * step)
        done |= np.abs(step - 1.0) < _EPS
        if done.all():
            break
    return h


def beta_cdf(x: npt.ArrayLike, a: npt.ArrayLike, b: npt.ArrayLike) -> Array:
    """P(X <= x) for X ~ Beta(a, b), elementwise (the regularised incomplete beta).

    >>> float(beta_cdf(0.3, 1.0, 1.0))
    0.3
    """
    xs, av, bv = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64),
        np.asarray(a, dtype=np.float64),
        np.asarray(b, dtype=np.float64),
    )
    inside = np.clip(xs, 1e-300, 1 - 1e-16)
    log_front = (
        log_gamma(av + bv) - log_gamma(av) - log_gamma(bv)
        + av * np.log(inside) + bv * np.log1p(-inside)
    )  # fmt: skip
    front = np.exp(log_front)
    # The fraction converges fast below the mean; above it use I_x(a, b) = 1 - I_{1-x}(b, a).
    flip = inside > (av + 1.0) / (av + bv + 2.0)
    a2, b2 = np.where(flip, bv, av), np.where(flip, av, bv)
    x2 = np.where(flip, 1.0 - inside, inside)
    direct = front * _continued_fraction(a2, b2, x2) / a2
    value = np.where(flip, 1.0 - direct, direct)
    value = np.where(xs <= 0.0, 0.0, np.where(xs >= 1.0, 1.0, value))
    return np.asarray(np.clip(value, 0.0, 1.0), dtype=np.float64)


def beta_quantile(p: npt.ArrayLike, a: npt.ArrayLike, b: npt.ArrayLike) -> Array:
    """The ``p`` quantile of Beta(a, b), elementwise (``p`` a number or an array that
    broadcasts with ``a`` and ``b``), by bisection.

    >>> round(float(beta_quantile(0.05, 6.0, 1.0)), 6)  # 0.05 ** (1 / 6)
    0.606962
    """
    pv, av, bv = np.broadcast_arrays(
        np.asarray(p, dtype=np.float64),
        np.asarray(a, dtype=np.float64),
        np.asarray(b, dtype=np.float64),
    )
    low, high = np.zeros(av.shape), np.ones(av.shape)
    for _ in range(40):
        mid = (low + high) / 2
        below = beta_cdf(mid, av, bv) < pv
        low = np.where(below, mid, low)
        high = np.where(below, high, mid)
    return np.asarray((low + high) / 2, dtype=np.float64)


def beta_interval(a: npt.ArrayLike, b: npt.ArrayLike, level: float = 0.9) -> tuple[Array, Array]:
    """The central ``level`` credible interval of Beta(a, b): ``(low, high)`` arrays."""
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    tail = (1 - level) / 2
    av, bv = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    # Counts repeat a lot (many windows with the same few events): each pair once. The
    # pairs as complex numbers (a + bi) sort and compare as (a, b) would, in a fraction
    # of the time of np.unique(axis=1) (a corpus has hundreds of thousands of rows).
    keys = np.empty(av.size, dtype=np.complex128)
    keys.real, keys.imag = av.ravel(), bv.ravel()  # set, not a + 1j * b: inf * 1j is nan
    pairs, back = np.unique(keys, return_inverse=True)
    back = back.reshape(av.shape)
    ends = _known_ends(pairs, tail)
    return np.asarray(ends[0][back]), np.asarray(ends[1][back])


#: The intervals found so far in this process, per tail: the pairs (sorted, as complex
#: numbers) and their two ends. A corpus worker meets the same few thousand count pairs
#: in bucket after bucket, and each pair's interval depends on that pair alone (every
#: entry is bisected and its fraction run to convergence on its own), so one found
#: before is taken as it is. Bounded by :data:`_KNOWN_MOST` pairs.
_known: dict[float, tuple[npt.NDArray[np.complex128], Array]] = {}
_KNOWN_MOST = 200_000


def _known_ends(pairs: npt.NDArray[np.complex128], tail: float) -> Array:
    """The (2, n) lower and upper ends for the sorted distinct ``pairs`` (``a + bi``)."""
    known, known_ends = _known.get(tail, (np.empty(0, np.complex128), np.empty((2, 0))))
    at = np.minimum(np.searchsorted(known, pairs), max(known.size - 1, 0))
    hit = known[at] == pairs if known.size else np.zeros(pairs.shape, dtype=bool)
    ends = np.empty((2, pairs.size))
    if hit.any():
        ends[:, hit] = known_ends[:, at[hit]]
    new = pairs[~hit]
    if new.size:
        count = new.size
        # Both ends in one bisection: half the passes over the continued fraction.
        tails = np.repeat([tail, 1 - tail], count)
        found = beta_quantile(tails, np.tile(new.real, 2), np.tile(new.imag, 2))
        found = found.reshape(2, count)
        ends[:, ~hit] = found
        if known.size + count <= _KNOWN_MOST:
            merged = np.concatenate([known, new])
            order = np.argsort(merged, kind="stable")
            # One assignment of a new pair of arrays: a thread reading meanwhile sees the
            # old ones or the new ones, never half of each.
            _known[tail] = (merged[order], np.concatenate([known_ends, found], axis=1)[:, order])
    return ends
