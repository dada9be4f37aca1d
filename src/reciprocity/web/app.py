"""The FastAPI application: pages, forms and fragments.

Pages here: dashboard (``/``: relationships, the ranking, "protect your energy", patterns),
relationship (``/relationship/{id}``, with the messages behind a figure or a reading loaded
on click by HTMX), import (``/import``) and the HTML report (``/report``). The journal
(:mod:`.journal_pages`), the coach (:mod:`.coach_pages`), expectations, check-ins and parent
mode (:mod:`.guide_pages`), deleting with undo (:mod:`.trash_pages`), the settings and the
first run's demo (:mod:`.settings_pages`) add theirs. The analysis is
computed once per change of the data (:mod:`.state`). Every POST needs the CSRF token
(:mod:`.security`).
"""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from fastapi import Depends, FastAPI, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from reciprocity import ingest, pipeline, report, store
from reciprocity.errors import ReciprocityError
from reciprocity.ledger import DIMENSIONS
from reciprocity.web import (
    coach_pages,
    group_pages,
    guide_pages,
    journal_pages,
    settings_pages,
    trash_pages,
    views,
)
from reciprocity.web.forms import problem_text
from reciprocity.web.render import Pages
from reciprocity.web.security import SecurityHeaders, csrf_protect
from reciprocity.web.state import State

__all__ = ["MAX_UPLOAD_BYTES", "create_app", "safe_file_name"]

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
"""Largest upload accepted (a year of a busy chat with media names is a few megabytes)."""

_HERE = Path(__file__).parent
_UNSAFE_IN_NAME = re.compile(r"[^\w .,'()&+-]")
"""What an uploaded file's name may not keep: letters of every script, digits and a few
marks stay (a WhatsApp export is named after the chat: "Chloé" stays "Chloé")."""
_ACT_TOPICS = ("good_news", "distress", "check_in", "disclosure", "request", "support_seek")


def create_app(db_path: str | Path | None = None, *, max_upload: int = MAX_UPLOAD_BYTES) -> FastAPI:
    """The web app over the database at ``db_path`` (default: the usual database)."""
    state = State(store.open_db(db_path))
    pages = Pages()
    app = FastAPI(title="Reciprocity", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SecurityHeaders)
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
        rows = views.messages(state, relationship_id, topic, from_me=sender == "me")
        found = state.data().find(relationship_id)
        person = found.person if found is not None else "them"
        return page(request, "_messages.html", rows=rows, topic=topic, sender=sender, person=person)

    @app.get("/relationship/{relationship_id}/evidence", response_class=HTMLResponse)
    def evidence(
        request: Request, relationship_id: int, dimension: str, giver: str = "me"
    ) -> HTMLResponse:
        found = state.data().find(relationship_id)
        if found is None or dimension not in DIMENSIONS or giver not in ("me", "them"):
            raise HTTPException(404, "Nothing to show for this reading.")
        rows, total, logged = views.evidence(state, relationship_id, dimension, giver)
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
            dimension=dimension,
            giver=giver,
        )

    @app.get("/import", response_class=HTMLResponse)
    def import_form(request: Request) -> HTMLResponse:
        return page(
            request,
            "import.html",
            me=store.get_me(state.db),
            max_mb=max_upload >> 20,
            formats=ingest.FORMATS,
        )

    @app.post("/import", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
    async def import_upload(
        request: Request,
        export: UploadFile,
        me: str = Form(""),
        timezone: str = Form(""),
        format: str = Form("auto"),
    ) -> HTMLResponse:
        declared = int(request.headers.get("content-length") or 0)
        if declared > max_upload + 65536:
            return page(request, "_import_result.html", 413, error=_too_big(max_upload))
        name = safe_file_name(export.filename)
        with tempfile.TemporaryDirectory(prefix="reciprocity-upload-") as folder:
            # Only our own name for the file: the uploaded name is reduced to safe characters
            # (it carries the chat's title for WhatsApp); archives stay archives and are read
            # in memory by the parsers, never extracted.
            target = Path(folder) / name
            size = 0
            with target.open("wb") as out:
                while chunk := await export.read(1 << 20):
                    size += len(chunk)
                    if size > max_upload:
                        return page(request, "_import_result.html", 413, error=_too_big(max_upload))
                    out.write(chunk)
            options = ingest.Options(timezone=timezone.strip() or None)
            try:
                outcome = pipeline.import_file(
                    state.db,
                    target,
                    me=me.strip() or None,
                    format=format if format in ingest.FORMATS else "auto",
                    options=options,
                )
            except ReciprocityError as problem:
                message = problem_text(problem).replace(str(target), name)
                return page(request, "_import_result.html", 400, error=message)
        state.changed()
        return page(
            request,
            "_import_result.html",
            result=outcome.result,
            name=name,
            format=outcome.format,
            seconds=outcome.timings.total,
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

    app.include_router(journal_pages.routes(state, pages))
    app.include_router(coach_pages.routes(state, pages))
    app.include_router(guide_pages.routes(state, pages))
    app.include_router(trash_pages.routes(state, pages))
    app.include_router(settings_pages.routes(state, pages))
    app.include_router(group_pages.routes(state, pages))
    pages.extras.append(lambda request: {"undo": trash_pages.undo_notice(request)})
    app.state.reciprocity = state  # the cache, for tests that count analysis runs
    return app


def safe_file_name(uploaded: str | None) -> str:
    """An uploaded file's name, safe to use as a file name in our own folder and to show.

    The folders in it are dropped, as are characters a path could misread; letters of every
    script stay. Never empty, never a dot name (``..``). Shown escaped, like any import.

    >>> safe_file_name("../../WhatsApp Chat with Chloé.txt")
    'WhatsApp Chat with Chloé.txt'
    >>> safe_file_name("..")
    'export'
    """
    base = (uploaded or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_IN_NAME.sub("_", base)[:120].lstrip(". ")
    return name or "export"


def _too_big(limit: int) -> str:
    return f"The file is larger than {limit >> 20} MB; export the chat without media and try again."
