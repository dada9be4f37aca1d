"""The web app through an in-process client: pages, import, settings, escaping."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reciprocity import demo


def _upload(upload: Callable[..., str], client: TestClient, csrf: str, path: Path) -> str:
    assert csrf
    body = upload(
        client, path.name, path.read_bytes(), status=202, me=demo.ME, timezone=demo.TIMEZONE
    )
    assert 'class="done"' in body, body
    return body


def test_empty_dashboard_points_to_import(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/import"' in page.text


def test_demo_upload_fills_the_dashboard_and_relationship(
    client: TestClient, csrf: str, upload: Callable[..., str], demo_files: list[Path]
) -> None:
    for path in demo_files:
        result = _upload(upload, client, csrf, path)
        assert "Imported" in result
    again = _upload(upload, client, csrf, demo_files[0])
    assert "0 new messages" in again  # a re-import adds nothing
    page = client.get("/").text
    ids = list(dict.fromkeys(re.findall(r'href="/relationship/(\d+)"', page)))
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
    client: TestClient, csrf: str, upload: Callable[..., str], demo_files: list[Path]
) -> None:
    archive = next(p for p in demo_files if p.suffix == ".zip")
    assert "Imported" in _upload(upload, client, csrf, archive)
    assert "Riley" in client.get("/").text


def test_bad_file_says_what_to_do_and_saves_nothing(
    client: TestClient, csrf: str, upload: Callable[..., str]
) -> None:
    body = upload(client, "notes.txt", b"just some words\n")
    assert 'class="problem"' in body
    assert "notes.txt" in body
    assert "/tmp" not in body  # the server's temporary path is not shown
    assert "Import a chat export" in client.get("/").text  # still empty


def test_upload_over_the_limit_is_refused(client: TestClient, csrf: str) -> None:
    big = b"01/01/2024, 10:00 - Sam: hi\n" * ((3 << 20) // 28)
    response = client.post(
        "/import",
        params={"csrf_token": csrf},
        files={"export": ("big.txt", big)},
    )
    assert response.status_code == 413
    assert "larger than 2 MB" in response.text


def test_settings_change_a_relationship_kind(
    client: TestClient, csrf: str, upload: Callable[..., str], demo_files: list[Path]
) -> None:
    kai = next(p for p in demo_files if "Kai" in p.name)
    _upload(upload, client, csrf, kai)
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


PAGES = ("/", "/journal", "/expectations", "/coach", "/assess", "/parent", "/import", "/settings")


def test_navigation_reaches_every_page_and_marks_the_current_one(demo_client: TestClient) -> None:
    home = demo_client.get("/").text
    nav = home.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    for url in PAGES:
        assert f'href="{url}"' in nav
        page = demo_client.get(url)
        assert page.status_code == 200, url
        assert f'href="{url}" aria-current="page"' in page.text, url
        assert '<a class="skip" href="#main">' in page.text
    assert 'href="/report"' in nav


def test_pages_carry_no_inline_script_or_style(demo_client: TestClient) -> None:
    for url in (*PAGES, "/relationship/1", "/assess?relationship=1"):
        body = demo_client.get(url).text
        assert "<script>" not in body, url
        assert re.findall(r"<script[^>]*>", body) == [
            '<script src="/static/vendor/htmx.min.js" defer>',
            '<script src="/static/app.js" defer>',
        ]
        assert " style=" not in body, url
        assert not re.search(r"\son[a-z]+=", body), url


def test_every_input_has_a_label(demo_client: TestClient) -> None:
    for url in (*PAGES, "/relationship/1", "/assess?relationship=1", "/journal/1/edit"):
        body = demo_client.get(url).text
        if url.endswith("/edit"):
            continue  # no entry 1 in the demo; covered by the journal tests' edit page
        labelled = set(re.findall(r'<label for="([^"]+)"', body))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", body):
            if 'type="hidden"' in tag or 'type="radio"' in tag:
                continue  # radios sit inside their label, in a fieldset with a legend
            field = re.search(r'id="([^"]+)"', tag)
            assert field, f"{url}: {tag} has no id"
            assert field.group(1) in labelled, f"{url}: {tag}"


def test_dashboard_ranks_ties_and_explains_protect_your_energy(demo_client: TestClient) -> None:
    body = demo_client.get("/").text
    ranked = body.split('id="rank-title"')[1].split("</ol>")[0]
    order = re.findall(r'<a href="/relationship/\d+">(\w+)</a>', ranked)
    assert sorted(order) == ["Alex", "Jordan", "Kai", "Riley"]
    assert order[0] == "Jordan"  # even support both ways
    # Sam gives almost all the support to Riley and most of the listening to Alex.
    assert order.index("Jordan") < order.index("Alex") < order.index("Riley")
    assert "suggestion-talk-it-through" in ranked
    assert ranked.count('<p class="why">') == 4
    assert "Too little to go on yet" not in body
    assert 'record it on the <a href="/coach">coach</a>' in body


def test_dashboard_lists_thin_ties_apart(demo_client: TestClient) -> None:
    from reciprocity import journal

    state = demo_client.app.state.reciprocity  # type: ignore[attr-defined]
    for day in (1, 2):
        journal.add_entry(state.db, "Bea", giver="me", dimension="emotional_support", energy=1,
                          when=datetime(2024, 5, day, tzinfo=UTC))  # fmt: skip
    state.changed()
    body = demo_client.get("/").text
    listed = body.split('id="rank-title"')[1].split("</ol>")[0]
    apart = body.split('id="thin-title"')[1].split("</ul>")[0]
    assert "Bea" not in listed
    assert "<strong>Bea</strong>: 2 moments of give and take counted so far" in apart
    assert "invest" not in apart


def test_relationship_page_has_readings_with_evidence_and_actions(demo_client: TestClient) -> None:
    alex = _id(demo_client, "Alex")
    body = demo_client.get(f"/relationship/{alex}").text
    assert "Why each reading" in body
    assert body.count('<button type="button" hx-get="/relationship/') >= 12
    assert f"/relationship/{alex}/evidence?dimension=attention&amp;giver=me" in body
    assert f'href="/assess?relationship={alex}"' in body
    assert 'href="/journal?person=Alex#log"' in body
    assert 'href="/coach?person=Alex"' in body
    evidence = demo_client.get(f"/relationship/{alex}/evidence?dimension=attention&giver=me")
    assert evidence.status_code == 200
    found = re.search(r"([\d.]+) in the balance, from (\d+) messages?", evidence.text)
    assert found is not None
    weight, count = float(found.group(1)), int(found.group(2))
    assert count > 10
    # Issue 19: the table said 121, the list "112 messages counted". The list now says the
    # balance's figure and what it is made of.
    assert f"{weight:g}" in body
    assert "count more than once" in evidence.text
    assert evidence.text.count("<li>") == 12  # the latest twelve
    assert "You:</span>" in evidence.text
    bad = demo_client.get(f"/relationship/{alex}/evidence?dimension=mind_reading&giver=me")
    assert bad.status_code == 404


def test_import_result_names_the_format(
    client: TestClient, csrf: str, upload: Callable[..., str], demo_files: list[Path]
) -> None:
    body = _upload(upload, client, csrf, demo_files[0])
    assert re.search(r"read as WhatsApp in \d+\.\d s", body), body  # the app by name, not a code
    page = client.get("/import").text
    assert 'id="upload-progress"' in page
    assert 'hx-post="/import"' in page
    script = client.get("/static/app.js")
    assert script.status_code == 200
    assert "htmx:xhr:progress" in script.text


def _id(client: TestClient, person: str) -> int:
    found = re.search(r'href="/relationship/(\d+)">' + person + "<", client.get("/").text)
    assert found
    return int(found.group(1))


def test_examples_and_evidence_show_the_reply_each_message_got(demo_client: TestClient) -> None:
    jordan = _id(demo_client, "Jordan")
    examples = demo_client.get(f"/relationship/{jordan}/messages?topic=check_in&sender=me").text
    assert examples.count("<li>") == 10
    assert examples.count('<p class="reply">Reply after ') >= 5  # a balanced friend answers
    evidence = demo_client.get(f"/relationship/{jordan}/evidence?dimension=listening&giver=them")
    assert evidence.text.count('<p class="reply">Reply') >= 1


def test_import_problems_speak_of_the_page_and_keep_the_file_name(
    client: TestClient, csrf: str, upload: Callable[..., str]
) -> None:
    assert csrf
    text = upload(client, "WhatsApp Chat with Chloé.bin", b"\x00\x01 not a chat at all")
    assert 'class="problem"' in text
    assert "WhatsApp Chat with Chloé.bin" in text
    assert "Chlo_" not in text
    assert "--format" not in text
    assert "“Format”" in text
    page = client.get("/import").text
    assert '<select id="format" name="format">' in page  # the control the message names


def test_import_without_my_name_points_to_the_name_field(
    client: TestClient, csrf: str, upload: Callable[..., str], demo_files: list[Path]
) -> None:
    chat = next(p for p in demo_files if p.suffix == ".txt")
    assert csrf
    text = upload(client, chat.name, chat.read_bytes())
    assert 'class="problem"' in text
    assert "--me" not in text
    assert "Your name in the chat" in text


def test_the_chosen_format_is_used(
    client: TestClient, csrf: str, upload: Callable[..., str], demo_files: list[Path]
) -> None:
    chat = next(p for p in demo_files if p.suffix == ".txt")
    assert csrf
    text = upload(client, chat.name, chat.read_bytes(), me=demo.ME, format="csv")
    assert 'class="problem"' in text  # read as CSV, a WhatsApp export has no header row
    assert "missing columns" in text


def test_uploaded_names_are_made_safe_but_keep_their_letters() -> None:
    from reciprocity.web.app import safe_file_name

    assert safe_file_name("WhatsApp Chat with Chloé.txt") == "WhatsApp Chat with Chloé.txt"
    assert safe_file_name("Чат с Дашей.zip") == "Чат с Дашей.zip"
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("..\\..\\boot.ini") == "boot.ini"
    assert safe_file_name("..") == "export"
    assert safe_file_name(None) == "export"
    assert safe_file_name('a<b>"c|d?.txt') == "a_b__c_d_.txt"


def test_import_result_counts_in_the_right_number(
    client: TestClient, csrf: str, upload: Callable[..., str], demo_files: list[Path]
) -> None:
    chat = next(p for p in demo_files if p.name == "WhatsApp Chat with Alex.txt")
    result = _upload(upload, client, csrf, chat)
    assert "1 new person," in result
    assert "new people" not in result
