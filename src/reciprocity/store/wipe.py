"""Where the data lives, and deleting all of it.

:func:`location` says which file holds everything and how large it is (the settings page
and ``reciprocity where``). :func:`delete_everything` removes every row of every table, the
deleted-but-undoable ones included, and on SQLite rewrites the file (``VACUUM``) so the
old messages are gone from the disk too, not just unlinked inside it. The schema stays, so
the app goes on with an empty database: its first-run state.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select

from reciprocity.store.cipher import is_encrypted
from reciprocity.store.db import Database
from reciprocity.store.models import Base

__all__ = ["Location", "delete_everything", "is_empty", "location", "scrub"]


@dataclass(frozen=True)
class Location:
    """Where the database is: ``path`` (``None`` for a server database), ``shown`` (the
    path or the URL without its password), ``size`` in bytes (``None`` when unknown) and
    whether the file is ``encrypted`` (see :mod:`.cipher`)."""

    path: Path | None
    shown: str
    size: int | None
    encrypted: bool = False


def location(db: Database) -> Location:
    """The database's file and its size on disk (with its write-ahead log)."""
    if db.path is None:
        return Location(None, db.url, None)
    size = 0
    for suffix in ("", "-wal"):
        part = db.path.with_name(db.path.name + suffix)
        if part.exists():
            size += part.stat().st_size
    return Location(db.path, str(db.path), size, is_encrypted(db.path))


def delete_everything(db: Database) -> None:
    """Remove all the user's data: messages, people, journal, needs, records, settings."""
    with db.write() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    scrub(db)


def scrub(db: Database) -> None:
    """On a SQLite file, rewrite it (``VACUUM``) and empty its write-ahead log, so rows
    just deleted are gone from the disk too, not only unlinked inside the file."""
    if db.is_sqlite and db.path is not None:
        raw = db.engine.raw_connection()
        try:
            # Outside any transaction (the driver is in autocommit, see db._tune_sqlite).
            raw.driver_connection.execute("VACUUM")  # type: ignore[union-attr]
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()


def is_empty(db: Database) -> bool:
    """Whether the database holds nothing yet: no messages, no people, no journal entry
    (the first-run state the app greets with an offer of the demo)."""
    from reciprocity.store.models import Message, Person
    from reciprocity.store.models_guide import JournalEntry

    with db.engine.connect() as conn:
        for query in (
            select(Message.id).limit(1),
            select(Person.id).limit(1),
            select(JournalEntry.id).where(JournalEntry.deleted_us.is_(None)).limit(1),
        ):
            if conn.execute(query).first() is not None:
                return False
    return True
