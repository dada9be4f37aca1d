"""Writing a batch of prepared message rows, as fast as each database allows.

Every route inserts with "skip what is already there" (``ON CONFLICT DO NOTHING`` on the
messages' unique key) and returns how many rows were really added.

- SQLite: multi-row ``INSERT`` statements straight through the driver, a few hundred rows
  each, so per-row Python work is only building the parameter list.
- PostgreSQL (psycopg 3): ``COPY`` into a temporary table, then one ``INSERT ... SELECT``.
- Anything else: SQLAlchemy Core ``executemany`` with ``RETURNING`` (portable, slower).
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import polars as pl
from sqlalchemy import Connection, Insert

from reciprocity.store.models import Message

# Rows per multi-row INSERT on SQLite: beyond ~200 the gain flattens out.
_ROWS_PER_STATEMENT = 200
# Rows turned into Python values at a time: a column's list of them (8 bytes a row) stays
# under glibc's 128 KiB threshold for blocks mapped fresh from the system.
_ROWS_PER_SLICE = 10_000
# SQLite's default limit on parameters in one statement (since 3.32).
_MAX_PARAMETERS = 32766
# Columns a batch can carry (PostgreSQL stages them in a temporary table of this shape).
_STAGED = ", ".join(
    c.name for c in Message.__table__.columns if c.name not in ("id", "import_id", "reply_to_id")
)


def insert_ignoring_duplicates(conn: Connection, table: Any) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the connection's dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


def insert_messages(
    conn: Connection, frame: pl.DataFrame, columns: list[str], import_id: int, *, fast: bool
) -> int:
    """Insert ``frame``'s ``columns`` into ``messages``; the number of rows added.

    ``fast`` allows the driver-level routes; without it the portable route is used.
    """
    if fast and conn.dialect.name == "sqlite":
        return _sqlite(conn, frame, columns, import_id)
    if fast and conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        return _postgresql_copy(conn, frame, columns, import_id)
    rows = frame.select(columns).with_columns(import_id=pl.lit(import_id)).to_dicts()
    statement = insert_ignoring_duplicates(conn, Message).returning(Message.id)
    return len(conn.execute(statement, rows).all())


def _sqlite(conn: Connection, frame: pl.DataFrame, columns: list[str], import_id: int) -> int:
    raw: Any = conn.connection.dbapi_connection
    width = len(columns)
    per_statement = max(1, min(_ROWS_PER_STATEMENT, _MAX_PARAMETERS // width))
    values = "(" + ",".join("?" * width) + f",{int(import_id)})"
    names = ",".join(columns)

    def statement(rows: int) -> str:
        return (
            f"INSERT INTO messages ({names},import_id) VALUES "
            + ",".join([values] * rows)
            + " ON CONFLICT DO NOTHING"
        )

    before = raw.total_changes
    cursor: Any = raw.cursor()
    try:
        # A slice at a time: the Python objects of a whole batch (a million values or so)
        # would stay in the process's heap as peak memory long after they are freed. Each
        # statement's values are gathered from the slice's columns as it is run, so no
        # list of the whole slice is built (a big block is fresh pages from the system).
        for at in range(0, frame.height, _ROWS_PER_SLICE):
            part = frame.slice(at, _ROWS_PER_SLICE)
            values_of = [part[c].to_list() for c in columns]
            full = part.height - part.height % per_statement
            cursor.executemany(
                statement(per_statement),
                (_flat(values_of, i, i + per_statement) for i in range(0, full, per_statement)),
            )
            if full < part.height:
                cursor.execute(statement(part.height - full), _flat(values_of, full, part.height))
    finally:
        cursor.close()
    return int(raw.total_changes - before)


def _flat(values_of: list[list[Any]], start: int, stop: int) -> list[Any]:
    """Rows ``start:stop`` of the columns' values, row after row."""
    return list(chain.from_iterable(zip(*(v[start:stop] for v in values_of), strict=True)))


def _postgresql_copy(
    conn: Connection, frame: pl.DataFrame, columns: list[str], import_id: int
) -> int:
    raw: Any = conn.connection.dbapi_connection
    names = ", ".join(columns)
    with raw.cursor() as cursor:
        # Lives until the import's transaction ends; emptied for every batch.
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS incoming_messages ON COMMIT DROP AS "
            f"SELECT {_STAGED} FROM messages WITH NO DATA"
        )
        cursor.execute("TRUNCATE incoming_messages")
        with cursor.copy(f"COPY incoming_messages ({names}) FROM STDIN") as copy:
            for row in zip(*(frame[c].to_list() for c in columns), strict=True):
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO messages ({names}, import_id) "
            f"SELECT {names}, %s FROM incoming_messages ON CONFLICT DO NOTHING",
            (import_id,),
        )
        return int(cursor.rowcount)
