"""Ranking ties by mutuality and energy, one suggestion each."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from reciprocity.guide.rank import RANK_SCHEMA, rank

Ledger = Callable[[Sequence[tuple[str, str, str, float, float]]], pl.DataFrame]


def _given(person: str, mine: int, theirs: int) -> list[tuple[str, str, str, float, float]]:
    return [(person, "me", "attention", 1.0, float(d)) for d in range(mine)] + [
        (person, "them", "attention", 1.0, float(d)) for d in range(theirs)
    ]


def _energy(means: dict[str, float]) -> pl.DataFrame:
    # As reciprocity.journal.energy_frame gives it (only the columns rank reads).
    return pl.DataFrame({"person": list(means), "mean": list(means.values())})


def test_rank_orders_and_suggests(make_ledger: Ledger) -> None:
    ledger = make_ledger(_given("Jordan", 20, 20) + _given("Riley", 30, 10) + _given("Alex", 30, 5))
    ranked = rank(ledger, _energy({"jordan": 2.0, "RILEY": -2.0}))
    assert ranked.schema == pl.Schema(RANK_SCHEMA)
    rows = {r["person"]: r for r in ranked.iter_rows(named=True)}
    assert ranked["person"][0] == "Jordan"
    assert rows["Jordan"]["suggestion"] == "invest"
    assert rows["Jordan"]["energy"] == 2.0
    assert rows["Riley"]["suggestion"] == "step back"
    assert rows["Riley"]["energy"] == -2.0
    assert rows["Alex"]["suggestion"] == "talk"
    assert rows["Alex"]["energy"] is None
    assert "not logged" in rows["Alex"]["why"]
    assert rows["Riley"]["give_share"] == 0.75


def test_thin_data_is_said(make_ledger: Ledger) -> None:
    ranked = rank(make_ledger(_given("Sky", 2, 2)))
    assert "little to go on" in ranked["why"][0]


def test_empty_ledger(make_ledger: Ledger) -> None:
    assert rank(make_ledger([])).height == 0
