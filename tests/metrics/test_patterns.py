"""Cross-relationship patterns, each with the people and counts behind it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from reciprocity.acts import ACTS
from reciprocity.ledger import LEDGER_SCHEMA
from reciprocity.metrics import PATTERNS, balance, patterns, relationship_kinds
from reciprocity.metrics.patterns import act_counts, patterns_from_counts, sum_act_counts

T = datetime(2024, 1, 1, tzinfo=UTC)


def _ledger(rows: list[tuple[str, str, str, int]]) -> pl.DataFrame:
    """(person, giver, dimension, how many) -> that many events."""
    ids = {p: i + 1 for i, p in enumerate(dict.fromkeys(r[0] for r in rows))}
    flat = [(p, g, d) for p, g, d, n in rows for _ in range(n)]
    return pl.DataFrame(
        {
            "relationship_id": [ids[p] for p, _, _ in flat],
            "person": [p for p, _, _ in flat],
            "giver": [g for _, g, _ in flat],
            "receiver": ["them" if g == "me" else "me" for _, g, _ in flat],
            "dimension": [d for _, _, d in flat],
            "weight": [1.0] * len(flat),
            "timestamp": [T + timedelta(hours=i) for i in range(len(flat))],
            "source": ["messages"] * len(flat),
            "message_id": list(range(len(flat))),
        },
        schema=LEDGER_SCHEMA,
    )


def _messages(rows: list[tuple[str, str, str, int]]) -> pl.DataFrame:
    """(person, "me" | "them", act or "", how many) -> that many messages."""
    flat = [(p, w, a) for p, w, a, n in rows for _ in range(n)]
    return pl.DataFrame(
        {
            "person": [p for p, _, _ in flat],
            "from_me": [w == "me" for _, w, _ in flat],
            **{act: [a == act for _, _, a in flat] for act in ACTS},
        }
    )


def _pattern(frame: pl.DataFrame, name: str) -> dict:  # type: ignore[type-arg]
    return frame.filter(pl.col("pattern") == name).row(0, named=True)


def test_every_pattern_has_a_row() -> None:
    out = patterns(_ledger([("A", "me", "attention", 1)]), _messages([("A", "me", "", 1)]))
    assert out["pattern"].to_list() == list(PATTERNS)
    assert not out["shows"].any()


def test_over_giving_names_relationships_and_dimensions() -> None:
    events = _ledger(
        [("A", "me", "attention", 40), ("B", "me", "listening", 40), ("B", "them", "listening", 2),
         ("C", "me", "attention", 20), ("C", "them", "attention", 20)]
    )  # fmt: skip
    row = _pattern(patterns(events, _messages([("A", "me", "", 1)])), "over_giving")
    assert row["shows"]
    assert row["people"] == ["A", "B"]
    assert row["evidence"] == ["A: mostly you on attention", "B: mostly you on listening"]
    assert "2 of the 3" in row["summary"]


def test_total_self_sufficiency() -> None:
    chats = _messages(
        [("A", "them", "distress", 4), ("B", "them", "support_seek", 2), ("A", "me", "", 10)]
    )
    row = _pattern(
        patterns(_ledger([("A", "me", "attention", 1)]), chats), "total_self_sufficiency"
    )
    assert row["shows"]
    assert row["people"] == ["A", "B"]
    assert row["evidence"][0] == "A: came to you 4 times; you asked 0 times"
    asking = pl.concat([chats, _messages([("B", "me", "support_seek", 2)])])
    ledger = _ledger([("A", "me", "attention", 1)])
    assert not _pattern(patterns(ledger, asking), "total_self_sufficiency")["shows"]


def test_attraction_to_intensity() -> None:
    chats = _messages(
        [("A", "them", "contempt", 6), ("A", "me", "apology", 6), ("A", "me", "", 40),
         ("B", "me", "", 30), ("B", "them", "", 30)]
    )  # fmt: skip
    row = _pattern(
        patterns(_ledger([("A", "me", "attention", 1)]), chats), "attraction_to_intensity"
    )
    assert row["shows"]  # 46 of my 76 messages went to A, whose messages are 23% hard
    assert row["people"] == ["A"]
    assert row["evidence"] == ["A: 12 hard moments in 52 messages (23%); you wrote 46 of them"]


def test_parent_mode_signals() -> None:
    events = _ledger(
        [("Kai", "them", "emotional_support", 12), ("Jo", "them", "emotional_support", 4),
         ("Jo", "them", "presence_in_hard_times", 2)]
    )  # fmt: skip
    chats = _messages(
        [("Kai", "them", "check_in", 6), ("Kai", "them", "support_emotional", 3),
         ("Kai", "me", "check_in", 1), ("Kai", "me", "distress", 7)]
    )  # fmt: skip
    out = patterns(events, chats, {"kai": "child", "Jo": "friend"})
    cares = _pattern(out, "child_cares_for_parent")
    assert cares["shows"]
    assert cares["people"] == ["Kai"]
    assert "Kai checked on you 6 times and comforted you 3 times" in cares["evidence"][0]
    assert cares["summary"].startswith("In 1 parent-child relationship the child")
    support = _pattern(out, "parent_support_from_children")
    assert support["shows"]
    # Named as the give and take names them, with the figures it shows: a weight of
    # both kinds of support, never "times" (one answer can count in both).
    assert support["summary"] == (
        "Of the support you received (emotional support and being there in hard times: "
        "18 in the give and take), 12 came from your children."
    )
    assert support["evidence"] == [
        "Jo: emotional support 4, being there in hard times 2",
        "Kai (child): emotional support 12",
    ]
    # Without kinds there is no parent-child relationship to speak of.
    plain = patterns(events, chats)
    assert not plain.filter(pl.col("pattern").str.contains("child|children"))["shows"].any()


def test_user_as_the_child_of_a_parent() -> None:
    chats = _messages([("Mum", "me", "check_in", 5), ("Mum", "them", "distress", 3)])
    out = patterns(_ledger([("Mum", "me", "attention", 1)]), chats, {"Mum": "parent"})
    row = _pattern(out, "child_cares_for_parent")
    assert row["shows"]
    assert row["evidence"][0].startswith("Mum (parent): you checked on Mum 5 times")


def test_kinds_from_a_people_frame() -> None:
    frame = pl.DataFrame({"person": ["Kai", "Alex"], "kind": ["child", "unknown"]})
    assert relationship_kinds(frame) == {"kai": "child", "alex": "unknown"}


# Patterns from act counts summed over parts of the exchanges.

MESSAGE = st.tuples(
    st.sampled_from(["Ana", "Bo", "Kai", "Mum"]),
    st.sampled_from(["me", "them"]),
    st.sampled_from(["", "check_in", "support_emotional", "support_seek", "distress", "contempt"]),
    st.integers(1, 8),
)
KINDS = {"kai": "child", "Mum": "parent"}


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(MESSAGE, min_size=1, max_size=12), data=st.data())
def test_patterns_from_counts_of_any_parts_are_the_patterns(
    rows: list[tuple[str, str, str, int]], data: st.DataObject
) -> None:
    chats = _messages(rows)
    events = _ledger(
        [(p, w, "emotional_support", n) for p, w, _, n in rows] or [("A", "me", "attention", 1)]
    )
    order = data.draw(st.permutations(range(chats.height)))
    shuffled = chats[list(order)] if order else chats
    cuts = sorted(data.draw(st.sets(st.integers(0, chats.height), max_size=4)))
    edges = [0, *cuts, chats.height]
    parts = [shuffled[a:b] for a, b in pairwise(edges)]
    counts = sum_act_counts(act_counts(p) for p in parts)
    assert counts == act_counts(chats)
    assert list(counts) == sorted(counts)  # in order of name, whatever the parts
    expected = patterns(events, chats, KINDS)
    assert patterns_from_counts(balance(events), counts, KINDS).equals(expected)


def test_people_who_came_to_you_equally_often_are_in_order_of_name() -> None:
    # The group-by's order varies from run to run; ties are listed by name.
    chats = _messages([(p, "them", "distress", 3) for p in ("Zoe", "Al", "Mo", "Bea")])
    ledger = _ledger([("A", "me", "attention", 1)])
    for _ in range(5):
        row = _pattern(patterns(ledger, chats), "total_self_sufficiency")
        assert row["people"] == ["Al", "Bea", "Mo", "Zoe"]
    # A naive sum of parts that kept the parts' order would list them as they came.
    parts = [act_counts(chats.filter(pl.col("person") == p)) for p in ("Zoe", "Al")]
    assert list(sum_act_counts(parts)) == ["Al", "Zoe"]


def test_self_sufficiency_reads_hardly_ever_against_how_often_others_came() -> None:
    # 145 times others came to you against 9 asks is "hardly ever", not "no".
    chats = _messages([("A", "them", "distress", 145), ("A", "me", "support_seek", 9)])
    row = _pattern(
        patterns(_ledger([("A", "me", "attention", 1)]), chats), "total_self_sufficiency"
    )
    assert row["shows"]
    more = pl.concat([chats, _messages([("A", "me", "support_seek", 10)])])
    assert not _pattern(
        patterns(_ledger([("A", "me", "attention", 1)]), more), "total_self_sufficiency"
    )["shows"]
