"""Uploading a zip that holds several exports: each is imported, and the page lists them
and what was skipped."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp"


def test_a_zip_of_several_exports_imports_each(
    client: TestClient, csrf: str, upload: Callable[..., str]
) -> None:
    assert csrf
    german = (FIXTURES / "locales" / "WhatsApp Chat mit Jonas.txt").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("de/WhatsApp Chat mit Jonas.txt", german.replace(b"Mira", b"Sam"))
        archive.writestr(
            "en/WhatsApp Chat with Alex.txt",
            (FIXTURES / "WhatsApp Chat with Alex.txt").read_bytes(),
        )
        archive.writestr("<b>bold</b>.jpg", b"\xff\xd8\xff")
        archive.writestr("bad/WhatsApp Chat with Jo.txt", b"31/02/2024, 10:00 - Jo: x\n")
    body = upload(client, "phone backup.zip", buffer.getvalue(), me="Sam", timezone="UTC")
    assert 'class="done"' in body, body
    body = " ".join(body.split())  # the page's own line breaks
    assert "3 exports found in it" in body
    assert "de/WhatsApp Chat mit Jonas.txt (WhatsApp): 6 new messages" in body
    assert "en/WhatsApp Chat with Alex.txt (WhatsApp): 10 new messages" in body
    assert "as German exports write them" in body
    assert "phone backup.zip/bad/WhatsApp Chat with Jo.txt:1: the date 31/2/2024" in body
    assert "reciprocity-unpacked" not in body
    # the skipped file's name is shown as text, never as markup
    assert "&lt;b&gt;bold&lt;/b&gt;.jpg: a photo, video, sound or document" in body
    assert "<b>bold</b>" not in body
    again = upload(client, "phone backup.zip", buffer.getvalue(), me="Sam", timezone="UTC")
    assert "0 new messages of 16" in again
