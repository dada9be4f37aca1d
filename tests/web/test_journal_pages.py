"""The journal pages: quick log, list, edit, delete, energy charts, CSRF and escaping."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import polars as pl
from fastapi.testclient import TestClient

from reciprocity import journal
from reciprocity.web.security import CSRF_COOKIE


def _csrf(client: TestClient) -> str:
    """The client's CSRF cookie, after a first page when it has none yet."""
    if not client.cookies.get(CSRF_COOKIE):
        client.get("/import")
    return str(client.cookies.get(CSRF_COOKIE))


def _log(client: TestClient, status: int = 200, **fields: Any) -> str:
    data = {"csrf_token": _csrf(client), "kind": "interaction", "giver": "me"} | fields
    response = client.post("/journal", data=data)
    assert response.status_code == status, response.text
    return str(response.text)


def _entries(client: TestClient) -> pl.DataFrame:
    state = client.app.state.reciprocity  # type: ignore[attr-defined]
    return journal.entries_frame(state.db)


def test_a_logged_moment_is_listed_charted_and_reaches_the_relationship(
    demo_client: TestClient, relationship_id: Callable[[TestClient, str], int]
) -> None:
    before = demo_client.get("/").text
    assert "energy afterwards not logged" in before
    for day, energy in (("2024-03-01", "-2"), ("2024-03-08", "-1"), ("2024-03-15", "1")):
        _log(demo_client, person="Alex", dimension="practical_help", energy=energy, when=day)
    page = demo_client.get("/journal").text
    assert page.count('class="chart energy"') == 1
    assert page.count("<circle") == 3
    assert "average -0.7" in page
    saved = _entries(demo_client)
    assert saved["energy"].to_list() == [-2, -1, 1]
    assert saved["dimension"].to_list() == ["practical_help"] * 3
    # The cache was refreshed: the ranking and the relationship page see the journal.
    assert "energy afterwards -0.7 on average from 3 entries (drains you)" in (
        demo_client.get("/").text
    )
    detail = demo_client.get(f"/relationship/{relationship_id(demo_client, 'Alex')}").text
    assert "How you felt afterwards" in detail
    assert detail.count('class="chart energy"') == 1
    assert "2024-03-15: +1" in detail


def test_money_task_and_conflict_keep_their_own_fields(client: TestClient) -> None:
    _log(
        client,
        new_person="true",
        person="Alex",
        kind="money",
        amount="12,50",
        currency="gbp",
        settled="true",
        note="lunch",
    )
    _log(client, new_person="true", person="Pat", kind="task", giver="them", note="school run")
    _log(client, new_person="true", person="Mia", kind="conflict", note="shouting at dinner")
    saved = _entries(client).sort("person")
    assert saved.select("kind", "amount_minor", "currency", "settled", "giver").rows() == [
        ("money", 1250, "GBP", True, "me"),
        ("conflict", None, None, False, None),
        ("task", None, None, None, "them"),
    ]
    page = client.get("/journal").text
    assert "£12.50" in page
    assert "done by them" in page


def test_a_form_with_a_problem_comes_back_filled_in(client: TestClient) -> None:
    body = _log(client, 400, new_person="true", person="Alex", note="kept", energy="7")
    assert "energy goes from -2" in body
    assert 'value="Alex"' in body
    assert 'value="kept"' in body
    body = _log(client, 400, new_person="true", person="Alex")
    assert "something given or an energy" in body
    assert _entries(client).height == 0


def test_edit_changes_fields_and_keeps_the_day_when_left_empty(
    client: TestClient, token: Callable[[TestClient], str]
) -> None:
    _log(
        client,
        new_person="true",
        person="Alex",
        kind="money",
        amount="20",
        when="2024-02-02",
        energy="1",
    )
    entry_id = int(_entries(client)["id"][0])
    form = client.get(f"/journal/{entry_id}/edit").text
    assert 'value="2024-02-02"' in form
    assert re.search(r'value="money" selected', form)
    response = client.post(
        f"/journal/{entry_id}",
        data={
            "csrf_token": token(client),
            "person": "Alex",
            "kind": "interaction",
            "giver": "them",
            "dimension": "listening",
            "energy": "2",
            "note": "long walk",
            "when": "",
        },
    )
    assert response.status_code == 200
    row = _entries(client).row(0, named=True)
    assert (row["kind"], row["dimension"], row["giver"], row["energy"]) == (
        "interaction",
        "listening",
        "them",
        2,
    )
    assert row["amount_minor"] is None  # nothing stale from the money entry
    assert row["currency"] is None
    assert row["timestamp"].date().isoformat() == "2024-02-02"


def test_delete_removes_the_entry_and_unknown_ids_are_404(
    client: TestClient, token: Callable[[TestClient], str]
) -> None:
    _log(client, new_person="true", person="Alex", energy="0")
    entry_id = int(_entries(client)["id"][0])
    asked = client.get(f"/journal/{entry_id}/delete")
    assert "Delete this journal entry?" in asked.text
    assert _entries(client).height == 1
    gone = client.post(f"/journal/{entry_id}/delete", data={"csrf_token": token(client)})
    assert gone.status_code == 200
    assert _entries(client).height == 0
    again = client.post(f"/journal/{entry_id}/delete", data={"csrf_token": token(client)})
    assert again.status_code == 404
    assert client.get(f"/journal/{entry_id}/edit").status_code == 404


def test_journal_forms_refuse_a_missing_or_wrong_token(client: TestClient) -> None:
    _log(client, new_person="true", person="Alex", energy="1")
    entry_id = int(_entries(client)["id"][0])
    fields = {"person": "Eve", "kind": "interaction", "energy": "-2"}
    for url in ("/journal", f"/journal/{entry_id}", f"/journal/{entry_id}/delete"):
        assert client.post(url, data=fields).status_code == 403
        assert client.post(url, data=fields | {"csrf_token": "x" * 43}).status_code == 403
    assert _entries(client)["person"].to_list() == ["Alex"]


def test_hostile_names_and_notes_are_text_everywhere(
    client: TestClient, assert_inert: Callable[[str], None], attacks: tuple[str, ...]
) -> None:
    for attack in attacks:
        _log(
            client,
            new_person="true",
            person=attack,
            energy="-1",
            note=attack,
            dimension="listening",
        )
    entry_id = int(_entries(client)["id"][0])
    for url in ("/journal", f"/journal/{entry_id}/edit", "/", "/coach", "/expectations"):
        body = client.get(url).text
        assert_inert(body)
    page = client.get("/journal").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "javascript:alert(document.cookie)" in page  # as text, never as a link


def test_an_unknown_name_is_refused_with_the_closest_until_ticked_new(
    demo_client: TestClient,
) -> None:
    body = _log(demo_client, 400, person="Rilye", dimension="listening")
    assert "No one called Rilye. Did you mean Riley?" in body
    assert "Someone new" in body  # the page's own checkbox, not a command-line option
    assert "--new" not in body
    assert 'value="Rilye"' in body  # the form comes back filled in
    assert _entries(demo_client).height == 0
    _log(demo_client, person="Bobby", new_person="true", dimension="listening")
    _log(demo_client, person="riley", dimension="listening")  # the known spelling is kept
    assert _entries(demo_client)["person"].to_list() == ["Bobby", "Riley"]


def test_a_day_in_the_future_is_refused(client: TestClient) -> None:
    page = client.get("/journal").text
    assert re.search(r'name="when" type="date" value="" max="\d{4}-\d\d-\d\d"', page)
    body = _log(client, 400, new_person="true", person="Alex", energy="1", when="2999-01-01")
    assert "2999-01-01 is in the future" in body
    assert _entries(client).height == 0


def test_an_edit_to_an_unknown_name_is_refused(client: TestClient) -> None:
    _log(client, new_person="true", person="Alex", energy="1", when="2024-02-02")
    entry_id = int(_entries(client)["id"][0])
    data = {"csrf_token": _csrf(client), "kind": "interaction", "giver": "me", "energy": "1"}
    response = client.post(f"/journal/{entry_id}", data=data | {"person": "Alx"})
    assert response.status_code == 400
    assert "Did you mean Alex?" in response.text
    assert _entries(client)["person"].to_list() == ["Alex"]
