"""Issue 25: server mode. Accounts with argon2 passwords, server-side sessions in signed
cookies, sign-in limits, a store per account (SQLite files or PostgreSQL schemas), and
imports shared fairly between accounts. Each test that touches a store runs on SQLite and
on the throwaway PostgreSQL (``postgres_server``; skipped, saying why, without one)."""

from __future__ import annotations

import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from typer.testing import CliRunner

from reciprocity import demo, ingest, pipeline, store
from reciprocity.accounts import AccountError, LoginLimits, Registry, open_registry
from reciprocity.cli import app as cli
from reciprocity.web import NotLoopback, check_host, create_app
from reciprocity.web.accounts_state import AccountStates, NoAccount
from reciprocity.web.imports import Imports
from reciprocity.web.security import CSRF_COOKIE
from reciprocity.web.sessions import SESSION_COOKIE
from reciprocity.web.uploads import private_folder

BASE_URL = "http://127.0.0.1"
PASSWORD = "a long enough password"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its smallest cost: the tests check who may sign in, not how slowly (a
    server keeps the library's defaults)."""
    from reciprocity.accounts import registry

    monkeypatch.setattr(
        registry, "HASH_OPTIONS", {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def home(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a new server's accounts live: a folder, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "server")
        return
    server = request.getfixturevalue("postgres_server")
    name = f"s_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def registry(home: str) -> Iterator[Registry]:
    """The registry of a new server."""
    found = open_registry(home)
    yield found
    found.close()


def _app_client(registry: Registry, tmp_path: Path, **options: object) -> TestClient:
    app = create_app(accounts=registry, uploads=tmp_path / "uploads", **options)  # type: ignore[arg-type]
    return TestClient(app, base_url=BASE_URL)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> object:
    """Sign ``client`` in through the form (its CSRF token from the sign-in page)."""
    client.get("/login")
    return client.post(
        "/login",
        data={"name": name, "password": password, CSRF_COOKIE.replace("reciprocity_", ""): ""}
        | {"csrf_token": client.cookies.get(CSRF_COOKIE, "")},
        follow_redirects=False,
    )


# --- accounts and sessions -----------------------------------------------------------------


def test_every_page_but_sign_in_needs_an_account(registry: Registry, tmp_path: Path) -> None:
    registry.add("Ana", PASSWORD)
    with _app_client(registry, tmp_path) as client:
        for path in ("/", "/journal", "/settings", "/report", "/relationship/1", "/import"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login"), path
        fragment = client.get("/relationship/1/evidence", headers={"HX-Request": "true"})
        assert fragment.status_code == 401
        assert fragment.headers["hx-redirect"].startswith("/login")
        # A change sent without a session does nothing and goes to sign in.
        posted = client.post("/settings/delete-everything", follow_redirects=False)
        assert posted.status_code == 303
        assert client.get("/login").status_code == 200
        assert client.get("/static/app.css").status_code == 200


def test_sign_in_sets_a_strict_cookie_and_sign_out_ends_it(
    registry: Registry, tmp_path: Path
) -> None:
    registry.add("Ana", PASSWORD)
    with _app_client(registry, tmp_path) as client:
        wrong = sign_in(client, "Ana", "not the password at all")
        assert wrong.status_code == 401  # type: ignore[attr-defined]
        assert "do not match" in wrong.text  # type: ignore[attr-defined]
        right = sign_in(client, " ana ", PASSWORD)  # names compare without case or spaces
        assert right.status_code == 303  # type: ignore[attr-defined]
        cookie = right.headers["set-cookie"].lower()  # type: ignore[attr-defined]
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert "max-age=43200" in cookie
        assert "secure" not in cookie  # plain HTTP on loopback: a Secure cookie is never sent
        page = client.get("/account")
        assert page.status_code == 200
        assert "Ana" in page.text
        assert "<title>Your account · Reciprocity</title>" in page.text
        assert page.text.count('action="/account/share"') == 1
        session = client.cookies.get(SESSION_COOKIE)
        assert session
        assert registry.session(session) is not None
        client.post("/logout", data={"csrf_token": client.cookies.get(CSRF_COOKIE)})
        assert registry.session(session) is None  # ended on the server, not only forgotten
        client.cookies.set(SESSION_COOKIE, session)
        assert client.get("/", follow_redirects=False).status_code == 303


def test_secure_cookie_behind_tls(registry: Registry, tmp_path: Path) -> None:
    registry.add("Ana", PASSWORD)
    with _app_client(registry, tmp_path, secure_cookies=True) as client:
        response = sign_in(client, "Ana")
        assert "secure" in response.headers["set-cookie"].lower()  # type: ignore[attr-defined]


def test_forged_and_foreign_session_cookies_are_refused(registry: Registry) -> None:
    ana = registry.add("Ana", PASSWORD)
    cookie = registry.open_session(ana)
    token, _, mac = cookie.partition(".")
    assert registry.session(cookie) == ana
    assert registry.session(token + "." + mac[::-1]) is None
    assert registry.session(token) is None
    assert registry.session("x" * 500) is None


def test_sign_out_everywhere_and_a_new_password_end_every_session(
    registry: Registry, tmp_path: Path
) -> None:
    registry.add("Ana", PASSWORD)
    with _app_client(registry, tmp_path) as phone, _app_client(registry, tmp_path) as laptop:
        sign_in(phone, "Ana")
        sign_in(laptop, "Ana")
        assert phone.get("/", follow_redirects=False).status_code == 200
        laptop.post("/logout/everywhere", data={"csrf_token": laptop.cookies.get(CSRF_COOKIE)})
        assert phone.get("/", follow_redirects=False).status_code == 303
        sign_in(phone, "Ana")
        assert phone.get("/", follow_redirects=False).status_code == 200
        registry.reset("Ana", "a different long password")
        assert phone.get("/", follow_redirects=False).status_code == 303
        assert sign_in(phone, "Ana").status_code == 401  # type: ignore[attr-defined]
        assert sign_in(phone, "Ana", "a different long password").status_code == 303  # type: ignore[attr-defined]


def test_accounts_refuse_bad_names_short_passwords_and_twins(registry: Registry) -> None:
    registry.add("Ana", PASSWORD)
    with pytest.raises(AccountError, match="already"):
        registry.add(" ANA", PASSWORD)
    with pytest.raises(AccountError, match="at least"):
        registry.add("Ben", "short")
    with pytest.raises(AccountError, match="printable"):
        registry.add("Ben\x00", PASSWORD)
    with pytest.raises(AccountError, match="no account"):
        registry.remove("Nobody")


def test_removing_an_account_deletes_its_store(registry: Registry) -> None:
    ana = registry.add("Ana", PASSWORD)
    session = registry.open_session(ana)
    with registry.open_store(ana) as db:
        store.set_setting(db, "note", "Ana's")
    registry.remove("Ana")
    assert registry.session(session) is None
    if registry.home is not None:
        assert not Path(registry.store_location(ana)).parent.exists()
    else:
        with registry.engine.connect() as conn:
            schemas = conn.execute(text("SELECT nspname FROM pg_namespace")).scalars().all()
        assert f"reciprocity_{ana.store}" not in schemas


def test_store_folders_are_private(tmp_path: Path) -> None:
    registry = open_registry(tmp_path / "server")
    ana = registry.add("Ana", PASSWORD)
    assert (tmp_path / "server").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "server" / "accounts.sqlite").stat().st_mode & 0o777 == 0o600
    folder = Path(registry.store_location(ana)).parent
    assert folder.stat().st_mode & 0o777 == 0o700
    assert "Ana" not in str(folder)  # a store is named by a random key, not by its owner


def test_sign_in_is_limited_per_name_and_per_address(registry: Registry, tmp_path: Path) -> None:
    registry.add("Ana", PASSWORD)
    registry.add("Ben", PASSWORD)
    with _app_client(registry, tmp_path) as client:
        for _ in range(5):
            assert sign_in(client, "Ana", "wrong guess number").status_code == 401  # type: ignore[attr-defined]
        # Even the right password waits now: the count is per name.
        blocked = sign_in(client, "Ana", PASSWORD)
        assert blocked.status_code == 429  # type: ignore[attr-defined]
        assert "Wait" in blocked.text  # type: ignore[attr-defined]
        assert sign_in(client, "Ben", PASSWORD).status_code == 303  # type: ignore[attr-defined]


def test_login_limits_count_addresses_and_forget_old_failures() -> None:
    now = [0.0]
    limits = LoginLimits(per_name=3, per_address=5, window=60, clock=lambda: now[0])
    for name in ("a", "b", "c", "d", "e"):
        assert limits.wait(name, "10.0.0.1") == 0
        limits.failed(name, "10.0.0.1")
    assert limits.wait("f", "10.0.0.1") > 0  # five names tried from one address
    assert limits.wait("f", "10.0.0.2") == 0
    now[0] = 61
    assert limits.wait("f", "10.0.0.1") == 0  # the window moved on


def test_accounts_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    where = ["--accounts", str(tmp_path / "server")]
    added = runner.invoke(
        cli, ["accounts", "add", "Ana", *where, "--password-stdin"], input=PASSWORD + "\n"
    )
    assert added.exit_code == 0, added.output
    short = runner.invoke(cli, ["accounts", "add", "Ben", *where, "--password-stdin"], input="x\n")
    assert short.exit_code == 1
    assert "at least" in short.output
    typed = runner.invoke(
        cli, ["accounts", "add", "Ben", *where], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert typed.exit_code == 0, typed.output
    assert PASSWORD not in typed.output  # typed without echo
    listed = runner.invoke(cli, ["accounts", "list", *where])
    assert "Ana" in listed.output
    assert "Ben" in listed.output
    reset = runner.invoke(
        cli, ["accounts", "reset", "Ana", *where, "--password-stdin"], input="another long one\n"
    )
    assert reset.exit_code == 0, reset.output
    assert open_registry(tmp_path / "server").verify("Ana", "another long one") is not None
    removed = runner.invoke(cli, ["accounts", "remove", "Ben", *where, "--yes"])
    assert removed.exit_code == 0, removed.output
    assert "Ben" not in runner.invoke(cli, ["accounts", "list", *where]).output


# --- binding ------------------------------------------------------------------------------


def test_server_mode_refuses_plain_http_on_a_public_address() -> None:
    check_host("127.0.0.1", server=True)
    check_host("0.0.0.0", server=True, behind_proxy=True)
    check_host("192.0.2.7", server=True, tls=True)
    with pytest.raises(NotLoopback, match="plain HTTP"):
        check_host("0.0.0.0", server=True)
    with pytest.raises(NotLoopback, match="other machines"):
        check_host("0.0.0.0", behind_proxy=True)
    result = CliRunner().invoke(cli, ["serve", "--server", "--host", "0.0.0.0", "--no-browser"])
    assert result.exit_code == 2
    assert "plain HTTP" in result.output


def test_public_names_a_proxy_passes_are_answered(registry: Registry, tmp_path: Path) -> None:
    app = create_app(
        accounts=registry,
        uploads=tmp_path / "uploads",
        port=8765,
        public_hosts=["therapy.example.org"],
    )
    with TestClient(app, base_url="https://therapy.example.org") as client:
        assert client.get("/login").status_code == 200
    with TestClient(app, base_url="http://evil.example") as client:
        assert client.get("/login").status_code == 400


# --- isolation ----------------------------------------------------------------------------


def _routes(routes: list[object]) -> Iterator[object]:
    """Every route of the app, those of included routers too."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def _ids(db: store.Database) -> dict[str, list[int]]:
    """Every id of every table a route could be given an id of, in ``db``."""
    tables = (*_ID_TABLES.values(), "identities", "people")
    with db.engine.connect() as conn:
        return {
            table: [int(x) for x in conn.execute(text(f"SELECT id FROM {table}")).scalars()]
            for table in tables
        }


def _counts(db: store.Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in (
                "messages",
                "people",
                "identities",
                "relationships",
                "journal_entries",
                "expectations",
                "conversation_records",
            )
        }


@pytest.fixture
def two_accounts(
    registry: Registry, tmp_path: Path, demo_database: Path, demo_files: list[Path]
) -> tuple[Registry, store.Database]:
    """Ana holds the demo (with a journal entry, a need and a record); Ben a chat of his
    own with Mallory. Gives the registry and Ana's open store."""
    ana = registry.add("Ana", PASSWORD)
    ben = registry.add("Ben", PASSWORD)
    if registry.home is not None:
        shutil.copy(demo_database, registry.store_location(ana))
        db = registry.open_store(ana)
    else:
        db = registry.open_store(ana)
        for file in demo_files:
            pipeline.import_file(
                db, file, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE)
            )
    with registry.open_store(ben) as own:
        mallory = (
            Path(__file__).parent.parent / "fixtures" / "web" / "WhatsApp Chat with Mallory.txt"
        )
        pipeline.import_file(own, mallory, me="Sam", options=ingest.Options(timezone="UTC"))
    return registry, db


#: Which table the id in each kind of address comes from (import jobs: their own test).
_ID_TABLES = {
    "/relationship/": "relationships",
    "/journal/": "journal_entries",
    "/expectations/": "expectations",
    "/records/": "conversation_records",
    "/group/": "conversations",
}


def _table_of(path: str) -> str | None:
    return next((table for prefix, table in _ID_TABLES.items() if path.startswith(prefix)), None)


def test_an_account_reaches_nothing_of_another(
    two_accounts: tuple[Registry, store.Database], tmp_path: Path
) -> None:
    from fastapi.routing import APIRoute

    from reciprocity import guide, journal

    registry, ana_db = two_accounts
    person = store.list_people(ana_db)["person"].to_list()[0]
    journal.add_entry(ana_db, person, giver="me", dimension="listening", note="AnaOnlyNote")
    guide.add_expectation(ana_db, person, next(iter(guide.RULES)), note="AnaOnlyNeed")
    guide.record_conversation(ana_db, person, statement="AnaOnlyRecord")
    ben = registry.find("Ben")
    assert ben is not None
    ben_db = registry.open_store(ben)
    ana_ids, ben_ids = _ids(ana_db), _ids(ben_db)
    ana_names = [n for n in store.list_people(ana_db)["person"].to_list() if len(n) > 3]
    secrets_of_ana = [*ana_names, "AnaOnlyNote", "AnaOnlyNeed", "AnaOnlyRecord"]
    before = _counts(ana_db)

    def shows_nothing_of_ana(body: str, where: str) -> None:
        for secret in secrets_of_ana:
            assert secret not in body, f"{where} shows Ana's {secret!r}"

    with _app_client(registry, tmp_path) as ana_client, _app_client(registry, tmp_path) as client:
        sign_in(ana_client, "Ana")
        assert any(name in ana_client.get("/").text for name in ana_names)
        sign_in(client, "Ben")
        token = client.cookies.get(CSRF_COOKIE, "")
        tried = 0
        refused: set[str] = set()
        for route in _routes(client.app.routes):  # type: ignore[attr-defined]
            if not isinstance(route, APIRoute) or route.path == "/report.css":
                continue
            table = _table_of(route.path)
            for method in route.methods:
                if "{" not in route.path:
                    if method == "GET":
                        shows_nothing_of_ana(client.get(route.path).text, route.path)
                        tried += 1
                    continue
                if table is None:
                    assert route.path.startswith("/import/jobs/"), route.path
                    continue
                for value in ana_ids[table]:
                    path = re.sub(r"{\w+}", str(value), route.path)
                    if method == "GET":
                        response = client.get(path, params={"dimension": "listening"})
                    else:
                        response = client.post(path, data={"csrf_token": token, "back": "/"})
                    tried += 1
                    shows_nothing_of_ana(response.text, f"{method} {path}")
                    if value not in ben_ids[table]:
                        assert response.status_code == 404, (method, path, response.status_code)
                        refused.add(table)
        # Ids sent in forms: splitting a name off, merging two people.
        for identity in ana_ids["identities"]:
            answer = client.post(
                "/settings/split", data={"identity_id": identity, "csrf_token": token}
            )
            shows_nothing_of_ana(answer.text, "split")
        for keep in ana_ids["people"][:6]:
            for other in ana_ids["people"][:6]:
                answer = client.post(
                    "/settings/merge", data={"keep": keep, "other": other, "csrf_token": token}
                )
                shows_nothing_of_ana(answer.text, "merge")
        assert tried > 40
        assert refused == set(_ID_TABLES.values())  # every kind of id was tried and refused
    assert _counts(ana_db) == before  # nothing of Ana's changed
    ben_db.close()
    ana_db.close()


def test_import_jobs_belong_to_their_account(
    registry: Registry, tmp_path: Path, upload: Callable[..., str]
) -> None:
    registry.add("Ana", PASSWORD)
    registry.add("Ben", PASSWORD)
    chat = (
        Path(__file__).parent.parent / "fixtures" / "web" / "WhatsApp Chat with Mallory.txt"
    ).read_bytes()
    with _app_client(registry, tmp_path) as ana, _app_client(registry, tmp_path) as ben:
        sign_in(ana, "Ana")
        sign_in(ben, "Ben")
        token = ana.cookies.get(CSRF_COOKIE, "")
        started = ana.post(
            "/import",
            params={"csrf_token": token},
            data={"me": "Sam", "timezone": "UTC"},
            files={"export": ("WhatsApp Chat with Mallory.txt", chat)},
            headers={"HX-Request": "true"},
        )
        found = re.search(r"/import/jobs/([\w-]+)", started.text)
        assert found, started.text
        assert ben.get(f"/import/jobs/{found.group(1)}").status_code == 404
        assert found.group(1) not in ben.get("/import").text
        assert ana.get(f"/import/jobs/{found.group(1)}").status_code == 200


def test_an_import_runs_in_a_worker_process_and_shows_at_once(
    registry: Registry, tmp_path: Path, upload: Callable[..., str], demo_files: list[Path]
) -> None:
    """Server mode hands imports to worker processes at a lower priority; what they save
    and analyse is what the account's pages show as soon as the import says it is done:
    the dashboard and the messages behind a reading."""
    registry.add("Ana", PASSWORD)
    chat = demo_files[0]
    with _app_client(registry, tmp_path) as ana:
        sign_in(ana, "Ana")
        imports = ana.app.state.imports  # type: ignore[attr-defined]
        assert imports.processes
        assert "Alex" not in ana.get("/").text
        done = upload(ana, chat.name, chat.read_bytes(), me=demo.ME, timezone=demo.TIMEZONE)
        assert 'class="done"' in done, done
        assert imports._processes is not None  # it ran in a worker process
        dashboard = ana.get("/").text
        assert "Alex" in dashboard
        assert "New messages are being added" not in dashboard
        rid = re.search(r'href="/relationship/(\d+)"', dashboard)
        assert rid
        listed = ana.get(
            f"/relationship/{rid.group(1)}/evidence?dimension=attention&giver=me",
            headers={"HX-Request": "true"},
        )
        assert listed.status_code == 200
        assert re.search(r"from [1-9]\d* messages?", listed.text), listed.text


def test_imports_take_accounts_in_turn(tmp_path: Path) -> None:
    """One account's three uploads do not keep another's one waiting behind all three."""
    imports = Imports(private_folder(tmp_path / "uploads"), workers=1, waiting=5)
    order: list[str] = []
    gate = threading.Event()

    class Stub:
        db = None

        def here(self) -> Stub:
            return self

    def run(job: object, *_: object) -> None:
        gate.wait(10)
        order.append(job.owner)  # type: ignore[attr-defined]

    imports._run = run  # type: ignore[method-assign,assignment]
    upload = type("U", (), {"name": "x", "path": tmp_path, "folder": tmp_path / "none"})()
    for owner in ("a", "a", "a", "b"):
        imports.submit(Stub(), upload, me=None, timezone=None, format="auto", owner=owner)  # type: ignore[arg-type]
    gate.set()
    deadline = time.monotonic() + 30
    while len(order) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert order == ["a", "b", "a", "a"]
    imports.uploads.close()


def test_analyses_kept_are_bounded_and_need_an_account(registry: Registry, tmp_path: Path) -> None:
    for name in ("Ana", "Ben", "Cai"):
        registry.add(name, PASSWORD)
    states = AccountStates(registry, keep=2)
    with pytest.raises(NoAccount):
        _ = states.db
    for name in ("Ana", "Ben", "Cai"):
        account = registry.find(name)
        assert account is not None
        token = states.bind(account, states.state_for(account))
        try:
            states.data()
        finally:
            states.unbind(token)
    assert states.kept() == 2
    # Figures an import works out (off any page) count too: still two kept.
    ana = registry.find("Ana")
    assert ana is not None
    states.state_for(ana).renew()
    assert states.kept() == 2
    assert states.state_for(ana).cached
    states.close()


# --- a read-only view, shared by its owner ---------------------------------------------------


def test_a_client_shares_a_read_only_view_and_takes_it_back(
    two_accounts: tuple[Registry, store.Database], tmp_path: Path
) -> None:
    registry, ana_db = two_accounts
    ana_names = [n for n in store.list_people(ana_db)["person"].to_list() if len(n) > 3]
    ana_account = registry.find("Ana")
    assert ana_account is not None
    with _app_client(registry, tmp_path) as ana, _app_client(registry, tmp_path) as ben:
        sign_in(ana, "Ana")
        sign_in(ben, "Ben")
        ben_token = ben.cookies.get(CSRF_COOKIE, "")
        # Nothing shared: Ben cannot look, whatever number he sends.
        refused = ben.post(
            "/viewing/start", data={"owner_id": ana_account.id, "csrf_token": ben_token}
        )
        assert refused.status_code == 404
        assert not any(name in ben.get("/").text for name in ana_names)
        # Ana shares with Ben, from her own account page.
        ana.post(
            "/account/share", data={"viewer": "Ben", "csrf_token": ana.cookies.get(CSRF_COOKIE)}
        )
        assert "Shared with <strong>Ben</strong>" in ana.get("/account").text
        assert "Ana" in ben.get("/account").text  # offered to Ben
        ben.post("/viewing/start", data={"owner_id": ana_account.id, "csrf_token": ben_token})
        page = ben.get("/")
        assert any(name in page.text for name in ana_names)
        assert "read-only" in page.text
        # Read only: no change, no import, no export, no settings.
        before = _counts(ana_db)
        person = ana_names[0]
        for path, form in (
            ("/journal", {"person": person, "energy": "1"}),
            ("/settings/delete-everything", {"confirm": "delete everything"}),
            ("/expectations", {"person": person, "rule": "check_in"}),
        ):
            answer = ben.post(path, data=form | {"csrf_token": ben_token}, follow_redirects=False)
            assert answer.status_code == 403, path
        for path in ("/settings", "/settings/export", "/settings/backup", "/import", "/coach"):
            assert ben.get(path).status_code == 403, path
        assert _counts(ana_db) == before
        # Ana stops sharing: Ben's very next page is his own again.
        viewers = registry.viewers(ana_account)
        assert [v.name for v in viewers] == ["Ben"]
        ana.post(
            "/account/unshare",
            data={"viewer_id": viewers[0].id, "csrf_token": ana.cookies.get(CSRF_COOKIE)},
        )
        after = ben.get("/")
        assert after.status_code == 200
        assert not any(name in after.text for name in ana_names)
        assert "read-only" not in after.text


def test_only_existing_other_accounts_can_be_shared_with(registry: Registry) -> None:
    ana = registry.add("Ana", PASSWORD)
    with pytest.raises(AccountError, match="no account"):
        registry.share(ana, "Nobody")
    with pytest.raises(AccountError, match="your own"):
        registry.share(ana, "ana")
