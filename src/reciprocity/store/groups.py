"""Reading group chats: the messages of every conversation that is not one-to-one.

:func:`group_messages` is what the group analysis starts from (``reciprocity.exchanges.
attribution`` and ``reciprocity.ledger.groups``): one row per message with a sender, with
the sender's relationship (null for the user) and name, and the members of each group with
the names they may be called by in the text (for mentions).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import polars as pl
from sqlalchemy import Connection, func, select

from reciprocity.ingest.base import REACTION
from reciprocity.store.cache import load as cache_load
from reciprocity.store.cache import save as cache_save
from reciprocity.store.cache import state as cache_state
from reciprocity.store.db import Database
from reciprocity.store.fetch import (
    GROUP_KEY_SCHEMA,
    group_keys,
    messages_in,
    raw_messages,
    raw_reactions,
)
from reciprocity.store.models import (
    Conversation,
    Identity,
    Message,
    Participant,
    Person,
    Relationship,
)
from reciprocity.store.read import KEYS_CACHE_NAME, REACTIONS_SCHEMA, one_to_one

__all__ = [
    "GROUP_REACTIONS_SCHEMA",
    "GROUP_SCHEMA",
    "MEMBER_SCHEMA",
    "GroupWindows",
    "between_user_and_member",
    "group_members",
    "group_messages",
    "group_people",
    "group_reaction_pairs",
    "group_reactions",
    "group_text_sample",
    "group_windows",
]

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


def _shaped(raw: pl.DataFrame, senders: pl.DataFrame, titles: dict[int, str]) -> pl.DataFrame:
    """Raw message rows as :data:`GROUP_SCHEMA`, in order (what :func:`group_messages`
    returns of them)."""
    return (
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
            frame = _shaped(raw_messages(conn, chats), _senders(conn), titles)
    cache_save(db, _CACHE_NAME, version, frame)
    return frame


#: Columns of :func:`group_reaction_pairs`, in order.
GROUP_REACTIONS_SCHEMA: dict[str, pl.DataType] = {
    "conversation_id": pl.Int64(),
    "title": pl.String(),
    "message_id": pl.Int64(),  # the reaction's own id
    "timestamp": pl.Datetime("us", "UTC"),
    "text": pl.String(),
    "reply_to_message_id": pl.Int64(),
    "from_me": pl.Boolean(),  # the user reacted
    "relationship_id": pl.Int64(),  # who reacted; null for the user
    "person": pl.String(),
    "target_from_me": pl.Boolean(),  # the message reacted to is the user's
    "target_relationship_id": pl.Int64(),  # its author's; null for the user
    "target_person": pl.String(),
}


def group_reaction_pairs(db: Database) -> pl.DataFrame:
    """Every reaction in a group chat whose message was found, with who reacted and whose
    message it was (the user, or a member with a relationship), in
    :data:`GROUP_REACTIONS_SCHEMA`, by group, time and id. A reaction names the message it
    answers, so this is who answered whom for sure (what the group tables count); one
    whose message was not found says nothing of the sort and is left out."""
    with db.engine.connect() as conn:
        chats, titles = _groups(conn)
        if not chats:
            return pl.DataFrame(schema=GROUP_REACTIONS_SCHEMA)
        raw = raw_reactions(conn, chats)
        wanted = raw["reply_to_message_id"].drop_nulls().unique().to_list()
        if not wanted:
            return pl.DataFrame(schema=GROUP_REACTIONS_SCHEMA)
        targets = messages_in(conn, [], chats, wanted)
        senders = _senders(conn)
    author = senders.select(
        pl.col("sender").alias("_author"),
        pl.col("from_me").alias("target_from_me"),
        pl.col("relationship_id").alias("target_relationship_id"),
        pl.col("person").alias("target_person"),
    )
    written = targets.select(
        pl.col("message_id").alias("reply_to_message_id"), pl.col("sender").alias("_author")
    )
    known = pl.col("from_me") | pl.col("relationship_id").is_not_null()
    known_target = pl.col("target_from_me") | pl.col("target_relationship_id").is_not_null()
    return (
        raw.join(senders, on="sender", how="inner")
        .join(written, on="reply_to_message_id", how="inner")
        .join(author, on="_author", how="inner")
        .filter(known & known_target)
        .with_columns(
            pl.col("conversation_id")
            .replace_strict(list(titles), list(titles.values()), return_dtype=pl.String)
            .alias("title"),
            pl.col("timestamp").cast(pl.Datetime("us", "UTC")),
        )
        .select(list(GROUP_REACTIONS_SCHEMA))
        .sort("conversation_id", "timestamp", "message_id", maintain_order=True)
    )


def between_user_and_member(pairs: pl.DataFrame) -> pl.DataFrame:
    """The reactions of :func:`group_reaction_pairs` that pass between the user and one
    member (the user's reaction to a member's message, or a member's to the user's), in
    :data:`~reciprocity.store.read.REACTIONS_SCHEMA` plus ``title``, the relationship being
    the member's (``from_me``: the user reacted), by relationship and time. Those between
    two other members are theirs, not the user's."""
    mine = pl.col("from_me") & ~pl.col("target_from_me")
    theirs = ~pl.col("from_me") & pl.col("target_from_me")
    return (
        pairs.filter(mine | theirs)
        .with_columns(
            pl.when(pl.col("from_me"))
            .then(pl.col("target_relationship_id"))
            .otherwise(pl.col("relationship_id"))
            .alias("relationship_id"),
            pl.when(pl.col("from_me"))
            .then(pl.col("target_person"))
            .otherwise(pl.col("person"))
            .alias("person"),
        )
        .select(*REACTIONS_SCHEMA, "title")
        .sort("relationship_id", "timestamp", "message_id", maintain_order=True)
    )


def group_reactions(db: Database) -> pl.DataFrame:
    """The reactions in group chats that pass between the user and one member:
    :func:`between_user_and_member` of :func:`group_reaction_pairs`, in
    :data:`~reciprocity.store.read.REACTIONS_SCHEMA`."""
    return between_user_and_member(group_reaction_pairs(db)).select(list(REACTIONS_SCHEMA))


def group_people(db: Database) -> pl.DataFrame:
    """``relationship_id`` and ``person`` of everyone but the user who wrote in a group
    chat: by whom journal entries about people known only from groups are matched."""
    with db.engine.connect() as conn:
        chats, _ = _groups(conn)
        rows = conn.execute(
            select(Relationship.id, Person.name)
            .distinct()
            .join(Person, Person.id == Relationship.person_id)
            .join(Identity, Identity.person_id == Person.id)
            .join(Participant, Participant.identity_id == Identity.id)
            .where(Participant.conversation_id.in_(chats), ~Person.is_me)
            .order_by(Relationship.id)
        ).all()
    return pl.DataFrame(
        [tuple(row) for row in rows],
        schema={"relationship_id": pl.Int64, "person": pl.String},
        orient="row",
    )


def group_text_sample(db: Database, *, per_chat: int = 400, min_chars: int = 20) -> pl.DataFrame:
    """``conversation_id`` and ``text`` of up to ``per_chat`` messages of at least
    ``min_chars`` characters from each group chat, earliest first: what its language is
    told from (as :func:`reciprocity.store.read.text_sample` does for one-to-one chats)."""
    rows: list[tuple[int, str]] = []
    with db.engine.connect() as conn:
        chats, _ = _groups(conn)
        for chat in chats:
            texts = conn.execute(
                select(Message.text)
                .where(
                    Message.conversation_id == chat,
                    Message.sender_identity_id.is_not(None),
                    Message.kind != REACTION,
                    func.length(Message.text) >= min_chars,
                )
                .order_by(Message.conversation_id, Message.timestamp_us)
                .limit(per_chat)
            ).scalars()
            rows.extend((chat, str(text)) for text in texts)
    return pl.DataFrame(rows, schema={"conversation_id": pl.Int64, "text": pl.String}, orient="row")


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


#: A group window holds at least this many messages (but for a group's last one).
WINDOW_ROWS = 100_000

_CONVERSATIONAL = ("text", "media")


@dataclass
class GroupWindows:
    """The group chats of a database cut into windows of the timeline that the group
    analysis can take one at a time, with the same results as all at once.

    A window ends only before a message that opens a new turn more than ``quiet`` after
    the group's previous message (nothing the attribution reads looks back that far:
    ``reciprocity.exchanges.attribution.WINDOW``), that no reply crosses, or between
    groups. Of the whole, only the message ids (8 bytes a message) and a few small
    frames are kept; each window's rows are read back when it is analysed.
    """

    db: Database
    chats: list[int]
    titles: dict[int, str]
    senders: pl.DataFrame
    #: ``conversation_id``, ``relationship_id`` and ``person`` of everyone who wrote
    #: (what :func:`group_members` reads of the messages).
    writers: pl.DataFrame
    #: ``conversation_id``, ``timestamp`` (the first of a calendar month) and ``speaker``
    #: (``relationship_id``, -1 for the user): who wrote text or media in which group
    #: which month, once each.
    monthly: pl.DataFrame
    #: Every group message's id, in :func:`group_messages` order.
    ids: pl.Series
    #: ``(start, end)`` row positions in ``ids``.
    bounds: list[tuple[int, int]]
    #: Per window, its groups and the time of the last conversational message before it
    #: of the group it starts in (``conversation_id``, ``before``; no row when none).
    chats_of: list[list[int]]
    before: list[pl.DataFrame]

    def windows(self) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
        """Each window's rows (:data:`GROUP_SCHEMA`, in order) and, per group in it, the
        time of the group's last conversational message before the window
        (``conversation_id``, ``before``; none for a group that starts in the window)."""
        for (start, end), chats, earlier in zip(
            self.bounds, self.chats_of, self.before, strict=True
        ):
            ids = self.ids.slice(start, end - start)
            with self.db.engine.connect() as conn:
                raw = messages_in(conn, [(int(ids.min()), int(ids.max()))], chats, [])  # type: ignore[arg-type]
            raw = raw.join(ids.to_frame(), on="message_id", how="semi")
            yield _shaped(raw, self.senders, self.titles), earlier
            del raw


def group_windows(
    db: Database, *, rows: int = WINDOW_ROWS, quiet: timedelta = timedelta(hours=2)
) -> GroupWindows | None:
    """The group chats of ``db`` planned as :class:`GroupWindows` of at least ``rows``
    messages, cut only after ``quiet`` or more; ``None`` when there is no group chat."""
    with db.engine.connect() as conn:
        chats, titles = _groups(conn)
        if not chats:
            return None
        senders = _senders(conn)
        raw = _group_keys(conn, chats)
    keys = (
        raw.lazy()
        .join(
            senders.lazy().select("sender", "from_me", "relationship_id"),
            on="sender",
            how="inner",
        )
        .filter(pl.col("from_me") | pl.col("relationship_id").is_not_null())
        .with_columns(pl.col("timestamp").cast(pl.Datetime("us", "UTC")))
        .sort("conversation_id", "timestamp", "ordinal", "message_id")
        .select(
            "conversation_id", "message_id", "timestamp", "kind", "relationship_id",
            "from_me", "reply_to_message_id",
        )
        .collect()
    )  # fmt: skip
    del raw
    if keys.is_empty():
        return None
    bounds = _bounds(keys, rows, quiet)
    names = senders.filter(~pl.col("from_me")).select("relationship_id", "person")
    writers = (
        keys.select("conversation_id", "relationship_id")
        .unique()
        .join(names.unique("relationship_id"), on="relationship_id", how="left")
    )
    talk = (
        keys.lazy()
        .with_row_index("at")
        .filter(pl.col("kind").cast(pl.String).is_in(_CONVERSATIONAL))
    )
    monthly = (
        talk.select(
            "conversation_id",
            pl.col("timestamp").dt.truncate("1mo"),
            pl.when(pl.col("from_me"))
            .then(-1)
            .otherwise(pl.col("relationship_id"))
            .cast(pl.Int64)
            .alias("speaker"),
        )
        .unique()
        .sort("conversation_id", "timestamp", "speaker")
        .collect()
    )
    # Each window's first group's last conversational message before the window.
    starts = pl.LazyFrame(
        {
            "at": [a for a, _ in bounds],
            "conversation_id": keys["conversation_id"].gather([a for a, _ in bounds]),
        },
        schema={"at": pl.UInt32, "conversation_id": pl.Int64},
    )
    earlier = (
        starts.join_asof(
            talk.select("at", "conversation_id", pl.col("timestamp").alias("before")),
            on="at",
            by="conversation_id",
            strategy="backward",
            allow_exact_matches=False,
            check_sortedness=False,  # both in row order
        )
        .select("conversation_id", "before")
        .collect()
    )
    before = [
        earlier.slice(n, 1).filter(pl.col("before").is_not_null()) for n in range(len(bounds))
    ]
    chats_of = [
        keys["conversation_id"].slice(a, b - a).unique().sort().to_list() for a, b in bounds
    ]
    return GroupWindows(
        db, chats, titles, senders, writers, monthly, keys["message_id"], bounds, chats_of, before
    )


def _group_keys(conn: Connection, chats: list[int]) -> pl.DataFrame:
    """:func:`.fetch.group_keys` of ``chats``: the key columns an import into an empty
    database left (when still current) with the replies looked up, else read."""
    kept = cache_load(conn, KEYS_CACHE_NAME, cache_state(conn))
    if kept is None:
        return group_keys(conn, chats)
    wanted = pl.Series(chats, dtype=pl.Int64).implode()
    ours = kept.filter(pl.col("conversation_id").is_in(wanted))
    del kept
    # Replies are few (or none: WhatsApp exports have none); reading only them skips
    # rendering and parsing every group message's key columns again.
    links = conn.execute(
        select(Message.id, Message.reply_to_id).where(Message.reply_to_id.is_not(None))
    ).all()
    replies = pl.DataFrame(
        [tuple(row) for row in links],
        schema={"message_id": pl.Int64, "reply_to_message_id": pl.Int64},
        orient="row",
    )
    return ours.join(replies, on="message_id", how="left", maintain_order="left").select(
        [pl.col(c).cast(t) for c, t in GROUP_KEY_SCHEMA.items()]
    )


def _bounds(keys: pl.DataFrame, rows: int, quiet: timedelta) -> list[tuple[int, int]]:
    """Window bounds over ``keys`` (see :class:`GroupWindows`)."""
    n = keys.height
    at = pl.int_range(pl.len(), dtype=pl.Int64)
    speaker = pl.when(pl.col("from_me")).then(-1).otherwise(pl.col("relationship_id"))
    positions = keys.lazy().select(
        "conversation_id", "message_id", "reply_to_message_id",
        pl.col("kind").cast(pl.String).is_in(_CONVERSATIONAL).alias("talk"),
        "timestamp", speaker.alias("speaker"), at.alias("at"),
    )  # fmt: skip
    talk = positions.filter("talk").select("conversation_id", "timestamp", "speaker", "at")
    new_group = pl.col("conversation_id") != pl.col("conversation_id").shift(1)
    opens = (pl.col("timestamp") - pl.col("timestamp").shift(1) > quiet) & (
        pl.col("speaker") != pl.col("speaker").shift(1)
    )
    candidates = talk.filter((new_group | opens).fill_null(False)).select("at").collect()
    # A reply from row q to an earlier row p of its group forbids every cut in (p, q].
    replies = (
        positions.filter(pl.col("reply_to_message_id").is_not_null())
        .join(
            positions.select(
                pl.col("message_id").alias("reply_to_message_id"),
                "conversation_id",
                pl.col("at").alias("target"),
            ),
            on=["reply_to_message_id", "conversation_id"],
            how="inner",
        )
        .filter(pl.col("target") < pl.col("at"))
        .group_by("at")
        .agg(pl.col("target").min())
        .collect()
    )
    reach = (
        pl.LazyFrame({"at": pl.int_range(n, dtype=pl.Int64, eager=True)})
        .join(replies.lazy(), on="at", how="left", maintain_order="left")
        .select(pl.col("target").fill_null(n).reverse().cum_min().reverse().alias("reach"))
        .collect()["reach"]
    )
    cuts: list[int] = []
    last = 0
    for cut in candidates["at"].to_list():
        if cut - last < rows or cut >= n:
            continue
        low = reach[cut]
        if low < cut:
            continue
        cuts.append(cut)
        last = cut
    edges = [0, *cuts, n]
    return [(a, b) for a, b in itertools.pairwise(edges) if b > a]
