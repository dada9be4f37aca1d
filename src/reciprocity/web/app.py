"""The FastAPI application: pages, forms and fragments.

Pages here: dashboard (``/``: relationships, the ranking, "protect your energy", patterns),
relationship (``/relationship/{id}``, with the messages behind a figure or a reading loaded
on click by HTMX) and the HTML report (``/report``). Imports (:mod:`.import_pages`, run off
the request path by :mod:`.imports`), the journal (:mod:`.journal_pages`), the coach
(:mod:`.coach_pages`), expectations, check-ins and parent mode (:mod:`.guide_pages`),
deleting with undo (:mod:`.trash_pages`), the settings and the first run's demo
(:mod:`.settings_pages`) add theirs. The analysis is computed once per change of the data
(:mod:`.state`). Every POST needs the signed CSRF token (:mod:`.security`); the host, the
origin and the body's size are checked before the body is read (:mod:`.guard`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from reciprocity import report, store
from reciprocity.accounts import LoginLimits, Registry
from reciprocity.ledger import DIMENSIONS
from reciprocity.web import (
    coach_pages,
    group_pages,
    guide_pages,
    import_pages,
    journal_pages,
    login_pages,
    people_pages,
    settings_pages,
    share_pages,
    trash_pages,
    views,
)
from reciprocity.web.accounts_state import AccountStates
from reciprocity.web.guard import OwnHosts, RequestGuard, host_names
from reciprocity.web.imports import SERVER_WORKERS, Imports
from reciprocity.web.render import Pages, is_htmx
from reciprocity.web.security import SecurityHeaders, Tokens, csrf_protect
from reciprocity.web.sessions import AccountGate
from reciprocity.web.state import State
from reciprocity.web.uploads import private_folder, safe_file_name

__all__ = ["FORM_LIMIT", "MAX_UPLOAD_BYTES", "create_app", "safe_file_name"]

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
"""Largest upload accepted (a year of a busy chat with media names is a few megabytes)."""

FORM_LIMIT = 1 << 20
"""Largest body of any other request (a journal note or a coach draft is a few kilobytes)."""

#: Room for the upload form's other fields and the multipart framing around the file.
_FORM_FRAMING = 64 * 1024

_HERE = Path(__file__).parent

#: What a refusal says when the code gave no words of its own.
_PLAIN = {
    404: "There is no page at this address. Go back to the dashboard.",
    405: "This address does not take that kind of request.",
}
_ACT_TOPICS = ("good_news", "distress", "check_in", "disclosure", "request", "support_seek")


def create_app(
    db_path: str | Path | None = None,
    *,
    max_upload: int = MAX_UPLOAD_BYTES,
    host: str | None = None,
    port: int | None = None,
    uploads: Path | None = None,
    accounts: Registry | None = None,
    public_hosts: Sequence[str] = (),
    secure_cookies: bool = False,
) -> FastAPI:
    """The web app over the database at ``db_path`` (default: the usual database), or in
    server mode over the accounts of ``accounts``, each signed-in person on their own store
    (``db_path`` is then unused).

    It answers only requests sent to a loopback name or ``host`` (the address it listens
    on), and to ``port`` when given (:mod:`.guard`), or to one of ``public_hosts`` (the
    names a reverse proxy passes on, any port). Uploads wait in a private folder under
    ``uploads`` (default: the user's cache folder, :func:`~.uploads.default_base`).
    ``secure_cookies`` marks the session cookie ``Secure`` even when the request came in
    over plain HTTP (behind a proxy that ends TLS).
    """
    pages = Pages()
    state: State
    if accounts is None:
        state = State(store.open_db(db_path))
        imports = Imports(private_folder(uploads))
    else:
        state = AccountStates(accounts)
        imports = Imports(private_folder(uploads), workers=SERVER_WORKERS)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        imports.close()
        if isinstance(state, AccountStates):
            state.close()

    app = FastAPI(
        title="Reciprocity", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    tokens = Tokens()
    app.state.csrf = tokens
    # The first added runs last: hosts are checked first, then origin, token and size,
    # then (server mode) the session.
    if isinstance(state, AccountStates):
        assert accounts is not None
        app.add_middleware(AccountGate, registry=accounts, states=state)
    app.add_middleware(
        RequestGuard,
        tokens=tokens,
        body_limit=FORM_LIMIT,
        uploads={"/import": max_upload + _FORM_FRAMING},
    )
    app.add_middleware(OwnHosts, names=host_names(host), port=port, public=public_hosts)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(StarletteHTTPException)
    def refused(request: Request, problem: StarletteHTTPException) -> Response:
        words = problem.detail if problem.detail != _phrase(problem.status_code) else None
        message = words or _PLAIN.get(problem.status_code, "That did not work. Try again.")
        template = "_problem.html" if is_htmx(request) else "problem.html"
        return pages.page(request, template, problem.status_code, message=message)

    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    page = pages.page

    @app.get("/report.css")
    def report_css() -> Response:
        css = (Path(report.__file__).parent / "templates" / "report.css").read_text("utf-8")
        return Response(css, media_type="text/css")

    @app.get("/", response_class=HTMLResponse)
    def dashboard(request: Request) -> HTMLResponse:
        return page(
            request,
            "dashboard.html",
            data=state.data(),
            first_run=store.is_empty(state.db),
            ranked=views.ranking(state),
            advice=views.advice(state),
        )

    @app.get("/relationship/{relationship_id}", response_class=HTMLResponse)
    def relationship(request: Request, relationship_id: int) -> HTMLResponse:
        found = state.data().find(relationship_id)
        if found is None:
            raise HTTPException(404, "No relationship with this number; go back to the dashboard.")
        ranked = [r for r in views.ranking(state) if r["relationship_id"] == relationship_id]
        return page(
            request,
            "relationship.html",
            r=found,
            topics=_ACT_TOPICS,
            ranked=ranked[0] if ranked else None,
            advice=views.advice(state, found.person),
            expectations=views.checked(state, found.person),
            records=views.records(state, found.person).to_dicts(),
        )

    @app.post("/relationship/{relationship_id}/important", dependencies=[Depends(csrf_protect)])
    def set_important(relationship_id: int, important: str = Form("")) -> Response:
        found = state.data().find(relationship_id)
        if found is None:
            raise HTTPException(404, "No relationship with this number; go back to the dashboard.")
        store.set_important(state.db, found.person, important == "yes")
        state.changed()
        return RedirectResponse(f"/relationship/{relationship_id}", status_code=303)

    @app.get("/relationship/{relationship_id}/messages", response_class=HTMLResponse)
    def messages(
        request: Request, relationship_id: int, topic: str = "good_news", sender: str = "me"
    ) -> HTMLResponse:
        if topic not in _ACT_TOPICS or sender not in ("me", "them"):
            raise HTTPException(400, "Unknown kind of message.")
        found = state.data().find(relationship_id)
        if found is None:
            raise HTTPException(404, "No relationship with this number; go back to the dashboard.")
        rows = views.messages(state, relationship_id, topic, from_me=sender == "me")
        return page(
            request, "_messages.html", rows=rows, topic=topic, sender=sender, person=found.person
        )

    @app.get("/relationship/{relationship_id}/evidence", response_class=HTMLResponse)
    def evidence(
        request: Request, relationship_id: int, dimension: str, giver: str = "me"
    ) -> HTMLResponse:
        found = state.data().find(relationship_id)
        if found is None or dimension not in DIMENSIONS or giver not in ("me", "them"):
            raise HTTPException(404, "Nothing to show for this reading.")
        rows, total, logged, reacted = views.evidence(state, relationship_id, dimension, giver)
        # The figure the reading shows (the same record as the page), so the list says
        # how its messages make up that number.
        reading = next((x for x in found.balance.get("all", []) if x["code"] == dimension), None)
        return page(
            request,
            "_evidence.html",
            r=found,
            reading=reading,
            rows=rows,
            total=total,
            logged=logged,
            reacted=reacted,
            dimension=dimension,
            giver=giver,
        )

    @app.get("/report")
    def report_file() -> Response:
        html = report.render_report(state.data())
        stamp = datetime.now(UTC).strftime("%Y-%m-%d")
        return Response(
            html,
            media_type="text/html",
            headers={"content-disposition": f'attachment; filename="reciprocity-{stamp}.html"'},
        )

    if isinstance(state, AccountStates):
        assert accounts is not None
        limits = LoginLimits()
        app.state.login_limits = limits
        app.include_router(
            login_pages.routes(accounts, state, pages, limits, secure=secure_cookies)
        )
        app.include_router(share_pages.routes(accounts, state, pages))
    app.include_router(import_pages.routes(state, pages, imports, max_upload=max_upload))
    app.include_router(journal_pages.routes(state, pages))
    app.include_router(coach_pages.routes(state, pages))
    app.include_router(guide_pages.routes(state, pages))
    app.include_router(trash_pages.routes(state, pages))
    app.include_router(settings_pages.routes(state, pages))
    app.include_router(people_pages.routes(state, pages))
    app.include_router(group_pages.routes(state, pages))
    pages.extras.append(lambda request: {"undo": trash_pages.undo_notice(request)})
    app.state.reciprocity = state  # the cache, for tests that count analysis runs
    app.state.imports = imports
    return app


def _phrase(status: int) -> str:
    """The stock English phrase of ``status`` ("Not Found"), which is no message of ours."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
