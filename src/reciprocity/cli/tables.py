"""Rich tables for the journal and expectation commands, made to fit an 80-column terminal.

Rich squeezes a table wider than the terminal by cutting cells with "…"; a date cut to
"2026-…" says nothing. Here short cells (ids, dates, kinds, numbers) never wrap and keep
their full width, and only the free text (what was given, notes, needs) wraps onto more
lines. No figure is computed: each cell is a library value put into words.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from rich import box
from rich.table import Table
from rich.text import Text

from reciprocity.journal import format_money

__all__ = ["checked_table", "expectations_table", "happened", "journal_table", "side"]


def _table(title: str | None = None) -> Table:
    """A table with light rules and one space between columns (narrow terminals)."""
    return Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, show_edge=False)


def _fixed(table: Table, header: str, justify: Any = "left") -> None:
    """A column that keeps its whole width: short values that mean nothing cut."""
    table.add_column(header, no_wrap=True, overflow="ignore", justify=justify)


def _free(table: Table, header: str, ratio: int = 1) -> None:
    """A column of free text that wraps onto more lines when space is short."""
    table.add_column(header, overflow="fold", ratio=ratio)


def side(giver: str | None) -> str:
    """``me`` / ``them`` as a person says it: ``you`` / ``they``."""
    return {"me": "you", "them": "they"}.get(giver or "", "someone")


def happened(r: dict[str, Any]) -> str:
    """What a journal entry (a row of ``reciprocity.journal.entries_frame``) records, in words.

    >>> happened({"kind": "interaction", "giver": "them", "dimension": "emotional_support"})
    'they gave emotional support'
    >>> happened({"kind": "money", "giver": "me", "amount_minor": 1250, "currency": "EUR",
    ...           "settled": False})
    'you paid or lent €12.50 (not paid back yet)'
    """
    kind, who = r["kind"], side(r.get("giver"))
    settled = r.get("settled")
    if kind == "money":
        back = "paid back" if settled else "not paid back yet"
        minor = r.get("amount_minor")
        amount = "" if minor is None else format_money(minor, r.get("currency"))
        return f"{who} paid or lent {amount} ({back})"
    if kind == "repayment":
        minor = r.get("amount_minor")
        amount = "" if minor is None else " " + format_money(minor, r.get("currency"))
        return f"{who} paid back{amount}"
    if kind == "favour":
        return f"{who} did a favour ({'returned' if settled else 'not returned yet'})"
    if kind == "task":
        return f"a task done by {'them' if r.get('giver') == 'them' else who}"
    if kind == "conflict":
        return f"a conflict ({'repaired' if settled else 'not repaired yet'})"
    dimension = r.get("dimension")
    return "" if dimension is None else f"{who} gave {dimension.replace('_', ' ')}"


def journal_table(frame: pl.DataFrame) -> Table:
    """The ``journal`` listing: one row per entry (``reciprocity.journal.ENTRIES_SCHEMA``)."""
    table = _table()
    _fixed(table, "Entry", "right")
    _fixed(table, "Date")
    _free(table, "Person")
    _free(table, "What happened", 3)
    _fixed(table, "Energy", "right")
    _free(table, "Note", 2)
    for r in frame.iter_rows(named=True):
        table.add_row(
            f"#{r['id']}",
            r["timestamp"].date().isoformat(),
            Text(r["person"]),
            happened(r),
            "" if r["energy"] is None else f"{r['energy']:+d}",
            Text(r["note"] or ""),
        )
    return table


def expectations_table(frame: pl.DataFrame) -> Table:
    """The ``expect list`` listing (``reciprocity.guide.list_expectations``)."""
    table = _table()
    _fixed(table, "Number", "right")
    _free(table, "Person")
    _free(table, "Need", 3)
    _free(table, "In your words", 2)
    for r in frame.iter_rows(named=True):
        table.add_row(str(r["id"]), Text(r["person"]), r["need"], Text(r["note"] or ""))
    return table


def checked_table(frame: pl.DataFrame) -> Table:
    """The ``expect check`` result (``reciprocity.guide.check_expectations``)."""
    table = _table()
    _free(table, "Person")
    _free(table, "Need", 2)
    _fixed(table, "Result")
    _free(table, "What the messages show", 3)
    for r in frame.iter_rows(named=True):
        table.add_row(Text(r["person"]), r["need"], r["status"], Text(r["evidence"]))
    return table
