"""Issue 22, points 1-3: only our own host and origin, signed tokens, bodies bounded before
they are read, imports off the request path in a private folder."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reciprocity import demo, pipeline
from reciprocity.web import create_app
from reciprocity.web.security import CSRF_COOKIE, Tokens

NAMES = ("Alex", "Jordan", "Riley", "Kai")


# --- 1. DNS rebinding: another name for 127.0.0.1 gets nothing ---------------------------


@pytest.mark.parametrize(
    "url", ["/", "/report", "/relationship/1", "/relationship/1/messages?topic=check_in"]
)
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example"])
def test_another_host_name_gets_nothing(demo_client: TestClient, url: str, host: str) -> None:
    assert demo_client.get(url).status_code == 200  # the page is there for our own name
    response = demo_client.get(url, headers={"host": host})
    assert response.status_code in (400, 403)
    for name in NAMES:
        assert name not in response.text
    assert "address" in response.text  # says, in words, where to open the app


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "LOCALHOST"])
def test_loopback_names_are_answered(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"host": host}).status_code == 200


def test_the_served_port_must_be_the_one_in_the_host(tmp_path: Path) -> None:
    app = create_app(tmp_path / "db.sqlite", port=8765, uploads=tmp_path / "up")
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200
        assert client.get("/", headers={"host": "127.0.0.1:9999"}).status_code == 400
        assert client.get("/", headers={"host": "127.0.0.1"}).status_code == 400


def test_the_bound_address_is_answered(tmp_path: Path) -> None:
    app = create_app(tmp_path / "db.sqlite", host="127.0.0.2", uploads=tmp_path / "up")
    with TestClient(app, base_url="http://127.0.0.2") as client:
        assert client.get("/").status_code == 200


# --- 1. Origin and Sec-Fetch-Site on every request that changes something ----------------


def _kind(client: TestClient, token: str, **headers: str) -> int:
    response = client.post(
        "/settings/kind",
        data={"csrf_token": token, "person_id": "999", "kind": "friend"},
        headers=headers,
        follow_redirects=False,
    )
    return response.status_code


def test_a_post_from_another_origin_is_refused_even_with_a_valid_token(
    client: TestClient, csrf: str
) -> None:
    assert _kind(client, csrf, origin="http://evil.example") == 403
    assert _kind(client, csrf, origin="http://127.0.0.1:9999") == 403  # another local app
    assert _kind(client, csrf, origin="null") == 403
    assert _kind(client, csrf, **{"sec-fetch-site": "cross-site"}) == 403
    assert _kind(client, csrf, **{"sec-fetch-site": "same-site"}) == 403
    refused = client.post(
        "/settings/kind",
        data={"csrf_token": csrf, "person_id": "999", "kind": "friend"},
        headers={"origin": "http://evil.example"},
    )
    assert "another web site" in refused.text


def test_our_own_pages_may_post(client: TestClient, csrf: str) -> None:
    own = {"origin": "http://127.0.0.1", "sec-fetch-site": "same-origin"}
    assert _kind(client, csrf, **own) == 400  # past the checks; person 999 is unknown
    assert _kind(client, csrf) == 400  # no Origin: not a browser, the token decides
    assert _kind(client, csrf, **{"sec-fetch-site": "none"}) == 400


def test_an_upload_from_another_origin_is_refused(client: TestClient, csrf: str) -> None:
    response = client.post(
        "/import",
        params={"csrf_token": csrf},
        files={"export": ("a.txt", b"01/01/2024, 10:00 - Sam: hi\n")},
        headers={"origin": "http://evil.example", "HX-Request": "true"},
    )
    assert response.status_code == 403


def test_other_sites_may_not_fetch_our_pages(client: TestClient) -> None:
    embedded = client.get("/", headers={"sec-fetch-site": "cross-site", "sec-fetch-mode": "cors"})
    assert embedded.status_code == 403
    followed = client.get(
        "/", headers={"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"}
    )
    assert followed.status_code == 200  # a person following a link from elsewhere


# --- 2. Signed tokens: a cookie and a field chosen elsewhere do not work -----------------


def _plant(client: TestClient, value: str) -> None:
    """Put ``value`` in the browser's token cookie, as another program could."""
    client.cookies.clear()
    client.cookies.set(CSRF_COOKIE, value, domain="127.0.0.1")


def test_a_planted_cookie_and_field_pair_is_refused(client: TestClient, csrf: str) -> None:
    planted = "x" * 43
    _plant(client, planted)
    assert _kind(client, planted) == 403
    # Well-formed, but signed with a secret other than this app's.
    forged = Tokens(b"another app's secret, not ours!!").new()
    _plant(client, forged)
    assert _kind(client, forged) == 403
    upload = client.post(
        "/import",
        params={"csrf_token": forged},
        files={"export": ("a.txt", b"x")},
    )
    assert upload.status_code == 403
    # The real token still works, and a page replaces the planted cookie with a real one.
    _plant(client, csrf)
    assert _kind(client, csrf) == 400
    _plant(client, forged)
    client.get("/")
    fresh = client.cookies.get(CSRF_COOKIE)
    assert fresh
    assert fresh != forged
    assert _kind(client, fresh) == 400


def test_a_token_from_an_earlier_run_is_replaced(tmp_path: Path) -> None:
    first = create_app(tmp_path / "db.sqlite", uploads=tmp_path / "up")
    with TestClient(first, base_url="http://127.0.0.1") as client:
        client.get("/")
        old = client.cookies.get(CSRF_COOKIE)
    again = create_app(tmp_path / "db.sqlite", uploads=tmp_path / "up")
    with TestClient(again, base_url="http://127.0.0.1") as client:
        assert isinstance(old, str)
        _plant(client, old)
        assert _kind(client, old) == 403
        assert "expired" in client.post("/settings/kind", data={"csrf_token": old}).text


# --- 3. Bodies: refused before they are read ----------------------------------------------


class Body:
    """An ASGI ``receive`` that hands out ``total`` bytes in ``chunk``-sized parts and
    counts what the app took."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.left = total
        self.chunk = chunk
        self.read = 0
        # A form's start, then the file's bytes: the parser takes it for a real upload.
        self.head = (
            b'--xyz\r\nContent-Disposition: form-data; name="export"; filename="big.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\n"
        )

    async def __call__(self) -> dict[str, Any]:
        size = min(self.chunk, self.left)
        self.left -= size
        self.read += size
        part, self.head = self.head + b"a" * (size - len(self.head)), b""
        return {"type": "http.request", "body": part, "more_body": self.left > 0}


def _ask(
    app: Any, body: Body, headers: dict[str, str], query: str = ""
) -> tuple[int, dict[str, str], str]:
    """POST /import straight to the ASGI app; (status, headers, text) of its answer."""
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/import",
        "raw_path": b"/import",
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8765),
    }
    # On a thread of its own: the browser tests leave an event loop running on this one.
    worker = threading.Thread(target=asyncio.run, args=(app(scope, body, send),))
    worker.start()
    worker.join(60)
    start = next(m for m in sent if m["type"] == "http.response.start")
    text = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    names = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], names, text.decode()


@pytest.fixture
def raw_app(tmp_path: Path) -> Iterator[tuple[Any, str]]:
    """The app (2 MB uploads) and a token with its cookie, for requests made by hand."""
    app = create_app(tmp_path / "db.sqlite", max_upload=2 << 20, uploads=tmp_path / "up")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.get("/")
        token = client.cookies.get(CSRF_COOKIE)
        assert isinstance(token, str)
        yield app, token


MULTIPART = "multipart/form-data; boundary=xyz"


def test_an_upload_without_a_token_is_refused_before_its_body_is_read(
    raw_app: tuple[Any, str],
) -> None:
    app, _token = raw_app
    body = Body(2000 << 20)  # 2,000 MB, chunked: no length said
    status, headers, text = _ask(
        app,
        body,
        {"host": "127.0.0.1", "content-type": MULTIPART, "transfer-encoding": "chunked"},
    )
    assert status == 403
    assert body.read == 0
    assert headers["connection"] == "close"  # the server stops reading the rest
    assert "Reload the page" in text


def test_a_token_in_the_body_only_is_not_enough_for_an_upload(
    client: TestClient, csrf: str
) -> None:
    response = client.post("/import", data={"csrf_token": csrf}, files={"export": ("a.txt", b"x")})
    assert response.status_code == 403


def test_a_declared_size_over_the_limit_is_refused_before_the_body_is_read(
    raw_app: tuple[Any, str],
) -> None:
    app, token = raw_app
    body = Body(1000 << 20)
    status, headers, text = _ask(
        app,
        body,
        {
            "host": "127.0.0.1",
            "content-type": MULTIPART,
            "content-length": str(1000 << 20),
            "cookie": f"{CSRF_COOKIE}={token}",
            "x-csrf-token": token,
        },
    )
    assert (status, body.read) == (413, 0)
    assert headers["connection"] == "close"
    assert "larger than 2 MB" in text


def test_a_chunked_body_is_cut_off_at_the_limit(raw_app: tuple[Any, str]) -> None:
    app, token = raw_app
    body = Body(1000 << 20)
    status, headers, text = _ask(
        app,
        body,
        {
            "host": "127.0.0.1",
            "content-type": MULTIPART,
            "transfer-encoding": "chunked",
            "cookie": f"{CSRF_COOKIE}={token}",
        },
        query=f"csrf_token={token}",
    )
    assert status == 413
    assert body.read <= (2 << 20) + 64 * 1024 + body.chunk  # the limit and one part more
    assert headers["connection"] == "close"
    assert "larger than 2 MB" in text


def test_a_large_form_elsewhere_is_refused_in_plain_words(client: TestClient, csrf: str) -> None:
    response = client.post(
        "/journal", data={"csrf_token": csrf, "note": "x" * (2 << 20)}, follow_redirects=False
    )
    assert response.status_code == 413
    assert "far more than any of its boxes holds" in response.text
    assert '"detail"' not in response.text


# --- 3. Imports on a worker: the app keeps answering --------------------------------------


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Imports wait until the event is set (a slow import), then run for real."""
    go = threading.Event()
    real = pipeline.import_file

    def slow(*args: Any, **kwargs: Any) -> Any:
        assert go.wait(30), "the test never let the import go on"
        return real(*args, **kwargs)

    monkeypatch.setattr("reciprocity.web.import_worker.pipeline.import_file", slow)
    yield go
    go.set()


def _start(client: TestClient, token: str, path: Path) -> Any:
    return client.post(
        "/import",
        params={"csrf_token": token},
        data={"me": demo.ME, "timezone": demo.TIMEZONE},
        files={"export": (path.name, path.read_bytes())},
        headers={"HX-Request": "true"},
    )


def test_pages_answer_while_an_import_runs(
    demo_client: TestClient,
    token: Callable[[TestClient], str],
    demo_files: list[Path],
    held: threading.Event,
    tmp_path: Path,
) -> None:
    demo_client.get("/")  # the analysis is in the cache, as in a running app
    started = _start(demo_client, token(demo_client), demo_files[0])
    assert started.status_code == 202
    assert 'hx-trigger="every 1s"' in started.text
    assert "so far" in started.text
    begun = time.monotonic()
    page = demo_client.get("/")
    took = time.monotonic() - begun
    assert page.status_code == 200
    assert "Alex" in page.text
    assert took < 2.0, f"the dashboard took {took:.1f} s while an import ran"
    # The import page shows the import under way.
    assert "so far" in demo_client.get("/import").text
    held.set()
    found = started.text.split("/import/jobs/", 1)[1].split('"', 1)[0]
    deadline = time.monotonic() + 60
    while 'hx-trigger="every' in (
        body := demo_client.get(f"/import/jobs/{found}", headers={"HX-Request": "true"}).text
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert 'class="done"' in body
    assert "0 new messages" in body  # the demo's own chat again: nothing doubled


def test_uploads_beyond_the_queue_are_refused_before_they_are_read(
    client: TestClient,
    csrf: str,
    demo_files: list[Path],
    held: threading.Event,
) -> None:
    chat = demo_files[0]
    statuses = [_start(client, csrf, chat).status_code for _ in range(4)]
    assert statuses == [202, 202, 202, 429]
    refused = _start(client, csrf, chat)
    assert "Other imports are still running" in refused.text
    assert refused.headers.get("connection") == "close"  # its file was not read


def test_a_page_without_script_follows_the_import_to_its_end(
    client: TestClient, csrf: str, demo_files: list[Path]
) -> None:
    chat = demo_files[0]
    response = client.post(
        "/import",
        params={"csrf_token": csrf},
        data={"me": demo.ME, "timezone": demo.TIMEZONE},
        files={"export": (chat.name, chat.read_bytes())},
    )
    assert response.status_code == 200
    assert "/import/jobs/" in str(response.url)  # redirected to the import's own page
    assert "<h1>Importing" in response.text
    assert client.get("/import/jobs/nothing-here").status_code == 404


# --- 3. The private upload folder ----------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                           capture_output=True, text=True)  # fmt: skip
    return int(child.stdout)


@pytest.mark.skipif(os.name != "posix", reason="folder modes and process ids are POSIX's")
def test_a_killed_servers_uploads_are_removed_on_start(tmp_path: Path) -> None:
    base = tmp_path / "uploads"
    left = base / f"{_dead_pid()}-abc" / "tmp1"
    left.mkdir(parents=True)
    (left / "WhatsApp Chat with Alex.txt").write_text("someone's messages")
    alive = base / f"{os.getpid()}-other"  # another app in a running process: kept
    alive.mkdir()
    app = create_app(tmp_path / "db.sqlite", uploads=base)
    assert not left.parent.exists()
    assert alive.exists()
    own = app.state.imports.uploads.path
    assert own.parent == base
    assert (own.stat().st_mode & 0o777, base.stat().st_mode & 0o777) == (0o700, 0o700)
    with TestClient(app, base_url="http://127.0.0.1"):
        pass
    assert not own.exists()  # removed when the app stops


def test_an_upload_is_removed_when_its_import_ends(
    client: TestClient, upload: Callable[..., str], demo_files: list[Path]
) -> None:
    own = client.app.state.imports.uploads.path  # type: ignore[attr-defined]
    chat = demo_files[0]
    done = upload(client, chat.name, chat.read_bytes(), me=demo.ME, timezone=demo.TIMEZONE)
    assert 'class="done"' in done
    failed = upload(client, "notes.txt", b"just some words\n")
    assert 'class="problem"' in failed
    assert list(own.iterdir()) == []


def test_the_figures_are_ready_when_an_import_says_it_is_done(
    client: TestClient, upload: Callable[..., str], demo_files: list[Path]
) -> None:
    """The import works the figures out before it says it is done, so the first page
    after it does not make the user wait for them."""
    state = client.app.state.reciprocity  # type: ignore[attr-defined]
    chat = demo_files[0]
    body = upload(client, chat.name, chat.read_bytes(), me=demo.ME, timezone=demo.TIMEZONE)
    assert 'class="done"' in body
    assert state.cached  # computed by the import, not by the next page
    analysed = state.figures()
    assert client.get("/").status_code == 200
    assert state.figures() is analysed
