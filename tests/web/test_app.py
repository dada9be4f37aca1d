"""The web app through an in-process client: pages, import, settings, escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reciprocity import demo


def _upload(client: TestClient, csrf: str, path: Path) -> str:
    response = client.post(
        "/import",
        data={"csrf_token": csrf, "me": demo.ME, "timezone": demo.TIMEZONE},
        files={"export": (path.name, path.read_bytes())},
    )
    assert response.status_code == 200, response.text
    return str(response.text)


def test_empty_dashboard_points_to_import(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/import"' in page.text


def test_demo_upload_fills_the_dashboard_and_relationship(
    client: TestClient, csrf: str, demo_files: list[Path]
) -> None:
    for path in demo_files:
        result = _upload(client, csrf, path)
        assert "Imported" in result
    again = _upload(client, csrf, demo_files[0])
    assert "0 new messages" in again  # a re-import adds nothing
    page = client.get("/").text
    ids = re.findall(r'href="/relationship/(\d+)"', page)
    assert len(ids) == 4
    for name in ("Alex", "Jordan", "Riley", "Kai"):
        assert name in page
    detail = client.get(f"/relationship/{ids[0]}")
    assert detail.status_code == 200
    assert 'role="img"' in detail.text
    examples = client.get(f"/relationship/{ids[0]}/messages?topic=check_in&sender=me")
    assert examples.status_code == 200
    assert examples.text.count("<li>") >= 1


def test_zip_archive_is_read_without_extracting(
    client: TestClient, csrf: str, demo_files: list[Path]
) -> None:
    archive = next(p for p in demo_files if p.suffix == ".zip")
    assert "Imported" in _upload(client, csrf, archive)
    assert "Riley" in client.get("/").text


def test_bad_file_says_what_to_do_and_saves_nothing(client: TestClient, csrf: str) -> None:
    response = client.post(
        "/import",
        data={"csrf_token": csrf},
        files={"export": ("notes.txt", b"just some words\n")},
    )
    assert response.status_code == 400
    assert "notes.txt" in response.text
    assert "/tmp" not in response.text  # the server's temporary path is not shown
    assert "Import a chat export" in client.get("/").text  # still empty


def test_upload_over_the_limit_is_refused(client: TestClient, csrf: str) -> None:
    big = b"01/01/2024, 10:00 - Sam: hi\n" * ((3 << 20) // 28)
    response = client.post(
        "/import",
        data={"csrf_token": csrf},
        files={"export": ("big.txt", big)},
    )
    assert response.status_code == 413
    assert "larger than 2 MB" in response.text


def test_settings_change_a_relationship_kind(
    client: TestClient, csrf: str, demo_files: list[Path]
) -> None:
    kai = next(p for p in demo_files if "Kai" in p.name)
    _upload(client, csrf, kai)
    page = client.get("/settings").text
    person_id = re.search(r'name="person_id" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    saved = client.post(
        "/settings/kind",
        data={"csrf_token": csrf, "person_id": person_id, "kind": "child"},
    )
    assert saved.status_code == 200  # followed the redirect back to the settings
    assert '<option value="child" selected>' in saved.text


@pytest.mark.parametrize(
    "url",
    ["/", "/relationship/1", "/settings", "/report"],
)
def test_hostile_text_is_shown_as_text(hostile_client: TestClient, url: str) -> None:
    page = hostile_client.get(url)
    assert page.status_code == 200
    body = page.text
    assert "<img src=x" not in body
    assert "<script>alert" not in body
    assert "onerror=alert(1)&gt;" in body  # the name is there, as text
    assert 'href="javascript:' not in body


def test_hostile_messages_are_escaped_in_examples(hostile_client: TestClient) -> None:
    body = hostile_client.get("/relationship/1/messages?topic=good_news&sender=them").text
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in body
