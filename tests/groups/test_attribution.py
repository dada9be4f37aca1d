"""Who answered whom in a group: the ladder of cues and how sure each pairing is."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from reciprocity.exchanges.attribution import (
    AT_MENTION,
    EXPLICIT,
    ME,
    NAME_MENTION,
    NEXT_SPEAKER,
    attribute,
)


def _pairs(frame: pl.DataFrame, names: pl.DataFrame | None) -> dict[int, list[tuple[int, ...]]]:
    found = attribute(frame, names)
    out: dict[int, list[tuple[int, ...]]] = {}
    for row in found.iter_rows(named=True):
        out.setdefault(row["message_id"], []).append(
            (row["to_speaker"], row["to_message_id"], row["rule"])
        )
    return out


def _confidence(frame: pl.DataFrame, message: int, names: pl.DataFrame) -> float:
    found = attribute(frame, names).filter(pl.col("message_id") == message)
    return float(found["confidence"].sum())


def test_an_explicit_reply_wins_over_everything_else(group: Any, members: Any) -> None:
    chat = group([
        (1, None, 0, "quiz thursday?", None),
        (2, 11, 1, "anyone got a pen", None),
        (3, 10, 2, "Alex yes! count me in", 1),  # names Alex, follows Alex, but replies to me
    ])  # fmt: skip
    assert _pairs(chat, members())[3] == [(ME, 1, "reply")]
    assert _confidence(chat, 3, members()) == EXPLICIT


def test_a_mention_addresses_the_member_named_at_their_latest_message(
    group: Any, members: Any
) -> None:
    chat = group([
        (1, 11, 0, "I'll bring snacks", None),
        (2, 10, 1, "great", None),
        (3, None, 2, "@Alex you're a legend", None),
        (4, None, 3, "Morgan you coming?", None),
    ])  # fmt: skip
    pairs = _pairs(chat, members())
    assert pairs[3] == [(11, 1, "mention")]
    assert _confidence(chat, 3, members()) == pytest.approx(AT_MENTION)
    # Morgan never wrote: addressed, but no message answered.
    assert pairs[4] == [(12, None, "mention")]
    assert _confidence(chat, 4, members()) == pytest.approx(NAME_MENTION)


def test_naming_two_people_shares_the_confidence(group: Any, members: Any) -> None:
    chat = group([
        (1, 11, 0, "hi", None),
        (2, 10, 1, "hey", None),
        (3, None, 2, "Alex and Jordan: table booked", None),
    ])  # fmt: skip
    found = attribute(chat, members()).filter(pl.col("message_id") == 3)
    assert sorted(found["to_speaker"].to_list()) == [10, 11]
    assert found["confidence"].to_list() == pytest.approx([NAME_MENTION / 2] * 2)


def test_a_name_inside_another_word_is_not_a_mention(group: Any, members: Any) -> None:
    chat = group([(1, 11, 0, "hi", None), (2, None, 1, "Alexandra says hi", None)])
    assert _pairs(chat, members())[2] == [(11, 1, "next")]  # the next-speaker rule, not a mention


def test_the_next_speaker_answers_the_last_other_message_less_surely_with_time(
    group: Any, members: Any
) -> None:
    chat = group([
        (1, None, 0, "who's in?", None),
        (2, 10, 0, "me", None),
        (3, 10, 1, "and bringing cake", None),  # same turn: the same pairing
        (4, None, 60, "lovely", None),
    ])  # fmt: skip
    pairs = _pairs(chat, members())
    assert pairs[2] == [(ME, 1, "next")]
    assert pairs[3] == [(ME, 1, "next")]
    assert _confidence(chat, 2, members()) == pytest.approx(NEXT_SPEAKER)
    # 59 minutes after Jordan's last message: nearly two half-lives.
    assert _confidence(chat, 4, members()) == pytest.approx(NEXT_SPEAKER * 0.5 ** (59 / 30))


def test_more_voices_before_a_turn_make_the_next_speaker_less_sure(
    group: Any, members: Any
) -> None:
    quiet = group([(1, 11, 0, "pens?", None), (2, None, 0, "got one", None)])
    busy = group([
        (1, 10, 0, "so", None),
        (2, 12, 0, "what", None),
        (3, 11, 0, "pens?", None),
        (4, None, 0, "got one", None),
    ])  # fmt: skip
    assert _confidence(quiet, 2, members()) == pytest.approx(NEXT_SPEAKER)
    assert _confidence(busy, 4, members()) == pytest.approx(NEXT_SPEAKER / 3)


def test_nothing_answers_across_a_long_silence_or_oneself(group: Any, members: Any) -> None:
    chat = group([
        (1, 10, 0, "anyone?", None),
        (2, None, 500, "sorry only just saw this", None),  # 8 hours later
        (3, None, 501, "still on?", None),
    ])  # fmt: skip
    assert _pairs(chat, None) == {}


def test_groups_are_attributed_each_on_their_own(group: Any, members: Any) -> None:
    one = group([(1, 10, 0, "hi", None)], conversation=1)
    two = group([(2, None, 1, "hello", None)], conversation=2)
    assert attribute(pl.concat([one, two]), members()).is_empty()


def test_names_with_emoji_or_regex_signs_are_found_and_break_nothing(group: Any) -> None:
    # A member called "Jordan 🌻" (an emoji the regex engine refuses escaped) and one
    # called "<Kim>" (an escaped "<" reads as a word boundary): mentions of both are found.
    names = pl.DataFrame(
        [(1, 11, "Jordan", "jordan 🌻"), (1, 12, "Kim", "<kim>"), (1, None, None, "sam")],
        schema={"conversation_id": pl.Int64, "relationship_id": pl.Int64, "person": pl.String,
                "alias": pl.String},
        orient="row",
    )  # fmt: skip
    chat = group([
        (1, 11, 0, "hi", None),
        (2, 12, 1, "hey", None),
        (3, None, 2, "Jordan 🌻 see you there", None),
        (4, None, 3, "thanks <Kim>!", None),
    ])  # fmt: skip
    pairs = _pairs(chat, names)
    assert pairs[3] == [(11, 1, "mention")]
    assert pairs[4] == [(12, 2, "mention")]
