"""Web app fixtures: an app over an empty database, the demo's database, or a hostile chat."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reciprocity import demo, ingest, pipeline, store
from reciprocity.web import create_app
from reciprocity.web.security import CSRF_COOKIE

HOSTILE = Path(__file__).parent.parent / "fixtures" / "web" / "WhatsApp Chat with Mallory.txt"

#: Text written to break out of HTML: a script, an attribute break with an image, a link.
ATTACKS = (
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
)


def _assert_inert(body: str) -> None:
    """Fail when ``body`` carries any of :data:`ATTACKS` as live markup."""
    assert '<script>alert("x")' not in body
    assert "<img src=x" not in body
    assert 'href="javascript:' not in body
    assert 'src="javascript:' not in body


def _token(client: TestClient) -> str:
    """The CSRF token the app handed ``client`` (fetching a page first when needed)."""
    value = client.cookies.get(CSRF_COOKIE)
    if not value:
        client.get("/import")
        value = client.cookies.get(CSRF_COOKIE)
    assert isinstance(value, str)
    return value


def _relationship_id(client: TestClient, person: str) -> int:
    """The id the dashboard links ``person``'s relationship page with."""
    page = client.get("/").text
    found = re.search(r'href="/relationship/(\d+)">' + re.escape(person) + "<", page)
    assert found, f"{person} is not on the dashboard"
    return int(found.group(1))


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo exports, written once."""
    return demo.write_demo(tmp_path_factory.mktemp("demo-files"))


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory, demo_files: list[Path]) -> Path:
    """A database with the demo imported and analysed once; tests work on copies."""
    path = tmp_path_factory.mktemp("demo-db") / "demo.sqlite"
    db = store.open_db(path)
    for file in demo_files:
        pipeline.import_file(db, file, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
    pipeline.analyze(db)  # fills the derived-frame cache, so each copy starts warm
    db.engine.dispose()
    return path


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A client of an app over a new, empty database."""
    with TestClient(create_app(tmp_path / "web.sqlite", max_upload=2 << 20)) as test_client:
        yield test_client


@pytest.fixture
def demo_client(tmp_path: Path, demo_database: Path) -> Iterator[TestClient]:
    """A client of an app over a copy of the demo database (free to change)."""
    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_database, copy)
    with TestClient(create_app(copy)) as test_client:
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
    return _token(client)


@pytest.fixture
def attacks() -> tuple[str, ...]:
    """Hostile texts to type into names, notes and drafts (:data:`ATTACKS`)."""
    return ATTACKS


@pytest.fixture
def assert_inert() -> Callable[[str], None]:
    """Fails when a page carries any of :data:`ATTACKS` as live markup."""
    return _assert_inert


@pytest.fixture
def token() -> Callable[[TestClient], str]:
    """Gives the CSRF token a client holds (fetching a page first when needed)."""
    return _token


@pytest.fixture
def relationship_id() -> Callable[[TestClient, str], int]:
    """Gives the id the dashboard links a person's relationship page with."""
    return _relationship_id
