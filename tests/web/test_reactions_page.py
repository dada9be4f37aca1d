"""Reactions on the pages: the import says how many came apart from the messages, and the
attention evidence shows a reaction as one ("José Ramírez reacted ❤ to your message")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reciprocity import pipeline, store
from reciprocity.web import create_app

from .conftest import BASE_URL

JOSE = (
    Path(__file__).parent.parent
    / "fixtures"
    / "messenger"
    / "inbox"
    / "joseramirez_10158"
    / "message_2.json"
)


@pytest.fixture
def jose_client(tmp_path: Path) -> Iterator[TestClient]:
    db = store.open_db(tmp_path / "r.sqlite")
    pipeline.import_file(db, JOSE, me="Sam Lee")
    db.engine.dispose()
    app = create_app(tmp_path / "r.sqlite", uploads=tmp_path / "uploads")
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def test_evidence_shows_a_reaction_as_a_reaction(
    jose_client: TestClient, relationship_id: Callable[[TestClient, str], int]
) -> None:
    jose = relationship_id(jose_client, "José Ramírez")
    page = jose_client.get(f"/relationship/{jose}/evidence?dimension=attention&giver=them").text
    assert "1 reaction" in page
    assert 'reacted <span class="text">❤</span> to your message' in page


def test_the_import_counts_reactions_apart(
    client: TestClient, csrf: str, upload: Callable[..., str]
) -> None:
    assert csrf
    text = upload(client, "message_2.json", JOSE.read_bytes(), me="Sam Lee")
    assert 'class="done"' in text, text
    assert "and 1 new reaction" in text
