"""Reading group chats: the messages of every conversation that is not one-to-one.

:func:`group_messages` is what the group analysis starts from (``reciprocity.exchanges.
attribution`` and ``reciprocity.ledger.groups``): one row per message with a sender, with
the sender's relationship (null for the user) and name, and the members of each group with
the names they may be called by in the text (for mentions).
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl
from sqlalchemy import Connection, select

from reciprocity.store.cache import load as cache_load
from reciprocity.store.cache import save as cache_save
from reciprocity.store.cache import state as cache_state
from reciprocity.store.db import Database
from reciprocity.store.fetch import raw_messages
from reciprocity.store.models import Conversation, Identity, Participant, Person, Relationship
from reciprocity.store.read import one_to_one

__all__ = ["GROUP_SCHEMA", "MEMBER_SCHEMA", "group_members", "group_messages"]

#: Columns of :func:`group_messages`, in order.
GROUP_SCHEMA: dict[str, pl.DataType] = {
    "conversation_id": pl.Int64(),
    "title": pl.String(),
    "message_id": pl.Int64(),
    "relationship_id": pl.Int64(),  # the sender's; null for the user
    "person": pl.String(),  # the sender's name; null for the user
    "from_me": pl.Boolean(),
    "timestamp": pl.Datetime("us", "UTC"),
    "ordinal": pl.Int64(),
    "kind": pl.String(),
    "text": pl.String(),
    "reply_to_message_id": pl.Int64(),
}

#: Columns of :func:`group_members`: one row per (group, member, name they go by).
MEMBER_SCHEMA: dict[str, pl.DataType] = {
    "conversation_id": pl.Int64(),
    "relationship_id": pl.Int64(),
    "person": pl.String(),
    "alias": pl.String(),
}

_CACHE_NAME = "group_messages"


def _groups(conn: Connection) -> tuple[list[int], dict[int, str]]:
    """Conversations that are not one-to-one and where at least two people wrote."""
    private = set(one_to_one(conn))
    writers: dict[int, set[int]] = defaultdict(set)
    rows = conn.execute(
        select(Participant.conversation_id, Identity.person_id).join(
            Identity, Identity.id == Participant.identity_id
        )
    )
    for conversation_id, person_id in rows:
        writers[conversation_id].add(person_id)
    titles = {int(c): str(t) for c, t in conn.execute(select(Conversation.id, Conversation.title))}
    chats = sorted(c for c, who in writers.items() if c not in private and len(who) >= 2)
    return chats, {c: titles.get(c, "") for c in chats}


def _senders(conn: Connection) -> pl.DataFrame:
    """Every identity with its person's relationship and name (nulls for the user)."""
    me = conn.scalar(select(Person.id).where(Person.is_me))
    rows = conn.execute(
        select(Identity.id, Identity.person_id, Person.name, Relationship.id)
        .join(Person, Person.id == Identity.person_id)
        .join(Relationship, Relationship.person_id == Person.id, isouter=True)
    ).all()
    return pl.DataFrame(
        [(i, pid == me, None if pid == me else rid, None if pid == me else name)
         for i, pid, name, rid in rows],
        schema={"sender": pl.Int64, "from_me": pl.Boolean, "relationship_id": pl.Int64,
                "person": pl.String},
        orient="row",
    )  # fmt: skip


def group_messages(db: Database) -> pl.DataFrame:
    """Every message with a sender in every group chat, in :data:`GROUP_SCHEMA`, sorted
    by conversation, time and ordinal (kept in the cache until the data changes)."""
    with db.engine.connect() as conn:
        version = cache_state(conn)
        if (cached := cache_load(conn, _CACHE_NAME, version)) is not None:
            return cached
        chats, titles = _groups(conn)
        if not chats:
            frame = pl.DataFrame(schema=GROUP_SCHEMA)
        else:
            raw = raw_messages(conn, chats)
            senders = _senders(conn)
            frame = (
                raw.join(senders, on="sender", how="inner")
                .with_columns(
                    pl.col("conversation_id")
                    .replace_strict(list(titles), list(titles.values()), return_dtype=pl.String)
                    .alias("title"),
                    pl.col("timestamp").cast(pl.Datetime("us", "UTC")),
                )
                .filter(pl.col("from_me") | pl.col("relationship_id").is_not_null())
                .select(list(GROUP_SCHEMA))
                .sort("conversation_id", "timestamp", "ordinal", "message_id")
            )
    cache_save(db, _CACHE_NAME, version, frame)
    return frame


def group_members(db: Database, messages: pl.DataFrame) -> pl.DataFrame:
    """The people who wrote in each group of ``messages`` (:func:`group_messages`) with the
    names they may be called by: their name, its first word, and their handles, in
    :data:`MEMBER_SCHEMA` (the user with a null ``relationship_id`` and ``person``)."""
    writers = messages.select("conversation_id", "relationship_id", "person").unique()
    if writers.is_empty():
        return pl.DataFrame(schema=MEMBER_SCHEMA)
    with db.engine.connect() as conn:
        handles = conn.execute(
            select(Relationship.id, Identity.handle).join(
                Identity, Identity.person_id == Relationship.person_id
            )
        ).all()
        me = conn.execute(
            select(Person.name, Identity.handle)
            .join(Identity, Identity.person_id == Person.id)
            .where(Person.is_me)
        ).all()
    handle_frame = pl.DataFrame(
        [tuple(r) for r in handles],
        schema={"relationship_id": pl.Int64, "alias": pl.String},
        orient="row",
    )
    my_names = sorted({n for row in me for n in row if n})
    writers = writers.with_columns(
        pl.when(pl.col("relationship_id").is_null())
        .then(pl.lit(my_names[0] if my_names else None, dtype=pl.String))
        .otherwise(pl.col("person"))
        .alias("person")
    )
    mine = writers.filter(pl.col("relationship_id").is_null()).join(
        pl.DataFrame({"alias": my_names}, schema={"alias": pl.String}), how="cross"
    )
    names = writers.with_columns(pl.col("person").alias("alias"))
    first = writers.with_columns(pl.col("person").str.split(" ").list.first().alias("alias"))
    by_handle = writers.join(handle_frame, on="relationship_id", how="inner")
    aliases = pl.concat(
        [names, first, by_handle.select(names.columns), mine.select(names.columns)],
        how="vertical",
    )
    return (
        aliases.with_columns(
            pl.col("alias").str.strip_chars().str.strip_chars_start("@").str.to_lowercase(),
            pl.when(pl.col("relationship_id").is_null())
            .then(pl.lit(None, dtype=pl.String))
            .otherwise(pl.col("person"))
            .alias("person"),
        )
        .filter(pl.col("alias").str.len_chars() >= 2)
        .unique()
        .select(list(MEMBER_SCHEMA))
        .sort("conversation_id", "relationship_id", "alias")
    )
