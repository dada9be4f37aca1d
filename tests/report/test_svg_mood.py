"""The "who lifts, who drains" chart: bars from zero, counts, too few entries, escaping."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reciprocity.report.svg import energy_chart, mood_chart


@dataclass
class _Trend:
    person: str
    mean: float
    entries: int
    enough: bool


def test_bars_go_left_for_draining_and_right_for_lifting() -> None:
    svg = mood_chart([_Trend("Jo", 2.0, 4, True), _Trend("Ri", -1.0, 3, True)], "t")
    lift = re.search(
        r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="12" class="bar-lift"', svg
    )
    drain = re.search(
        r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="12" class="bar-drain"', svg
    )
    assert lift
    assert drain
    # The zero line sits where the lifting bar starts and the draining bar ends; +2 is
    # twice as long as -1.
    zero = float(lift[1])
    assert abs(float(drain[1]) + float(drain[2]) - zero) < 0.2
    assert abs(float(lift[2]) - 2 * float(drain[2])) < 0.2
    assert "Jo (4 entries)" in svg
    assert "+2.0" in svg
    assert "-1.0" in svg


def test_too_few_entries_get_words_not_a_bar_and_names_are_escaped() -> None:
    svg = mood_chart([_Trend('<script>"', 2.0, 1, False)], "<b>")
    assert "too few entries" in svg
    assert "<rect" not in svg
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<title>&lt;b&gt;</title>" in svg
    assert "Nothing logged yet." in mood_chart([], "t")


def test_the_energy_chart_draws_the_running_mean_when_given() -> None:
    points = [{"date": f"2024-03-0{i}", "energy": v, "trend": t}
              for i, (v, t) in enumerate(((2, 2.0), (-2, 0.0), (0, 0.0)), start=1)]  # fmt: skip
    assert energy_chart(points, "t").count('class="energy-trend"') == 1
    bare = [{"date": p["date"], "energy": p["energy"]} for p in points]
    assert 'class="energy-trend"' not in energy_chart(bare, "t")
