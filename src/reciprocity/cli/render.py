"""Turn library results into Rich renderables and plain JSON. No figure is computed here."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
from rich.table import Table
from rich.text import Text


def plain(value: Any) -> Any:
    """A library result as plain JSON data: a frame becomes a list of rows, a dataclass an
    object, a time ISO 8601 text, a missing number ``null``. Nothing is computed.

    >>> plain({"when": date(2024, 5, 1), "share": float("nan")})
    {'when': '2024-05-01', 'share': None}
    """
    if isinstance(value, pl.DataFrame):
        return [plain(row) for row in value.to_dicts()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_text(value: Any) -> str:
    """``value`` (see :func:`plain`) as indented JSON text, letters kept as they are."""
    return json.dumps(plain(value), indent=2, ensure_ascii=False) + "\n"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with ``noun`` in the right number.

    >>> count(1, "conversation"), count(3, "person", "people")
    ('1 conversation', '3 people')
    """
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def duration(seconds: float | None) -> str:
    """A short human duration: ``42s``, ``7m``, ``2h 05m``, ``3d 4h``; ``–`` when unknown.

    >>> duration(7325)
    '2h 02m'
    """
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "–"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        hours, minutes = divmod(s // 60, 60)
        return f"{hours}h" if minutes == 0 else f"{hours}h {minutes:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"


def _pair(values: Mapping[str, Any], fmt: str = "{}") -> str:
    shown = ["–" if values.get(k) is None else fmt.format(values.get(k)) for k in ("me", "them")]
    return " / ".join(shown)


def _share(values: Mapping[str, Any]) -> str:
    me, them = values.get("me") or 0, values.get("them") or 0
    total = me + them
    return "" if total == 0 else f" ({100 * me / total:.0f}% you)"


def figures_table(relationships: Sequence[Mapping[str, Any]], silence_label: str) -> Table:
    """The `analyze` table: one row per relationship, every cell "you / them"."""
    table = Table(
        title="Give and take, per relationship",
        caption=(
            "Each cell reads  you / them  (who did it). A conversation starts after "
            f"{silence_label} of silence; a reply is the other side's next turn in it."
        ),
        show_lines=True,
    )
    table.add_column("Person", style="bold")
    table.add_column("Messages")
    table.add_column("Words")
    table.add_column("Started conversations")
    table.add_column("Reply rate")
    table.add_column("Median reply time")
    table.add_column("Questions asked")
    for rel in relationships:
        table.add_row(
            Text(str(rel["person"])),  # Text(): names from exports are never markup
            _pair(rel["messages"]) + _share(rel["messages"]),
            _pair(rel["words"]),
            _pair(rel["initiations"]) + _share(rel["initiations"]),
            _pair(
                {k: None if v is None else round(100 * v) for k, v in rel["reply_rate"].items()},
                "{}%",
            ),
            " / ".join(duration(rel["reply_latency_median_s"][k]) for k in ("me", "them")),
            _pair(rel["questions"]) + _share(rel["questions"]),
        )
    return table


def people_table(people: Sequence[Mapping[str, Any]], me: str | None) -> Table:
    """The `people` listing: name, what they are to the user, platforms, messages sent."""
    table = Table(title="People", caption=f"You are {me}." if me else None)
    table.add_column("Person", style="bold")
    table.add_column("Kind")
    table.add_column("Platforms")
    table.add_column("Messages sent", justify="right")
    for person in people:
        table.add_row(
            Text(str(person["person"])),
            str(person["kind"] or "unknown"),
            ", ".join(person["platforms"] or []),
            f"{person['messages']:,}",
        )
    return table
