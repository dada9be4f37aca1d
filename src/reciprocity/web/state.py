"""The web app's database and its analysis, computed once per change of the data.

Every page reads :meth:`State.result` (the pipeline's :class:`~reciprocity.pipeline.Analysis`)
and :meth:`State.data` (the report's :class:`~reciprocity.report.SurfaceData`); both come
from one run of the pipeline, kept until an import, a journal entry or a setting changes
what the analysis reads (:meth:`State.changed`). Saving an expectation, a check-in or a
conversation record does not touch the analysis, so it keeps the cache.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import polars as pl

from reciprocity import journal, pipeline, report, store
from reciprocity.report.data import _balance_rows, _monthly

__all__ = ["State", "surface"]

# The silence that starts a conversation: the pipeline's default, as in ``report.gather``.
_SILENCE = timedelta(hours=6)


class State:
    """The database and the cached analysis of it (safe to share between threads)."""

    def __init__(self, db: store.Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._result: pipeline.Analysis | None = None
        self._data: report.SurfaceData | None = None

    def _fill(self) -> tuple[pipeline.Analysis, report.SurfaceData]:
        with self._lock:
            if self._result is None or self._data is None:
                result = report.analysis(self.db)
                self._data = surface(self.db, result)
                self._result = result
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


def surface(db: store.Database, result: pipeline.Analysis) -> report.SurfaceData:
    """:func:`reciprocity.report.gather` over an analysis already computed.

    The same records and order as ``gather`` (a test holds the two equal), plus each
    relationship's energy series from the journal. It exists so a page never runs the
    pipeline twice; once ``gather`` accepts an analysis it can call that instead.
    """
    people = store.list_people(db)
    kinds = {row["person"]: row["kind"] for row in people.iter_rows(named=True)}
    monthly = _monthly(result.exchanges, _SILENCE)
    speed = {row["relationship_id"]: row for row in result.reply_speed.iter_rows(named=True)}
    energy = report.energy_series(journal.entries_frame(db))
    views = []
    for row in result.figures.iter_rows(named=True):
        rid = row["relationship_id"]
        own = result.balance.filter(pl.col("relationship_id") == rid)
        verdicts = own.filter(pl.col("window") == "all")["verdict"].to_list()
        outcomes = result.exchange_figures.filter(pl.col("relationship_id") == rid)
        view = report.RelationshipView(
            relationship_id=rid,
            person=row["person"],
            kind=kinds.get(row["person"]),
            messages_me=int(row.get("messages_me") or 0),
            messages_them=int(row.get("messages_them") or 0),
            initiations_me=int(row.get("initiations_me") or 0),
            initiations_them=int(row.get("initiations_them") or 0),
            balance=_balance_rows(own),
            monthly=monthly.get(rid, []),
            outcomes=outcomes.drop("relationship_id").to_dicts(),
            reply_speed=speed.get(rid),
            mostly_you=verdicts.count("mostly you"),
            mostly_them=verdicts.count("mostly them"),
            balanced=verdicts.count("balanced"),
            energy=energy.get(row["person"].casefold(), []),
        )
        spoken = view.mostly_you + view.mostly_them + view.balanced
        view.score = view.balanced / spoken if spoken else 0.0
        views.append(view)
    views.sort(
        key=lambda v: (
            v.balanced + v.mostly_you + v.mostly_them == 0,
            -v.score,
            v.mostly_you + v.mostly_them,
            v.person.casefold(),
        )
    )
    return report.SurfaceData(
        relationships=views, patterns=result.patterns.to_dicts(), me=store.get_me(db)
    )
