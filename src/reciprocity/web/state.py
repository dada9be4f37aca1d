"""The web app's database and its analysis, computed once per change of the data.

Every page reads :meth:`State.result` (the pipeline's :class:`~reciprocity.pipeline.Analysis`),
:meth:`State.data` (the report's :class:`~reciprocity.report.SurfaceData`) and
:meth:`State.evidence` (the messages behind each reading,
:class:`~reciprocity.ledger.evidence.Evidence`); all three come from one run of the
pipeline (:class:`Figures`), kept until an import, a journal entry or a setting changes
what the analysis reads (:meth:`State.changed`). Saving an expectation, a check-in or a
conversation record does not touch the analysis, so it keeps the cache. A page is then a
lookup in these and a template: nothing is computed per request. What another program
saves (``reciprocity import`` or ``reciprocity log`` in a terminal while the app is open)
is noticed too: the database is asked, at most once a second, whether its data tag
(:func:`~reciprocity.store.data_tag`) is still the one the kept figures were made from
(:meth:`State.figures`).

An import does not drop the figures: while it runs, and while its new figures are worked
out (:meth:`State.renew`, on the import's worker), pages keep showing the figures from
before it, with a note that they are being updated (:attr:`State.updating`), rather than
waiting for the new ones. A change the user makes on a page (a journal entry, a merge)
drops them, so the next page shows it at once.

Memory: one :class:`Figures` per State: the analysis's per-relationship frames, the page
records, and at most :data:`~reciprocity.ledger.evidence.EVIDENCE_LIMIT` messages per
relationship, dimension and giver.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from reciprocity import pipeline, report, store
from reciprocity.ledger.evidence import Evidence, latest_evidence
from reciprocity.metrics.balance import window_end

__all__ = ["Figures", "State", "Writes", "surface"]

T = TypeVar("T")

# The silence that starts a conversation: the pipeline's default, as in ``report.gather``.
_SILENCE = timedelta(hours=6)


@dataclass(frozen=True)
class Figures:
    """One analysis and what the pages read of it, for the day its window ends."""

    result: pipeline.Analysis
    data: report.SurfaceData
    evidence: Evidence
    day: datetime
    #: :func:`~reciprocity.store.data_tag` when the analysis began.
    tag: str = ""


#: Kept figures and the data tag they were found to show (see :meth:`State.writing`).
Shown = tuple[Figures, str]

#: Seconds a kept analysis is trusted before the database is asked whether another program
#: saved something meanwhile (three small queries; a page asks for the figures many times).
LOOK_SECONDS = 1.0


class State:
    """The database and the cached analysis of it (safe to share between threads)."""

    def __init__(self, db: store.Database) -> None:
        self._db = db
        self._own = db
        # Held while figures are computed (one computation at a time per State).
        self._lock = threading.Lock()
        # Held only to read or swap the fields below (never while computing).
        self._guard = threading.Lock()
        self._figures: Figures | None = None
        # Counts changes, so figures computed from data changed meanwhile are not kept.
        self._generation = 0
        self._updating = 0
        # What pages read of the figures together with the user's own notes (saved
        # expectations, conversation records): kept for one Figures and one count of
        # writes (:meth:`wrote`), at most one value per key (a person, or everyone).
        self._memo: dict[tuple[str, str | None], Any] = {}
        self._memo_for: tuple[Figures | None, int] = (None, 0)
        self._writes = 0
        #: Told when new figures are kept (server mode counts the accounts kept in memory).
        self.on_kept: Callable[[State], None] | None = None
        # What pages read of the figures alone, made at the first page that needs it
        # (:meth:`once`): kept for one Figures.
        self._once: dict[str, Any] = {}
        self._once_for: Figures | None = None
        # When the database was last asked whether the kept figures still show it, and
        # the tag this app's own writes moved them on to (:meth:`wrote`).
        self._looked = 0.0
        # (weakly: figures replaced since are not kept alive for it)
        self._accepted: tuple[weakref.ref[Figures], str] | None = None

    @property
    def db(self) -> store.Database:
        """The database the pages show: the user's own, or the demo's."""
        return self._db

    @property
    def own(self) -> store.Database:
        """The user's own database, kept while the demo is in use."""
        return self._own

    def here(self) -> State:
        """The state a request works on: this one (server mode picks one per account,
        :class:`~reciprocity.web.accounts_state.AccountStates`)."""
        return self

    @property
    def cached(self) -> bool:
        """Whether an analysis is kept now."""
        return self._figures is not None

    def figures(self) -> Figures:
        """The analysis and its page records (computed at most once per change)."""
        # "The last 90 days" end today: an app left running past midnight analyses again.
        day = window_end()
        with self._guard:
            kept = self._figures
        if kept is not None and kept.day == day and self._shows_the_data(kept):
            return kept  # the common case: no lock held while computing is waited for
        with self._lock:
            with self._guard:
                latest, generation = self._figures, self._generation
            if latest is not None and latest is not kept and latest.day == day:
                return latest  # computed by the one this waited for
            return self._compute(day, generation)

    def _shows_the_data(self, kept: Figures) -> bool:
        """Whether ``kept`` was worked out from what the database holds now.

        Another program may have saved something since (``reciprocity import`` or
        ``reciprocity log`` in a terminal while the app is open): without this look, the
        pages would go on showing other figures than the command line until the app is
        restarted. The database is asked at most once per :data:`LOOK_SECONDS`, and not
        while this app's own import runs (its pages keep the figures from before it, see
        :meth:`renew`).
        """
        now = monotonic()
        with self._guard:
            if self._updating or now - self._looked < LOOK_SECONDS:
                return True
            self._looked = now
            accepted = self._accepted
        return _current(kept, store.data_tag(self.db), accepted)

    def _compute(self, day: datetime, generation: int) -> Figures:
        """New figures from the database (the caller holds ``_lock``), kept unless the
        data changed since ``generation``."""
        db = self.db
        # Read first: what is saved while the analysis runs makes it stale, not current.
        tag = store.data_tag(db)
        result = report.analysis(db)
        data = surface(db, result)
        evidence = latest_evidence(
            result.ledger, result.exchanges, lambda ids: store.message_texts(db, ids)
        )
        made = Figures(result, data, evidence, day, tag)
        with self._guard:
            kept = self._generation == generation and self._db is db
            if kept:
                self._figures = made
        if kept and self.on_kept is not None:
            self.on_kept(self)
        return made

    def result(self) -> pipeline.Analysis:
        """The pipeline's analysis of the database (computed at most once per change)."""
        return self.figures().result

    def data(self) -> report.SurfaceData:
        """The analysis shaped for the pages, from the same run as :meth:`result`."""
        return self.figures().data

    def evidence(self) -> Evidence:
        """The messages behind every reading, from the same run as :meth:`result`."""
        return self.figures().evidence

    def memo(self, key: tuple[str, str | None], make: Callable[[Figures], T]) -> T:
        """``make(figures)``, made once per analysis and per change of what the user
        saved (:meth:`wrote`): what a page reads of the analysis and the user's notes
        together (the advice and needs of one person, ``key``)."""
        figures = self.figures()
        with self._guard:
            if self._memo_for[0] is not figures or self._memo_for[1] != self._writes:
                self._memo = {}
                self._memo_for = (figures, self._writes)
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
            made_for = self._memo_for
        value = make(figures)
        with self._guard:
            if self._memo_for == made_for:
                self._memo[key] = value
        return value

    def once(self, key: str, make: Callable[[Figures], T]) -> T:
        """``make(figures)``, made once per analysis, at the first page that asks for it
        (lists few pages open, such as the "show me" examples)."""
        figures = self.figures()
        with self._guard:
            if self._once_for is not figures:
                self._once = {}
                self._once_for = figures
            if key in self._once:
                return self._once[key]  # type: ignore[no-any-return]
        value = make(figures)
        with self._guard:
            if self._once_for is figures:
                self._once[key] = value
        return value

    def writing(self) -> Shown | None:
        """A request that may save something begins: see :meth:`wrote`, which is given
        what this returns (the kept figures and the data's tag, when they show it)."""
        with self._guard:
            self._writes += 1
            kept, accepted = self._figures, self._accepted
        if kept is None:
            return None
        tag = store.data_tag(self.db)
        return (kept, tag) if _current(kept, tag, accepted) else None

    def wrote(self, before: Shown | None = None) -> None:
        """Something may have been saved (a form was sent): what :meth:`memo` keeps is
        made again. Called before (:meth:`writing`) and after every request that may
        write, so a value read while it wrote is not kept either. What the request saved
        without dropping the figures (a need, a record) does not change them: when they
        showed the data ``before`` it, the tag it moved the data on to is theirs too, and
        only what another program saves is noticed (:meth:`figures`)."""
        with self._guard:
            self._writes += 1
            kept = self._figures
        if before is None or kept is not before[0]:
            return
        tag = store.data_tag(self.db)
        with self._guard:
            if self._figures is kept:
                self._accepted = (weakref.ref(kept), tag)

    def changed(self) -> None:
        """Forget the analysis: the messages, the journal or a relationship kind changed."""
        with self._guard:
            self._generation += 1
            self._figures = None

    def renew(self) -> None:
        """Work the figures out again after an import saved new messages, keeping the old
        ones for the pages until the new ones are ready (called off the request path)."""
        with self._lock:
            with self._guard:
                self._generation += 1
                generation = self._generation
            self._compute(window_end(), generation)

    @property
    def updating(self) -> bool:
        """Whether an import is running: the figures shown are from before it."""
        return self._updating > 0

    @contextmanager
    def importing(self) -> Iterator[None]:
        """Mark the figures as being updated while an import runs."""
        with self._guard:
            self._updating += 1
        try:
            yield
        finally:
            with self._guard:
                self._updating -= 1

    @property
    def in_demo(self) -> bool:
        """Whether the pages show the demo database instead of the user's own."""
        return self.db is not self.own

    def use(self, db: store.Database) -> None:
        """Show ``db`` (the demo) instead of the user's database, until :meth:`use_own`."""
        with self._lock, self._guard:
            if self._db is not self._own:
                self._db.close()
            self._db = db
            self._generation += 1
            self._figures = None

    def use_own(self) -> None:
        """Go back to the user's own database (closing the demo's)."""
        with self._lock, self._guard:
            if self._db is not self._own:
                self._db.close()
            self._db = self._own
            self._generation += 1
            self._figures = None


def _current(kept: Figures, tag: str, accepted: tuple[weakref.ref[Figures], str] | None) -> bool:
    """Whether ``kept`` shows the data tagged ``tag``: made from it, or moved on to it by
    what the app saved itself (``accepted``, see :meth:`State.wrote`)."""
    if tag == kept.tag:
        return True
    return accepted is not None and accepted[0]() is kept and accepted[1] == tag


def surface(db: store.Database, result: pipeline.Analysis) -> report.SurfaceData:
    """:func:`reciprocity.report.gather` over an analysis already computed, so a page never
    runs the pipeline twice."""
    return report.shape(db, result, silence=_SILENCE)


class Writes:
    """ASGI middleware: a request that may save something (any but GET and HEAD) tells
    the State of its account before and after (:meth:`State.wrote`), so what pages keep
    of the user's notes is never older than the last form sent."""

    def __init__(self, app: ASGIApp, *, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, marking its account's State around a write."""
        here = None
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD"):
            try:
                here = self.state.here()
            except RuntimeError:  # signed out (server mode): no account's data to mark
                here = None
        # Asks the database for its tag: off the event loop, as a page's work is.
        before = await run_in_threadpool(here.writing) if here is not None else None
        try:
            await self.app(scope, receive, send)
        finally:
            if here is not None:
                here.wrote(before)  # here, not awaited: it must run even when cancelled
