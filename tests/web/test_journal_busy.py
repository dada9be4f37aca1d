"""A journal entry posted while another program writes to the database (an import) is
saved once it may write, or comes back in the form with a plain message: never lost."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reciprocity import journal
from reciprocity.store import db as db_module
from reciprocity.web.security import CSRF_COOKIE

Holder = Callable[[Path, float], AbstractContextManager[subprocess.Popen[str]]]


def _token(client: TestClient) -> str:
    if not client.cookies.get(CSRF_COOKIE):
        client.get("/journal")
    return str(client.cookies.get(CSRF_COOKIE))


def _post(client: TestClient, token: str, **fields: Any) -> Any:
    data = {
        "csrf_token": token,
        "kind": "interaction",
        "giver": "me",
        "new_person": "true",
        "person": "Alex",
        "dimension": "practical_help",
        "note": "helped me move flat",
    } | fields
    return client.post("/journal", data=data, follow_redirects=False)


def _db_file(client: TestClient) -> Path:
    path = client.app.state.reciprocity.db.path  # type: ignore[attr-defined]
    assert isinstance(path, Path)
    return path


def test_an_entry_posted_during_another_write_waits_and_is_saved(
    client: TestClient, hold_write_lock: Holder
) -> None:
    token = _token(client)
    with hold_write_lock(_db_file(client), 1.5):
        response = _post(client, token)
    assert response.status_code == 303
    db = client.app.state.reciprocity.db  # type: ignore[attr-defined]
    assert journal.entries_frame(db)["note"].to_list() == ["helped me move flat"]


def test_an_entry_that_cannot_be_saved_in_time_comes_back_in_the_form(
    client: TestClient, hold_write_lock: Holder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "WRITE_PATIENCE", 0.3)
    token = _token(client)
    with hold_write_lock(_db_file(client), 60):
        response = _post(client, token)
    assert response.status_code == 503
    assert "nothing was written" in response.text
    assert "Try again" in response.text
    assert 'value="helped me move flat"' in response.text  # what they typed is kept
    assert _post(client, token).status_code == 303  # and saved once the other write is done
