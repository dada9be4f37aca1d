"""What the report and the web pages show, gathered once from the pipeline.

:func:`gather` runs :func:`reciprocity.pipeline.analyze` and turns its frames into plain
records (dicts and lists) that templates can loop over: one :class:`RelationshipView` per
relationship plus the cross-relationship patterns. Only translation happens here; every
figure comes from the pipeline. Texts in these records are raw: templates escape them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from reciprocity import guide, journal, pipeline, store, words
from reciprocity.metrics import beside, contact
from reciprocity.metrics.groups import GroupRecord
from reciprocity.metrics.record import RelationshipRecord

__all__ = [
    "RelationshipView",
    "SurfaceData",
    "analysis",
    "checked_expectations",
    "energy_series",
    "gather",
    "moods",
    "refresh",
    "shape",
]

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
    #: Kinds of giving that read "mostly you" or "leaning your way" (and the same for them).
    you_more: int = 0
    them_more: int = 0
    #: The ranking's place and suggestion (:func:`reciprocity.guide.rank`), ``None`` for a
    #: tie with too little to go on: the one order every surface lists relationships in.
    place: int | None = None
    suggestion: str | None = None
    energy: list[dict[str, Any]] = field(default_factory=list)
    energy_trend: journal.EnergyTrend | None = None
    money: list[journal.Balance] = field(default_factory=list)
    heard: contact.LastHeard | None = None
    important: bool = False
    latest: datetime | None = None
    # "message kinds not read for German" when the chat's language has no rules and model
    language_note: str | None = None
    #: Where the give and take came from (one-to-one, then each group), when a group added
    #: something: ``source``, ``group``, ``conversation_id``, ``given``, ``received``,
    #: ``events``; and whether the person is known only from group chats.
    sources: list[dict[str, Any]] = field(default_factory=list)
    group_only: bool = False
    #: The one-to-one messages per app (``app``, ``messages_me``, ``messages_them``,
    #: ``chats``), most first; shown when there are two or more.
    platforms: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SurfaceData:
    """Everything the surfaces show: relationships ranked by mutuality, and patterns;
    across ties, energy afterwards per person (``moods``), what is owed (``money``) and
    the important ties gone quiet (``quiet``)."""

    relationships: list[RelationshipView]
    patterns: list[dict[str, Any]]
    me: str | None
    moods: list[journal.EnergyTrend] = field(default_factory=list)
    money: list[journal.Balance] = field(default_factory=list)
    quiet: list[contact.LastHeard] = field(default_factory=list)
    #: The user's needs, each checked as ``expect check`` does (:func:`checked_expectations`).
    expectations: list[dict[str, Any]] = field(default_factory=list)
    #: :func:`reciprocity.guide.rank`'s rows, in its order: the one ranking every page reads.
    ranking: list[dict[str, Any]] = field(default_factory=list)
    #: The group chats, most messages first (the analysis' ``group_records``).
    groups: list[GroupRecord] = field(default_factory=list)

    def group(self, conversation_id: int) -> GroupRecord | None:
        """The group chat with this id, or ``None``."""
        return next((g for g in self.groups if g.conversation_id == conversation_id), None)

    def needs_of(self, person: str) -> list[dict[str, Any]]:
        """The checked needs about ``person`` (names compared case-folded)."""
        key = person.strip().casefold()
        return [e for e in self.expectations if e["person"].strip().casefold() == key]

    def needs_without_chats(self) -> list[dict[str, Any]]:
        """Checked needs about people who have no relationship here (no chats imported)."""
        known = {r.person.strip().casefold() for r in self.relationships}
        return [e for e in self.expectations if e["person"].strip().casefold() not in known]

    def find(self, relationship_id: int) -> RelationshipView | None:
        """The relationship with this id, or ``None``."""
        return next((r for r in self.relationships if r.relationship_id == relationship_id), None)


def analysis(db: store.Database, *, silence: timedelta = timedelta(hours=6)) -> pipeline.Analysis:
    """The pipeline's analysis of ``db`` (read from the stored stages when nothing changed),
    with the exchanges' columns that the report, the guides and the pages read."""
    return pipeline.analyze(db, silence=silence, narrow=True)


def energy_series(entries: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Journal entries with an energy, per person (case-folded name), oldest first:
    ``{"date": "YYYY-MM-DD", "energy": -2..2, "trend": float, "note": str | None,
    "person": str}``; ``trend`` is the mean of the latest few entries
    (:data:`reciprocity.journal.energy.RECENT`).

    ``entries`` is :func:`reciprocity.journal.entries_frame`.
    """
    return {
        key: [
            {
                "date": p.date,
                "energy": p.energy,
                "trend": p.trend,
                "note": p.note,
                "person": trend.person,
            }
            for p in trend.points
        ]
        for key, trend in journal.energy_trends(entries).items()
    }


def moods(entries: pl.DataFrame) -> list[journal.EnergyTrend]:
    """Everyone's energy afterwards, for the "who lifts, who drains" chart: most uplifting
    first, people with too few entries for a reading last."""
    trends = journal.energy_trends(entries).values()
    return sorted(trends, key=lambda t: (not t.enough, -t.mean, t.person.casefold()))


def _refresh(
    data: SurfaceData,
    db: store.Database,
    result: pipeline.Analysis,
    *,
    silence: timedelta,
    now: datetime | None,
) -> None:
    """Fill ``data``'s journal-fed figures (energy, money, last heard from, and the ranking,
    which reads the energy) from ``db``, and list the relationships in the ranking's order."""
    entries = journal.entries_frame(db)
    series = energy_series(entries)
    across = beside.beside_figures(db, result.contacts, silence=silence, now=now)
    data.ranking = guide.rank(result.balance, entries, store.list_people(db)).to_dicts()
    ranked = {str(row["person"]).casefold(): row for row in data.ranking}
    for view in data.relationships:
        row = ranked.get(view.person.casefold(), {})
        view.place, view.suggestion = row.get("rank"), row.get("suggestion")
        key = view.person.casefold()
        found = across.people.get(key, beside.Beside(view.person))
        view.energy = series.get(key, [])
        view.energy_trend = found.energy
        view.money = list(found.money)
        view.heard = found.heard
        view.important = found.important
    data.moods = moods(entries)
    data.money = [b for person in across.people.values() for b in person.money]
    data.money.sort(key=lambda b: (b.owed == 0, b.currency or "", -abs(b.owed), b.person))
    data.quiet = list(across.quiet)
    data.relationships.sort(
        key=lambda v: (v.place is None, v.place or 0, -(v.messages_me + v.messages_them))
    )


def checked_expectations(db: store.Database, exchanged: pl.DataFrame) -> list[dict[str, Any]]:
    """The saved expectations, each checked against ``exchanged`` (the analysis' exchanges)
    by :func:`reciprocity.guide.check_expectations`, the function ``expect check`` calls,
    with the user's own words as ``note``."""

    saved = guide.list_expectations(db)
    if not saved.height:
        return []
    notes = dict(zip(saved["id"].to_list(), saved["note"].to_list(), strict=True))
    rows = guide.check_expectations(saved, exchanged).to_dicts()
    for row in rows:
        row["note"] = notes.get(row["id"])
    return rows


def _balance_rows(record: RelationshipRecord) -> dict[str, list[dict[str, Any]]]:
    """The record's readings per window, as template rows (``share`` is the estimate,
    the point inside its own interval; ``raw_share`` given / total)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in record.readings:
        total = row.given + row.received
        out.setdefault(row.window, []).append(
            {
                "dimension": words.dimension(row.dimension),
                "code": row.dimension,
                "events_me": row.events_me,
                "events_them": row.events_them,
                "given": row.given,
                "received": row.received,
                "share": row.estimate,
                "estimate": row.estimate,
                "raw_share": row.given / total if total > 0 else None,
                "low": row.low,
                "high": row.high,
                "verdict": row.verdict,
                "latest": row.latest,
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


def gather(
    db: store.Database, *, silence: timedelta = timedelta(hours=6), now: datetime | None = None
) -> SurfaceData:
    """Run the analysis and shape it for the report and the web pages."""
    return shape(db, analysis(db, silence=silence), silence=silence, now=now)


def shape(
    db: store.Database,
    result: pipeline.Analysis,
    *,
    silence: timedelta = timedelta(hours=6),
    now: datetime | None = None,
) -> SurfaceData:
    """An analysis already computed, as records for the templates, with each relationship's
    energy afterwards, money owed and last contacts from the journal and the messages;
    ``silence`` must be the one ``result`` used; ``now`` (default: the current time) is
    the day "last heard from" counts to."""
    kinds = {row["person"]: row["kind"] for row in store.list_people(db).iter_rows(named=True)}
    monthly = _monthly(result.exchanges, silence)
    views = []
    for record in result.records:
        rid = record.relationship_id
        verdicts = record.verdict_counts("all")
        me, them = record.reply_median_s
        replies = None
        if me is not None or them is not None:
            replies = {
                "latency_median_s_me": me,
                "latency_median_s_them": them,
                "latency_norm_s": record.reply_pace_s,
            }
        view = RelationshipView(
            relationship_id=rid,
            person=record.person,
            kind=kinds.get(record.person),
            messages_me=record.messages.me,
            messages_them=record.messages.them,
            initiations_me=record.initiations.me,
            initiations_them=record.initiations.them,
            balance=_balance_rows(record),
            monthly=monthly.get(rid, []),
            outcomes=[{"person": record.person, **vars(o)} for o in record.outcomes],
            reply_speed=replies,
            mostly_you=verdicts.get("mostly you", 0),
            mostly_them=verdicts.get("mostly them", 0),
            balanced=verdicts.get("balanced", 0),
            latest=record.latest_event(),
            language_note=result.language_note(rid),
            sources=[vars(s) | {"events": s.events} for s in record.sources],
            group_only=record.group_only,
            platforms=[
                {
                    "app": a.label,
                    "platform": a.platform,
                    "chats": a.chats,
                    "messages_me": a.messages.me,
                    "messages_them": a.messages.them,
                }
                for a in record.platforms
            ],
        )
        view.you_more = view.mostly_you + verdicts.get("leaning your way", 0)
        view.them_more = view.mostly_them + verdicts.get("leaning their way", 0)
        views.append(view)
    data = SurfaceData(
        relationships=views,
        patterns=result.patterns.to_dicts(),
        me=store.get_me(db),
        expectations=checked_expectations(db, result.exchanges),
        groups=result.group_records,
    )
    _refresh(data, db, result, silence=silence, now=now or datetime.now(UTC))
    return data


def refresh(
    data: SurfaceData,
    db: store.Database,
    result: pipeline.Analysis,
    *,
    silence: timedelta = timedelta(hours=6),
    now: datetime | None = None,
) -> SurfaceData:
    """``data`` with its journal-fed figures re-read from ``db`` (after new entries or a
    change of who is important), without running the analysis again."""
    _refresh(data, db, result, silence=silence, now=now or datetime.now(UTC))
    return data
