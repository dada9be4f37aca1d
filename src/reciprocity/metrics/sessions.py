"""Conversation sessions, turns and replies: the timeline of each relationship.

A relationship's messages (text and media; calls and system lines are not part of the
back-and-forth) are put in one timeline across all its conversations, so the same friend on
WhatsApp and Telegram is one stream. Ties on the timestamp keep the conversation's own order.
On that timeline:

- a **session** (a "conversation" in the figures) starts with the first message and after
  every silence of at least ``silence`` since the previous message;
- a **turn** is a run of consecutive messages from one side inside a session;
- a turn that is not the first of its session **replies** to the other side's turn before it;
  its latency runs from the last message of the answered turn to its own first message.

Everything is window expressions partitioned by relationship (``shift().over(...)``), so the
same code runs on one relationship, on a partition of many, or on a whole corpus.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

__all__ = ["CONVERSATIONAL_KINDS", "TIMELINE_ORDER", "in_timeline_order", "timeline"]

CONVERSATIONAL_KINDS = ("text", "media")
"""Kinds of message that take part in turns, sessions and replies."""

TIMELINE_ORDER = ("relationship_id", "timestamp", "conversation_id", "ordinal")
"""Sort order of the timeline (the order the store's analysis frame already has)."""


def in_timeline_order(frame: pl.DataFrame) -> bool:
    """Whether ``frame``'s rows are strictly in :data:`TIMELINE_ORDER` (no ties, no nulls in
    the keys). The store's analysis frame is; sorting it again would copy every column (a
    few hundred MB for a million messages) to get the same rows back."""
    keys = [pl.col(c) for c in TIMELINE_ORDER]
    after = pl.lit(False)  # equal keys are not "after": ties go to the sort
    for key in reversed(keys):
        after = (key > key.shift(1)) | ((key == key.shift(1)) & after)
    checks = frame.select(
        after.fill_null(True).all().alias("ordered"),
        pl.all_horizontal(k.is_not_null() for k in keys).all().alias("complete"),
    )
    return bool(checks["ordered"][0]) and bool(checks["complete"][0])


def timeline(
    messages: pl.LazyFrame, *, silence: timedelta, presorted: bool = False
) -> pl.LazyFrame:
    """Keep the conversational messages of ``messages`` in timeline order and annotate them.

    ``messages`` has at least the store's analysis-frame columns ``relationship_id``,
    ``from_me``, ``timestamp``, ``conversation_id``, ``ordinal`` and ``kind``. Added columns:

    - ``new_session`` (Boolean): this message opens a session;
    - ``new_turn`` (Boolean): this message opens a turn (every session opener does);
    - ``is_reply`` (Boolean): this message opens a turn that answers the other side;
    - ``latency_s`` (Float64): seconds since the answered turn's last message, on replies only.

    A silence of exactly ``silence`` starts a new session. ``presorted`` says the rows are
    already in timeline order (:func:`in_timeline_order`), so they are not sorted again.
    """
    by_rel = "relationship_id"
    gap = pl.col("timestamp") - pl.col("timestamp").shift(1).over(by_rel)
    previous_me = pl.col("from_me").shift(1).over(by_rel)
    # gap is null on the first message of a relationship, which always opens a session.
    new_session = (gap.is_null() | (gap >= silence)).alias("new_session")
    kept = messages.filter(pl.col("kind").is_in(CONVERSATIONAL_KINDS))
    return (
        (kept if presorted else kept.sort(TIMELINE_ORDER))
        .with_columns(new_session, gap.dt.total_microseconds().alias("_gap_us"))
        .with_columns(
            (pl.col("new_session") | (pl.col("from_me") != previous_me)).alias("new_turn"),
        )
        .with_columns((pl.col("new_turn") & ~pl.col("new_session")).alias("is_reply"))
        .with_columns(
            # Turns alternate inside a session, so the message before a reply's first message
            # is the last message of the turn it answers.
            # Times 1e-6, not divided by 10**6: Polars divides a column by a number through
            # its reciprocal on columns (and chunks) of several rows but exactly on a single
            # row, so the last bit of a quotient would depend on how the frame is cut up.
            # A product is the same however the rows are split; whole seconds stay exact.
            pl.when(pl.col("is_reply"))
            .then(pl.col("_gap_us") * 1e-6)
            .otherwise(None)
            .cast(pl.Float64)
            .alias("latency_s")
        )
        .drop("_gap_us")
    )
