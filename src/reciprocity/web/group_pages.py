"""The group pages: ``GET /group/{conversation_id}``, who carries a group chat and where
the user stands in it.

Translation only: the page shows a :class:`~reciprocity.metrics.groups.GroupRecord` of the
page data (:meth:`~reciprocity.web.state.State.data`), the same one the report prints.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from reciprocity.web.render import Pages
from reciprocity.web.state import State

__all__ = ["routes"]


def routes(state: State, pages: Pages) -> APIRouter:
    """The group pages' routes."""
    router = APIRouter()

    @router.get("/group/{conversation_id}", response_class=HTMLResponse)
    def group(request: Request, conversation_id: int) -> HTMLResponse:
        data = state.data()
        found = data.group(conversation_id)
        if found is None:
            raise HTTPException(404, "No group chat with this number; go back to the dashboard.")
        ids = {r.person.casefold(): r.relationship_id for r in data.relationships}
        return pages.page(request, "group.html", g=found, ids=ids)

    return router
