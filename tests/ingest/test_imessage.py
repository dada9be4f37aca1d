"""iMessage ``chat.db``: read-only, Apple times in seconds and nanoseconds, text from
``attributedBody``, tapbacks as reactions (not messages), replies, groups, and the import."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity import ingest, pipeline, store
from reciprocity.errors import ImportFailed
from reciprocity.ingest import imessage
from reciprocity.ingest.base import MESSAGE_SCHEMA, Options

from . import imessage_fixture as fixture


def read(path: Path) -> pl.DataFrame:
    frames = list(imessage.parse(path, Options()))
    for frame in frames:
        assert dict(frame.schema) == MESSAGE_SCHEMA
    return pl.concat(frames) if frames else pl.DataFrame(schema=MESSAGE_SCHEMA)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def chat_db(tmp_path: Path) -> Path:
    return fixture.write(tmp_path / "chat.db")


def test_messages_senders_times_replies_and_groups(chat_db: Path) -> None:
    before = chat_db.read_bytes()
    df = read(chat_db).filter(pl.col("kind") != "reaction")
    alex = "+14155550123"
    assert df.drop("source").rows() == [
        (alex, alex, utc("2024-03-01T18:00:00"), "Dinner tonight? 🍜", "text", None, "G-1", 1),
        # text only in attributedBody
        (alex, "Me", utc("2024-03-01T18:02:30"), "Sure! 7pm at Lina's 🙂", "text", None, "G-2", 2),
        # G-3, a tapback (2000), is a reaction: no message
        (alex, alex, utc("2024-03-01T18:04:00"), "Can we make it 7:30?", "text", "G-2", "G-4", 4),
        (alex, "Me", utc("2024-03-01T18:05:00"), "<photo>", "media", None, "G-5", 5),
        # seconds, as older macOS versions wrote
        (alex, alex, utc("2016-05-04T09:30:00"), "An old one, from 2016", "text", None, "G-6", 6),
        ("Lake crew", "mira@example.com", utc("2024-03-02T10:00:00"), "Who is in for Saturday?",
         "text", None, "G-7", 7),
        ("Lake crew", "+4917699887766", utc("2024-03-02T10:01:00"), "renamed the group", "system",
         None, "G-8", 8),
        # G-9 removes a reaction: no message
        ("Lake crew", "Me", utc("2024-03-02T10:03:00"), "Me! Bringing the boat", "text", "G-7",
         "G-10", 10),
        ("+4917699887766, mira@example.com", "+4917699887766", utc("2024-03-03T08:00:00"),
         "Ciao, siamo solo noi due qui? " * 5 + "Ciao, siamo solo noi due qui?", "text", None,
         "G-11", 11),
        (alex, alex, utc("2024-03-03T09:00:00"), "<FaceTime call>", "call", None, "G-12", 12),
    ]  # fmt: skip
    assert chat_db.read_bytes() == before  # opened read-only
    assert sorted(p.name for p in chat_db.parent.iterdir()) == ["chat.db"]  # no -wal, no -shm


def test_detected_by_content(chat_db: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "messages.bin"
    renamed.write_bytes(chat_db.read_bytes())
    assert ingest.detect(renamed) == "imessage"
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT)")
    assert not imessage.detect(other, other.read_bytes()[:100])


def test_bad_date_names_the_row_and_nothing_is_yielded(tmp_path: Path) -> None:
    rows = [*fixture.MESSAGES[:2], (13, "G-13", 1, "when?", None, -5, 0, 1, 0, None, None, 0, 0)]
    path = fixture.write(tmp_path / "chat.db", rows)
    with pytest.raises(ImportFailed) as caught:
        read(path)
    assert str(caught.value) == f"{path}:13: date -5 is not an Apple time"


def test_damaged_database(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    path.write_bytes(imessage.SQLITE_HEADER + b"\x00" * 200)
    with pytest.raises(ImportFailed) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_import_twice_adds_nothing(chat_db: Path, tmp_path: Path) -> None:
    with store.open_db(tmp_path / "db.sqlite") as db:
        first = pipeline.import_file(db, chat_db)
        assert (first.format, first.result.messages_added) == ("imessage", 10)
        assert pipeline.import_file(db, chat_db).result.messages_added == 0


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=300).filter(lambda t: t.strip(" \ufffc")))
def test_attributed_body_round_trips(text: str) -> None:
    blob = fixture.typedstream(text)
    assert imessage.attributed_text(blob) == text.encode("utf-8", "replace").decode("utf-8")
    cut = imessage.attributed_text(blob[: len(blob) // 3])  # cut short: no error
    assert cut is None or text.startswith(cut.rstrip("\ufffd"))


@given(ns=st.integers(10**15, 2 * 10**18))
def test_nanoseconds_and_seconds_agree(ns: int) -> None:
    whole = ns - ns % 1_000_000_000
    assert imessage._micros(whole) == imessage._micros(whole // 1_000_000_000)


def test_a_message_in_two_chats_is_read_once(tmp_path: Path) -> None:
    path = fixture.write(tmp_path / "chat.db", fixture.MESSAGES[:1])
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO chat_message_join VALUES (2, 1, 0)")
    db.close()
    assert read(path)["source_id"].to_list() == ["G-1"]


_MESSAGE = st.tuples(
    st.text(min_size=1, max_size=40).filter(
        lambda t: t.strip(" \ufffc\n\t\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029\xa0")
    ),
    st.booleans(),  # from me
    st.booleans(),  # text only in attributedBody
    st.integers(0, 2000),  # a tapback type, when >= 2000
    st.integers(imessage._NANOS_FROM + 1, 10**18),  # Apple nanoseconds
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(messages=st.lists(_MESSAGE, min_size=1, max_size=6))
def test_any_messages(tmp_path: Path, messages: list[tuple[str, bool, bool, int, int]]) -> None:
    rows = [
        (i, f"G-{i}", 1, None if archived else text,
         fixture.typedstream(text) if archived else None, ns, int(mine), 0 if mine else 1,
         tapback if tapback >= 2000 else 0, None, None, 0, 0)
        for i, (text, mine, archived, tapback, ns) in enumerate(messages, start=1)
    ]  # fmt: skip
    df = read(fixture.write(tmp_path / f"{len(list(tmp_path.iterdir()))}.db", rows))
    kept = [(i, m) for i, m in enumerate(messages, start=1) if m[3] < 2000]
    assert df["line"].to_list() == [i for i, _ in kept]
    assert df["sender"].to_list() == ["Me" if m[1] else "+14155550123" for _, m in kept]
    assert df["text"].to_list() == [m[0].replace("\ufffc", "").strip() for _, m in kept]
    assert df["timestamp"].to_list() == [
        datetime.fromtimestamp(fixture.APPLE_EPOCH.timestamp(), UTC)
        + timedelta(microseconds=m[4] // 1000)
        for _, m in kept
    ]


def test_the_latest_messages_still_in_the_log_come_in_and_the_originals_stay(
    tmp_path: Path,
) -> None:
    source = fixture.write(tmp_path / "source.db")
    # Messages still holds the newest message in chat.db-wal: a copy taken while it runs.
    db = sqlite3.connect(source)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute(
        "INSERT INTO message (ROWID, guid, text, date, is_from_me, handle_id, "
        "associated_message_type, cache_has_attachments, item_type) "
        "VALUES (99, 'G-99', 'newest, only in the log', ?, 1, 0, 0, 0, 0)",
        (fixture.apple_ns("2024-03-04T09:00:00"),),
    )
    db.execute("INSERT INTO chat_message_join VALUES (1, 99, 0)")
    db.commit()
    folder = tmp_path / "copied"
    folder.mkdir()
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{source}{suffix}", folder / f"chat.db{suffix}")
    db.close()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    texts = pl.concat(list(imessage.parse(folder / "chat.db", Options())))["text"].to_list()
    assert "newest, only in the log" in texts
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    # Without the log, the same file reads as before, without that message.
    (folder / "chat.db-wal").unlink()
    texts = pl.concat(list(imessage.parse(folder / "chat.db", Options())))["text"].to_list()
    assert "newest, only in the log" not in texts


def test_group_chats_are_recorded_as_groups_however_few_wrote(chat_db: Path) -> None:
    # The untitled group has two people besides you, and only one of them wrote.
    groups: list[tuple[str, str]] = []
    list(imessage.parse(chat_db, Options(groups=groups)))
    assert groups == [("imessage", "+4917699887766, mira@example.com"), ("imessage", "Lake crew")]
