"""The import pages: the upload form, the upload, and how far each import got.

- ``GET /import``: the form (and the imports still running, if any);
- ``POST /import``: the file is streamed into the app's private folder and queued
  (:mod:`.imports`); the answer comes at once: for HTMX a progress box that asks
  ``/import/jobs/{id}`` every second, else a redirect to that page. The CSRF token comes
  in the header (HTMX) or the form's address, and :mod:`.guard` checks it, with the size,
  before the file is read;
- ``GET /import/jobs/{id}``: the progress box, then what was saved or why nothing was.
"""

from __future__ import annotations

import shutil

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reciprocity import ingest, store, words
from reciprocity.web.guard import TooLarge, too_large_text
from reciprocity.web.imports import Imports
from reciprocity.web.render import Pages, is_htmx
from reciprocity.web.state import State
from reciprocity.web.uploads import BadUpload, receive

__all__ = ["owner_of", "routes"]

_BUSY = (
    "Other imports are still running. Wait until they finish (their progress is below), "
    "then send this file again."
)


def owner_of(request: Request) -> str:
    """Whose imports a request may see: its account's in server mode (set by
    :class:`~.sessions.AccountGate`), else the one person's."""
    account = request.scope.get("reciprocity.account")
    return f"account-{account.id}" if account is not None else ""


def routes(state: State, pages: Pages, imports: Imports, *, max_upload: int) -> APIRouter:
    """The import pages over ``state``, running imports on ``imports``."""
    router = APIRouter()
    page = pages.page

    @router.get("/import", response_class=HTMLResponse)
    def import_form(request: Request) -> HTMLResponse:
        return page(
            request,
            "import.html",
            me=store.get_me(state.db),
            max_mb=max_upload >> 20,
            max_bytes=max_upload,
            formats={code: words.choice(words.app(code)) for code in ingest.FORMATS},
            running=imports.running(owner_of(request)),
        )

    @router.post("/import")
    async def import_upload(request: Request) -> Response:
        owner = owner_of(request)
        if imports.full(owner):
            return page(request, "_import_result.html", 429, error=_BUSY)
        folder = imports.uploads.new()
        try:
            upload = await receive(request, folder)
        except TooLarge:
            shutil.rmtree(folder, ignore_errors=True)
            return page(request, "_import_result.html", 413, error=too_large_text(max_upload))
        except BadUpload as problem:
            shutil.rmtree(folder, ignore_errors=True)
            return page(request, "_import_result.html", 400, error=str(problem))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        fields = upload.fields
        chosen = fields.get("format", "auto")
        job = imports.submit(
            state,
            upload,
            me=fields.get("me", "").strip() or None,
            timezone=fields.get("timezone", "").strip() or None,
            format=chosen if chosen in ingest.FORMATS else "auto",
            owner=owner,
        )
        if is_htmx(request):
            return page(request, "_import_job.html", 202, job=job)
        return RedirectResponse(f"/import/jobs/{job.id}", status_code=303)

    @router.get("/import/jobs/{job_id}", response_class=HTMLResponse)
    def import_job(request: Request, job_id: str) -> HTMLResponse:
        job = imports.get(job_id, owner_of(request))
        if job is None:
            raise HTTPException(
                404, "This import is no longer remembered; the dashboard shows what was saved."
            )
        template = "_import_job.html" if is_htmx(request) else "import_job.html"
        return page(request, template, job=job)

    return router
