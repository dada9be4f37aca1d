"""The settings page (names, merge and split, where the data lives, export, delete
everything) and the first run's demo in a database of its own."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from reciprocity import journal, store
from reciprocity.web import create_app


def _db(client: TestClient) -> store.Database:
    db: store.Database = client.app.state.reciprocity.db  # type: ignore[attr-defined]
    return db


def test_settings_show_my_names_and_where_the_data_lives(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    page = demo_client.get("/settings").text
    assert 'value="Sam"' in page  # the name the pages call you, editable
    db = _db(demo_client)
    assert str(db.path) in page
    assert re.search(r"· \d+(\.\d)? [KM]B", page)
    renamed = demo_client.post(
        "/settings/rename-me", data={"csrf_token": token(demo_client), "name": "Samira"}
    )
    assert renamed.status_code == 200
    assert store.get_me(db) == "Samira"
    demo_client.post(
        "/settings/add-name",
        data={"csrf_token": token(demo_client), "platform": "telegram", "handle": "sam_b"},
    )
    mine = [i["handle"] for i in store.list_identities(db) if i["is_me"]]
    assert "sam_b" in mine
    page = demo_client.get("/settings").text
    assert "sam_b" in page


def test_merge_then_split_gives_back_two_people(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    db = _db(demo_client)
    ids = {p["person"]: p["person_id"] for p in store.list_people(db).to_dicts()}
    merged = demo_client.post(
        "/settings/merge",
        data={"csrf_token": token(demo_client), "keep": ids["Alex"], "other": ids["Riley"]},
    )
    assert merged.status_code == 200
    assert "Riley" not in set(store.list_people(db)["person"])
    page = demo_client.get("/settings").text
    assert "Make a separate person" in page
    riley = next(i for i in store.list_identities(db) if i["handle"] == "Riley")
    split = demo_client.post(
        "/settings/split",
        data={"csrf_token": token(demo_client), "identity_id": riley["identity_id"]},
    )
    assert split.status_code == 200
    assert {"Alex", "Riley"} <= set(store.list_people(db)["person"])
    # A refused change says why, on the page, and changes nothing.
    same = demo_client.post(
        "/settings/merge",
        data={"csrf_token": token(demo_client), "keep": ids["Alex"], "other": ids["Alex"]},
    )
    assert same.status_code == 400
    assert "already the same person" in same.text


def test_export_everything_downloads_all_the_data_as_json(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    journal.add_entry(_db(demo_client), "Alex", energy=1, note="a <b>walk</b>")
    download = demo_client.get("/settings/export")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    data = json.loads(download.text)
    assert len(data["tables"]["messages"]) > 1000
    assert [e["note"] for e in data["tables"]["journal_entries"]] == ["a <b>walk</b>"]


def test_delete_everything_needs_the_typed_words_then_shows_the_first_run(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    db = _db(demo_client)
    wrong = demo_client.post(
        "/settings/delete-everything", data={"csrf_token": token(demo_client), "confirm": "yes"}
    )
    assert wrong.status_code == 400
    assert "Nothing was deleted" in wrong.text
    assert not store.is_empty(db)
    assert demo_client.post("/settings/delete-everything", data={"confirm": "x"}).status_code == 403
    gone = demo_client.post(
        "/settings/delete-everything",
        data={"csrf_token": token(demo_client), "confirm": " Delete  everything "},
    )
    assert gone.status_code == 200
    assert store.is_empty(db)
    assert "Try it with made-up chats" in gone.text


def test_the_first_run_offers_the_demo_in_a_separate_database(
    tmp_path: Path, token: Callable[[TestClient], str]
) -> None:
    own = tmp_path / "mine.sqlite"
    with TestClient(create_app(own), base_url="http://127.0.0.1") as client:
        first = client.get("/").text
        assert "Try it with made-up chats" in first
        assert 'action="/demo"' in first
        assert "Back to your own data" not in first
        assert client.post("/demo").status_code == 403
        shown = client.post("/demo", data={"csrf_token": token(client)})
        assert shown.status_code == 200
        assert "Back to your own data" in shown.text  # labelled on every page while in use
        assert "<title>Demo · " in shown.text
        assert "Alex" in shown.text
        assert "Back to your own data" in client.get("/journal").text
        assert (tmp_path / "mine-demo.sqlite").exists()
        assert "You are looking at the demo" in client.get("/import").text
        again = client.post("/demo", data={"csrf_token": token(client)})  # made afresh
        assert again.status_code == 200
        assert "Back to your own data" in again.text
        with store.open_db(own) as mine:
            assert store.is_empty(mine)  # the user's own database got nothing
        back = client.post("/demo/leave", data={"csrf_token": token(client)})
        assert back.status_code == 200
        assert "Back to your own data" not in back.text
        assert "Try it with made-up chats" in back.text


def test_a_backup_downloads_as_a_whole_checked_database(demo_client: TestClient) -> None:
    import sqlite3

    from reciprocity.store.backup import check

    got = demo_client.get("/settings/backup")
    assert got.status_code == 200
    assert "attachment" in got.headers["content-disposition"]
    assert got.content.startswith(b"SQLite format 3\x00")
    copy = Path(_db(demo_client).path or "").with_name("downloaded.sqlite")
    copy.write_bytes(got.content)
    with sqlite3.connect(copy) as conn:
        check(conn, str(copy))
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] > 100
    assert "Download a backup" in demo_client.get("/settings").text


def test_forget_someone_needs_their_name_typed_then_removes_them(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    db = _db(demo_client)
    page = demo_client.get("/settings").text
    assert "Forget someone" in page
    refused = demo_client.post(
        "/settings/forget",
        data={"csrf_token": token(demo_client), "person": "Riley", "confirm": "Rily"},
    )
    assert refused.status_code == 400
    assert "Nothing was removed" in refused.text
    assert "Riley" in set(store.list_people(db)["person"])
    done = demo_client.post(
        "/settings/forget",
        data={"csrf_token": token(demo_client), "person": "Riley", "confirm": " riley "},
    )
    assert done.status_code == 200
    assert "Riley" not in set(store.list_people(db)["person"])
    assert "Riley" not in demo_client.get("/").text
    no_token = demo_client.post("/settings/forget", data={"person": "Alex", "confirm": "Alex"})
    assert no_token.status_code == 403
    assert "Alex" in set(store.list_people(db)["person"])
