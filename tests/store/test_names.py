"""Typed names matched to known people: the known spelling, a refusal with the closest
names, or someone new only when asked."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest

from reciprocity import guide, journal
from reciprocity.store import (
    Database,
    UnknownPerson,
    import_batches,
    known_names,
    link_identity,
    resolve_person,
    suggest,
)

Build = Callable[..., pl.DataFrame]  # the "messages" fixture from conftest


def chat_with(db: Database, messages: Build, who: str) -> None:
    chat = messages([("Sam", 1, f"hi {who}"), (who, 2, "hi Sam")], conversation=who)
    import_batches(db, iter([chat]), file=f"{who}.txt", me="Sam", format="whatsapp")


def test_a_known_name_comes_back_as_it_is_stored(db: Database, messages: Build) -> None:
    chat_with(db, messages, "Jordan")
    assert resolve_person(db, "jordan") == "Jordan"
    assert resolve_person(db, "  JORDAN ") == "Jordan"
    link_identity(db, "telegram", "@jo_rdan", "Jordan")
    assert resolve_person(db, "@jo_rdan") == "Jordan"  # a chat handle names its person


def test_an_unknown_name_is_refused_with_the_closest(db: Database, messages: Build) -> None:
    chat_with(db, messages, "Jordan")
    journal.add_entry(db, "Bea", giver="me", dimension="listening")
    with pytest.raises(UnknownPerson) as caught:
        resolve_person(db, "Bob")
    assert str(caught.value) == "No one called Bob. Did you mean Bea?"
    assert caught.value.suggestions == ["Bea"]
    assert caught.value.setting == "new"  # each surface says how to add someone new
    # Nothing was written: the typo did not become a person.
    assert "Bob" not in known_names(db)


def test_someone_new_is_accepted_only_when_asked(db: Database, messages: Build) -> None:
    chat_with(db, messages, "Jordan")
    assert resolve_person(db, "  Robin  Hood ", new=True) == "Robin Hood"
    # A known name stays the known spelling even when "new" was ticked by mistake.
    assert resolve_person(db, "jordan", new=True) == "Jordan"


def test_with_nothing_close_the_few_known_names_are_listed(db: Database, messages: Build) -> None:
    chat_with(db, messages, "Jordan")
    guide.add_expectation(db, "Alex", "reply", 24)
    with pytest.raises(
        UnknownPerson, match=r"No one called Zoe\. The names so far: Alex, Jordan\."
    ):
        resolve_person(db, "Zoe")


def test_names_from_every_self_report_count_as_known(db: Database, messages: Build) -> None:
    chat_with(db, messages, "Jordan")
    journal.add_entry(db, "Bea", giver="me", dimension="listening")
    guide.add_expectation(db, "Alex", "reply", 24)
    guide.record_conversation(db, "Riley")
    assert known_names(db) == ["Jordan", "Bea", "Alex", "Riley"]  # "Sam" is the user


def test_suggestions_keep_only_names_near_the_best() -> None:
    names = ["Alex", "Bea", "Dom", "Jordan", "Riley"]
    assert suggest("Jordn", names) == ["Jordan"]
    assert suggest("Rylie", names) == ["Riley"]
    assert suggest("Bob", names)[0] == "Bea"  # the shared first letter weighs most
    assert suggest("Xyzzy", names) == []


def test_a_deleted_entry_no_longer_makes_its_name_known(db: Database, messages: Build) -> None:
    chat_with(db, messages, "Jordan")
    typo = journal.add_entry(db, "Jordn", giver="me", dimension="listening")
    assert resolve_person(db, "Jordn") == "Jordn"
    journal.delete_entry(db, typo.id)
    with pytest.raises(UnknownPerson, match="Did you mean Jordan"):
        resolve_person(db, "Jordn")
