"""The people page: names on each app, suggestions with their buttons, merge and split."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import polars as pl
from fastapi.testclient import TestClient

from reciprocity import pipeline, store
from reciprocity.ingest.base import MESSAGE_SCHEMA


def _db(client: TestClient) -> store.Database:
    db: store.Database = client.app.state.reciprocity.db  # type: ignore[attr-defined]
    return db


def _telegram(db: store.Database, who: str) -> None:
    start = datetime(2024, 5, 1, 9, tzinfo=UTC)
    rows = [
        {"source": "telegram", "conversation": who, "sender": sender,
         "timestamp": start + timedelta(minutes=n), "text": f"line {n}", "kind": "text",
         "reply_to": None, "source_id": str(n), "line": n + 1}
        for n, sender in enumerate(["Sam", who, "Sam", who])
    ]  # fmt: skip
    frame = pl.DataFrame(rows, schema=MESSAGE_SCHEMA)
    store.import_batches(db, iter([frame]), file="t.json", me="Sam", format="telegram")


def _messages(db: store.Database, person: str) -> tuple[int, int]:
    record = next(r for r in pipeline.analyze(db).records if r.person == person)
    return record.messages.me, record.messages.them


def test_the_page_lists_names_per_app_and_a_split_and_merge_round_trip(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    db = _db(demo_client)
    page = demo_client.get("/people")
    assert page.status_code == 200
    assert "Jordan" in page.text
    assert "WhatsApp" in page.text
    assert "Telegram" in page.text
    before = _messages(db, "Jordan")
    jordan = next(p for p in store.people_directory(db) if p["person"] == "Jordan")
    assert [a["platform"] for a in jordan["apps"]] == ["telegram", "whatsapp"]
    telegram = jordan["apps"][0]["identities"][0]["identity_id"]

    # Without the form's token nothing changes.
    refused = demo_client.post("/people/split", data={"identity_id": telegram})
    assert refused.status_code == 403
    split = demo_client.post(
        "/people/split", data={"csrf_token": token(demo_client), "identity_id": telegram}
    )
    assert split.status_code == 200  # back on the page after the redirect
    listed = store.list_people(db)
    ids = listed.filter(pl.col("person").str.starts_with("Jordan"))["person_id"].to_list()
    assert sorted(listed.filter(pl.col("person_id").is_in(ids))["person"]) == [
        "Jordan",
        "Jordan 🌻",  # Jordan's name on Telegram, a person of its own again
    ]
    assert _messages(db, "Jordan") != before
    merged = demo_client.post(
        "/people/merge",
        data={"csrf_token": token(demo_client), "keep": min(ids), "other": max(ids)},
    )
    assert merged.status_code == 200
    assert _messages(db, "Jordan") == before
    relationship = next(r for r in pipeline.analyze(db).records if r.person == "Jordan")
    assert {p.platform for p in relationship.platforms} == {"telegram", "whatsapp"}


def test_a_suggestion_can_be_taken_or_turned_down(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    db = _db(demo_client)
    _telegram(db, "Riley Rivers")
    page = demo_client.get("/people").text
    assert "Likely the same person" in page
    assert "Riley Rivers" in page
    assert "similar names" in page
    (offered,) = store.suggestions(db)
    taken = demo_client.post(
        "/people/apart",
        data={"csrf_token": token(demo_client), "person": offered.keep_id,
              "other": offered.other_id},
    )  # fmt: skip
    assert taken.status_code == 200
    assert "Nothing to suggest" in taken.text
    same = demo_client.post(
        "/people/merge",
        data={"csrf_token": token(demo_client), "keep": offered.keep_id,
              "other": offered.keep_id},
    )  # fmt: skip
    assert same.status_code == 400
    assert "already the same person" in same.text


def test_the_relationship_page_shows_each_apps_part(
    demo_client: TestClient, relationship_id: Callable[[TestClient, str], int]
) -> None:
    page = demo_client.get(f"/relationship/{relationship_id(demo_client, 'Jordan')}").text
    assert "On each app" in page
