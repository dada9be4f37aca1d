"""What the report and the web pages show, gathered once from the pipeline.

:func:`gather` runs :func:`reciprocity.pipeline.analyze` and turns its frames into plain
records (dicts and lists) that templates can loop over: one :class:`RelationshipView` per
relationship plus the cross-relationship patterns. Only translation happens here; every
figure comes from the pipeline. Texts in these records are raw: templates escape them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import polars as pl

from reciprocity import journal, pipeline, store

__all__ = ["RelationshipView", "SurfaceData", "analysis", "energy_series", "gather", "shape"]

_WINDOW_TITLE = {"all": "all time", "last_90_days": "last 90 days"}


@dataclass
class RelationshipView:
    """One relationship's figures, ready for a template."""

    relationship_id: int
    person: str
    kind: str | None
    messages_me: int
    messages_them: int
    initiations_me: int
    initiations_them: int
    balance: dict[str, list[dict[str, Any]]]
    monthly: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]
    reply_speed: dict[str, Any] | None
    mostly_you: int = 0
    mostly_them: int = 0
    balanced: int = 0
    score: float = 0.0
    energy: list[dict[str, Any]] = field(default_factory=list)
    # "message kinds not read for German" when the chat's language has no rules and model
    language_note: str | None = None


@dataclass
class SurfaceData:
    """Everything the surfaces show: relationships ranked by mutuality, and patterns."""

    relationships: list[RelationshipView]
    patterns: list[dict[str, Any]]
    me: str | None

    def find(self, relationship_id: int) -> RelationshipView | None:
        """The relationship with this id, or ``None``."""
        return next((r for r in self.relationships if r.relationship_id == relationship_id), None)


def analysis(db: store.Database, *, silence: timedelta = timedelta(hours=6)) -> pipeline.Analysis:
    """The pipeline's analysis of ``db`` (read from the stored stages when nothing changed),
    with the exchanges' columns that the report, the guides and the pages read."""
    return pipeline.analyze(db, silence=silence, narrow=True)


def energy_series(entries: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Journal entries with an energy, per person (case-folded name), oldest first:
    ``{"date": "YYYY-MM-DD", "energy": -2..2, "note": str | None, "person": str}``.

    ``entries`` is :func:`reciprocity.journal.entries_frame`.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for row in entries.filter(pl.col("energy").is_not_null()).iter_rows(named=True):
        out.setdefault(row["person"].casefold(), []).append(
            {
                "date": row["timestamp"].date().isoformat(),
                "energy": int(row["energy"]),
                "note": row["note"],
                "person": row["person"],
            }
        )
    return out


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _balance_rows(frame: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in frame.iter_rows(named=True):
        out.setdefault(row["window"], []).append(
            {
                "dimension": row["dimension"].replace("_", " "),
                "events_me": row["events_me"],
                "events_them": row["events_them"],
                "given": row["given"],
                "received": row["received"],
                "share": _number(row["share"]),
                "low": _number(row["low"]),
                "high": _number(row["high"]),
                "verdict": row["verdict"],
            }
        )
    return out


def _monthly(exchanged: pl.DataFrame, silence: timedelta) -> dict[int, list[dict[str, Any]]]:
    """Messages and conversation starts per month and side, for the patterns-over-time chart.

    A start is the first message after ``silence`` (the same rule as the figures' initiations).
    """
    if exchanged.is_empty():
        return {}
    gap = pl.col("timestamp").diff().over("relationship_id")
    start = gap.is_null() | (gap > silence)
    aggs = [
        pl.col("from_me").sum().alias("messages_me"),
        (~pl.col("from_me")).sum().alias("messages_them"),
        (pl.col("start") & pl.col("from_me")).sum().alias("starts_me"),
        (pl.col("start") & ~pl.col("from_me")).sum().alias("starts_them"),
    ]
    # Only the three columns it reads are sorted (the exchanges have sixty-odd: sorting
    # them all copied the whole frame, hundreds of MB at a million messages).
    monthly = (
        exchanged.lazy()
        .select("relationship_id", "timestamp", "from_me")
        .sort("relationship_id", "timestamp")
        .with_columns(start.alias("start"), pl.col("timestamp").dt.truncate("1mo").alias("month"))
        .group_by("relationship_id", "month")
        .agg(aggs)
        .sort("relationship_id", "month")
        .collect()
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for row in monthly.iter_rows(named=True):
        row["label"] = row["month"].strftime("%Y-%m")
        out.setdefault(row["relationship_id"], []).append(row)
    return out


def gather(db: store.Database, *, silence: timedelta = timedelta(hours=6)) -> SurfaceData:
    """Run the analysis and shape it for the report and the web pages."""
    return shape(db, analysis(db, silence=silence), silence=silence)


def shape(
    db: store.Database, result: pipeline.Analysis, *, silence: timedelta = timedelta(hours=6)
) -> SurfaceData:
    """An analysis already computed, as records for the templates, with each relationship's
    energy afterwards from the journal; ``silence`` must be the one ``result`` used."""
    energy = energy_series(journal.entries_frame(db))
    kinds = {row["person"]: row["kind"] for row in store.list_people(db).iter_rows(named=True)}
    monthly = _monthly(result.exchanges, silence)
    speed = {row["relationship_id"]: row for row in result.reply_speed.iter_rows(named=True)}
    views = []
    for row in result.figures.iter_rows(named=True):
        rid = row["relationship_id"]
        own = result.balance.filter(pl.col("relationship_id") == rid)
        verdicts = own.filter(pl.col("window") == "all")["verdict"].to_list()
        outcomes = result.exchange_figures.filter(pl.col("relationship_id") == rid)
        view = RelationshipView(
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
            language_note=result.language_note(rid),
        )
        spoken = view.mostly_you + view.mostly_them + view.balanced
        # Mutuality: the share of dimensions with a verdict that read "balanced".
        view.score = view.balanced / spoken if spoken else 0.0
        views.append(view)
    # Ties that cannot be read yet go last; among the rest, fewer one-sided dimensions first.
    views.sort(
        key=lambda v: (
            v.balanced + v.mostly_you + v.mostly_them == 0,
            -v.score,
            v.mostly_you + v.mostly_them,
            v.person.casefold(),
        )
    )
    return SurfaceData(
        relationships=views,
        patterns=result.patterns.to_dicts(),
        me=store.get_me(db),
    )
