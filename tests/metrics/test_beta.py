"""The SciPy-free Beta functions against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reciprocity.metrics import beta
from reciprocity.metrics.beta import beta_cdf, beta_interval, beta_quantile, log_gamma


def test_log_gamma_matches_the_standard_library() -> None:
    xs = [0.1, 0.5, 1.0, 2.5, 7.0, 33.3, 1e4]
    assert np.allclose(log_gamma(xs), [math.lgamma(x) for x in xs], atol=1e-9)


@pytest.mark.parametrize("a", [1.0, 2.0, 6.0, 40.0])
def test_cdf_and_quantile_of_beta_a_1(a: float) -> None:
    # Beta(a, 1) has CDF x**a, so its p quantile is p ** (1 / a).
    assert np.allclose(beta_cdf([0.2, 0.7], a, 1.0), [0.2**a, 0.7**a], atol=1e-9)
    assert float(beta_quantile(0.05, a, 1.0)) == pytest.approx(0.05 ** (1 / a), abs=1e-8)


def test_symmetric_interval_of_a_large_balanced_posterior() -> None:
    low, high = beta_interval(251.0, 251.0)
    sd = math.sqrt(0.25 / 503)
    assert float(low) == pytest.approx(0.5 - 1.6449 * sd, abs=1e-3)
    assert float(high) == pytest.approx(1 - float(low), abs=1e-9)


def test_level_must_be_a_probability() -> None:
    with pytest.raises(ValueError, match="level"):
        beta_interval(1.0, 1.0, level=1.0)


def test_intervals_found_before_are_the_same_as_found_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The process keeps the intervals it found: a pair met again (alone, or among new
    # ones, in another order, at another level) gets exactly what it got the first time.
    rng = np.random.default_rng(5)
    a = 1.0 + rng.integers(0, 40, 3_000) * 0.5
    b = 1.0 + rng.integers(0, 40, 3_000) * 0.25
    monkeypatch.setattr(beta, "_known", {})
    first = beta_interval(a, b)
    assert beta._known  # remembered
    again = beta_interval(a[::-1], b[::-1])
    mixed = beta_interval(np.concatenate([a[:100], a[:100] + 0.125]), np.tile(b[:100], 2))
    eighty = beta_interval(a, b, level=0.8)
    monkeypatch.setattr(beta, "_known", {})
    monkeypatch.setattr(beta, "_KNOWN_MOST", 0)  # nothing kept: every pair found afresh
    for got, want in [
        (first, beta_interval(a, b)),
        (again, beta_interval(a[::-1], b[::-1])),
        (mixed, beta_interval(np.concatenate([a[:100], a[:100] + 0.125]), np.tile(b[:100], 2))),
        (eighty, beta_interval(a, b, level=0.8)),
    ]:
        assert np.array_equal(got[0], want[0])
        assert np.array_equal(got[1], want[1])
    assert not beta._known
    assert not np.array_equal(eighty[0], first[0])
