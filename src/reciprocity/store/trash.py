"""Soft delete: the rows a person deletes stay in their table, marked, until undone.

Journal entries, expectations and conversation records carry a ``deleted_us`` column (see
:mod:`.models_guide`). :func:`soft_delete` sets it, :func:`restore` clears it and
:func:`last_deleted` finds what "undo" brings back; every reader filters with :func:`kept`.
Because no row is removed, SQLite never hands a deleted row's id to a new one: the id a
person saw in the CLI or on a page always means the same entry. "Delete everything"
(:mod:`.wipe`) is the one way rows really go.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update

from reciprocity.errors import NotFound
from reciprocity.store.cache import touch_edits
from reciprocity.store.db import Database
from reciprocity.store.models_guide import ConversationRecord, Expectation, JournalEntry

__all__ = ["KINDS", "kept", "last_deleted", "restore", "soft_delete"]

KINDS: dict[str, Any] = {
    "journal": JournalEntry,
    "expectation": Expectation,
    "record": ConversationRecord,
}
"""The tables a person deletes from, by the short name the surfaces use."""

_WORDS = {
    "journal": "journal entry",
    "expectation": "expectation",
    "record": "conversation record",
}


def kept(model: Any) -> ColumnElement[bool]:
    """The condition every reader adds: the row is not deleted."""
    column: ColumnElement[bool] = model.deleted_us.is_(None)
    return column


def _now_us() -> int:
    now = datetime.now(UTC)
    return int(now.timestamp()) * 1_000_000 + now.microsecond


def soft_delete(db: Database, kind: str, row_id: int) -> None:
    """Mark row ``row_id`` of ``kind`` (a key of :data:`KINDS`) deleted;
    :class:`NotFound` when there is no such row, or it is deleted already."""
    model = KINDS[kind]
    with db.write() as conn:
        gone = conn.execute(
            update(model).where(model.id == row_id, kept(model)).values(deleted_us=_now_us())
        ).rowcount
        touch_edits(conn)
    if not gone:
        raise NotFound(f"there is no {_WORDS[kind]} {row_id}")


def restore(db: Database, kind: str, row_id: int) -> None:
    """Bring a deleted row back as it was, with its id; :class:`NotFound` when row
    ``row_id`` was never there or is not deleted."""
    model = KINDS[kind]
    with db.write() as conn:
        back = conn.execute(
            update(model)
            .where(model.id == row_id, model.deleted_us.is_not(None))
            .values(deleted_us=None)
        ).rowcount
        touch_edits(conn)
    if not back:
        raise NotFound(f"there is no deleted {_WORDS[kind]} {row_id} to bring back")


def last_deleted(db: Database, kind: str) -> int | None:
    """The id of the row of ``kind`` deleted most recently, or ``None``."""
    model = KINDS[kind]
    with db.engine.connect() as conn:
        found = conn.scalar(
            select(model.id)
            .where(model.deleted_us.is_not(None))
            .order_by(model.deleted_us.desc(), model.id.desc())
            .limit(1)
        )
    return None if found is None else int(found)
