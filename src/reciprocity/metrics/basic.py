"""The first per-relationship figures: who writes, who starts, who replies and how fast.

Input is the store's analysis frame (``reciprocity.store.messages_frame``), one row per
message of a one-to-one conversation. Output is one row per relationship, with every
two-sided figure as a ``*_me`` / ``*_them`` pair where "me" and "them" say WHO DID IT:
``reply_latency_median_s_me`` is how fast I answer them, ``initiations_them`` how many
conversations they started.

Definitions (sessions, turns and replies are explained in :mod:`.sessions`):

- ``messages``: text and media messages; ``calls`` are counted apart; system lines are ignored.
- ``words``: whitespace-separated words of text messages.
- ``conversations``: sessions; ``initiations``: sessions whose first message was that side's.
- ``replies``: turns that answer the other side; ``reply_rate_me = replies_me / turns_them``
  (null when they took no turn); ``reply_latency_median_s``: median seconds, null without replies.
- ``questions``: text messages that read as a question (:mod:`.questions`).
- ``*_share_me``: my part of the two-sided total, null when the total is 0.

Everything is one lazy Polars query grouped by relationship: no Python runs per message.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from reciprocity.metrics.sessions import in_timeline_order, timeline
from reciprocity.metrics.textual import QUESTION, WORDS, text_features

__all__ = ["FIGURES_SCHEMA", "REQUIRED_COLUMNS", "figures_to_json", "relationship_figures"]

REQUIRED_COLUMNS = (
    "relationship_id",
    "person",
    "conversation_id",
    "from_me",
    "timestamp",
    "ordinal",
    "kind",
)
"""Columns of the analysis frame the figures read, besides ``text`` or its
:mod:`.textual` features ``words`` and ``text_question``."""

_SIDES = ("me", "them")
# Two-sided counts, in output order; each becomes <name>_me and <name>_them.
_COUNTS = ("messages", "words", "turns", "calls", "initiations", "replies", "questions")
_SHARED = ("messages", "words", "turns", "initiations", "questions")

FIGURES_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "person": pl.String(),
    **{f"{name}_{side}": pl.Int64() for name in _COUNTS for side in _SIDES},
    "conversations": pl.Int64(),
    **{f"reply_rate_{side}": pl.Float64() for side in _SIDES},
    **{f"reply_latency_median_s_{side}": pl.Float64() for side in _SIDES},
    "first_message": pl.Datetime("us", "UTC"),
    "last_message": pl.Datetime("us", "UTC"),
    **{f"{name}_share_me": pl.Float64() for name in _SHARED},
}
"""Columns and types of :func:`relationship_figures`' result, in order."""

_ME = pl.col("from_me")


def _sides(name: str) -> list[pl.Expr]:
    """``<name>_me`` and ``<name>_them``: how many rows each side sent."""
    return [_ME.sum().alias(f"{name}_me"), (~_ME).sum().alias(f"{name}_them")]


def _sums(column: str, name: str) -> list[pl.Expr]:
    """``<name>_me`` and ``<name>_them``: ``column`` summed over each side's rows."""
    return [
        pl.col(column).filter(_ME).sum().alias(f"{name}_me"),
        pl.col(column).filter(~_ME).sum().alias(f"{name}_them"),
    ]


def _medians(column: str, name: str) -> list[pl.Expr]:
    """``<name>_me`` and ``<name>_them``: median of ``column`` per side, nulls ignored."""
    return [
        pl.col(column).filter(_ME).median().alias(f"{name}_me"),
        pl.col(column).filter(~_ME).median().alias(f"{name}_them"),
    ]


def _ratio(numerator: pl.Expr, denominator: pl.Expr, name: str) -> pl.Expr:
    """``numerator / denominator`` as Float64, null when the denominator is 0."""
    share = pl.when(denominator > 0).then(numerator / denominator).otherwise(None)
    return share.cast(pl.Float64).alias(name)


def relationship_figures(
    frame: pl.DataFrame | pl.LazyFrame, *, silence: timedelta = timedelta(hours=6)
) -> pl.DataFrame:
    """One row per relationship in ``frame`` with the columns of :data:`FIGURES_SCHEMA`.

    ``frame`` is the store's analysis frame, eager or lazy (at least
    :data:`REQUIRED_COLUMNS`; any row order). ``silence`` is the quiet gap after which the
    next message starts a new conversation; a gap of exactly ``silence`` counts. A
    relationship with only calls or system lines still gets a row, with zero messages and
    null rates and times.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2024, 5, 1, 9, tzinfo=timezone.utc)
    >>> chat = pl.DataFrame({
    ...     "relationship_id": [1, 1], "person": ["Alex", "Alex"], "conversation_id": [7, 7],
    ...     "from_me": [True, False], "timestamp": [t, t + timedelta(minutes=2)],
    ...     "ordinal": [0, 1], "text": ["you free?", "yes"], "kind": ["text", "text"]})
    >>> row = relationship_figures(chat).row(0, named=True)
    >>> row["initiations_me"], row["reply_latency_median_s_them"], row["questions_me"]
    (1, 120.0, 1)
    """
    names = frame.collect_schema().names()
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    featured = WORDS in names and QUESTION in names
    if not featured and "text" not in names:
        missing.append("text")
    if missing:
        raise ValueError(f"the messages frame lacks column(s) {', '.join(missing)}")
    if silence <= timedelta(0):
        raise ValueError("silence must be a positive duration")

    by_rel = "relationship_id"
    # The text's features when the frame has them (the pipeline's does), else from it.
    read = [WORDS, QUESTION] if featured else text_features()
    rows = frame.lazy().select(*REQUIRED_COLUMNS, *read)
    people = rows.group_by(by_rel).agg(pl.col("person").drop_nulls().first())
    calls = rows.filter(pl.col("kind") == "call").group_by(by_rel).agg(*_sides("calls"))
    is_text = pl.col("kind") == "text"
    presorted = isinstance(frame, pl.DataFrame) and in_timeline_order(frame)
    annotated = timeline(rows, silence=silence, presorted=presorted).with_columns(
        pl.when(is_text).then(pl.col(WORDS)).fill_null(0).alias("_words"),
        (is_text & pl.col(QUESTION)).alias("_question"),
    )
    said = annotated.group_by(by_rel).agg(
        *_sides("messages"),
        *_sums("_words", "words"),
        *_sums("new_turn", "turns"),
        *_sums("new_session", "initiations"),
        *_sums("is_reply", "replies"),
        *_sums("_question", "questions"),
        *_medians("latency_s", "reply_latency_median_s"),
        pl.col("new_session").sum().alias("conversations"),
        pl.col("timestamp").min().alias("first_message"),
        pl.col("timestamp").max().alias("last_message"),
    )
    counts = [f"{n}_{s}" for n in _COUNTS for s in _SIDES] + ["conversations"]
    figures = (
        people.join(said, on=by_rel, how="left")
        .join(calls, on=by_rel, how="left")
        .with_columns(pl.col(counts).fill_null(0).cast(pl.Int64))
        .with_columns(
            # reply_rate_me: the share of their turns that I answered, and the other way
            *(
                _ratio(pl.col(f"replies_{me}"), pl.col(f"turns_{them}"), f"reply_rate_{me}")
                for me, them in (("me", "them"), ("them", "me"))
            ),
            *(
                _ratio(pl.col(f"{n}_me"), pl.col(f"{n}_me") + pl.col(f"{n}_them"), f"{n}_share_me")
                for n in _SHARED
            ),
        )
        .select([pl.col(c).cast(t) for c, t in FIGURES_SCHEMA.items()])
        .sort(by_rel)
    )
    return figures.collect()


def figures_to_json(figures: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The figures as plain JSON-ready data (ints, floats, strings, ``None``), sorted by person.

    Shape: ``{"relationships": [{"person", "messages", "words", "turns", "calls",
    "conversations", "initiations", "reply_rate", "reply_latency_median_s", "questions",
    "first_message", "last_message"}]}``; two-sided figures are ``{"me": x, "them": y}``
    (who did it) and times are ISO 8601 in UTC, or ``None`` without messages.
    """
    ordered = figures.sort(["person", "relationship_id"], nulls_last=True)
    return {"relationships": [_relationship(row) for row in ordered.iter_rows(named=True)]}


def _relationship(row: dict[str, Any]) -> dict[str, Any]:
    def pair(name: str, kind: type) -> dict[str, Any]:
        return {side: _plain(row[f"{name}_{side}"], kind) for side in _SIDES}

    return {
        "person": row["person"],
        "messages": pair("messages", int),
        "words": pair("words", int),
        "turns": pair("turns", int),
        "calls": pair("calls", int),
        "conversations": int(row["conversations"]),
        "initiations": pair("initiations", int),
        "reply_rate": pair("reply_rate", float),
        "reply_latency_median_s": pair("reply_latency_median_s", float),
        "questions": pair("questions", int),
        "first_message": _iso(row["first_message"]),
        "last_message": _iso(row["last_message"]),
    }


def _plain(value: Any, kind: type) -> Any:
    """``value`` as a plain ``int`` or ``float``; ``None`` for missing or not-a-number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return kind(value)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
