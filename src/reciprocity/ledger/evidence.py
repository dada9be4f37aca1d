"""The messages behind each reading: for every relationship, dimension and giver at once.

A reading on a relationship page ("attention you gave: 4.5") opens the list of the latest
ledger events behind it. :func:`latest_evidence` picks those lists for every
(relationship, dimension, giver) of one analysis in one pass over the ledger, with each
message's text and the reply it got read from the store in one go, so a page showing one
list only looks it up (:class:`Evidence`). What each list holds is what the page showed
when it filtered the ledger per request: the latest event of each message or reaction,
newest first, at most ``limit`` of them (a reaction marked ``reaction``: "Alex reacted ❤️
to your message", and ``in_group`` when it was in a group chat, as a group message is);
how many messages gave events; how many journal events; how many reactions.

Memory: at most ``limit`` rows per (relationship, dimension, giver), each with two texts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from reciprocity import exchanges as exchanges_module

__all__ = ["EVIDENCE_LIMIT", "Evidence", "latest_evidence"]

EVIDENCE_LIMIT = 12
"""Messages shown behind one reading: the latest ones, enough to recognise the pattern."""

_KEYS = ["relationship_id", "dimension", "giver"]

Key = tuple[int, str, str]


@dataclass(frozen=True)
class Evidence:
    """The lists behind every reading of one analysis, looked up by
    (relationship id, dimension, giver)."""

    rows: dict[Key, list[dict[str, Any]]] = field(default_factory=dict)
    totals: dict[Key, int] = field(default_factory=dict)
    logged: dict[Key, int] = field(default_factory=dict)
    reacted: dict[Key, int] = field(default_factory=dict)

    def get(
        self, relationship_id: int, dimension: str, giver: str
    ) -> tuple[list[dict[str, Any]], int, int, int]:
        """(the latest messages and reactions, newest first, each with ``text`` and
        ``answer_text``; how many messages in all; how many journal events; how many
        reactions) of one reading. The rows are shared: copy before changing them."""
        key = (relationship_id, dimension, giver)
        reacted = self.reacted.get(key, 0)
        return (
            self.rows.get(key, []),
            self.totals.get(key, 0) - reacted,
            self.logged.get(key, 0),
            reacted,
        )

    @property
    def size(self) -> int:
        """Rows kept in all."""
        return sum(len(rows) for rows in self.rows.values())


def _keyed(frame: pl.DataFrame, value: str) -> dict[Key, int]:
    return {
        (int(rid), str(dim), str(giver)): int(n)
        for rid, dim, giver, n in frame.select(*_KEYS, value).iter_rows()
    }


def latest_evidence(
    ledger: pl.DataFrame,
    exchanges: pl.DataFrame,
    texts: Callable[[pl.Series], pl.DataFrame],
    *,
    limit: int = EVIDENCE_LIMIT,
) -> Evidence:
    """Every reading's list of evidence from one analysis's ``ledger`` and ``exchanges``;
    ``texts`` gives ``message_id`` and ``text`` for a series of ids (as for
    :func:`reciprocity.exchanges.answer_texts`)."""
    # Events of no relationship (a journal entry about someone with no chat) are behind no
    # reading a page shows.
    ledger = ledger.drop_nulls("relationship_id")
    # Messages of one-to-one chats and of groups (those are not in the exchanges: their
    # text is read all the same, and who sent them is who gave). Reactions are shown among
    # them, counted apart.
    from_messages = ledger.filter(
        pl.col("source").is_in(["messages", "group", "reactions", "group_reactions"])
    ).drop_nulls("message_id")
    is_reaction = pl.col("source").is_in(["reactions", "group_reactions"])
    logged = ledger.filter(pl.col("source") == "journal").group_by(_KEYS).agg(pl.len())
    totals = from_messages.group_by(_KEYS).agg(pl.col("message_id").n_unique().alias("n"))
    reacted = (
        from_messages.filter(is_reaction)
        .group_by(_KEYS)
        .agg(pl.col("message_id").n_unique().alias("n"))
    )
    # The latest event of each message per reading, newest first (a stable sort: events at
    # the same time keep the ledger's order), at most ``limit`` per reading.
    latest = (
        from_messages.select(
            *_KEYS,
            "message_id",
            "timestamp",
            "weight",
            pl.col("source").is_in(["group", "group_reactions"]).alias("in_group"),
            is_reaction.alias("reaction"),
            (pl.col("giver") == "me").alias("_by_me"),
        )
        .sort("timestamp", descending=True, maintain_order=True)
        .unique([*_KEYS, "message_id"], keep="first", maintain_order=True)
        .filter(pl.int_range(pl.len()).over(_KEYS) < limit)
    )
    ids = latest["message_id"].unique()
    rows = (
        exchanges.lazy()
        .filter(pl.col("message_id").is_in(ids.implode()))
        .drop("relationship_id", "timestamp", "weight", strict=False)
        .collect()
    )
    shown = latest.join(rows, on="message_id", how="left", maintain_order="left")
    # Each message's text and its reply, read once however many readings show it.
    once = shown.unique("message_id", keep="first", maintain_order=True)
    replies = exchanges_module.answer_texts(exchanges, once, texts)
    shown = (
        shown.join(texts(ids), on="message_id", how="left", maintain_order="left")
        .join(replies, on="message_id", how="left", maintain_order="left")
        .select(
            *_KEYS,
            "message_id",
            "timestamp",
            "weight",
            "text",
            pl.coalesce("from_me", "_by_me").alias("from_me"),
            "latency_s",
            "answer_text",
            # The reaction that answered good news without words (the celebration it gave).
            pl.col("good_news_reaction")
            if "good_news_reaction" in shown.columns
            else pl.lit(None, pl.String).alias("good_news_reaction"),
            "in_group",
            "reaction",
        )
    )
    lists: dict[Key, list[dict[str, Any]]] = {}
    for row in shown.iter_rows(named=True):
        key = (int(row.pop("relationship_id")), str(row.pop("dimension")), str(row.pop("giver")))
        lists.setdefault(key, []).append(row)
    return Evidence(
        rows=lists,
        totals=_keyed(totals, "n"),
        logged=_keyed(logged, "len"),
        reacted=_keyed(reacted, "n"),
    )
