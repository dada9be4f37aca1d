"""Expectations: the needs a user names for a relationship, each with a rule to check.

Rule kinds (:data:`RULES`), each with one number and each read from the exchanges frame
(``reciprocity.exchanges.exchanges``) of that relationship:

- ``check_in`` (days N): they reach out (start a conversation after a silence, or check in)
  at least once in most stretches of N days;
- ``reply`` (hours N): most of my messages get an answer from them within N hours;
- ``support`` (hours N): when I share something hard (distress or asking for support),
  they offer support within N hours, most of the time;
- ``news`` (no number): they respond warmly to most of my good news (in words, or with a
  warm reaction and no words, which the evidence counts apart).

"Most" is :data:`MET_SHARE` (three in four). Fewer than :data:`MIN_CASES` chances to
show it reads "not enough data". Each result carries its evidence in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import insert, select

from reciprocity import words
from reciprocity.errors import NotFound
from reciprocity.journal.entries import JournalError
from reciprocity.store import trash
from reciprocity.store.cache import touch_edits
from reciprocity.store.db import Database
from reciprocity.store.models_guide import Expectation

__all__ = [
    "CHECK_SCHEMA",
    "MET_SHARE",
    "MIN_CASES",
    "RULES",
    "STATUSES",
    "Rule",
    "add_expectation",
    "check_expectations",
    "delete_expectation",
    "list_expectations",
    "restore_expectation",
]

MET_SHARE = 0.75
"""Share of chances that must go the way the user asked for a rule to be met."""
MIN_CASES = 3
"""Fewest chances before a rule is judged."""
STATUSES = ("met", "not met", "not enough data")
SILENCE = timedelta(hours=6)
"""A message after this much quiet starts a conversation (as in the metrics)."""


@dataclass(frozen=True)
class Rule:
    """A rule kind: its unit, default number, and how to say it in words."""

    name: str
    unit: str
    default: float
    wording: str


RULES: dict[str, Rule] = {
    "check_in": Rule("check_in", "days", 7, "reaches out at least every {n} days"),
    "reply": Rule("reply", "hours", 24, "answers my messages within {n} hours"),
    "support": Rule(
        "support", "hours", 48, "shows up within {n} hours when I share something hard"
    ),
    "news": Rule("news", "", 0, "responds warmly to my good news"),
}
"""The rule kinds by name."""

CHECK_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "person": pl.String(),
    "rule": pl.String(),
    "value": pl.Float64(),
    "need": pl.String(),
    "status": pl.String(),
    "chances": pl.Int64(),
    "kept": pl.Int64(),
    "evidence": pl.String(),
}
"""Columns of :func:`check_expectations`."""


def _words(rule: str, value: float) -> str:
    return RULES[rule].wording.format(n=f"{value:g}")


def add_expectation(
    db: Database, person: str, rule: str, value: float | None = None, note: str | None = None
) -> int:
    """Save a need for ``person``: a rule kind of :data:`RULES` and its number (the
    rule's default when ``None``); ``note`` keeps the user's own words. Returns its id."""
    if rule not in RULES:
        raise JournalError(f"{rule!r} is not a rule kind; use one of: {', '.join(RULES)}")
    number = RULES[rule].default if value is None else float(value)
    if RULES[rule].unit and number <= 0:
        raise JournalError(f"the number of {RULES[rule].unit} must be more than 0")
    if not person.strip():
        raise JournalError("say who the expectation is for")
    micros = int(datetime.now(UTC).timestamp() * 1_000_000)
    with db.write() as conn:
        key = conn.execute(
            insert(Expectation).values(
                person=person.strip(), rule=rule, value=number, note=note, created_us=micros
            )
        ).inserted_primary_key
        touch_edits(conn)
    assert key is not None
    return int(key[0])


def delete_expectation(db: Database, expectation_id: int) -> None:
    """Delete an expectation (:func:`restore_expectation` brings it back with its id);
    :class:`NotFound` when there is none."""
    try:
        trash.soft_delete(db, "expectation", expectation_id)
    except NotFound as missing:
        raise NotFound(
            f"there is no expectation {expectation_id}; 'expect list' shows them"
        ) from missing


def restore_expectation(db: Database, expectation_id: int) -> None:
    """Bring back a deleted expectation, with its id; :class:`NotFound` when there is none."""
    trash.restore(db, "expectation", expectation_id)


def list_expectations(db: Database, person: str | None = None) -> pl.DataFrame:
    """Saved expectations: ``id``, ``person``, ``rule``, ``value``, ``note``, ``need``."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                Expectation.id,
                Expectation.person,
                Expectation.rule,
                Expectation.value,
                Expectation.note,
            )
            .where(trash.kept(Expectation))
            .order_by(Expectation.person, Expectation.id)
        ).all()
    frame = pl.DataFrame(
        [tuple(r) for r in rows],
        schema={
            "id": pl.Int64,
            "person": pl.String,
            "rule": pl.String,
            "value": pl.Float64,
            "note": pl.String,
        },
        orient="row",
    )
    frame = frame.with_columns(
        pl.Series(
            "need",
            [_words(r, v) for r, v in zip(frame["rule"], frame["value"], strict=True)],
            dtype=pl.String,
        )
    )
    if person is not None:
        frame = frame.filter(pl.col("person").str.to_lowercase() == person.strip().lower())
    return frame


def _times(n: int) -> str:
    return "once" if n == 1 else f"{words.number(n)} times"


def _next_from_them(mine: pl.DataFrame, theirs: pl.DataFrame) -> pl.DataFrame:
    """``mine`` with ``wait_s``: seconds until their next message in ``theirs``."""
    right = theirs.select(pl.col("timestamp").alias("_at"), pl.col("timestamp").alias("_t"))
    joined = mine.sort("timestamp").join_asof(
        right.sort("_at"), left_on="timestamp", right_on="_at", strategy="forward"
    )
    return joined.with_columns(
        (pl.col("_t") - pl.col("timestamp")).dt.total_seconds().cast(pl.Float64).alias("wait_s")
    )


def _check_in(rows: pl.DataFrame, days: float) -> tuple[int, int, str]:
    gap = pl.col("timestamp") - pl.col("timestamp").shift(1)
    opened = rows.with_columns((gap.is_null() | (gap >= SILENCE)).alias("_opens"))
    reach = opened.filter(~pl.col("from_me") & (pl.col("_opens") | pl.col("check_in")))
    start, end = rows["timestamp"].min(), rows["timestamp"].max()
    assert isinstance(start, datetime)
    assert isinstance(end, datetime)
    step = timedelta(days=days)
    stretches = int((end - start) / step)
    if stretches < 1:
        return 0, 0, "the chat covers less than one stretch of that length"
    index = ((pl.col("timestamp") - start) / step).cast(pl.Int64)
    hit = reach.select(index.alias("i")).filter(pl.col("i") < stretches)["i"].n_unique()
    return (
        stretches,
        hit,
        f"they reached out in {hit} of {stretches} stretches of {days:g} days "
        f"({words.number(reach.height)} times in all)",
    )


def _reply(rows: pl.DataFrame, hours: float) -> tuple[int, int, str]:
    from reciprocity.exchanges import reply_speed
    from reciprocity.metrics.record import say_duration

    turns = rows.filter(pl.col("from_me")).unique("turn", keep="first").drop_nulls("turn")
    waits = _next_from_them(turns, rows.filter(~pl.col("from_me")))
    kept = int((waits["wait_s"] <= hours * 3600).sum())
    # The typical reply is the figure every page shows (the pipeline's reply speed over
    # the same exchanges), not a second median of these waits, which also count the
    # hours until they next wrote when they did not answer at all.
    speed = reply_speed(rows)
    typical = speed["latency_median_s_them"][0] if speed.height else None
    return (
        waits.height,
        kept,
        f"{words.number(kept)} of {words.number(waits.height)} of your messages got an answer "
        f"within {hours:g} hours; "
        f"when they answer in the same conversation, they typically take "
        f"{say_duration(typical)}",
    )


def _support(rows: pl.DataFrame, hours: float) -> tuple[int, int, str]:
    hard = rows.filter(pl.col("from_me") & (pl.col("distress") | pl.col("support_seek")))
    support = rows.filter(
        ~pl.col("from_me") & (pl.col("support_emotional") | pl.col("support_practical"))
    )
    waits = _next_from_them(hard, support)
    kept = int((waits["wait_s"] <= hours * 3600).sum())
    return (
        hard.height,
        kept,
        f"you shared something hard {_times(hard.height)}; support came within {hours:g} "
        f"hours {_times(kept)}",
    )


def _news(rows: pl.DataFrame) -> tuple[int, int, str]:
    news = rows.filter(pl.col("from_me") & pl.col("good_news"))
    response = news["good_news_response"]
    engaged = int((response == "active_constructive").sum())
    brief = int((response == "passive_constructive").sum())
    # A warm emoji and no words is warm too, but said apart: it is not an answer in words.
    tapped = int((response == "warm_reaction").sum())
    kept = engaged + brief + tapped
    emoji = f", {tapped} with only an emoji" if tapped else ""
    return (
        news.height,
        kept,
        f"they responded warmly to {kept} of {news.height} "
        f"{'piece' if news.height == 1 else 'pieces'} of good news "
        f"({engaged} with interest, {brief} briefly{emoji})",
    )


def check_expectations(expectations: pl.DataFrame, exchanges: pl.DataFrame) -> pl.DataFrame:
    """Each expectation (:func:`list_expectations`) checked against the exchanges frame:
    ``status`` (:data:`STATUSES`), ``chances``, ``kept`` and ``evidence`` (:data:`CHECK_SCHEMA`)."""
    results = []
    for row in expectations.iter_rows(named=True):
        rows = exchanges.filter(
            pl.col("person").str.to_lowercase() == row["person"].strip().lower()
        ).sort("timestamp")
        if not rows.height:
            chances, kept, evidence = 0, 0, "there are no messages with them yet"
        elif row["rule"] == "check_in":
            chances, kept, evidence = _check_in(rows, row["value"])
        elif row["rule"] == "reply":
            chances, kept, evidence = _reply(rows, row["value"])
        elif row["rule"] == "support":
            chances, kept, evidence = _support(rows, row["value"])
        else:
            chances, kept, evidence = _news(rows)
        if chances < MIN_CASES:
            status = "not enough data"
        else:
            status = "met" if kept >= MET_SHARE * chances else "not met"
        results.append(
            {
                "id": row["id"],
                "person": row["person"],
                "rule": row["rule"],
                "value": row["value"],
                "need": _words(row["rule"], row["value"]),
                "status": status,
                "chances": chances,
                "kept": kept,
                "evidence": evidence,
            }
        )
    return pl.DataFrame(results, schema=CHECK_SCHEMA)
