"""Journal: the user's self-report, the part of a relationship the chats cannot show.

Stage in the pipeline: a source next to the chats (DESIGN "sources -> ... -> ledger").
:mod:`.entries` saves, edits and reads entries; :func:`ledger_frame` hands them to
``reciprocity.ledger.ledger`` in its journal format (``reciprocity.ledger.journal``).
"""

from __future__ import annotations

import polars as pl

from reciprocity.journal.energy import (
    EnergyMonth,
    EnergyPoint,
    EnergyTrend,
    energy_frame,
    energy_trends,
)
from reciprocity.journal.entries import (
    ENTRIES_SCHEMA,
    KINDS,
    Entry,
    JournalError,
    add_entry,
    default_currency,
    delete_entry,
    edit_entry,
    entries_frame,
    get_entry,
    normalise_dimension,
    not_in_future,
    restore_entry,
    settle,
    to_utc,
    undo_delete,
)
from reciprocity.journal.money import (
    MONEY_SCHEMA,
    Balance,
    MoneyError,
    balances,
    format_money,
    money_frame,
)
from reciprocity.ledger.journal import JOURNAL_SCHEMA
from reciprocity.store.db import Database

__all__ = [
    "ENTRIES_SCHEMA",
    "KINDS",
    "MONEY_SCHEMA",
    "Balance",
    "EnergyMonth",
    "EnergyPoint",
    "EnergyTrend",
    "Entry",
    "JournalError",
    "MoneyError",
    "add_entry",
    "balances",
    "default_currency",
    "delete_entry",
    "edit_entry",
    "energy_frame",
    "energy_trends",
    "entries_frame",
    "format_money",
    "get_entry",
    "journal_to_ledger",
    "ledger_frame",
    "money_frame",
    "normalise_dimension",
    "not_in_future",
    "restore_entry",
    "settle",
    "to_utc",
    "undo_delete",
]


def journal_to_ledger(entries: pl.DataFrame) -> pl.DataFrame:
    """Entries (:data:`ENTRIES_SCHEMA`) in the ledger's journal format (``JOURNAL_SCHEMA``).

    Something given becomes an event on its dimension; nothing else does. Energy
    afterwards is not given by either side (:mod:`.energy` reads it as a trend), paying
    money back is not a favour, and tasks and conflicts are read by parent mode.
    """
    given = (
        pl.col("kind").is_in(["interaction", "money", "favour"]) & pl.col("dimension").is_not_null()
    )
    rows = entries.filter(given)
    return rows.select(
        "person",
        "timestamp",
        "giver",
        "dimension",
        pl.lit(None, dtype=pl.Float64).alias("weight"),
        "energy",
    ).select([pl.col(c).cast(t) for c, t in JOURNAL_SCHEMA.items()])


def ledger_frame(db: Database) -> pl.DataFrame | None:
    """The stored journal in the ledger's journal format, or ``None`` when it is empty."""
    frame = journal_to_ledger(entries_frame(db))
    return frame if frame.height else None
