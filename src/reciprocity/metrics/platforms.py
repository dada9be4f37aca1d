"""Each relationship's one-to-one messages split by app: the per-platform part of the figures.

A person known on several apps (WhatsApp and Telegram, linked at import or merged by the
user) is one relationship, and every figure counts all their chats together. This says how
much of it came from each app: one row per relationship and platform, in the figures' own
terms (text and media are messages, calls apart, system lines left out), so each
relationship's rows add up to its ``messages`` and ``calls``.

Made like the figures, from the analysis frame a window at a time: :func:`platform_part`
of each window (a few rows per conversation) and :func:`combine_platforms` of the parts
with each conversation's platform (:func:`reciprocity.store.conversation_platforms`). No
pass over the stored messages of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from reciprocity.metrics.sessions import CONVERSATIONAL_KINDS

__all__ = ["PLATFORMS_SCHEMA", "combine_platforms", "platform_part"]

PLATFORMS_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "platform": pl.String(),
    "chats": pl.Int64(),
    "messages_me": pl.Int64(),
    "messages_them": pl.Int64(),
    "calls_me": pl.Int64(),
    "calls_them": pl.Int64(),
    "first_message": pl.Datetime("us", "UTC"),
    "last_message": pl.Datetime("us", "UTC"),
}
"""Columns of :func:`combine_platforms`, in order. ``chats``: one-to-one conversations on
that app; ``first_message`` / ``last_message``: of its text and media messages (null
without)."""

_PART = ("relationship_id", "conversation_id", "from_me", "kind")


def platform_part(frame: pl.DataFrame) -> pl.DataFrame:
    """A window of the analysis frame (``relationship_id``, ``conversation_id``,
    ``from_me``, ``kind``, ``timestamp``) reduced to a row per conversation, side and kind:
    how many, the first and the last."""
    return frame.group_by(_PART).agg(
        pl.len().cast(pl.Int64).alias("n"),
        pl.col("timestamp").min().alias("lo"),
        pl.col("timestamp").max().alias("hi"),
    )


def combine_platforms(parts: Iterable[pl.DataFrame], platforms: Mapping[int, str]) -> pl.DataFrame:
    """The per-app split (:data:`PLATFORMS_SCHEMA`, sorted by relationship and platform)
    from every window's :func:`platform_part` and each conversation's platform."""
    found = [part for part in parts if part.height]
    if not found:
        return pl.DataFrame(schema=PLATFORMS_SCHEMA)
    rows = pl.concat(found, how="vertical").with_columns(
        pl.col("conversation_id")
        .replace_strict(
            list(platforms), list(platforms.values()), default="unknown", return_dtype=pl.String
        )
        .alias("platform")
    )
    said = pl.col("kind").is_in(CONVERSATIONAL_KINDS)
    call = pl.col("kind") == "call"
    me = pl.col("from_me")

    def count(where: pl.Expr) -> pl.Expr:
        return pl.col("n").filter(where).sum()

    split = (
        rows.group_by("relationship_id", "platform")
        .agg(
            pl.col("conversation_id").n_unique().alias("chats"),
            count(said & me).alias("messages_me"),
            count(said & ~me).alias("messages_them"),
            count(call & me).alias("calls_me"),
            count(call & ~me).alias("calls_them"),
            pl.col("lo").filter(said).min().alias("first_message"),
            pl.col("hi").filter(said).max().alias("last_message"),
        )
        .sort("relationship_id", "platform")
    )
    return split.select([pl.col(c).cast(t) for c, t in PLATFORMS_SCHEMA.items()])
