"""Each relationship's one-to-one messages split by app: the per-platform part of the figures.

A person known on several apps (WhatsApp and Telegram, merged or linked by phone number)
is one relationship, and every figure counts all their chats together. This frame says
how much of it came from each app: one row per relationship and platform, made by one
grouped query over the stored messages (no text read), in the analysis frame's terms:
the same one-to-one conversations (:func:`.read.owners`), the same kinds of message
(text and media; calls apart; system lines left out), so each relationship's rows add up
to its figures' ``messages`` and ``calls``.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import func, select

from reciprocity.metrics.sessions import CONVERSATIONAL_KINDS
from reciprocity.store.db import Database
from reciprocity.store.models import Conversation, Message
from reciprocity.store.read import owners

__all__ = ["PLATFORMS_SCHEMA", "platform_split"]

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
"""Columns of :func:`platform_split`, in order. ``chats``: one-to-one conversations on
that app; ``first_message`` / ``last_message``: of text and media messages (null without)."""


def platform_split(db: Database) -> pl.DataFrame:
    """One row per relationship and platform it has one-to-one messages on, sorted by
    relationship and platform (see the module notes)."""
    with db.engine.connect() as conn:
        who = owners(conn)
        if not who.chats:
            return pl.DataFrame(schema=PLATFORMS_SCHEMA)
        platforms = {
            int(c): str(p) for c, p in conn.execute(select(Conversation.id, Conversation.platform))
        }
        rows = conn.execute(
            select(
                Message.conversation_id,
                Message.sender_identity_id,
                Message.kind,
                func.count(),
                func.min(Message.timestamp_us),
                func.max(Message.timestamp_us),
            )
            .where(Message.sender_identity_id.is_not(None))
            .group_by(Message.conversation_id, Message.sender_identity_id, Message.kind)
        ).all()
    chats = dict(zip(who.chats, who.relationships, strict=True))
    mine = set(who.mine)
    raw = pl.DataFrame(
        [
            (chats[c], platforms[c], c, s in mine, k, n, lo, hi)
            for c, s, k, n, lo, hi in rows
            if c in chats
        ],
        schema={"relationship_id": pl.Int64, "platform": pl.String, "conversation_id": pl.Int64,
                "from_me": pl.Boolean, "kind": pl.String, "n": pl.Int64, "lo": pl.Int64,
                "hi": pl.Int64},
        orient="row",
    )  # fmt: skip
    said = pl.col("kind").is_in(CONVERSATIONAL_KINDS)
    call = pl.col("kind") == "call"
    me = pl.col("from_me")

    def count(where: pl.Expr) -> pl.Expr:
        return pl.col("n").filter(where).sum()

    split = (
        raw.group_by("relationship_id", "platform")
        .agg(
            pl.col("conversation_id").n_unique().alias("chats"),
            count(said & me).alias("messages_me"),
            count(said & ~me).alias("messages_them"),
            count(call & me).alias("calls_me"),
            count(call & ~me).alias("calls_them"),
            pl.col("lo").filter(said).min().alias("first_message"),
            pl.col("hi").filter(said).max().alias("last_message"),
        )
        .with_columns(pl.col("first_message", "last_message").cast(pl.Datetime("us", "UTC")))
        .sort("relationship_id", "platform")
    )
    return split.select([pl.col(c).cast(t) for c, t in PLATFORMS_SCHEMA.items()])
