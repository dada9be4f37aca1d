"""The ledger: events giver -> receiver per dimension, from messages and journal entries."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from reciprocity.exchanges import exchanges
from reciprocity.ledger import LEDGER_SCHEMA, decoded, journal_events, ledger, message_events
from reciprocity.metrics import balance

ROWS = [
    ("Alex", "me", 0, "how are you?", "check_in question", 0),
    ("Alex", "them", 5, "rough. I feel lost", "distress", 3),
    ("Alex", "me", 6, "I'm here for you. want to talk?", "support_emotional question", 0),
    ("Alex", "them", 10, "got the job though!", "good_news", 1),
    ("Alex", "me", 11, "amazing!! when do you start?", "celebrate question", 0),
    ("Alex", "them", 600, "can you lend me a hand?", "request", 0),
    ("Alex", "me", 601, "sure", "accept", 0),
]


def _totals(events: pl.DataFrame) -> dict[tuple[str, str], float]:
    sums = events.group_by("dimension", "giver").agg(pl.col("weight").sum())
    return {(r["dimension"], r["giver"]): r["weight"] for r in sums.iter_rows(named=True)}


def test_message_events_by_hand(chat_with_acts):  # type: ignore[no-untyped-def]
    events = ledger(exchanges(chat_with_acts(ROWS)))
    assert dict(events.schema) == LEDGER_SCHEMA
    totals = _totals(events)
    assert totals == {
        # I opened the chat and checked in; Alex opened after the 6 h silence (minute 600)
        ("attention", "me"): 2.0,
        ("attention", "them"): 1.0,
        ("listening", "me"): 2.0,  # two questions that are neither check-in nor request
        ("emotional_support", "me"): 1.0,
        ("presence_in_hard_times", "me"): 1.0,
        ("celebration", "me"): 1.0,  # active-constructive
        ("practical_help", "me"): 1.0,  # the accepted request
        ("disclosure", "them"): (3 + 1) / 3,
    }
    assert set(events["receiver"]) == {"me", "them"}
    assert (events["giver"] != events["receiver"]).all()
    assert events.filter(pl.col("dimension") == "practical_help")["timestamp"][0] == datetime(
        2024, 3, 1, 19, 1, tzinfo=UTC
    )


def test_journal_entries_join_by_name(chat_with_acts):  # type: ignore[no-untyped-def]
    journal = pl.DataFrame(
        {
            "person": ["alex", "Alex", "Robin"],
            "timestamp": [datetime(2024, 3, 2, tzinfo=UTC)] * 3,
            "giver": ["me", "them", "them"],
            "dimension": ["favours_money", None, "practical_help"],
            "weight": [2.0, None, None],
            "energy": [None, -1, 2],
        }
    )
    events = ledger(exchanges(chat_with_acts(ROWS)), journal)
    mine = events.filter(pl.col("source") == "journal")
    assert mine.filter(pl.col("person") == "Alex")["relationship_id"].to_list() == [1]
    robin = mine.filter(pl.col("person") == "Robin")
    assert robin["relationship_id"].null_count() == robin.height
    # Energy afterwards is not given by anyone: it makes no event, and the energy-only
    # entry none at all (issue 19: "+2 uplifted" read as "Jordan gave 1, your share 0 %").
    assert _totals(mine.filter(pl.col("person") == "Alex")) == {("favours_money", "me"): 2.0}
    assert _totals(robin) == {("practical_help", "them"): 1.0}
    assert "energy" not in events["dimension"].to_list()


def test_a_coded_ledger_is_the_same_events(chat_with_acts):  # type: ignore[no-untyped-def]
    journal = pl.DataFrame(
        {
            "person": ["alex", "Robin"],
            "timestamp": [datetime(2024, 3, 2, tzinfo=UTC)] * 2,
            "giver": ["me", "them"],
            "dimension": ["favours_money", "practical_help"],
        }
    )
    paired = exchanges(chat_with_acts(ROWS))
    plain = ledger(paired, journal)
    coded = ledger(paired, journal, coded=True)
    assert coded.schema["dimension"] != pl.String  # held as categories ...
    assert decoded(coded).equals(plain)  # ... and the same events as text
    assert decoded(plain) is plain
    # Balance sums either the same way.
    assert balance(coded).equals(balance(plain))


def test_events_are_in_order_and_ties_keep_the_order_they_were_made_in(chat_with_acts):  # type: ignore[no-untyped-def]
    # Two entries at one time in one dimension (a tie), one about someone with no chat.
    journal = pl.DataFrame(
        {
            "person": ["Robin", "alex", "Alex", "alex"],
            "timestamp": [datetime(2024, 3, 1, 18, 5, tzinfo=UTC)] * 4,
            "giver": ["them", "me", "them", "me"],
            "dimension": ["practical_help", "favours_money", "favours_money", "attention"],
            "weight": [1.0, 2.0, 3.0, None],
        }
    )
    paired = exchanges(chat_with_acts(ROWS))
    made = pl.concat(
        [
            message_events(paired),
            journal_events(journal, paired.lazy().select("relationship_id", "person").unique()),
        ]
    ).collect()
    expected = made.sort(
        "relationship_id", "timestamp", "dimension", nulls_last=True, maintain_order=True
    )
    events = ledger(paired, journal)
    assert events.equals(expected)
    assert events["relationship_id"][-1] is None  # Robin's entry comes last
    tie = events.filter(pl.col("dimension") == "favours_money")["weight"].to_list()
    assert tie == [2.0, 3.0]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("giver", "us", "giver"),
        ("dimension", "vibes", "dimension"),
        ("energy", 3, "energy"),
    ],
)
def test_bad_journal_entries_are_named(chat_with_acts, column, value, message):  # type: ignore[no-untyped-def]
    entry = {
        "person": ["Alex"],
        "timestamp": [datetime(2024, 3, 2, tzinfo=UTC)],
        "giver": ["me"],
        "dimension": ["attention"],
        "energy": [0],
    }
    entry[column] = [value]
    with pytest.raises(ValueError, match=f"journal entry 1: {message}"):
        ledger(exchanges(chat_with_acts(ROWS)), pl.DataFrame(entry))


def test_journal_events_keep_the_journal_order() -> None:
    # Ties in the ledger keep the order the events were made in, so the journal's events
    # must come in its order, however the join with the people goes.
    names = ["Alex", "Robin", "alex", "Sam", "Kim"]
    journal = pl.DataFrame(
        {
            "person": [names[i % len(names)] for i in range(300)],
            "timestamp": [datetime(2024, 3, 2, tzinfo=UTC)] * 300,
            "giver": ["me"] * 300,
            "dimension": ["favours_money"] * 300,
            "weight": [float(i) for i in range(300)],
        }
    )
    people = pl.LazyFrame(
        {"relationship_id": [1, 2, 3], "person": ["Alex", "Sam", "Kim"]},
        schema={"relationship_id": pl.Int64, "person": pl.String},
    )
    for _ in range(5):
        events = journal_events(journal, people).collect()
        assert events["weight"].to_list() == journal["weight"].to_list()


@pytest.mark.parametrize("micros", [15, 29, 1_000_015, 3_600_000_029])
def test_an_answerer_s_event_is_at_the_answer_s_time(chat_with_acts, micros):  # type: ignore[no-untyped-def]
    # The latency is whole microseconds times 1e-6; scaled back and truncated, 15 us
    # would come out as 14 and the event a microsecond before the answer.
    minutes = micros / 60_000_000
    rows = [
        ("Alex", "them", 0, "can you lend me a hand?", "request", 0),
        ("Alex", "me", minutes, "sure", "accept", 0),
    ]
    frame = chat_with_acts(rows)
    events = ledger(exchanges(frame)).filter(pl.col("dimension") == "practical_help")
    assert events["timestamp"].to_list() == [frame["timestamp"][1]]
