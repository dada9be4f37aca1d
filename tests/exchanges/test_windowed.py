"""Exchanges window by window are exactly the exchanges of the whole timeline.

Random chats (several relationships, both sides, gaps from none to days, calls and system
rows, two conversations per relationship, equal timestamps) are cut at random points that
the cut rule allows (:func:`allowed_cuts`); hand-made cases show that a cut the rule does
not allow changes the rows, so the property could fail.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reciprocity.exchanges import (
    combine_exchange_figures,
    combine_reply_speed,
    exchange_figures,
    exchanges,
    reply_speed,
    reply_turns,
)
from reciprocity.exchanges.windowed import window_exchanges
from reciprocity.metrics import windows
from reciprocity.metrics.sessions import TIMELINE_ORDER
from reciprocity.store.read import REACTIONS_SCHEMA

DAY = 24 * 60  # minutes


def allowed_cuts(frame: pl.DataFrame, quiet: timedelta) -> list[int]:
    """Row positions of ``frame`` (in timeline order) where a window may start: the
    product's rule, itself checked against a plain reference in
    ``tests/metrics/test_windows.py``."""
    return windows.allowed_cuts(frame, quiet=quiet).to_list()


def cut(frame: pl.DataFrame, at: list[int]) -> list[pl.DataFrame]:
    """``frame`` cut before each of the rows ``at``."""
    bounds = [0, *sorted(set(at)), frame.height]
    return [frame.slice(a, b - a) for a, b in pairwise(bounds)]


ACTS = st.lists(
    st.sampled_from(
        [
            *("good_news", "celebrate", "question", "request", "accept", "decline"),
            *("distress", "support_emotional", "support_practical", "support_seek"),
            *("contempt", "you_accusation", "check_in"),
        ]
    ),
    max_size=3,
    unique=True,
).map(" ".join)
MESSAGE = st.tuples(
    st.booleans(),  # from me
    # Gaps (minutes): ties, either side of both windows, and days.
    st.sampled_from([0, 0, 1, 60, 359, 360, 361, DAY - 1, DAY, DAY + 1, 2 * DAY, 3 * DAY]),
    st.sampled_from(["text", "text", "text", "media", "call", "system"]),
    st.integers(0, 1),  # which of its two conversations
    st.sampled_from(["ok", "nice!", "but why", "or else", "yay, how did it go?", ""]),
    ACTS,
    st.integers(0, 3),  # disclosure depth
)
CHATS = st.lists(st.lists(MESSAGE, min_size=1, max_size=12), min_size=1, max_size=3)


def chat_frame(acts_chat: Any, chat: list[list[tuple[Any, ...]]]) -> pl.DataFrame:
    """An acts frame in timeline order: one list of messages per relationship."""
    rows, kinds, conversations = [], [], []
    for r, messages in enumerate(chat):
        minutes = 0
        for from_me, gap, kind, conversation, text, acts, depth in messages:
            minutes += gap
            rows.append((f"P{r}", "me" if from_me else "them", minutes, text, acts, depth))
            kinds.append(kind)
            conversations.append(conversation)
    frame = acts_chat(rows).with_columns(
        pl.Series("kind", kinds),
        pl.col("conversation_id") + pl.Series(conversations),
    )
    return frame.sort(TIMELINE_ORDER)


def reaction_frame(frame: pl.DataFrame, reacted: list[tuple[int, bool, int, str]]) -> pl.DataFrame:
    """The store's reactions frame: each (row of ``frame``, by me, minutes after, emoji)."""
    rows = [
        (
            frame["relationship_id"][i],
            frame["person"][i],
            frame["conversation_id"][i],
            10_000 + n,
            by_me,
            frame["timestamp"][i] + timedelta(minutes=after),
            emoji,
            frame["message_id"][i],
            frame["from_me"][i],
        )
        for n, (i, by_me, after, emoji) in enumerate(reacted)
    ]
    return pl.DataFrame(rows, schema=REACTIONS_SCHEMA, orient="row")


@settings(max_examples=60, deadline=None)
@given(chat=CHATS, data=st.data())
def test_windows_give_the_whole_exchanges_and_summaries(
    chat_with_acts: Any, chat: list[list[tuple[Any, ...]]], data: st.DataObject
) -> None:
    window = data.draw(st.sampled_from([timedelta(hours=1), timedelta(hours=6)]))
    support = data.draw(st.sampled_from([timedelta(hours=6), timedelta(hours=24)]))
    silence = timedelta(hours=6)
    frame = chat_frame(chat_with_acts, chat)
    allowed = allowed_cuts(frame, max(silence, window, support))
    at = data.draw(st.lists(st.sampled_from(allowed), unique=True)) if allowed else []
    rows = data.draw(st.sampled_from([1, 2, 5, 1000]))

    # Reactions on random messages, by either side, at or after them: answers to good news.
    reacted = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, frame.height - 1),
                st.booleans(),
                st.sampled_from([0, 30, 359, 361, DAY]),
                st.sampled_from(["🎉", "😮", "❤️"]),
            ),
            max_size=6,
        )
    )
    given = reaction_frame(frame, reacted)
    whole = exchanges(frame, window=window, support_window=support, reactions=given)
    windows = cut(frame, at)
    parts = list(
        window_exchanges(windows, window=window, support_window=support, rows=rows, reactions=given)
    )
    assert pl.concat(parts).equals(whole)
    assert all(0 < p.height <= rows for p in parts) or [p.height for p in parts] == [0]
    figures = combine_exchange_figures(exchange_figures(p) for p in parts)
    assert figures.equals(exchange_figures(whole))
    speed = combine_reply_speed(reply_turns(p) for p in parts)
    assert speed.equals(reply_speed(whole))


# A relationship cut mid-way, with turns on both sides of the cut and a second one after it.
RUN_ON = [
    ("A", "me", 0, "got the job!", "good_news", 1),
    ("A", "them", 5, "yay! when?", "celebrate question", 0),
    ("A", "them", 6, "so proud", "celebrate", 0),
    ("A", "me", 3 * DAY, "can you help Sat?", "request", 0),  # the cut: 3 days, other side
    ("A", "them", 3 * DAY + 2, "sorry, can't", "decline", 0),
    ("A", "me", 3 * DAY + 3, "or else", "", 0),
    ("B", "them", 0, "rough week", "distress support_seek", 3),
    ("B", "me", 30, "here for you", "support_emotional", 0),
]


def test_turns_run_on_across_windows(chat_with_acts: Any) -> None:
    frame = chat_with_acts(RUN_ON).sort(TIMELINE_ORDER)
    assert allowed_cuts(frame, timedelta(hours=24)) == [3, 6]
    whole = exchanges(frame)
    assert whole["turn"].to_list() == [0, 1, 1, 2, 3, 4, 0, 1]
    windows = cut(frame, [3])
    parts = list(window_exchanges(windows, rows=2))
    assert pl.concat(parts).equals(whole)
    # Each window on its own numbers A's turns from 0 again: the offset is what mends it.
    alone = pl.concat([exchanges(w) for w in windows])
    assert not alone.equals(whole)
    assert alone.drop("turn").equals(whole.drop("turn"))
    assert whole["after_decline"].drop_nulls().to_list() == ["ultimatum"]


@pytest.mark.parametrize("gap", [10 * 60, DAY])
def test_a_cut_within_the_support_window_changes_the_rows(chat_with_acts: Any, gap: int) -> None:
    # Support 10 h (or exactly 24 h) after the distress, from the other side: past the
    # answer window, within the support window. A cut there loses the support.
    rows = [
        ("A", "them", 0, "awful day", "distress", 3),
        ("A", "me", gap, "thinking of you", "support_emotional", 0),
    ]
    frame = chat_with_acts(rows)
    whole = exchanges(frame)
    assert whole["supported"].to_list() == [True, None]
    windows = cut(frame, [1])
    alone = pl.concat([exchanges(w) for w in windows])
    assert alone["supported"].to_list() == [False, None]
    assert allowed_cuts(frame, timedelta(hours=24)) == []
    with pytest.raises(ValueError, match="only"):
        list(window_exchanges(windows))


def test_a_cut_without_a_change_of_side_changes_the_turns(chat_with_acts: Any) -> None:
    # Two days apart, but the same side: one turn, which no window may split.
    rows = [
        ("A", "me", 0, "hello?", "question", 0),
        ("A", "me", 2 * DAY, "hello??", "question", 0),
        ("A", "them", 2 * DAY + 1, "sorry!", "apology", 0),
    ]
    frame = chat_with_acts(rows)
    whole = exchanges(frame)
    assert whole["turn"].to_list() == [0, 0, 1]
    first, second = (exchanges(w) for w in cut(frame, [1]))
    # The offset rule (the previous window's last turn + 1) holds at a change of side only.
    offset = second.with_columns(pl.col("turn") + first["turn"].max() + 1)
    assert pl.concat([first, offset])["turn"].to_list() == [0, 1, 2]
    assert allowed_cuts(frame, timedelta(hours=24)) == []
    with pytest.raises(ValueError, match="same side"):
        list(window_exchanges(cut(frame, [1])))


def test_windows_without_messages(chat_with_acts: Any) -> None:
    frame = chat_with_acts(RUN_ON).sort(TIMELINE_ORDER)
    calls = frame.head(2).with_columns(pl.lit("call").alias("kind"))
    (part,) = window_exchanges([calls, calls.clear()])
    assert part.height == 0
    assert part.schema == exchanges(frame).schema
    assert list(window_exchanges([])) == []
    # Windows of calls alone among others leave no empty parts behind.
    parts = list(window_exchanges([calls, frame.slice(2)]))
    assert all(p.height > 0 for p in parts)
    assert pl.concat(parts).equals(exchanges(pl.concat([calls, frame.slice(2)])))
