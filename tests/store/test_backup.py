"""Backup and restore: a consistent copy while writes go on, checked on both sides, and a
restore that refuses a damaged or foreign file and never replaces half the data."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select, text

from reciprocity import journal
from reciprocity.errors import StoreError
from reciprocity.store import Database, import_batches, open_db
from reciprocity.store.backup import backup, restore
from reciprocity.store.cache import counter
from reciprocity.store.migrate import HEAD
from reciprocity.store.models import Message
from reciprocity.store.models_guide import JournalEntry

Build = Callable[..., pl.DataFrame]


def _chat(messages: Build, who: str, count: int, start: int = 0) -> pl.DataFrame:
    rows = [("Sam" if i % 2 else who, start + i, f"{who} message {i}") for i in range(count)]
    return messages(rows, conversation=who)


def _count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Message)) or 0)


def test_a_backup_restores_to_the_moment_it_was_made(
    sqlite_db: Database, messages: Build, tmp_path: Path
) -> None:
    db = sqlite_db
    import_batches(db, iter([_chat(messages, "Alex", 40)]), file="a.txt", me="Sam", format="csv")
    journal.add_entry(db, "Alex", energy=1, note="before the backup")
    made = backup(db, tmp_path / "copy.sqlite")
    assert made == tmp_path / "copy.sqlite"
    assert not list(tmp_path.glob("copy.sqlite*[!e]")), "no log or part file left beside it"
    # The copy is a plain, whole database of its own.
    with sqlite3.connect(made) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert conn.execute("SELECT count(*) FROM messages").fetchone() == (40,)

    import_batches(db, iter([_chat(messages, "Jordan", 10)]), file="j.txt", me="Sam", format="csv")
    journal.add_entry(db, "Alex", energy=-2, note="after the backup")
    with db.engine.connect() as conn:
        seen = counter(conn)
    assert restore(db, made) == HEAD
    assert _count(db) == 40
    with db.engine.connect() as conn:
        notes = list(conn.scalars(select(JournalEntry.note)))
        assert counter(conn) > seen, "derived figures of the replaced data are stale"
    assert notes == ["before the backup"]


def test_a_backup_while_an_import_writes_is_one_consistent_moment(
    sqlite_db: Database, messages: Build, tmp_path: Path
) -> None:
    db = sqlite_db
    import_batches(db, iter([_chat(messages, "Alex", 10)]), file="a.txt", me="Sam", format="csv")
    sizes = [500 + 37 * i for i in range(12)]
    done = threading.Event()

    def write() -> None:
        for number, size in enumerate(sizes):
            chat = _chat(messages, f"P{number}", size)
            import_batches(db, iter([chat]), file=f"{number}.txt", me="Sam", format="csv")
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    copies = []
    while not done.is_set():
        copies.append(backup(db, tmp_path / f"copy{len(copies)}.sqlite"))
    writer.join()
    possible = {10 + sum(sizes[:n]) for n in range(len(sizes) + 1)}
    for copy in copies:
        with sqlite3.connect(copy) as conn:
            count = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
            assert count in possible, "a copy holds an import in part"
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("damage", ["foreign", "text", "truncated", "flipped", "newer"])
def test_restore_refuses_a_damaged_or_foreign_file_and_changes_nothing(
    sqlite_db: Database, messages: Build, tmp_path: Path, damage: str
) -> None:
    db = sqlite_db
    import_batches(db, iter([_chat(messages, "Alex", 300)]), file="a.txt", me="Sam", format="csv")
    made = backup(db, tmp_path / "copy.sqlite")
    import_batches(db, iter([_chat(messages, "Jordan", 5)]), file="j.txt", me="Sam", format="csv")
    bad = tmp_path / "bad.sqlite"
    if damage == "foreign":
        with sqlite3.connect(bad) as conn:
            conn.execute("CREATE TABLE songs (title TEXT)")
    elif damage == "text":
        bad.write_text("timestamp,sender,text\n2024-01-01,Alex,hi\n")
    elif damage == "truncated":
        bad.write_bytes(made.read_bytes()[: 3 * 4096 + 100])
    elif damage == "flipped":
        data = bytearray(made.read_bytes())
        for at in range(2 * 4096 + 8, len(data), 4096):  # every page's header from the 3rd
            data[at : at + 4] = b"\xff\xff\xff\xff"
        bad.write_bytes(bytes(data))
    else:
        bad.write_bytes(made.read_bytes())
        with sqlite3.connect(bad) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = _count(db)
    with pytest.raises(StoreError) as refused:
        restore(db, bad)
    assert str(bad) in str(refused.value)
    assert _count(db) == before == 305
    with db.engine.connect() as conn:
        assert conn.scalar(text("PRAGMA integrity_check")) == "ok"


_RESTORE = """
import sys
from pathlib import Path
from reciprocity.store import open_db
from reciprocity.store.backup import restore
db = open_db(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
restore(db, Path(sys.argv[2]))
print("done", flush=True)
"""


def test_a_restore_killed_at_any_moment_leaves_the_old_data_or_the_new_never_a_mixture(
    tmp_path: Path, messages: Build
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    live = tmp_path / "live.sqlite"
    made = tmp_path / "copy.sqlite"
    with open_db(live) as db:
        chat = _chat(messages, "Alex", 2000)
        import_batches(db, iter([chat]), file="a", me="Sam", format="csv")
        with db.engine.begin() as conn:  # some 40 MB, so the copy takes a while
            for number in range(40):
                conn.execute(
                    text("INSERT INTO frame_cache VALUES (:n, 'x', :d)"),
                    {"n": f"ballast{number}", "d": os.urandom(1 << 20)},
                )
        backup(db, made)
        more = _chat(messages, "Jordan", 700)
        import_batches(db, iter([more]), file="j", me="Sam", format="csv")

    def run(delay: float | None) -> float:
        child = subprocess.Popen(
            [sys.executable, "-c", _RESTORE, str(live), str(made)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdin is not None
        assert child.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        child.stdin.write("go\n")
        child.stdin.flush()
        if delay is None:
            assert child.wait(timeout=120) == 0
        else:
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
        return time.perf_counter() - started

    scratch = tmp_path / "scratch.sqlite"
    for suffix in ("", "-wal", "-shm"):
        part = Path(str(live) + suffix)
        if part.exists():
            Path(str(scratch) + suffix).write_bytes(part.read_bytes())
    whole = run(None)  # how long one restore takes here (into the live file, then undone)
    restore_back = tmp_path / "back.sqlite"
    with open_db(scratch) as db:
        backup(db, restore_back)
    with open_db(live) as db:
        restore(db, restore_back)
        assert _count(db) == 2700
    for fraction in (0.15, 0.3, 0.4, 0.45, 0.5, 0.6, 0.8):
        run(whole * fraction)
        with open_db(live) as db:
            count = _count(db)
            with db.engine.connect() as conn:
                assert conn.scalar(text("PRAGMA integrity_check")) == "ok"
        assert count in (2000, 2700), "a restore killed half-way left a mixture"
        if count == 2000:
            with open_db(live) as db:
                restore(db, restore_back)


def test_backup_and_restore_refuse_the_database_itself(sqlite_db: Database, tmp_path: Path) -> None:
    assert sqlite_db.path is not None
    with pytest.raises(StoreError, match="database itself"):
        backup(sqlite_db, sqlite_db.path)
    with pytest.raises(StoreError, match="database itself"):
        restore(sqlite_db, sqlite_db.path)
    with pytest.raises(StoreError, match="no backup file"):
        restore(sqlite_db, tmp_path / "missing.sqlite")


def test_a_restored_older_backup_is_brought_up_to_date(tmp_path: Path, messages: Build) -> None:
    from alembic import command

    from reciprocity.store.migrate import alembic_config

    old = tmp_path / "old.sqlite"
    with open_db(old) as db:
        import_batches(db, iter([_chat(messages, "Alex", 6)]), file="a", me="Sam", format="csv")
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0004_soft_delete")
    with open_db(tmp_path / "live.sqlite") as live:
        assert restore(live, old) == "0004_soft_delete"
        assert _count(live) == 6
        with live.engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD
