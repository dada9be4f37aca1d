"""Ledger: who gave what to whom, as events ``giver -> receiver, dimension, weight, time``.

The stage between ``exchanges`` and ``metrics``. :func:`ledger` turns the exchanges frame
(messages with their acts and answers) and, when given, journal entries (self-report) into
one event frame (:data:`LEDGER_SCHEMA`); ``giver`` and ``receiver`` are ``"me"`` or
``"them"``. What becomes an event, and its weight (:data:`WEIGHTS`):

- ``attention``: starting a conversation (first message after ``silence``), checking in;
  a reaction put on the other's message (source ``reactions``, weight 0.25; in a group
  chat ``group_reactions``, 0.125; see :mod:`.reactions`);
- ``listening``: asking a question that is not a favour or a check-in;
- ``emotional_support`` / ``practical_help``: messages that support; accepting a request
  is practical help from the one who accepted;
- ``celebration``: answering the other's good news warmly (active-constructive 1, passive-
  constructive 0.5; a warm reaction and no words 0.25, half a brief warm reply: the tap is
  also attention, as every reaction is, but in a dimension of its own, so nothing is
  counted twice in one);
- ``presence_in_hard_times``: support within the support window after the other's distress;
- ``disclosure``: trust offered, weighted by depth (1 facts, 2 thoughts, 3 feelings, over 3);
- ``favours_money``: journal only (who lent money or did a favour; paying back is not
  giving, so repayments are left out).

Energy afterwards is not given or received and has no place here: it is a scale of its
own, read from the journal by :mod:`reciprocity.journal.energy`.

Weights stay at or below 1 so a weighted count is never more evidence than the messages
behind it. Built with filters and a concat over the whole frame: no Python per message.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from reciprocity.ledger.journal import JOURNAL_SCHEMA, journal_events

__all__ = [
    "DIMENSIONS",
    "JOURNAL_SCHEMA",
    "LEDGER_SCHEMA",
    "WEIGHTS",
    "coded_events",
    "decoded",
    "journal_events",
    "ledger",
    "message_events",
    "sorted_events",
]

DIMENSIONS = (
    "attention",
    "listening",
    "emotional_support",
    "practical_help",
    "celebration",
    "presence_in_hard_times",
    "disclosure",
    "favours_money",
)
"""The ledger's dimensions, in display order."""

WEIGHTS: dict[str, float] = {
    "initiation": 1.0,
    "check_in": 1.0,
    "question": 1.0,
    "support_emotional": 1.0,
    "support_practical": 1.0,
    "request_accepted": 1.0,
    "active_constructive": 1.0,
    "passive_constructive": 0.5,
    "warm_reaction": 0.25,
    "presence": 1.0,
}
"""Weight of each kind of message event (disclosure weighs depth / 3)."""

LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "person": pl.String(),
    "giver": pl.String(),
    "receiver": pl.String(),
    "dimension": pl.String(),
    "weight": pl.Float64(),
    "timestamp": pl.Datetime("us", "UTC"),
    "source": pl.String(),
    "message_id": pl.Int64(),
}
"""Columns of :func:`ledger`: one row per event."""

_ME, _THEM = pl.lit("me"), pl.lit("them")
_SIDES = pl.Enum(["me", "them"])
_SORTED_AS: dict[str, pl.DataType] = {
    "giver": _SIDES,
    "receiver": _SIDES,
    "dimension": pl.Enum(sorted(DIMENSIONS)),
    "source": pl.Enum(["group", "group_reactions", "journal", "messages", "reactions"]),
}
# Columns of the exchanges that message events read.
_READ = (
    "relationship_id",
    "person",
    "from_me",
    "timestamp",
    "latency_s",
    "message_id",
    "question",
    "request",
    "check_in",
    "support_emotional",
    "support_practical",
    "request_outcome",
    "good_news_response",
    "supported",
    "disclosure_depth",
)


def _events(
    rows: pl.LazyFrame,
    condition: pl.Expr,
    dimension: str,
    weight: pl.Expr | float,
    *,
    by_answerer: bool = False,
) -> pl.LazyFrame:
    """One event per row where ``condition`` holds, given by the sender (or by whoever
    answered, at the answer's time when ``by_answerer``)."""
    sender_is_giver = pl.col("from_me") if not by_answerer else ~pl.col("from_me")
    when = pl.col("timestamp")
    if by_answerer:
        # Rounded, not truncated: the seconds are whole microseconds times 1e-6, and
        # scaling back may land a hair below the microsecond.
        micros = (pl.col("latency_s").fill_null(0) * 1_000_000).round().cast(pl.Int64)
        when = when + pl.duration(microseconds=micros)
    value = weight if isinstance(weight, pl.Expr) else pl.lit(weight)
    return rows.filter(condition.fill_null(False)).select(
        "relationship_id",
        "person",
        pl.when(sender_is_giver).then(_ME).otherwise(_THEM).alias("giver"),
        pl.when(sender_is_giver).then(_THEM).otherwise(_ME).alias("receiver"),
        pl.lit(dimension).alias("dimension"),
        value.cast(pl.Float64).alias("weight"),
        when.alias("timestamp"),
        pl.lit("messages").alias("source"),
        "message_id",
    )


def message_events(
    exchanges: pl.DataFrame | pl.LazyFrame, *, silence: timedelta = timedelta(hours=6)
) -> pl.LazyFrame:
    """The events carried by messages and their answers (see the module docstring).

    ``exchanges`` is :func:`reciprocity.exchanges.exchanges` output, in timeline order.
    """
    # The one thing read across rows. The exchanges hold text and media messages only, so
    # at a cut of the windowed analysis (a relationship's first message, or one more than
    # the quiet >= silence after the previous) it is true in a window as in the whole.
    gap = pl.col("timestamp") - pl.col("timestamp").shift(1).over("relationship_id")
    # Only the columns the events read: each kind of event filters a copy of these.
    rows = (
        exchanges.lazy()
        .select(_READ)
        .with_columns((gap.is_null() | (gap >= silence)).alias("_opens"))
    )
    question = pl.col("question") & ~pl.col("request") & ~pl.col("check_in")
    response = pl.col("good_news_response")
    depth = pl.col("disclosure_depth")
    parts = [
        _events(rows, pl.col("_opens"), "attention", WEIGHTS["initiation"]),
        _events(rows, pl.col("check_in"), "attention", WEIGHTS["check_in"]),
        _events(rows, question, "listening", WEIGHTS["question"]),
        _events(rows, pl.col("support_emotional"), "emotional_support", 1.0),
        _events(rows, pl.col("support_practical"), "practical_help", 1.0),
        _events(
            rows,
            pl.col("request_outcome") == "accepted",
            "practical_help",
            WEIGHTS["request_accepted"],
            by_answerer=True,
        ),
        _events(
            rows,
            response == "active_constructive",
            "celebration",
            WEIGHTS["active_constructive"],
            by_answerer=True,
        ),
        _events(
            rows,
            response == "passive_constructive",
            "celebration",
            WEIGHTS["passive_constructive"],
            by_answerer=True,
        ),
        # No latency (no reply in words): dated at the news, where Messenger and Discord
        # date the reaction too.
        _events(
            rows,
            response == "warm_reaction",
            "celebration",
            WEIGHTS["warm_reaction"],
            by_answerer=True,
        ),
        # Presence: support came within the window after their distress; the supporter
        # gives, dated at the distress message (the support may be a later turn).
        _events(
            rows, pl.col("supported"), "presence_in_hard_times", WEIGHTS["presence"]
        ).with_columns(pl.col("receiver").alias("giver"), pl.col("giver").alias("receiver")),
        _events(rows, depth >= 1, "disclosure", depth.cast(pl.Float64) / 3),
    ]
    # One kind of event after the other (not all ten filters of the frame at once): the
    # same rows in the same order, in a fraction of the working memory.
    return pl.concat(parts, how="vertical", parallel=False).select(
        [pl.col(c).cast(t) for c, t in LEDGER_SCHEMA.items()]
    )


def ledger(
    exchanges: pl.DataFrame | pl.LazyFrame,
    journal: pl.DataFrame | None = None,
    *,
    silence: timedelta = timedelta(hours=6),
    coded: bool = False,
    others: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """All events, from messages and (when given) journal entries, sorted by relationship
    and time. Journal people are matched to relationships by name (case-insensitive);
    entries about someone with no chat keep a null ``relationship_id``. ``others``
    (``relationship_id``, ``person``) are people known from elsewhere (group chats),
    matched after those of ``exchanges``.

    ``coded`` leaves ``giver``, ``receiver``, ``dimension`` and ``source`` as categories
    (:func:`decoded` makes them text): the same rows in a fraction of the memory, for a
    caller that only counts or compares them (:func:`reciprocity.metrics.balance` does).
    """
    parts = [message_events(exchanges, silence=silence)]
    if journal is not None:
        people = exchanges.lazy().select("relationship_id", "person").unique()
        if others is not None:
            people = pl.concat([people, others.lazy().select(people.collect_schema().names())])
        parts.append(journal_events(journal, people))
    events = sorted_events(parts)
    return events if coded else decoded(events)


def coded_events(events: pl.LazyFrame) -> pl.LazyFrame:
    """``events`` (in :data:`LEDGER_SCHEMA`) with ``giver``, ``receiver``, ``dimension`` and
    ``source`` as the categories of a coded ledger (see ``coded`` of :func:`ledger`)."""
    return events.with_columns(pl.col(c).cast(t) for c, t in _SORTED_AS.items())


def sorted_events(parts: list[pl.LazyFrame]) -> pl.DataFrame:
    """The events of ``parts`` (in :data:`LEDGER_SCHEMA`, or coded), one after the other,
    sorted as :func:`ledger` sorts them: coded, by relationship, time and dimension, ties
    in the order of ``parts`` and of the rows in each."""
    # Sorted with the few-valued text columns as categories (4 bytes a row, not 16, in
    # both the events and their sorted copy); the categories are in alphabetical order, so
    # the rows come out as sorting the strings would put them.
    events = pl.concat([coded_events(p) for p in parts], how="vertical").collect()
    return events.select(pl.all().gather(events.select(_ORDER.arg_sort()).to_series()))


# The events' order: by relationship, time and dimension, nulls last, and a stable sort:
# events at the same time keep the order they were made in, so the same messages always
# give the same frame (an unstable sort shuffled ties from run to run). One struct key
# with the row number last sorts so in about half the working memory of a stable sort by
# the three columns (at 820k events: 45 MB instead of 78).
_ORDER = pl.struct(
    *(
        expr
        for key in ("relationship_id", "timestamp", "dimension")
        for expr in (pl.col(key).is_null().alias(f"_{key}_null"), pl.col(key))
    ),
    pl.int_range(pl.len(), dtype=pl.get_index_type()).alias("_row"),
)


def decoded(ledger: pl.DataFrame) -> pl.DataFrame:
    """``ledger`` in the types of :data:`LEDGER_SCHEMA` (its categories as text), however
    it was built (see ``coded`` of :func:`ledger`); as it is when it already has them."""
    casts = [pl.col(c).cast(t) for c, t in LEDGER_SCHEMA.items() if ledger.schema.get(c) != t]
    return ledger.with_columns(casts) if casts else ledger
