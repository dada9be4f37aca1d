"""The ledger, its balance and the patterns built window by window equal those of the whole.

Random chats (three relationships, two conversations each, gaps from none to days, both
sides, calls and system lines, acts that make every kind of event) are cut at random
points the cut rule allows; with and without a journal that has entries about someone
with no chat and entries at the very times of messages. The hand-made cases show that a
cut the rule does not allow gives a different ledger, or is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity.acts import ACTS
from reciprocity.exchanges import exchanges
from reciprocity.ledger import JOURNAL_SCHEMA, ledger
from reciprocity.ledger.windowed import ledger_windows
from reciprocity.metrics import balance, patterns, windows
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
    st.sampled_from(["same", "same", "upper", "padded", "Dee"]),  # Dee has no chat
    st.integers(0, 10**6),  # the message it is about (by index), or seconds after BASE
    st.booleans(),  # at that message's very time, or at some time
    st.sampled_from(["me", "them"]),
    st.sampled_from([None, "attention", "attention", "listening", "disclosure", "favours_money"]),
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


def _journal(entries: list[tuple[Any, ...]], whole: pl.DataFrame) -> pl.DataFrame:
    """Journal entries about the people of the messages (spelt as in the chat, in capitals
    or padded) or about Dee, who has no chat; at a message's time (ties with its events)
    or at any time."""
    rows = []
    messages = whole.select("person", "timestamp").rows()
    for who, at, exact, giver, dimension, weight, energy in entries:
        person, when = messages[at % len(messages)] if messages else ("Dee", BASE)
        if not exact:
            when = BASE + timedelta(seconds=at)
        name = {"same": person, "upper": person.upper(), "padded": f" {person} "}.get(who, who)
        rows.append((name, when, giver, dimension, weight, energy))
    return pl.DataFrame(rows, schema=JOURNAL_SCHEMA, orient="row")


def _some(data: st.DataObject, cuts: list[int]) -> list[int]:
    """Each allowed cut taken or not, at random."""
    return [c for c in cuts if data.draw(st.booleans())]


def allowed_cuts(frame: pl.DataFrame, quiet: timedelta = QUIET) -> list[int]:
    """Rows of ``frame`` (in timeline order) before which the cut rule allows a cut: the
    product's rule, itself checked against a plain reference in
    ``tests/metrics/test_windows.py``."""
    return windows.allowed_cuts(frame, quiet=quiet).to_list()


def _slices(frame: pl.DataFrame, cuts: list[int]) -> list[pl.DataFrame]:
    edges = [0, *cuts, frame.height]
    return [frame.slice(a, b - a) for a, b in pairwise(edges)]


def _people(whole: pl.DataFrame) -> pl.DataFrame:
    return whole.select("relationship_id", "person").unique()


def _check_all(
    windows: list[pl.DataFrame],
    whole: pl.DataFrame,
    journal: pl.DataFrame | None,
    *,
    reread: bool = False,
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
    whole_balance = balance(expected)
    assert combined.equals(whole_balance)
    if reread:
        # Read back instead of kept: the events after the latest less the recent period.
        latest = latest_event(merged)
        recent = (
            expected
            if latest is None
            else expected.filter(pl.col("timestamp") > latest - timedelta(days=90))
        )
        assert combine_balance([balance_part(p) for p in parts], recent).equals(combined)

    counts = sum_act_counts(act_counts(w) for w in windows)
    assert counts == act_counts(whole)
    kinds = {"ana": "child", "Bo": "parent"}
    found = patterns_from_counts(combined, counts, kinds)
    assert found.equals(patterns(expected, whole, kinds, balanced=whole_balance))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    messages=st.lists(MESSAGE, min_size=1, max_size=40),
    entries=st.lists(ENTRY, max_size=8),
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
    windows = _slices(whole, _some(data, allowed_cuts(whole)))
    if data.draw(st.booleans()):  # an empty window (a relationship with only calls)
        at = data.draw(st.integers(0, len(windows)))
        windows.insert(at, whole.clear())
    journal = _journal(entries, whole) if with_journal else None
    _check_all(windows, whole, journal, reread=data.draw(st.booleans()))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    messages=st.lists(MESSAGE, min_size=1, max_size=40),
    entries=st.lists(ENTRY, max_size=8),
    data=st.data(),
)
def test_exchanges_built_per_window_give_the_whole_ledger(
    messages: list[tuple[Any, ...]], entries: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    # The windows as the pipeline will make them: the acts frame (calls and system lines
    # included) cut by the rule, and each window's exchanges built on its own.
    acts = _acts(messages)
    windows = [exchanges(w) for w in _slices(acts, _some(data, allowed_cuts(acts)))]
    whole = exchanges(acts)
    # The same rows but for the turn numbers, which the ledger does not read.
    assert pl.concat(windows).drop("turn").equals(whole.drop("turn"))
    journal = _journal(entries, whole)
    _check_all(windows, whole, journal if data.draw(st.booleans()) else None)


# Hand-made: Ana is supported ten hours after her distress (inside the support window,
# after the silence); Bo's chat breaks for two days at a change of side; a call at the
# break; a journal entry at the very time of the last message before Bo's break.
HAND = [
    (1, 0, False, 0, "text", {"distress"}, 3, "awful day"),
    (1, 0, True, 10 * HOUR, "text", {"support_emotional"}, 0, "here for you"),
    (2, 0, True, HOUR, "text", {"question"}, 0, "how was it?"),
    (2, 0, False, 60, "text", {"good_news"}, 1, "great news"),
    (2, 0, True, 2 * 86400, "call", set(), 0, "hm"),
    (2, 0, True, 60, "text", {"check_in"}, 0, "all ok?"),
    (2, 0, False, 60, "text", {"celebrate", "question"}, 0, "so happy for you, when?"),
    (3, 0, True, 60, "text", {"request"}, 0, "help?"),
]


def _hand() -> tuple[pl.DataFrame, pl.DataFrame]:
    acts = _acts(HAND)
    whole = exchanges(acts)
    bo_last = whole.filter(pl.col("person") == "Bo")["timestamp"][1]
    journal = pl.DataFrame(
        {
            "person": ["bo", "Dee", "BO", "ana"],
            "timestamp": [bo_last, BASE, bo_last, BASE],
            "giver": ["me", "them", "them", "me"],
            "dimension": ["attention", "favours_money", "attention", None],
            "energy": [None, None, None, 2],
        },
        schema_overrides={"energy": pl.Int8},
    )
    return acts, journal


def test_by_hand_the_journal_falls_in_its_window() -> None:
    acts, journal = _hand()
    whole = exchanges(acts)
    cuts = allowed_cuts(acts)
    # Before Bo and before Cy, and at Bo's break: before the call, which goes with the
    # message after it. Not inside Ana's ten hours.
    assert cuts == [2, 4, 7]
    windows = [exchanges(w) for w in _slices(acts, cuts)]
    parts = list(ledger_windows(windows, journal, _people(whole)))
    journal_in = [p.filter(pl.col("source") == "journal")["person"].to_list() for p in parts]
    # Ana's entry only notes an energy: nobody gave it, so it makes no event. Bo's two
    # entries tie with the attention event of the message at their time, after it and in
    # the journal's order; Dee's last.
    assert journal_in == [[], ["Bo", "Bo"], [], [], ["Dee"]]
    assert pl.concat(parts).equals(ledger(whole, journal, coded=True))
    _check_all(windows, whole, journal, reread=True)


def test_a_cut_inside_the_quiet_changes_the_ledger() -> None:
    # Cut between Ana's distress and the support ten hours later: each window alone sees
    # no support, so the presence event is lost. The check that the cut rule keeps out.
    acts, _ = _hand()
    whole = exchanges(acts)
    windows = [exchanges(w) for w in _slices(acts, [1, 2, 4, 7])]
    parts = list(ledger_windows(windows, None, _people(whole)))
    expected = ledger(whole, coded=True)
    assert not pl.concat(parts).equals(expected)
    lost = expected.filter(pl.col("dimension") == "presence_in_hard_times")
    assert lost.height == 1
    assert pl.concat(parts).filter(pl.col("dimension") == "presence_in_hard_times").height == 0


def test_cuts_that_change_the_ledger_are_refused() -> None:
    acts, journal = _hand()
    whole = exchanges(acts)
    people = _people(whole)
    # Inside the silence: the window would start a conversation the whole does not.
    inside = _slices(whole, [3])
    with pytest.raises(ValueError, match="less than the silence"):
        list(ledger_windows(inside, None, people))
    # A cut the ledger cannot see is wrong when its silence is longer than the quiet.
    with pytest.raises(ValueError, match="less than the silence"):
        list(ledger_windows(_slices(whole, [4]), None, people, silence=timedelta(days=3)))
    # Out of order.
    with pytest.raises(ValueError, match="not after the previous"):
        list(ledger_windows(_slices(whole, [2, 4])[::-1], None, people))
    # People that are not the windows' (a relationship with calls only, say).
    more = pl.concat([people, pl.DataFrame({"relationship_id": [9], "person": ["Dee"]})])
    with pytest.raises(ValueError, match="people are not"):
        list(ledger_windows(_slices(whole, [2, 4]), journal, more))
    # A bad journal is refused at once, before a window is read.
    bad = journal.with_columns(pl.lit("us").alias("giver"))
    with pytest.raises(ValueError, match="journal entry 1: giver"):
        ledger_windows(iter(()), bad, people)


def test_an_empty_timeline_gives_the_journal_alone() -> None:
    acts, journal = _hand()
    empty = exchanges(acts).clear()
    parts = list(ledger_windows([empty], journal, _people(empty)))
    assert len(parts) == 2
    assert parts[0].height == 0
    assert pl.concat(parts).equals(ledger(empty, journal, coded=True))
    # No chat, so no one to match: every entry sorts last; Ana's energy-only entry gives
    # nothing, so it makes no event.
    assert parts[1]["relationship_id"].null_count() == parts[1].height == journal.height - 1
