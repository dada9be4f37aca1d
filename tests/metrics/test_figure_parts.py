"""Figures merged from windows' parts equal the figures of the whole frame.

Random chats are cut with the windowed analysis's cut rule (:func:`windows` below is a
plain re-implementation of it) at random allowed points, the windows packed at random;
the merged parts must equal :func:`relationship_figures` of the whole, bit for bit.
Hand-made cases show that a cut the rule forbids does change the figures (so the property
can fail) and why the medians are taken over all the latencies, not merged from medians.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reciprocity.metrics import FIGURES_SCHEMA, relationship_figures
from reciprocity.metrics.figure_parts import (
    PART_SCHEMA,
    FigurePart,
    combine_figures,
    figure_part,
)
from reciprocity.metrics.sessions import CONVERSATIONAL_KINDS, TIMELINE_ORDER
from reciprocity.metrics.textual import text_features

ChatBuilder = Callable[[Sequence[tuple[object, ...]]], pl.DataFrame]  # the conftest builder

BASE = datetime(2024, 1, 1, tzinfo=UTC)
QUIET = timedelta(hours=24)  # max(silence, answer window 6 h, support window 24 h)
_US = 1_000_000
_HOUR = 3_600 * _US


def windows(frame: pl.DataFrame, random: Random, quiet: timedelta = QUIET) -> list[pl.DataFrame]:
    """``frame`` cut by the cut rule at allowed points chosen by ``random``, then packed at
    random into windows (several relationships to a window, a relationship's slices in
    increasing windows); every window in timeline order, some possibly empty.

    A cut may fall before a conversational message m when m is its relationship's first,
    or when the previous conversational message p of the relationship is from the other
    side and more than ``quiet`` before m. Calls and system lines go with the next
    conversational message of their relationship, or with its last slice.
    """
    ordered = frame.sort(TIMELINE_ORDER)
    records = ordered.select("relationship_id", "from_me", "timestamp", "kind").rows()
    slice_of: list[int] = [0] * len(records)
    by_rel: dict[int, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        by_rel[record[0]].append(index)
    slices: dict[int, int] = {}
    for rel, indices in by_rel.items():
        talk = [i for i in indices if records[i][3] in CONVERSATIONAL_KINDS]
        current = 0
        for before, at in zip([None, *talk], talk, strict=False):
            if before is None:
                continue  # rule (a): the first slice starts here anyway
            gap = records[at][2] - records[before][2]
            allowed = gap > quiet and records[at][1] != records[before][1]
            if allowed and random.random() < 0.5:
                current += 1
            slice_of[at] = current
        # Other rows go with the next conversational row, else with the last slice.
        following = current
        for i in reversed(indices):
            if records[i][3] in CONVERSATIONAL_KINDS:
                following = slice_of[i]
            else:
                slice_of[i] = following
        slices[rel] = current + 1
    count = max(slices.values(), default=0) + random.randrange(3)
    window_of = {
        (rel, s): w
        for rel, n in slices.items()
        for s, w in enumerate(sorted(random.sample(range(count), n)))
    }
    placed = ordered.with_columns(
        _window=pl.Series(
            [window_of[(r[0], s)] for r, s in zip(records, slice_of, strict=True)],
            dtype=pl.Int64,
        )
    )
    return [placed.filter(pl.col("_window") == w).drop("_window") for w in range(count)]


def _as_input(window: pl.DataFrame, random: Random) -> pl.DataFrame | pl.LazyFrame:
    """The window as the pipeline might give it: eager, lazy, or with text features only."""
    form = random.randrange(3)
    if form == 1:
        return window.lazy()
    if form == 2:
        return window.with_columns(text_features()).drop("text")
    return window


# Gaps between consecutive messages (microseconds): ties, a second, the silences and the
# quiet gap exactly and either side of them, days, and anything in between.
GAPS = st.one_of(
    st.sampled_from([0, 0, _US, 6 * _HOUR, 24 * _HOUR, 24 * _HOUR + 1, 24 * _HOUR - 1, 72 * _HOUR]),
    st.integers(0, 60 * _US),
    st.integers(0, 80 * _HOUR),
)
MESSAGE = st.tuples(
    st.integers(1, 4),  # relationship
    st.integers(0, 1),  # which of its two conversations
    st.booleans(),  # from me
    GAPS,
    st.sampled_from(["text", "text", "text", "media", "call", "system"]),
    st.sampled_from([None, "are you ok", "fine thanks", "what? no"]),
    st.sampled_from([None, "A", "B"]),  # the person's name on this row
)
SILENCES = st.sampled_from([timedelta(hours=6), timedelta(hours=1), timedelta(hours=24)])


def _frame(chat: ChatBuilder, messages: list[tuple[Any, ...]]) -> pl.DataFrame:
    """The analysis frame of ``messages``, in timeline order like the store's."""
    rows, clock = [], 0
    for rel, conv, me, gap, kind, text, name in messages:
        clock += gap
        person = None if name is None else f"{name}{rel}"
        at = BASE + timedelta(microseconds=clock)
        rows.append((rel, person, rel * 10 + conv, "me" if me else "them", at, text, kind))
    return chat(rows).sort(TIMELINE_ORDER)


@settings(max_examples=200, deadline=None)
@given(st.lists(MESSAGE, max_size=40), SILENCES, st.randoms(use_true_random=False))
def test_parts_of_allowed_windows_merge_to_the_whole(
    chat: ChatBuilder, messages: list[tuple[Any, ...]], silence: timedelta, random: Random
) -> None:
    frame = _frame(chat, messages)
    whole = relationship_figures(frame, silence=silence)
    parts = [figure_part(_as_input(w, random), silence=silence) for w in windows(frame, random)]
    merged = combine_figures(parts)
    assert merged.equals(whole), (merged.to_dicts(), whole.to_dicts())


@settings(max_examples=50, deadline=None)
@given(st.lists(MESSAGE, max_size=30), st.randoms(use_true_random=False))
def test_a_part_has_its_schema_and_one_row_per_relationship(
    chat: ChatBuilder, messages: list[tuple[Any, ...]], random: Random
) -> None:
    frame = _frame(chat, messages)
    part = figure_part(frame.sample(fraction=1.0, shuffle=True, seed=random.randrange(99)))
    assert dict(part.rows.schema) == PART_SCHEMA
    assert (
        part.rows["relationship_id"].to_list() == frame["relationship_id"].unique().sort().to_list()
    )
    replies = part.rows["replies_me"] + part.rows["replies_them"]
    latencies = part.rows.select(
        pl.col("reply_latencies_s_me").list.len() + pl.col("reply_latencies_s_them").list.len()
    ).to_series()
    assert (replies == latencies).all()


# Two sessions of Alex: me at 09:00, them at 09:10 (a reply after 600 s), then a day and a
# half later them at 21:00 and me at 21:02 (a reply after 120 s). A call sits in between.
ALEX = [
    (1, "Alex", 10, "me", "09:00", "free tonight?", "text"),
    (1, "Alex", 10, "them", "09:10", "yes", "text"),
    (1, "Alex", 10, "them", "d1 12:00", "Missed voice call", "call"),
    (1, "Alex", 10, "them", "d1 21:00", "sorry, was out", "text"),
    (1, "Alex", 10, "me", "d1 21:02", "no worries", "text"),
]


def _cut(frame: pl.DataFrame, at: int) -> list[pl.DataFrame]:
    return [frame.slice(0, at), frame.slice(at)]


def test_an_allowed_cut_keeps_the_figures(chat: ChatBuilder) -> None:
    frame = chat(ALEX)
    # Before 'sorry, was out': other side than 09:10 and 35 h 50 min later; the call goes
    # with it.
    parts = [figure_part(w) for w in _cut(frame, 2)]
    assert combine_figures(parts).equals(relationship_figures(frame))


def test_a_cut_inside_a_session_changes_the_figures(chat: ChatBuilder) -> None:
    # Cutting before 'yes' (ten minutes after 'free tonight?') is not allowed: the reply
    # becomes a session opener. The property above would catch a windowing that did this.
    frame = chat(ALEX)
    whole = relationship_figures(frame)
    merged = combine_figures(figure_part(w) for w in _cut(frame, 1))
    assert not merged.equals(whole)
    assert (whole["conversations"][0], merged["conversations"][0]) == (2, 3)
    assert (whole["replies_them"][0], merged["replies_them"][0]) == (1, 0)
    assert whole["reply_latency_median_s_them"][0] == 600.0
    assert merged["reply_latency_median_s_them"][0] is None


def test_medians_come_from_all_the_latencies(chat: ChatBuilder) -> None:
    # They answer after 0.1 s in one window and after 0.3 s in the next: latencies
    # a = 100_000 us * 1e-6 = 0.09999999999999999 and b = 0.3. Polars' median of the two is
    # a + (b - a) / 2 = 0.2, while the mean of the parts' medians (a + b) / 2 is
    # 0.19999999999999998: the merge must run the same median over all the latencies.
    day = 86_400  # the builder reads numbers as seconds after its base time
    rows = [
        (2, "Blake", 20, "me", 0, "hi", "text"),
        (2, "Blake", 20, "them", 0.1, "hi", "text"),
        (2, "Blake", 20, "me", 2 * day, "again", "text"),
        (2, "Blake", 20, "them", 2 * day + 0.3, "yo", "text"),
    ]
    frame = chat(rows)
    whole = relationship_figures(frame)
    merged = combine_figures(figure_part(w) for w in _cut(frame, 2))
    assert merged.equals(whole)
    a, b = 100_000 * 1e-6, 300_000 * 1e-6
    assert whole["reply_latency_median_s_them"][0] == pl.Series([a, b]).median() == 0.2
    assert (a + b) / 2 != 0.2


def test_latencies_do_not_depend_on_how_the_frame_is_split(chat: ChatBuilder) -> None:
    # Polars divides a column by a number through its reciprocal, but a single row exactly:
    # 5 us / 10**6 gave 5e-06 alone and 4.9999999999999996e-06 inside a longer frame. The
    # timeline multiplies by 1e-6 instead, the same on any split.
    rows = [
        (1, "Alex", 10, "me", 0, "a", "text"),
        (1, "Alex", 10, "me", 1, "b", "text"),
        (1, "Alex", 10, "me", 2, "c", "text"),
        (2, "Blake", 20, "me", 0, "hi", "text"),
        (2, "Blake", 20, "them", 0.000005, "hi", "text"),
    ]
    frame = chat(rows)
    alone = frame.filter(pl.col("relationship_id") == 2)
    together = relationship_figures(frame).filter(pl.col("relationship_id") == 2)
    assert relationship_figures(alone).equals(together)
    assert together["reply_latency_median_s_them"][0] == 5 * 1e-6


def test_a_relationship_over_windows_shared_with_others(chat: ChatBuilder) -> None:
    others = [
        (3, "Casey", 30, "them", "10:00", "Casey created this chat", "system"),
        (4, "Dana", 40, "me", "d1 08:00", "morning", "text"),
        (4, "Dana", 40, "them", "d1 08:01", "hey", "text"),
    ]
    frame = chat([*ALEX, *others]).sort(TIMELINE_ORDER)
    alex, rest = (
        frame.filter(pl.col("relationship_id") == 1),
        frame.filter(pl.col("relationship_id") != 1),
    )
    first, second = _cut(alex, 2)
    windows = [pl.concat([first, rest.head(1)]), pl.concat([second, rest.tail(2)])]
    assert combine_figures(figure_part(w) for w in windows).equals(relationship_figures(frame))


def test_nothing_to_merge(chat: ChatBuilder) -> None:
    empty = relationship_figures(chat([]))
    assert combine_figures([]).equals(empty)
    assert combine_figures([figure_part(chat([])), figure_part(chat([]))]).equals(empty)
    assert dict(combine_figures([]).schema) == FIGURES_SCHEMA


def test_parts_with_different_silences_are_refused(chat: ChatBuilder) -> None:
    parts = [figure_part(chat(ALEX)), figure_part(chat(ALEX), silence=timedelta(hours=1))]
    with pytest.raises(ValueError, match="silence"):
        combine_figures(parts)


def test_bad_input_is_refused(chat: ChatBuilder) -> None:
    with pytest.raises(ValueError, match="text"):
        figure_part(chat(ALEX).drop("text"))
    with pytest.raises(ValueError, match="positive"):
        figure_part(chat(ALEX), silence=-timedelta(hours=1))
    assert isinstance(figure_part(chat(ALEX)), FigurePart)
