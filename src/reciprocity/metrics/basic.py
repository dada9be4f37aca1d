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

Everything is Polars queries grouped by relationship, no Python runs per message: one over
the frame gives a mergeable part (:mod:`.figure_parts`), a second turns it into the figures;
the windowed analysis uses the same two steps with one part per window.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from reciprocity.metrics.figure_parts import (
    FIGURES_SCHEMA,
    REQUIRED_COLUMNS,
    combine_figures,
    figure_part,
)

__all__ = ["FIGURES_SCHEMA", "REQUIRED_COLUMNS", "figures_to_json", "relationship_figures"]

_SIDES = ("me", "them")


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
    # One window holding everything: the windowed computation is the only one, so the two
    # cannot drift apart (:mod:`.figure_parts` explains why the merge is exact).
    return combine_figures([figure_part(frame, silence=silence)])


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
