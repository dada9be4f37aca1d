"""What the guide pages show, read from one cached analysis: ranking, advice, checks, evidence.

Translation only: each function calls ``reciprocity.guide`` or ``reciprocity.journal`` on the
frames of :class:`~reciprocity.web.state.State` and returns plain records for the templates,
the same calls the CLI's guide commands make. What they make is kept in the State (once
per analysis, and once per form sent where it reads the user's notes too), so a page
request looks it up rather than working it out again.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from reciprocity import guide, journal, store
from reciprocity.exchanges.examples import EXAMPLES_LIMIT, Examples, latest_examples
from reciprocity.ledger.evidence import EVIDENCE_LIMIT
from reciprocity.web.state import Figures, State

__all__ = [
    "EVIDENCE_LIMIT",
    "advice",
    "checked",
    "evidence",
    "known_people",
    "ranking",
    "records",
]


def _key(name: str) -> str:
    return name.strip().casefold()


def known_people(state: State) -> list[str]:
    """Names to suggest in person fields: everyone imported, then names from the journal."""
    names = store.list_people(state.db)["person"].to_list()
    seen = {_key(n) for n in names}
    for name in journal.entries_frame(state.db)["person"].unique(maintain_order=True).to_list():
        if _key(name) not in seen:
            seen.add(_key(name))
            names.append(name)
    return names


def ranking(state: State) -> list[dict[str, Any]]:
    """Ties by how mutual the support is and energy afterwards, one suggestion each (none
    for a tie with too little to go on, listed last), with the relationship id when the
    person has one (``relationship_id``, else ``None``): the ranking the page data holds
    (``report.SurfaceData.ranking``), not a second one."""
    data = state.data()
    ids = {_key(r.person): r.relationship_id for r in data.relationships}
    return [row | {"relationship_id": ids.get(_key(row["person"]))} for row in data.ranking]


def records(state: State, person: str | None = None) -> pl.DataFrame:
    """Conversation records (``person``'s only when given), oldest first."""
    return state.memo(("records", _name(person)), lambda _: _records(state, person))


def _records(state: State, person: str | None) -> pl.DataFrame:
    frame = guide.conversation_records(state.db)
    if person is not None:
        frame = frame.filter(pl.col("person").str.to_lowercase() == person.strip().lower())
    return frame


def _name(person: str | None) -> str | None:
    return None if person is None else person.strip().lower()


def advice(state: State, person: str | None = None) -> list[guide.Advice]:
    """ "Protect your energy" for each person with a recorded conversation (or ``person``)."""

    def make(figures: Figures) -> list[guide.Advice]:
        saved = records(state, person)
        if not saved.height:
            return []
        return guide.protect_energy(figures.result.ledger, saved)

    return state.memo(("advice", _name(person)), make)


def checked(state: State, person: str | None = None) -> list[dict[str, Any]]:
    """Saved expectations (``person``'s only when given), each checked against the messages,
    with the user's own words as ``note``."""

    def make(figures: Figures) -> list[dict[str, Any]]:
        saved = guide.list_expectations(state.db, person)
        if not saved.height:
            return []
        notes = dict(zip(saved["id"].to_list(), saved["note"].to_list(), strict=True))
        rows = guide.check_expectations(saved, figures.result.exchanges).to_dicts()
        for row in rows:
            row["note"] = notes.get(row["id"])
        return rows

    return state.memo(("checked", _name(person)), make)


#: Messages a "show me" list holds.
MESSAGES_LIMIT = EXAMPLES_LIMIT

#: The acts a relationship page offers "show me" lists of.
ACT_TOPICS = ("good_news", "distress", "check_in", "disclosure", "request", "support_seek")


def messages(
    state: State, relationship_id: int, topic: str, *, from_me: bool
) -> list[dict[str, Any]]:
    """The latest messages of one act (``topic``, one of :data:`ACT_TOPICS`) sent by one
    side, newest first, each with its ``text`` and the reply it got (``answer_text``, null
    when unanswered): looked up in the lists made once per analysis, at the first "show
    me" (:func:`reciprocity.exchanges.examples.latest_examples`)."""
    db = state.db

    def make(figures: Figures) -> Examples:
        return latest_examples(
            figures.result.exchanges, ACT_TOPICS, lambda ids: store.message_texts(db, ids)
        )

    return state.once("examples", make).get(relationship_id, topic, from_me=from_me)


def evidence(
    state: State, relationship_id: int, dimension: str, giver: str
) -> tuple[list[dict[str, Any]], int, int, int]:
    """The latest ledger events of one dimension given by ``giver`` ("me" or "them"):
    (messages and reactions with their text, newest first, at most
    :data:`EVIDENCE_LIMIT`, a reaction with ``reaction`` set; how many messages in all;
    how many journal events; how many reactions). Looked up in the lists the analysis
    made once for every reading (:func:`reciprocity.ledger.evidence.latest_evidence`)."""
    return state.evidence().get(relationship_id, dimension, giver)
