"""The coach page: HTMX fragment or whole page, measured imbalance, conversation records."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from reciprocity import guide
from reciprocity.web.security import CSRF_COOKIE

HX = {"HX-Request": "true"}


def _csrf(client: TestClient) -> str:
    """The client's CSRF cookie, after a first page when it has none yet."""
    if not client.cookies.get(CSRF_COOKIE):
        client.get("/import")
    return str(client.cookies.get(CSRF_COOKIE))


def _coach(client: TestClient, draft: str, person: str = "", **headers: str) -> tuple[int, str]:
    response = client.post(
        "/coach",
        data={"csrf_token": _csrf(client), "draft": draft, "person": person},
        headers=headers,
    )
    return response.status_code, response.text


def test_htmx_gets_the_result_alone_with_the_measured_imbalance(demo_client: TestClient) -> None:
    status, body = _coach(demo_client, "You never ask how I am!", "Alex", **HX)
    assert status == 200
    assert "<html" not in body  # a fragment, swapped under the form
    assert "accusation" in body
    assert "absolute" in body
    assert "I feel unheard when you don&#39;t ask how I am" in body
    # The demo's Sam starts most conversations with Alex: the statement says so.
    assert "starts most of our conversations" in body
    assert "We had this conversation" in body


def test_without_script_the_whole_page_comes_back_and_a_good_draft_is_left_alone(
    client: TestClient,
) -> None:
    status, body = _coach(client, "I feel tired when our plans change at the last minute.")
    assert status == 200
    assert "<html" in body
    assert "Nothing that sounds like an attack" in body
    assert 'class="statement"' not in body
    assert "We had this conversation" not in body  # no person, nothing to record
    assert "I feel tired when our plans change" in body  # the draft stays in the form


def test_an_empty_draft_is_refused_kindly(client: TestClient) -> None:
    for draft in ("   ", "?!...", "\u2014 :) \u2014"):
        status, body = _coach(client, draft, **HX)
        assert status == 400, draft
        assert "There is nothing to check yet" in body
        assert "already speaks from your side" not in body


def test_a_draft_in_another_language_is_not_approved(client: TestClient) -> None:
    status, body = _coach(client, "Du hörst mir nie zu")
    assert status == 400
    assert "<html" in body
    assert "The coach reads English only, and this looks like German" in body
    assert "already speaks from your side" not in body
    assert "Nothing that sounds like an attack" not in body


def test_recording_the_conversation_feeds_protect_your_energy(
    demo_client: TestClient,
    token: Callable[[TestClient], str],
    relationship_id: Callable[[TestClient, str], int],
) -> None:
    response = demo_client.post(
        "/coach/record",
        data={
            "csrf_token": token(demo_client),
            "person": "Alex",
            "draft": "you never ask how I am",
            "statement": "I feel unheard when you don't ask how I am.",
            "when": "2024-02-01",
        },
        headers=HX,
    )
    assert response.status_code == 200
    assert "you talked with Alex on 2024-02-01" in response.text
    state = demo_client.app.state.reciprocity  # type: ignore[attr-defined]
    saved = guide.conversation_records(state.db)
    assert saved["person"].to_list() == ["Alex"]
    dashboard = demo_client.get("/").text
    assert "talked on 2024-02-01" in dashboard
    assert any(s in dashboard for s in ("no change", "changed", "too early"))
    detail = demo_client.get(f"/relationship/{relationship_id(demo_client, 'Alex')}").text
    assert "I feel unheard when you don&#39;t ask how I am." in detail


def test_coach_forms_refuse_a_missing_token(client: TestClient) -> None:
    assert client.post("/coach", data={"draft": "you never call"}).status_code == 403
    refused = client.post("/coach/record", data={"person": "Alex", "when": "2024-01-01"})
    assert refused.status_code == 403
    state = client.app.state.reciprocity  # type: ignore[attr-defined]
    assert guide.conversation_records(state.db).height == 0


def test_hostile_drafts_and_names_are_shown_as_text(
    client: TestClient,
    token: Callable[[TestClient], str],
    assert_inert: Callable[[str], None],
    attacks: tuple[str, ...],
) -> None:
    for attack in attacks:
        draft = f"you never listen {attack}"
        for headers in ({}, HX):
            status, body = _coach(client, draft, attack, **headers)
            assert status == 200
            assert_inert(body)
            assert "&lt;" in body or "javascript:alert" in body
        recorded = client.post(
            "/coach/record",
            data={"csrf_token": token(client), "person": attack, "draft": draft},
            headers=HX,
        )
        assert_inert(recorded.text)
    assert_inert(client.get("/").text)


def test_a_talk_with_a_name_nobody_has_is_refused_with_the_closest(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    response = demo_client.post(
        "/coach/record",
        data={"csrf_token": token(demo_client), "person": "Alx", "draft": "you never call"},
        headers=HX,
    )
    assert response.status_code == 400
    assert "No one called Alx. Did you mean Alex?" in response.text
    state = demo_client.app.state.reciprocity  # type: ignore[attr-defined]
    assert "Alx" not in guide.conversation_records(state.db)["person"].to_list()
