"""Web app fixtures: an app over an empty database, the demo's database, or a hostile chat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reciprocity import demo, ingest, pipeline, store
from reciprocity.web import create_app
from reciprocity.web.security import CSRF_COOKIE

HOSTILE = Path(__file__).parent.parent / "fixtures" / "web" / "WhatsApp Chat with Mallory.txt"


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo exports, written once."""
    return demo.write_demo(tmp_path_factory.mktemp("demo-files"))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A client of an app over a new, empty database."""
    with TestClient(create_app(tmp_path / "web.sqlite", max_upload=2 << 20)) as test_client:
        yield test_client


@pytest.fixture
def hostile_client(tmp_path: Path) -> Iterator[TestClient]:
    """A client of an app whose one chat attacks the page (name and messages)."""
    db = store.open_db(tmp_path / "hostile.sqlite")
    pipeline.import_file(db, HOSTILE, me="Sam", options=ingest.Options(timezone="UTC"))
    with TestClient(create_app(tmp_path / "hostile.sqlite")) as test_client:
        yield test_client


@pytest.fixture
def csrf(client: TestClient) -> str:
    """The CSRF token the app hands ``client`` with its first page."""
    client.get("/import")
    value = client.cookies.get(CSRF_COOKIE)
    assert isinstance(value, str)
    return value
