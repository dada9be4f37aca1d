"""Expectations, the check-in (assessment) and parent mode: pages over ``reciprocity.guide``.

- ``/expectations``: name a need (a rule and its number), delete it, and see each checked
  against the messages: met, not met or not enough data, with the evidence;
- ``/assess``: the check-in questionnaire for one person, and the latest answers set next
  to what the data says (where the two differ too), with the scores over time;
- ``/parent``: parent mode's sections, or how to mark a child in the settings.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import polars as pl
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reciprocity import guide, journal, store
from reciprocity.errors import ReciprocityError
from reciprocity.metrics.record import find as find_record
from reciprocity.web import views
from reciprocity.web.forms import FormProblem, number, problem_text
from reciprocity.web.render import Pages
from reciprocity.web.security import csrf_protect
from reciprocity.web.state import State

__all__ = ["ANSWER_PREFIX", "routes"]

ANSWER_PREFIX = "answer-"
"""Form fields of the check-in are named ``answer-<item id>``."""


def routes(state: State, pages: Pages) -> APIRouter:
    """The guide's routes over ``state``, rendered by ``pages``."""
    router = APIRouter()

    def expectations(
        request: Request, form: dict[str, Any], error: str | None = None, status: int = 200
    ) -> HTMLResponse:
        return pages.page(
            request,
            "expectations.html",
            status,
            form=form,
            error=error,
            checked=views.checked(state),
            rules=guide.RULES,
            people=views.known_people(state),
        )

    @router.get("/expectations", response_class=HTMLResponse)
    def expectations_page(request: Request, person: str = "") -> HTMLResponse:
        return expectations(
            request,
            {"person": person, "rule": "check_in", "value": "", "note": "", "new_person": False},
        )

    @router.post("/expectations", dependencies=[Depends(csrf_protect)], response_model=None)
    def add_expectation(
        request: Request,
        person: str = Form(""),
        rule: str = Form("check_in"),
        value: str = Form(""),
        note: str = Form(""),
        new_person: bool = Form(False),
    ) -> Response:
        form = {
            "person": person,
            "rule": rule,
            "value": value,
            "note": note,
            "new_person": new_person,
        }
        try:
            guide.add_expectation(
                state.db,
                store.resolve_person(state.db, person, new=new_person),
                rule,
                number(value, "The number"),
                note.strip() or None,
            )
        except ReciprocityError as problem:
            return expectations(request, form, problem_text(problem), 400)
        return RedirectResponse("/expectations#checked", status_code=303)

    @router.get("/assess", response_class=HTMLResponse)
    def assess_page(
        request: Request, person: str = "", relationship: int | None = None, saved: int = 0
    ) -> HTMLResponse:
        if relationship is not None:
            found = state.data().find(relationship)
            if found is None:
                raise HTTPException(404, "No relationship with this number.")
            person = found.person
        return _assessment(request, person.strip(), saved=bool(saved))

    def _assessment(
        request: Request,
        person: str,
        *,
        saved: bool = False,
        error: str | None = None,
        given: dict[str, str] | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        form = guide.available()["checkin"]
        context: dict[str, Any] = {
            "person": person,
            "form": form,
            "people": views.known_people(state),
            "saved": saved,
            "error": error,
            "given": given or {},
            "comparisons": [],
            "history": [],
            "prefix": ANSWER_PREFIX,
        }
        if person:
            history = guide.assessments_frame(state.db, person).filter(
                pl.col("questionnaire") == form.name
            )
            context["history"] = history.to_dicts()
            if history.height:
                latest = json.loads(history["answers"][-1])
                result = state.result()
                context["latest"] = latest
                context["comparisons"] = guide.compare(
                    latest,
                    person,
                    find_record(result.records, person),
                    journal.energy_frame(journal.entries_frame(state.db)),
                )
        return pages.page(request, "assess.html", status, **context)

    @router.post("/assess", dependencies=[Depends(csrf_protect)], response_model=None)
    async def save_assessment(request: Request) -> Response:
        fields = await request.form()
        person = str(fields.get("person") or "").strip()
        form = guide.available()["checkin"]
        given = {
            key[len(ANSWER_PREFIX) :]: str(value)
            for key, value in fields.items()
            if key.startswith(ANSWER_PREFIX) and isinstance(value, str)
        }
        try:
            if not person:
                raise FormProblem("Say who the check-in is about.")
            try:
                person = store.resolve_person(state.db, person)
            except store.UnknownPerson as problem:
                raise FormProblem(
                    f"{problem} A check-in is about someone already here: import your chat "
                    "with them or log a moment in the journal first."
                ) from problem
            missing = [item.text for item in form.items if not given.get(item.id)]
            if missing:
                raise FormProblem(f"Please answer every question; still open: {missing[0]}")
            answers = {key: int(value) for key, value in given.items()}
            guide.save_assessment(state.db, person, form, answers)
        except (ReciprocityError, ValueError) as problem:
            return _assessment(request, person, error=str(problem), given=given, status=400)
        return RedirectResponse(f"/assess?person={quote(person, safe='')}&saved=1", status_code=303)

    @router.get("/parent", response_class=HTMLResponse)
    def parent_page(request: Request) -> HTMLResponse:
        result = state.result()
        sections = guide.parent_mode(
            result.ledger,
            result.exchanges,
            result.patterns,
            journal.entries_frame(state.db),
            store.list_people(state.db),
        )
        return pages.page(request, "parent.html", sections=sections)

    return router
