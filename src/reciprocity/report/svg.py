"""Charts as inline SVG, drawn on the server: they work offline, print, and need no script.

Each chart is a :class:`markupsafe.Markup` string with ``role="img"`` and a ``<title>``; the
templates put a table with the same numbers next to it (the text equivalent). Every label
passes through :func:`markupsafe.escape`, because person names come from imported files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from reciprocity.metrics.balance import MOSTLY

__all__ = ["balance_chart", "monthly_chart"]

_WIDTH = 580
_LABEL = 150
_ROW = 26


def _x(share: float) -> float:
    return _LABEL + share * (_WIDTH - _LABEL - 20)


def balance_chart(rows: Sequence[dict[str, Any]], title: str) -> Markup:
    """Your give share per dimension: a dot at the share and a bar over its interval.

    The band between 1 - MOSTLY and MOSTLY marks "balanced"; rows without events are left
    out. ``rows`` are :class:`~reciprocity.report.data.RelationshipView` balance rows.
    """
    shown = [r for r in rows if r["events_me"] + r["events_them"] > 0]
    height = 30 + _ROW * max(len(shown), 1) + 24
    parts = [
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<rect x="{_x(1 - MOSTLY):.1f}" y="20" width="{_x(MOSTLY) - _x(1 - MOSTLY):.1f}" '
        f'height="{height - 44}" class="band"/>',
    ]
    for tick in (0.0, 0.5, 1.0):
        x = _x(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{height - 24}" class="grid"/>'
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" class="tick">'
            f"{tick:.0%}</text>"
        )
    for i, row in enumerate(shown):
        y = 34 + i * _ROW
        parts.append(f'<text x="4" y="{y + 4}" class="label">{escape(row["dimension"])}</text>')
        if row["low"] is not None and row["high"] is not None:
            parts.append(
                f'<line x1="{_x(row["low"]):.1f}" y1="{y}" x2="{_x(row["high"]):.1f}" '
                f'y2="{y}" class="interval"/>'
            )
        if row["share"] is not None:
            parts.append(f'<circle cx="{_x(row["share"]):.1f}" cy="{y}" r="5" class="share"/>')
    if not shown:
        parts.append('<text x="4" y="38" class="label">Nothing to show yet.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def monthly_chart(months: Sequence[dict[str, Any]], title: str, *, key: str = "starts") -> Markup:
    """Grouped bars per month: ``<key>_me`` (you) next to ``<key>_them`` (them)."""
    height, bottom, top = 200, 170, 16
    peak = max([1] + [max(m[f"{key}_me"], m[f"{key}_them"]) for m in months])
    slot = (_WIDTH - 40) / max(len(months), 1)
    bar = max(min(slot / 3, 28), 2)
    parts = [
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="30" y1="{bottom}" x2="{_WIDTH}" y2="{bottom}" class="grid"/>',
        f'<text x="2" y="{top + 4}" class="tick">{peak}</text>',
    ]
    for i, month in enumerate(months):
        left = 36 + i * slot
        for j, side in enumerate(("me", "them")):
            value = month[f"{key}_{side}"]
            h = (bottom - top) * value / peak
            parts.append(
                f'<rect x="{left + j * bar:.1f}" y="{bottom - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" class="bar-{side}"/>'
            )
        parts.append(
            f'<text x="{left + bar:.1f}" y="{bottom + 16}" text-anchor="middle" class="tick">'
            f"{escape(month['label'])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
