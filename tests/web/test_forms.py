"""Form text into the library's arguments, as the quick log and the guide pages send it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from reciprocity.web.forms import FormProblem, day, entry_values, number, whole


def _entry(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "interaction",
        "giver": "me",
        "dimension": "",
        "energy": "",
        "note": "",
        "amount": "",
        "settled": False,
        "when": "",
    }
    return entry_values(**(fields | changes))


def test_blank_fields_are_none_and_numbers_read_loosely() -> None:
    assert whole(" ", "Energy") is None
    assert whole("−1", "Energy") == -1  # the minus sign a phone keyboard may give
    assert number("12,50", "Amount") == 12.5
    assert day("2024-05-01") == date(2024, 5, 1)
    assert day("") is None


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: whole("lots", "Energy"), "whole number"),
        (lambda: number("ten", "The amount"), "number"),
        (lambda: day("01/05/2024"), "2024-05-01"),
    ],
)
def test_unreadable_fields_say_how_to_fill_them_in(call: Any, words: str) -> None:
    with pytest.raises(FormProblem, match=words):
        call()


def test_something_given_keeps_who_gave_it() -> None:
    values = _entry(dimension="practical_help", giver="them", energy="2", note=" moved a sofa ")
    assert values["giver"] == "them"
    assert values["dimension"] == "practical_help"
    assert values["energy"] == 2
    assert values["note"] == "moved a sofa"
    assert values["settled"] is None


def test_energy_only_moment_has_no_giver() -> None:
    values = _entry(energy="-1")
    assert values["giver"] is None
    assert values["dimension"] is None


def test_money_keeps_amount_and_settled_and_other_kinds_drop_them() -> None:
    money = _entry(kind="money", amount="20,50", settled=True, dimension="listening")
    # Kept as text, so the journal stores it exactly.
    assert (money["amount"], money["settled"], money["dimension"]) == (
        "20.50",
        True,
        "favours_money",
    )
    task = _entry(kind="task", amount="20", settled=True, giver="them", note="school run")
    assert (task["amount"], task["settled"], task["giver"]) == (None, None, "them")
    conflict = _entry(kind="conflict", settled=True, giver="me")
    assert (conflict["giver"], conflict["settled"]) == (None, True)


@pytest.mark.parametrize("amount", ["-5", "0"])
def test_money_below_zero_is_refused_naming_the_forms_controls(amount: str) -> None:
    with pytest.raises(FormProblem, match="more than zero; choose who paid with I or They"):
        _entry(kind="money", amount=amount, giver="me")
