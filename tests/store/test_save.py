"""Saving imports: idempotent, incremental, atomic, and strict about who "me" is."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError

from reciprocity.errors import ImportFailed, StoreError
from reciprocity.store import (
    Database,
    Derived,
    MeUnknown,
    import_batches,
    import_history,
    list_people,
    messages_frame,
)
from reciprocity.store import save as save_module
from reciprocity.store.models import Base, FrameCache

CHAT = [
    (None, 0, "Messages are end-to-end encrypted."),
    ("Sam", 1, "are you around this weekend?"),
    ("Alex", 1, "ok"),
    ("Alex", 1, "ok"),  # same sender, minute and text: a second, real message
    ("Sam", 2, "great, saturday then"),
    ("Alex", 30, "<Media omitted>", "media"),
]


Build = Callable[..., pl.DataFrame]  # the "messages" fixture from conftest


def counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in Base.metadata.tables.items()
        }


def save(db: Database, *frames: pl.DataFrame, me: str | None = "Sam", file: str = "chat.txt"):  # type: ignore[no-untyped-def]
    return import_batches(db, iter(frames), file=file, me=me, format="whatsapp")


def test_first_import_saves_everything(db: Database, messages: Build) -> None:
    result = save(db, messages(CHAT))
    assert result.messages_seen == 6
    assert result.messages_added == 6
    assert result.duplicates == 0
    assert result.conversations == 1
    assert result.people_added == 1  # Alex; Sam is "me", not counted
    assert result.me == "Sam"
    assert counts(db)["messages"] == 6


def test_reimport_adds_nothing_and_says_so(db: Database, messages: Build) -> None:
    save(db, messages(CHAT))
    again = save(db, messages(CHAT))
    assert (again.messages_seen, again.messages_added, again.duplicates) == (6, 0, 6)
    assert again.people_added == 0
    assert counts(db)["messages"] == 6
    history = import_history(db)
    assert history["messages_added"].to_list() == [6, 0]


def test_batch_boundaries_do_not_matter(db: Database, messages: Build) -> None:
    whole = messages(CHAT)
    save(db, whole)
    # The same file parsed in other batch sizes, split right inside the "ok" "ok" run.
    again = save(db, whole.slice(0, 3), whole.slice(3, 1), whole.slice(4))
    assert again.messages_added == 0


def test_longer_export_adds_only_the_new_messages(db: Database, messages: Build) -> None:
    save(db, messages(CHAT))
    later = [*CHAT, ("Alex", 30, "ok"), ("Alex", 30, "ok"), ("Sam", 31, "see you")]
    result = save(db, messages(later))
    assert result.messages_added == 3
    assert result.duplicates == 6
    frame = messages_frame(db)
    assert frame.height == 8  # the system line is not part of the analysis frame
    assert frame.filter(pl.col("text") == "ok").height == 4


def test_ordinal_counts_messages_sharing_a_timestamp(db: Database, messages: Build) -> None:
    save(db, messages(CHAT))
    frame = messages_frame(db)
    minute_one = frame.filter(pl.col("timestamp") == frame["timestamp"][0])
    assert minute_one["ordinal"].to_list() == [0, 1, 2]
    assert minute_one["text"].to_list() == ["are you around this weekend?", "ok", "ok"]


def failing(good: pl.DataFrame) -> Iterator[pl.DataFrame]:
    yield good
    raise ImportFailed.one("chat.txt", 7, "no date at the start of the line")


def test_parser_failure_halfway_writes_nothing(db: Database, messages: Build) -> None:
    before = counts(db)
    with pytest.raises(ImportFailed, match=r"chat.txt:7: no date"):
        import_batches(db, failing(messages(CHAT)), file="chat.txt", me="Sam", format="whatsapp")
    assert counts(db) == before  # no people, conversations, import record or messages


def test_failure_keeps_what_was_there(db: Database, messages: Build) -> None:
    save(db, messages(CHAT))
    before = counts(db)
    newer = messages([*CHAT, ("Jordan", 40, "hi all")], conversation="Alex")
    with pytest.raises(ImportFailed):
        import_batches(db, failing(newer), file="chat.txt", me="Sam", format="whatsapp")
    assert counts(db) == before


def test_database_error_rolls_back_and_is_a_store_error(
    db: Database, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: object) -> None:
        raise OperationalError("UPDATE messages", {}, Exception("disk I/O error"))

    monkeypatch.setattr(save_module._Saver, "_check_me", broken)
    with pytest.raises(StoreError, match="disk I/O error"):
        save(db, messages(CHAT))
    assert counts(db)["messages"] == 0
    assert counts(db)["people"] == 0


def test_an_insert_failing_on_the_writer_thread_rolls_everything_back(
    db: Database, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches are inserted on a thread while the next is prepared: an error there still
    # reaches the caller, after the earlier batches were written in the same transaction.
    real = save_module.insert_messages
    calls: list[str] = []

    def flaky(conn, frame, columns, import_id, *, fast):  # type: ignore[no-untyped-def]
        calls.append(threading.current_thread().name)
        if len(calls) == 2:
            raise OperationalError("INSERT INTO messages", {}, Exception("database is full"))
        return real(conn, frame, columns, import_id, fast=fast)

    monkeypatch.setattr(save_module, "insert_messages", flaky)
    before = counts(db)
    batches = [messages(CHAT[:2]), messages(CHAT[2:4]), messages(CHAT[4:])]
    with pytest.raises(StoreError, match="database is full"):
        import_batches(db, iter(batches), file="chat.txt", me="Sam", format="whatsapp")
    assert calls[0].startswith("reciprocity-save")
    assert counts(db) == before  # nothing: not the first batch, not its people


def test_message_without_time_names_its_line(db: Database, messages: Build) -> None:
    frame = messages(CHAT).with_columns(
        pl.when(pl.col("line") == 3).then(None).otherwise(pl.col("timestamp")).alias("timestamp")
    )
    with pytest.raises(ImportFailed, match=r"chat.txt:3: "):
        save(db, frame)
    assert counts(db)["messages"] == 0


def test_without_me_on_a_new_database_lists_the_senders(db: Database, messages: Build) -> None:
    with pytest.raises(MeUnknown) as caught:
        save(db, messages(CHAT), me=None)
    text = str(caught.value)
    assert caught.value.setting == "me"  # each surface names its own control for it
    assert "--me" not in text
    assert "Alex (3)" in text
    assert "Sam (2)" in text
    assert counts(db)["messages"] == 0


def test_misspelt_me_lists_the_senders(db: Database, messages: Build) -> None:
    with pytest.raises(MeUnknown, match=r"'Sma'.*Alex \(3\), Sam \(2\)"):
        save(db, messages(CHAT), me="Sma")
    assert counts(db)["people"] == 0


def test_me_is_remembered(db: Database, messages: Build) -> None:
    save(db, messages(CHAT))
    other = messages([("Sam", 100, "hey Jo"), ("Jo", 101, "hey!")], conversation="Jo")
    result = save(db, other, me=None, file="jo.txt")
    assert result.me == "Sam"
    assert result.people_added == 1


def test_me_cannot_be_someone_already_known(db: Database, messages: Build) -> None:
    save(db, messages(CHAT))
    with pytest.raises(MeUnknown, match="already belongs to someone else"):
        save(db, messages(CHAT), me="Alex")


def test_known_me_missing_from_the_file(db: Database, messages: Build) -> None:
    save(db, messages(CHAT))
    group = messages([("Kim", 5, "hello"), ("Lee", 6, "hi")], conversation="Club")
    with pytest.raises(MeUnknown, match=r"Kim \(1\), Lee \(1\)"):
        save(db, group, me=None)


def test_replies_are_linked_even_across_imports(db: Database, messages: Build) -> None:
    first = messages(
        [("Sam", 1, "lunch?", "text", None, "10"), ("Jordan", 2, "sure", "text", "10", "11")],
        source="telegram",
        conversation="Jordan",
    )
    import_batches(db, iter([first]), file="a.json", me="Sam", format="telegram")
    # A reply to a message that only a later, longer export contains.
    orphan = messages(
        [("Jordan", 9, "re: that", "text", "12", "13"), ("Sam", 10, "yes!", "text", "13", "14")],
        source="telegram",
        conversation="Jordan",
    )
    import_batches(db, iter([orphan]), file="b.json", me=None, format="telegram")
    later = messages(
        [("Sam", 8, "photo", "text", None, "12"), ("Jordan", 9, "re: that", "text", "12", "13")],
        source="telegram",
        conversation="Jordan",
    )
    result = import_batches(db, iter([later]), file="c.json", me="Sam", format="telegram")
    assert result.messages_added == 1
    frame = messages_frame(db)
    ids = dict(zip(frame["text"], frame["message_id"], strict=True))
    replies = dict(zip(frame["text"], frame["reply_to_message_id"], strict=True))
    assert replies["sure"] == ids["lunch?"]
    assert replies["re: that"] == ids["photo"]
    assert replies["yes!"] == ids["re: that"]
    assert replies["lunch?"] is None


def test_platform_id_decides_identity(db: Database, messages: Build) -> None:
    rows = [("Sam", 1, "hi", "text", None, "1"), ("Jordan", 1, "hi", "text", None, "2")]
    first = messages(rows, source="telegram", conversation="Jordan")
    import_batches(db, iter([first]), file="a.json", me="Sam", format="telegram")
    edited = messages(
        [("Sam", 1, "hi (edited)", "text", None, "1"), ("Jordan", 1, "hi", "text", None, "2")],
        source="telegram",
        conversation="Jordan",
    )
    again = import_batches(db, iter([edited]), file="a.json", me="Sam", format="telegram")
    assert again.messages_added == 0


def test_portable_path_behaves_the_same(
    db: Database, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(save_module, "FAST_BULK", False)
    first = save(db, messages(CHAT))
    again = save(db, messages([*CHAT, ("Sam", 50, "new")]))
    assert (first.messages_added, again.messages_added, again.duplicates) == (6, 1, 6)


def test_file_checksum_is_recorded(db: Database, messages: Build, tmp_path: Path) -> None:
    export = tmp_path / "WhatsApp Chat with Alex.txt"
    export.write_text("a real export would be here\n", encoding="utf-8")
    save(db, messages(CHAT), file=str(export))
    history = import_history(db)
    assert history["file"].to_list() == [str(export)]
    assert history["sha256"][0] == hashlib.sha256(export.read_bytes()).hexdigest()
    assert history["format"].to_list() == ["whatsapp"]


def test_checksum_of_a_file_longer_than_one_read(
    db: Database, messages: Build, tmp_path: Path
) -> None:
    export = tmp_path / "WhatsApp Chat with Alex.txt"
    export.write_bytes(bytes(range(256)) * 4500)  # 1.1 MiB: two reads of the buffer
    save(db, messages(CHAT), file=str(export))
    assert import_history(db)["sha256"][0] == hashlib.sha256(export.read_bytes()).hexdigest()


def test_rows_split_across_statements_and_slices_all_arrive_in_order(
    db: Database, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reciprocity.store import bulk

    chat = [("Sam" if i % 3 else "Alex", i, f"message {i}") for i in range(23)]
    monkeypatch.setattr(bulk, "_ROWS_PER_STATEMENT", 3)
    monkeypatch.setattr(bulk, "_ROWS_PER_SLICE", 10)  # 10, 10 and 3 rows; 3 in the last
    assert save(db, messages(chat)).messages_added == 23
    stored = messages_frame(db, cache=False)
    assert stored["text"].to_list() == [text for _, _, text in chat]
    assert stored["from_me"].to_list() == [who == "Sam" for who, _, _ in chat]


def test_empty_export_is_fine(db: Database) -> None:
    result = import_batches(db, iter([]), file="empty.txt", me="Sam", format="whatsapp")
    assert (result.messages_seen, result.messages_added) == (0, 0)


def _imported_keys(db: Database) -> pl.DataFrame | None:
    """The key columns an import left in the cache, if any (not read back)."""
    from reciprocity.store.cache import load, state
    from reciprocity.store.read import KEYS_CACHE_NAME

    with db.engine.connect() as conn:
        return load(conn, KEYS_CACHE_NAME, state(conn))


def _table_keys(db: Database) -> pl.DataFrame:
    from reciprocity.store.fetch import message_keys

    with db.engine.connect() as conn:
        chats = [c for (c,) in conn.exec_driver_sql("SELECT id FROM conversations")]
        return message_keys(conn, chats)


def test_an_import_into_an_empty_database_leaves_the_key_columns(
    sqlite_db: Database, messages: Build
) -> None:
    # Two one-to-one chats and a group, out of time order, system lines, equal times,
    # batches of different conversations, a reply: the keys kept from the import must be
    # those the tables give, and the analysis windows read from them the whole frame.
    from reciprocity.store.windowed import analysis_windows

    alex = messages([*CHAT, ("Sam", 0.5, "before the rest")], conversation="Alex")
    jo = messages([("Jo", 3, "hey"), (None, 3, "Jo changed their number"), ("Sam", 3, "hi")])
    jo = jo.with_columns(pl.lit("Jo").alias("conversation"))
    group = messages([("Alex", 4, "hi all"), ("Jo", 5, "hello"), ("Sam", 6, "hey")])
    group = group.with_columns(pl.lit("Friends").alias("conversation"))
    save(sqlite_db, alex.head(3), pl.concat([jo, alex.slice(3)]), group)
    kept = _imported_keys(sqlite_db)
    assert kept is not None
    assert kept.equals(_table_keys(sqlite_db))
    assert kept.height == 11  # every conversation's messages with a sender
    windows = pl.concat(list(analysis_windows(sqlite_db, rows=1)))
    assert windows.equals(messages_frame(sqlite_db, cache=False))
    # The messages per sender are left too (every conversation, the group's included).
    people = list_people(sqlite_db)
    assert people["messages"].to_list() == [4, 2]  # Alex, Jo (the user is not listed)
    with sqlite_db.engine.begin() as conn:
        conn.execute(delete(FrameCache))
    assert list_people(sqlite_db).equals(people)


def test_only_an_import_into_an_empty_database_keeps_its_keys(
    sqlite_db: Database, messages: Build
) -> None:
    save(sqlite_db, messages(CHAT[:3]))
    save(sqlite_db, messages(CHAT))  # adds to what is there: read back when needed
    assert _imported_keys(sqlite_db) is None
    assert messages_frame(sqlite_db).height == 5


def _lengths(calls: list[int]) -> Derived:
    """A :class:`Derived` giving each text's length, recording how many texts each call got."""

    def columns(texts: pl.Series) -> pl.DataFrame:
        calls.append(texts.len())
        return texts.str.len_chars().alias("chars").to_frame()

    return Derived("test/lengths", columns)


def _cached(db: Database, name: str) -> pl.DataFrame | None:
    from reciprocity.store.cache import load, state

    with db.engine.connect() as conn:
        return load(conn, name, state(conn))


def test_an_import_into_an_empty_database_derives_from_every_text_once(
    sqlite_db: Database, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Texts go to the derive function in groups of at least DERIVE_ROWS (the last one
    # gets the rest), yet the cached rows are one per message with a sender, in id order.
    monkeypatch.setattr(save_module, "DERIVE_ROWS", 4)
    chat = messages([*CHAT, ("Sam", 40, None), ("Alex", 41, "long " * 30)])
    other = messages([("Jo", 3, "hey"), (None, 3, "Jo changed their number"), ("Sam", 3, "hi")])
    other = other.with_columns(pl.lit("Jo").alias("conversation"))
    calls: list[int] = []
    batches = [chat.head(3), other, chat.slice(3)]
    import_batches(
        sqlite_db, iter(batches), file="c.txt", me="Sam", format="csv", derived=_lengths(calls)
    )
    found = _cached(sqlite_db, "test/lengths")
    assert found is not None
    expected = pl.read_database(
        "SELECT id AS message_id, text FROM messages WHERE sender_identity_id IS NOT NULL "
        "ORDER BY id",
        sqlite_db.engine,
    ).select(pl.col("text").str.len_chars().alias("chars"), "message_id")
    assert found.equals(expected)
    assert found["chars"].null_count() == 1  # a message without text
    assert calls == [4, 5]  # 2 + 2 texts, then the last batch's 5 at the end
    assert sum(calls) == found.height == 9


def test_only_an_import_into_an_empty_database_derives(
    sqlite_db: Database, messages: Build
) -> None:
    calls: list[int] = []
    save(sqlite_db, messages(CHAT[:3]))
    _derive(sqlite_db, messages(CHAT), _lengths(calls))
    assert calls == []
    assert _cached(sqlite_db, "test/lengths") is None


def test_a_failing_derive_writes_nothing(sqlite_db: Database, messages: Build) -> None:
    def broken(texts: pl.Series) -> pl.DataFrame:
        raise RuntimeError("derive broke")

    with pytest.raises(RuntimeError, match="derive broke"):
        _derive(sqlite_db, messages(CHAT), Derived("test/broken", broken))
    assert counts(sqlite_db)["messages"] == 0


def _derive(db: Database, chat: pl.DataFrame, derived: Derived) -> None:
    import_batches(db, iter([chat]), file="chat.txt", me="Sam", format="csv", derived=derived)
