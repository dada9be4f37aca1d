"""Protect your energy: after an open conversation and enough time, did anything change?

For the latest conversation record of each person (:mod:`.records`), once
:data:`WAIT_DAYS` have passed, the give share per ledger dimension before and after is
compared (``reciprocity.metrics.change_around``). The result says so plainly:

- ``"changed"``: at least one dimension moved towards them giving more;
- ``"no change"``: the dimensions with enough events show no meaningful change; concrete
  limits are suggested (:data:`LIMITS`), chosen by where the user gives most;
- ``"too early"``: not enough days or events yet since the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import polars as pl

from reciprocity.metrics import change_around

__all__ = ["LIMITS", "WAIT_DAYS", "Advice", "protect_energy"]

WAIT_DAYS = 30
"""Days after a conversation before change is judged; habits take weeks to move."""

LIMITS: dict[str, str] = {
    "attention": "Let them start the next conversation, and notice how long that takes.",
    "listening": "Ask one question, then wait for one back before you ask another.",
    "emotional_support": "Choose a time for the heavy talks, and keep other days light.",
    "presence_in_hard_times": "Look for support from people who are there for you too.",
    "practical_help": "Say no to the next favour that would stretch you.",
    "favours_money": "Lend only what you would be fine never seeing again.",
    "disclosure": "Keep what matters most to you for people who share back.",
    "energy": "Make meetings shorter, in places and at times that suit you.",  # the fallback
    "celebration": "Share your good news first with the people who cheer for you.",
}
"""One concrete limit per ledger dimension, offered where the user gives most."""


@dataclass(frozen=True)
class Advice:
    """What happened after the conversation with ``person`` on ``date``."""

    person: str
    date: datetime
    days_since: int
    status: str
    summary: str
    evidence: tuple[str, ...] = ()
    limits: tuple[str, ...] = field(default_factory=tuple)


def _pct(value: float | None) -> str:
    return "no events" if value is None else f"{value:.0%}"


def protect_energy(
    ledger: pl.DataFrame,
    records: pl.DataFrame,
    *,
    as_of: datetime | None = None,
    wait_days: int = WAIT_DAYS,
) -> list[Advice]:
    """One :class:`Advice` per person with a conversation record (their latest one).

    ``ledger`` is the ledger frame, ``records`` :func:`.records.conversation_records`
    output; ``as_of`` defaults to the latest event with that person in the ledger (the
    data cannot speak for days it does not cover), or now when there is none.
    """
    by_person = ledger.group_by(pl.col("person").str.to_lowercase().alias("_key"))
    last_seen = dict(by_person.agg(pl.col("timestamp").max()).iter_rows())
    latest = (
        records.sort("date")
        .with_columns(pl.col("person").str.to_lowercase().alias("_key"))
        .group_by("_key")
        .last()
    )
    advice = []
    for row in latest.sort("date").iter_rows(named=True):
        person, when = row["person"], row["date"]
        seen = last_seen.get(row["_key"])
        now = as_of or (seen if isinstance(seen, datetime) else datetime.now(UTC))
        now = now.replace(tzinfo=UTC) if now.tzinfo is None else now
        # A record can postdate the last imported message; never count negative days.
        days = max(0, (now - when).days)
        if days < wait_days:
            ready = (when + timedelta(days=wait_days)).date().isoformat()
            advice.append(
                Advice(
                    person,
                    when,
                    days,
                    "too early",
                    f"You talked with {person} on {when.date().isoformat()}. Change takes a "
                    f"few weeks to show; look again from {ready}.",
                )
            )
            continue
        # Energy afterwards is the journal's scale, not something given: never a share here.
        change = change_around(ledger, person, when).filter(
            (pl.col("verdict") != "too early") & (pl.col("dimension") != "energy")
        )
        advice.append(_judge(person, when, days, change))
    return advice


def _judge(person: str, when: datetime, days: int, change: pl.DataFrame) -> Advice:
    evidence = tuple(
        f"{r['dimension'].replace('_', ' ')}: your share {_pct(r['estimate_before'])} before, "
        f"{_pct(r['estimate_after'])} after ({r['verdict']})"
        for r in change.iter_rows(named=True)
    )
    if not change.height:
        return Advice(
            person,
            when,
            days,
            "too early",
            f"Since you talked with {person} there are too few messages or entries to tell "
            "whether anything changed.",
        )
    better = change.filter((pl.col("verdict") == "meaningful change") & (pl.col("difference") < 0))
    if better.height:
        names = ", ".join(better["dimension"].str.replace_all("_", " ").to_list())
        return Advice(
            person,
            when,
            days,
            "changed",
            f"Since your talk with {person}, they give more than before in: {names}. "
            "It may be worth telling them you noticed.",
            evidence,
        )
    # Limits where the user still gives most after the talk.
    heavy = change.filter(pl.col("share_after").fill_null(0) >= 0.5).sort(
        "share_after", descending=True
    )
    limits = tuple(LIMITS[d] for d in heavy["dimension"].to_list() if d in LIMITS)[:3]
    return Advice(
        person,
        when,
        days,
        "no change",
        f"Since your talk with {person} on {when.date().isoformat()}, the give and take "
        "looks much as it did before. You did your part by saying it; now you can choose "
        "how much to put in.",
        evidence,
        limits or (LIMITS["energy"],),
    )
