"""Fixtures for the store tests: a fresh database file and a message-frame builder."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from reciprocity.ingest.base import MESSAGE_SCHEMA
from reciprocity.store import Database, open_db

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

# (sender, minutes after T0, text) or with extra fields:
# (sender, minutes, text, kind, reply_to, source_id)
Row = tuple[object, ...]
Build = Callable[..., pl.DataFrame]


def build(
    rows: Sequence[Row], *, source: str = "whatsapp", conversation: str = "Alex"
) -> pl.DataFrame:
    """A MESSAGE_SCHEMA frame, one message per row, lines numbered from 1."""
    records = []
    for line, row in enumerate(rows, start=1):
        sender, minutes, text, *extra = row
        kind = extra[0] if extra else ("system" if sender is None else "text")
        reply_to = extra[1] if len(extra) > 1 else None
        source_id = extra[2] if len(extra) > 2 else None
        assert isinstance(minutes, int | float)
        records.append(
            {
                "source": source,
                "conversation": conversation,
                "sender": sender,
                "timestamp": T0 + timedelta(minutes=minutes),
                "text": text,
                "kind": kind,
                "reply_to": reply_to,
                "source_id": source_id,
                "line": line,
            }
        )
    return pl.DataFrame(records, schema=MESSAGE_SCHEMA)


@pytest.fixture
def messages() -> Build:
    """The frame builder (see :func:`build`)."""
    return build


@contextlib.contextmanager
def postgres_schema(server: str) -> Iterator[str]:
    """A URL of ``server`` whose connections work in a new, empty schema of their own
    (dropped afterwards): each test gets a fresh database without a new server."""
    from sqlalchemy import create_engine, make_url, text

    name = f"t_{uuid.uuid4().hex[:16]}"
    engine = create_engine(server)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    url = make_url(server).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: a temporary SQLite file, and the same test again on a
    fresh schema of the throwaway PostgreSQL (``postgres_server``; skipped without one)."""
    if request.param == "sqlite":
        with open_db(str(tmp_path / "test.sqlite")) as database:
            yield database
        return
    server = request.getfixturevalue("postgres_server")
    with postgres_schema(server) as location, open_db(location) as database:
        yield database


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    """The ``db`` fixture, for tests of SQLite-specific behaviour (skipped elsewhere)."""
    if not db.is_sqlite:
        pytest.skip("checks SQLite-specific behaviour")
    return db
