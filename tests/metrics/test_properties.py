"""Properties of the figures on random chats, checked against a plain-Python re-implementation.

The oracle below walks each relationship message by message, the slow and obvious way; the
vectorised figures must agree with it on every random chat Hypothesis can think of, including
equal timestamps, gaps of exactly the silence, calls and system lines in between.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reciprocity.metrics import is_question, relationship_figures

ChatBuilder = Callable[[Sequence[tuple[object, ...]]], pl.DataFrame]  # the conftest builder

BASE = datetime(2024, 1, 1, tzinfo=UTC)
SILENCE = timedelta(hours=6)

# Gaps (minutes) chosen to hit ties, the silence exactly, and either side of it.
GAPS = st.sampled_from([0, 0, 1, 7, 59, 359, 360, 361, 2_000])
TEXTS = st.one_of(
    st.text(alphabet=" ab?!.\n\t", max_size=12),
    st.sampled_from(["are you ok", "what a day!", "fine thanks", "see x.org/a?b"]),
    st.none(),
)
MESSAGE = st.tuples(
    st.integers(1, 3),  # relationship
    st.integers(0, 1),  # which of its two conversations
    st.booleans(),  # from me
    GAPS,
    st.sampled_from(["text", "text", "text", "media", "call", "system"]),
    TEXTS,
)


def _frame(chat: ChatBuilder, messages: list[tuple[Any, ...]]) -> pl.DataFrame:
    rows, minutes = [], 0
    for rel, conv, me, gap, kind, text in messages:
        minutes += gap
        at = BASE + timedelta(minutes=minutes)
        rows.append((rel, f"P{rel}", rel * 10 + conv, "me" if me else "them", at, text, kind))
    return chat(rows)


def _oracle(frame: pl.DataFrame, silence: timedelta) -> dict[int, dict[str, Any]]:
    """The figures computed one message at a time."""
    questions = frame.with_columns(q=is_question(frame["text"]))
    out: dict[int, dict[str, Any]] = {}
    for (rel,), group in questions.group_by(["relationship_id"]):
        f: dict[str, Any] = defaultdict(int)
        latencies: dict[str, list[float]] = {"me": [], "them": []}
        rows = sorted(
            group.rows(named=True),
            key=lambda r: (r["timestamp"], r["conversation_id"], r["ordinal"]),
        )
        prev: dict[str, Any] = {}
        for r in rows:
            side = "me" if r["from_me"] else "them"
            if r["kind"] == "call":
                f[f"calls_{side}"] += 1
            if r["kind"] not in ("text", "media"):
                continue
            new_session = not prev or r["timestamp"] - prev["timestamp"] >= silence
            new_turn = new_session or r["from_me"] != prev["from_me"]
            f[f"messages_{side}"] += 1
            if r["kind"] == "text":
                f[f"words_{side}"] += len((r["text"] or "").split())
                f[f"questions_{side}"] += int(r["q"])
            f["conversations"] += int(new_session)
            f[f"initiations_{side}"] += int(new_session)
            f[f"turns_{side}"] += int(new_turn)
            if new_turn and not new_session:
                f[f"replies_{side}"] += 1
                latencies[side].append((r["timestamp"] - prev["timestamp"]).total_seconds())
            f.setdefault("first_message", r["timestamp"])
            f["last_message"] = r["timestamp"]
            prev = r
        for me, them in (("me", "them"), ("them", "me")):
            turns = f[f"turns_{them}"]
            f[f"reply_rate_{me}"] = f[f"replies_{me}"] / turns if turns else None
            lat = latencies[me]
            f[f"reply_latency_median_s_{me}"] = statistics.median(lat) if lat else None
        f.setdefault("first_message", None)
        f.setdefault("last_message", None)
        out[rel] = f
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(MESSAGE, max_size=40))
def test_figures_match_the_message_by_message_oracle(
    chat: ChatBuilder, messages: list[tuple[Any, ...]]
) -> None:
    frame = _frame(chat, messages)
    figures = relationship_figures(frame, silence=SILENCE)
    expected = _oracle(frame, SILENCE)
    assert sorted(figures["relationship_id"].to_list()) == sorted(expected)
    for row in figures.iter_rows(named=True):
        want = expected[row["relationship_id"]]
        for name, value in row.items():
            if name in ("relationship_id", "person") or name.endswith("_share_me"):
                continue
            if isinstance(value, float):
                assert want[name] == pytest.approx(value), name
            else:
                assert want[name] == value, name


@settings(max_examples=100, deadline=None)
@given(st.lists(MESSAGE, max_size=40), st.randoms(use_true_random=False))
def test_invariants(chat: ChatBuilder, messages: list[tuple[Any, ...]], random: Random) -> None:
    frame = _frame(chat, messages)
    figures = relationship_figures(frame)
    conversational = frame.filter(pl.col("kind").is_in(["text", "media"]))
    for row in figures.iter_rows(named=True):
        mine = conversational.filter(pl.col("relationship_id") == row["relationship_id"])
        assert row["messages_me"] + row["messages_them"] == mine.height
        assert row["initiations_me"] + row["initiations_them"] == row["conversations"]
        assert (row["conversations"] > 0) == (mine.height > 0)
        # each turn that is not a session opener answers the turn before it
        turns = row["turns_me"] + row["turns_them"]
        assert row["replies_me"] + row["replies_them"] == turns - row["conversations"]
        for side in ("me", "them"):
            rate = row[f"reply_rate_{side}"]
            assert rate is None or 0.0 <= rate <= 1.0
            assert row[f"turns_{side}"] <= row[f"messages_{side}"]
            latency = row[f"reply_latency_median_s_{side}"]
            assert (latency is None) == (row[f"replies_{side}"] == 0)
            assert latency is None or 0.0 <= latency < SILENCE.total_seconds()
        share = row["messages_share_me"]
        assert share is None or 0.0 <= share <= 1.0

    # Row order does not matter, and each relationship can be computed on its own
    # (so the work can be split into partitions by relationship).
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=random.randrange(2**32))
    assert relationship_figures(shuffled).equals(figures)
    parts = [
        relationship_figures(part)
        for _, part in frame.group_by(["relationship_id"], maintain_order=True)
    ]
    if parts:
        assert pl.concat(parts).sort("relationship_id").equals(figures)


@settings(max_examples=60, deadline=None)
@given(st.lists(MESSAGE, max_size=40), st.integers(1, 600), st.integers(1, 600))
def test_a_longer_silence_never_makes_more_conversations(
    chat: ChatBuilder, messages: list[tuple[Any, ...]], a: int, b: int
) -> None:
    frame = _frame(chat, messages)
    short, long = sorted((a, b))
    fewer = relationship_figures(frame, silence=timedelta(minutes=long))["conversations"]
    more = relationship_figures(frame, silence=timedelta(minutes=short))["conversations"]
    assert (fewer <= more).all()
