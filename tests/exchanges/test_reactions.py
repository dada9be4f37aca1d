"""Reactions answer good news: a 🎉 on "I got the job!" is a response, not silence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import polars as pl
import pytest

from reciprocity.exchanges import exchange_figures, exchanges
from reciprocity.exchanges.reactions import WARM, is_warm, reaction_answers
from reciprocity.ledger import message_events
from reciprocity.store.read import REACTIONS_SCHEMA

from .conftest import BASE, ActsChat

NEWS = [("A", "them", 0, "I got the job!", "good_news", 1)]

# (message_id reacted to, reacted by me, minutes after BASE, emoji)
Reaction = tuple[int, bool, float, str]


def reactions(frame: pl.DataFrame, given: Sequence[Reaction]) -> pl.DataFrame:
    """The store's reactions frame for reactions on the messages of ``frame``."""
    target_from_me = dict(zip(frame["message_id"], frame["from_me"], strict=True))
    return pl.DataFrame(
        {
            "relationship_id": [1] * len(given),
            "person": ["A"] * len(given),
            "conversation_id": [10] * len(given),
            "message_id": [1000 + i for i in range(len(given))],
            "from_me": [r[1] for r in given],
            "timestamp": [BASE + timedelta(minutes=r[2]) for r in given],
            "text": [r[3] for r in given],
            "reply_to_message_id": [r[0] for r in given],
            "target_from_me": [target_from_me.get(r[0]) for r in given],
        },
        schema=REACTIONS_SCHEMA,
    )


def _news_row(chat_with_acts: ActsChat, rows: Sequence[tuple], given: Sequence[Reaction]):  # type: ignore[no-untyped-def]
    frame = chat_with_acts(rows)
    out = exchanges(frame, reactions=reactions(frame, given))
    return out.row(0, named=True)


@pytest.mark.parametrize(
    ("emoji", "expected"),
    [
        ("🎉", "warm_reaction"),
        ("❤️", "warm_reaction"),
        ("❤", "warm_reaction"),  # Messenger writes the heart without its selector
        ("👍🏽", "warm_reaction"),
        ("😮", "other_reaction"),  # surprise is not a celebration
        ("😢", "other_reaction"),
        ("😂", "other_reaction"),
        (":party_parrot:", "other_reaction"),  # a server's own emoji: cannot be read
    ],
)
def test_a_reaction_without_words_answers_good_news(
    chat_with_acts: ActsChat, emoji: str, expected: str
) -> None:
    row = _news_row(chat_with_acts, NEWS, [(1, True, 0, emoji)])
    assert row["good_news_response"] == expected
    assert row["good_news_reaction"] == emoji
    # A reaction is still no reply: the reply figures do not count it.
    assert row["answered"] is False


def test_without_reactions_good_news_unanswered_is_ignored(chat_with_acts: ActsChat) -> None:
    row = _news_row(chat_with_acts, NEWS, [])
    assert row["good_news_response"] == "ignored"
    assert row["good_news_reaction"] is None


def test_words_decide_when_there_are_words(chat_with_acts: ActsChat) -> None:
    rows = [*NEWS, ("A", "me", 5, "did you see the match", "question", 0)]
    row = _news_row(chat_with_acts, rows, [(1, True, 1, "🎉")])
    assert row["good_news_response"] == "passive_destructive"
    assert row["good_news_reaction"] is None
    rows = [*NEWS, ("A", "me", 5, "congrats!", "celebrate", 0)]
    assert _news_row(chat_with_acts, rows, [(1, True, 1, "😢")])["good_news_response"] == (
        "passive_constructive"
    )


def test_only_the_other_side_within_the_window_answers(chat_with_acts: ActsChat) -> None:
    # Their own reaction on their own news answers nothing.
    assert _news_row(chat_with_acts, NEWS, [(1, False, 0, "🎉")])["good_news_response"] == (
        "ignored"
    )
    # Telegram and iMessage date a reaction when it was given: a day later is too late.
    late = _news_row(chat_with_acts, NEWS, [(1, True, 7 * 60, "🎉")])
    assert late["good_news_response"] == "ignored"
    # A reaction to another message answers nothing here.
    rows = [*NEWS, ("A", "them", 1, "anyway", "", 0)]
    assert _news_row(chat_with_acts, rows, [(2, True, 2, "🎉")])["good_news_response"] == (
        "ignored"
    )


def test_a_warm_reaction_counts_before_an_earlier_other_one(chat_with_acts: ActsChat) -> None:
    row = _news_row(chat_with_acts, NEWS, [(1, True, 1, "😮"), (1, True, 2, "❤️")])
    assert (row["good_news_response"], row["good_news_reaction"]) == ("warm_reaction", "❤️")


def test_my_news_their_reaction(chat_with_acts: ActsChat) -> None:
    rows = [("A", "me", 0, "passed my test!", "good_news", 1)]
    row = _news_row(chat_with_acts, rows, [(1, False, 0, "👏")])
    assert row["good_news_response"] == "warm_reaction"


def test_a_warm_reaction_is_counted_and_celebrates_at_a_quarter(chat_with_acts: ActsChat) -> None:
    frame = chat_with_acts(NEWS)
    out = exchanges(frame, reactions=reactions(frame, [(1, True, 0, "🎉")]))
    figures = exchange_figures(out).filter(pl.col("topic") == "good_news")
    assert figures.select("sender", "outcome", "count").rows() == [("them", "warm_reaction", 1)]
    events = message_events(out).collect().filter(pl.col("dimension") == "celebration")
    assert events.select("giver", "receiver", "weight").rows() == [("me", "them", 0.25)]
    # Not for a reaction that is not warm.
    out = exchanges(frame, reactions=reactions(frame, [(1, True, 0, "😢")]))
    events = message_events(out).collect().filter(pl.col("dimension") == "celebration")
    assert events.is_empty()


def test_reaction_answers_keep_only_answers_to_the_other_side(chat_with_acts: ActsChat) -> None:
    frame = chat_with_acts([*NEWS, ("A", "me", 1, "wow", "", 0)])
    given = reactions(frame, [(1, True, 0, "🎉"), (2, True, 0, "👍"), (99, False, 0, "❤️")])
    answers = reaction_answers(given)
    assert answers.select("message_id", "_reaction", "_reaction_warm").rows() == [(1, "🎉", True)]


def test_warm_reactions_are_read_without_selectors_and_skin_tones() -> None:
    found = pl.select(is_warm(pl.Series(["❤️", "👍🏿", "🎉", "😮", "‼️", None]))).to_series()
    assert found.to_list() == [True, True, True, False, False, False]
    assert all(len(e) <= 3 for e in WARM)
