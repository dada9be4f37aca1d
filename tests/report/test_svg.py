"""Inline SVG charts: positions follow the numbers, labels are escaped."""

from __future__ import annotations

import itertools
import re

import pytest

from reciprocity.report.svg import balance_chart, energy_chart, monthly_chart


def _row(dimension: str, share: float, low: float, high: float) -> dict[str, object]:
    return {
        "dimension": dimension,
        "events_me": 3,
        "events_them": 1,
        "share": share,
        "low": low,
        "high": high,
    }


def test_balance_dot_moves_with_the_share() -> None:
    low = balance_chart([_row("attention", 0.2, 0.1, 0.3)], "t")
    high = balance_chart([_row("attention", 0.8, 0.7, 0.9)], "t")
    x_low = float(re.search(r'<circle cx="([\d.]+)"', low).group(1))  # type: ignore[union-attr]
    x_high = float(re.search(r'<circle cx="([\d.]+)"', high).group(1))  # type: ignore[union-attr]
    assert x_low < x_high


def test_rows_without_events_are_left_out_and_labels_escaped() -> None:
    empty = {**_row("nothing", 0.5, 0.1, 0.9), "events_me": 0, "events_them": 0}
    svg = balance_chart([empty, _row("<b>x</b>", 0.5, 0.4, 0.6)], '<script>"')
    assert "nothing" not in svg
    assert "&lt;b&gt;x&lt;/b&gt;" in svg
    assert "<script>" not in svg
    assert svg.count("<circle") == 1


def test_monthly_bars_scale_to_the_busiest_month() -> None:
    months = [
        {"label": "2024-01", "starts_me": 10, "starts_them": 5},
        {"label": "2024-02", "starts_me": 0, "starts_them": 0},
    ]
    svg = monthly_chart(months, "starts")
    heights = [float(h) for h in re.findall(r'height="([\d.]+)"', svg)]
    assert max(heights) == 154.0  # the tallest bar fills the plot
    assert heights.count(0.0) == 2
    assert "2024-02" in svg


def _points(*values: int) -> list[dict[str, object]]:
    return [{"date": f"2024-03-{i + 1:02d}", "energy": v} for i, v in enumerate(values)]


def test_energy_dots_sit_higher_for_uplifted() -> None:
    svg = energy_chart(_points(-2, 0, 2), "t")
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert len(ys) == 3
    assert ys[0] > ys[1] > ys[2]  # SVG y grows downwards
    assert "<polyline" in svg
    assert "2024-03-01" in svg
    assert "2024-03-03" in svg


def test_energy_chart_escapes_and_handles_nothing_and_one_point() -> None:
    empty = energy_chart([], '<script>"</script>')
    assert "<script>" not in empty
    assert "Nothing logged yet." in empty
    one = energy_chart([{"date": "<b>", "energy": 1}], "t")
    assert one.count("<circle") == 1
    assert "<polyline" not in one
    assert "&lt;b&gt;" in one


def test_charts_are_drawn_for_a_phone_column() -> None:
    """A 390 px phone leaves a column of about 358 px: a chart drawn wider scales its
    12-unit labels below 12 px (580 wide, they were 7.7 px)."""
    rows = [_row("being there in hard times", 0.5, 0.4, 0.6)]
    months = [{"label": f"2024-{m:02d}", "starts_me": m, "starts_them": 1} for m in range(1, 13)]
    charts = (balance_chart(rows, "t"), monthly_chart(months, "t"), energy_chart(_points(1), "t"))
    for svg in charts:
        width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
        assert width <= 358


def test_month_labels_are_thinned_so_they_never_touch() -> None:
    months = [{"label": f"2024-{m:02d}", "starts_me": 1, "starts_them": 1} for m in range(1, 25)]
    svg = monthly_chart(months, "t")
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="188"', svg)]
    assert 2 <= len(xs) < 24
    assert min(b - a for a, b in itertools.pairwise(xs)) >= 7.5 * len("2024-01")


@pytest.mark.parametrize("count", [13, 24, 37, 60, 153, 400])
def test_month_labels_never_overlap_whichever_way_they_run(count: int) -> None:
    # The first label runs right from its month and one at the right edge runs left, so
    # they need more room than the labels centred on theirs.
    months = [
        {"label": f"{2000 + m // 12}-{m % 12 + 1:02d}", "starts_me": 1, "starts_them": 1}
        for m in range(count)
    ]
    svg = monthly_chart(months, "t")
    width = 7.5 * len("2024-01")
    spans = []
    for x, anchor in re.findall(r'<text x="([\d.]+)" y="188" text-anchor="(\w+)"', svg):
        left = float(x) - {"start": 0, "middle": width / 2, "end": width}[anchor]
        spans.append((left, left + width))
    assert len(spans) >= 2
    assert all(b[0] >= a[1] for a, b in itertools.pairwise(spans))
