"""Turn library results into Rich renderables. No figure is computed here.

The ``analyze`` tables are in :mod:`.balance_view`; durations are written by
:func:`reciprocity.metrics.record.say_duration` on every surface."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text


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
