"""Exporting everything to one JSON file, where the data lives, and deleting all of it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from reciprocity import guide, journal
from reciprocity.errors import StoreError
from reciprocity.store import (
    Database,
    delete_everything,
    import_batches,
    is_empty,
    location,
    write_export,
)
from reciprocity.store.export import EXPORTED_TABLES
from reciprocity.store.models import Base

Build = Callable[..., pl.DataFrame]


def _fill(db: Database, messages: Build) -> None:
    chat = messages([("Sam", 1, "hi Alex"), ("Alex", 2, "héllo <b>Sam</b>")])
    import_batches(db, iter([chat]), file="Alex.txt", me="Sam", format="whatsapp")
    journal.add_entry(db, "Alex", energy=1, note="walk", when=date(2024, 5, 1))
    gone = journal.add_entry(db, "Alex", energy=-2, note="deleted one")
    journal.delete_entry(db, gone.id)
    guide.add_expectation(db, "Alex", "check_in", 7)
    guide.record_conversation(db, "Alex", statement="I feel")


def test_the_export_holds_every_table_of_the_user_and_skips_deleted_rows(
    db: Database, messages: Build, tmp_path: Path
) -> None:
    _fill(db, messages)
    written = write_export(db, tmp_path)
    assert written.parent == tmp_path
    assert written.suffix == ".json"
    data = json.loads(written.read_text("utf-8"))
    tables = data["tables"]
    # Every table but the derived frames and the schema's bookkeeping.
    assert set(Base.metadata.tables) - set(EXPORTED_TABLES) == {"frame_cache"}
    assert list(tables) == list(EXPORTED_TABLES)
    assert [m["text"] for m in tables["messages"]] == ["hi Alex", "héllo <b>Sam</b>"]
    assert tables["messages"][0]["timestamp"].startswith("2024-05-01T09:01:00")
    assert [e["note"] for e in tables["journal_entries"]] == ["walk"]
    assert "deleted" not in tables["journal_entries"][0]
    assert len(tables["expectations"]) == len(tables["conversation_records"]) == 1
    assert {p["name"] for p in tables["people"]} == {"Sam", "Alex"}


def test_an_export_to_a_missing_folder_is_refused(db: Database, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        write_export(db, tmp_path / "nowhere" / "x.json")


def test_delete_everything_leaves_an_empty_database_that_still_works(
    db: Database, messages: Build
) -> None:
    assert is_empty(db)
    _fill(db, messages)
    assert not is_empty(db)
    where = location(db)
    assert where.path == db.path
    if db.path is not None:  # a file: its size is known (a server database has none)
        assert where.size is not None
        assert where.size > 0
    delete_everything(db)
    assert is_empty(db)
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            assert conn.execute(table.select()).first() is None, table.name
    if db.path is not None:
        assert b"deleted one" not in db.path.read_bytes()  # gone from the disk too
    assert journal.add_entry(db, "Alex", energy=1).id >= 1
