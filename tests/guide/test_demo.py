"""The guided steps on the demo data, whose shapes are known (reciprocity.demo.expected)."""

from __future__ import annotations

import polars as pl

from reciprocity import guide, journal, pipeline, store
from reciprocity.demo.expected import CONVERSATION_RECORD


def test_conversation_record_feeds_protect_energy(demo_db: store.Database) -> None:
    person, when = CONVERSATION_RECORD
    guide.record_conversation(demo_db, person, when=when)
    analysis = pipeline.analyze(demo_db)
    records = guide.conversation_records(demo_db)
    (advice,) = guide.protect_energy(analysis.ledger, records)
    # The demo was written so that nothing changes after Sam's talk with Alex.
    assert advice.person == "Alex"
    assert advice.status == "no change"
    assert advice.limits


def test_coach_uses_alex_measured_imbalance(demo_db: store.Database) -> None:
    figures = pipeline.analyze(demo_db).figures
    phrases = guide.imbalance_phrases(figures, "Alex")
    assert "I'm the one who starts most of our conversations" in phrases
    assert guide.imbalance_phrases(figures, "Jordan") == []


def test_journal_energy_reaches_the_ranking(demo_db: store.Database) -> None:
    for _ in range(3):
        journal.add_entry(demo_db, "riley", energy=-2)
    felt = journal.energy_frame(journal.entries_frame(demo_db))
    ranked = guide.rank(pipeline.analyze(demo_db).ledger, felt)
    riley = ranked.filter(pl.col("person") == "Riley").row(0, named=True)
    assert riley["energy"] == -2.0
    alex = ranked.filter(pl.col("person") == "Alex").row(0, named=True)
    assert alex["suggestion"] != "invest"


def test_parent_mode_sees_kai(demo_db: store.Database) -> None:
    analysis = pipeline.analyze(demo_db)
    sections = guide.parent_mode(
        analysis.ledger, analysis.exchanges, analysis.patterns,
        journal.entries_frame(demo_db), store.list_people(demo_db),
    )  # fmt: skip
    care = next(s for s in sections if s.name == "care")
    assert care.shows
    assert any("Kai" in line for line in care.lines)
