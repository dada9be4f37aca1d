"""The latest messages of each act, for the "show me" lists: every relationship at once.

A relationship page lets the user open, for an act (good news, distress, a check-in …)
and a side (what I sent, what they sent), the latest such messages with the reply each
got. :func:`latest_examples` picks those lists for every (relationship, act, side) of one
analysis in one pass over the exchanges, with the texts read from the store in one go, so
the page only looks one up (:class:`Examples`).

Memory: at most ``limit`` rows per (relationship, act, side), each with two texts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from reciprocity.exchanges import answer_texts

__all__ = ["EXAMPLES_LIMIT", "Examples", "latest_examples"]

EXAMPLES_LIMIT = 10
"""Messages a "show me" list holds."""

Key = tuple[int, str, bool]


@dataclass(frozen=True)
class Examples:
    """The "show me" lists of one analysis, by (relationship id, act, sent by me)."""

    rows: dict[Key, list[dict[str, Any]]] = field(default_factory=dict)

    def get(self, relationship_id: int, topic: str, *, from_me: bool) -> list[dict[str, Any]]:
        """The latest messages of one act sent by one side, newest first, each with its
        ``text`` and the reply it got (``answer_text``, null when unanswered). Shared:
        copy before changing them."""
        return self.rows.get((relationship_id, topic, from_me), [])


def latest_examples(
    exchanges: pl.DataFrame,
    topics: Sequence[str],
    texts: Callable[[pl.Series], pl.DataFrame],
    *,
    limit: int = EXAMPLES_LIMIT,
) -> Examples:
    """Every (relationship, act in ``topics``, side) list of the ``exchanges``; ``texts``
    gives ``message_id`` and ``text`` for a series of ids."""
    keys = ["relationship_id", "from_me"]
    picked = [
        exchanges.lazy()
        .filter(pl.col(topic))
        .sort("timestamp", descending=True, maintain_order=True)
        .filter(pl.int_range(pl.len()).over(keys) < limit)
        .with_columns(pl.lit(topic).alias("_topic"))
        for topic in topics
    ]
    shown = pl.concat(picked).collect() if picked else exchanges.clear()
    once = shown.unique("message_id", keep="first", maintain_order=True)
    replies = answer_texts(exchanges, once, texts)
    shown = shown.join(
        texts(once["message_id"]), on="message_id", how="left", maintain_order="left"
    ).join(replies, on="message_id", how="left", maintain_order="left")
    lists: dict[Key, list[dict[str, Any]]] = {}
    for row in shown.iter_rows(named=True):
        topic = row.pop("_topic")
        key = (int(row["relationship_id"]), str(topic), bool(row["from_me"]))
        lists.setdefault(key, []).append(row)
    return Examples(lists)
