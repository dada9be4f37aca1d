"""Energy afterwards as a trend of its own: means, the latest entries, months, readings."""

from __future__ import annotations

from datetime import date

import pytest

from reciprocity import store
from reciprocity.journal import add_entry, energy_frame, energy_trends, entries_frame
from reciprocity.journal.energy import MIN_ENTRIES, RECENT


def test_trend_per_person_with_counts_recent_mean_and_months(db: store.Database) -> None:
    values = [2, 2, 1, 0, -1, -2, -2]
    for day, value in enumerate(values, start=1):
        add_entry(db, "Alex", energy=value, when=date(2024, 3 if day < 5 else 4, day))
    add_entry(db, "alex", giver="me", dimension="listening", when=date(2024, 4, 20))  # no energy
    add_entry(db, "Jordan", energy=2, when=date(2024, 4, 2))
    trends = energy_trends(entries_frame(db))
    alex = trends["alex"]
    assert alex.entries == len(values)
    assert alex.mean == pytest.approx(sum(values) / len(values))
    assert alex.recent_entries == RECENT
    assert alex.recent_mean == pytest.approx(sum(values[-RECENT:]) / RECENT)
    assert [(m.month, m.entries) for m in alex.months] == [("2024-03", 4), ("2024-04", 3)]
    assert alex.months[0].mean == pytest.approx(1.25)
    # The running mean of each point reads the latest RECENT entries up to it.
    assert alex.points[-1].trend == pytest.approx(alex.recent_mean)
    assert alex.points[0].trend == 2
    assert "0.0 on average over 7 entries" in alex.text
    assert "-0.8 over the latest 5" in alex.text
    # One entry is no reading, and says so with the count.
    jordan = trends["jordan"]
    assert (jordan.enough, jordan.reading) == (False, "too few entries")
    assert "1 entry" in jordan.text
    assert f"needs {MIN_ENTRIES}" in jordan.text


def test_readings_and_the_frame_order(db: store.Database) -> None:
    for day in (1, 8, 15):
        add_entry(db, "Riley", energy=-2, when=date(2024, 5, day))
        add_entry(db, "Jordan", energy=1, when=date(2024, 5, day))
    add_entry(db, "Bea", energy=2)
    frame = energy_frame(entries_frame(db))
    assert frame["person"].to_list() == ["Jordan", "Riley", "Bea"]
    assert frame["reading"].to_list() == ["lifts you", "drains you", "too few entries"]
    assert frame["entries"].to_list() == [3, 3, 1]


def test_entries_of_one_day_are_no_reading(db: store.Database) -> None:
    # Three entries about one evening are one evening.
    for _ in range(MIN_ENTRIES):
        add_entry(db, "Riley", energy=-2, when=date(2024, 5, 1))
    riley = energy_trends(entries_frame(db))["riley"]
    assert (riley.enough, riley.reading) == (False, "too few entries")
    assert "different days" in riley.text
