"""Expectations, the check-in and parent mode through the web pages."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from reciprocity import guide
from reciprocity.web.security import CSRF_COOKIE


def _csrf(client: TestClient) -> str:
    """The client's CSRF cookie, after a first page when it has none yet."""
    if not client.cookies.get(CSRF_COOKIE):
        client.get("/import")
    return str(client.cookies.get(CSRF_COOKIE))


def _expect(client: TestClient, status: int = 200, **fields: str) -> str:
    response = client.post("/expectations", data={"csrf_token": _csrf(client)} | fields)
    assert response.status_code == status, response.text
    return str(response.text)


def test_a_need_is_checked_with_its_evidence_and_can_be_deleted(
    demo_client: TestClient,
    token: Callable[[TestClient], str],
    relationship_id: Callable[[TestClient, str], int],
) -> None:
    body = _expect(demo_client, person="Alex", rule="reply", value="24", note="just answer")
    assert "Alex</strong> answers my messages within 24 hours" in body
    status = re.search(r'<span class="badge">(met|not met|not enough data)</span>', body)
    assert status, "the check's status is shown"
    assert "of your messages got an answer within 24 hours" in body
    assert "In your words: “just answer”" in body
    detail = demo_client.get(f"/relationship/{relationship_id(demo_client, 'Alex')}").text
    assert "answers my messages within 24 hours" in detail
    state = demo_client.app.state.reciprocity  # type: ignore[attr-defined]
    key = int(guide.list_expectations(state.db)["id"][0])
    gone = demo_client.post(f"/expectations/{key}/delete", data={"csrf_token": token(demo_client)})
    assert gone.status_code == 200
    assert "answers my messages within" not in gone.text
    missing = demo_client.post(
        f"/expectations/{key}/delete", data={"csrf_token": token(demo_client)}
    )
    assert missing.status_code == 404


def test_a_need_without_data_says_so(client: TestClient) -> None:
    body = _expect(client, new_person="true", person="Nobody", rule="check_in")
    assert "not enough data" in body
    assert "there are no messages with them yet" in body.lower()


def test_a_need_about_an_unknown_name_is_refused_with_the_closest(
    demo_client: TestClient,
) -> None:
    body = _expect(demo_client, 400, person="Jordn", rule="news")
    assert "No one called Jordn. Did you mean Jordan?" in body
    assert "tick “Someone new”" in body
    state = demo_client.app.state.reciprocity  # type: ignore[attr-defined]
    assert guide.list_expectations(state.db).height == 0
    _expect(demo_client, person="jordan", rule="news")
    assert guide.list_expectations(state.db)["person"].to_list() == ["Jordan"]


def test_bad_needs_come_back_with_the_reason(client: TestClient) -> None:
    assert "should be a number" in _expect(
        client, 400, new_person="true", person="Alex", rule="reply", value="soon"
    )
    assert "more than 0" in _expect(
        client, 400, new_person="true", person="Alex", rule="reply", value="-3"
    )
    assert "not a rule kind" in _expect(
        client, 400, new_person="true", person="Alex", rule="telepathy"
    )
    state = client.app.state.reciprocity  # type: ignore[attr-defined]
    assert guide.list_expectations(state.db).height == 0


def test_expectation_forms_refuse_a_missing_token(client: TestClient) -> None:
    refused = client.post("/expectations", data={"person": "Alex", "rule": "news"})
    assert refused.status_code == 403
    _expect(client, new_person="true", person="Alex", rule="news")
    state = client.app.state.reciprocity  # type: ignore[attr-defined]
    key = int(guide.list_expectations(state.db)["id"][0])
    assert client.post(f"/expectations/{key}/delete").status_code == 403
    assert guide.list_expectations(state.db).height == 1


def test_hostile_needs_are_text(
    client: TestClient, assert_inert: Callable[[str], None], attacks: tuple[str, ...]
) -> None:
    for attack in attacks:
        _expect(client, new_person="true", person=attack, rule="news", note=attack)
    body = client.get("/expectations").text
    assert_inert(body)
    assert "&lt;script&gt;" in body


def test_check_in_form_labels_every_answer(
    demo_client: TestClient, relationship_id: Callable[[TestClient, str], int]
) -> None:
    chooser = demo_client.get("/assess").text
    assert 'list="assess-who-names"' in chooser
    page = demo_client.get(f"/assess?relationship={relationship_id(demo_client, 'Alex')}").text
    assert "A short check-in about Alex" in page
    assert page.count("<fieldset") == 4
    assert page.count('type="radio"') == 20
    # Every radio sits inside its label, every group has a legend with the question.
    assert page.count('<label><input type="radio"') == 20
    assert "<legend>When you talk, do you feel heard?</legend>" in page
    assert demo_client.get("/assess?relationship=999").status_code == 404


def test_answers_are_set_next_to_the_data_with_the_disagreements(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    answers = {
        "answer-giving": "1",
        "answer-energy": "3",
        "answer-heard": "5",
        "answer-support": "3",
    }
    response = demo_client.post(
        "/assess", data={"csrf_token": token(demo_client), "person": "Alex"} | answers
    )
    assert response.status_code == 200
    body = response.text
    assert "Saved your check-in about Alex" in body
    # Sam wrote that Alex gives more; the demo's messages say Sam gives most.
    assert "they give far more" in body
    assert re.search(r"you gave \d+% of what went back and forth", body)
    assert '<tr class="differs"><th scope="row">Lately, who gives more' in body
    assert re.search(r"You and the data differ on \d of 4 answers", body)
    again = demo_client.post(
        "/assess", data={"csrf_token": token(demo_client), "person": "Alex"} | answers
    )
    assert "Your check-ins over time" in again.text


def test_a_missing_answer_is_asked_for_and_nothing_is_saved(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    response = demo_client.post(
        "/assess",
        data={"csrf_token": token(demo_client), "person": "Alex", "answer-giving": "2"},
    )
    assert response.status_code == 400
    assert "Please answer every question" in response.text
    assert 'value="2" checked' in response.text  # what was answered stays chosen
    state = demo_client.app.state.reciprocity  # type: ignore[attr-defined]
    assert guide.assessments_frame(state.db).height == 0
    refused = demo_client.post("/assess", data={"person": "Alex", "answer-giving": "2"})
    assert refused.status_code == 403


def test_parent_mode_points_to_settings_then_shows_its_sections(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    empty = demo_client.get("/parent").text
    assert 'href="/settings"' in empty
    assert "No one is marked as your child yet" in empty
    settings = demo_client.get("/settings").text
    kai = re.search(r'name="person_id" value="(\d+)">\s*<label for="kind-\d+">Kai<', settings)
    assert kai
    demo_client.post(
        "/settings/kind",
        data={"csrf_token": token(demo_client), "person_id": kai.group(1), "kind": "child"},
    )
    page = demo_client.get("/parent").text
    for title in (
        "Who looks after whom",
        "Where your support comes from",
        "Conflicts and repairs",
        "Household and parenting tasks",
    ):
        assert title in page
    assert "No one is marked" not in page


def test_a_check_in_about_a_name_nobody_has_is_refused(
    demo_client: TestClient, token: Callable[[TestClient], str]
) -> None:
    answers = {
        "answer-giving": "1",
        "answer-energy": "3",
        "answer-heard": "5",
        "answer-support": "3",
    }
    response = demo_client.post(
        "/assess", data={"csrf_token": token(demo_client), "person": "Rilee"} | answers
    )
    assert response.status_code == 400
    assert "No one called Rilee. Did you mean Riley?" in response.text
