"""Group chats summed up: who carries each group, where the user stands in it, and how
much of each relationship's give and take came from which group.

- :func:`group_roles`: a row per group and member (the user included): messages, the
  conversations they started (first message after a silence), the answers they gave and
  got (weighted by how sure each pairing is, :mod:`reciprocity.exchanges.attribution`),
  their supportive messages, and between them and the user, the answers each way. A
  reaction put on someone's message (a ❤️, a 👍) answers it for sure but is a tap, not a
  message: it counts :data:`~reciprocity.ledger.reactions.REACTION_WEIGHT` of an answer,
  as in the ledger (where one between the user and a member is attention).
- :func:`source_split`: the group part of each relationship's give and take, per group and
  dimension (from :func:`reciprocity.ledger.groups.group_events`); the one-to-one part is
  the rest of the balance (:func:`reciprocity.metrics.record.relationship_records`).
- :func:`group_records`: a :class:`GroupRecord` per group, what every surface formats
  (the members' rows, where the user stands in a sentence, who answers the user most and
  who writes but never does).
- :func:`group_act_counts`: the act counts of the messages between the user and each
  member (pairings at least :data:`SURE` sure), for the patterns across relationships.

Group-bys over the group messages and their pairings: no Python per message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import polars as pl

from reciprocity import words
from reciprocity.exchanges.attribution import ME, speakers
from reciprocity.ledger.reactions import REACTION_WEIGHT
from reciprocity.metrics.patterns import ActCounts, act_counts

__all__ = [
    "NEVER_ANSWERED_FROM",
    "ROLES_SCHEMA",
    "SOURCES_SCHEMA",
    "SURE",
    "GroupRecord",
    "RoleParts",
    "group_act_counts",
    "group_records",
    "group_roles",
    "role_parts",
    "roles_from_parts",
    "source_parts",
    "source_split",
    "sources_from_parts",
]

SURE = 0.5
"""Pairings at least this sure count as messages between the user and a member in the
patterns' act counts (counts are whole messages, so a doubtful pairing is left out)."""

ROLES_SCHEMA: dict[str, pl.DataType] = {
    "conversation_id": pl.Int64(),
    "title": pl.String(),
    "relationship_id": pl.Int64(),
    "person": pl.String(),
    "is_me": pl.Boolean(),
    "messages": pl.Int64(),
    "starts": pl.Int64(),
    "answers_given": pl.Float64(),
    "answers_received": pl.Float64(),
    "supports": pl.Int64(),
    "answers_to_me": pl.Float64(),
    "answers_from_me": pl.Float64(),
    "message_share": pl.Float64(),
    "start_share": pl.Float64(),
    "first_message": pl.Datetime("us", "UTC"),
    "last_message": pl.Datetime("us", "UTC"),
}
"""Columns of :func:`group_roles` (``relationship_id`` and ``person`` null for the user;
``answers_to_me`` / ``answers_from_me`` are about the user, null on the user's row)."""

SOURCES_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "conversation_id": pl.Int64(),
    "title": pl.String(),
    "dimension": pl.String(),
    "given": pl.Float64(),
    "received": pl.Float64(),
    "events_me": pl.Int64(),
    "events_them": pl.Int64(),
}
"""Columns of :func:`source_split`."""


def group_roles(
    messages: pl.DataFrame,
    pairs: pl.DataFrame,
    *,
    silence: timedelta = timedelta(hours=6),
    reactions: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Who carries each group (:data:`ROLES_SCHEMA`), most messages first per group.

    ``messages`` are group messages with act columns, ``pairs`` their attribution; a
    conversation starts with the first message after ``silence`` in the group.
    ``reactions`` (:func:`reciprocity.store.groups.group_reaction_pairs`) count as answers
    at :data:`~reciprocity.ledger.reactions.REACTION_WEIGHT` each.
    """
    if messages.is_empty():
        return pl.DataFrame(schema=ROLES_SCHEMA)
    return roles_from_parts([role_parts(messages, pairs, silence=silence)], reactions=reactions)


def _reaction_answers(reactions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The answers given and got by reacting (:func:`role_parts`' second and third frames):
    a reaction from ``speaker`` to ``to_speaker``'s message, at :data:`REACTION_WEIGHT`;
    one on one's own message answers no one."""
    speaker = pl.when(pl.col("from_me")).then(ME).otherwise(pl.col("relationship_id"))
    to = pl.when(pl.col("target_from_me")).then(ME).otherwise(pl.col("target_relationship_id"))
    rows = (
        reactions.lazy()
        .select(
            "conversation_id",
            speaker.cast(pl.Int64).alias("speaker"),
            to.cast(pl.Int64).alias("to_speaker"),
            pl.lit(REACTION_WEIGHT).alias("confidence"),
        )
        .filter(pl.col("speaker") != pl.col("to_speaker"))
    )
    return _answer_sums(rows)


def _answer_sums(opened: pl.LazyFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per (group, speaker) the answers given (and those to the user) and those got (and
    those from the user), summed by ``confidence``."""
    conf = pl.col("confidence")
    given = opened.group_by("conversation_id", "speaker").agg(
        conf.sum().alias("answers_given"),
        conf.filter(pl.col("to_speaker") == ME).sum().alias("answers_to_me"),
    )
    got = opened.group_by("conversation_id", pl.col("to_speaker").alias("speaker")).agg(
        conf.sum().alias("answers_received"),
        conf.filter(pl.col("speaker") == ME).sum().alias("answers_from_me"),
    )
    return given.collect(), got.collect()


RoleParts = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]
"""What :func:`role_parts` gives of a window: sums per (group, speaker) of what they
said, of the answers they gave and of those they got."""


def role_parts(
    messages: pl.DataFrame,
    pairs: pl.DataFrame,
    *,
    silence: timedelta = timedelta(hours=6),
    before: pl.DataFrame | None = None,
) -> RoleParts:
    """The sums behind :func:`group_roles` for a window of the group messages, to be
    added up with other windows' by :func:`roles_from_parts`. ``before`` (``conversation_id``,
    ``before``) is the time of each group's last message before the window, so that the
    window's first message opens a conversation only after ``silence``."""
    gap = pl.col("timestamp") - pl.col("timestamp").shift(1).over("conversation_id")
    rows = speakers(messages)
    if before is not None and not before.is_empty():
        rows = rows.join(before.lazy(), on="conversation_id", how="left")
        gap = gap.fill_null(pl.col("timestamp") - pl.col("before"))
    # Whether a message opens a conversation of the group, read over the whole group
    # before the messages are split by who sent them.
    rows = rows.with_columns((gap.is_null() | (gap >= silence)).alias("_start"))
    support = pl.col("support_emotional") | pl.col("support_practical")
    said = rows.group_by("conversation_id", "speaker").agg(
        pl.col("title").first(),
        pl.col("person").first(),
        pl.len().cast(pl.Int64).alias("messages"),
        pl.col("_start").sum().cast(pl.Int64).alias("starts"),
        support.sum().cast(pl.Int64).alias("supports"),
        pl.col("timestamp").min().alias("first_message"),
        pl.col("timestamp").max().alias("last_message"),
    )
    # A turn answers once, however many lines it has: its first line's pairing counts.
    given, got = _answer_sums(pairs.lazy().filter(pl.col("turn_start")))
    return said.collect(), given, got


def roles_from_parts(
    parts: list[RoleParts], *, reactions: pl.DataFrame | None = None
) -> pl.DataFrame:
    """:func:`group_roles` from the :func:`role_parts` of windows that together hold
    every group message once, and the groups' ``reactions``
    (:func:`reciprocity.store.groups.group_reaction_pairs`, all of them; none when not
    given), which count as answers (see the module docstring)."""
    if reactions is not None and not reactions.is_empty() and parts:
        tapped_given, tapped_got = _reaction_answers(reactions)
        parts = [*parts, (parts[0][0].clear(), tapped_given, tapped_got)]
    key = ["conversation_id", "speaker"]
    said = (
        pl.concat([p[0] for p in parts], how="vertical")
        .lazy()
        .group_by(key, maintain_order=True)
        .agg(
            pl.col("title").first(),
            pl.col("person").first(),
            pl.col("messages", "starts", "supports").sum(),
            pl.col("first_message").min(),
            pl.col("last_message").max(),
        )
    )
    given = (
        pl.concat([p[1] for p in parts], how="vertical")
        .lazy()
        .group_by(key)
        .agg(pl.col("answers_given", "answers_to_me").sum())
    )
    got = (
        pl.concat([p[2] for p in parts], how="vertical")
        .lazy()
        .group_by(key)
        .agg(pl.col("answers_received", "answers_from_me").sum())
    )
    me = pl.col("speaker") == ME
    joined = (
        said.join(given, on=key, how="left")
        .join(got, on=key, how="left")
        .with_columns(
            pl.col("answers_given", "answers_received").fill_null(0.0),
            *(
                pl.when(me).then(None).otherwise(pl.col(c).fill_null(0.0)).alias(c)
                for c in ("answers_to_me", "answers_from_me")
            ),
        )
        .with_columns(
            (pl.col("messages") / pl.col("messages").sum().over("conversation_id")).alias(
                "message_share"
            ),
            (pl.col("starts") / pl.col("starts").sum().over("conversation_id")).alias(
                "start_share"
            ),
            me.alias("is_me"),
            pl.when(me).then(None).otherwise(pl.col("speaker")).alias("relationship_id"),
        )
    )
    # Rounded: sums and shares of floats differ in the last bit with the engine and the
    # order of the rows, and a stored result must equal a computed one.
    floats = [c for c, t in ROLES_SCHEMA.items() if t == pl.Float64()]
    return (
        joined.select([pl.col(c).cast(t) for c, t in ROLES_SCHEMA.items()])
        .with_columns(pl.col(floats).round(9))
        .sort(["conversation_id", "messages", "is_me"], descending=[False, True, True])
        .collect()
    )


def source_split(events: pl.DataFrame) -> pl.DataFrame:
    """The give and take of each relationship per group and dimension, all time
    (:data:`SOURCES_SCHEMA`), from :func:`reciprocity.ledger.groups.group_events`."""
    return sources_from_parts([source_parts(events)])


def source_parts(events: pl.DataFrame) -> pl.DataFrame:
    """The sums behind :func:`source_split` of some of the events (a window's), to be
    added up with the others' by :func:`sources_from_parts`."""
    gave = pl.col("giver") == "me"
    return events.group_by("relationship_id", "conversation_id", "title", "dimension").agg(
        pl.col("weight").filter(gave).sum().alias("given"),
        pl.col("weight").filter(~gave).sum().alias("received"),
        gave.sum().cast(pl.Int64).alias("events_me"),
        (~gave).sum().cast(pl.Int64).alias("events_them"),
    )


def sources_from_parts(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """:func:`source_split` from the :func:`source_parts` of windows that together hold
    every group event once."""
    parts = [p for p in parts if not p.is_empty()]
    if not parts:
        return pl.DataFrame(schema=SOURCES_SCHEMA)
    key = ["relationship_id", "conversation_id", "title", "dimension"]
    summed = (
        parts[0]
        if len(parts) == 1
        else pl.concat(parts, how="vertical")
        .group_by(key)
        .agg(pl.col("given", "received", "events_me", "events_them").sum())
    )
    # Rounded: sums of floats differ in the last bit with the order of the rows.
    rounded = summed.with_columns(pl.col("given", "received").round(9))
    return rounded.select([pl.col(c).cast(t) for c, t in SOURCES_SCHEMA.items()]).sort(
        "relationship_id", "conversation_id", "dimension"
    )


def group_act_counts(
    messages: pl.DataFrame, pairs: pl.DataFrame, *, names: pl.DataFrame | None = None
) -> ActCounts:
    """:func:`reciprocity.metrics.patterns.act_counts` of the group messages sent between
    the user and one member (pairings at least :data:`SURE` sure, one count per message
    whoever else it was addressed to), as though from their one-to-one chat. ``names``
    (``relationship_id``, ``person``) names every member when ``messages`` are a window
    of the group messages (by default, those who wrote in ``messages``)."""
    if messages.is_empty() or pairs.is_empty():
        return {}
    mine = pl.col("speaker") == ME
    sure = (
        pairs.filter((pl.col("confidence") >= SURE) & (mine != (pl.col("to_speaker") == ME)))
        .with_columns(
            pl.when(mine).then(pl.col("to_speaker")).otherwise(pl.col("speaker"))
            .alias("relationship_id")
        )
        .select("message_id", "relationship_id")
        .unique()
    )  # fmt: skip
    named = (
        messages.filter(~pl.col("from_me"))
        .group_by("relationship_id")
        .agg(pl.col("person").first())
        if names is None
        else names
    )
    rows = (
        messages.drop("relationship_id", "person")
        .join(sure, on="message_id", how="inner")
        .join(named, on="relationship_id", how="left")
    )
    return act_counts(rows)


@dataclass
class GroupRecord:
    """One group chat: who carries it and where the user stands in it (made from
    :func:`group_roles` by :func:`group_records`; surfaces format it)."""

    conversation_id: int
    title: str
    #: A row per member, the user included (``name`` is "You" for the user), most
    #: messages first: the roles' columns plus ``name`` and ``relationship_id``.
    members: list[dict[str, Any]]
    me: dict[str, Any] | None
    messages: int
    starts: int
    #: Members who answered the user, most first; members who wrote but never answered.
    answered_you: list[dict[str, Any]] = field(default_factory=list)
    never_answered: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """Where the user stands, in one plain sentence."""
        if self.me is None:
            return "You have not written in this group."
        n = words.number
        return (
            f"You wrote {n(self.me['messages'])} of its {n(self.messages)} messages "
            f"({self.me['message_share']:.0%}) and started {n(self.me['starts'])} of its "
            f"{n(self.starts)} conversations ({self.me['start_share'] or 0:.0%})."
        )


#: A member who wrote at least this many messages in a group and never answered the user
#: is named as such (fewer says too little).
NEVER_ANSWERED_FROM = 5


def group_records(roles: pl.DataFrame) -> list[GroupRecord]:
    """One :class:`GroupRecord` per group chat of ``roles`` (:func:`group_roles`), most
    messages first."""
    views: list[GroupRecord] = []
    for (conversation_id,), rows in roles.group_by(["conversation_id"], maintain_order=True):
        members = []
        for row in rows.iter_rows(named=True):
            name = "You" if row["is_me"] else row["person"]
            members.append(row | {"name": name})
        me = next((m for m in members if m["is_me"]), None)
        others = [m for m in members if not m["is_me"]]
        answered = sorted(
            (m for m in others if (m["answers_to_me"] or 0) > 0),
            key=lambda m: (-m["answers_to_me"], m["name"]),
        )
        never = [
            m["name"]
            for m in others
            if not m["answers_to_me"] and m["messages"] >= NEVER_ANSWERED_FROM and me is not None
        ]
        views.append(
            GroupRecord(
                conversation_id=int(conversation_id),
                title=str(members[0]["title"]),
                members=members,
                me=me,
                messages=sum(m["messages"] for m in members),
                starts=sum(m["starts"] for m in members),
                answered_you=answered,
                never_answered=never,
            )
        )
    views.sort(key=lambda g: (-g.messages, g.title.casefold()))
    return views
