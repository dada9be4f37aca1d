"""Window cuts of the timeline, checked against a brute-force reading of the cut rule.

The reference below decides, for every position between two rows, whether a cut may fall
there by looking at the whole relationship around it, the slow and literal way; the
vectorised :func:`window_bounds` must agree with it on random chats with ties, gaps on
both sides of ``quiet``, both sides writing, and calls and system lines anywhere.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reciprocity.metrics.sessions import TIMELINE_ORDER, timeline
from reciprocity.metrics.windows import allowed_cuts, window_bounds
from reciprocity.store import FRAME_SCHEMA

BASE = datetime(2024, 1, 1, tzinfo=UTC)
HOUR = 3600
SCHEMA = FRAME_SCHEMA

# Gaps in seconds: ties, seconds, and each quiet used below exactly and either side of it.
AROUND = [q + d for q in (HOUR, 6 * HOUR, 24 * HOUR) for d in (-1, 0, 1)]
GAPS = st.sampled_from([0, 0, 1, 45, *AROUND, 3 * 24 * HOUR])
KINDS = st.sampled_from(["text", "text", "text", "media", "call", "system"])
MESSAGE = st.tuples(st.integers(0, 1), st.booleans(), GAPS, KINDS)
CHATS = st.lists(st.lists(MESSAGE, max_size=25), min_size=0, max_size=4)
QUIETS = st.sampled_from([timedelta(hours=1), timedelta(hours=6), timedelta(hours=24)])


def frame_of(chats: list[list[tuple[Any, ...]]]) -> pl.DataFrame:
    """An analysis frame in timeline order: relationship ``r + 1`` has ``chats[r]``'s
    messages (conversation 0 or 1 of it, from me, gap after the previous one, kind)."""
    records = []
    ordinals: dict[tuple[int, datetime], int] = defaultdict(int)
    for rel, messages in enumerate(chats, start=1):
        seconds = 0
        for conv, me, gap, kind in messages:
            seconds += gap
            conversation = rel * 10 + conv
            stamp = BASE + timedelta(seconds=seconds)
            records.append(
                {
                    "relationship_id": rel,
                    "person": f"P{rel}",
                    "conversation_id": conversation,
                    "message_id": len(records),
                    "from_me": me,
                    "timestamp": stamp,
                    "ordinal": ordinals[conversation, stamp],
                    "text": kind,
                    "kind": kind,
                    "reply_to_message_id": None,
                }
            )
            ordinals[conversation, stamp] += 1
    return pl.DataFrame(records, schema=SCHEMA).sort(TIMELINE_ORDER)


def reference_cuts(frame: pl.DataFrame, quiet: timedelta) -> set[int]:
    """Positions ``i`` (cut between rows ``i - 1`` and ``i``) the rule allows, row by row."""
    rows = frame.to_dicts()
    talk = [row["kind"] in ("text", "media") for row in rows]
    allowed = set()
    for i in range(1, len(rows)):
        rel = rows[i]["relationship_id"]
        if rows[i - 1]["relationship_id"] != rel:
            allowed.add(i)  # (a), or a relationship without any conversational message
            continue
        mine = [j for j in range(len(rows)) if rows[j]["relationship_id"] == rel and talk[j]]
        before = [j for j in mine if j < i]
        after = [j for j in mine if j >= i]
        if not before or not after:
            # Leading calls and system rows go with the first conversational message,
            # trailing ones with the relationship's last window.
            continue
        p, m = before[-1], after[0]
        if p != i - 1:
            continue  # the calls and system rows between p and the cut go with m
        gap = rows[m]["timestamp"] - rows[p]["timestamp"]
        if gap > quiet and rows[m]["from_me"] != rows[p]["from_me"]:
            allowed.add(i)
    return allowed


def reference_bounds(height: int, cuts: set[int], rows: int) -> list[tuple[int, int]]:
    bounds = []
    start = 0
    while start < height:
        end = min((c for c in cuts if c >= start + rows), default=height)
        bounds.append((start, end - start))
        start = end
    return bounds


@settings(max_examples=300, deadline=None)
@given(chats=CHATS, quiet=QUIETS, rows=st.integers(1, 30))
def test_windows_follow_the_rule(
    chats: list[list[tuple[Any, ...]]], quiet: timedelta, rows: int
) -> None:
    frame = frame_of(chats)
    bounds = window_bounds(frame, rows=rows, quiet=quiet)
    allowed = reference_cuts(frame, quiet)
    # The slices tile the frame in order.
    assert [start for start, _ in bounds] == [
        sum(n for _, n in bounds[:k]) for k in range(len(bounds))
    ]
    assert sum(n for _, n in bounds) == frame.height
    assert all(n > 0 for _, n in bounds)
    # Every cut is one the rule allows; every window but the last is big enough.
    assert {start for start, _ in bounds[1:]} <= allowed
    assert all(n >= rows for _, n in bounds[:-1])
    # Closed at the first allowed cut once big enough: exactly the greedy reference.
    assert bounds == reference_bounds(frame.height, allowed, rows)
    # And the vectorised list of allowed cuts is the reference's.
    assert allowed_cuts(frame, quiet=quiet).to_list() == sorted(allowed)


@settings(max_examples=150, deadline=None)
@given(chats=CHATS, quiet=QUIETS, rows=st.integers(1, 10))
def test_sessions_and_turns_do_not_cross_a_cut(
    chats: list[list[tuple[Any, ...]]], quiet: timedelta, rows: int
) -> None:
    """What the rule is for: the timeline of each window (sessions of a silence up to
    ``quiet``, turns, replies and their latency) is the whole frame's, row for row."""
    frame = frame_of(chats)
    silence = quiet
    whole = timeline(frame.lazy(), silence=silence).collect()
    parts = [
        timeline(frame.slice(start, length).lazy(), silence=silence).collect()
        for start, length in window_bounds(frame, rows=rows, quiet=quiet)
    ]
    assert pl.concat(parts, how="vertical").equals(whole) if parts else whole.height == 0


def test_empty_frame_and_bad_arguments() -> None:
    empty = pl.DataFrame(schema=SCHEMA)
    assert window_bounds(empty) == []
    assert allowed_cuts(empty, quiet=timedelta(hours=24)).to_list() == []
    with pytest.raises(ValueError, match="rows"):
        window_bounds(empty, rows=0)
    backwards = frame_of([[(0, True, 0, "text"), (0, False, 10, "text")]]).reverse()
    with pytest.raises(ValueError, match="timeline order"):
        window_bounds(backwards)


def test_hand_made_cuts() -> None:
    day = 24 * HOUR
    frame = frame_of(
        [
            [
                (0, False, 0, "system"),  # 0: leading system row, goes with row 1
                (0, True, 0, "text"),  # 1
                (0, False, day, "text"),  # 2: exactly quiet later: no cut
                (0, True, day + 1, "text"),  # 3: other side, more than quiet: cut before 3
                (0, True, 2 * day, "text"),  # 4: same side after two days: no cut
                (0, False, 5, "call"),  # 5: goes with row 6
                (1, False, day, "media"),  # 6: other side after a day and 5 s: cut before 5
                (0, False, 9, "system"),  # 7: trailing: goes with the last window
            ],
            [(0, True, 0, "call")],  # 8: a relationship of calls only
            [(0, True, 0, "system"), (1, False, 0, "text")],  # 9, 10
        ]
    )
    quiet = timedelta(hours=24)
    assert allowed_cuts(frame, quiet=quiet).to_list() == [3, 5, 8, 9]
    assert sorted(reference_cuts(frame, quiet)) == [3, 5, 8, 9]
    assert window_bounds(frame, rows=1, quiet=quiet) == [(0, 3), (3, 2), (5, 3), (8, 1), (9, 2)]
    assert window_bounds(frame, rows=4, quiet=quiet) == [(0, 5), (5, 4), (9, 2)]
    assert window_bounds(frame, rows=100, quiet=quiet) == [(0, 11)]
    # With a longer quiet only the relationships' starts remain.
    assert window_bounds(frame, rows=1, quiet=timedelta(days=3)) == [(0, 8), (8, 1), (9, 2)]


def test_no_allowed_cut_is_one_window() -> None:
    frame = frame_of([[(0, i % 2 == 0, 60, "text") for i in range(50)]])
    assert window_bounds(frame, rows=1) == [(0, 50)]
