"""Delete with a confirmation step, then "Deleted. Undo": journal entries, needs
(expectations) and conversation records.

For each kind, under its own prefix (``/journal``, ``/expectations``, ``/records``):

- ``GET {prefix}/{id}/delete``: "Delete …?" with a Delete button and a way back;
- ``POST {prefix}/{id}/delete``: deletes (softly, :mod:`reciprocity.store.trash`) and goes
  back to the list with ``?deleted={id}&what={kind}``, which every page turns into a
  "Deleted. Undo" line (:func:`undo_notice`);
- ``POST {prefix}/{id}/restore``: brings the row back, same id, and goes back to the list.

The page to go back to is a form field checked to be a path on this site, so a crafted
link cannot send the browser elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import polars as pl
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reciprocity import guide, journal
from reciprocity.errors import NotFound
from reciprocity.store.db import Database
from reciprocity.web.render import Pages
from reciprocity.web.security import csrf_protect
from reciprocity.web.state import State

__all__ = ["KINDS", "Kind", "routes", "undo_notice"]


@dataclass(frozen=True)
class Kind:
    """One kind of thing a person deletes: where it lives and how it reads."""

    prefix: str
    words: str
    back: str
    describe: Callable[[Database, int], str]
    delete: Callable[[Database, int], Any]
    restore: Callable[[Database, int], Any]
    feeds_analysis: bool


def _entry(db: Database, entry_id: int) -> str:
    entry = journal.get_entry(db, entry_id)
    note = f" (“{entry.note}”)" if entry.note else ""
    return f"entry #{entry.id} of {entry.when.date().isoformat()} about {entry.person}{note}"


def _need(db: Database, expectation_id: int) -> str:
    rows = guide.list_expectations(db).filter(pl.col("id") == expectation_id).to_dicts()
    if not rows:
        raise NotFound(f"there is no need {expectation_id}")
    return f"the need “{rows[0]['person']} {rows[0]['need']}”"


def _record(db: Database, record_id: int) -> str:
    rows = guide.conversation_records(db).filter(pl.col("id") == record_id).to_dicts()
    if not rows:
        raise NotFound(f"there is no conversation record {record_id}")
    row = rows[0]
    return f"the note that you talked with {row['person']} on {row['date'].date().isoformat()}"


KINDS: Mapping[str, Kind] = {
    "journal": Kind(
        "/journal",
        "journal entry",
        "/journal",
        _entry,
        journal.delete_entry,
        journal.restore_entry,
        feeds_analysis=True,
    ),
    "expectation": Kind(
        "/expectations",
        "need",
        "/expectations",
        _need,
        guide.delete_expectation,
        guide.restore_expectation,
        feeds_analysis=False,
    ),
    "record": Kind(
        "/records",
        "conversation record",
        "/",
        _record,
        guide.delete_record,
        guide.restore_record,
        feeds_analysis=True,
    ),
}
"""Everything that can be deleted and undone, by the name used in ``?what=``."""


def _local(path: str, default: str) -> str:
    """``path`` when it is a path on this site (no scheme, no host), else ``default``."""
    parts = urlsplit(path)
    if not path.startswith("/") or path.startswith("//") or parts.scheme or parts.netloc:
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _with(back: str, **params: str | int) -> str:
    """``back`` with ``params`` added to its query."""
    parts = urlsplit(back)
    query = "&".join(p for p in (parts.query, urlencode(params)) if p)
    return f"{parts.path}?{query}"


def undo_notice(request: Request) -> dict[str, Any] | None:
    """What the "Deleted. Undo" line shows, from ``?deleted=ID&what=KIND``, or ``None``."""
    deleted = request.query_params.get("deleted", "")
    kind = KINDS.get(request.query_params.get("what", ""))
    if kind is None or not deleted.isdigit():
        return None
    back = request.url.path
    query = urlencode(
        [
            (k, v)
            for k, v in request.query_params.multi_items()
            if k not in ("deleted", "what", "restored")
        ]
    )
    return {
        "id": int(deleted),
        "words": kind.words,
        "action": f"{kind.prefix}/{int(deleted)}/restore",
        "back": back + (f"?{query}" if query else ""),
    }


def routes(state: State, pages: Pages) -> APIRouter:
    """The confirm, delete and restore routes of every kind in :data:`KINDS`."""
    router = APIRouter()
    for name, kind in KINDS.items():
        _add(router, state, pages, name, kind)
    return router


def _add(router: APIRouter, state: State, pages: Pages, name: str, kind: Kind) -> None:
    def confirm(request: Request, row_id: int, back: str = "") -> HTMLResponse:
        try:
            what = kind.describe(state.db, row_id)
        except NotFound as problem:
            raise HTTPException(404, f"There is no such {kind.words}; it may be deleted.") from (
                problem
            )
        return pages.page(
            request,
            "confirm_delete.html",
            what=what,
            words=kind.words,
            action=f"{kind.prefix}/{row_id}/delete",
            back=_local(back, kind.back),
        )

    def delete(row_id: int, back: str = Form("")) -> Response:
        try:
            kind.delete(state.db, row_id)
        except NotFound as problem:
            raise HTTPException(404, f"There is no such {kind.words}; it may be deleted.") from (
                problem
            )
        if kind.feeds_analysis:
            state.changed()
        target = _with(_local(back, kind.back), deleted=row_id, what=name)
        return RedirectResponse(target, status_code=303)

    def restore(row_id: int, back: str = Form("")) -> Response:
        try:
            kind.restore(state.db, row_id)
        except NotFound as problem:
            raise HTTPException(404, f"There is no deleted {kind.words} with this number.") from (
                problem
            )
        if kind.feeds_analysis:
            state.changed()
        target = _with(_local(back, kind.back), restored=row_id)
        return RedirectResponse(target, status_code=303)

    router.add_api_route(
        kind.prefix + "/{row_id}/delete", confirm, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route(
        kind.prefix + "/{row_id}/delete",
        delete,
        methods=["POST"],
        dependencies=[Depends(csrf_protect)],
    )
    router.add_api_route(
        kind.prefix + "/{row_id}/restore",
        restore,
        methods=["POST"],
        dependencies=[Depends(csrf_protect)],
    )
