"""Check-ins stored over time, and set next to the data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from reciprocity import store
from reciprocity.guide.assess import assessments_frame, compare, save_assessment
from reciprocity.guide.questionnaire import available
from reciprocity.journal import JournalError
from reciprocity.metrics.balance import with_interval
from reciprocity.metrics.record import Outcome, Pair, Reading
from reciprocity.metrics.record import RelationshipRecord as Record

ANSWERS = {"giving": 3, "energy": 2, "heard": 4, "support": 4}


def test_saved_over_time(db: store.Database) -> None:
    checkin = available()["checkin"]
    save_assessment(db, "Alex", checkin, ANSWERS, when=date(2024, 1, 1))
    save_assessment(db, "Alex", checkin, {**ANSWERS, "heard": 1}, when=date(2024, 2, 1))
    frame = assessments_frame(db, "alex")
    assert frame["score"].to_list() == pytest.approx([10 / 3, 7 / 3])
    assert frame["date"].dt.month().to_list() == [1, 2]
    with pytest.raises(JournalError, match="no answer"):
        save_assessment(db, "Alex", checkin, {"giving": 3})


def record(given: float, received: float, asked: Pair, distress: dict[str, int]) -> Record:
    """Alex's record with one attention reading, the questions (mine, theirs) and the
    outcomes of the hard times I shared."""
    frame = with_interval(pl.DataFrame({"given": [given], "received": [received]}))
    row = frame.row(0, named=True)
    reading = Reading("attention", "all", int(given), int(received), given, received,
                      row["estimate"], row["low"], row["high"], row["verdict"], None)  # fmt: skip
    none = Pair(0, 0)
    return Record(
        relationship_id=1, person="Alex", messages=Pair(30, 20), words=none, turns=none,
        calls=none, initiations=none, questions=asked, reply_rate=Pair(None, None),
        reply_median_s=Pair(None, None), reply_pace_s=None, conversations=1,
        first_message=None, last_message=None, readings=(reading,),
        outcomes=tuple(Outcome("me", "distress", k, n) for k, n in distress.items()),
    )  # fmt: skip


def test_compare_agrees_and_differs() -> None:
    # The data: I give 90%, the journal averages -1.5, they asked 1 question of 11.
    alex = record(18.0, 2.0, Pair(10, 1), {})
    felt = pl.DataFrame({"person": ["alex"], "mean": [-1.5]})
    found = {c.item: c for c in compare(ANSWERS, "Alex", alex, felt)}
    assert found["giving"].agree is False  # "about even" vs mostly mine
    pooled = alex.pooled()
    assert pooled is not None
    assert pooled.estimate is not None
    assert f"{pooled.estimate:.0%}" in found["giving"].data_says
    assert found["energy"].agree is True  # said -1, the journal averages -1.5
    uplifted = {c.item: c for c in compare({"energy": 5}, "Alex", alex, felt)}
    unlogged = {c.item: c for c in compare({"energy": 5}, "Alex", alex)}
    assert unlogged["energy"].agree is None
    assert uplifted["energy"].agree is False  # said +2
    assert found["heard"].agree is False  # said 4 of 5, they asked 1 of 11
    assert "1 of the 11" in found["heard"].data_says
    assert found["support"].agree is None  # no hard times shared


def test_compare_says_too_little_rather_than_a_figure() -> None:
    """Three events either way: the interval cannot tell, so no share is quoted."""
    thin = record(2.0, 1.0, Pair(1, 1), {"supported": 1})
    found = {c.item: c for c in compare(ANSWERS, "Alex", thin)}
    assert found["giving"].agree is None
    assert "too little to go on" in found["giving"].data_says
    assert "%" not in found["giving"].data_says
    assert found["heard"].agree is None
    assert found["support"].agree is None
    unknown = {c.item: c for c in compare(ANSWERS, "Nobody", None)}
    assert all(c.agree is None for c in unknown.values())


def test_compare_support_reads_the_record_outcomes() -> None:
    alex = record(5.0, 5.0, Pair(0, 0), {"supported": 1, "not_supported": 3})
    found = {c.item: c for c in compare({"support": 4}, "Alex", alex)}
    assert found["support"].agree is False
    assert "1 of the 4 times" in found["support"].data_says


def test_the_pooled_reading_adds_every_dimension_of_the_window() -> None:
    alex = record(18.0, 2.0, Pair(0, 0), {})
    two = replace(alex, readings=(*alex.readings, replace(alex.readings[0], dimension="listening")))
    pooled = two.pooled()
    assert pooled is not None
    assert (pooled.given, pooled.received, pooled.events) == (36.0, 4.0, 40)
    assert pooled.low is not None
    assert pooled.high is not None
    assert pooled.low < 0.9 < pooled.high
    assert two.pooled("last_90_days") is None
