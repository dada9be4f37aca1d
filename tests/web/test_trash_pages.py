"""Deleting on the web: a confirmation step, then "Deleted. Undo" bringing back the same row."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from reciprocity import guide, journal, store


def _state_db(client: TestClient) -> store.Database:
    db: store.Database = client.app.state.reciprocity.db  # type: ignore[attr-defined]
    return db


def _log(client: TestClient, token: str, **fields: str) -> None:
    data = {
        "csrf_token": token,
        "kind": "interaction",
        "giver": "me",
        "new_person": "true",
    } | fields
    assert client.post("/journal", data=data).status_code == 200


def test_a_journal_entry_is_deleted_after_a_confirmation_and_undo_brings_it_back(
    client: TestClient, token: Callable[[TestClient], str]
) -> None:
    _log(client, token(client), person="Alex", energy="1", note="walk", when="2024-05-01")
    _log(client, token(client), person="Jordan", energy="-1", when="2024-05-02")
    db = _state_db(client)
    page = client.get("/journal").text
    # Each entry carries its number as the CLI shows it, and Delete leads to a question.
    assert "#1" in page
    assert "#2" in page
    assert 'href="/journal/2/delete' in page
    confirm = client.get("/journal/2/delete")
    assert confirm.status_code == 200
    assert "Delete this journal entry?" in confirm.text
    assert "entry #2 of 2024-05-02 about Jordan" in confirm.text
    assert journal.entries_frame(db).height == 2  # asking deletes nothing
    done = client.post("/journal/2/delete", data={"csrf_token": token(client), "back": "/journal"})
    assert done.status_code == 200
    assert "Deleted the journal entry #2." in done.text
    assert 'action="/journal/2/restore"' in done.text
    assert journal.entries_frame(db)["id"].to_list() == [1]
    back = client.post("/journal/2/restore", data={"csrf_token": token(client), "back": "/journal"})
    assert back.status_code == 200
    assert "Brought back #2" in back.text
    restored = journal.get_entry(db, 2)
    assert (restored.person, restored.energy) == ("Jordan", -1)
    # The newest entry deleted: its number is not given to the next one.
    client.post("/journal/2/delete", data={"csrf_token": token(client)})
    _log(client, token(client), person="Riley", energy="2")
    assert journal.entries_frame(db)["id"].to_list() == [1, 3]


def test_delete_and_undo_need_the_token_and_go_back_only_to_this_site(
    client: TestClient, token: Callable[[TestClient], str]
) -> None:
    _log(client, token(client), person="Alex", energy="1")
    assert client.post("/journal/1/delete").status_code == 403
    assert client.post("/journal/1/restore").status_code == 403
    away = client.post(
        "/journal/1/delete",
        data={"csrf_token": token(client), "back": "https://evil.example/"},
        follow_redirects=False,
    )
    assert away.status_code == 303
    assert away.headers["location"].startswith("/journal?")
    assert client.get("/journal/99/delete").status_code == 404
    assert client.post("/journal/1/restore", data={"csrf_token": token(client)}).status_code == 200
    again = client.post("/journal/1/restore", data={"csrf_token": token(client)})
    assert again.status_code == 404


def test_a_need_and_a_conversation_record_are_deleted_and_brought_back(
    client: TestClient, token: Callable[[TestClient], str]
) -> None:
    db = _state_db(client)
    need = guide.add_expectation(db, "Alex", "check_in", 7)
    talk = guide.record_conversation(db, "Alex", statement="I feel <b>alone</b>")
    confirm = client.get(f"/expectations/{need}/delete").text
    assert "Delete this need?" in confirm
    done = client.post(f"/expectations/{need}/delete", data={"csrf_token": token(client)})
    assert "Deleted the need" in done.text
    assert guide.list_expectations(db).height == 0
    client.post(f"/expectations/{need}/restore", data={"csrf_token": token(client)})
    assert guide.list_expectations(db)["id"].to_list() == [need]

    confirm = client.get(f"/records/{talk}/delete?back=/coach").text
    assert "the note that you talked with Alex" in confirm
    assert 'name="back" value="/coach"' in confirm
    done = client.post(f"/records/{talk}/delete", data={"csrf_token": token(client)})
    assert re.search(r"Deleted the conversation record #\d+", done.text)
    assert guide.conversation_records(db).height == 0
    client.post(f"/records/{talk}/restore", data={"csrf_token": token(client)})
    assert guide.conversation_records(db)["id"].to_list() == [talk]


def test_what_is_deleted_is_named_as_text(
    client: TestClient,
    token: Callable[[TestClient], str],
    attacks: tuple[str, ...],
    assert_inert: Callable[[str], None],
) -> None:
    for attack in attacks:
        _log(client, token(client), person="Alex", energy="0", note=attack)
    for entry_id in (1, 2, 3):
        assert_inert(client.get(f"/journal/{entry_id}/delete").text)


def test_undo_goes_back_to_the_same_persons_list(
    client: TestClient, token: Callable[[TestClient], str]
) -> None:
    _log(client, token(client), person="Bea & Co", energy="1")
    listing = client.get("/journal", params={"person": "Bea & Co"}).text
    link = re.search(r'href="(/journal/1/delete\?back=[^"]+)"', listing)
    assert link
    confirm = client.get(link.group(1).replace("&amp;", "&")).text
    assert 'name="back" value="/journal?person=Bea%20%26%20Co"' in confirm
    done = client.post(
        "/journal/1/delete",
        data={"csrf_token": token(client), "back": "/journal?person=Bea%20%26%20Co"},
    )
    assert "Entries about Bea &amp; Co" in done.text
    assert 'name="back" value="/journal?person=Bea+%26+Co"' in done.text
