"""One person across apps: phone numbers and addresses link at import, similar names are
only suggested, and a merge or split is one reversible change of the figures."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest

from reciprocity import pipeline
from reciprocity.errors import StoreError
from reciprocity.store import (
    Database,
    identity_of,
    import_batches,
    keep_apart,
    link_key,
    list_people,
    merge_people,
    phone_region,
    set_phone_region,
    split_identity,
    suggestions,
)

Build = Callable[..., pl.DataFrame]  # the "messages" fixture from conftest


def chat(db: Database, messages: Build, platform: str, who: str, start: int = 0) -> None:
    rows = [
        ("Sam", start, f"hi {who}", "text", None, f"{platform}{start}a"),
        (who, start + 1, "hello!", "text", None, f"{platform}{start}b"),
        (who, start + 2, "how are you?", "text", None, f"{platform}{start}c"),
    ]
    frame = messages(rows, source=platform, conversation=who)
    import_batches(db, iter([frame]), file=f"{platform}-{who}.txt", me="Sam", format=platform)


def people(db: Database) -> dict[str, list[str]]:
    frame = list_people(db)
    return dict(zip(frame["person"], frame["platforms"].to_list(), strict=True))


@pytest.mark.parametrize(
    ("handle", "region", "key"),
    [
        ("+44 7700 900123", None, "tel:+447700900123"),
        ("07700900123", "GB", "tel:+447700900123"),
        ("0044 7700 900123", "GB", "tel:+447700900123"),
        ("0044 7700 900123", None, "tel:+447700900123"),
        ("(07700) 900-123", "GB", "tel:+447700900123"),
        ("07700900123", None, None),  # no country code and no region: cannot be told
        ("Alex.Kim@Example.COM", None, "email:alex.kim@example.com"),
        ("Alex Kim <alex.kim@example.com>", None, "email:alex.kim@example.com"),
        ("Alex Kim <+44 7700 900123>", None, "tel:+447700900123"),
        ("Alex Kim", "GB", None),
        ("1234", "GB", None),  # a service code, not a person's number
        ("not@an address", None, None),
    ],
)
def test_link_key_normalises_phones_and_addresses(
    handle: str, region: str | None, key: str | None
) -> None:
    assert link_key("sms", handle, region) == key


def test_the_same_phone_number_in_three_notations_is_one_person(
    db: Database, messages: Build
) -> None:
    set_phone_region(db, "GB")
    chat(db, messages, "whatsapp", "+44 7700 900123")
    chat(db, messages, "sms", "07700900123", start=100)
    chat(db, messages, "csv", "0044 7700 900123", start=200)
    assert people(db) == {"+44 7700 900123": ["csv", "sms", "whatsapp"]}
    chat(db, messages, "telegram", "+44 7700 900999", start=300)  # another number
    assert len(people(db)) == 2


def test_without_a_region_only_international_numbers_link(
    db: Database, messages: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        monkeypatch.setenv(var, "C.UTF-8")  # which Python's locale module reads as en_US
    assert phone_region(db).code is None
    assert "country code" in phone_region(db).describe()
    chat(db, messages, "whatsapp", "+44 7700 900123")
    chat(db, messages, "sms", "07700900123", start=100)
    assert len(people(db)) == 2  # 07700... could be any country's number


def test_the_region_comes_from_the_setting_or_the_locale(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert (phone_region(db).code, phone_region(db).source) == ("DE", "locale")
    assert set_phone_region(db, "gb").code == "GB"
    assert phone_region(db).source == "setting"
    with pytest.raises(StoreError, match="not a country code"):
        set_phone_region(db, "XX")
    assert set_phone_region(db, None).code == "DE"


def test_an_email_address_links_exactly_ignoring_case(db: Database, messages: Build) -> None:
    chat(db, messages, "email", "Alex.Kim@Example.com")
    chat(db, messages, "csv", "alex.kim@example.com", start=100)
    chat(db, messages, "telegram", "alex.kim@example.org", start=200)  # another address
    assert people(db) == {
        "Alex.Kim@Example.com": ["csv", "email"],
        "alex.kim@example.org": ["telegram"],
    }


def test_the_same_first_name_is_suggested_never_linked(db: Database, messages: Build) -> None:
    chat(db, messages, "telegram", "Alex Kim")
    chat(db, messages, "whatsapp", "Alex Moreno", start=100)
    chat(db, messages, "csv", "Alex", start=1)  # writes while "Alex Kim" does
    assert set(people(db)) == {"Alex Kim", "Alex Moreno", "Alex"}
    pairs = {frozenset((s.keep, s.other)): s for s in suggestions(db)}
    assert set(pairs) == {frozenset(("Alex", "Alex Kim")), frozenset(("Alex", "Alex Moreno"))}
    found = pairs[frozenset(("Alex", "Alex Kim"))]
    assert found.reason == "name"
    assert "same period" in found.why


def test_similar_names_on_the_same_app_are_not_suggested(db: Database, messages: Build) -> None:
    chat(db, messages, "whatsapp", "Alex")
    chat(db, messages, "whatsapp", "Alex Kim", start=100)
    assert suggestions(db) == []


def test_a_suggestion_turned_down_is_not_offered_again(db: Database, messages: Build) -> None:
    chat(db, messages, "telegram", "Jordan Reyes")
    chat(db, messages, "whatsapp", "Jordan", start=100)
    (offered,) = suggestions(db)
    keep_apart(db, offered.keep_id, offered.other_id)
    assert suggestions(db) == []
    merge_people(db, offered.keep_id, offered.other_id)  # the user changed their mind
    assert len(people(db)) == 1


def test_merge_then_split_round_trips_the_figures(db: Database, messages: Build) -> None:
    chat(db, messages, "whatsapp", "Jordan")
    chat(db, messages, "telegram", "Jordan Reyes", start=600)

    def figures() -> dict[str, tuple[int, int, int]]:
        return {
            r.person: (r.messages.me, r.messages.them, len(r.platforms))
            for r in pipeline.analyze(db).records
        }

    before = figures()
    assert before == {"Jordan": (1, 2, 1), "Jordan Reyes": (1, 2, 1)}
    (offered,) = suggestions(db)
    assert (offered.keep, offered.other) in {("Jordan", "Jordan Reyes"), ("Jordan Reyes", "Jordan")}
    merge_people(db, "Jordan", "Jordan Reyes")
    (record,) = pipeline.analyze(db).records  # the analysis cache is stale after a merge
    assert (record.person, record.messages.me, record.messages.them) == ("Jordan", 2, 4)
    assert [(p.platform, p.messages.me, p.messages.them, p.chats) for p in record.platforms] == [
        ("telegram", 1, 2, 1),
        ("whatsapp", 1, 2, 1),
    ]
    assert sum(p.total for p in record.platforms) == record.messages.me + record.messages.them
    split_identity(db, identity_of(db, "Jordan", "Jordan Reyes"))
    assert figures() == before
    assert suggestions(db) == []  # split apart: not offered again


def test_a_merge_refused_halfway_changes_nothing(db: Database, messages: Build) -> None:
    chat(db, messages, "whatsapp", "Jordan")
    before = people(db)
    with pytest.raises(StoreError, match="is you"):
        merge_people(db, "Jordan", "Sam")
    assert people(db) == before


def test_an_identity_is_found_among_a_persons_names(db: Database, messages: Build) -> None:
    chat(db, messages, "whatsapp", "Jordan")
    chat(db, messages, "telegram", "JR", start=100)
    merge_people(db, "Jordan", "JR")
    assert identity_of(db, "jordan", "jr") == identity_of(db, "Jordan", "JR")
    with pytest.raises(Exception, match="has no name or handle 'Nope'"):
        identity_of(db, "Jordan", "Nope")


def test_a_merge_carries_notes_and_the_important_mark(db: Database, messages: Build) -> None:
    from reciprocity import journal
    from reciprocity.store import important_people, set_important

    chat(db, messages, "whatsapp", "Jordan")
    chat(db, messages, "telegram", "Jordan Reyes", start=600)
    journal.add_entry(db, "Jordan Reyes", giver="them", dimension="practical_help", note="lift")
    set_important(db, "Jordan Reyes")
    merge_people(db, "Jordan", "Jordan Reyes")
    assert important_people(db) == ["Jordan"]
    assert journal.entries_frame(db)["person"].to_list() == ["Jordan"]
    (record,) = pipeline.analyze(db).records
    practical = record.reading("practical_help")
    assert practical is not None
    assert practical.events_them == 1


def test_a_name_with_its_address_names_the_person(db: Database, messages: Build) -> None:
    chat(db, messages, "email", "Alex Kim <Alex.Kim@example.com>")
    chat(db, messages, "sms", "Alex <+44 7700 900123>", start=100)
    chat(db, messages, "csv", "alex.kim@example.com", start=200)
    assert people(db) == {"Alex Kim": ["csv", "email"], "Alex": ["sms"]}
    (offered,) = suggestions(db)
    assert {offered.keep, offered.other} == {"Alex Kim", "Alex"}


def test_similar_names_years_apart_are_not_suggested(db: Database, messages: Build) -> None:
    chat(db, messages, "whatsapp", "Jordan")
    chat(db, messages, "telegram", "Jordan Reyes", start=2 * 365 * 24 * 60)  # two years on
    assert suggestions(db) == []
    chat(db, messages, "csv", "Jordan R", start=300 * 24 * 60)  # within a year of Jordan
    assert [(s.keep, s.other) for s in suggestions(db)] == [("Jordan", "Jordan R")]
