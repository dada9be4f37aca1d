"""One person's analysis as Parquet tables, for DuckDB, Datasette or a notebook.

``reciprocity export DIR --parquet`` writes what the commands show, from the same
computed result (:func:`reciprocity.pipeline.analyze`): the acts of each message, the
exchanges, the ledger, the balance, and the per-relationship figures, outcomes and reply
speed, one ``<table>.parquet`` file each, with the columns the corpus mode writes
(:mod:`reciprocity.corpora`) but keyed by ``relationship_id`` and ``person``. The folder
is made 0700 and the files 0600, like every other export; they are written under
temporary names and renamed when all are complete.
"""

from __future__ import annotations

import os
from pathlib import Path

from reciprocity import acts, pipeline, store
from reciprocity.store.private import FILE_MODE, private_folder

__all__ = ["TABLES", "write_tables"]

#: The tables written, in pipeline order.
TABLES = ("acts", "figures", "exchanges", "ledger", "balance", "outcomes", "reply_speed")


def write_tables(db: store.Database, folder: str | Path) -> dict[str, int]:
    """Write each of :data:`TABLES` for ``db`` as ``folder/<table>.parquet``; returns the
    rows written per table. Files of the same names in ``folder`` are replaced."""
    folder = Path(folder)
    private_folder(folder)
    analysis = pipeline.analyze(db)
    frame = pipeline.acts_frame(db)
    tables = {
        "acts": frame.select(
            "relationship_id",
            "person",
            "message_id",
            "from_me",
            "timestamp",
            *acts.ACTS,
            "disclosure_depth",
        ),
        "figures": analysis.figures,
        "exchanges": analysis.exchanges,
        "ledger": analysis.ledger,
        "balance": analysis.balance,
        "outcomes": analysis.exchange_figures,
        "reply_speed": analysis.reply_speed,
    }
    written: dict[str, int] = {}
    parts: list[tuple[Path, Path]] = []
    try:
        for name, table in tables.items():
            final = folder / f"{name}.parquet"
            part = folder / f".{name}.parquet.part"
            handle = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            with os.fdopen(handle, "wb") as out:
                if hasattr(os, "fchmod"):
                    os.fchmod(out.fileno(), FILE_MODE)
                table.write_parquet(out)
            parts.append((part, final))
            written[name] = table.height
        for part, final in parts:
            part.replace(final)
    finally:
        for part, _ in parts:
            part.unlink(missing_ok=True)
    return written
