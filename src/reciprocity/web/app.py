"""The FastAPI application: pages, forms and fragments.

Pages: dashboard (``/``), relationship (``/relationship/{id}``, with example messages
loaded on click by HTMX), import (``/import``), settings (``/settings``), and the HTML report
(``/report``). The analysis is computed once and kept until an import or a setting changes
the data. Every POST needs the CSRF token (:mod:`.security`).
"""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from fastapi import Depends, FastAPI, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, PackageLoader

from reciprocity import ingest, pipeline, report, store
from reciprocity.errors import ReciprocityError
from reciprocity.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    SecurityHeaders,
    csrf_protect,
    csrf_token,
)

__all__ = ["MAX_UPLOAD_BYTES", "create_app"]

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
"""Largest upload accepted (a year of a busy chat with media names is a few megabytes)."""

_HERE = Path(__file__).parent
_SAFE_NAME = re.compile(r"[^A-Za-z0-9 ._()-]")
_ACT_TOPICS = ("good_news", "distress", "check_in", "disclosure", "request", "support_seek")


class _State:
    """The app's database and its analysis, recomputed after a change."""

    def __init__(self, db: store.Database) -> None:
        self.db = db
        self._data: report.SurfaceData | None = None
        self._analysis: pipeline.Analysis | None = None

    def data(self) -> report.SurfaceData:
        if self._data is None:
            self._data = report.gather(self.db)
        return self._data

    def exchanges(self) -> pl.DataFrame:
        if self._analysis is None:
            self._analysis = report.analysis(self.db)
        return self._analysis.exchanges

    def changed(self) -> None:
        self._data = None
        self._analysis = None


def create_app(db_path: str | Path | None = None, *, max_upload: int = MAX_UPLOAD_BYTES) -> FastAPI:
    """The web app over the database at ``db_path`` (default: the usual database)."""
    state = _State(store.open_db(db_path))
    app = FastAPI(title="Reciprocity", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    env = report.environment()
    env.loader = ChoiceLoader(
        [PackageLoader("reciprocity.web", "templates"), PackageLoader("reciprocity.report")]
    )

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        token = csrf_token(request)
        html = env.get_template(template).render(
            request=request, csrf=token, csrf_field=CSRF_FIELD, **context
        )
        response = HTMLResponse(html, status_code=status)
        if request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    @app.get("/report.css")
    def report_css() -> Response:
        css = (Path(report.__file__).parent / "templates" / "report.css").read_text("utf-8")
        return Response(css, media_type="text/css")

    @app.get("/", response_class=HTMLResponse)
    def dashboard(request: Request) -> HTMLResponse:
        return page(request, "dashboard.html", data=state.data())

    @app.get("/relationship/{relationship_id}", response_class=HTMLResponse)
    def relationship(request: Request, relationship_id: int) -> HTMLResponse:
        found = state.data().find(relationship_id)
        if found is None:
            raise HTTPException(404, "No relationship with this number; go back to the dashboard.")
        return page(request, "relationship.html", r=found, topics=_ACT_TOPICS)

    @app.get("/relationship/{relationship_id}/messages", response_class=HTMLResponse)
    def messages(
        request: Request, relationship_id: int, topic: str = "good_news", sender: str = "me"
    ) -> HTMLResponse:
        if topic not in _ACT_TOPICS or sender not in ("me", "them"):
            raise HTTPException(400, "Unknown kind of message.")
        frame = state.exchanges().filter(
            (pl.col("relationship_id") == relationship_id)
            & pl.col(topic)
            & (pl.col("from_me") == (sender == "me"))
        )
        rows = frame.sort("timestamp", descending=True).head(10).to_dicts()
        return page(request, "_messages.html", rows=rows, topic=topic, sender=sender)

    @app.get("/import", response_class=HTMLResponse)
    def import_form(request: Request) -> HTMLResponse:
        return page(request, "import.html", me=store.get_me(state.db), max_mb=max_upload >> 20)

    @app.post("/import", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
    async def import_upload(
        request: Request,
        export: UploadFile,
        me: str = Form(""),
        timezone: str = Form(""),
    ) -> HTMLResponse:
        declared = int(request.headers.get("content-length") or 0)
        if declared > max_upload + 65536:
            return page(request, "_import_result.html", 413, error=_too_big(max_upload))
        name = _SAFE_NAME.sub("_", Path(export.filename or "export").name)[:120] or "export"
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
                    state.db, target, me=me.strip() or None, options=options
                )
            except ReciprocityError as problem:
                message = str(problem).replace(str(target), name)
                return page(request, "_import_result.html", 400, error=message)
        state.changed()
        return page(request, "_import_result.html", result=outcome.result, name=name)

    @app.get("/settings", response_class=HTMLResponse)
    def settings(request: Request) -> HTMLResponse:
        people = store.list_people(state.db).to_dicts()
        return page(
            request, "settings.html", people=people, kinds=store.RELATIONSHIP_KINDS, saved=None
        )

    @app.post("/settings/kind", dependencies=[Depends(csrf_protect)])
    def set_kind(person_id: int = Form(), kind: str = Form()) -> Response:
        try:
            store.set_relationship_kind(state.db, person_id, kind)
        except ReciprocityError as problem:
            raise HTTPException(400, str(problem)) from problem
        state.changed()
        return RedirectResponse("/settings", status_code=303)

    @app.get("/report")
    def report_file() -> Response:
        html = report.render_report(state.data())
        stamp = datetime.now(UTC).strftime("%Y-%m-%d")
        return Response(
            html,
            media_type="text/html",
            headers={"content-disposition": f'attachment; filename="reciprocity-{stamp}.html"'},
        )

    return app


def _too_big(limit: int) -> str:
    return f"The file is larger than {limit >> 20} MB; export the chat without media and try again."
