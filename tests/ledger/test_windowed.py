"""The ledger, its balance and the patterns built window by window equal those of the whole.

Random chats (three relationships, two conversations each, gaps from none to days, both
sides, calls and system lines, acts that make every kind of event) are cut at random
points the cut rule allows; with and without a journal that has entries about someone
with no chat and entries at the very times of messages. The hand-made cases show that a
cut the rule does not allow gives a different ledger, or is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity.acts import ACTS
from reciprocity.exchanges import exchanges
from reciprocity.ledger import DIMENSIONS, ledger
from reciprocity.ledger.windowed import ledger_windows
from reciprocity.metrics import balance, patterns
from reciprocity.metrics.balance import (
    balance_part,
    combine_balance,
    keep_recent,
    latest_event,
    merge_balance_parts,
)
from reciprocity.metrics.patterns import act_counts, patterns_from_counts, sum_act_counts
from reciprocity.metrics.sessions import TIMELINE_ORDER
from reciprocity.store import FRAME_SCHEMA

BASE = datetime(2024, 1, 1, tzinfo=UTC)
QUIET = timedelta(hours=24)  # max(silence 6 h, answer window 6 h, support window 24 h)
NAMES = {1: "Ana", 2: "Bo", 3: "Cy"}
HOUR = 3600
# Seconds between consecutive messages of the whole timeline: ties, the silence and the
# quiet exactly and either side of them, days.
GAPS = st.sampled_from(
    [0, 0, 1, 60, HOUR, 6 * HOUR, 6 * HOUR + 1, 20 * HOUR, 24 * HOUR, 24 * HOUR + 1, 3 * 86400]
)
# The acts that make events (and the ones that decide outcomes), a few at a time.
EVENT_ACTS = [
    "question",
    "check_in",
    "distress",
    "support_seek",
    "support_emotional",
    "support_practical",
    "good_news",
    "celebrate",
    "request",
    "accept",
    "decline",
    "contempt",
    "apology",
]
MESSAGE = st.tuples(
    st.integers(1, 3),  # relationship
    st.integers(0, 1),  # which of its two conversations
    st.booleans(),  # from me
    GAPS,
    st.sampled_from(["text", "text", "text", "media", "call", "system"]),
    st.sets(st.sampled_from(EVENT_ACTS), max_size=3),
    st.integers(0, 3),  # disclosure depth
    st.sampled_from(["ok", "nice!", "but why", "so happy for you, when?", "hm"]),
)
ENTRY = st.tuples(
    st.sampled_from(["Ana", "bo", " cy ", "Dee"]),  # Dee has no chat
    st.integers(0, 10**6),  # a message's time (by index) or seconds after BASE
    st.booleans(),  # at a message's very time
    st.sampled_from(["me", "them"]),
    st.sampled_from([None, "attention", "listening", "favours_money", "practical_help"]),
    st.sampled_from([None, 0.1, 1 / 3, 2.0]),
    st.sampled_from([None, -2, -1, 0, 1, 2]),
)


def _acts(messages: list[tuple[Any, ...]]) -> pl.DataFrame:
    """An acts frame from generated messages, in timeline order."""
    seconds, ordinals, records = 0, dict[int, int](), []
    for index, (rel, conv, me, gap, kind, acts, depth, text) in enumerate(messages):
        seconds += gap
        conversation = 10 * rel + conv
        ordinal = ordinals.get(conversation, 0)
        ordinals[conversation] = ordinal + 1
        records.append(
            {
                "relationship_id": rel,
                "person": NAMES[rel],
                "conversation_id": conversation,
                "message_id": index + 1,
                "from_me": me,
                "timestamp": BASE + timedelta(seconds=seconds),
                "ordinal": ordinal,
                "text": text,
                "kind": kind,
                "reply_to_message_id": None,
                **{a: a in acts for a in ACTS},
                "disclosure_depth": depth,
            }
        )
    schema = {**FRAME_SCHEMA, **dict.fromkeys(ACTS, pl.Boolean()), "disclosure_depth": pl.Int8()}
    frame = pl.DataFrame(records, schema=schema)
    return frame.with_columns((pl.col("disclosure_depth") >= 1).alias("disclosure")).sort(
        TIMELINE_ORDER
    )


def _journal(entries: list[tuple[Any, ...]], times: list[datetime]) -> pl.DataFrame:
    rows = []
    for person, at, exact, giver, dimension, weight, energy in entries:
        when = times[at % len(times)] if exact and times else BASE + timedelta(seconds=at)
        rows.append((person, when, giver, dimension, weight, energy))
    return pl.DataFrame(
        rows,
        schema={
            "person": pl.String(),
            "timestamp": pl.Datetime("us", "UTC"),
            "giver": pl.String(),
            "dimension": pl.String(),
            "weight": pl.Float64(),
            "energy": pl.Int8(),
        },
        orient="row",
    )


def allowed_cuts(frame: pl.DataFrame, quiet: timedelta = QUIET) -> list[int]:
    """Rows of ``frame`` (in timeline order) before which the cut rule allows a cut.

    A cut may fall before a relationship's first conversational (text or media) message,
    or before one whose previous conversational message in the relationship is more than
    ``quiet`` earlier and from the other side. The rows that are not conversational go
    with the next conversational row of their relationship (or its last window), so in
    the frame the cut falls at the start of the relationship, or right after that
    previous message."""
    rows = frame.with_row_index("_row")
    rel = pl.col("relationship_id")
    starts = rows.filter(rel != rel.shift(1))["_row"]
    before = [pl.col(c).shift(1).over("relationship_id") for c in ("timestamp", "from_me", "_row")]
    talk = rows.filter(pl.col("kind").is_in(["text", "media"])).with_columns(
        before[0].alias("_then"), before[1].alias("_side"), before[2].alias("_p")
    )
    quiet_then = (pl.col("timestamp") - pl.col("_then") > quiet) & (
        pl.col("_side") != pl.col("from_me")
    )
    after = talk.filter(quiet_then)["_p"] + 1
    return sorted(set(starts.to_list()) | set(after.to_list()))


def _slices(frame: pl.DataFrame, cuts: list[int]) -> list[pl.DataFrame]:
    edges = [0, *cuts, frame.height]
    return [frame.slice(a, b - a) for a, b in zip(edges, edges[1:], strict=False)]


def _people(whole: pl.DataFrame) -> pl.DataFrame:
    return whole.select("relationship_id", "person").unique()


def _check_all(
    windows: list[pl.DataFrame], whole: pl.DataFrame, journal: pl.DataFrame | None
) -> None:
    """Ledger, balance and patterns from the windows equal those of the whole exchanges."""
    expected = ledger(whole, journal, coded=True)
    parts = list(ledger_windows(windows, journal, _people(whole)))
    assert len(parts) == len(windows) + (journal is not None)
    assert pl.concat(parts).equals(expected)

    merged, kept = merge_balance_parts([]), None
    for part in parts:
        merged = merge_balance_parts([merged, balance_part(part)])
        kept = keep_recent(kept, part)
    assert kept is not None
    combined = combine_balance(merged, kept)
    assert combined.equals(balance(expected))
    assert combined.equals(balance(ledger(whole, journal)))  # decoded: the same balance
    # Re-read instead of kept: the events after the latest less the recent period.
    latest = latest_event(merged)
    if latest is not None:
        reread = expected.filter(pl.col("timestamp") > latest - timedelta(days=90))
        assert combine_balance([balance_part(p) for p in parts], reread).equals(combined)

    counts = sum_act_counts(act_counts(w) for w in windows)
    assert counts == act_counts(whole)
    kinds = {"ana": "child", "Bo": "parent"}
    assert patterns_from_counts(combined, counts, kinds).equals(patterns(expected, whole, kinds))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    messages=st.lists(MESSAGE, min_size=1, max_size=40),
    entries=st.lists(ENTRY, max_size=6),
    with_journal=st.booleans(),
    data=st.data(),
)
def test_windows_of_the_whole_exchanges_give_the_whole_ledger(
    messages: list[tuple[Any, ...]],
    entries: list[tuple[Any, ...]],
    with_journal: bool,
    data: st.DataObject,
) -> None:
    whole = exchanges(_acts(messages))
    cuts = data.draw(st.lists(st.sampled_from(allowed_cuts(whole) or [0]), unique=True))
    windows = _slices(whole, sorted(c for c in cuts if c))
    if data.draw(st.booleans()):  # an empty window (a relationship with only calls)
        at = data.draw(st.integers(0, len(windows)))
        windows.insert(at, whole.clear())
    journal = _journal(entries, whole["timestamp"].to_list()) if with_journal else None
    _check_all(windows, whole, journal)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    messages=st.lists(MESSAGE, min_size=1, max_size=40),
    entries=st.lists(ENTRY, max_size=6),
    data=st.data(),
)
def test_exchanges_built_per_window_give_the_whole_ledger(
    messages: list[tuple[Any, ...]], entries: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    # The windows as the pipeline will make them: the acts frame (calls and system lines
    # included) cut by the rule, and each window's exchanges built on its own.
    acts = _acts(messages)
    cuts = data.draw(st.lists(st.sampled_from(allowed_cuts(acts) or [0]), unique=True))
    windows = [exchanges(w) for w in _slices(acts, sorted(c for c in cuts if c))]
    whole = exchanges(acts)
    # The same rows but for the turn numbers, which the ledger does not read.
    assert pl.concat(windows).drop("turn").equals(whole.drop("turn"))
    journal = _journal(entries, whole["timestamp"].to_list())
    _check_all(windows, whole, journal)
    _check_all(windows, whole, None)
