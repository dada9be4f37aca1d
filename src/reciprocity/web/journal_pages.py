"""The journal pages: the quick log, the list with edit and delete, energy charts per person.

``/journal`` shows the form, the energy afterwards per person (a chart and a table) and the
entries, newest first, each with its number (``#12``, as the CLI shows it; ``?person=``
keeps one person's). Saving and editing go through ``reciprocity.journal`` and forget the
cached analysis, since entries feed the ledger; deleting, with its confirmation and undo,
is :mod:`.trash_pages`'. A form with a problem comes back filled in, with the message, status 400.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from reciprocity import journal, report, store
from reciprocity.errors import NotFound, ReciprocityError, StoreBusy
from reciprocity.ledger import DIMENSIONS
from reciprocity.web import views
from reciprocity.web.forms import entry_values, problem_text, today
from reciprocity.web.render import Pages
from reciprocity.web.security import csrf_protect
from reciprocity.web.state import State

__all__ = ["ENERGY_LABELS", "routes"]

ENERGY_LABELS = {
    -2: "drained",
    -1: "a bit drained",
    0: "neither",
    1: "a bit lifted",
    2: "uplifted",
}
"""How each energy point reads in the form and the list."""

_GIVEN = tuple(d for d in DIMENSIONS if d != "energy")


class EntryForm(BaseModel):
    """The quick-log and edit forms' fields, as typed (checked by ``entry_values``)."""

    person: str = ""
    kind: str = "interaction"
    giver: str = "me"
    dimension: str = ""
    energy: str = ""
    note: str = ""
    amount: str = ""
    currency: str = ""
    settled: bool = False
    when: str = ""
    new_person: bool = False


def _blank(person: str = "") -> dict[str, Any]:
    """The quick-log form's fields when nothing has been typed yet."""
    return EntryForm(person=person).model_dump()


def _filled(entry: journal.Entry) -> dict[str, Any]:
    """An entry's fields as the edit form shows them."""
    return {
        "person": entry.person,
        "kind": entry.kind,
        "giver": entry.giver or "me",
        "dimension": ""
        if entry.kind in ("money", "favour", "repayment")
        else entry.dimension or "",
        "energy": "" if entry.energy is None else str(entry.energy),
        "note": entry.note or "",
        "amount": "" if entry.amount is None else str(entry.amount),
        "currency": entry.currency or "",
        "settled": bool(entry.settled),
        "when": entry.when.date().isoformat(),
        "new_person": False,
    }


def routes(state: State, pages: Pages) -> APIRouter:
    """The journal's routes over ``state``, rendered by ``pages``."""
    router = APIRouter()

    def listing(
        request: Request,
        form: dict[str, Any],
        *,
        person: str | None = None,
        error: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        entries = journal.entries_frame(state.db, person)
        series = report.energy_series(entries)
        return pages.page(
            request,
            "journal.html",
            status,
            form=form,
            error=error,
            person=person,
            entries=[{**row, "money": _money_text(row)} for row in reversed(entries.to_dicts())],
            energy=[
                {"trend": trend, "points": series[key]}
                for key, trend in journal.energy_trends(entries).items()
            ],
            people=views.known_people(state),
            dimensions=_GIVEN,
            kinds=journal.KINDS,
            energy_labels=ENERGY_LABELS,
            today=today(),
        )

    @router.get("/journal", response_class=HTMLResponse)
    def journal_page(request: Request, person: str = "") -> HTMLResponse:
        return listing(request, _blank(person), person=person.strip() or None)

    @router.post("/journal", dependencies=[Depends(csrf_protect)], response_model=None)
    def add(request: Request, data: Annotated[EntryForm, Form()]) -> Response:
        form = data.model_dump()
        try:
            values = _values(form)
            journal.not_in_future(values["when"])
            person = store.resolve_person(state.db, data.person, new=data.new_person)
            entry = journal.add_entry(state.db, person, **values)
        except ReciprocityError as problem:
            # A database kept busy by an import: the entry is not lost, the form keeps it.
            busy = isinstance(problem, StoreBusy)
            return listing(request, form, error=problem_text(problem), status=503 if busy else 400)
        state.changed()
        return RedirectResponse(f"/journal?saved={entry.id}#entries", status_code=303)

    def edit_page(
        request: Request,
        entry_id: int,
        form: dict[str, Any],
        error: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        return pages.page(
            request,
            "journal_edit.html",
            status,
            entry_id=entry_id,
            form=form,
            error=error,
            people=views.known_people(state),
            dimensions=_GIVEN,
            kinds=journal.KINDS,
            energy_labels=ENERGY_LABELS,
            today=today(),
        )

    @router.get("/journal/{entry_id}/edit", response_class=HTMLResponse)
    def edit_form(request: Request, entry_id: int) -> HTMLResponse:
        entry = _found(state, entry_id)
        return edit_page(request, entry.id, _filled(entry))

    @router.post("/journal/{entry_id}", dependencies=[Depends(csrf_protect)], response_model=None)
    def edit(request: Request, entry_id: int, data: Annotated[EntryForm, Form()]) -> Response:
        _found(state, entry_id)
        form = data.model_dump()
        try:
            values = _values(form)
            if values["when"] is None:
                del values["when"]  # a cleared date keeps the entry's day
            person = store.resolve_person(state.db, data.person, new=data.new_person)
            journal.edit_entry(state.db, entry_id, person=person, **values)
        except ReciprocityError as problem:
            busy = isinstance(problem, StoreBusy)
            return edit_page(request, entry_id, form, problem_text(problem), 503 if busy else 400)
        state.changed()
        return RedirectResponse(f"/journal?saved={entry_id}#entries", status_code=303)

    return router


def _values(form: dict[str, Any]) -> dict[str, Any]:
    """The entry's fields from the form's (everything but the person)."""
    return entry_values(
        kind=form["kind"],
        giver=form["giver"],
        dimension=form["dimension"],
        energy=form["energy"],
        note=form["note"],
        amount=form["amount"],
        currency=form["currency"],
        settled=form["settled"],
        when=form["when"],
    )


def _found(state: State, entry_id: int) -> journal.Entry:
    try:
        return journal.get_entry(state.db, entry_id)
    except NotFound as problem:
        raise HTTPException(404, "There is no such journal entry; it may have been deleted.") from (
            problem
        )


def _money_text(row: dict[str, Any]) -> str:
    """An entry's amount as people write it ("€40.00"), or "" without one."""
    if row["amount_minor"] is None:
        return ""
    return journal.format_money(row["amount_minor"], row["currency"])
