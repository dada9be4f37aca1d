"""Journal entries: saved, changed, deleted and read back, with plain errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reciprocity import store
from reciprocity.errors import NotFound
from reciprocity.journal import JournalError, add_entry, delete_entry, edit_entry, entries_frame
from reciprocity.journal.entries import get_entry, normalise_dimension, to_utc


def test_add_and_read_back(db: store.Database) -> None:
    entry = add_entry(
        db, " Alex ", giver="me", dimension="Practical help", energy=-1, note="moved boxes",
        when=date(2024, 5, 1),
    )  # fmt: skip
    assert entry.person == "Alex"
    assert entry.dimension == "practical_help"
    assert entry.when == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert get_entry(db, entry.id) == entry
    frame = entries_frame(db)
    assert frame.height == 1
    assert frame.row(0, named=True)["energy"] == -1


def test_money_and_favours_start_unsettled(db: store.Database) -> None:
    money = add_entry(db, "Alex", giver="them", amount=25.0)
    favour = add_entry(db, "Alex", giver="me", dimension="favour")
    assert (money.kind, money.dimension, money.settled) == ("money", "favours_money", False)
    assert (favour.kind, favour.settled) == ("favour", False)
    assert edit_entry(db, money.id, settled=True).settled is True
    assert get_entry(db, money.id).settled is True


def test_edit_changes_only_what_is_given(db: store.Database) -> None:
    entry = add_entry(db, "Alex", giver="me", dimension="listening", energy=1, note="walk")
    changed = edit_entry(db, entry.id, energy=2, when=date(2024, 1, 2))
    assert changed.energy == 2
    assert changed.note == "walk"
    assert changed.when.date() == date(2024, 1, 2)
    assert get_entry(db, entry.id) == changed


def test_delete(db: store.Database) -> None:
    entry = add_entry(db, "Alex", energy=0)
    delete_entry(db, entry.id)
    assert entries_frame(db).height == 0
    with pytest.raises(NotFound, match="no journal entry"):
        delete_entry(db, entry.id)
    with pytest.raises(NotFound):
        edit_entry(db, entry.id, energy=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"energy": 3}, "-2"),
        ({"giver": "me", "dimension": "hugs"}, "not something one can give"),
        ({"dimension": "listening"}, "who gave"),
        ({}, "something given or an energy"),
        ({"giver": "someone", "dimension": "listening"}, "'me' or 'them'"),
        ({"giver": "me", "amount": -5.0}, "more than zero"),
        ({"giver": "me", "amount": 0}, "more than zero"),
        ({"kind": "task"}, "needs who gave or did it"),
    ],
)
def test_bad_entries_are_refused_with_a_plain_message(
    db: store.Database, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(JournalError, match=message):
        add_entry(db, "Alex", **kwargs)  # type: ignore[arg-type]
    assert entries_frame(db).height == 0


def test_entries_for_one_person_ignore_case(db: store.Database) -> None:
    add_entry(db, "Alex", energy=1)
    add_entry(db, "Jordan", energy=2)
    assert entries_frame(db, "ALEX")["person"].to_list() == ["Alex"]


def test_normalise_dimension_accepts_friendly_spellings() -> None:
    assert normalise_dimension("emotional-support") == "emotional_support"
    assert normalise_dimension("money") == "favours_money"
    assert normalise_dimension("  ") is None
    with pytest.raises(JournalError):
        normalise_dimension("energy")


def test_to_utc() -> None:
    assert to_utc(datetime(2024, 1, 1, 9)) == datetime(2024, 1, 1, 9, tzinfo=UTC)
    assert to_utc(date(2024, 1, 1)).hour == 12
    assert to_utc(None).tzinfo is not None
