"""Charts as inline SVG, drawn on the server: they work offline, print, and need no script.

Each chart is a :class:`markupsafe.Markup` string with ``role="img"`` and a ``<title>``; the
templates put a table with the same numbers next to it (the text equivalent). Every label
passes through :func:`markupsafe.escape`, because person names come from imported files.

The charts are drawn :data:`WIDTH` units wide, about a phone's reading column, because an SVG
scales its text with it: drawn 580 wide and shown 374 px wide on a 390 px phone, 12-unit
labels were 7.7 px. At :data:`WIDTH` they are at least 12 px on a phone, and the stylesheet
caps a chart's width (28rem) so they stay near body size on a desktop and on paper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from reciprocity.metrics.balance import MOSTLY

__all__ = ["WIDTH", "balance_chart", "energy_chart", "monthly_chart", "mood_chart"]

WIDTH = 340
"""Width of every chart, in SVG units (see the module docstring)."""
_WIDTH = WIDTH
_LEFT = 14
_ROW = 38  # a label line above each bar
_TICK_CHARS = 7.5  # width of one label character at 12 units, with room to spare


def _x(share: float) -> float:
    return _LEFT + share * (_WIDTH - 2 * _LEFT)


def balance_chart(rows: Sequence[dict[str, Any]], title: str) -> Markup:
    """Your give share per dimension: a dot at the estimate and a bar over its interval.

    The band between 1 - MOSTLY and MOSTLY marks "balanced"; rows without events are left
    out. ``rows`` are :class:`~reciprocity.report.data.RelationshipView` balance rows.
    """
    shown = [r for r in rows if r["events_me"] + r["events_them"] > 0]
    top = 6
    bottom = top + _ROW * max(len(shown), 1)
    height = bottom + 20
    parts = [
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<rect x="{_x(1 - MOSTLY):.1f}" y="{top}" width="{_x(MOSTLY) - _x(1 - MOSTLY):.1f}" '
        f'height="{bottom - top}" class="band"/>',
    ]
    for tick, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "end")):
        x = _x(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" class="grid"/>'
            f'<text x="{x:.1f}" y="{height - 4}" text-anchor="{anchor}" class="tick">'
            f"{tick:.0%}</text>"
        )
    for i, row in enumerate(shown):
        y = top + i * _ROW + 28  # the bar; its label sits on the line above
        parts.append(
            f'<text x="{_LEFT + 4}" y="{y - 10}" class="label">{escape(row["dimension"])}</text>'
        )
        if row["low"] is not None and row["high"] is not None:
            parts.append(
                f'<line x1="{_x(row["low"]):.1f}" y1="{y}" x2="{_x(row["high"]):.1f}" '
                f'y2="{y}" class="interval"/>'
            )
        # The dot is the estimate the bar belongs to (the posterior mean): never outside it.
        point = row.get("estimate", row["share"])
        if point is not None:
            parts.append(f'<circle cx="{_x(point):.1f}" cy="{y}" r="5" class="share"/>')
    if not shown:
        parts.append(f'<text x="{_LEFT}" y="{top + 24}" class="label">Nothing to show yet.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def monthly_chart(months: Sequence[dict[str, Any]], title: str, *, key: str = "starts") -> Markup:
    """Grouped bars per month: ``<key>_me`` (you) next to ``<key>_them`` (them)."""
    height, bottom, top = 200, 170, 16
    peak = max([1] + [max(m[f"{key}_me"], m[f"{key}_them"]) for m in months])
    left = 10 + _TICK_CHARS * len(str(peak))
    slot = (_WIDTH - left - 4) / max(len(months), 1)
    bar = max(min(slot / 3, 28), 2)
    # Month labels that would touch are thinned: every ``step``-th one, the first always;
    # and one that would still touch the label before it is left out (the first label
    # runs right from its month, one at the right edge runs left: they take more room).
    widest = _TICK_CHARS * max([1] + [len(m["label"]) for m in months]) + 8
    step = max(1, math.ceil(widest / slot))
    labelled_to = -math.inf
    parts = [
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left - 4:.1f}" y1="{bottom}" x2="{_WIDTH}" y2="{bottom}" class="grid"/>',
        f'<text x="2" y="{top + 4}" class="tick">{peak}</text>',
    ]
    for i, month in enumerate(months):
        x = left + i * slot
        for j, side in enumerate(("me", "them")):
            value = month[f"{key}_{side}"]
            h = (bottom - top) * value / peak
            parts.append(
                f'<rect x="{x + j * bar:.1f}" y="{bottom - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" class="bar-{side}"/>'
            )
        if i % step == 0:
            anchor = "start" if i == 0 else "end" if x + bar + 30 > _WIDTH else "middle"
            at = x if anchor == "start" else min(x + bar, _WIDTH - 1)
            width = _TICK_CHARS * len(month["label"])
            starts = {"start": at, "middle": at - width / 2, "end": at - width}[anchor]
            if starts < labelled_to + 8:
                continue
            labelled_to = starts + width
            parts.append(
                f'<text x="{at:.1f}" y="{bottom + 18}" text-anchor="{anchor}" class="tick">'
                f"{escape(month['label'])}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def energy_chart(points: Sequence[dict[str, Any]], title: str) -> Markup:
    """Energy afterwards (-2 drained ... +2 uplifted) per journal entry, oldest first.

    ``points`` have ``date`` (text) and ``energy``, and may have ``trend`` (the mean of the
    latest few entries, drawn as a second, thicker line); entries are evenly spaced, in
    order, so a busy week and a quiet month read alike. The zero line is marked.
    """
    height, top, step = 170, 16, 32  # one energy point is ``step`` pixels high
    zero = top + 2 * step

    def y(value: float) -> float:
        return zero - value * step

    left, right = 40, _WIDTH - 12
    gap = (right - left) / max(len(points) - 1, 1)
    xs = [left + i * gap if len(points) > 1 else (left + right) / 2 for i in range(len(points))]
    parts = [
        f'<svg class="chart energy" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
    ]
    for value, name in ((2, "+2 uplifted"), (0, "0"), (-2, "-2 drained")):
        parts.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{right}" y2="{y(value):.1f}" '
            f'class="{"zero" if value == 0 else "grid"}"/>'
            f'<text x="{left - 10}" y="{y(value) + 4:.1f}" text-anchor="end" class="tick">'
            f"{name.split()[0]}</text>"
        )
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y(p['energy']):.1f}" for x, p in zip(xs, points, strict=True))
        parts.append(f'<polyline points="{path}" class="energy-line"/>')
        if all(p.get("trend") is not None for p in points):
            trend = " ".join(
                f"{x:.1f},{y(p['trend']):.1f}" for x, p in zip(xs, points, strict=True)
            )
            parts.append(f'<polyline points="{trend}" class="energy-trend"/>')
    for x, point in zip(xs, points, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y(point["energy"]):.1f}" r="5" class="share"/>')
    if points:
        # First and last day under the line, kept inside the chart at either edge.
        ends = [(xs[0], points[0], "start" if len(points) > 1 else "middle")]
        if len(points) > 1:
            ends.append((xs[-1], points[-1], "end"))
        for x, point, anchor in ends:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 4}" text-anchor="{anchor}" class="tick">'
                f"{escape(point['date'])}</text>"
            )
    else:
        parts.append(
            f'<text x="{left + 8}" y="{zero - 8}" class="label">Nothing logged yet.</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def mood_chart(rows: Sequence[Any], title: str) -> Markup:
    """Who lifts you and who drains you, across ties: one bar per person from 0 to their
    mean energy afterwards (-2 ... +2), labelled with the number of entries.

    ``rows`` are :class:`~reciprocity.journal.EnergyTrend` records (``person``, ``mean``,
    ``entries``, ``enough``), in the order to draw; a person with too few entries for a
    reading gets no bar, only the words "too few entries".
    """
    label, right = _LEFT, _WIDTH - 44
    middle = (label + right) / 2
    unit = (right - label) / 4  # one energy point
    top = 8
    height = top + _ROW * max(len(rows), 1) + 24
    parts = [
        f'<svg class="chart mood" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
    ]
    for value, name in ((-2, "−2 drained"), (0, "0"), (2, "+2 uplifted")):
        x = middle + value * unit
        anchor = "start" if value < 0 else "end" if value > 0 else "middle"
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 24}" '
            f'class="{"zero" if value == 0 else "grid"}"/>'
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="{anchor}" class="tick">'
            f"{name}</text>"
        )
    for i, row in enumerate(rows):
        y = top + i * _ROW + 28  # the bar; its label sits on the line above
        count = f"{row.entries} {'entry' if row.entries == 1 else 'entries'}"
        name = escape(row.person)
        parts.append(f'<text x="{label + 4}" y="{y - 10}" class="label">{name} ({count})</text>')
        if not row.enough:
            parts.append(
                f'<text x="{middle + 8:.1f}" y="{y + 4}" class="tick">too few entries</text>'
            )
            continue
        end = middle + row.mean * unit
        side = "lift" if row.mean >= 0 else "drain"
        parts.append(
            f'<rect x="{min(middle, end):.1f}" y="{y - 6}" width="{abs(end - middle):.1f}" '
            f'height="12" class="bar-{side}"/>'
            f'<text x="{right + 6}" y="{y + 4}" class="tick">{row.mean:+.1f}</text>'
        )
    if not rows:
        parts.append('<text x="4" y="38" class="label">Nothing logged yet.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
