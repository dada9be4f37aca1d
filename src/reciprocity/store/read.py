"""Reading the store into Polars: the analysis frame and small listings for the surfaces.

:func:`messages_frame` is what every later stage starts from: the messages of one-to-one
conversations, one relationship each, in time order (rows travel through :mod:`.fetch`).
Reactions are not messages and are never in it: :func:`reactions_frame` reads them apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, func, select

from reciprocity.ingest.base import REACTION
from reciprocity.metrics.sessions import CONVERSATIONAL_KINDS, TIMELINE_ORDER, in_timeline_order
from reciprocity.store.cache import load as cache_load
from reciprocity.store.cache import save as cache_save
from reciprocity.store.cache import state as cache_state
from reciprocity.store.db import Database
from reciprocity.store.fetch import messages_in, raw_messages, raw_reactions
from reciprocity.store.models import (
    Conversation,
    Identity,
    Import,
    Message,
    Participant,
    Person,
    Relationship,
)

#: Name of the cached analysis frame (see :func:`messages_frame`).
FRAME_CACHE_NAME = "messages_frame"

#: Name of the key columns an import into an empty database leaves (see
#: :func:`.windowed.analysis_windows`).
KEYS_CACHE_NAME = "message_keys"

#: Columns of :func:`messages_frame`, in order.
FRAME_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "person": pl.String(),
    "conversation_id": pl.Int64(),
    "message_id": pl.Int64(),
    "from_me": pl.Boolean(),
    "timestamp": pl.Datetime("us", "UTC"),
    "ordinal": pl.Int64(),
    "text": pl.String(),
    "kind": pl.String(),
    "reply_to_message_id": pl.Int64(),
}


def _fold(name: str) -> str:
    return name.strip().casefold()


def conversation_platforms(db: Database) -> dict[int, str]:
    """Conversation id -> the platform (app) it was imported from."""
    with db.engine.connect() as conn:
        rows = conn.execute(select(Conversation.id, Conversation.platform))
        return {int(c): str(p) for c, p in rows}


def get_me(db: Database) -> str | None:
    """The user's name as first given with ``--me``, or ``None`` before any import."""
    with db.engine.connect() as conn:
        return conn.scalar(select(Person.name).where(Person.is_me))


def one_to_one(conn: Connection) -> dict[int, int]:
    """Conversation id -> the other person's id, for conversations between me and one person.

    A conversation counts when the only people who ever wrote in it are the user and one
    other person, and it was never a group (``is_group``: three or more people wrote in it
    at some point, see :mod:`.groupflag`). When only one side ever wrote, the
    conversation's title must also name the other person (their name or one of their
    handles), so a group where a single member spoke is not mistaken for a private chat.
    """
    me = conn.scalar(select(Person.id).where(Person.is_me))
    if me is None:
        return {}
    writers: dict[int, set[int]] = defaultdict(set)
    rows = conn.execute(
        select(Participant.conversation_id, Identity.person_id).join(
            Identity, Identity.id == Participant.identity_id
        )
    )
    for conversation_id, person_id in rows:
        writers[conversation_id].add(person_id)
    names: dict[int, set[str]] = defaultdict(set)
    for person_id, name in conn.execute(select(Person.id, Person.name).where(~Person.is_me)):
        names[person_id].add(_fold(name))
    for person_id, handle in conn.execute(select(Identity.person_id, Identity.handle)):
        if person_id in names:
            names[person_id].add(_fold(handle))
    titled: dict[str, set[int]] = defaultdict(set)
    for person_id, known in names.items():
        for name in known:
            titled[name].add(person_id)
    result: dict[int, int] = {}
    chats = conn.execute(select(Conversation.id, Conversation.title).where(~Conversation.is_group))
    for conversation_id, title in chats:
        people = writers.get(conversation_id, set())
        others = people - {me}
        named = titled.get(_fold(title), set())
        if len(others) == 1:
            (other,) = others
            if me in people or other in named:
                result[conversation_id] = other
        elif not others and me in people and len(named) == 1:
            result[conversation_id] = next(iter(named))
    return result


#: Ids per ``IN (...)`` list: well under every driver's limit on parameters.
_IDS_PER_QUERY = 900


def message_texts(db: Database, ids: pl.Series | list[int]) -> pl.DataFrame:
    """``message_id`` and ``text`` of the stored messages with these ids (any order; ids
    that do not exist are left out). For the handful of messages a page shows: the
    analysis frames carry ids, not texts."""
    wanted = sorted({int(i) for i in ids if i is not None})
    found: list[tuple[int, str | None]] = []
    with db.engine.connect() as conn:
        for at in range(0, len(wanted), _IDS_PER_QUERY):
            chunk = wanted[at : at + _IDS_PER_QUERY]
            found.extend(
                (int(i), t)
                for i, t in conn.execute(
                    select(Message.id, Message.text).where(Message.id.in_(chunk))
                )
            )
    return pl.DataFrame(found, schema={"message_id": pl.Int64, "text": pl.String}, orient="row")


def messages_frame(db: Database, *, cache: bool = True) -> pl.DataFrame:
    """The analysis frame: every message of every one-to-one conversation.

    Columns (:data:`FRAME_SCHEMA`): ``relationship_id``, ``person`` (the other person's
    name), ``conversation_id``, ``message_id``, ``from_me``, ``timestamp`` (UTC),
    ``ordinal`` (order among equal timestamps), ``text``, ``kind``, ``reply_to_message_id``
    (null when unknown). Sorted by relationship, time, conversation, ordinal. Lines nobody
    sent (system notices without an author) are left out.

    The frame is kept in the database (see :mod:`.cache`) and reused until the
    data changes; ``cache=False`` always builds it afresh and stores nothing.
    """
    with db.engine.connect() as conn:
        # One read transaction: the tag and the rows come from the same snapshot.
        version = cache_state(conn)
        if cache and (cached := cache_load(conn, FRAME_CACHE_NAME, version)) is not None:
            return cached
        frame = _build_frame(conn)
    if cache:
        cache_save(db, FRAME_CACHE_NAME, version, frame)
    return frame


#: Columns of :func:`reactions_frame`, in order.
REACTIONS_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "person": pl.String(),
    "conversation_id": pl.Int64(),
    "message_id": pl.Int64(),
    "from_me": pl.Boolean(),
    "timestamp": pl.Datetime("us", "UTC"),
    "text": pl.String(),
    "reply_to_message_id": pl.Int64(),
    "target_from_me": pl.Boolean(),
}


def reactions_frame(db: Database) -> pl.DataFrame:
    """The reactions of every one-to-one conversation, in time order: ``message_id`` is the
    reaction's own id, ``from_me`` whether the user reacted, ``text`` the reaction (an
    emoji or the platform's word), ``reply_to_message_id`` the message reacted to (null
    when the import could not find it), ``target_from_me`` whether that message is the
    user's (null when not found). Same relationships and people as :func:`messages_frame`,
    which never holds a reaction."""
    with db.engine.connect() as conn:
        who = owners(conn)
        if not who.chats:
            return pl.DataFrame(schema=REACTIONS_SCHEMA)
        raw = raw_reactions(conn, who.chats)
        wanted = raw["reply_to_message_id"].drop_nulls().unique().to_list()
        targets = messages_in(conn, [], who.chats, wanted) if wanted else None
    frame = shape(raw, who)
    if targets is not None and targets.height:
        mine = targets.select(
            pl.col("message_id").alias("reply_to_message_id"),
            sent_by_me(who).alias("target_from_me"),
        )
        frame = frame.join(mine, on="reply_to_message_id", how="left", maintain_order="left")
    else:
        frame = frame.with_columns(pl.lit(None, pl.Boolean).alias("target_from_me"))
    return frame.select(list(REACTIONS_SCHEMA)).sort(
        "relationship_id", "timestamp", "message_id", maintain_order=True
    )


def text_sample(db: Database, *, per_chat: int = 400, min_chars: int = 20) -> pl.DataFrame:
    """``relationship_id`` and ``text`` of up to ``per_chat`` messages of at least
    ``min_chars`` characters from each one-to-one conversation, earliest first: enough to
    tell a chat's language without reading every message (reading all of a million-message
    chat's text took 3 s; this sample reads a few hundred rows through the messages' key
    index)."""
    rows: list[tuple[int, str]] = []
    with db.engine.connect() as conn:
        who = owners(conn)
        for chat, relationship in zip(who.chats, who.relationships, strict=True):
            texts = conn.execute(
                select(Message.text)
                .where(
                    Message.conversation_id == chat,
                    Message.kind != REACTION,
                    func.length(Message.text) >= min_chars,
                )
                .order_by(Message.conversation_id, Message.timestamp_us)
                .limit(per_chat)
            ).scalars()
            rows.extend((relationship, str(text)) for text in texts)
    return pl.DataFrame(rows, schema={"relationship_id": pl.Int64, "text": pl.String}, orient="row")


@dataclass(frozen=True)
class Owners:
    """Who the analysis frame's conversations belong to (see :func:`owners`)."""

    #: The one-to-one conversations, and for each its relationship and the person's name.
    chats: list[int]
    relationships: list[int]
    names: list[str]
    #: The user's identities: a message sent by one of them is ``from_me``.
    mine: list[int]


def owners(conn: Connection) -> Owners:
    """The one-to-one conversations (:func:`one_to_one`) with their relationships and the
    other person's name, and the user's identities: what :func:`shape` maps rows with."""
    chats_of = one_to_one(conn)
    if not chats_of:
        return Owners([], [], [], [])
    me = conn.scalar(select(Person.id).where(Person.is_me))
    mine = list(conn.scalars(select(Identity.id).where(Identity.person_id == me)))
    people = conn.execute(
        select(Person.id, Person.name, Relationship.id).join(
            Relationship, Relationship.person_id == Person.id
        )
    ).all()
    person_of = {pid: (name, rid) for pid, name, rid in people}
    # Every person but me has a relationship; guard against rows edited by hand.
    chats = sorted(chat for chat, person in chats_of.items() if person in person_of)
    return Owners(
        chats=chats,
        relationships=[person_of[chats_of[c]][1] for c in chats],
        names=[person_of[chats_of[c]][0] for c in chats],
        mine=mine,
    )


def relationship_of(who: Owners) -> pl.Expr:
    """``relationship_id`` of each row, from its ``conversation_id``."""
    conversation = pl.col("conversation_id")
    return conversation.replace_strict(who.chats, who.relationships, return_dtype=pl.Int64).alias(
        "relationship_id"
    )


def person_of(who: Owners) -> pl.Expr:
    """``person`` of each row (the other person's name), from its ``conversation_id``."""
    conversation = pl.col("conversation_id")
    return conversation.replace_strict(who.chats, who.names, return_dtype=pl.String).alias("person")


def sent_by_me(who: Owners) -> pl.Expr:
    """``from_me`` of each row: its ``sender`` is one of the user's identities."""
    return pl.col("sender").is_in(pl.Series(who.mine, dtype=pl.Int64).implode()).alias("from_me")


def shape(raw: pl.DataFrame, who: Owners) -> pl.DataFrame:
    """Rows of ``raw`` (in :data:`.fetch.RAW_SCHEMA`, all in ``who.chats``) as rows of the
    analysis frame (:data:`FRAME_SCHEMA`), in the same order."""
    # Mapping columns (rather than a join) adds two columns instead of copying the frame:
    # at a million messages every copy is ~80 MB of peak memory.
    return raw.select(
        relationship_of(who),
        person_of(who),
        "conversation_id",
        "message_id",
        sent_by_me(who),
        pl.col("timestamp").cast(pl.Datetime("us", "UTC")),
        "ordinal",
        "text",
        "kind",
        "reply_to_message_id",
    )


def _build_frame(conn: Connection) -> pl.DataFrame:
    """:func:`messages_frame` computed from the tables."""
    who = owners(conn)
    if not who.chats:
        return pl.DataFrame(schema=FRAME_SCHEMA)
    frame = shape(raw_messages(conn, who.chats), who)
    # Messages come in id order, which for chats imported in time order is already the
    # timeline order: sorting would only copy every column.
    if in_timeline_order(frame):
        return frame
    return frame.sort(*TIMELINE_ORDER)


def sender_counts(raw: pl.DataFrame) -> pl.DataFrame:
    """Messages per sender identity (``identity_id``, ``messages``) of ``raw`` (with
    ``sender`` and ``kind`` columns), as :func:`list_people` caches them: an import into an
    empty database has every message's keys in hand and saves the count over the table.

    Messages are what the figures count as messages (:data:`CONVERSATIONAL_KINDS`): calls,
    reactions and system lines are left out."""
    said = raw.filter(pl.col("kind").cast(pl.String).is_in(CONVERSATIONAL_KINDS))
    counted = said.drop_nulls("sender").group_by("sender").len().sort("sender")
    return counted.select(
        pl.col("sender").cast(pl.Int64).alias("identity_id"),
        pl.col("len").cast(pl.Int64).alias("messages"),
    )


def list_people(db: Database) -> pl.DataFrame:
    """Everyone but the user: ``person_id``, ``person``, ``kind``, ``platforms``, ``messages``.

    ``platforms`` lists where they have an identity; ``messages`` counts what they sent,
    in every conversation. Most active first.
    """
    with db.engine.connect() as conn:
        people = conn.execute(
            select(Person.id, Person.name, Relationship.kind)
            .join(Relationship, Relationship.person_id == Person.id, isouter=True)
            .where(~Person.is_me)
        ).all()
        identities = conn.execute(select(Identity.id, Identity.person_id, Identity.platform)).all()
        # Counting a million messages takes a quarter of a second and every page lists
        # people: the counts are kept with the derived frames until the data changes.
        version = cache_state(conn)
        counted = cache_load(conn, SENDERS_CACHE_NAME, version)
        if counted is None:
            counted = _sent_counts(conn)
            fresh = True
        else:
            fresh = False
    if fresh:
        cache_save(db, SENDERS_CACHE_NAME, version, counted)
    sent = counted.iter_rows()
    platforms: dict[int, set[str]] = defaultdict(set)
    owner: dict[int, int] = {}
    for identity_id, person_id, platform in identities:
        platforms[person_id].add(platform)
        owner[identity_id] = person_id
    messages: dict[int, int] = defaultdict(int)
    for sender, count in sent:
        if sender is not None:
            messages[owner[sender]] += count
    frame = pl.DataFrame(
        {
            "person_id": [p for p, _, _ in people],
            "person": [name for _, name, _ in people],
            "kind": [kind or "unknown" for _, _, kind in people],
            "platforms": [sorted(platforms[p]) for p, _, _ in people],
            "messages": [messages[p] for p, _, _ in people],
        },
        schema={
            "person_id": pl.Int64,
            "person": pl.String,
            "kind": pl.String,
            "platforms": pl.List(pl.String),
            "messages": pl.Int64,
        },
    )
    return frame.sort(["messages", "person"], descending=[True, False])


#: Name of the cached counts of :func:`sender_counts` (a new name when what they count
#: changes, so a database's older counts are never read again).
SENDERS_CACHE_NAME = "messages_per_sender"


def _sent_counts(conn: Connection) -> pl.DataFrame:
    """Messages per sender identity: ``identity_id``, ``messages``."""
    rows = conn.execute(
        select(Message.sender_identity_id, func.count())
        .where(
            Message.sender_identity_id.is_not(None),
            Message.kind.in_(CONVERSATIONAL_KINDS),
        )
        .group_by(Message.sender_identity_id)
    ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"identity_id": pl.Int64, "messages": pl.Int64},
        orient="row",
    )


def import_history(db: Database) -> pl.DataFrame:
    """Every import, oldest first: ``import_id``, ``file``, ``format``, ``sha256``,
    ``imported_at`` (UTC), ``messages_seen``, ``messages_added``."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                Import.id,
                Import.file,
                Import.format,
                Import.sha256,
                Import.imported_at_us,
                Import.messages_seen,
                Import.messages_added,
            ).order_by(Import.id)
        ).all()
    schema = {
        "import_id": pl.Int64,
        "file": pl.String,
        "format": pl.String,
        "sha256": pl.String,
        "imported_at": pl.Int64,
        "messages_seen": pl.Int64,
        "messages_added": pl.Int64,
    }
    frame = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
    return frame.with_columns(pl.col("imported_at").cast(pl.Datetime("us", "UTC")))
