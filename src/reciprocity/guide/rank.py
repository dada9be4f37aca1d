"""Seek mutual ties: relationships ranked by how mutual the support is and how the user
feels after, one suggestion each, and ties with too little to go on listed apart.

The question a ranking answers is the seeds' one: *is it always you giving support?* So
mutuality is read from the support dimensions (:data:`SUPPORT`: emotional support,
practical help, presence in hard times, celebration, listening), each with the Beta
posterior interval of the balance frame (``reciprocity.metrics.balance``), never from an
average over all messages, where hundreds of chatty messages drown thirty moments of
support. Per person, the reading that carries the ranking is, in this order:

1. the most one-sided support dimension whose interval is clear of an even split (its
   end nearest 50 % furthest from it, so 24 of 24 beats 2 of 2) and that rests on at
   least :data:`MIN_EVENTS` moments;
2. else all support dimensions pooled (one Beta over their sums), when that interval lies
   inside the balanced band (35 %–65 %, :data:`~reciprocity.metrics.balance.MOSTLY`);
3. else the most one-sided other dimension (attention, opening up, favours) clear of
   even, on as many moments;
4. else everything pooled, when its interval lies inside the balanced band;
5. else nothing: the tie is listed apart as "too little to go on yet", with no suggestion.

When support runs one way in one dimension and the other way in another, the more clearly
one-sided of them carries the ranking, and the reason names it: a tie where you give all
the comfort and they give all the practical help is not "even" for the person asking.

``mutuality`` is ``1 - 2 * |share - 0.5|`` of that reading (1 even, 0 all one way), with the
interval its share interval maps to; the share is kept inside its own interval (24 of 24
reads as the interval's top, 99.8 %, never as a dot outside its bar).

Energy afterwards comes from the journal entries (``reciprocity.journal.entries_frame``),
never from the ledger, read as :mod:`reciprocity.journal.energy` reads it for every page:
it counts only once it rests on ``MIN_ENTRIES`` entries logged on ``MIN_DAYS`` different
days, and then reads "lifts you", "drains you" or neither, from the mean.

Suggestions (:data:`SUGGESTIONS`), each explained with the figures it rests on:

- ``invest``: close to even (or they give more, and giving back keeps it mutual), and it does not
  drain you;
- ``talk it through``: you give clearly more (the share outside the balanced band), or it
  is even but leaves you drained;
- ``step back``: you give clearly more *and* the journal says it drains you;
- ``lean on adults``: the person is your child (``people kind NAME child``) and the support
  runs clearly from them to you: a child comforting a parent is no tie to "invest" in, and
  parent mode has more.

The score is the mutuality, averaged with the energy on a 0..1 scale once the energy
reading counts; ties with too little to go on have no rank and come last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from reciprocity import words
from reciprocity.journal.energy import MIN_DAYS, MIN_ENTRIES, EnergyTrend, energy_trends
from reciprocity.metrics.balance import MOSTLY, with_interval
from reciprocity.metrics.patterns import relationship_kinds
from reciprocity.metrics.record import say_amount

__all__ = [
    "DIMENSION_WORDS",
    "MIN_DAYS",
    "MIN_ENTRIES",
    "MIN_EVENTS",
    "RANK_SCHEMA",
    "SUGGESTIONS",
    "SUPPORT",
    "THIN",
    "rank",
]

SUGGESTIONS = ("invest", "talk it through", "step back", "lean on adults")
"""What :func:`rank` may suggest; ``None`` when there is too little to go on."""
THIN = "too little to go on yet"
"""What a tie without a suggestion is called."""
SUPPORT = (
    "emotional_support",
    "practical_help",
    "presence_in_hard_times",
    "celebration",
    "listening",
)
"""The dimensions that carry "is it always you giving support?"."""
_OTHER = ("attention", "disclosure", "favours_money")
MIN_EVENTS = 10
"""Moments a one-sided dimension must rest on to carry a suggestion: four questions all
asked by you are already clear of an even split (Beta(5, 1) starts at 55 %), but one busy
evening should not decide what to do about a tie."""

DIMENSION_WORDS = words.DIMENSIONS
"""Plain words for each dimension, the ones every table uses (:mod:`reciprocity.words`)."""

RANK_SCHEMA: dict[str, pl.DataType] = {
    "rank": pl.Int64(),
    "person": pl.String(),
    "suggestion": pl.String(),
    "mutuality": pl.Float64(),
    "mutuality_low": pl.Float64(),
    "mutuality_high": pl.Float64(),
    "give_share": pl.Float64(),
    "share_low": pl.Float64(),
    "share_high": pl.Float64(),
    "based_on": pl.List(pl.String()),
    "events": pl.Int64(),
    "support_events": pl.Int64(),
    "energy": pl.Float64(),
    "energy_entries": pl.Int64(),
    "energy_reading": pl.String(),
    "score": pl.Float64(),
    "why": pl.String(),
    "rests_on": pl.String(),
}
"""Columns of :func:`rank`. ``rank``, ``suggestion``, ``mutuality`` and ``score`` are null for a
tie with too little to go on; ``based_on`` names the dimensions the reading rests on;
``energy`` is the mean of the logged energies (null without any) and ``energy_reading``
is null until :data:`MIN_ENTRIES` entries on :data:`MIN_DAYS` days."""

_LOW, _HIGH = 1 - MOSTLY, MOSTLY


@dataclass(frozen=True)
class _Reading:
    """One give share with its interval: a dimension's, or several pooled."""

    dimensions: tuple[str, ...]
    share: float
    low: float
    high: float
    me: int
    them: int
    given: float
    received: float

    @property
    def clear(self) -> float:
        """How far the interval's end nearest 50 % lies from it; 0 or less: not clear."""
        return max(self.low - 0.5, 0.5 - self.high)

    @property
    def speaks(self) -> bool:
        """Clear of 50 %, and resting on at least :data:`MIN_EVENTS` moments."""
        return self.clear > 0 and self.me + self.them >= MIN_EVENTS

    @property
    def even(self) -> bool:
        return self.low >= _LOW and self.high <= _HIGH

    @property
    def one_sided(self) -> bool:
        """Clear of 50 % and outside the balanced band."""
        return self.clear > 0 and not _LOW <= self.share <= _HIGH

    def phrase(self, person: str, *, giver_side: bool = True) -> str:
        """The reading in words, from the side of whoever gives more (or the user's)."""
        what = " and ".join(DIMENSION_WORDS.get(d, d) for d in self.dimensions)
        if len(self.dimensions) > 2:
            pooled_support = set(self.dimensions) <= set(SUPPORT)
            what = (
                "all the support between you"
                if pooled_support
                else "everything that goes back and forth"
            )
        # The amounts are the weights the balance table shows, so the sentence and the
        # table agree cell for cell (an event counts by its weight, not once).
        mine, theirs = say_amount(self.given), say_amount(self.received)
        if self.share >= 0.5 or not giver_side:
            who, share, low, high = "you give", self.share, self.low, self.high
            amounts = f"you {mine}, {person} {theirs}"
        else:
            who = f"{person} gives"
            share, low, high = 1 - self.share, 1 - self.high, 1 - self.low
            amounts = f"{person} {theirs}, you {mine}"
        return f"{who} {share:.0%} of {what} ({amounts}; likely {low:.0%} to {high:.0%})"


def _mutuality(reading: _Reading) -> tuple[float, float, float]:
    def m(share: float) -> float:
        return 1 - 2 * abs(share - 0.5)

    ends = (m(reading.low), m(reading.high))
    top = 1.0 if reading.low <= 0.5 <= reading.high else max(ends)
    return m(reading.share), min(ends), top


def _pooled(rows: list[dict[str, Any]], dimensions: Iterable[str]) -> _Reading | None:
    chosen = [r for r in rows if r["dimension"] in set(dimensions)]
    if not chosen:
        return None
    frame = with_interval(
        pl.DataFrame(
            {
                "given": [sum(float(r["given"] or 0) for r in chosen)],
                "received": [sum(float(r["received"] or 0) for r in chosen)],
            }
        )
    ).row(0, named=True)
    if frame["share"] is None:
        return None
    used = tuple(r["dimension"] for r in chosen if r["events_me"] + r["events_them"])
    return _Reading(
        used,
        frame["estimate"],
        frame["low"],
        frame["high"],
        sum(int(r["events_me"]) for r in chosen),
        sum(int(r["events_them"]) for r in chosen),
        sum(float(r["given"] or 0) for r in chosen),
        sum(float(r["received"] or 0) for r in chosen),
    )


def _inside(share: float, low: float, high: float) -> float:
    """The share, moved inside its own interval (for balance rows stored before the
    balance had its ``estimate``, the point every other surface shows)."""
    return min(max(share, low), high)


def _single(rows: list[dict[str, Any]], dimensions: tuple[str, ...]) -> list[_Reading]:
    return [
        _Reading(
            (r["dimension"],),
            r.get("estimate") or _inside(r["share"], r["low"], r["high"]),
            r["low"],
            r["high"],
            r["events_me"],
            r["events_them"],
            float(r["given"] or 0),
            float(r["received"] or 0),
        )
        for r in rows
        if r["dimension"] in dimensions and r["share"] is not None
    ]


def _reading(rows: list[dict[str, Any]]) -> tuple[_Reading | None, list[_Reading]]:
    """The reading that carries the ranking (module docstring, steps 1-5), and the other
    clear support readings leaning the same way, to name beside it."""
    support = sorted(_single(rows, SUPPORT), key=lambda r: -r.clear)
    clear = [r for r in support if r.speaks]
    if clear:
        first = clear[0]
        same = [r for r in clear[1:] if (r.share > 0.5) == (first.share > 0.5)]
        return first, same
    pooled = _pooled(rows, SUPPORT)
    if pooled is not None and pooled.even:
        return pooled, []
    other = [r for r in sorted(_single(rows, _OTHER), key=lambda r: -r.clear) if r.speaks]
    if other:
        return other[0], []
    everything = _pooled(rows, SUPPORT + _OTHER)
    if everything is not None and everything.even:
        return everything, []
    return None, []


@dataclass(frozen=True)
class _Energy:
    mean: float | None
    entries: int
    reading: str | None
    summary: str


def _energy(trend: EnergyTrend | None) -> _Energy:
    """How the user feels after time with someone: the journal's own reading
    (:mod:`reciprocity.journal.energy`, the one every page shows), with what it rests on."""
    if trend is None:
        return _Energy(None, 0, None, "you have not logged how you feel after seeing them")
    n = trend.entries
    counted = (
        f"1 journal entry, on {trend.first:%-d %B %Y}"
        if n == 1
        else f"{n} journal entries since {trend.first:%-d %B %Y}"
    )
    if not trend.enough:
        return _Energy(
            trend.mean,
            n,
            None,
            f"how you feel afterwards does not count yet: {counted}, and it takes "
            f"{MIN_ENTRIES} on at least {MIN_DAYS} different days",
        )
    return _Energy(
        trend.mean,
        n,
        trend.reading,
        f"how you feel afterwards, from {counted}: it {trend.reading} "
        f"({trend.mean:+.1f} on average, -2 drained to +2 uplifted)",
    )


def _events(rows: list[dict[str, Any]], dimensions: tuple[str, ...]) -> int:
    return sum(int(r["events_me"] + r["events_them"]) for r in rows if r["dimension"] in dimensions)


def _judge(
    person: str, rows: list[dict[str, Any]], energy: _Energy, *, child: bool = False
) -> dict[str, Any]:
    reading, same = _reading(rows)
    events = _events(rows, SUPPORT + _OTHER)
    support_events = _events(rows, SUPPORT)
    row: dict[str, Any] = {
        "person": person,
        "events": events,
        "support_events": support_events,
        "energy": energy.mean,
        "energy_entries": energy.entries,
        "energy_reading": energy.reading,
    }
    if reading is None:
        counted = (
            f"{events} moments of give and take counted so far, {support_events} of them support"
        )
        return row | {
            "rank": None,
            "suggestion": None,
            "based_on": [],
            "why": f"Too little to go on yet: {counted}, too few to tell who gives more.",
            "rests_on": f"{counted}; {energy.summary}",
        }
    mutuality, m_low, m_high = _mutuality(reading)
    drained = energy.reading == "drains you"
    mine = reading.share > 0.5
    named = [reading, *same][:3]
    if reading.one_sided and mine:
        figures = "; ".join(r.phrase(person) for r in named)
        said = f"It is mostly you giving: {figures}."
        if drained:
            suggestion = "step back"
            advice = "Giving less here leaves more for the ties that give back."
        else:
            suggestion = "talk it through"
            advice = "Saying what you need may change things."
    elif reading.one_sided and child and set(reading.dimensions) <= set(SUPPORT):
        figures = "; ".join(r.phrase(person) for r in named)
        said = f"Your child gives more support than you: {figures}."
        suggestion = "lean on adults"
        advice = (
            "Children often look after a parent's mood; letting the adults around you carry "
            "more of it leaves them free to be children. Parent mode has more."
        )
    elif reading.one_sided:
        figures = "; ".join(r.phrase(person) for r in named)
        said = f"They give more than you: {figures}."
        suggestion = "talk it through" if drained else "invest"
        advice = (
            "Even so it leaves you drained; saying so may help."
            if drained
            else "This tie gives back; giving back in turn keeps it mutual."
        )
    else:
        if set(reading.dimensions) <= set(SUPPORT) or reading.clear > 0:
            said = f"Close to even: {reading.phrase(person, giver_side=False)}."
        else:
            said = (
                "Too few moments of support either way to tell who supports whom; in "
                f"everything else it is close to even: {reading.phrase(person, giver_side=False)}."
            )
        suggestion = "talk it through" if drained else "invest"
        advice = (
            "Yet it leaves you drained; saying what you need may help."
            if drained
            else "This tie gives back."
        )
    felt = energy.summary[0].upper() + energy.summary[1:]
    score = mutuality if energy.reading is None else (mutuality + (energy.mean or 0) / 4 + 0.5) / 2
    dims = [d for r in named for d in r.dimensions]
    return row | {
        "suggestion": suggestion,
        "mutuality": mutuality,
        "mutuality_low": m_low,
        "mutuality_high": m_high,
        "give_share": reading.share,
        "share_low": reading.low,
        "share_high": reading.high,
        "based_on": [DIMENSION_WORDS.get(d, d) for d in dict.fromkeys(dims)],
        "score": score,
        "why": f"{said} {felt}. {advice}",
        "rests_on": f"{reading.me + reading.them} moments of "
        + ("support" if set(reading.dimensions) <= set(SUPPORT) else "give and take")
        + f" out of {events} counted; {energy.summary}",
    }


def rank(
    balance: pl.DataFrame,
    entries: pl.DataFrame | None = None,
    kinds: Mapping[str, str] | pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Relationships ranked, best score first, then the ties with too little to go on
    (:data:`RANK_SCHEMA`).

    ``balance`` is the balance frame (``reciprocity.metrics.balance``; its ``"all"``
    window is read), ``entries`` the journal (``reciprocity.journal.entries_frame``), for
    how the user feels afterwards; a person known only from the journal is listed too.
    ``kinds`` says who is who (``reciprocity.store.list_people``): a child gets its own
    suggestion when the support runs from them to you.
    """
    known = relationship_kinds(kinds)
    frame = balance.filter(pl.col("window") == "all") if "window" in balance.columns else balance
    frame = frame.drop_nulls("person").filter(pl.col("dimension") != "energy")
    by_key: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for row in frame.iter_rows(named=True):
        key = row["person"].casefold()
        by_key.setdefault(key, (row["person"], []))[1].append(row)
    trends = energy_trends(entries) if entries is not None else {}
    for key, trend in trends.items():
        by_key.setdefault(key, (trend.person, []))
    rows = [
        _judge(person, readings, _energy(trends.get(key)), child=known.get(key) == "child")
        for key, (person, readings) in by_key.items()
    ]
    ranked = sorted(
        (r for r in rows if r["suggestion"] is not None),
        key=lambda r: (-r["score"], -r["events"], r["person"]),
    )
    thin = sorted(
        (r for r in rows if r["suggestion"] is None), key=lambda r: (-r["events"], r["person"])
    )
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position
    out = ranked + thin
    return pl.DataFrame(out, schema=RANK_SCHEMA) if out else pl.DataFrame(schema=RANK_SCHEMA)
