"""Reactions on the pages: the import says how many came apart from the messages, and the
attention evidence shows a reaction as one ("José Ramírez reacted ❤ to your message")."""

from __future__ import annotations

import re
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


RIO = (
    Path(__file__).parent.parent
    / "fixtures"
    / "messenger"
    / "good_news"
    / "riotanaka_31337"
    / "message_1.json"
)


@pytest.fixture
def rio_client(tmp_path: Path) -> Iterator[TestClient]:
    db = store.open_db(tmp_path / "r.sqlite")
    pipeline.import_file(db, RIO, me="Sam Lee")
    db.engine.dispose()
    app = create_app(tmp_path / "r.sqlite", uploads=tmp_path / "uploads")
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def test_good_news_answered_by_a_reaction_says_so(
    rio_client: TestClient, relationship_id: Callable[[TestClient, str], int]
) -> None:
    rio = relationship_id(rio_client, "Rio Tanaka")
    page = rio_client.get(f"/relationship/{rio}").text
    said = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "how you responded (2): warm and interested 1, reacted warmly without words 1" in said
    theirs = rio_client.get(f"/relationship/{rio}/messages?topic=good_news&sender=them").text
    assert 'No reply in words; you reacted with <span class="text">🎉</span>.' in theirs
    mine = rio_client.get(f"/relationship/{rio}/messages?topic=good_news&sender=me").text
    assert 'No reply in words; Rio Tanaka reacted with <span class="text">😮</span>.' in mine
    # The celebration it gave, in the evidence behind the reading.
    given = rio_client.get(f"/relationship/{rio}/evidence?dimension=celebration&giver=me").text
    assert 'No reply in words; you reacted with <span class="text">🎉</span>.' in given
