"""Form values into the library's arguments: text fields to numbers, dates and entries.

Browsers send every field as text, empty when left blank. These helpers turn them into what
``reciprocity.journal`` and ``reciprocity.guide`` take, the same way the CLI's ``log`` does,
and raise :class:`FormProblem` with a plain message when a field cannot be read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from reciprocity.errors import ReciprocityError

__all__ = [
    "HINTS",
    "FormProblem",
    "day",
    "entry_values",
    "number",
    "problem_text",
    "today",
    "whole",
]

HINTS = {
    "format": "Choose its format under “Format”, or export the chat again.",
    "me": "Type your own name under “Your name in the chat”, spelled as the export writes it.",
    "new": "To add them, tick “Someone new”.",
}
"""What a page adds to an error whose ``setting`` is the key: its own controls, never the
command line's options (:class:`reciprocity.errors.ReciprocityError`)."""


class FormProblem(ReciprocityError):
    """A form field cannot be read; the message says which and how to fill it in."""


def problem_text(problem: ReciprocityError) -> str:
    """``problem``'s message, with how to fix it on the page when a setting would.

    >>> from reciprocity.store import UnknownPerson
    >>> problem_text(UnknownPerson("Bobby", ["Bea"]))
    'No one called Bobby. Did you mean Bea? To add them, tick “Someone new”.'
    """
    text = str(problem)
    hint = HINTS.get(problem.setting or "")
    return f"{text} {hint}" if hint else text


def whole(value: str, what: str) -> int | None:
    """``value`` as a whole number, or ``None`` when blank."""
    text = value.strip().replace("−", "-")
    if not text:
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise FormProblem(f"{what} should be a whole number, like 2 or -1") from exc


def number(value: str, what: str) -> float | None:
    """``value`` as a number (a comma works as the decimal mark), or ``None`` when blank."""
    text = value.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise FormProblem(f"{what} should be a number, like 12.50") from exc


def _money(value: str) -> str | None:
    """An amount of money as typed (kept as text, so the journal stores it exactly), checked
    to be a number above zero; ``None`` when blank."""
    amount = number(value, "The amount")
    if amount is not None and amount <= 0:
        raise FormProblem("The amount should be more than zero; choose who paid with I or They")
    return None if amount is None else value.strip().replace(",", ".")


def day(value: str) -> date | None:
    """``value`` (YYYY-MM-DD, what a date field sends) as a date, or ``None`` when blank."""
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise FormProblem(f"{text!r} is not a date; write it like 2024-05-01") from exc


def today() -> str:
    """Today's date as a date field writes it: the latest day a journal entry may have."""
    return date.today().isoformat()


def entry_values(
    *,
    kind: str,
    giver: str,
    dimension: str,
    energy: str,
    note: str,
    amount: str,
    settled: bool,
    when: str,
    currency: str = "",
) -> dict[str, Any]:
    """A journal entry's fields from the quick-log form, for ``add_entry`` or ``edit_entry``.

    Like ``reciprocity log``: something given needs who gave it; money and favours keep
    who paid or did it and whether it came back; a task keeps who did it, its name in the
    note; a conflict keeps whether it was repaired. Fields that do not belong to the kind
    are cleared, so an edit from one kind to another leaves nothing stale.
    """
    who = giver if giver in ("me", "them") else None
    values: dict[str, Any] = {
        "kind": kind,
        "giver": None,
        "dimension": None,
        "note": note.strip() or None,
        "energy": whole(energy, "Energy"),
        "amount": None,
        "currency": None,
        "settled": None,
        "when": day(when),
    }
    if kind == "interaction":
        if dimension.strip():
            values.update(giver=who, dimension=dimension)
    elif kind in ("money", "favour"):
        values.update(giver=who, dimension="favours_money", settled=settled)
        if kind == "money":
            values.update(amount=_money(amount), currency=currency.strip() or None)
    elif kind == "repayment":
        values.update(giver=who, amount=_money(amount), currency=currency.strip() or None)
    elif kind == "task":
        values["giver"] = who
    elif kind == "conflict":
        values["settled"] = settled
    return values
