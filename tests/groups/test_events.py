"""Events between the user and each member of a group, weighted below one-to-one; who
carries the group; the split by source."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from reciprocity.exchanges.attribution import attribute
from reciprocity.ledger import LEDGER_SCHEMA
from reciprocity.ledger.groups import CAP, GROUP_EVENTS_SCHEMA, group_events
from reciprocity.metrics.groups import group_act_counts, group_roles, source_split


def _events(
    chat: pl.DataFrame, acts: dict[int, Any], names: pl.DataFrame, with_acts: Any
) -> pl.DataFrame:
    pairs = attribute(chat, names)
    return group_events(with_acts(chat, acts), pairs)


def test_events_follow_the_one_to_one_rules_between_me_and_each_member(
    group: Any, members: Any, with_acts: Any
) -> None:
    chat = group([
        (1, None, 0, "I got the job!!", None),
        (2, 10, 1, "congratulations!!", 1),
        (3, 11, 2, "@Jordan nice one", None),   # between two members: not mine
        (4, 11, 3, "I'm having an awful week", None),
        (5, None, 4, "oh no, I'm here for you Alex", None),
    ])  # fmt: skip
    acts = {1: ("good_news",), 2: ("celebrate",), 4: ("distress",), 5: ("support_emotional",)}
    events = _events(chat, acts, members(), with_acts)
    assert events.schema == pl.Schema(GROUP_EVENTS_SCHEMA)
    assert set(events["source"]) == {"group"}
    assert 3 not in events["message_id"].to_list()
    got = {(r["person"], r["giver"], r["dimension"]) for r in events.iter_rows(named=True)}
    assert ("Jordan", "them", "celebration") in got
    assert ("Alex", "me", "presence_in_hard_times") in got
    assert ("Alex", "me", "emotional_support") in got
    assert all(set(c) <= set(events.columns) for c in [LEDGER_SCHEMA])


def test_a_group_event_weighs_at_most_half_and_less_in_a_crowd(
    group: Any, members: Any, with_acts: Any
) -> None:
    three = group([(1, None, 0, "quiz?", None), (2, 10, 1, "yes!", 1), (3, 11, 2, "hm", None)])
    events = _events(three, {}, members(), with_acts)
    answer = events.filter((pl.col("message_id") == 2) & (pl.col("dimension") == "attention"))
    # An explicit reply (confidence 1) among three active people: 1 / 2, the cap.
    assert answer["weight"].to_list() == [pytest.approx(CAP)]
    four = group([
        (1, None, 0, "quiz?", None), (2, 10, 1, "yes!", 1), (3, 11, 2, "hm", None),
        (4, 12, 3, "maybe", None),
    ])  # fmt: skip
    crowded = _events(four, {}, members(), with_acts)
    answer = crowded.filter((pl.col("message_id") == 2) & (pl.col("dimension") == "attention"))
    assert answer["weight"].to_list() == [pytest.approx(1 / 3)]
    assert (crowded["weight"] <= CAP).all()


def test_who_carries_the_group(group: Any, members: Any, with_acts: Any) -> None:
    chat = group([
        (1, None, 0, "quiz thursday?", None),
        (2, 10, 1, "yes! thanks Sam", None),
        (3, 11, 2, "@Jordan driving?", None),
        (4, 10, 3, "yep", 3),
        (5, 11, 600, "anyone around?", None),  # ten hours later: a new conversation
        (6, 10, 601, "me", 5),
    ])  # fmt: skip
    pairs = attribute(chat, members())
    roles = group_roles(with_acts(chat, {}), pairs)
    by = {r["person"]: r for r in roles.iter_rows(named=True)}
    me = roles.filter(pl.col("is_me")).row(0, named=True)
    assert me["messages"] == 1
    assert me["starts"] == 1
    assert me["answers_to_me"] is None
    assert by["Alex"]["starts"] == 1
    assert by["Jordan"]["starts"] == 0
    assert by["Jordan"]["answers_to_me"] == pytest.approx(0.7)  # named Sam
    assert by["Alex"]["answers_to_me"] == 0.0
    assert by["Jordan"]["answers_given"] == pytest.approx(0.7 + 1 + 1)
    assert roles["message_share"].sum() == pytest.approx(1.0)


def test_the_split_by_source_and_the_act_counts(group: Any, members: Any, with_acts: Any) -> None:
    chat = group([
        (1, 10, 0, "how are you doing?", None),
        (2, None, 1, "good thanks Jordan!", 1),
        (3, 10, 2, "how was the weekend Sam?", None),
    ])  # fmt: skip
    acts = {1: ("check_in", "question"), 3: ("check_in", "question")}
    framed = with_acts(chat, acts)
    pairs = attribute(chat, members())
    split = source_split(group_events(framed, pairs))
    assert set(split["title"]) == {"Quiz"}
    assert split["events_them"].sum() >= 2
    assert split["events_me"].sum() >= 1
    counts = group_act_counts(framed, pairs)
    # Message 1 opened the chat (no one addressed): only message 3 counts.
    assert counts["Jordan"]["check_in_them"] == 1


def test_a_child_checking_on_a_parent_in_the_family_group_counts_for_the_pattern(
    group: Any, members: Any, with_acts: Any
) -> None:
    from reciprocity.metrics.balance import balance
    from reciprocity.metrics.patterns import patterns_from_counts

    rows = []
    for day in range(6):  # Jordan (the child here) asks after Sam, by name, six times
        at = day * 24 * 60
        rows += [
            (10 * day + 1, 11, at, "dinner at 7 everyone", None),
            (10 * day + 2, 10, at + 1, "Sam how are you feeling today?", None),
            (10 * day + 3, None, at + 2, "better, thank you love", None),
        ]
    chat = group(rows, title="Family")
    acts = {10 * d + 2: ("check_in", "question") for d in range(6)}
    counts = group_act_counts(with_acts(chat, acts), attribute(chat, members()))
    assert counts["Jordan"]["check_in_them"] == 6
    empty = balance(pl.DataFrame(schema=LEDGER_SCHEMA))
    found = patterns_from_counts(empty, counts, {"Jordan": "child"})
    cares = found.filter(pl.col("pattern") == "child_cares_for_parent").row(0, named=True)
    assert cares["shows"]
    assert cares["people"] == ["Jordan"]
