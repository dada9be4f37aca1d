"""The web app's database and its analysis, computed once per change of the data.

Every page reads :meth:`State.result` (the pipeline's :class:`~reciprocity.pipeline.Analysis`)
and :meth:`State.data` (the report's :class:`~reciprocity.report.SurfaceData`); both come
from one run of the pipeline, kept until an import, a journal entry or a setting changes
what the analysis reads (:meth:`State.changed`). Saving an expectation, a check-in or a
conversation record does not touch the analysis, so it keeps the cache.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from reciprocity import pipeline, report, store
from reciprocity.metrics.balance import window_end

__all__ = ["State", "surface"]

# The silence that starts a conversation: the pipeline's default, as in ``report.gather``.
_SILENCE = timedelta(hours=6)


class State:
    """The database and the cached analysis of it (safe to share between threads)."""

    def __init__(self, db: store.Database) -> None:
        self._db = db
        self._own = db
        self._lock = threading.Lock()
        self._result: pipeline.Analysis | None = None
        self._data: report.SurfaceData | None = None
        self._day: datetime | None = None

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
        return self._result is not None

    def _fill(self) -> tuple[pipeline.Analysis, report.SurfaceData]:
        with self._lock:
            # "The last 90 days" end today: an app left running past midnight analyses again.
            day = window_end()
            if self._result is None or self._data is None or self._day != day:
                result = report.analysis(self.db)
                self._data = surface(self.db, result)
                self._result = result
                self._day = day
            return self._result, self._data

    def result(self) -> pipeline.Analysis:
        """The pipeline's analysis of the database (computed at most once per change)."""
        return self._fill()[0]

    def data(self) -> report.SurfaceData:
        """The analysis shaped for the pages, from the same run as :meth:`result`."""
        return self._fill()[1]

    def changed(self) -> None:
        """Forget the analysis: the messages, the journal or a relationship kind changed."""
        with self._lock:
            self._result = None
            self._data = None

    @property
    def in_demo(self) -> bool:
        """Whether the pages show the demo database instead of the user's own."""
        return self.db is not self.own

    def use(self, db: store.Database) -> None:
        """Show ``db`` (the demo) instead of the user's database, until :meth:`use_own`."""
        with self._lock:
            if self._db is not self._own:
                self._db.close()
            self._db = db
            self._result = None
            self._data = None

    def use_own(self) -> None:
        """Go back to the user's own database (closing the demo's)."""
        with self._lock:
            if self._db is not self._own:
                self._db.close()
            self._db = self._own
            self._result = None
            self._data = None


def surface(db: store.Database, result: pipeline.Analysis) -> report.SurfaceData:
    """:func:`reciprocity.report.gather` over an analysis already computed, so a page never
    runs the pipeline twice."""
    return report.shape(db, result, silence=_SILENCE)
