"""Journal: the user's self-report, the part of a relationship the chats cannot show.

Stage in the pipeline: a source next to the chats (DESIGN "sources -> ... -> ledger").
:mod:`.entries` saves, edits and reads entries; :func:`ledger_frame` hands them to
``reciprocity.ledger.ledger`` in its journal format (``reciprocity.ledger.journal``).
"""

from __future__ import annotations

import polars as pl

from reciprocity.journal.entries import (
    ENTRIES_SCHEMA,
    KINDS,
    Entry,
    JournalError,
    add_entry,
    delete_entry,
    edit_entry,
    entries_frame,
    get_entry,
    normalise_dimension,
    not_in_future,
    restore_entry,
    to_utc,
    undo_delete,
)
from reciprocity.ledger.journal import JOURNAL_SCHEMA
from reciprocity.store.db import Database

__all__ = [
    "ENTRIES_SCHEMA",
    "KINDS",
    "Entry",
    "JournalError",
    "add_entry",
    "delete_entry",
    "edit_entry",
    "entries_frame",
    "get_entry",
    "journal_to_ledger",
    "ledger_frame",
    "normalise_dimension",
    "not_in_future",
    "restore_entry",
    "to_utc",
    "undo_delete",
]


def journal_to_ledger(entries: pl.DataFrame) -> pl.DataFrame:
    """Entries (:data:`ENTRIES_SCHEMA`) in the ledger's journal format (``JOURNAL_SCHEMA``).

    Something given becomes an event on its dimension; an energy becomes the energy
    split. Tasks and conflicts are not given to the other person, so only their energy
    (when noted) reaches the ledger; they are read by parent mode instead.
    """
    given = (
        pl.col("kind").is_in(["interaction", "money", "favour"]) & pl.col("dimension").is_not_null()
    )
    rows = entries.filter(given | pl.col("energy").is_not_null())
    return rows.select(
        "person",
        "timestamp",
        # An energy-only entry still needs a side; the ledger ignores it for energy.
        pl.col("giver").fill_null("me").alias("giver"),
        pl.when(given).then(pl.col("dimension")).otherwise(None).alias("dimension"),
        pl.lit(None, dtype=pl.Float64).alias("weight"),
        "energy",
    ).select([pl.col(c).cast(t) for c, t in JOURNAL_SCHEMA.items()])


def ledger_frame(db: Database) -> pl.DataFrame | None:
    """The stored journal in the ledger's journal format, or ``None`` when it is empty."""
    frame = journal_to_ledger(entries_frame(db))
    return frame if frame.height else None
