"""Conversation records: the day the user had the open conversation, and what they said.

The metrics' before/after comparison (``reciprocity.metrics.change_around``) starts from
these dates; :mod:`.protect` reads them to say whether anything changed since.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from sqlalchemy import insert, select

from reciprocity.journal.entries import JournalError, not_in_future, to_utc
from reciprocity.store import trash
from reciprocity.store.cache import touch_edits
from reciprocity.store.db import Database
from reciprocity.store.models_guide import ConversationRecord

__all__ = [
    "RECORDS_SCHEMA",
    "conversation_records",
    "delete_record",
    "record_conversation",
    "restore_record",
]

RECORDS_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "person": pl.String(),
    "date": pl.Datetime("us", "UTC"),
    "draft": pl.String(),
    "statement": pl.String(),
}
"""Columns of :func:`conversation_records`; ``date`` is when the conversation happened."""


def record_conversation(
    db: Database,
    person: str,
    *,
    when: datetime | date | None = None,
    draft: str | None = None,
    statement: str | None = None,
) -> int:
    """Note that the open conversation with ``person`` happened (``when``, default now);
    returns the record's id."""
    if not person.strip():
        raise JournalError("say who the conversation was with")
    not_in_future(when)
    stamp = to_utc(when)
    micros = int(stamp.timestamp()) * 1_000_000 + stamp.microsecond
    with db.write() as conn:
        key = conn.execute(
            insert(ConversationRecord).values(
                person=person.strip(), timestamp_us=micros, draft=draft, statement=statement
            )
        ).inserted_primary_key
        touch_edits(conn)
    assert key is not None
    return int(key[0])


def delete_record(db: Database, record_id: int) -> None:
    """Delete a conversation record (:func:`restore_record` brings it back with its id);
    :class:`NotFound` when there is none."""
    trash.soft_delete(db, "record", record_id)


def restore_record(db: Database, record_id: int) -> None:
    """Bring back a deleted conversation record, with its id; :class:`NotFound` when there
    is none."""
    trash.restore(db, "record", record_id)


def conversation_records(db: Database) -> pl.DataFrame:
    """Every conversation record, oldest first (:data:`RECORDS_SCHEMA`)."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                ConversationRecord.id,
                ConversationRecord.person,
                ConversationRecord.timestamp_us,
                ConversationRecord.draft,
                ConversationRecord.statement,
            )
            .where(trash.kept(ConversationRecord))
            .order_by(ConversationRecord.timestamp_us, ConversationRecord.id)
        ).all()
    data = {c: [r[i] for r in rows] for i, c in enumerate(RECORDS_SCHEMA)}
    frame = pl.DataFrame(data, schema={**RECORDS_SCHEMA, "date": pl.Int64()})
    return frame.with_columns(pl.col("date").cast(pl.Datetime("us", "UTC")))
