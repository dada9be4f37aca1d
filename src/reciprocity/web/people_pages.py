"""The people page: everyone with their names on each app, who is likely one person, and
merging or splitting them.

``/people`` lists each person's names and handles per app (marking those tied across apps
by a phone number or address), the suggestions of :func:`reciprocity.store.suggestions`
each with a "same person" and a "two people" button, and a "make a separate person"
button beside each name of a person who has several. ``POST /people/merge``,
``/people/split`` and ``/people/apart`` call the store (each one transaction, which marks
the analysis stale) and come back to the page. Every form needs the CSRF token; names from
exports are escaped by the templates.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reciprocity import store
from reciprocity.errors import ReciprocityError
from reciprocity.web.render import Pages
from reciprocity.web.security import csrf_protect
from reciprocity.web.state import State

__all__ = ["routes"]


def routes(state: State, pages: Pages) -> APIRouter:
    """The people page's routes over ``state``, rendered by ``pages``."""
    router = APIRouter()

    def people_page(request: Request, error: str | None = None, status: int = 200) -> Response:
        db = state.db
        return pages.page(
            request,
            "people.html",
            status,
            error=error,
            people=store.people_directory(db),
            suggestions=store.suggestions(db),
            region=store.phone_region(db).describe(),
        )

    def change(request: Request, action: Any, *args: Any) -> Response:
        """Run ``action(db, *args)``, then back to the page (or the page with the problem,
        status 400, when the library refuses)."""
        try:
            action(state.db, *args)
        except ReciprocityError as problem:
            return people_page(request, str(problem), 400)
        state.changed()
        return RedirectResponse("/people", status_code=303)

    @router.get("/people", response_class=HTMLResponse)
    def people(request: Request) -> Response:
        return people_page(request)

    @router.post("/people/merge", dependencies=[Depends(csrf_protect)])
    def merge(request: Request, keep: int = Form(), other: int = Form()) -> Response:
        return change(request, store.merge_people, keep, other)

    @router.post("/people/split", dependencies=[Depends(csrf_protect)])
    def split(request: Request, identity_id: int = Form()) -> Response:
        return change(request, store.split_identity, identity_id)

    @router.post("/people/apart", dependencies=[Depends(csrf_protect)])
    def apart(request: Request, person: int = Form(), other: int = Form()) -> Response:
        return change(request, store.keep_apart, person, other)

    return router
