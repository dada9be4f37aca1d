"""Protect your energy: after a conversation record, change or no change, said plainly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import polars as pl

from reciprocity.guide.protect import LIMITS, protect_energy
from reciprocity.guide.records import RECORDS_SCHEMA

BASE = datetime(2024, 3, 1, 9, tzinfo=UTC)  # as in conftest.py

Ledger = Callable[[Sequence[tuple[str, str, str, float, float]]], pl.DataFrame]
TALK = BASE + timedelta(days=60)


def _records(*people: tuple[str, datetime]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"id": i, "person": p, "date": d, "draft": None, "statement": None}
         for i, (p, d) in enumerate(people, start=1)],
        schema=RECORDS_SCHEMA,
    )  # fmt: skip


def _attention(share_before: float, share_after: float) -> list[tuple[str, str, str, float, float]]:
    """Sixty days of attention events before the talk and sixty after, one a day, with my
    share of them as given."""
    rows: list[tuple[str, str, str, float, float]] = []
    for day in range(60):
        mine_before = (day % 10) < 10 * share_before
        mine_after = (day % 10) < 10 * share_after
        rows.append(("Alex", "me" if mine_before else "them", "attention", 1.0, float(day)))
        rows.append(("Alex", "me" if mine_after else "them", "attention", 1.0, 60.0 + day))
    return rows


def test_no_change_says_so_and_suggests_limits(make_ledger: Ledger) -> None:
    ledger = make_ledger(_attention(0.9, 0.9))
    (advice,) = protect_energy(ledger, _records(("Alex", TALK)))
    assert advice.status == "no change"
    assert any("attention" in line for line in advice.evidence)
    assert LIMITS["attention"] in advice.limits


def test_energy_is_never_a_share_in_the_evidence(make_ledger: Ledger) -> None:
    # The journal's energy afterwards, split into the ledger as "given" weights, was read as
    # "energy: your share 75% before": energy is a scale of its own, not something given.
    energy = [("Alex", side, "energy", 0.5, float(day)) for day in range(0, 120, 3)
              for side in ("me", "them")]  # fmt: skip
    ledger = make_ledger(_attention(0.9, 0.9) + energy)
    (advice,) = protect_energy(ledger, _records(("Alex", TALK)))
    assert advice.evidence
    assert not any("energy" in line for line in advice.evidence)


def test_change_is_named(make_ledger: Ledger) -> None:
    ledger = make_ledger(_attention(0.9, 0.3))
    (advice,) = protect_energy(ledger, _records(("Alex", TALK)))
    assert advice.status == "changed"
    assert "attention" in advice.summary
    assert not advice.limits


def test_too_early_before_the_wait(make_ledger: Ledger) -> None:
    ledger = make_ledger(_attention(0.9, 0.9))
    (advice,) = protect_energy(ledger, _records(("Alex", TALK)), as_of=TALK + timedelta(days=10))
    assert advice.status == "too early"
    assert advice.days_since == 10


def test_only_the_latest_record_per_person(make_ledger: Ledger) -> None:
    ledger = make_ledger(_attention(0.9, 0.9))
    early = datetime(2024, 1, 1, tzinfo=UTC)
    advice = protect_energy(ledger, _records(("Alex", early), ("alex", TALK)))
    assert len(advice) == 1
    assert advice[0].date == TALK
