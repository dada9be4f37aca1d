"""Turn library results into Rich renderables and plain JSON. No figure is computed here.

The ``analyze`` tables are in :mod:`.balance_view`; durations are written by
:func:`reciprocity.metrics.record.say_duration` on every surface."""

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

from reciprocity import words


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


def people_table(people: Sequence[Mapping[str, Any]], me: str | None) -> Table:
    """The `people` listing: name, what they are to the user, apps, messages sent."""
    table = Table(title="People", caption=f"You are {me}." if me else None)
    table.add_column("Person", style="bold")
    table.add_column("Kind")
    table.add_column("Apps")
    table.add_column("Messages sent (all chats)", justify="right")
    for person in people:
        table.add_row(
            Text(str(person["person"])),
            words.relationship_kind(person["kind"] or "unknown"),
            ", ".join(words.choice(words.app(p)) for p in person["platforms"] or []),
            words.number(person["messages"]),
        )
    return table
