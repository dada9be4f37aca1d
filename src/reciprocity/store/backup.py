"""Backups: the whole database copied into one file, and such a file put back.

Both go through SQLite's online backup API, which copies the database page by page from
one connection to another:

- :func:`backup` copies in one step, so the copy is one consistent moment of the data even
  while an import or the app is writing (in WAL mode a reader never waits for a writer).
  It is written to ``FILE.part`` (0600), checked, and renamed to ``FILE``: a failed backup
  never leaves half a file where a good one was. An encrypted database's backup is
  encrypted with the same key (the same passphrase opens it).
- :func:`restore` checks the backup first, then copies it *into* the open database in one
  write transaction. SQLite's journal makes that all or nothing: a crash or a power cut
  half-way leaves the database as it was, and the app, if running, sees the old data or
  the new, never a mixture. (Renaming a file over the database instead would be unsafe
  while the app runs: its write-ahead log would then be replayed onto the wrong file.)
  A backup older than this version is brought up to date afterwards, and every derived
  figure is marked stale, so nothing computed from the replaced data is shown again.

Either side is checked (:func:`check`): SQLite's ``integrity_check``, and that it is a
Reciprocity database at a schema this version knows. A damaged or foreign file is refused
before anything is written. A plain backup restored into an encrypted database (or the
other way round) is first rewritten, in a temporary file, into the database's own form.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reciprocity.errors import StoreError
from reciprocity.store import cache, cipher, migrate, private
from reciprocity.store.db import Database, begin_write
from reciprocity.store.models import Base

__all__ = ["backup", "check", "restore"]


def _file(db: Database) -> Path:
    if db.path is None or not db.is_sqlite:
        raise StoreError(
            f"{db} is not a SQLite file; back up a server database with its own tools "
            "(for PostgreSQL: pg_dump)."
        )
    return db.path


def check(conn: Any, where: str) -> str:
    """The schema revision of the database open on the driver connection ``conn``, after
    checking that it is whole and a Reciprocity database this version can read;
    :class:`StoreError` saying what is wrong otherwise."""
    try:
        verdict = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except Exception as exc:  # the driver's DatabaseError: "file is not a database"
        raise StoreError(f"{where} is not a Reciprocity database, or it is damaged.") from exc
    if verdict != ["ok"]:
        raise StoreError(f"{where} is damaged ({verdict[0]}); it cannot be used.")
    if "alembic_version" not in tables:
        raise StoreError(f"{where} is not a Reciprocity database.")
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    revision = None if row is None else str(row[0])
    if revision is None or revision not in migrate.known_revisions():
        raise StoreError(
            f"{where} was written by a newer version of Reciprocity, or is not a Reciprocity "
            "database. Install a newer Reciprocity to use it."
        )
    missing = set(Base.metadata.tables) - tables if revision == migrate.HEAD else set()
    if missing:
        raise StoreError(f"{where} is missing tables ({', '.join(sorted(missing))}).")
    return revision


def _connect(path: Path, key: cipher.Key | None) -> Any:
    """A driver connection to ``path``: SQLCipher keyed with ``key``, or the standard
    sqlite3 module for a plain file (the backup API wants both ends from one module)."""
    if key is not None:
        return cipher.connect(path, key)
    return sqlite3.connect(path, isolation_level=None, check_same_thread=False)


@contextlib.contextmanager
def _driver(db: Database) -> Iterator[Any]:
    """The driver connection of one pooled connection of ``db``."""
    raw = db.engine.raw_connection()
    try:
        yield raw.driver_connection
    finally:
        raw.close()


def backup(db: Database, target: Path) -> Path:
    """Copy ``db`` into the file ``target`` (a folder gets a dated file inside); returns
    the file written. See the module's docstring for how it stays consistent."""
    path = _file(db)
    target = target.expanduser()
    if target.is_dir():
        target = target / f"reciprocity-backup-{datetime.now(UTC).date().isoformat()}.sqlite"
    if not target.parent.is_dir():
        raise StoreError(f"cannot write {target}: the folder {target.parent} does not exist")
    if target.resolve() == path.resolve():
        raise StoreError(f"{target} is the database itself; choose another file.")
    key = cipher.key_for(path) if cipher.is_encrypted(path) else None
    partial = target.with_name(target.name + ".part")
    try:
        partial.unlink(missing_ok=True)
        private.create_private(partial)
        copy = _connect(partial, key)
        try:
            with _driver(db) as live:
                live.backup(copy)  # all pages in one step: one moment of the data
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            check(copy, str(target))
        finally:
            copy.close()
        os.replace(partial, target)
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        for suffix in ("", *private.COMPANIONS):
            partial.with_name(partial.name + suffix).unlink(missing_ok=True)
    return target


def restore(db: Database, source: Path) -> str:
    """Replace everything in ``db`` with the backup ``source``, all at once, after
    checking it; returns the schema revision the backup had. See the module's docstring."""
    path = _file(db)
    source = source.expanduser()
    if not source.is_file():
        raise StoreError(f"there is no backup file {source}")
    if source.resolve() == path.resolve():
        raise StoreError(f"{source} is the database itself; name a backup of it.")
    live_key = cipher.key_for(path) if cipher.is_encrypted(path) else None
    with db.engine.connect() as conn:
        seen = cache.counter(conn)
    source_key = cipher.key_for(source) if cipher.is_encrypted(source) else None
    converted = path.with_name(path.name + ".restore")
    try:
        incoming = _connect(source, source_key)
        try:
            revision = check(incoming, str(source))
            if (source_key is None) != (live_key is None):
                # The backup API copies between two plain or two encrypted files only.
                if source_key is None:
                    incoming.close()
                    incoming = cipher.connect(source, None)
                cipher.export(incoming, converted, live_key)
                incoming.close()
                incoming = _connect(converted, live_key)
            with _driver(db) as live:
                incoming.backup(live)  # one write transaction: all of it or nothing
                check(live, str(path))
        finally:
            incoming.close()
    finally:
        for suffix in ("", *private.COMPANIONS):
            converted.with_name(converted.name + suffix).unlink(missing_ok=True)
    db.engine.dispose()  # connections that knew the old schema start afresh
    migrate.upgrade(db.engine, str(path))
    with db.engine.connect() as conn, begin_write(conn):
        cache.touch_past(conn, seen)  # every derived figure is rebuilt from the restored data
    return revision
