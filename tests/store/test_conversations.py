"""A chat is its messages and people, not its file name: re-imported under another name it
adds nothing, extended it appends, and two chats sharing a name stay two."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from sqlalchemy import func, select

from reciprocity.store import Database, import_batches, messages_frame
from reciprocity.store import conversations as conversations_module
from reciprocity.store.models import Conversation, Message

Build = Callable[..., pl.DataFrame]  # the "messages" fixture from conftest

ALEX = [
    ("Sam", 0, "hey, how did the interview go?"),
    ("Alex", 2, "really well I think"),
    ("Alex", 3, "they asked about the gap year"),
    ("Sam", 5, "so proud of you"),
    ("Alex", 6, "thanks!"),
]
JORDAN = [
    ("Sam", 0, "hey, how did the interview go?"),  # the same words, another friend
    ("Jordan", 4, "not great, to be honest"),
    ("Sam", 7, "want to talk about it tonight?"),
    ("Jordan", 9, "yes please"),
]


def save(db: Database, frame: pl.DataFrame, file: str = "chat.txt"):  # type: ignore[no-untyped-def]
    return import_batches(db, iter([frame]), file=file, me="Sam", format="whatsapp")


def stored(db: Database) -> list[tuple[str, int]]:
    """(title, messages) per stored conversation, in id order."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(Conversation.title, func.count(Message.id))
            .join(Message, Message.conversation_id == Conversation.id, isouter=True)
            .group_by(Conversation.id)
            .order_by(Conversation.id)
        )
        return [(str(title), int(n)) for title, n in rows]


def test_the_same_chat_under_another_file_name_adds_nothing(db: Database, messages: Build) -> None:
    save(db, messages(ALEX, conversation="Alex"), "WhatsApp Chat with Alex.txt")
    again = save(db, messages(ALEX, conversation="alex-backup"), "alex-backup.txt")
    assert (again.messages_added, again.duplicates) == (0, len(ALEX))
    assert stored(db) == [("Alex", len(ALEX))]


def test_a_longer_later_export_under_another_name_adds_only_the_new_messages(
    db: Database, messages: Build
) -> None:
    save(db, messages(ALEX, conversation="Alex"))
    later = [*ALEX, ("Sam", 60, "dinner on friday to celebrate?"), ("Alex", 61, "yes!")]
    result = save(db, messages(later, conversation="Alex (2025)"), "Alex (2025).txt")
    assert (result.messages_added, result.duplicates) == (2, len(ALEX))
    assert stored(db) == [("Alex", len(ALEX) + 2)]
    assert messages_frame(db)["person"].unique().to_list() == ["Alex"]


def test_two_chats_with_the_same_name_and_different_people_stay_two(
    db: Database, messages: Build
) -> None:
    save(db, messages(ALEX, conversation="_chat"), "alex/_chat.txt")
    result = save(db, messages(JORDAN, conversation="_chat"), "jordan/_chat.txt")
    assert result.messages_added == len(JORDAN)
    # The second keeps the name and says who is in it, so the two can be told apart.
    assert stored(db) == [("_chat", len(ALEX)), ("_chat (with Jordan)", len(JORDAN))]
    frame = messages_frame(db)
    assert sorted(frame["person"].unique().to_list()) == ["Alex", "Jordan"]
    # Each re-imported under its old name goes back to its own conversation.
    assert save(db, messages(JORDAN, conversation="_chat")).messages_added == 0
    assert save(db, messages(ALEX, conversation="_chat")).messages_added == 0
    assert stored(db) == [("_chat", len(ALEX)), ("_chat (with Jordan)", len(JORDAN))]


def test_one_identical_message_does_not_make_two_chats_one(db: Database, messages: Build) -> None:
    # Alex is in a group where Sam sent the very words, in the same minute, as in the
    # private chat: one shared message is not enough to call them the same chat.
    group = [*ALEX[:1], ("Alex", 2, "hello all"), ("Robin", 3, "hi")]
    save(db, messages(group, conversation="Book club"))
    result = save(db, messages(ALEX, conversation="Alex"))
    assert result.messages_added == len(ALEX)
    assert [title for title, _ in stored(db)] == ["Book club", "Alex"]


def test_a_chat_with_the_same_name_and_no_shared_messages_continues_it(
    db: Database, messages: Build
) -> None:
    # A later export that starts after the first one ended (nothing in common but the
    # name and the people) is the same chat, as before.
    save(db, messages(ALEX, conversation="Alex"))
    later = [("Alex", 600, "are you free next week?"), ("Sam", 601, "yes, tuesday")]
    assert save(db, messages(later, conversation="Alex")).messages_added == 2
    assert stored(db) == [("Alex", len(ALEX) + 2)]


def test_a_long_chat_is_recognised_from_a_sample_of_its_first_rows(
    db: Database, messages: Build
) -> None:
    rows = [("Sam" if i % 2 else "Alex", i, f"message {i}") for i in range(1000)]
    save(db, messages(rows, conversation="Alex"))
    later = [*rows, ("Alex", 2000, "and one more")]
    whole = messages(later, conversation="Alex export")
    result = import_batches(
        db,
        iter([whole.slice(0, 700), whole.slice(700)]),
        file="x.txt",
        me="Sam",
        format="whatsapp",
    )
    assert (result.messages_added, result.duplicates) == (1, 1000)
    assert [title for title, _ in stored(db)] == ["Alex"]


def test_a_taken_name_is_numbered_when_the_people_are_named_already(
    db: Database, messages: Build
) -> None:
    save(db, messages(ALEX, conversation="_chat"))
    save(db, messages(JORDAN, conversation="_chat"))
    with db.engine.connect() as conn:
        assert conversations_module.free_title(conn, "whatsapp", "Alex", []) == "Alex"
        taken = conversations_module.free_title(conn, "whatsapp", "_chat", ["Jordan"])
        many = conversations_module.free_title(conn, "whatsapp", "_chat", list("ABCDE"))
    assert taken == "_chat (with Jordan) 2"
    assert many == "_chat (with A, B, C and 2 more)"


def test_the_same_chat_twice_in_one_import_is_saved_once(db: Database, messages: Build) -> None:
    """A zip holding one chat under two names ("_chat.txt" and "WhatsApp Chat with
    Alex.txt"): the second copy is found while the import runs, not only on the next one."""
    both = pl.concat([messages(ALEX, conversation="_chat"), messages(ALEX, conversation="Alex")])
    first = save(db, both, "export.zip")
    assert (first.messages_added, first.duplicates, first.conversations) == (5, 5, 1)
    assert stored(db) == [("_chat", len(ALEX))]
    again = save(db, both, "export.zip")
    assert again.messages_added == 0


def test_the_same_chat_twice_across_batches_is_saved_once(db: Database, messages: Build) -> None:
    copies = [messages(ALEX, conversation="_chat"), messages(ALEX, conversation="Alex")]
    result = import_batches(db, iter(copies), file="export.zip", me="Sam", format="whatsapp")
    assert (result.messages_added, result.duplicates) == (5, 5)
    assert stored(db) == [("_chat", len(ALEX))]


def test_two_chats_with_one_friend_in_one_import_stay_two(db: Database, messages: Build) -> None:
    """Sharing a person is not enough: the messages decide."""
    other = [("Sam", 100, "are you coming saturday?"), ("Alex", 101, "wouldn't miss it")]
    both = pl.concat(
        [messages(ALEX, conversation="Alex"), messages(other, conversation="Alex and Sam")]
    )
    save(db, both, "export.zip")
    assert stored(db) == [("Alex", len(ALEX)), ("Alex and Sam", len(other))]
