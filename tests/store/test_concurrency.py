"""Writers wait their turn: another program holding the write lock of the SQLite file (a
real process here) makes an import, a journal entry or the analysis's cache wait, never
fail at once, and never lose what was written."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select

from reciprocity import journal
from reciprocity.errors import StoreBusy
from reciprocity.store import Database, FrameWriter, cached, import_batches
from reciprocity.store import db as db_module
from reciprocity.store.cache import state
from reciprocity.store.models import Message
from reciprocity.store.models_guide import JournalEntry

Build = Callable[..., pl.DataFrame]  # the "messages" fixture from conftest
Holder = Callable[[Path, float], AbstractContextManager[subprocess.Popen[str]]]  # tests/conftest.py

CHAT = [
    ("Sam", 0, "are you around this weekend?"),
    ("Alex", 1, "yes, saturday works"),
    ("Sam", 2, "great, see you then"),
]


def path_of(db: Database) -> Path:
    assert db.path is not None
    return db.path


def test_an_import_waits_for_another_writer_then_saves(
    sqlite_db: Database, messages: Build, hold_write_lock: Holder
) -> None:
    # Something stored already: the import reads before it writes, the case that used to
    # fail at once ("database is locked") when the other writer committed.
    import_batches(sqlite_db, iter([messages(CHAT)]), file="a.txt", me="Sam", format="whatsapp")
    waits: list[float] = []
    later = [*CHAT, ("Alex", 60, "bring snacks")]
    with hold_write_lock(path_of(sqlite_db), 60) as holder:
        start = time.monotonic()

        def release() -> None:
            # Told while still waiting: the other writer lets go only once this was said.
            while not waits:
                time.sleep(0.05)
            assert holder.stdin is not None
            holder.stdin.write("done\n")
            holder.stdin.flush()

        releasing = threading.Thread(target=release)
        releasing.start()
        result = import_batches(
            sqlite_db,
            iter([messages(later)]),
            file="b.txt",
            me="Sam",
            format="whatsapp",
            on_wait=lambda: waits.append(time.monotonic() - start),
        )
        releasing.join()
    assert result.messages_added == 1
    assert len(waits) == 1  # told once


def test_an_import_that_cannot_wait_long_enough_says_so_and_writes_nothing(
    sqlite_db: Database, messages: Build, hold_write_lock: Holder
) -> None:
    with hold_write_lock(path_of(sqlite_db), 60), pytest.raises(StoreBusy, match="Try again"):
        import_batches(
            sqlite_db,
            iter([messages(CHAT)]),
            file="a.txt",
            me="Sam",
            format="whatsapp",
            patience=0.3,
        )
    with sqlite_db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Message)) == 0


def test_a_journal_entry_waits_for_another_writer_and_is_kept(
    sqlite_db: Database, hold_write_lock: Holder
) -> None:
    with hold_write_lock(path_of(sqlite_db), 1.5):
        entry = journal.add_entry(
            sqlite_db, "Alex", giver="me", dimension="practical help", note="helped move"
        )
    assert journal.get_entry(sqlite_db, entry.id).note == "helped move"


def test_a_journal_entry_that_waited_too_long_is_refused_whole(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, hold_write_lock: Holder
) -> None:
    monkeypatch.setattr(db_module, "WRITE_PATIENCE", 0.3)
    with (
        hold_write_lock(path_of(sqlite_db), 2.0),
        pytest.raises(StoreBusy, match="nothing was written"),
    ):
        journal.add_entry(
            sqlite_db, "Alex", giver="me", dimension="practical help", note="helped move"
        )
    with sqlite_db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(JournalEntry)) == 0


def test_the_analysis_cache_does_not_hold_the_write_lock_while_it_is_built(
    sqlite_db: Database,
) -> None:
    with sqlite_db.engine.connect() as conn:
        version = state(conn)
    frame = pl.DataFrame({"x": list(range(10))})
    with FrameWriter(sqlite_db, version) as writer:
        for _ in range(3):
            writer.add("parts", frame)
        # Two parts are written by now; another program writes without waiting.
        other = sqlite3.connect(path_of(sqlite_db), timeout=0.2, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO settings (key, value) VALUES ('other', 'yes')")
        other.execute("COMMIT")
        other.close()
        assert cached(sqlite_db, "parts", version) is None  # not readable before commit
        writer.commit()
    assert cached(sqlite_db, "parts", version) is not None
    assert cached(sqlite_db, "parts", version).height == 30  # type: ignore[union-attr]


def test_an_unfinished_cache_leaves_nothing_behind(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        version = state(conn)
    frame = pl.DataFrame({"x": [1, 2, 3]})

    def broken_analysis() -> None:
        with FrameWriter(sqlite_db, version) as writer:
            for _ in range(3):
                writer.add("parts", frame)
            raise RuntimeError("the analysis broke")

    with pytest.raises(RuntimeError):
        broken_analysis()
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM frame_cache").scalar() == 0
