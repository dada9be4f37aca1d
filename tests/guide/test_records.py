"""Conversation records: saved and read back in the format the metrics use."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from reciprocity import store
from reciprocity.errors import NotFound
from reciprocity.guide.records import (
    RECORDS_SCHEMA,
    conversation_records,
    delete_record,
    record_conversation,
)
from reciprocity.journal import JournalError


def test_record_and_read(db: store.Database) -> None:
    when = datetime(2024, 4, 14, 20, 5, tzinfo=UTC)
    later = record_conversation(db, "Alex", when=datetime(2024, 6, 1, tzinfo=UTC))
    record_conversation(db, "Alex", when=when, draft="you never ask", statement="I feel ...")
    frame = conversation_records(db)
    assert frame.schema == pl.Schema(RECORDS_SCHEMA)
    assert frame["date"].to_list() == [when, datetime(2024, 6, 1, tzinfo=UTC)]
    assert frame["draft"][0] == "you never ask"
    delete_record(db, later)
    assert conversation_records(db).height == 1
    with pytest.raises(NotFound):
        delete_record(db, later)


def test_needs_a_person(db: store.Database) -> None:
    with pytest.raises(JournalError):
        record_conversation(db, " ")
