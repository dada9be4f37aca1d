"""Reactions read from every export that keeps them: who reacted, with what, when, and to
which message (the contract is in :mod:`reciprocity.ingest.base`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from reciprocity.ingest import discord, imessage, messenger, signal, telegram
from reciprocity.ingest.base import KINDS, REACTION, Options, reaction_id, target_at

from . import imessage_fixture

FIXTURES = Path(__file__).parent.parent / "fixtures"
COLUMNS = ("sender", "timestamp", "text", "reply_to")


def reactions(frames: Iterable[pl.DataFrame]) -> pl.DataFrame:
    frame = pl.concat(list(frames))
    return frame.filter(pl.col("kind") == REACTION)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def micros(text: str) -> int:
    return int(at(text).timestamp() * 1_000_000)


def test_reaction_is_a_kind_and_its_id_is_stable() -> None:
    assert REACTION in KINDS
    assert reaction_id("m1", "Alex", "👍") == reaction_id("m1", "Alex", "👍")
    assert len({reaction_id("m1", "Alex", "👍"), reaction_id("m1", "Alex", "❤️")}) == 2
    # Fields are length-prefixed: no reactor and emoji can imitate another pair.
    assert reaction_id("m", "a|b", "c") != reaction_id("m", "a", "b|c")
    assert target_at("Alex", 5) == "at:00000000000000000005:Alex"
    assert len(target_at("x" * 200, 5)) == 24  # too long for the column: the time alone


def test_messenger_reactions_name_the_reactor_repaired_and_the_message_by_time() -> None:
    jose = FIXTURES / "messenger" / "inbox" / "joseramirez_10158"
    found = reactions(messenger.parse_files([jose / "message_2.json"], Options()))
    sent = micros("2024-03-01T08:03:00")
    assert found.select(COLUMNS).rows() == [
        # mojibake repaired in the reactor's name and in the emoji
        ("José Ramírez", at("2024-03-01T08:03:00"), "❤", target_at("Sam Lee", sent)),
    ]
    e2ee = reactions(
        messenger.parse(FIXTURES / "messenger" / "e2ee" / "mia_chen_1.json", Options())
    )
    assert e2ee.select("sender", "text").rows() == [("Sam Lee", "😂")]
    assert e2ee["reply_to"][0].endswith(":Mia Chen")


def test_discord_reactions_one_per_user_pointing_at_the_message_id() -> None:
    found = reactions(discord.parse(FIXTURES / "discord" / "dm_rio.json", Options()))
    assert found.select(COLUMNS).rows() == [
        ("Sam Lee", at("2024-05-01T18:15:03.512"), "👍", "1100000000000000001"),
    ]
    assert found["source_id"][0] == reaction_id("1100000000000000001", "Sam Lee", "👍")


def test_discord_reaction_without_users_names_nobody_and_is_left_out(tmp_path: Path) -> None:
    text = (FIXTURES / "discord" / "dm_rio.json").read_text(encoding="utf-8")
    start = text.index('"users": [')
    end = text.index("]", text.index("avatarUrl", start)) + 1
    older = tmp_path / "older.json"
    older.write_text(text[:start] + '"users": []' + text[end:], encoding="utf-8")
    assert reactions(discord.parse(older, Options())).height == 0


def test_telegram_reactions_from_recent_at_their_own_time() -> None:
    found = reactions(
        telegram.parse(FIXTURES / "telegram" / "reactions.json", Options(timezone="UTC"))
    )
    assert found.select(COLUMNS).rows() == [
        ("Sam Lee", at("2024-06-01T09:02:10"), "🎉", "41"),
        ("Sam Lee", at("2024-06-01T09:02:20"), "<custom emoji>", "41"),
    ]  # the three 👍 name nobody: left out


@pytest.mark.parametrize("name", ["data.json", "chat.md"])
def test_signal_reactions_in_json_and_markdown_alike(name: str) -> None:
    found = reactions(
        signal.parse(FIXTURES / "signal" / "AlexMorgan" / name, Options(timezone="UTC"))
    )
    assert found.select("sender", "text").rows() == [("Alex Morgan", "❤️")]
    # at the message's time, which names it (with its sender: the user, "Me")
    stamp = found["timestamp"][0]
    assert stamp.replace(microsecond=0) == at("2024-03-12T21:16:40")
    assert found["reply_to"][0] == target_at("Me", int(stamp.timestamp() * 1_000_000))


def test_signal_markdown_with_several_reactions(tmp_path: Path) -> None:
    chat = tmp_path / "Trio" / "chat.md"
    chat.parent.mkdir()
    chat.write_text(
        "[2024-03-12 21:15:03] Alex: news: I passed!  \n(- Me: 🎉, Sam Lee: ❤️ -)\n\n"
        "[2024-03-12 21:16:00] Me: well done  \n",
        encoding="utf-8",
    )
    found = reactions(signal.parse(chat, Options(timezone="UTC")))
    assert found.select("sender", "text").rows() == [("Me", "🎉"), ("Sam Lee", "❤️")]
    frame = pl.concat(list(signal.parse(chat, Options(timezone="UTC"))))
    assert frame.filter(pl.col("kind") == "text")["text"].to_list() == [
        "news: I passed!",
        "well done",
    ]


def test_imessage_tapbacks_are_reactions_and_a_removal_cancels_its_add(tmp_path: Path) -> None:
    apple = imessage_fixture.apple_ns
    rows = [
        *imessage_fixture.MESSAGES,
        # the user likes "Who is in for Saturday?", then takes it back
        (20, "G-20", 2, "Liked “Who is in…”", None, apple("2024-03-02T10:04:00"),
         1, 0, 2001, "p:0/G-7", None, 0, 0),
        (21, "G-21", 2, "Removed a like", None, apple("2024-03-02T10:05:00"),
         1, 0, 3001, "p:0/G-7", None, 0, 0),
        # Mira laughs at it, and keeps the laugh
        (22, "G-22", 2, "Laughed at “Who is in…”", None,
         apple("2024-03-02T10:06:00"), 0, 2, 2003, "bp:G-7", None, 0, 0),
    ]  # fmt: skip
    path = imessage_fixture.write(tmp_path / "chat.db", rows)
    found = reactions(imessage.parse(path, Options()))
    assert found.select(*COLUMNS, "source_id").rows() == [
        ("+14155550123", at("2024-03-01T18:03:00"), "❤️", "G-2", "G-3"),
        ("mira@example.com", at("2024-03-02T10:06:00"), "😂", "G-7", "G-22"),
    ]


def test_discord_malformed_reactions_leave_the_messages_whole(tmp_path: Path) -> None:
    import json

    doc = json.loads((FIXTURES / "discord" / "dm_rio.json").read_text(encoding="utf-8"))
    first = doc["messages"][0]
    first["reactions"] = [
        {"emoji": "👍", "users": [{"name": "a"}]},  # an emoji that is not an object
        {"emoji": {"id": "", "name": "🎉"}, "users": ["b", {"nickname": "Sam Lee"}]},
    ]
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    frame = pl.concat(list(discord.parse(path, Options())))
    assert frame.filter(pl.col("kind") != REACTION).height == len(doc["messages"])
    found = frame.filter(pl.col("kind") == REACTION)
    assert found.select("sender", "text").rows() == [("Sam Lee", "🎉")]
