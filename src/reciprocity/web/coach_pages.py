"""The "I" statement coach: a draft in, flags and a calmer form out, and the conversation
recorded once it happened.

``POST /coach`` answers HTMX with the result fragment (swapped under the form) and a plain
form post with the whole page, so the coach works without script too. With a person, the
proposed statement carries what their messages measure (``guide.imbalance_phrases``), as
``reciprocity coach --person`` does. ``POST /coach/record`` saves a conversation record,
from which "protect your energy" later compares before and after.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from reciprocity import guide, store
from reciprocity.errors import ReciprocityError
from reciprocity.web import views
from reciprocity.web.forms import day
from reciprocity.web.render import Pages, is_htmx
from reciprocity.web.security import csrf_protect
from reciprocity.web.state import State

__all__ = ["MAX_DRAFT", "routes"]

MAX_DRAFT = 4000
"""Longest draft read: a message to a friend, not a letter; keeps the rules quick."""


def routes(state: State, pages: Pages) -> APIRouter:
    """The coach's routes over ``state``, rendered by ``pages``."""
    router = APIRouter()

    def whole_page(
        request: Request, draft: str, person: str, status: int = 200, **result: Any
    ) -> HTMLResponse:
        return pages.page(
            request,
            "coach.html",
            status,
            draft=draft,
            person=person,
            people=views.known_people(state),
            **result,
        )

    @router.get("/coach", response_class=HTMLResponse)
    def coach_page(request: Request, person: str = "") -> HTMLResponse:
        return whole_page(request, "", person, coaching=None)

    @router.post("/coach", dependencies=[Depends(csrf_protect)], response_class=HTMLResponse)
    def run_coach(request: Request, draft: str = Form(""), person: str = Form("")) -> HTMLResponse:
        text = draft.strip()[:MAX_DRAFT]
        person = person.strip()
        try:
            # An empty draft, or one in a language the coach does not read, is refused
            # before any figure is computed.
            guide.coach(text)
            imbalance = guide.imbalance_phrases(state.result().figures, person) if person else []
            coaching = guide.coach(text, imbalance=imbalance)
        except guide.DraftError as exc:
            error = str(exc)
            if is_htmx(request):
                return pages.page(request, "_coaching.html", 400, coaching=None, error=error)
            return whole_page(request, draft, person, 400, coaching=None, error=error)
        result: dict[str, Any] = {"coaching": coaching, "for_person": person, "error": None}
        if is_htmx(request):
            return pages.page(request, "_coaching.html", **result)
        return whole_page(request, draft, person, **result)

    @router.post("/coach/record", dependencies=[Depends(csrf_protect)], response_class=HTMLResponse)
    def record(
        request: Request,
        person: str = Form(""),
        draft: str = Form(""),
        statement: str = Form(""),
        when: str = Form(""),
    ) -> HTMLResponse:
        try:
            person = _known(state, person)
            key = guide.record_conversation(
                state.db,
                person,
                when=day(when),
                draft=draft.strip()[:MAX_DRAFT] or None,
                statement=statement.strip()[:MAX_DRAFT] or None,
            )
        except ReciprocityError as problem:
            return pages.page(request, "_recorded.html", 400, error=str(problem), person=person)
        saved = views.records(state).filter(pl.col("id") == key).to_dicts()
        return pages.page(request, "_recorded.html", error=None, person=person, record=saved[0])

    return router


def _known(state: State, person: str) -> str:
    """The known person ``person`` names; a talk is recorded only about someone already here."""
    try:
        return store.resolve_person(state.db, person) if person.strip() else person
    except store.UnknownPerson as problem:
        raise ReciprocityError(
            f"{problem} A talk is recorded about someone already here: import your chat with "
            "them or log a moment in the journal first."
        ) from problem
