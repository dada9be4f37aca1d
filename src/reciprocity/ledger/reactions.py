"""Reactions as ledger events: a 👍 or ❤️ put on the other's message is a small act of
attention, from the one who reacted to the one they reacted to.

A reaction is not a message (:mod:`reciprocity.ingest.base`): it opens no conversation, is
no turn and no answer, and the figures never count it. What it does say is that someone saw
the message and took a moment over it, so each reaction is one ``attention`` event of
weight :data:`REACTION_WEIGHT`, given by whoever reacted, at the reaction's time, with the
reaction's own id as ``message_id`` (its text is the emoji, for the evidence lists). In a
one-to-one chat the receiver is the other side; a reaction to one's own message gives
nothing and is left out.

In a group chat (:func:`reciprocity.store.groups.group_reactions`) a reaction is an explicit
"who answered whom": the reaction names the message, so its author is surely the one
attended to. Only reactions between the user and one member count, weighted
:data:`GROUP_REACTION_WEIGHT`, scaled as a group's explicit reply is (at most half of the
one-to-one weight, :data:`reciprocity.ledger.groups.CAP`): done in front of others, it is
less than the same tap in a private chat.
"""

from __future__ import annotations

import polars as pl

from reciprocity.ledger import LEDGER_SCHEMA
from reciprocity.ledger.groups import CAP

__all__ = ["GROUP_REACTION_WEIGHT", "REACTION_WEIGHT", "reaction_events"]

#: Weight of one reaction's attention event. Opening a conversation or checking in weighs
#: 1; a reaction is a tap, with no words and no time taken, so four reactions count as much
#: attention as one message that opens a conversation. Kept well below a reply so a chat
#: answered with emoji alone never looks as attentive as one answered in words.
REACTION_WEIGHT = 0.25
#: Weight of a reaction in a group chat between the user and one member.
GROUP_REACTION_WEIGHT = REACTION_WEIGHT * CAP


def reaction_events(
    reactions: pl.DataFrame | pl.LazyFrame, *, weight: float = REACTION_WEIGHT
) -> pl.LazyFrame:
    """One ``attention`` event per reaction of ``reactions`` (the store's reactions frame,
    :func:`reciprocity.store.reactions_frame`), in
    :data:`~reciprocity.ledger.LEDGER_SCHEMA`, in the frame's order. A reaction to one's
    own message is left out; one whose message was not found counts towards the other
    side (in a one-to-one chat, nearly always what it is)."""
    own = pl.col("target_from_me").fill_null(~pl.col("from_me")) == pl.col("from_me")
    rows = reactions.lazy().filter(~own)
    me, them = pl.lit("me"), pl.lit("them")
    return rows.select(
        "relationship_id",
        "person",
        pl.when(pl.col("from_me")).then(me).otherwise(them).alias("giver"),
        pl.when(pl.col("from_me")).then(them).otherwise(me).alias("receiver"),
        pl.lit("attention").alias("dimension"),
        pl.lit(weight).alias("weight"),
        "timestamp",
        pl.lit("reactions").alias("source"),
        "message_id",
    ).select([pl.col(c).cast(t) for c, t in LEDGER_SCHEMA.items()])
