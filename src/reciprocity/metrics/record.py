"""One computed result per relationship: every figure a person is shown, in one record.

The pipeline's per-relationship frames (first figures, balance, exchange outcomes, reply
speed) are read once into a :class:`RelationshipRecord` per relationship
(:func:`relationship_records`). Every surface (the CLI's tables and ``--json``, the web
pages, the HTML report) and every guide text that quotes a figure formats these records;
none derives a figure of its own, so the same cell reads the same everywhere.

One meaning per figure:

- **given / received** in the give and take are what the balance computes: the weight of
  the events (a warm but brief answer to good news weighs 0.5, sharing weighs its depth
  over 3), never a count of messages. The count of events is beside it (``events_me``).
- **your share** is the :attr:`Reading.estimate`, the posterior mean, which always lies in
  its own 90% interval; with few events it leans toward 50% (2 of 2 reads 75%).
- **reply time** is the median time each side took to answer the other's turn, in the same
  conversation (:func:`reciprocity.exchanges.reply_speed`); durations are written by
  :func:`say_duration`.

- **sources**: where the give and take came from. The group chats' part of each
  dimension is :func:`reciprocity.metrics.groups.source_split`; the one-to-one part
  (with the journal) is the rest of the all-time balance. A person known only from group
  chats (no one-to-one message) gets a record when something passed between them and the
  user in a group (a pairing, weighted below one-to-one): no message figures, a thin
  balance that mostly reads "not enough data yet", and :attr:`RelationshipRecord.group_only`
  so surfaces say why. Members who never exchanged anything with the user have no record;
  they are listed on their group's page.
- **platforms**: the one-to-one messages and calls each way, per app
  (:mod:`reciprocity.metrics.platforms`), for a person known on several apps; every
  other figure counts all of them together.

Built from already aggregated frames (a few rows per relationship): no pass over messages.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import polars as pl

from reciprocity import words

__all__ = [
    "WINDOWS",
    "Outcome",
    "Pair",
    "PlatformShare",
    "Reading",
    "RelationshipRecord",
    "SourceShare",
    "find",
    "iter_readings",
    "relationship_records",
    "say_amount",
    "say_duration",
    "say_percent",
]

WINDOWS = {"all": "all time", "last_90_days": "last 90 days"}
"""The balance's windows and how to say them."""


class Pair(NamedTuple):
    """A two-sided figure: ``me`` (what you did) and ``them`` (what they did)."""

    me: Any
    them: Any


@dataclass(frozen=True)
class Reading:
    """The give and take of one dimension in one window (a row of the balance)."""

    dimension: str
    window: str
    events_me: int
    events_them: int
    given: float
    received: float
    estimate: float | None
    low: float | None
    high: float | None
    verdict: str
    latest: datetime | None

    @property
    def events(self) -> int:
        """Events either way."""
        return self.events_me + self.events_them

    @property
    def label(self) -> str:
        """The dimension in words ("emotional support"), as every surface names it."""
        from reciprocity import words

        return words.dimension(self.dimension)


@dataclass(frozen=True)
class Outcome:
    """How often one kind of message (``topic``) sent by ``sender`` got one ``outcome``."""

    sender: str
    topic: str
    outcome: str
    count: int


@dataclass(frozen=True)
class SourceShare:
    """How much of a relationship's give and take (all time, every dimension) came from
    one place: the one-to-one chats (and the journal), or one group chat."""

    source: str
    group: bool
    conversation_id: int | None
    given: float
    received: float
    events_me: int
    events_them: int

    @property
    def events(self) -> int:
        """Events either way."""
        return self.events_me + self.events_them


@dataclass(frozen=True)
class PlatformShare:
    """A relationship's one-to-one messages on one app: ``messages`` and ``calls`` each
    way, how many chats, and when the first and last message were."""

    platform: str
    chats: int
    messages: Pair
    calls: Pair
    first_message: datetime | None
    last_message: datetime | None

    @property
    def label(self) -> str:
        """The app in words ("WhatsApp"), as every surface names it."""
        from reciprocity import words

        return words.choice(words.app(self.platform))

    @property
    def total(self) -> int:
        """Messages either way."""
        return int(self.messages.me) + int(self.messages.them)


@dataclass(frozen=True)
class RelationshipRecord:
    """Every figure shown about one relationship."""

    relationship_id: int
    person: str
    messages: Pair
    words: Pair
    turns: Pair
    calls: Pair
    initiations: Pair
    questions: Pair
    reply_rate: Pair
    reply_median_s: Pair
    reply_pace_s: float | None
    conversations: int
    first_message: datetime | None
    last_message: datetime | None
    readings: tuple[Reading, ...] = ()
    outcomes: tuple[Outcome, ...] = field(default=())
    #: Where the give and take came from: one-to-one first, then each group (only when
    #: a group added something; a person known only from groups has no one-to-one part).
    sources: tuple[SourceShare, ...] = field(default=())
    #: The one-to-one messages per app, most messages first (one row for a person on one
    #: app; none for a person known only from groups).
    platforms: tuple[PlatformShare, ...] = field(default=())

    @property
    def on_several_apps(self) -> bool:
        """Whether the one-to-one chats are on more than one app."""
        return len(self.platforms) > 1

    @property
    def group_only(self) -> bool:
        """Known only from group chats: no one-to-one message either way."""
        return self.messages.me + self.messages.them == 0 and any(s.group for s in self.sources)

    def window(self, window: str, *, with_empty: bool = False) -> list[Reading]:
        """The readings of ``window`` in dimension order (only those with events, unless
        ``with_empty``)."""
        return [r for r in self.readings if r.window == window and (with_empty or r.events)]

    def reading(self, dimension: str, window: str = "all") -> Reading | None:
        """One dimension's reading in ``window``."""
        return next(
            (r for r in self.readings if r.window == window and r.dimension == dimension), None
        )

    def latest_event(self) -> datetime | None:
        """The latest event of any dimension (all time): when the tie last showed."""
        stamps = [r.latest for r in self.readings if r.window == "all" and r.latest]
        return max(stamps) if stamps else None

    def outcome_counts(self, sender: str, topic: str) -> list[Outcome]:
        """The outcomes of ``sender``'s messages of ``topic``, most frequent first."""
        found = [o for o in self.outcomes if o.sender == sender and o.topic == topic]
        return sorted(found, key=lambda o: (-o.count, o.outcome))

    def pooled(self, window: str = "all") -> Reading | None:
        """Every dimension of ``window`` taken together (dimension ``"all"``): the given
        and received weights added up, with their own interval and verdict; ``None``
        when nothing passed either way."""
        from reciprocity.metrics.balance import with_interval

        parts = self.window(window)
        if not parts:
            return None
        given = sum(r.given for r in parts)
        received = sum(r.received for r in parts)
        row = with_interval(pl.DataFrame({"given": [given], "received": [received]})).row(
            0, named=True
        )
        return Reading(
            dimension="all",
            window=window,
            events_me=sum(r.events_me for r in parts),
            events_them=sum(r.events_them for r in parts),
            given=given,
            received=received,
            estimate=_number(row["estimate"]),
            low=_number(row["low"]),
            high=_number(row["high"]),
            verdict=row["verdict"],
            latest=max((r.latest for r in parts if r.latest), default=None),
        )

    def verdict_counts(self, window: str = "all") -> dict[str, int]:
        """How many dimensions read each verdict in ``window``."""
        out: dict[str, int] = {}
        for reading in self.window(window, with_empty=True):
            out[reading.verdict] = out.get(reading.verdict, 0) + 1
        return out


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _int(value: Any) -> int:
    return 0 if value is None else int(value)


def _pair(row: dict[str, Any] | None, name: str, kind: type = int) -> Pair:
    if row is None:
        return Pair(0, 0) if kind is int else Pair(None, None)
    if kind is int:
        return Pair(_int(row.get(f"{name}_me")), _int(row.get(f"{name}_them")))
    return Pair(_number(row.get(f"{name}_me")), _number(row.get(f"{name}_them")))


def _by_id(frame: pl.DataFrame | None) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    if frame is None:
        return out
    for row in frame.iter_rows(named=True):
        out.setdefault(row["relationship_id"], []).append(row)
    return out


def _reading(row: dict[str, Any]) -> Reading:
    return Reading(
        dimension=row["dimension"],
        window=row["window"],
        events_me=_int(row["events_me"]),
        events_them=_int(row["events_them"]),
        given=float(row["given"] or 0.0),
        received=float(row["received"] or 0.0),
        estimate=_number(row.get("estimate")),
        low=_number(row["low"]),
        high=_number(row["high"]),
        verdict=row["verdict"],
        latest=row.get("latest"),
    )


def relationship_records(
    figures: pl.DataFrame,
    balance: pl.DataFrame,
    exchange_figures: pl.DataFrame | None = None,
    reply_speed: pl.DataFrame | None = None,
    *,
    sources: pl.DataFrame | None = None,
    platforms: pl.DataFrame | None = None,
) -> list[RelationshipRecord]:
    """One :class:`RelationshipRecord` per relationship of ``figures``, in its order.

    ``figures`` is :func:`reciprocity.metrics.relationship_figures`, ``balance``
    :func:`reciprocity.metrics.balance`, ``exchange_figures`` and ``reply_speed`` the
    summaries of :mod:`reciprocity.exchanges`, ``sources`` the groups' part of the give
    and take (:func:`reciprocity.metrics.groups.source_split`), ``platforms`` the
    one-to-one messages per app (:mod:`reciprocity.metrics.platforms`): the frames of a
    pipeline ``Analysis``. A person known only from group chats gets a record after the others,
    with no message figures (see :attr:`RelationshipRecord.group_only`).
    """
    readings = _by_id(balance)
    outcomes = _by_id(exchange_figures)
    speed = {k: v[0] for k, v in _by_id(reply_speed).items()}
    groups = _by_id(sources)
    apps = _by_id(platforms)
    records = []
    rows = list(figures.iter_rows(named=True))
    # People known only from group chats get a record too, after those with a chat of
    # their own: no message figures, only the (thin) give and take of the groups.
    known = {row["relationship_id"] for row in rows}
    for rid in sorted(set(groups) - known):
        names = [r["person"] for r in readings.get(rid, []) if r.get("person")]
        if names:
            rows.append({"relationship_id": rid, "person": names[0], "conversations": 0,
                         "first_message": None, "last_message": None})  # fmt: skip
    for row in rows:
        rid = row["relationship_id"]
        pace = speed.get(rid)
        records.append(
            RelationshipRecord(
                relationship_id=rid,
                person=row["person"],
                messages=_pair(row, "messages"),
                words=_pair(row, "words"),
                turns=_pair(row, "turns"),
                calls=_pair(row, "calls"),
                initiations=_pair(row, "initiations"),
                questions=_pair(row, "questions"),
                reply_rate=_pair(row, "reply_rate", float),
                reply_median_s=_pair(pace, "latency_median_s", float),
                reply_pace_s=None if pace is None else _number(pace["latency_norm_s"]),
                conversations=_int(row["conversations"]),
                first_message=row["first_message"],
                last_message=row["last_message"],
                readings=tuple(_reading(r) for r in readings.get(rid, [])),
                outcomes=tuple(
                    Outcome(o["sender"], o["topic"], o["outcome"], int(o["count"]))
                    for o in outcomes.get(rid, [])
                ),
                sources=_sources(readings.get(rid, []), groups.get(rid, [])),
                platforms=_platforms(apps.get(rid, [])),
            )
        )
    return records


def _sources(
    readings: list[dict[str, Any]], groups: list[dict[str, Any]]
) -> tuple[SourceShare, ...]:
    """One-to-one (the all-time balance less the groups' part) and each group, when any
    group added something."""
    if not groups:
        return ()
    per_group: dict[int, dict[str, Any]] = {}
    for row in groups:
        got = per_group.setdefault(
            row["conversation_id"],
            {"title": row["title"], "given": 0.0, "received": 0.0, "me": 0, "them": 0},
        )
        got["given"] += float(row["given"] or 0.0)
        got["received"] += float(row["received"] or 0.0)
        got["me"] += _int(row["events_me"])
        got["them"] += _int(row["events_them"])
    whole = [r for r in readings if r["window"] == "all"]
    given = sum(float(r["given"] or 0.0) for r in whole)
    received = sum(float(r["received"] or 0.0) for r in whole)
    events_me = sum(_int(r["events_me"]) for r in whole)
    events_them = sum(_int(r["events_them"]) for r in whole)
    shares = [
        SourceShare(str(title["title"]), True, cid, round(title["given"], 6),
                    round(title["received"], 6), int(title["me"]), int(title["them"]))
        for cid, title in sorted(per_group.items(), key=lambda item: str(item[1]["title"]))
    ]  # fmt: skip
    own = SourceShare(
        "one-to-one",
        False,
        None,
        max(0.0, round(given - sum(s.given for s in shares), 6)),
        max(0.0, round(received - sum(s.received for s in shares), 6)),
        max(0, events_me - sum(s.events_me for s in shares)),
        max(0, events_them - sum(s.events_them for s in shares)),
    )
    return (own, *shares) if own.events else tuple(shares)


def _platforms(rows: list[dict[str, Any]]) -> tuple[PlatformShare, ...]:
    shares = [
        PlatformShare(
            platform=str(row["platform"]),
            chats=_int(row["chats"]),
            messages=_pair(row, "messages"),
            calls=_pair(row, "calls"),
            first_message=row["first_message"],
            last_message=row["last_message"],
        )
        for row in rows
    ]
    return tuple(sorted(shares, key=lambda s: (-s.total, s.platform)))


def find(records: list[RelationshipRecord], person: str) -> RelationshipRecord | None:
    """The record of ``person`` (case-insensitive), or ``None``."""
    key = person.strip().casefold()
    return next((r for r in records if r.person.casefold() == key), None)


def iter_readings(records: list[RelationshipRecord]) -> Iterator[tuple[str, Reading]]:
    """(person, reading) for every reading of every record."""
    for record in records:
        for reading in record.readings:
            yield record.person, reading


def say_percent(value: float | None) -> str:
    """A share as people write it: ``"62%"``; ``"–"`` when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * value:.0f}%"


def say_amount(value: float | None) -> str:
    """A weight of events: ``"121"``, ``"19.3"``, ``"0.5"``, ``"47,167"`` (one decimal at
    most, thousands grouped: :func:`reciprocity.words.number`)."""
    if value is None:
        return "–"
    return words.number(value)


def say_duration(seconds: float | None) -> str:
    """A duration in short plain words: ``"45 s"``, ``"7 min"``, ``"1 h 43 min"``,
    ``"3 days 4 h"``; ``"–"`` when unknown.

    >>> say_duration(6180), say_duration(420), say_duration(273600)
    ('1 h 43 min', '7 min', '3 days 4 h')
    """
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "–"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        hours, minutes = divmod(s // 60, 60)
        return f"{hours} h" if minutes == 0 else f"{hours} h {minutes} min"
    days, hours = divmod(s // 3600, 24)
    unit = "day" if days == 1 else "days"
    return f"{days} {unit}" if hours == 0 else f"{days} {unit} {hours} h"
