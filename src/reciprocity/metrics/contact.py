"""Last heard from: when each side last reached out, and which important ties went quiet.

From the one-to-one exchanges (messages) and the journal (time together, money, any
moment the user logged), per person: the latest message from them and from the user, the
latest conversation each of them started (first message after ``silence``, the same rule
as the figures' initiations), the latest contact of any kind, and the usual gap between
contacts: the median number of days between consecutive days with a conversation start or
a journal entry, given from :data:`MIN_GAPS` gaps on.

A tie the user marked as important has *gone quiet* when the days since the latest contact
exceed :data:`QUIET_FACTOR` times its usual gap and at least :data:`QUIET_MIN_DAYS`; with
no usual gap yet, after :data:`QUIET_FALLBACK_DAYS`. ``now`` is a parameter, so tests and
reports written on a given day agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import polars as pl

__all__ = [
    "LAST_HEARD_SCHEMA",
    "MIN_GAPS",
    "QUIET_FACTOR",
    "QUIET_FALLBACK_DAYS",
    "QUIET_MIN_DAYS",
    "LastHeard",
    "gone_quiet",
    "last_heard",
    "last_heard_frame",
]

MIN_GAPS = 3
"""Gaps between contacts needed before a usual gap is named."""
QUIET_FACTOR = 2.0
"""How many usual gaps of silence make an important tie "gone quiet"."""
QUIET_MIN_DAYS = 7
"""Never "gone quiet" before this many days, however often you usually talk."""
QUIET_FALLBACK_DAYS = 30
"""Days of silence that make an important tie "gone quiet" while its usual gap is unknown."""


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    days = (now.date() - when.date()).days
    if days < 0:
        return f"on {when:%Y-%m-%d}"
    said = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
    return f"{said} ({when:%Y-%m-%d})"


@dataclass(frozen=True)
class LastHeard:
    """One person's latest contacts (UTC), as of ``now``; see the module docstring."""

    person: str
    now: datetime = field(compare=False)
    last_from_them: datetime | None
    last_from_me: datetime | None
    last_started_by_them: datetime | None
    last_started_by_me: datetime | None
    last_contact: datetime | None
    usual_gap_days: float | None
    important: bool = False

    @property
    def quiet_days(self) -> int | None:
        """Whole days since the latest contact of any kind."""
        if self.last_contact is None:
            return None
        return max(0, (self.now.date() - self.last_contact.date()).days)

    @property
    def gone_quiet(self) -> bool:
        """Whether the silence is well past the usual gap (see the module docstring)."""
        days = self.quiet_days
        if days is None:
            return False
        if self.usual_gap_days is None:
            return days >= QUIET_FALLBACK_DAYS
        return days >= QUIET_MIN_DAYS and days > QUIET_FACTOR * self.usual_gap_days

    @property
    def usual(self) -> str:
        """ "usually every 4 days", or that the usual gap is not known yet."""
        if self.usual_gap_days is None:
            return "too few contacts yet to know your usual rhythm"
        gap = self.usual_gap_days
        if gap < 1.5:
            return "usually every day or so"
        return f"usually every {gap:.0f} days"

    @property
    def nudge(self) -> str:
        """The silence next to the usual gap: "usually every 4 days; 23 days now"."""
        return f"{self.usual}; {self.quiet_days} days now"

    def lines(self) -> list[str]:
        """Plain sentences, one per figure, for every surface."""
        p, now = self.person, self.now
        return [
            f"{p} last wrote to you {_ago(self.last_from_them, now)}",
            f"You last wrote to {p} {_ago(self.last_from_me, now)}",
            f"{p} last started a conversation {_ago(self.last_started_by_them, now)}",
            f"You last started a conversation {_ago(self.last_started_by_me, now)}",
            f"Last contact of any kind, journal included: {_ago(self.last_contact, now)}; "
            f"{self.usual}",
        ]


def _key(column: str = "person") -> pl.Expr:
    return pl.col(column).str.strip_chars().str.to_lowercase().alias("_key")


def last_heard(
    exchanges: pl.DataFrame,
    entries: pl.DataFrame | None = None,
    *,
    silence: timedelta = timedelta(hours=6),
    now: datetime | None = None,
    important: Iterable[str] = (),
) -> dict[str, LastHeard]:
    """Each person's :class:`LastHeard`, keyed by the case-folded name.

    ``exchanges`` needs ``relationship_id``, ``person``, ``from_me`` and ``timestamp``
    (the pipeline's exchanges, one-to-one chats); ``entries`` is
    :func:`reciprocity.journal.entries_frame`; ``important`` names the people marked so.
    """
    at = (now or datetime.now(UTC)).astimezone(UTC)
    wanted = {name.strip().casefold() for name in important}
    gap = pl.col("timestamp").diff().over("relationship_id")
    messages = (
        exchanges.lazy()
        .select("relationship_id", "person", "from_me", "timestamp")
        .sort("relationship_id", "timestamp")
        .with_columns((gap.is_null() | (gap >= silence)).alias("_start"), _key())
    )
    mine, theirs, start = pl.col("from_me"), ~pl.col("from_me"), pl.col("_start")
    # One pass over the messages for both (sorted once, not once for each).
    latest, starts = pl.collect_all(
        [
            messages.group_by("_key").agg(
                pl.col("person").last(),
                pl.col("timestamp").filter(theirs).max().alias("last_from_them"),
                pl.col("timestamp").filter(mine).max().alias("last_from_me"),
                pl.col("timestamp").filter(start & theirs).max().alias("last_started_by_them"),
                pl.col("timestamp").filter(start & mine).max().alias("last_started_by_me"),
            ),
            messages.filter(start).select("_key", "timestamp"),
        ]
    )
    contacts = [starts]
    names = {r["_key"]: r["person"] for r in latest.iter_rows(named=True)}
    if entries is not None and entries.height:
        logged = entries.select(_key(), "timestamp", "person")
        for row in logged.unique("_key", keep="last").iter_rows(named=True):
            names.setdefault(row["_key"], str(row["person"]).strip())
        contacts.append(logged.select("_key", "timestamp"))
    rhythm = (
        pl.concat(contacts)
        .with_columns(pl.col("timestamp").dt.date().alias("_day"))
        .group_by("_key")
        .agg(
            pl.col("timestamp").max().alias("last_contact"),
            pl.col("_day").unique().sort().diff().dt.total_days().drop_nulls().alias("_gaps"),
        )
    )
    by_key = {r["_key"]: r for r in latest.iter_rows(named=True)}
    out: dict[str, LastHeard] = {}
    for row in rhythm.iter_rows(named=True):
        key, gaps = row["_key"], row["_gaps"]
        seen = by_key.get(key, {})
        usual = float(pl.Series(gaps).median()) if len(gaps) >= MIN_GAPS else None  # type: ignore[arg-type]
        # Any message counts as contact, not only one that started a conversation.
        times = [seen.get("last_from_them"), seen.get("last_from_me"), row["last_contact"]]
        last = max(t for t in times if t is not None)
        out[key] = LastHeard(
            person=names[key],
            now=at,
            last_from_them=seen.get("last_from_them"),
            last_from_me=seen.get("last_from_me"),
            last_started_by_them=seen.get("last_started_by_them"),
            last_started_by_me=seen.get("last_started_by_me"),
            last_contact=last,
            usual_gap_days=usual,
            important=key in wanted,
        )
    return out


def gone_quiet(heard: dict[str, LastHeard]) -> list[LastHeard]:
    """The important ties that have gone quiet, longest silence (in usual gaps) first."""
    quiet = [h for h in heard.values() if h.important and h.gone_quiet]
    return sorted(
        quiet,
        key=lambda h: (-(h.quiet_days or 0) / (h.usual_gap_days or QUIET_FALLBACK_DAYS), h.person),
    )


LAST_HEARD_SCHEMA: dict[str, pl.DataType] = {
    "person": pl.String(),
    "important": pl.Boolean(),
    "last_from_them": pl.Datetime("us", "UTC"),
    "last_from_me": pl.Datetime("us", "UTC"),
    "last_started_by_them": pl.Datetime("us", "UTC"),
    "last_started_by_me": pl.Datetime("us", "UTC"),
    "last_contact": pl.Datetime("us", "UTC"),
    "usual_gap_days": pl.Float64(),
    "quiet_days": pl.Int64(),
    "gone_quiet": pl.Boolean(),
}


def last_heard_frame(heard: dict[str, LastHeard]) -> pl.DataFrame:
    """:func:`last_heard` as a frame, one row per person, quietest first."""
    rows = sorted(heard.values(), key=lambda h: (-(h.quiet_days or 0), h.person.casefold()))
    return pl.DataFrame(
        [
            {
                "person": h.person,
                "important": h.important,
                "last_from_them": h.last_from_them,
                "last_from_me": h.last_from_me,
                "last_started_by_them": h.last_started_by_them,
                "last_started_by_me": h.last_started_by_me,
                "last_contact": h.last_contact,
                "usual_gap_days": h.usual_gap_days,
                "quiet_days": h.quiet_days,
                "gone_quiet": h.gone_quiet,
            }
            for h in rows
        ],
        schema=LAST_HEARD_SCHEMA,
    )
