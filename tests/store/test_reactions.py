"""Reactions in the store: kept apart from messages, counted apart, pointed at the message
they react to, never changing a message's fingerprint, and added once however often the
file is imported."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from reciprocity import pipeline
from reciprocity.ingest.base import REACTION, reaction_id, target_at
from reciprocity.store import (
    Database,
    import_batches,
    list_people,
    message_texts,
    messages_frame,
    reactions_frame,
)
from reciprocity.store.fingerprint import micros
from reciprocity.store.forget import forget
from reciprocity.store.models import Message

from .conftest import T0, build

Build = Callable[..., pl.DataFrame]
FIXTURES = Path(__file__).parent.parent / "fixtures"


def save(db: Database, frame: pl.DataFrame, me: str = "Sam"):  # type: ignore[no-untyped-def]
    return import_batches(db, iter([frame]), file="chat.txt", me=me, format="whatsapp")


def chat(messages: Build) -> pl.DataFrame:
    """Alex's good news, Sam's ❤️ on it (by sender and time, as Messenger names it), and
    a "❤️" Alex sends as a message in the same minute: the message must stay a message."""
    at = micros(T0 + timedelta(minutes=1))
    ref = target_at("Alex", at)
    return messages(
        [
            ("Alex", 1, "I got the job!!"),
            ("Sam", 1, "❤️", REACTION, ref, reaction_id(ref, "Sam", "❤️")),
            ("Sam", 1, "❤️"),
            ("Alex", 3, "thank you"),
        ]
    )


def test_reactions_are_stored_apart_and_counted_apart(db: Database, messages: Build) -> None:
    result = save(db, chat(messages))
    assert (result.messages_seen, result.messages_added) == (3, 3)
    assert (result.reactions_seen, result.reactions_added) == (1, 1)
    again = save(db, chat(messages))
    assert (again.messages_added, again.reactions_added, again.duplicates) == (0, 0, 3)
    frame = messages_frame(db)
    assert frame["text"].to_list() == ["I got the job!!", "❤️", "thank you"]
    assert "reaction" not in frame["kind"].to_list()
    people = list_people(db)
    assert people.filter(pl.col("person") == "Alex")["messages"].to_list() == [2]


def test_forgetting_someone_says_their_reactions_apart(db: Database, messages: Build) -> None:
    save(db, chat(messages))
    removed = forget(db, "Alex").removed
    assert (removed["messages"], removed["reactions"]) == (3, 1)


def test_a_reaction_finds_its_message_by_sender_and_time(db: Database, messages: Build) -> None:
    save(db, chat(messages))
    found = reactions_frame(db)
    assert found.select("person", "from_me", "text", "target_from_me").rows() == [
        ("Alex", True, "❤️", False)
    ]
    target = found["reply_to_message_id"][0]
    assert message_texts(db, [target])["text"].to_list() == ["I got the job!!"]


def test_adding_reactions_changes_no_message(db: Database, messages: Build) -> None:
    """A file imported before reactions were read, then again with them: the messages are
    recognised (same fingerprints), only the reaction is new."""
    rows = chat(messages)
    save(db, rows.filter(pl.col("kind") != REACTION))
    with db.engine.connect() as conn:
        before = conn.execute(select(Message.id, Message.fingerprint).order_by(Message.id)).all()
    result = save(db, rows)
    assert (result.messages_added, result.reactions_added) == (0, 1)
    with db.engine.connect() as conn:
        after = conn.execute(
            select(Message.id, Message.fingerprint)
            .where(Message.kind != REACTION)
            .order_by(Message.id)
        ).all()
    assert after == before


def test_messenger_reaction_end_to_end_gives_an_attention_event(tmp_path: Path) -> None:
    from reciprocity.store import open_db

    jose = FIXTURES / "messenger" / "inbox" / "joseramirez_10158" / "message_2.json"
    with open_db(tmp_path / "r.sqlite") as db:
        outcome = pipeline.import_file(db, jose, me="Sam Lee")
        assert outcome.result.reactions_added == 1
        assert pipeline.import_file(db, jose, me="Sam Lee").result.reactions_added == 0
        found = reactions_frame(db)
        assert found.select("person", "from_me", "text", "target_from_me").rows() == [
            ("José Ramírez", False, "❤", True)
        ]
        target = message_texts(db, found["reply_to_message_id"])
        assert target["text"].to_list() == ["Great, thanks! Back on Sunday."]
        ledger = pipeline.analyze(db).ledger
        events = ledger.filter(pl.col("source") == "reactions")
        assert events.select("giver", "receiver", "dimension", "weight").rows() == [
            ("them", "me", "attention", 0.25)
        ]
        assert events["message_id"].to_list() == found["message_id"].to_list()


def test_discord_reaction_points_at_the_message_id(tmp_path: Path) -> None:
    from reciprocity.store import open_db

    with open_db(tmp_path / "r.sqlite") as db:
        pipeline.import_file(db, FIXTURES / "discord" / "dm_rio.json", me="Sam Lee")
        found = reactions_frame(db)
        assert found.select("from_me", "text", "target_from_me").rows() == [(True, "👍", False)]
        target = message_texts(db, found["reply_to_message_id"])
        assert target["text"].to_list() == ["hey! are you coming to the meetup? 🎉"]
        # The user's own reaction is attention given: "me" -> "them".
        events = pipeline.analyze(db).ledger.filter(pl.col("source") == "reactions")
        assert events.select("giver", "receiver").rows() == [("me", "them")]


def test_group_reactions_between_the_user_and_a_member_are_attention(
    tmp_path: Path, messages: Build
) -> None:
    """In a group, a reaction names whom it answers: Alex's 👍 on the user's message is
    Alex's attention to the user, the user's ❤️ on Jo's is the user's to Jo; Jo's 😂 on
    Alex's message is between them, not the user's."""
    from reciprocity.store import open_db
    from reciprocity.store.groups import group_reactions

    rows = [
        ("Sam", 1, "who is coming on Saturday?", "text", None, "m1"),
        ("Alex", 2, "me!", "text", None, "m2"),
        ("Jo", 3, "count me in", "text", None, "m3"),
        ("Alex", 4, "👍", REACTION, "m1", reaction_id("m1", "Alex", "👍")),
        ("Sam", 5, "❤️", REACTION, "m3", reaction_id("m3", "Sam", "❤️")),
        ("Jo", 6, "😂", REACTION, "m2", reaction_id("m2", "Jo", "😂")),
    ]
    with open_db(tmp_path / "g.sqlite") as db:
        frame = messages(rows, source="telegram", conversation="Hiking")
        import_batches(db, iter([frame]), file="g.json", me="Sam", format="telegram")
        found = group_reactions(db)
        assert found.select("person", "from_me", "text").rows() == [
            ("Alex", False, "👍"),
            ("Jo", True, "❤️"),
        ]
        result = pipeline.analyze(db)
        events = result.ledger.filter(pl.col("source") == "group_reactions")
        assert events.select("person", "giver", "receiver", "weight").rows() == [
            ("Alex", "them", "me", 0.125),
            ("Jo", "me", "them", 0.125),
        ]
        # Counted once: no other event is made of a group's reaction.
        ids = set(found["message_id"])
        assert result.ledger.filter(pl.col("message_id").is_in(list(ids))).height == 2
        # In the group's part of each relationship's give and take, not the one-to-one's.
        split = result.sources.filter(pl.col("dimension") == "attention")
        by_person = {
            rid: (given, received)
            for rid, given, received in split.select(
                "relationship_id", "given", "received"
            ).iter_rows()
        }
        rel = dict(zip(found["person"], found["relationship_id"], strict=True))
        assert by_person[rel["Alex"]][1] >= 0.125
        assert by_person[rel["Jo"]][0] >= 0.125
        assert set(split["title"]) == {"Hiking"}
        roles = {r["person"] or "me": r for r in result.groups.to_dicts()}
    # The group table: a reaction is a quarter of an answer, each way, as in the ledger;
    # Jo's 😂 on Alex's message is an answer between them. Against the same chat without
    # the reactions:
    with open_db(tmp_path / "words.sqlite") as db:
        frame = messages(rows[:3], source="telegram", conversation="Hiking")
        import_batches(db, iter([frame]), file="g.json", me="Sam", format="telegram")
        words = {r["person"] or "me": r for r in pipeline.analyze(db).groups.to_dicts()}
    added = {
        (who, column): round(roles[who][column] - words[who][column], 6)
        for who in ("me", "Alex", "Jo")
        for column in ("answers_given", "answers_received", "answers_to_me", "answers_from_me")
        if roles[who][column] is not None and roles[who][column] != words[who][column]
    }
    assert added == {
        ("me", "answers_given"): 0.25,  # ❤️ on Jo's
        ("me", "answers_received"): 0.25,  # Alex's 👍
        ("Alex", "answers_given"): 0.25,
        ("Alex", "answers_to_me"): 0.25,
        ("Alex", "answers_received"): 0.25,  # Jo's 😂
        ("Jo", "answers_given"): 0.25,
        ("Jo", "answers_received"): 0.25,
        ("Jo", "answers_from_me"): 0.25,
    }


_NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda n: n.strip() == n and n != "Sam"
)


@settings(max_examples=12, deadline=None)
@given(author=_NAMES, minutes=st.integers(0, 60 * 24 * 365 * 30))
def test_a_reference_by_sender_and_time_finds_its_message(author: str, minutes: int) -> None:
    """Whatever the author's name (colons, accents, emoji, up to the column's length) and
    time, the store reads the reference back to that author's message, not to the other
    message sent in the same instant."""
    moment = T0 + timedelta(minutes=minutes)
    ref = target_at(author, micros(moment))
    frame = build(
        [
            ("Sam", minutes, "same instant, other sender"),
            (author, minutes, "the one reacted to"),
            ("Sam", minutes + 1, "👍", REACTION, ref, reaction_id(ref, "Sam", "👍")),
        ],
        conversation=author,
    )
    with tempfile.TemporaryDirectory() as folder:
        from reciprocity.store import open_db

        with open_db(Path(folder) / "r.sqlite") as db:
            save(db, frame)
            found = reactions_frame(db)
            texts = message_texts(db, found["reply_to_message_id"])["text"].to_list()
            assert texts == ["the one reacted to"]
