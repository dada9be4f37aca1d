"""Derived frames kept as Parquet inside the database, so reading them again is instant.

Building the analysis frame from a million stored messages takes about a second; loading
it back from the ``frame_cache`` table takes a few hundredths. A cached frame is tagged
with :func:`state`, which every write that can change it moves on (:func:`touch`), and
also carries the newest message id as a guard; a tag that no longer matches means the
frame is rebuilt. The cache is only ever an optimisation: failing to write it (a locked or
read-only database) is silently skipped, and deleting its rows is always safe.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from reciprocity.store.db import Database
from reciprocity.store.models import FrameCache, Message, Setting

_COUNTER = "data_version"


def touch(conn: Connection) -> None:
    """Record, inside the caller's transaction, that data behind derived frames changed."""
    current = conn.scalar(select(Setting.value).where(Setting.key == _COUNTER))
    if current is None:
        conn.execute(insert(Setting).values(key=_COUNTER, value="1"))
    else:
        following = str(int(current) + 1)
        conn.execute(update(Setting).where(Setting.key == _COUNTER).values(value=following))


def state(conn: Connection) -> str:
    """A tag for the current data: the change counter and the newest message id."""
    counter = conn.scalar(select(Setting.value).where(Setting.key == _COUNTER)) or "0"
    newest = conn.scalar(select(func.max(Message.id))) or 0
    return f"{counter}:{newest}"


def load(conn: Connection, name: str, version: str) -> pl.DataFrame | None:
    """The frame cached under ``name`` if it was built from ``version``, else ``None``."""
    data = conn.scalar(
        select(FrameCache.data).where(FrameCache.name == name, FrameCache.version == version)
    )
    if data is None:
        return None
    return pl.read_parquet(io.BytesIO(data))


def derived(db: Database, name: str, build: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """The frame cached under ``name`` for the current data, building and caching it if needed.

    ``name`` must say everything the frame depends on besides the stored messages (the
    detector's version, a setting such as the silence gap), so that a change of those
    reads as a different frame rather than a stale one.
    """
    with db.engine.connect() as conn:
        version = state(conn)
        cached = load(conn, name, version)
    if cached is not None:
        return cached
    frame = build()
    # Data written while we built makes `version` old; the next call then rebuilds.
    save(db, name, version, frame)
    return frame


def save(db: Database, name: str, version: str, frame: pl.DataFrame) -> bool:
    """Cache ``frame`` under ``name``; ``False`` (and nothing written) if the database is busy."""
    buffer = io.BytesIO()
    # Level 1: a third faster to write than the default, a tenth larger.
    frame.write_parquet(buffer, compression="zstd", compression_level=1)
    try:
        with db.engine.begin() as conn, _no_waiting(conn):
            conn.execute(delete(FrameCache).where(FrameCache.name == name))
            conn.execute(
                insert(FrameCache).values(name=name, version=version, data=buffer.getvalue())
            )
    except SQLAlchemyError:
        return False
    return True


@contextmanager
def _no_waiting(conn: Connection) -> Iterator[None]:
    """On SQLite, give up at once instead of waiting for a writer to finish."""
    raw: Any = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
    if raw is None:
        yield
        return
    (before,) = raw.execute("PRAGMA busy_timeout").fetchone()
    raw.execute("PRAGMA busy_timeout=0")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(before)}")
