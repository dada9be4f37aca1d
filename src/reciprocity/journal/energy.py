"""Energy afterwards: how the user felt after time with someone, as a trend of its own.

Energy (-2 drained ... +2 uplifted) is self-report about the user, not something either
side gave, so it is never a share of the give and take. Per person it is read as a mean
over all entries, the mean of the latest :data:`RECENT` entries, one mean per month, and a
reading ("lifts you", "drains you", "neither") that is only given from :data:`MIN_ENTRIES`
entries on; below that the reading is "too few entries". Every surface reads these records.

>>> trend = energy_trends(entries_frame(db))["alex"]  # doctest: +SKIP
>>> trend.text  # doctest: +SKIP
'drains you: -1.2 on average over 5 entries; -1.7 over the latest 5'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from reciprocity.journal.money import spelling

__all__ = [
    "ENERGY_SCHEMA",
    "LIFTS",
    "MIN_DAYS",
    "MIN_ENTRIES",
    "RECENT",
    "EnergyMonth",
    "EnergyPoint",
    "EnergyTrend",
    "energy_frame",
    "energy_trends",
]

MIN_ENTRIES = 3
"""Entries about someone before their energy gets a reading (one bad evening is not a tie)."""
MIN_DAYS = 2
"""Different days those entries must fall on: three entries about one evening are one."""
RECENT = 5
"""How many of the latest entries the recent mean reads."""
LIFTS = 0.5
"""A mean at or above this reads "lifts you", at or below its negative "drains you"."""

ENERGY_SCHEMA: dict[str, pl.DataType] = {
    "person": pl.String(),
    "entries": pl.Int64(),
    "mean": pl.Float64(),
    "recent_mean": pl.Float64(),
    "recent_entries": pl.Int64(),
    "first": pl.Datetime("us", "UTC"),
    "last": pl.Datetime("us", "UTC"),
    "reading": pl.String(),
}
"""Columns of :func:`energy_frame`: one row per person with an energy noted."""


@dataclass(frozen=True)
class EnergyPoint:
    """One entry: its day, the energy, the running mean of the latest :data:`RECENT`."""

    date: str
    energy: int
    trend: float
    note: str | None


@dataclass(frozen=True)
class EnergyMonth:
    """One calendar month: its mean energy and how many entries it rests on."""

    month: str
    mean: float
    entries: int


@dataclass(frozen=True)
class EnergyTrend:
    """One person's energy afterwards (see the module docstring)."""

    person: str
    entries: int
    mean: float
    recent_mean: float
    recent_entries: int
    first: datetime
    last: datetime
    points: tuple[EnergyPoint, ...]
    months: tuple[EnergyMonth, ...]

    @property
    def days(self) -> int:
        """Different days the entries fall on."""
        return len({point.date for point in self.points})

    @property
    def enough(self) -> bool:
        """Whether there are enough entries, on enough days, for a reading."""
        return self.entries >= MIN_ENTRIES and self.days >= MIN_DAYS

    @property
    def reading(self) -> str:
        """ "lifts you", "drains you", "neither lifts nor drains you" or "too few entries"."""
        if not self.enough:
            return "too few entries"
        if self.mean >= LIFTS:
            return "lifts you"
        if self.mean <= -LIFTS:
            return "drains you"
        return "neither lifts nor drains you"

    @property
    def text(self) -> str:
        """The trend in one plain sentence, with the counts it rests on."""
        count = f"{self.entries} {'entry' if self.entries == 1 else 'entries'}"
        if not self.enough:
            return (
                f"too few entries to say yet ({count}, averaging {self.mean:+.1f}; "
                f"a reading needs {MIN_ENTRIES} on at least {MIN_DAYS} different days)"
            )
        recent = ""
        if self.recent_entries < self.entries:
            recent = f"; {self.recent_mean:+.1f} over the latest {self.recent_entries}"
        return f"{self.reading}: {self.mean:+.1f} on average over {count}{recent}"

    @property
    def sentence(self) -> str:
        """:attr:`text` starting with a capital letter."""
        return self.text[:1].upper() + self.text[1:]


def energy_trends(entries: pl.DataFrame) -> dict[str, EnergyTrend]:
    """Each person's :class:`EnergyTrend`, keyed by the case-folded name.

    ``entries`` is :func:`reciprocity.journal.entries_frame` (oldest first); entries
    without an energy are skipped. The person keeps the spelling used most.
    """
    out: dict[str, EnergyTrend] = {}
    noted = entries.filter(pl.col("energy").is_not_null()).sort("timestamp", "id")
    groups: dict[str, list[dict[str, object]]] = {}
    for row in noted.iter_rows(named=True):
        groups.setdefault(str(row["person"]).strip().casefold(), []).append(row)
    for key, rows in groups.items():
        values = [int(r["energy"]) for r in rows]  # type: ignore[call-overload]
        points = tuple(
            EnergyPoint(
                date=r["timestamp"].date().isoformat(),  # type: ignore[attr-defined]
                energy=values[i],
                trend=_mean(values[max(0, i + 1 - RECENT) : i + 1]),
                note=r["note"],  # type: ignore[arg-type]
            )
            for i, r in enumerate(rows)
        )
        months: dict[str, list[int]] = {}
        for point in points:
            months.setdefault(point.date[:7], []).append(point.energy)
        recent = values[-RECENT:]
        out[key] = EnergyTrend(
            person=spelling([str(r["person"]).strip() for r in rows]),
            entries=len(values),
            mean=_mean(values),
            recent_mean=_mean(recent),
            recent_entries=len(recent),
            first=rows[0]["timestamp"],  # type: ignore[arg-type]
            last=rows[-1]["timestamp"],  # type: ignore[arg-type]
            points=points,
            months=tuple(EnergyMonth(m, _mean(v), len(v)) for m, v in months.items()),
        )
    return out


def energy_frame(entries: pl.DataFrame) -> pl.DataFrame:
    """:func:`energy_trends` as a frame (:data:`ENERGY_SCHEMA`), most uplifting first;
    people with too few entries last."""
    trends = sorted(
        energy_trends(entries).values(), key=lambda t: (not t.enough, -t.mean, t.person.casefold())
    )
    rows = [
        {
            "person": t.person,
            "entries": t.entries,
            "mean": t.mean,
            "recent_mean": t.recent_mean,
            "recent_entries": t.recent_entries,
            "first": t.first,
            "last": t.last,
            "reading": t.reading,
        }
        for t in trends
    ]
    return pl.DataFrame(rows, schema=ENERGY_SCHEMA)


def _mean(values: list[int]) -> float:
    return sum(values) / len(values)
