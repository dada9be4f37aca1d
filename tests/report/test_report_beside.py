"""The report beside the balance: energy trend and mood chart, money owed, last heard from
and the quiet list, all from the same records the other surfaces read; names escaped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from reciprocity import journal, store
from reciprocity.report import gather, render_report


def test_report_shows_moods_money_and_who_went_quiet(
    hostile_db: store.Database, tmp_path: Path
) -> None:
    person = gather(hostile_db).relationships[0].person
    for day, value in ((5, -2), (9, -1), (12, -2)):
        journal.add_entry(hostile_db, person, energy=value, when=date(2024, 2, day))
    journal.add_entry(hostile_db, "Bea", energy=2, when=date(2024, 2, 10))
    journal.add_entry(hostile_db, person, giver="them", amount="12", currency="GBP",
                      when=date(2024, 2, 9))  # fmt: skip
    store.set_important(hostile_db, person)
    now = datetime(2024, 6, 1, tzinfo=UTC)
    data = gather(hostile_db, now=now)
    view = data.relationships[0]
    assert view.energy_trend is not None
    assert view.energy_trend.reading == "drains you"
    assert [b.owed for b in view.money] == [-1200]
    assert view.heard is not None
    assert view.heard.now == now
    html = render_report(data)
    # One mood chart across ties, with counts and "too few entries" for Bea's one entry.
    assert html.count('class="chart mood"') == 1
    assert "Bea (1 entry)" in html
    assert "too few entries" in html
    assert "(3 entries)" in html
    assert "Drains you: -1.7 on average over 3 entries." in html
    # Money, in words, in the summary and on the person's page.
    assert html.count("You owe ") == 2
    assert "£12.00 since February 2024" in html
    # Last heard from, and the important tie gone quiet, counted to the injected day.
    assert "last wrote to you" in html
    assert "Important people you have not heard from" in html
    assert "days now." in html
    # The hostile name is text everywhere, the chart included.
    assert "<img src=x" not in html
    assert "<script" not in html
