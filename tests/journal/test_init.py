"""The journal in the ledger's journal format, and through the ledger itself."""

from __future__ import annotations

from datetime import date

import polars as pl

from reciprocity import store
from reciprocity.journal import add_entry, ledger_frame
from reciprocity.ledger import JOURNAL_SCHEMA, journal_events


def test_empty_journal_gives_none(db: store.Database) -> None:
    assert ledger_frame(db) is None


def test_ledger_frame_has_the_journal_schema(db: store.Database) -> None:
    add_entry(db, "Alex", giver="me", dimension="practical_help", energy=-2, when=date(2024, 5, 1))
    add_entry(db, "Alex", energy=1, when=date(2024, 5, 2))
    add_entry(db, "Alex", giver="them", amount=30.0, when=date(2024, 5, 3))
    add_entry(db, "Robin", kind="task", giver="me", note="school run", when=date(2024, 5, 4))
    add_entry(db, "Kai", kind="conflict", note="argument at dinner", when=date(2024, 5, 5))
    frame = ledger_frame(db)
    assert frame is not None
    assert frame.schema == pl.Schema(JOURNAL_SCHEMA)
    # Tasks and conflicts are not given to the other person, and an energy is given by
    # nobody: they stay out.
    assert frame["person"].to_list() == ["Alex", "Alex"]
    assert frame["dimension"].to_list() == ["practical_help", "favours_money"]


def test_ledger_reads_the_frame(db: store.Database) -> None:
    add_entry(db, "alex", giver="me", dimension="practical_help", energy=-2, when=date(2024, 5, 1))
    add_entry(db, "Alex", energy=2, when=date(2024, 5, 2))
    frame = ledger_frame(db)
    assert frame is not None
    people = pl.LazyFrame(
        {"relationship_id": [7], "person": ["Alex"]},
        schema={"relationship_id": pl.Int64, "person": pl.String},
    )
    events = journal_events(frame, people).collect()
    assert set(events["relationship_id"].to_list()) == {7}
    # Energy is how the user felt, not something given: no event, no share.
    assert events["dimension"].to_list() == ["practical_help"]
    assert events["giver"].to_list() == ["me"]
