"""Server mode's state: every request works on its signed-in account's own store.

:class:`AccountStates` stands where the one-person app has its :class:`~.state.State`, so
the routes are the same code in both modes: each reads ``state.db`` or ``state.data()``,
and here those go to the :class:`~.state.State` of the account that
:class:`~.sessions.AccountGate` bound to the request (a context variable, which FastAPI
carries into the thread a route runs on). With no account bound there is no database to
reach at all (:class:`NoAccount`), so a route cannot read another account's data by
forgetting a check: isolation is in the choice of store, not in each query.

Each account's State has its own lock, so one account's analysis never holds another's
pages, and keeps its figures while its own import is analysed (:meth:`State.renew`).
Analyses are kept for at most :data:`KEEP` accounts, the most recently read; the others
are computed again when next asked for (from the store's cache of derived frames, so a
second time is quick).
"""

from __future__ import annotations

import contextvars
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from reciprocity import pipeline, report, store
from reciprocity.accounts import Account, Registry
from reciprocity.ledger.evidence import Evidence
from reciprocity.web.state import Figures, Shown, State

__all__ = ["KEEP", "AccountStates", "NoAccount", "Signed"]

T = TypeVar("T")

KEEP = 64
"""Accounts whose analysis is kept in memory at once. Measured (session 14): about 26 MB
each for an account of 100k messages, its page lists included (eight more kept grew the
process by 201 MB, then 223 MB; without the evidence and "show me" lists, 191 and 198 MB),
so 64 is about 1.7 GB; computing one again takes about a second at that size (from its
store's cached frames)."""


@dataclass(frozen=True)
class Signed:
    """The account a request is signed in as, and the state of the store it reads: its
    own, or (``viewing``) the store of an account that shares a read-only view with it."""

    account: Account
    state: State
    viewing: Account | None = None


class NoAccount(RuntimeError):
    """A store was asked for outside a signed-in request (a bug: the gate lets none in)."""


_signed: contextvars.ContextVar[Signed | None] = contextvars.ContextVar(
    "reciprocity_signed", default=None
)


class AccountStates(State):
    """The States of a server's accounts, one per account, chosen per request."""

    def __init__(self, registry: Registry, *, keep: int = KEEP) -> None:
        # No database of its own: State's attributes are never set on purpose.
        self.registry = registry
        self.keep = keep
        self._states: dict[int, State] = {}
        self._recent: OrderedDict[int, None] = OrderedDict()
        self._guard = threading.Lock()

    def known(self, account: Account) -> State | None:
        """``account``'s State when its store is open already (no file or network read)."""
        with self._guard:
            return self._states.get(account.id)

    def state_for(self, account: Account) -> State:
        """``account``'s State, its store opened (and made) on first use."""
        with self._guard:
            found = self._states.get(account.id)
        if found is not None:
            return found
        db = self.registry.open_store(account)  # outside the lock: a migration takes time
        made = State(db)
        # Figures an import works out count among those kept, as those a page reads do.
        made.on_kept = self._used
        with self._guard:
            found = self._states.setdefault(account.id, made)
        if found.own is not db:
            db.close()  # another request opened it meanwhile
        return found

    def bind(
        self, account: Account, state: State, viewing: Account | None = None
    ) -> contextvars.Token[Signed | None]:
        """Make ``account`` (reading ``state``, ``viewing``'s when given) the current
        request's account."""
        return _signed.set(Signed(account, state, viewing))

    @staticmethod
    def unbind(token: contextvars.Token[Signed | None]) -> None:
        """Undo :meth:`bind` (the request is over)."""
        _signed.reset(token)

    @staticmethod
    def signed() -> Signed | None:
        """The current request's account, or ``None`` (a signed-out page)."""
        return _signed.get()

    def here(self) -> State:
        """The current request's account's State; :class:`NoAccount` outside one."""
        signed = _signed.get()
        if signed is None:
            raise NoAccount("no account is signed in for this request")
        return signed.state

    @property
    def db(self) -> store.Database:
        """The current account's database (its own, or its demo's)."""
        return self.here().db

    @property
    def own(self) -> store.Database:
        """The current account's own database."""
        return self.here().own

    @property
    def cached(self) -> bool:
        """Whether the current account's analysis is kept now."""
        return self.here().cached

    @property
    def in_demo(self) -> bool:
        """Whether the current account looks at the demo (never, signed out)."""
        signed = _signed.get()
        return signed is not None and signed.state.in_demo

    def figures(self) -> Figures:
        """The current account's analysis and page records (see :meth:`State.figures`)."""
        state = self.here()
        found = state.figures()
        self._used(state)
        return found

    def result(self) -> pipeline.Analysis:
        """The current account's analysis (see :meth:`State.result`)."""
        return self.figures().result

    def data(self) -> report.SurfaceData:
        """The current account's analysis shaped for pages (see :meth:`State.data`)."""
        return self.figures().data

    def evidence(self) -> Evidence:
        """The messages behind the current account's readings (see :meth:`State.evidence`)."""
        return self.figures().evidence

    def memo(self, key: tuple[str, str | None], make: Callable[[Figures], T]) -> T:
        """The current account's kept page values (see :meth:`State.memo`)."""
        return self.here().memo(key, make)

    def once(self, key: str, make: Callable[[Figures], T]) -> T:
        """The current account's values made once per analysis (see :meth:`State.once`)."""
        return self.here().once(key, make)

    def writing(self) -> Shown | None:
        """The current account may save something (see :meth:`State.writing`)."""
        return self.here().writing()

    def wrote(self, before: Shown | None = None) -> None:
        """The current account may have saved something (see :meth:`State.wrote`)."""
        self.here().wrote(before)

    @property
    def updating(self) -> bool:
        """Whether an import of the current account is running (never, signed out)."""
        signed = _signed.get()
        return signed is not None and signed.state.updating

    def changed(self) -> None:
        """Forget the current account's analysis."""
        self.here().changed()

    def use(self, db: store.Database) -> None:
        """Show the current account ``db`` (its demo) instead of its own data."""
        self.here().use(db)

    def use_own(self) -> None:
        """Back to the current account's own data."""
        self.here().use_own()

    def _used(self, state: State) -> None:
        """Note that ``state``'s analysis was read; forget the least recently read ones
        beyond :attr:`keep`."""
        with self._guard:
            key = id(state)
            self._recent[key] = None
            self._recent.move_to_end(key)
            dropped: list[State] = []
            while len(self._recent) > self.keep:
                old, _ = self._recent.popitem(last=False)
                dropped.extend(s for s in self._states.values() if id(s) == old)
        for old_state in dropped:
            old_state.changed()

    def kept(self) -> int:
        """How many accounts' analyses are in memory now."""
        with self._guard:
            states = list(self._states.values())
        return sum(state.cached for state in states)

    def close(self) -> None:
        """Close every account's store (the server is stopping)."""
        with self._guard:
            states = list(self._states.values())
            self._states.clear()
        for state in states:
            state.use_own()
            state.own.close()
