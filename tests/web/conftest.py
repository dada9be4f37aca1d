"""Web app fixtures: an app over an empty database, the demo's database, or a hostile chat."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reciprocity import demo, ingest, pipeline, store
from reciprocity.web import create_app
from reciprocity.web.security import CSRF_COOKIE

#: The address tests send requests to: a loopback name, as a browser on this computer would.
BASE_URL = "http://127.0.0.1"

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


def finish(client: TestClient, response: Any, timeout: float = 60.0) -> str:
    """The last word of an import started by ``response`` (the upload's answer): its job
    page asked for until the import is over (``class="done"`` or ``class="problem"``)."""
    if 'hx-trigger="every' not in response.text:
        return str(response.text)  # refused, or over before the answer was written
    found = re.search(r"/import/jobs/([\w-]+)", str(response.url) + response.text)
    assert found, response.text
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/import/jobs/{found.group(1)}", headers={"HX-Request": "true"}).text
        if 'hx-trigger="every' not in body:
            return str(body)
        assert time.monotonic() < deadline, "the import did not finish in time"
        time.sleep(0.05)


def _upload(
    client: TestClient, name: str, content: bytes, *, status: int | None = None, **fields: str
) -> str:
    """Upload ``content`` as the file ``name`` with the form's ``fields`` the way the page
    does (HTMX, the token in the address), and wait for the import's answer."""
    token = _token(client)
    response = client.post(
        "/import",
        params={"csrf_token": token},
        data=fields,
        files={"export": (name, content)},
        headers={"HX-Request": "true"},
    )
    if status is not None:
        assert response.status_code == status, response.text
    return finish(client, response)


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
    app = create_app(tmp_path / "web.sqlite", max_upload=2 << 20, uploads=tmp_path / "uploads")
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def demo_client(tmp_path: Path, demo_database: Path) -> Iterator[TestClient]:
    """A client of an app over a copy of the demo database (free to change)."""
    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_database, copy)
    with TestClient(
        create_app(copy, uploads=tmp_path / "uploads"), base_url=BASE_URL
    ) as test_client:
        yield test_client


@pytest.fixture
def hostile_client(tmp_path: Path) -> Iterator[TestClient]:
    """A client of an app whose one chat attacks the page (name and messages)."""
    db = store.open_db(tmp_path / "hostile.sqlite")
    pipeline.import_file(db, HOSTILE, me="Sam", options=ingest.Options(timezone="UTC"))
    app = create_app(tmp_path / "hostile.sqlite", uploads=tmp_path / "uploads")
    with TestClient(app, base_url=BASE_URL) as test_client:
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


@pytest.fixture
def upload() -> Callable[..., str]:
    """Uploads a file through the import form and gives the import's answer (the HTML of
    its result, once the worker is done)."""
    return _upload
