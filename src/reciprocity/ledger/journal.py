"""Journal entries (self-report) as ledger events.

A journal frame (:data:`JOURNAL_SCHEMA`; the journal itself arrives with its own issue) has
one row per entry: ``person``, ``timestamp`` (UTC), ``giver`` (``"me"`` or ``"them"``),
``dimension`` (one of the ledger's, or null for an energy-only entry), ``weight`` (null means
1) and ``energy`` (how the user felt afterwards, -2 drained ... +2 uplifted, or null).

An entry with a dimension is one event ``giver -> other`` on that dimension. An entry with
an energy is also one ``energy`` event split between the two sides: the other person gave
``(energy + 2) / 4`` of it and the user ``(2 - energy) / 4``. So +2 is all theirs (they
lifted me up), -2 all mine (it cost me), 0 half each; "mostly you" on energy reads as
"these meetings take more out of you than they give".
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
    energy = pl.col("energy").cast(pl.Float64)
    split = (
        rows.filter(pl.col("energy").is_not_null())
        .with_columns(
            pl.lit("energy").alias("dimension"),
            pl.concat_list(
                pl.struct(pl.lit("them").alias("giver"), ((energy + 2) / 4).alias("weight")),
                pl.struct(pl.lit("me").alias("giver"), ((2 - energy) / 4).alias("weight")),
            ).alias("_split"),
        )
        .drop("giver", "weight")
        .explode("_split")
        .unnest("_split")
        .filter(pl.col("weight") > 0)
    )
    other = pl.when(pl.col("giver") == "me").then(pl.lit("them")).otherwise(pl.lit("me"))
    return (
        pl.concat([given, split], how="diagonal")
        .with_columns(
            other.alias("receiver"),
            pl.lit("journal").alias("source"),
            pl.lit(None, dtype=pl.Int64).alias("message_id"),
        )
        .select([pl.col(c).cast(t) for c, t in LEDGER_SCHEMA.items()])
    )
