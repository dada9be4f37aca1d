"""Moving message rows from the database into Polars, quickly and without extra packages.

Handing rows one by one through the driver costs a Python tuple and several objects per
message (about 2.5 s per million here). On SQLite, the database instead renders each chunk
of rows as CSV text in C (``printf`` with ``%w``, which doubles quotes the CSV way) and
Polars' multi-threaded CSV reader parses it: about twice as fast, and the per-message
Python work disappears. Other databases use the portable cursor path.

Reactions (rows of ``kind`` "reaction", see :mod:`reciprocity.ingest.base`) are never
messages: every read here but :func:`raw_reactions` leaves them out, in the one ``WHERE``
all of them share, so no count, turn or window of the analysis can see one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection

#: What :func:`raw_messages` returns.
RAW_SCHEMA: dict[str, pl.DataType] = {
    "message_id": pl.Int64(),
    "conversation_id": pl.Int64(),
    "sender": pl.Int64(),
    "timestamp": pl.Int64(),
    "ordinal": pl.Int64(),
    "reply_to_message_id": pl.Int64(),
    "kind": pl.String(),
    "text": pl.String(),
}

#: What :func:`message_keys` returns: what cutting the timeline into windows needs, and
#: no text (about 40 bytes a message in Polars; ``kind`` is a category).
KEY_SCHEMA: dict[str, pl.DataType] = {
    "message_id": pl.Int64(),
    "conversation_id": pl.Int64(),
    "sender": pl.Int64(),
    "timestamp": pl.Int64(),
    "ordinal": pl.Int64(),
    "kind": pl.Categorical(),
}

#: What :func:`group_keys` returns: the key columns and the reply, for cutting group
#: chats into windows that no reply crosses.
GROUP_KEY_SCHEMA: dict[str, pl.DataType] = {
    **KEY_SCHEMA,
    "reply_to_message_id": pl.Int64(),
}

#: Use the SQLite CSV path on SQLite (tests turn it off to compare with the portable one).
FAST_SQLITE = True


@dataclass(frozen=True)
class _Columns:
    """What one kind of read selects: as a column list for the cursor, as a CSV line for
    SQLite, and the schema both are read into."""

    select: str
    line: str
    schema: dict[str, pl.DataType]


# One CSV line per message. A null text is an empty unquoted field (Polars reads null);
# an empty text is "" (Polars reads ""). Null reply ids print as nothing, read as null.
_ROWS = _Columns(
    select=(
        "id, conversation_id, sender_identity_id, timestamp_us, ordinal, reply_to_id, kind, text"
    ),
    line=(
        "printf('%d,%d,%d,%d,%d,%s,\"%w\",', id, conversation_id, sender_identity_id, "
        "timestamp_us, ordinal, reply_to_id, kind) "
        "|| CASE WHEN text IS NULL THEN '' ELSE printf('\"%w\"', text) END"
    ),
    schema=RAW_SCHEMA,
)
_KEYS = _Columns(
    select="id, conversation_id, sender_identity_id, timestamp_us, ordinal, kind",
    line=(
        "printf('%d,%d,%d,%d,%d,\"%w\"', id, conversation_id, sender_identity_id, "
        "timestamp_us, ordinal, kind)"
    ),
    schema=KEY_SCHEMA,
)
_GROUP_KEYS = _Columns(
    select="id, conversation_id, sender_identity_id, timestamp_us, ordinal, kind, reply_to_id",
    line=(
        "printf('%d,%d,%d,%d,%d,\"%w\",%s', id, conversation_id, sender_identity_id, "
        "timestamp_us, ordinal, kind, reply_to_id)"
    ),
    schema=GROUP_KEY_SCHEMA,
)
_IDS_PER_CHUNK = 100_000  # ~10 MB of CSV at a time
_CSV_BYTES = 8_000_000  # small answers are parsed together, up to about this much CSV
_ROWS_PER_FETCH = 100_000
# Above this many conversations, filtering in Polars beats a huge IN (...) list.
_MAX_IN_LIST = 30_000
# Ids written into one IN (...) list by :func:`messages_in` (~150 kB of SQL).
_IDS_PER_LIST = 20_000


def raw_messages(conn: Connection, conversations: list[int]) -> pl.DataFrame:
    """Messages with a sender in ``conversations``, unsorted, in :data:`RAW_SCHEMA`."""
    return _whole(conn, conversations, _ROWS)


def raw_reactions(conn: Connection, conversations: list[int]) -> pl.DataFrame:
    """The reactions in ``conversations`` (``text`` the reaction, ``reply_to_message_id``
    the message reacted to, null when it was not found), in id order, in
    :data:`RAW_SCHEMA`."""
    return _whole(conn, conversations, _ROWS, reactions=True)


def message_keys(conn: Connection, conversations: list[int]) -> pl.DataFrame:
    """The rows of :func:`raw_messages` without their text, reply or anything else that
    cutting the timeline does not need, in :data:`KEY_SCHEMA`, in id order."""
    return _whole(conn, conversations, _KEYS)


def group_keys(conn: Connection, conversations: list[int]) -> pl.DataFrame:
    """The rows of :func:`message_keys` with the message each replies to, in
    :data:`GROUP_KEY_SCHEMA`, in id order."""
    return _whole(conn, conversations, _GROUP_KEYS)


def messages_in(
    conn: Connection, ranges: list[tuple[int, int]], conversations: list[int], ids: list[int]
) -> pl.DataFrame:
    """Messages with a sender whose id is in one of the inclusive ``ranges`` and whose
    conversation is in ``conversations``, or whose id is in ``ids``; unsorted, in
    :data:`RAW_SCHEMA`. Ranges suit runs of ids (a scan, whatever lies between); the id
    list suits scattered ones (one look-up each)."""
    listed = len(conversations) <= _MAX_IN_LIST
    fast = FAST_SQLITE and conn.dialect.name == "sqlite"
    # Over the conversation index SQLite would look every row up: "+" keeps the id range.
    chats = _in_list(
        conversations if listed else None, "+conversation_id" if fast else "conversation_id"
    )
    # Long ranges in pieces, each answered by SQLite as one CSV text of bounded size.
    where = [
        f"id >= {start} AND id <= {min(start + _IDS_PER_CHUNK - 1, high)}{chats}"
        for low, high in ((int(a), int(b)) for a, b in ranges)
        for start in range(low, high + 1, _IDS_PER_CHUNK)
    ]
    in_range = _read(conn, _ROWS, where, fast)
    if not listed:
        wanted = pl.Series(conversations, dtype=pl.Int64).implode()
        in_range = in_range.filter(pl.col("conversation_id").is_in(wanted))
    chosen = sorted({int(i) for i in ids})
    lists = [
        f"id IN ({','.join(map(str, chosen[at : at + _IDS_PER_LIST]))})"
        for at in range(0, len(chosen), _IDS_PER_LIST)
    ]
    by_id = _read(conn, _ROWS, lists, fast)
    return pl.concat([in_range, by_id]) if by_id.height else in_range


def _whole(
    conn: Connection, conversations: list[int], columns: _Columns, *, reactions: bool = False
) -> pl.DataFrame:
    """Every message with a sender in ``conversations`` (every reaction instead when
    ``reactions``), in id order, as ``columns``."""
    if not conversations:
        return pl.DataFrame(schema=columns.schema)
    listed = len(conversations) <= _MAX_IN_LIST
    if FAST_SQLITE and conn.dialect.name == "sqlite":
        raw: Any = conn.connection.dbapi_connection
        low, high = raw.execute("SELECT min(id), max(id) FROM messages").fetchone()
        if low is None:
            return pl.DataFrame(schema=columns.schema)
        # "+conversation_id" keeps SQLite from reading through the conversation index: a
        # plain rowid range scan is sequential and several times faster for most of a table.
        chats = _in_list(conversations if listed else None, "+conversation_id")
        where = [
            f"id >= {start} AND id < {start + _IDS_PER_CHUNK}{chats}"
            for start in range(low, high + 1, _IDS_PER_CHUNK)
        ]
        frame = _read(conn, columns, where, fast=True, reactions=reactions)
    else:
        chats = _in_list(conversations if listed else None, "conversation_id")
        frame = _read(conn, columns, [f"1 = 1{chats}"], fast=False, reactions=reactions)
    if not listed:
        wanted = pl.Series(conversations, dtype=pl.Int64).implode()
        frame = frame.filter(pl.col("conversation_id").is_in(wanted))
    return frame


def _in_list(conversations: list[int] | None, column: str) -> str:
    if conversations is None:
        return ""
    # Integers from our own tables: safe to inline, and no parameter limit applies.
    return f" AND {column} IN ({','.join(str(int(c)) for c in sorted(conversations))})"


# What every read asks of a row besides its own conditions: someone sent it, and it is a
# message (or, for :func:`raw_reactions`, a reaction).
_MESSAGES = "sender_identity_id IS NOT NULL AND kind <> 'reaction' AND "
_REACTIONS = "sender_identity_id IS NOT NULL AND kind = 'reaction' AND "


def _read(
    conn: Connection, columns: _Columns, where: list[str], fast: bool, *, reactions: bool = False
) -> pl.DataFrame:
    """The messages with a sender matching any of ``where`` (SQL conditions, which must not
    overlap), query by query, in the order the queries and the database give them; the
    reactions instead when ``reactions``."""
    rows = _REACTIONS if reactions else _MESSAGES
    if fast:
        return _sqlite_csv(conn, columns, where, rows)
    return _cursor(conn, columns, where, rows)


def _sqlite_csv(conn: Connection, columns: _Columns, where: list[str], rows: str) -> pl.DataFrame:
    raw: Any = conn.connection.dbapi_connection
    sql = f"SELECT CAST(group_concat({columns.line}, char(10)) AS BLOB) FROM messages WHERE {rows}"
    parts: list[pl.DataFrame] = []
    pending: list[bytes] = []
    size = 0
    for number, condition in enumerate(where, start=1):
        (blob,) = raw.execute(sql + condition).fetchone()
        if blob:
            pending.append(blob)
            size += len(blob)
        if size >= _CSV_BYTES or (pending and number == len(where)):
            # Many small answers (short runs of ids) parse as one: each parse has a cost.
            text = pending[0] if len(pending) == 1 else b"\n".join(pending)
            parts.append(
                pl.read_csv(text, has_header=False, schema=columns.schema, infer_schema=False)
            )
            pending, size = [], 0
    if not parts:
        return pl.DataFrame(schema=columns.schema)
    return pl.concat(parts, rechunk=True)


def _cursor(conn: Connection, columns: _Columns, where: list[str], rows: str) -> pl.DataFrame:
    cursor: Any = conn.connection.cursor()
    parts: list[pl.DataFrame] = []
    try:
        for condition in where:
            cursor.execute(f"SELECT {columns.select} FROM messages WHERE {rows}{condition}")
            while fetched := cursor.fetchmany(_ROWS_PER_FETCH):
                values = zip(*fetched, strict=True)
                series = [
                    pl.Series(name, column, dtype=dtype)
                    for (name, dtype), column in zip(columns.schema.items(), values, strict=True)
                ]
                parts.append(pl.DataFrame(series))
    finally:
        cursor.close()
    if not parts:
        return pl.DataFrame(schema=columns.schema)
    return pl.concat(parts, rechunk=True)
