"""Last heard from: each side's latest message and conversation start, the usual gap, and
important ties gone quiet, counted to an injected "now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from reciprocity.metrics.contact import gone_quiet, last_heard, last_heard_frame

START = datetime(2024, 3, 1, 9, tzinfo=UTC)


def _chat(rows: list[tuple[int, str, float, bool]]) -> pl.DataFrame:
    """(relationship_id, person, day offset, from me) as the exchanges' columns."""
    return pl.DataFrame(
        {
            "relationship_id": [r[0] for r in rows],
            "person": [r[1] for r in rows],
            "timestamp": [START + timedelta(days=r[2]) for r in rows],
            "from_me": [r[3] for r in rows],
        },
        schema={
            "relationship_id": pl.Int64,
            "person": pl.String,
            "timestamp": pl.Datetime("us", "UTC"),
            "from_me": pl.Boolean,
        },
    )


def test_who_last_reached_out_and_the_usual_gap() -> None:
    # Alex: a conversation every 4 days, alternating who starts; each answered an hour on.
    rows = []
    for i, day in enumerate(range(0, 20, 4)):
        rows += [(1, "Alex", day, i % 2 == 0), (1, "Alex", day + 1 / 24, i % 2 == 1)]
    now = START + timedelta(days=16 + 23)
    heard = last_heard(_chat(rows), now=now, important=["alex"])["alex"]
    assert heard.last_started_by_me == START + timedelta(days=16)
    assert heard.last_started_by_them == START + timedelta(days=12)
    assert heard.last_from_them == START + timedelta(days=16, hours=1)
    assert heard.last_from_me == START + timedelta(days=16)
    assert heard.usual_gap_days == 4
    assert heard.quiet_days == 23
    assert heard.nudge == "usually every 4 days; 23 days now"
    assert heard.gone_quiet
    lines = heard.lines()
    assert lines[0] == "Alex last wrote to you 23 days ago (2024-03-17)"
    assert lines[2] == "Alex last started a conversation 27 days ago (2024-03-13)"
    # Five days on, it is not yet quiet: twice the usual gap is eight days.
    soon = last_heard(_chat(rows), now=START + timedelta(days=21), important=["Alex"])
    assert not soon["alex"].gone_quiet
    assert gone_quiet(soon) == []


def test_only_important_ties_are_nudged_and_the_journal_counts_as_contact() -> None:
    rows = [(1, "Alex", d, True) for d in range(0, 20, 4)]
    rows += [(2, "Jordan", d, False) for d in range(0, 20, 4)]
    entries = pl.DataFrame(
        {"person": ["alex"], "timestamp": [START + timedelta(days=40)]},
        schema={"person": pl.String, "timestamp": pl.Datetime("us", "UTC")},
    )
    now = START + timedelta(days=45)
    heard = last_heard(_chat(rows), entries, now=now, important=["Alex", "Jordan"])
    # Seeing Alex (logged in the journal) five days ago is contact; Jordan is quiet.
    assert heard["alex"].quiet_days == 5
    assert heard["alex"].last_from_me == START + timedelta(days=16)
    assert [h.person for h in gone_quiet(heard)] == ["Jordan"]
    unmarked = last_heard(_chat(rows), entries, now=now)
    assert gone_quiet(unmarked) == []
    frame = last_heard_frame(heard)
    assert frame["person"].to_list() == ["Jordan", "Alex"]
    assert frame["gone_quiet"].to_list() == [True, False]


def test_without_a_usual_gap_a_month_of_silence_is_quiet() -> None:
    rows = [(1, "Bea", 0, False)]
    heard = last_heard(_chat(rows), now=START + timedelta(days=31), important=["bea"])["bea"]
    assert heard.usual_gap_days is None
    assert heard.last_from_me is None
    assert "never" in heard.lines()[1]
    assert heard.gone_quiet
    assert heard.nudge.startswith("too few contacts yet")
