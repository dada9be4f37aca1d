"""The settings page, and the first run's demo.

``/settings``: your names (rename yourself, add a name you write under, say a name is not
you), who each person is to you, merging two people and splitting a name back out, where
the data lives and how large it is, exporting everything (``/settings/export``, a JSON
download), a backup (``/settings/backup``, the database file to download, made by
:mod:`reciprocity.store.backup`), forgetting one person (``/settings/forget``, their name
typed to confirm) and deleting everything (typed confirmation; the app then shows its
first run).

``POST /demo`` builds the demo in a database of its own beside the user's
(:mod:`reciprocity.demo.load`) and shows it, labelled "demo" in every page's header, until
``POST /demo/leave`` goes back to the user's own data. Every form needs the CSRF token;
each route only calls ``reciprocity.store`` and shows what it returns.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.background import BackgroundTask

from reciprocity import store, words
from reciprocity.errors import ReciprocityError
from reciprocity.store import backup as backups
from reciprocity.store import forget as forgetting
from reciprocity.web.render import Pages
from reciprocity.web.security import csrf_protect
from reciprocity.web.state import State

__all__ = ["CONFIRM_WORDS", "PLATFORMS", "routes"]

CONFIRM_WORDS = "delete everything"
"""What a person types to confirm deleting all their data."""

PLATFORMS = ("whatsapp", "telegram", "csv")
"""The apps offered when adding a name (besides those already in the data)."""


def _size(size: int | None) -> str:
    if size is None:
        return "unknown (a server database)"
    if size < 1 << 20:
        return f"{max(size, 1) / 1024:.0f} KB"
    return f"{size / (1 << 20):.1f} MB"


def routes(state: State, pages: Pages) -> APIRouter:
    """The settings and first-run routes over ``state``, rendered by ``pages``."""
    router = APIRouter()

    def settings_page(request: Request, error: str | None = None, status: int = 200) -> Response:
        db = state.db
        identities = store.list_identities(db)
        mine = [i for i in identities if i["is_me"]]
        owners: dict[Any, int] = {}
        for identity in identities:
            owners[identity["person_id"]] = owners.get(identity["person_id"], 0) + 1
        where = store.location(db)
        return pages.page(
            request,
            "settings.html",
            status,
            error=error,
            me=store.get_me(db),
            mine=mine,
            people=store.list_people(db).to_dicts(),
            kinds=store.RELATIONSHIP_KINDS,
            shared=[i for i in identities if not i["is_me"] and owners[i["person_id"]] > 1],
            platforms=sorted({*PLATFORMS, *(str(i["platform"]) for i in identities)}),
            where=where.shown,
            size=_size(where.size),
            encrypted=where.encrypted,
            confirm_words=CONFIRM_WORDS,
            app=words.app,
        )

    def change(request: Request, anchor: str, action: Any, *args: Any) -> Response:
        """Run ``action(db, *args)``; back to the settings at ``anchor``, or the page with
        the problem (status 400) when the library refuses."""
        try:
            action(state.db, *args)
        except ReciprocityError as problem:
            return settings_page(request, str(problem), 400)
        state.changed()
        return RedirectResponse(f"/settings#{anchor}", status_code=303)

    def my_name(request: Request) -> str | Response:
        me = store.get_me(state.db)
        if me is None:
            return settings_page(
                request, "Your name is learnt from your first import; import a chat first.", 400
            )
        return me

    @router.get("/settings", response_class=HTMLResponse)
    def settings(request: Request) -> Response:
        return settings_page(request)

    @router.post("/settings/kind", dependencies=[Depends(csrf_protect)])
    def set_kind(request: Request, person_id: int = Form(), kind: str = Form()) -> Response:
        return change(request, "kinds", store.set_relationship_kind, person_id, kind)

    @router.post("/settings/rename-me", dependencies=[Depends(csrf_protect)])
    def rename_me(request: Request, name: str = Form("")) -> Response:
        me = my_name(request)
        if not isinstance(me, str):
            return me
        return change(request, "names", store.rename_person, me, name)

    @router.post("/settings/add-name", dependencies=[Depends(csrf_protect)])
    def add_name(request: Request, platform: str = Form(""), handle: str = Form("")) -> Response:
        me = my_name(request)
        if not isinstance(me, str):
            return me
        if not handle.strip() or not platform.strip():
            return settings_page(request, "Say the app and the name you write under there.", 400)
        return change(request, "names", store.link_identity, platform.strip(), handle.strip(), me)

    @router.post("/settings/split", dependencies=[Depends(csrf_protect)])
    def split(request: Request, identity_id: int = Form()) -> Response:
        return change(request, "merge", store.split_identity, identity_id)

    @router.post("/settings/merge", dependencies=[Depends(csrf_protect)])
    def merge(request: Request, keep: int = Form(), other: int = Form()) -> Response:
        return change(request, "merge", store.merge_people, keep, other)

    @router.get("/settings/export")
    def export() -> Response:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d")
        return StreamingResponse(
            store.export_chunks(state.db),
            media_type="application/json",
            headers={"content-disposition": f'attachment; filename="reciprocity-{stamp}.json"'},
        )

    @router.get("/settings/backup")
    def backup() -> Response:
        folder = Path(tempfile.mkdtemp(prefix="reciprocity-backup-"))  # 0700, this account's
        try:
            made = backups.backup(state.db, folder)
        except ReciprocityError as problem:
            shutil.rmtree(folder, ignore_errors=True)
            raise HTTPException(400, str(problem)) from problem
        return FileResponse(
            made,
            media_type="application/vnd.sqlite3",
            filename=made.name,
            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
        )

    @router.post("/settings/forget", dependencies=[Depends(csrf_protect)])
    def forget(request: Request, person: str = Form(""), confirm: str = Form("")) -> Response:
        if (
            not person.strip()
            or " ".join(confirm.split()).casefold() != " ".join(person.split()).casefold()
        ):
            return settings_page(
                request,
                f"Nothing was removed: type the name “{person}” in the box to confirm.",
                400,
            )
        return change(request, "forget", forgetting.forget, person)

    @router.post("/settings/delete-everything", dependencies=[Depends(csrf_protect)])
    def delete_everything(request: Request, confirm: str = Form("")) -> Response:
        if " ".join(confirm.lower().split()) != CONFIRM_WORDS:
            return settings_page(
                request,
                f"Nothing was deleted: type “{CONFIRM_WORDS}” in the box to confirm.",
                400,
            )
        store.delete_everything(state.db)
        state.changed()
        return RedirectResponse("/", status_code=303)

    @router.post("/demo", dependencies=[Depends(csrf_protect)])
    def start_demo() -> Response:
        from reciprocity.demo import load

        if state.own.path is None and state.here() is not state:
            # Server mode on PostgreSQL: the demo's file would go to a folder every
            # account shares.
            raise HTTPException(
                400, "The demo is not offered on this server; try it on your own computer."
            )
        target = load.demo_path(state.own.path)
        state.use_own()  # a demo already open is closed before its file is made again
        try:
            db, _ = load.build_demo(target)
        except (ReciprocityError, OSError) as problem:
            raise HTTPException(500, f"The demo could not be made in {target}: {problem}") from (
                problem
            )
        state.use(db)
        return RedirectResponse("/", status_code=303)

    @router.post("/demo/leave", dependencies=[Depends(csrf_protect)])
    def leave_demo() -> Response:
        state.use_own()
        return RedirectResponse("/", status_code=303)

    pages.extras.append(lambda request: {"in_demo": state.in_demo})
    return router
