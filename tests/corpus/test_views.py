"""The SQL views over stored messages (migration 0008_views): plain column names, the
same rows as the tables, on a new database and on one brought up from an older schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from reciprocity import pipeline, store
from reciprocity.store.migrate import alembic_config

CHAT = (
    "timestamp,sender,text\n"
    "2024-05-01T10:00:00+00:00,Sam,Are you free tonight?\n"
    "2024-05-01T10:05:00+00:00,Alex,Yes! Dinner at eight?\n"
)


def _imported(path: Path, tmp_path: Path) -> None:
    (tmp_path / "chat.csv").write_text(CHAT)
    with store.open_db(path) as db:
        pipeline.import_file(db, tmp_path / "chat.csv", me="Sam")


def _rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(query).fetchall()


def test_views_read_as_plain_columns(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    _imported(path, tmp_path)
    rows = _rows(
        path,
        "SELECT sent_at_utc, sender, from_me, text, app FROM chat_messages ORDER BY sent_at_utc",
    )
    assert rows == [
        ("2024-05-01T10:00:00.000Z", "Sam", 1, "Are you free tonight?", "csv"),
        ("2024-05-01T10:05:00.000Z", "Alex", 0, "Yes! Dinner at eight?", "csv"),
    ]
    assert _rows(path, "SELECT messages, first_message_utc FROM chats") == [
        (2, "2024-05-01T10:00:00.000Z")
    ]
    people = _rows(path, "SELECT person, is_me FROM chat_people ORDER BY person")
    assert [p[0] for p in people] == ["Alex", "Sam"]


def test_an_older_database_gets_the_views(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    store.open_db(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0006_group_flag")
    engine.dispose()
    assert _rows(path, "SELECT name FROM sqlite_master WHERE type = 'view'") == []
    _imported(path, tmp_path)  # open_db brings it up to date
    names = _rows(path, "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name")
    assert names == [("chat_messages",), ("chat_people",), ("chats",)]
    assert _rows(path, "SELECT count(*) FROM chat_messages") == [(2,)]


def test_chats_count_reactions_apart(tmp_path: Path) -> None:
    jose = (
        Path(__file__).parent.parent
        / "fixtures"
        / "messenger"
        / "inbox"
        / "joseramirez_10158"
        / "message_2.json"
    )
    path = tmp_path / "r.sqlite"
    with store.open_db(path) as db:
        pipeline.import_file(db, jose, me="Sam Lee")
    assert _rows(path, "SELECT messages, reactions FROM chats") == [(4, 1)]
    reacted = _rows(path, "SELECT sender, text FROM chat_messages WHERE kind = 'reaction'")
    assert reacted == [("José Ramírez", "❤")]
