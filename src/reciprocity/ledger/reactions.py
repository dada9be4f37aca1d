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
less than the same tap in a private chat. :func:`group_reaction_events` gives them with
their group (source ``group_reactions``), so the split of a relationship's give and take
by group counts them where they were given, and the evidence says "in a group"; the group
tables count the same reactions as answers (:func:`reciprocity.metrics.groups.group_roles`),
and nothing else makes an event of them.
"""

from __future__ import annotations

import polars as pl

from reciprocity.ledger import LEDGER_SCHEMA
from reciprocity.ledger.groups import CAP, GROUP_EVENTS_SCHEMA

__all__ = ["GROUP_REACTION_WEIGHT", "REACTION_WEIGHT", "group_reaction_events", "reaction_events"]

#: Weight of one reaction's attention event. Opening a conversation or checking in weighs
#: 1; a reaction is a tap, with no words and no time taken, so four reactions count as much
#: attention as one message that opens a conversation. Kept well below a reply so a chat
#: answered with emoji alone never looks as attentive as one answered in words.
REACTION_WEIGHT = 0.25
#: Weight of a reaction in a group chat between the user and one member.
GROUP_REACTION_WEIGHT = REACTION_WEIGHT * CAP


def reaction_events(
    reactions: pl.DataFrame | pl.LazyFrame,
    *,
    weight: float = REACTION_WEIGHT,
    source: str = "reactions",
    schema: dict[str, pl.DataType] = LEDGER_SCHEMA,
) -> pl.LazyFrame:
    """One ``attention`` event per reaction of ``reactions`` (the store's reactions frame,
    :func:`reciprocity.store.reactions_frame`), in ``schema`` (the columns past the
    ledger's are taken from ``reactions``), in the frame's order. A reaction to one's own
    message is left out; one whose message was not found counts towards the other side
    (in a one-to-one chat, nearly always what it is)."""
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
        pl.lit(source).alias("source"),
        "message_id",
        *(c for c in schema if c not in LEDGER_SCHEMA),
    ).select([pl.col(c).cast(t) for c, t in schema.items()])


def group_reaction_events(reactions: pl.DataFrame) -> pl.DataFrame:
    """The attention events of the reactions between the user and a member in group chats
    (:func:`reciprocity.store.groups.between_user_and_member`, with ``title``), weighted
    :data:`GROUP_REACTION_WEIGHT`, in :data:`~reciprocity.ledger.groups.GROUP_EVENTS_SCHEMA`
    with source ``group_reactions``, sorted by relationship and time as the group events
    are."""
    return (
        reaction_events(
            reactions,
            weight=GROUP_REACTION_WEIGHT,
            source="group_reactions",
            schema=GROUP_EVENTS_SCHEMA,
        )
        .sort("relationship_id", "timestamp", maintain_order=True)
        .collect()
    )
