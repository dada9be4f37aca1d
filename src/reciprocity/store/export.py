"""Everything the user has in the database, as one JSON file they can keep or read.

One object: ``{"exported_at": ..., "tables": {"people": [...], "messages": [...], ...}}``,
every table of the store but the derived frames (rebuilt from the rest) and the schema's
own bookkeeping. Times (the ``*_us`` columns) are written as ISO 8601 text in UTC under
the name without ``_us``; rows the user deleted (``deleted_us`` set, see :mod:`.trash`)
are left out. The text is produced a row at a time (:func:`export_chunks`), so a database
of a million messages is written without holding it in memory, and the web app streams
the same chunks as a download.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select

from reciprocity.errors import StoreError
from reciprocity.store.db import Database
from reciprocity.store.models import Base
from reciprocity.store.private import private_writer

__all__ = ["EXPORTED_TABLES", "export_chunks", "write_export"]

EXPORTED_TABLES = (
    "people",
    "identities",
    "kept_apart",
    "relationships",
    "conversations",
    "participants",
    "imports",
    "messages",
    "journal_entries",
    "expectations",
    "conversation_records",
    "assessments",
    "settings",
)
"""The tables written, in this order (a test checks no table of the user's is missing)."""

_BATCH = 5000


def _time(micros: int | None) -> str | None:
    if micros is None:
        return None
    stamp = datetime.fromtimestamp(micros // 1_000_000, UTC)
    return stamp.replace(microsecond=micros % 1_000_000).isoformat()


def _rows(db: Database, table: Table) -> Iterator[dict[str, Any]]:
    query = select(table)
    if "deleted_us" in table.c:
        query = query.where(table.c.deleted_us.is_(None))
    keys = table.primary_key.columns.values()
    query = query.order_by(*keys)
    with db.engine.connect() as conn:
        result = conn.execution_options(yield_per=_BATCH).execute(query)
        for row in result.mappings():
            out: dict[str, Any] = {}
            for name, value in row.items():
                if name == "deleted_us":
                    continue
                if name.endswith("_us"):
                    out[name.removesuffix("_us")] = _time(value)
                else:
                    out[name] = value
            yield out


def export_chunks(db: Database) -> Iterator[str]:
    """The export's JSON text, piece by piece (join them for the whole file)."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    yield '{"exported_by": "Reciprocity", "exported_at": ' + json.dumps(stamp)
    yield ', "tables": {'
    for position, name in enumerate(EXPORTED_TABLES):
        table = Base.metadata.tables[name]
        yield ("" if position == 0 else ", ") + json.dumps(name) + ": ["
        first = True
        for row in _rows(db, table):
            yield ("\n" if first else ",\n") + json.dumps(row, ensure_ascii=False)
            first = False
        yield "]"
    yield "}}\n"


def write_export(db: Database, target: Path) -> Path:
    """Write everything to ``target`` (a JSON file; a folder gets a dated file inside).

    Written to a temporary name first and then renamed, so a failed export never leaves
    half a file where a good one was. Returns the file written.
    """
    target = target.expanduser()
    if target.is_dir():
        target = target / f"reciprocity-{datetime.now(UTC).date().isoformat()}.json"
    if not target.parent.is_dir():
        raise StoreError(f"cannot write {target}: the folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".part")
    try:
        with private_writer(partial) as out:  # 0600, as the database it comes from
            for chunk in export_chunks(db):
                out.write(chunk)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target
