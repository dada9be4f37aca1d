"""Ledger events from group chats: what passed between the user and each member.

Input: the group messages with their acts (``reciprocity.store.groups.group_messages``
with the act columns appended) and who answered whom
(:func:`reciprocity.exchanges.attribution.attribute`). Only pairings between the user and
one member count (what two other members say to each other is theirs). An addressed
message gives, from its sender to the one addressed, the same kinds of events as a
one-to-one message (:mod:`reciprocity.ledger`):

- ``attention``: opening a turn that answers or addresses the other; a check-in;
- ``listening``: a question that is not a favour or a check-in;
- ``emotional_support`` / ``practical_help``: a supportive message; accepting their request;
- ``celebration``: a celebrating answer to their good news;
- ``presence_in_hard_times``: support answering their distress;
- ``disclosure``: sharing addressed to them, weighted by depth over 3.

**Weight.** Each event weighs ``min(CAP, confidence x crowd)``:

- ``confidence`` is how sure the pairing is (1 for a reply the platform recorded, less for a
  mention, less again for "the next speaker", see :mod:`~reciprocity.exchanges.attribution`):
  an event we are only 40% sure of is 0.4 of an event;
- ``crowd`` is ``1 / (active members - 1)``, the active members being the people (the user
  included) who wrote in that group that calendar month. An answer in a group is said in
  front of everyone and is shared attention: in a group of three it counts half, in a
  group of eleven a tenth. It is the simplest discount that makes a busy group weigh less
  per message and that is 1 for two people, where a "group" is a one-to-one chat;
- ``CAP`` (:data:`CAP` = 0.5): even an explicit reply in a small group never weighs more
  than half of a one-to-one message. Speaking in front of others is not the same as a
  private message, and a group must never outweigh the one-to-one chat it sits beside.

Events are in :data:`reciprocity.ledger.LEDGER_SCHEMA` with ``source`` = ``"group"``, plus
``conversation_id`` and ``title`` (which group), so a relationship's balance can be split
by where its events came from. Filters and a concat, no Python per message.
"""

from __future__ import annotations

import polars as pl

from reciprocity.exchanges.attribution import ME, speakers
from reciprocity.ledger import LEDGER_SCHEMA

__all__ = ["CAP", "GROUP_EVENTS_SCHEMA", "active_members", "group_events"]

CAP = 0.5
"""The most one group event weighs (a one-to-one event weighs up to 1)."""

GROUP_EVENTS_SCHEMA: dict[str, pl.DataType] = {
    **LEDGER_SCHEMA,
    "conversation_id": pl.Int64(),
    "title": pl.String(),
}
"""Columns of :func:`group_events`."""

_ACTS_READ = (
    "question", "check_in", "request", "accept", "support_emotional", "support_practical",
    "celebrate", "disclosure_depth",
)  # fmt: skip
_SOURCE_ACTS = ("good_news", "distress", "request")


def active_members(rows: pl.LazyFrame) -> pl.LazyFrame:
    """``conversation_id``, ``month`` and ``active``: how many people (the user included)
    wrote in each group each calendar month; ``rows`` has ``speaker`` and ``timestamp``."""
    return (
        rows.with_columns(pl.col("timestamp").dt.truncate("1mo").alias("month"))
        .group_by("conversation_id", "month")
        .agg(pl.col("speaker").n_unique().alias("active"))
    )


def group_events(
    messages: pl.DataFrame,
    pairs: pl.DataFrame,
    *,
    crowd: pl.DataFrame | None = None,
    names: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The events between the user and each member of the group chats (see the module
    docstring), in :data:`GROUP_EVENTS_SCHEMA`, sorted by relationship and time.

    ``messages``: group messages with act columns (``reciprocity.store.groups`` rows plus
    ``reciprocity.acts.ACTS`` and ``disclosure_depth``); ``pairs``: their attribution;
    ``crowd``: :func:`active_members` of all the group messages, when ``messages`` are a
    window of them (by default, of ``messages``); ``names`` likewise, each member's
    ``relationship_id`` and ``person``.
    """
    empty = pl.DataFrame(schema=GROUP_EVENTS_SCHEMA)
    if messages.is_empty() or pairs.is_empty():
        return empty
    rows = speakers(messages)
    named = (
        messages.lazy()
        .filter(~pl.col("from_me"))
        .group_by("relationship_id")
        .agg(pl.col("person").first())
        if names is None
        else names.lazy()
    )
    active = active_members(rows) if crowd is None else crowd.lazy()
    month = pl.col("timestamp").dt.truncate("1mo").alias("month")
    said = rows.select("message_id", "timestamp", "title", *_ACTS_READ)
    answered = rows.select(
        pl.col("message_id").alias("to_message_id"),
        *(pl.col(a).alias(f"_to_{a}") for a in _SOURCE_ACTS),
    )
    mine = pl.col("speaker") == ME
    theirs = pl.col("to_speaker") == ME
    weight = pl.min_horizontal(
        pl.col("confidence") / (pl.col("active") - 1).clip(lower_bound=1), pl.lit(CAP)
    )
    base = (
        pairs.lazy()
        .filter(mine != theirs)
        .join(said, on="message_id", how="inner")
        .join(answered, on="to_message_id", how="left")
        .with_columns(month)
        .join(active, on=["conversation_id", "month"], how="left")
        .with_columns(
            pl.when(mine).then(pl.col("to_speaker")).otherwise(pl.col("speaker"))
            .alias("relationship_id"),
            mine.alias("_from_me"),
            weight.alias("_w"),
        )
        .join(named, on="relationship_id", how="left")
    )  # fmt: skip
    question = pl.col("question") & ~pl.col("request") & ~pl.col("check_in")
    support = pl.col("support_emotional") | pl.col("support_practical")
    depth = pl.col("disclosure_depth").cast(pl.Float64)
    kinds: list[tuple[pl.Expr, str, pl.Expr]] = [
        (pl.col("turn_start"), "attention", pl.lit(1.0)),
        (pl.col("check_in"), "attention", pl.lit(1.0)),
        (question, "listening", pl.lit(1.0)),
        (pl.col("support_emotional"), "emotional_support", pl.lit(1.0)),
        (pl.col("support_practical"), "practical_help", pl.lit(1.0)),
        (pl.col("_to_request") & pl.col("accept"), "practical_help", pl.lit(1.0)),
        (pl.col("_to_good_news") & pl.col("celebrate"), "celebration", pl.lit(1.0)),
        (pl.col("_to_distress") & support, "presence_in_hard_times", pl.lit(1.0)),
        (depth >= 1, "disclosure", depth / 3),
    ]
    me, them = pl.lit("me"), pl.lit("them")
    parts = [
        base.filter(condition.fill_null(False)).select(
            "relationship_id",
            "person",
            pl.when(pl.col("_from_me")).then(me).otherwise(them).alias("giver"),
            pl.when(pl.col("_from_me")).then(them).otherwise(me).alias("receiver"),
            pl.lit(dimension).alias("dimension"),
            (pl.col("_w") * scale).alias("weight"),
            "timestamp",
            pl.lit("group").alias("source"),
            "message_id",
            "conversation_id",
            "title",
        )
        for condition, dimension, scale in kinds
    ]
    events = pl.concat(parts, how="vertical").select(
        [pl.col(c).cast(t) for c, t in GROUP_EVENTS_SCHEMA.items()]
    )
    return events.sort("relationship_id", "timestamp", "dimension", maintain_order=True).collect()
