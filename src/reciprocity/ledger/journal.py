"""Journal entries (self-report) as ledger events.

A journal frame (:data:`JOURNAL_SCHEMA`; the journal itself arrives with its own issue) has
one row per entry: ``person``, ``timestamp`` (UTC), ``giver`` (``"me"`` or ``"them"``),
``dimension`` (one of the ledger's, or null for an entry that gives nothing), ``weight``
(null means 1) and ``energy`` (how the user felt afterwards, -2 drained ... +2 uplifted, or
null).

An entry with a dimension is one event ``giver -> other`` on that dimension. Energy makes
no event: how one feels after seeing someone is not something either side gave, so it is
never a share (``reciprocity.journal.energy`` reads it as a trend of its own). The column
is accepted, and checked, so a journal frame can be handed over as it is.
"""

from __future__ import annotations

import polars as pl

__all__ = ["JOURNAL_SCHEMA", "journal_events"]

JOURNAL_SCHEMA: dict[str, pl.DataType] = {
    "person": pl.String(),
    "timestamp": pl.Datetime("us", "UTC"),
    "giver": pl.String(),
    "dimension": pl.String(),
    "weight": pl.Float64(),
    "energy": pl.Int8(),
}
"""Columns of a journal frame."""

_SIDES = ("me", "them")


def _check(journal: pl.DataFrame) -> None:
    """Raise ``ValueError`` naming the first bad row (1-based) of each kind of problem."""
    from reciprocity.ledger import DIMENSIONS

    missing = [c for c in ("person", "timestamp", "giver") if c not in journal.columns]
    if missing:
        raise ValueError(f"the journal frame lacks column(s) {', '.join(missing)}")
    indexed = journal.with_row_index("_row", offset=1)
    checks = [
        (~pl.col("giver").is_in(_SIDES), "giver must be 'me' or 'them'"),
        (
            pl.col("dimension").is_not_null() & ~pl.col("dimension").is_in(DIMENSIONS),
            "dimension must be one of " + ", ".join(DIMENSIONS),
        ),
        (pl.col("energy").is_not_null() & ~pl.col("energy").is_between(-2, 2), "energy is -2..+2"),
        (pl.col("weight").is_not_null() & (pl.col("weight") < 0), "weight must not be negative"),
    ]
    for bad, message in checks:
        rows = indexed.filter(bad.fill_null(True))["_row"]
        if rows.len():
            raise ValueError(f"journal entry {rows[0]}: {message}")


def journal_events(journal: pl.DataFrame, people: pl.LazyFrame) -> pl.LazyFrame:
    """The journal's events in the ledger's columns; ``people`` maps ``person`` to
    ``relationship_id`` (matched case-insensitively; matched entries take the chat's
    spelling of the name, others keep theirs with a null ``relationship_id``)."""
    from reciprocity.ledger import LEDGER_SCHEMA

    full = journal.with_columns(
        *(pl.lit(None, dtype=t).alias(c) for c, t in JOURNAL_SCHEMA.items() if c not in journal)
    ).select([pl.col(c).cast(t) for c, t in JOURNAL_SCHEMA.items()])
    _check(full)
    key = pl.col("person").str.strip_chars().str.to_lowercase().alias("_key")
    ids = people.select(key, "relationship_id", pl.col("person").alias("_chat_person")).unique(
        "_key", keep="first"
    )
    # Matched entries take the chat's spelling of the name, so they group with its events.
    # In the journal's order (a join is free to reorder): the ledger keeps ties in the
    # order they were made, and entries at one time and dimension are ties.
    rows = (
        full.lazy()
        .with_columns(key)
        .join(ids, on="_key", how="left", maintain_order="left")
        .with_columns(pl.coalesce("_chat_person", "person").alias("person"))
        .drop("_key", "_chat_person")
    )
    given = rows.filter(pl.col("dimension").is_not_null()).with_columns(
        pl.col("weight").fill_null(1.0)
    )
    other = pl.when(pl.col("giver") == "me").then(pl.lit("them")).otherwise(pl.lit("me"))
    return given.with_columns(
        other.alias("receiver"),
        pl.lit("journal").alias("source"),
        pl.lit(None, dtype=pl.Int64).alias("message_id"),
    ).select([pl.col(c).cast(t) for c, t in LEDGER_SCHEMA.items()])
