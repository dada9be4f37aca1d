"""The cached analysis frame is reused while valid and never served stale."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

import polars as pl
import pytest
from sqlalchemy import delete, func, select

from reciprocity.store import (
    Database,
    derived,
    import_batches,
    link_identity,
    merge_people,
    messages_frame,
)
from reciprocity.store import read as read_module
from reciprocity.store.cache import state
from reciprocity.store.models import FrameCache

Build = Callable[..., pl.DataFrame]  # the "messages" fixture from conftest


def chat(messages: Build, who: str, extra: int = 0, source: str = "whatsapp") -> pl.DataFrame:
    rows = [("Sam", 1, f"hi {who}"), (who, 2, "hello")]
    rows += [("Sam", 10 + i, f"more {i}") for i in range(extra)]
    return messages(rows, conversation=who, source=source)


def put(db: Database, frame: pl.DataFrame, *, drop_cache: bool = True) -> None:
    """Import ``frame``, then drop the analysis frame that an import into an empty database
    caches, so these tests see the read path build and cache it."""
    import_batches(db, iter([frame]), file="f", me="Sam", format=frame["source"][0])
    if drop_cache:
        with db.engine.begin() as conn:
            conn.execute(delete(FrameCache))


def no_rebuild(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> pl.DataFrame:
        raise AssertionError("the frame was rebuilt although nothing changed")

    monkeypatch.setattr(read_module, "raw_messages", refuse)


def cached_rows(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(FrameCache)) or 0)


def test_second_read_comes_from_the_cache(
    db: Database, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(db, chat(messages, "Alex"))
    first = messages_frame(db)
    assert cached_rows(db) == 1
    no_rebuild(monkeypatch)
    assert messages_frame(db).equals(first)


def test_uncached_read_matches_and_stores_nothing(db: Database, messages: Build) -> None:
    put(db, chat(messages, "Alex"))
    fresh = messages_frame(db, cache=False)
    assert cached_rows(db) == 0
    assert messages_frame(db).equals(fresh)


def test_a_reimport_adding_nothing_keeps_the_cache(
    db: Database, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(db, chat(messages, "Alex"))
    messages_frame(db)
    with db.engine.connect() as conn:
        before = state(conn)
    put(db, chat(messages, "Alex"), drop_cache=False)
    with db.engine.connect() as conn:
        assert state(conn) == before
    no_rebuild(monkeypatch)
    messages_frame(db)


def test_new_messages_are_seen(db: Database, messages: Build) -> None:
    put(db, chat(messages, "Alex"))
    assert messages_frame(db).height == 2
    put(db, chat(messages, "Alex", extra=3))
    assert messages_frame(db).height == 5


def test_linking_and_merging_are_seen(db: Database, messages: Build) -> None:
    put(db, chat(messages, "Alex"))
    put(db, chat(messages, "Jo", source="telegram"))
    assert messages_frame(db)["relationship_id"].n_unique() == 2
    merge_people(db, keep="Alex", merge="Jo")
    assert messages_frame(db)["relationship_id"].n_unique() == 1
    put(db, chat(messages, "Kim"))
    assert set(messages_frame(db)["person"]) == {"Alex", "Kim"}
    link_identity(db, "whatsapp", "Kim", "Alex")
    assert set(messages_frame(db)["person"]) == {"Alex"}


def test_a_busy_database_skips_caching_without_waiting(
    sqlite_db: Database, messages: Build
) -> None:
    db = sqlite_db
    put(db, chat(messages, "Alex"))
    assert db.path is not None
    writer = sqlite3.connect(db.path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another program is writing
        frame = messages_frame(db)
        assert frame.height == 2
        assert cached_rows(db) == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    messages_frame(db)
    assert cached_rows(db) == 1


def test_derived_frames_are_built_once_per_state(db: Database, messages: Build) -> None:
    put(db, chat(messages, "Alex"))
    calls: list[int] = []

    def build() -> pl.DataFrame:
        calls.append(1)
        return messages_frame(db).select("message_id", pl.col("text").str.len_chars())

    first = derived(db, "lengths/v1", build)
    assert derived(db, "lengths/v1", build).equals(first)
    assert len(calls) == 1
    put(db, chat(messages, "Alex", extra=2))
    assert derived(db, "lengths/v1", build).height == 4
    assert len(calls) == 2
    derived(db, "lengths/v2", build)  # another name is another frame
    assert len(calls) == 3


def test_a_frame_saved_in_parts_comes_back_whole(db: Database, messages: Build) -> None:
    from reciprocity.store import derived_parts, is_cached

    put(db, chat(messages, "Alex"))
    whole = pl.DataFrame({"n": list(range(10)), "word": [f"w{i}" for i in range(10)]})
    parts = [whole.slice(at, 3) for at in range(0, 10, 3)]
    built = derived_parts(db, "many_parts/x", lambda: iter(parts), ["n"])
    assert built.equals(whole.select("n"))
    assert cached_rows(db) == 4  # many_parts/x, #1, #2, #3
    assert is_cached(db, "many_parts/x")
    assert not is_cached(db, "many_parts")
    # A name that LIKE would confuse ("_" matches any character) keeps its own parts.
    derived_parts(db, "manyXparts/x", lambda: iter(parts[:1]))
    assert cached_rows(db) == 5

    def refuse() -> list[pl.DataFrame]:
        raise AssertionError("rebuilt although cached")

    assert derived_parts(db, "many_parts/x", refuse).equals(whole)
    assert derived_parts(db, "many_parts/x", refuse, ["word"]).equals(whole.select("word"))
    assert derived(db, "many_parts/x", refuse).equals(whole)
    # Fewer parts later: none of the old ones is left over.
    put(db, chat(messages, "Alex", extra=1), drop_cache=False)
    again = derived_parts(db, "many_parts/x", lambda: iter(parts[:2]))
    assert again.equals(whole.head(6))
    assert not is_cached(db, "manyXparts/x")  # made before the new messages ...
    assert cached_rows(db) == 2  # ... and so deleted: many_parts/x and #1 are left


def test_frames_of_an_earlier_state_are_deleted_when_the_next_is_cached(
    db: Database, messages: Build
) -> None:
    put(db, chat(messages, "Alex"))
    derived(db, "a", lambda: pl.DataFrame({"n": [1]}))
    derived(db, "b", lambda: pl.DataFrame({"n": [2]}))
    assert cached_rows(db) == 2  # both of the current state: both kept
    put(db, chat(messages, "Alex", extra=1), drop_cache=False)
    assert cached_rows(db) == 2  # nothing cached since: nothing deleted yet
    derived(db, "c", lambda: pl.DataFrame({"n": [3]}))
    with db.engine.connect() as conn:
        names = set(conn.scalars(select(FrameCache.name)))
    assert names == {"c"}  # "a" and "b" could never be read again


def test_a_missing_part_reads_as_not_cached(db: Database, messages: Build) -> None:
    from reciprocity.store import derived_parts

    put(db, chat(messages, "Alex"))
    whole = pl.DataFrame({"n": list(range(6))})
    derived_parts(db, "p", lambda: iter([whole.head(3), whole.tail(3)]))
    with db.engine.begin() as conn:
        conn.execute(delete(FrameCache).where(FrameCache.name == "p#1"))
    rebuilt = derived_parts(db, "p", lambda: iter([whole]))
    assert rebuilt.equals(whole)
    assert cached_rows(db) == 1


def test_a_failing_build_leaves_no_parts(db: Database, messages: Build) -> None:
    from reciprocity.store import derived_parts

    put(db, chat(messages, "Alex"))

    def broken() -> Iterator[pl.DataFrame]:
        yield pl.DataFrame({"n": [1]})
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        derived_parts(db, "p", broken)
    assert cached_rows(db) == 0


def test_every_kind_of_column_comes_back_as_it_went_in(db: Database) -> None:
    from datetime import UTC, datetime

    frame = pl.DataFrame(
        {
            "when": [datetime(2024, 5, 1, 9, 30, tzinfo=UTC), None],
            "who": pl.Series(["me", "them"], dtype=pl.Enum(["me", "them"])),
            "kind": pl.Series(["text", "media"], dtype=pl.Categorical()),
            "why": [["question:model"], []],
            "confidence": [{"question": 0.5}, {"question": None}],
            "depth": pl.Series([1, None], dtype=pl.Int8),
            "text": ["hi <b>", None],
        }
    )
    assert derived(db, "every kind", lambda: frame).equals(frame)
    assert derived(db, "every kind", lambda: frame.clear()).equals(frame)  # read back
