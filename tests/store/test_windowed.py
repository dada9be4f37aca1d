"""The analysis frame read window by window equals the frame read whole, row for row."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reciprocity import demo, ingest, pipeline
from reciprocity.errors import StoreError
from reciprocity.ingest.base import MESSAGE_SCHEMA
from reciprocity.metrics.windows import window_bounds
from reciprocity.store import Database, import_batches, messages_frame, open_db
from reciprocity.store import fetch as fetch_module
from reciprocity.store import windowed as windowed_module
from reciprocity.store.people import MeUnknown
from reciprocity.store.read import FRAME_SCHEMA
from reciprocity.store.windowed import analysis_windows

FIXTURES = Path(__file__).parent.parent / "fixtures"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def check(db: Database, rows: int, quiet: timedelta) -> list[pl.DataFrame]:
    """The windows, after checking them against the whole frame and its window bounds,
    and the windows without text against the whole frame without it."""
    whole = messages_frame(db, cache=False)
    read = analysis_windows(db, rows=rows, quiet=quiet)
    windows = list(read)
    assert [w.height for w in windows] == [
        n for _, n in window_bounds(whole, rows=rows, quiet=quiet)
    ]
    assert read.ids.equals(whole["message_id"])
    bare = analysis_windows(db, rows=rows, quiet=quiet, text=False)
    assert bare.bounds == read.bounds
    assert bare.ids.equals(whole["message_id"])
    assert bare.people.equals(read.people)
    cut = list(bare)
    if whole.height == 0:
        assert windows == cut == []
    else:
        assert all(w.schema == pl.Schema(FRAME_SCHEMA) for w in windows)
        assert pl.concat(windows).equals(whole)
        assert pl.concat(cut).equals(whole.drop("text", "reply_to_message_id"))
    return windows


@pytest.fixture(scope="module")
def fixtures_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The small exports of tests/fixtures imported through the real importer (7 chats, a
    group left out, calls and system lines) and the demo exports (2,000 messages)."""
    folder = tmp_path_factory.mktemp("windowed")
    with open_db(folder / "fixtures.sqlite") as db:
        utc = ingest.Options(timezone="UTC")
        for name, me in [
            ("whatsapp/WhatsApp Chat with Alex.txt", "Sam"),
            ("whatsapp/_chat.txt", "Sam"),
            ("whatsapp/WhatsApp Chat mit Alex.txt", "Sam"),
            ("web/WhatsApp Chat with Mallory.txt", "Sam"),
            ("telegram/account/result.json", "Sam Lee"),
            ("telegram/single_chat.json", "Sam Lee"),
            ("telegram/old_export.json", "Sam Lee"),
        ]:
            pipeline.import_file(db, FIXTURES / name, me=me, options=utc)
        zone = ingest.Options(timezone=demo.TIMEZONE)
        for path in demo.write_demo(folder):
            pipeline.import_file(db, path, me=demo.ME, options=zone)
        yield db


@pytest.mark.parametrize(("fast", "min_run"), [(True, 64), (True, 1), (False, 10**9)])
def test_fixtures_window_by_window(
    fixtures_db: Database, fast: bool, min_run: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch_module, "FAST_SQLITE", fast)
    monkeypatch.setattr(windowed_module, "_MIN_RUN", min_run)
    # Many windows (every allowed cut), a few, and one; runs read by range or by id.
    for rows, quiet in [(1, 24 * HOUR), (7, HOUR), (40, 6 * HOUR), (500, 24 * HOUR)]:
        windows = check(fixtures_db, rows, quiet)
        assert len(windows) > 3
    assert len(check(fixtures_db, 100_000, 24 * HOUR)) == 1


def test_nothing_to_read(db: Database) -> None:
    assert list(analysis_windows(db)) == []
    # People but no one-to-one conversation: still nothing.
    group = frame([("Sam", "Trip", 0, "hi", "text"), ("Alex", "Trip", 1, "yo", "text")])
    group = pl.concat([group, frame([("Kim", "Trip", 2, "hey", "text")])])
    import_batches(db, iter([group]), file="g.csv", me="Sam", format="csv")
    assert list(analysis_windows(db)) == []


def test_a_change_between_windows_is_an_error(db: Database) -> None:
    rows = [
        ("Sam" if i % 2 else "Alex", "Alex", i * 2 * 24 * 60, f"m{i}", "text") for i in range(6)
    ]
    import_batches(db, iter([frame(rows)]), file="a.csv", me="Sam", format="csv")
    windows = analysis_windows(db, rows=1)
    assert next(windows).height == 1
    more = frame([("Sam", "Bo", 4, "hello", "text"), ("Bo", "Bo", 5, "new", "text")])
    import_batches(db, iter([more]), file="b.csv", me=None, format="csv")
    with pytest.raises(StoreError, match="changed"):
        next(windows)


def frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """Parsed messages (MESSAGE_SCHEMA): (sender, conversation, minutes after T0, text, kind)."""
    return pl.DataFrame(
        [
            {
                "source": "csv",
                "conversation": conversation,
                "sender": sender,
                "timestamp": T0 + timedelta(minutes=minutes),
                "text": text,
                "kind": kind,
                "reply_to": None,
                "source_id": None,
                "line": line,
            }
            for line, (sender, conversation, minutes, text, kind) in enumerate(rows, start=1)
        ],
        schema=MESSAGE_SCHEMA,
    )


# Who writes in which conversation: four private chats (Alex in two of them) and a group.
CHATS = {
    "Alex": ["Alex"],
    "Alex (work)": ["Alex"],
    "Bo": ["Bo"],
    "Di": ["Di"],
    "Trip": ["Alex", "Bo", "Cy"],
}
MESSAGE = st.tuples(
    st.sampled_from(sorted(CHATS)),
    st.sampled_from([0, 0, 1, 2, 3]),  # 0: me, 1-2: one of the others, 3: a line nobody sent
    st.sampled_from([0, 0, 0.5, 1, 59, 360, 1439, 1441, 4000]),  # minutes since the last
    st.sampled_from(["text", "text", "text", "media", "call", "system"]),
    st.sampled_from(["hi", "ok", 'a, "b"', "", "x\ny"]),
    st.sampled_from([0, 0, 1, 2]),  # which file it is imported with
)


@settings(max_examples=25, deadline=None)
@given(
    messages=st.lists(MESSAGE, min_size=10, max_size=60),
    backwards=st.lists(st.booleans(), min_size=3, max_size=3),
    rows=st.integers(1, 10),
    quiet=st.sampled_from([HOUR, 6 * HOUR, 24 * HOUR]),
    fast=st.booleans(),
    min_run=st.sampled_from([1, 3, 64]),
)
def test_generated_chats_window_by_window(
    messages: list[tuple[Any, ...]],
    backwards: list[bool],
    rows: int,
    quiet: timedelta,
    fast: bool,
    min_run: int,
) -> None:
    """Several relationships and a group, imported in up to three files (some written
    backwards, so ids run against time; repeats of a minute across files, so the timeline's
    keys can tie) read back window by window."""
    files: list[list[tuple[Any, ...]]] = [[], [], []]
    minutes = 0.0
    for chat, who, gap, kind, text, file in messages:
        minutes += gap
        others = CHATS[chat]
        sender = "Sam" if who == 0 else None if who == 3 else others[(who - 1) % len(others)]
        files[file].append((sender, chat, minutes, text, "system" if sender is None else kind))
    with tempfile.TemporaryDirectory() as folder, open_db(Path(folder) / "t.sqlite") as db:
        for number, rows_of_file in enumerate(files):
            ordered = rows_of_file[::-1] if backwards[number] else rows_of_file
            me = "Sam" if any(row[0] == "Sam" for row in ordered) else None
            # A file before any that names the user is refused, and writes nothing.
            with contextlib.suppress(MeUnknown):
                import_batches(
                    db, iter([frame(ordered)]), file=f"{number}.csv", me=me, format="csv"
                )
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(fetch_module, "FAST_SQLITE", fast)
            patch.setattr(windowed_module, "_MIN_RUN", min_run)
            check(db, rows, quiet)
