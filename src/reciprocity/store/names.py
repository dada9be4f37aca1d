"""Names a person types, matched to the people the database already knows.

Journal entries, expectations, check-ins and conversation records name a person by text.
A typo there ("Bob" for "Bea") used to start a new person silently, splitting one tie in
two. :func:`resolve_person` answers with the known spelling, refuses a name nobody has
(:class:`UnknownPerson`, carrying the closest names) and accepts a new one only when the
caller says so (``new=True``: ``--new`` on the command line, a checkbox on the page).

Closeness is Jaro-Winkler similarity from rapidfuzz: names are short, and a typo usually
keeps the first letter, which Jaro-Winkler weighs (it ranks "Bea" above "Dom" for "Bob",
where a plain edit ratio ties them).
"""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.utils import default_process
from sqlalchemy import select

from reciprocity.errors import NotFound
from reciprocity.store.db import Database
from reciprocity.store.models import Identity, Person
from reciprocity.store.models_guide import (
    Assessment,
    ConversationRecord,
    Expectation,
    JournalEntry,
)
from reciprocity.store.trash import kept

__all__ = ["SUGGESTIONS", "UnknownPerson", "known_names", "resolve_person", "suggest"]

SUGGESTIONS = 3
"""At most this many close names are offered."""
_CUTOFF = 0.55
"""Lowest Jaro-Winkler similarity (0 to 1) for a name to be offered as a suggestion."""
_LISTED = 8
"""With no close name, the known names are listed when there are at most this many."""
_MARGIN = 0.1
"""A suggestion is at most this much less similar than the closest one: "Jordn" gets
Jordan (0.97) alone, not Dom (0.51) besides."""


class UnknownPerson(NotFound):
    """No one known answers to ``name``; ``suggestions`` are the closest known names.

    The message names no control: each surface adds how to add someone new there.
    """

    setting = "new"

    def __init__(self, name: str, suggestions: list[str], known: list[str] | None = None) -> None:
        self.name = name
        self.suggestions = suggestions
        text = f"No one called {name.strip()}."
        if suggestions:
            text += f" Did you mean {_either(suggestions)}?"
        elif known and len(known) <= _LISTED:
            text += f" The names so far: {', '.join(sorted(known, key=str.casefold))}."
        super().__init__(text)


def _either(names: list[str]) -> str:
    """``"Bea"``, ``"Bea or Dom"``, ``"Bea, Dom or Mum"``."""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def known_names(db: Database) -> list[str]:
    """Everyone the user could mean, each once: people from the chats (not the user), then
    names already used in the journal, expectations, check-ins and conversation records
    (not deleted ones)."""
    with db.engine.connect() as conn:
        found = list(conn.scalars(select(Person.name).where(~Person.is_me).order_by(Person.id)))
        for model in (JournalEntry, Expectation, ConversationRecord):
            # A deleted entry's name is not "known": a typo deleted is a typo gone.
            found.extend(conn.scalars(select(model.person).where(kept(model)).distinct()))
        found.extend(conn.scalars(select(Assessment.person).distinct()))
    names: list[str] = []
    seen: set[str] = set()
    for name in found:
        key = _fold(name)
        if key and key not in seen:
            seen.add(key)
            names.append(name)
    return names


def suggest(name: str, names: list[str], limit: int = SUGGESTIONS) -> list[str]:
    """The known ``names`` closest to ``name``, closest first.

    >>> suggest("Bob", ["Alex", "Bea", "Dom", "Jordan"])
    ['Bea', 'Dom']
    >>> suggest("Jordn", ["Alex", "Bea", "Dom", "Jordan"])
    ['Jordan']
    """
    matches = process.extract(
        name,
        names,
        scorer=JaroWinkler.normalized_similarity,
        processor=default_process,
        limit=limit,
        score_cutoff=_CUTOFF,
    )
    if not matches:
        return []
    best = matches[0][1]
    return [str(name) for name, score, _ in matches if score >= best - _MARGIN]


def resolve_person(db: Database, name: str, *, new: bool = False) -> str:
    """The name to store for ``name``: a known person's spelling when one answers to it
    (ignoring case and extra spaces, or by one of their chat handles), else ``name`` itself
    when ``new``; otherwise :class:`UnknownPerson` with the closest known names.

    >>> resolve_person(db, "alex")  # doctest: +SKIP
    'Alex'
    """
    typed = " ".join(name.split())
    if not typed:
        return typed  # the caller's own check says a name is needed
    names = known_names(db)
    key = _fold(typed)
    for known in names:
        if _fold(known) == key:
            return known
    with db.engine.connect() as conn:
        owner = conn.execute(
            select(Person.name, Identity.handle)
            .join(Identity, Identity.person_id == Person.id)
            .where(~Person.is_me)
        ).all()
    for person, handle in owner:
        if _fold(handle) == key:
            return str(person)
    if new:
        return typed
    raise UnknownPerson(typed, suggest(typed, names), names)
