"""One person across platforms, and the user's corrections to who is who."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest
from sqlalchemy import insert

from reciprocity.errors import NotFound, StoreError
from reciprocity.store import (
    Database,
    import_batches,
    link_identity,
    list_people,
    merge_people,
    messages_frame,
    set_relationship_kind,
)
from reciprocity.store.models import Person

Build = Callable[..., pl.DataFrame]  # the "messages" fixture from conftest


def whatsapp(db: Database, messages: Build, who: str, me: str | None = "Sam") -> None:
    chat = messages([("Sam", 1, f"hi {who}"), (who, 2, "hi Sam")], conversation=who)
    import_batches(db, iter([chat]), file=f"{who}.txt", me=me, format="whatsapp")


def telegram(db: Database, messages: Build, who: str, me: str | None = "Sam") -> None:
    chat = messages(
        [("Sam", 60, "over here now", "text", None, "1"), (who, 61, "ok!", "text", None, "2")],
        source="telegram",
        conversation=who,
    )
    import_batches(db, iter([chat]), file=f"{who}.json", me=me, format="telegram")


def people(db: Database) -> dict[str, list[str]]:
    frame = list_people(db)
    return dict(zip(frame["person"], frame["platforms"].to_list(), strict=True))


def test_same_name_on_two_platforms_is_one_relationship(db: Database, messages: Build) -> None:
    whatsapp(db, messages, "Jordan")
    telegram(db, messages, "jordan", me=None)  # case differs; "Sam" is recognised as me
    assert people(db) == {"Jordan": ["telegram", "whatsapp"]}
    frame = messages_frame(db)
    assert frame["relationship_id"].n_unique() == 1
    assert frame["conversation_id"].n_unique() == 2
    assert frame.filter(pl.col("from_me"))["text"].to_list() == ["hi Jordan", "over here now"]


def test_different_names_stay_apart_until_linked(db: Database, messages: Build) -> None:
    whatsapp(db, messages, "Jordan")
    telegram(db, messages, "J. K.")
    assert set(people(db)) == {"Jordan", "J. K."}
    link_identity(db, "telegram", "J. K.", "Jordan")
    assert people(db) == {"Jordan": ["telegram", "whatsapp"]}  # the empty person is gone
    assert messages_frame(db)["relationship_id"].n_unique() == 1


def test_link_identity_can_name_a_handle_not_seen_yet(db: Database, messages: Build) -> None:
    whatsapp(db, messages, "Jordan")
    link_identity(db, "telegram", "jk_1990", "jordan")
    telegram(db, messages, "jk_1990")
    assert people(db) == {"Jordan": ["telegram", "whatsapp"]}


def test_merge_people_keeps_one(db: Database, messages: Build) -> None:
    whatsapp(db, messages, "Jordan")
    telegram(db, messages, "Jo")
    set_relationship_kind(db, "Jo", "sibling")
    merge_people(db, keep="Jordan", merge="Jo")
    frame = list_people(db)
    assert frame["person"].to_list() == ["Jordan"]
    assert frame["kind"].to_list() == ["sibling"]  # "unknown" gives way to what the user said
    assert frame["messages"].to_list() == [2]


def test_merge_people_refuses_nonsense(db: Database, messages: Build) -> None:
    whatsapp(db, messages, "Jordan")
    with pytest.raises(StoreError, match="is you"):
        merge_people(db, keep="Jordan", merge="Sam")
    with pytest.raises(StoreError, match="already the same person"):
        merge_people(db, keep="Jordan", merge="jordan")
    with pytest.raises(NotFound, match="'Nobody'"):
        merge_people(db, keep="Jordan", merge="Nobody")


def test_a_handle_of_mine_taken_for_someone_else_can_be_given_back(
    db: Database, messages: Build
) -> None:
    whatsapp(db, messages, "Jordan")
    # A Telegram export where the user appears under another name, imported with --me as
    # the display name: the second handle became a person of its own.
    chat = messages(
        [("Sam", 1, "hi", "text", None, "1"), ("Sam Taylor", 2, "me again", "text", None, "2")],
        source="telegram",
        conversation="Notes",
    )
    import_batches(db, iter([chat]), file="n.json", me="Sam", format="telegram")
    assert "Sam Taylor" in people(db)
    merge_people(db, keep="Sam", merge="Sam Taylor")
    assert "Sam Taylor" not in people(db)


def test_ambiguous_names_ask_for_an_id(db: Database, messages: Build) -> None:
    whatsapp(db, messages, "Jordan")
    # Imports never make two people with one name; a second one can only be added directly.
    with db.engine.begin() as conn:
        conn.execute(insert(Person).values(name="jordan", is_me=False))
    with pytest.raises(StoreError, match=r"several people answer to 'Jordan'.*by its id"):
        set_relationship_kind(db, "Jordan", "friend")
    first = int(list_people(db).filter(pl.col("person") == "Jordan")["person_id"][0])
    set_relationship_kind(db, first, "friend")
    assert list_people(db).filter(pl.col("person_id") == first)["kind"].to_list() == ["friend"]
    with pytest.raises(NotFound):
        set_relationship_kind(db, 999, "friend")


def test_relationship_kinds(db: Database, messages: Build) -> None:
    whatsapp(db, messages, "Mum")
    set_relationship_kind(db, "mum", " Parent ")
    assert list_people(db)["kind"].to_list() == ["parent"]
    with pytest.raises(StoreError, match="not a relationship kind; use one of: unknown, friend"):
        set_relationship_kind(db, "Mum", "frenemy")
    with pytest.raises(StoreError, match="is you"):
        set_relationship_kind(db, "Sam", "friend")


def test_a_merge_is_undone_by_splitting_a_name_back_out(db: Database, messages: Build) -> None:
    from reciprocity.store import find_identity, list_identities, split_identity

    whatsapp(db, messages, "Jordan")
    telegram(db, messages, "J. K.")
    merge_people(db, "Jordan", "J. K.")
    assert people(db) == {"Jordan": ["telegram", "whatsapp"]}
    moved = split_identity(db, find_identity(db, "J. K.", "telegram"))
    assert people(db) == {"Jordan": ["whatsapp"], "J. K.": ["telegram"]}
    assert {r["person_id"] for r in list_identities(db) if r["handle"] == "J. K."} == {moved}
    frame = messages_frame(db)
    assert frame["relationship_id"].n_unique() == 2  # two relationships again
    with pytest.raises(StoreError, match="already a person of their own"):
        split_identity(db, find_identity(db, "J. K."))
    with pytest.raises(NotFound):
        split_identity(db, 999)


def test_my_names_are_listed_renamed_and_one_can_be_not_me(db: Database, messages: Build) -> None:
    from reciprocity.store import (
        find_identity,
        get_me,
        list_identities,
        rename_person,
        split_identity,
    )

    whatsapp(db, messages, "Alex")
    link_identity(db, "telegram", "sammy", "Sam")
    mine = [(r["platform"], r["handle"]) for r in list_identities(db) if r["is_me"]]
    assert mine == [("telegram", "sammy"), ("whatsapp", "Sam")]
    assert rename_person(db, "Sam", "Samantha") == "Sam"
    assert get_me(db) == "Samantha"
    split_identity(db, find_identity(db, "sammy"))
    assert [r["handle"] for r in list_identities(db) if r["is_me"]] == ["Sam"]
    assert "sammy" in people(db)
    with pytest.raises(StoreError, match="empty"):
        rename_person(db, "Samantha", "  ")


def test_the_user_known_only_as_me_takes_the_name_an_export_gives(
    db: Database, messages: Build
) -> None:
    from reciprocity.store import get_me

    # SMS, iMessage and Signal mark the user's messages "Me" and never name them.
    texts = messages([("Me", 1, "hi"), ("Alex", 2, "hi!")], source="sms", conversation="Alex")
    import_batches(db, iter([texts]), file="sms.xml", me="Me", format="sms")
    assert get_me(db) == "Me"
    whatsapp(db, messages, "Jordan", me="Sam")
    assert get_me(db) == "Sam"
    assert set(people(db)) == {"Alex", "Jordan"}
    chat = messages([("Samantha", 3, "hey"), ("Riley", 4, "hey")], conversation="Riley")
    import_batches(db, iter([chat]), file="Riley.txt", me="Samantha", format="whatsapp")
    assert get_me(db) == "Sam"  # a name once given stays
