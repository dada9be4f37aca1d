"""Who answered whom in a group chat: each message paired with the one it most likely
answers, and how sure that pairing is.

In a one-to-one chat the other side's next turn answers (:mod:`.pairing`). In a group
several people talk at once, and the research on multi-party chat says the last message
is often not the one being answered:

- Elsner and Charniak ("You talking to me?", ACL 2008; "Disentangling chat",
  Computational Linguistics 2010) found the strongest cues for linking two chat lines
  to be the time between them, whether one **mentions the other's speaker by name**, and
  the distance in messages; words in common help much less.
- Kummerfeld et al. ("A large-scale corpus for conversation disentanglement", ACL 2019)
  annotated each IRC message with the message it replies to. Most replies point at a
  recent message, but a rule linking every message to the one just before is far from
  right in a busy channel; time gap, distance and mentions are again what a model leans on.
- Work on addressee recognition (Jovanovic and op den Akker 2004; Inoue et al. 2025,
  triadic discussions) finds that only about one turn in five names its addressee
  explicitly: most of the time who is answered has to be inferred, and is uncertain.

So the rule here is a ladder of cues, each with a confidence, rather than a learned model
(we have no labelled group chats, and a rule can be read and checked):

1. **Explicit reply** (Telegram's ``reply_to_message_id``, kept as ``reply_to_message_id``
   by the store): that message, confidence :data:`EXPLICIT` = 1.0.
2. **Mention**: the text names another member ("@Jordan", "Jordan", a handle, a first
   name) as a whole word: addressed to each one named, confidence :data:`AT_MENTION`
   (0.9, with "@") or :data:`NAME_MENTION` (0.7) divided by how many are named; the
   message answered is that member's latest one in :data:`WINDOW` (none: addressed only).
3. **Next speaker**: otherwise a message answers the latest message of another member
   before its turn, when that came within :data:`WINDOW`, with confidence
   :data:`NEXT_SPEAKER` (0.6) halved every :data:`HALF_LIFE` of gap (30 minutes) and
   divided by the number of other people who spoke in the :data:`CONTEXT` messages
   before the turn (the more voices, the less sure the last one is the one answered).

A turn's later messages keep the pairing of its first (a reply often comes in two or three
lines). The result is a row per (message, addressee); messages with no likely addressee
are left out. All window expressions partitioned by ``conversation_id``, one join per
cue: no Python runs per message.
"""

from __future__ import annotations

import math
from datetime import timedelta

import polars as pl

__all__ = [
    "ATTRIBUTION_SCHEMA",
    "AT_MENTION",
    "CONTEXT",
    "EXPLICIT",
    "HALF_LIFE",
    "ME",
    "NAME_MENTION",
    "NEXT_SPEAKER",
    "WINDOW",
    "attribute",
    "speakers",
]

EXPLICIT = 1.0
"""Confidence of a pairing the platform recorded (a reply)."""
AT_MENTION = 0.9
"""Confidence of an "@name" mention (shared among the people named)."""
NAME_MENTION = 0.7
"""Confidence of a member's name as a word of the text (shared among the people named)."""
NEXT_SPEAKER = 0.6
"""Confidence of "the next other speaker answers" at no gap, before the crowd discount."""
HALF_LIFE = timedelta(minutes=30)
"""The next-speaker confidence halves with every this much time between the messages."""
WINDOW = timedelta(hours=2)
"""No message is read as answering one older than this (but for explicit replies)."""
CONTEXT = 5
"""Messages before a turn looked at to count how many people were talking."""

ME = -1
"""The speaker code of the user (members are coded by their ``relationship_id``)."""

ATTRIBUTION_SCHEMA: dict[str, pl.DataType] = {
    "conversation_id": pl.Int64(),
    "message_id": pl.Int64(),
    "speaker": pl.Int64(),
    "to_speaker": pl.Int64(),
    "to_message_id": pl.Int64(),
    "confidence": pl.Float64(),
    "rule": pl.String(),
    "turn_start": pl.Boolean(),
}
"""Columns of :func:`attribute`: the message, who it is addressed to (``to_speaker``, a
``relationship_id`` or :data:`ME`), the message it answers (null when only addressed),
the confidence, the rule (``"reply"``, ``"mention"``, ``"next"``) and whether the message
opens its sender's turn."""

_CONVERSATIONAL = ("text", "media")
_BY = "conversation_id"


def speakers(messages: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """The conversational messages of a group frame (``reciprocity.store.groups``) in
    order, with ``speaker`` (``relationship_id``, :data:`ME` for the user), ``turn_start``
    and ``turn`` (numbered across all groups, one up at every turn)."""
    rows = (
        messages.lazy()
        .filter(pl.col("kind").is_in(_CONVERSATIONAL))
        .sort(_BY, "timestamp", "ordinal", "message_id")
        .with_columns(
            pl.when(pl.col("from_me")).then(ME).otherwise(pl.col("relationship_id"))
            .cast(pl.Int64).alias("speaker")
        )
    )  # fmt: skip
    # Plain shifts over rows sorted by group, masked where the group changes: the same as
    # a shift per group, without partitioning the rows by group for every expression.
    changed = (pl.col("speaker") != pl.col("speaker").shift(1)) | ~_same_group(1)
    return rows.with_columns(changed.fill_null(True).alias("turn_start")).with_columns(
        pl.col("turn_start").cast(pl.Int64).cum_sum().alias("turn")
    )


def _same_group(back: int) -> pl.Expr:
    """Whether the row ``back`` rows earlier is in the same group (false at the top)."""
    return (pl.col(_BY) == pl.col(_BY).shift(back)).fill_null(False)


def _before(name: str, back: int) -> pl.Expr:
    """``name`` of the row ``back`` rows earlier in the same group (else null)."""
    return pl.when(_same_group(back)).then(pl.col(name).shift(back)).otherwise(None)


def _explicit(rows: pl.LazyFrame) -> pl.LazyFrame:
    targets = rows.select(
        pl.col("message_id").alias("reply_to_message_id"),
        pl.col(_BY).alias("_c"),
        pl.col("speaker").alias("to_speaker"),
    )
    return (
        rows.filter(pl.col("reply_to_message_id").is_not_null())
        .join(targets, on="reply_to_message_id", how="inner")
        .filter((pl.col("_c") == pl.col(_BY)) & (pl.col("to_speaker") != pl.col("speaker")))
        .select(
            _BY, "message_id", "speaker", "to_speaker",
            pl.col("reply_to_message_id").alias("to_message_id"),
            pl.lit(EXPLICIT).alias("confidence"), pl.lit("reply").alias("rule"), "turn_start",
        )
    )  # fmt: skip


def _mentions(rows: pl.LazyFrame, members: pl.DataFrame, skip: pl.LazyFrame) -> pl.LazyFrame:
    aliases = members.select(
        _BY,
        pl.col("relationship_id").fill_null(ME).alias("to_speaker"),
        pl.col("alias").str.to_lowercase(),
    ).unique()
    # Longest first, so "jordan k" is found before "jordan".
    names = sorted({n for n in aliases["alias"].to_list() if n}, key=lambda n: (-len(n), n))
    if not names:
        return pl.LazyFrame(schema=ATTRIBUTION_SCHEMA)
    # One regex of every name finds the few messages that name someone, then what they
    # name. Over lower-cased text rather than with "(?i)": case-insensitive matching with
    # Unicode word boundaries took five times as long (0.11 s against 0.02 for the test
    # alone over a window of 100k messages, on the benchmark's family group).
    union = r"@?(?:" + "|".join(_bounded(n) for n in names) + r")"
    tokens = (
        rows.join(skip, on="message_id", how="anti")
        .select(
            _BY, "message_id", "speaker", "timestamp", "turn_start",
            pl.col("text").str.to_lowercase().alias("_w"),
        )
        .filter(pl.col("_w").str.contains(union))
        .with_columns(pl.col("_w").str.extract_all(union))
        .explode("_w")
        .with_columns(
            pl.col("_w").str.starts_with("@").alias("_at"),
            pl.col("_w").str.strip_chars_start("@").str.to_lowercase().alias("alias"),
        )
    )  # fmt: skip
    found = (
        tokens.join(aliases.lazy(), on=[_BY, "alias"], how="inner")
        .filter(pl.col("to_speaker") != pl.col("speaker"))
        .group_by(_BY, "message_id", "speaker", "timestamp", "turn_start", "to_speaker")
        .agg(pl.col("_at").any())
        .with_columns(pl.len().over("message_id").alias("_named"))
        .with_columns(
            (
                pl.when(pl.col("_at")).then(AT_MENTION).otherwise(NAME_MENTION) / pl.col("_named")
            ).alias("confidence")
        )
        .sort("timestamp")
    )
    # The named member's latest message before this one, within the window.
    theirs = rows.select(
        _BY, pl.col("speaker").alias("to_speaker"), "timestamp",
        pl.col("message_id").alias("to_message_id"),
    ).sort("timestamp")  # fmt: skip
    return found.join_asof(
        theirs,
        on="timestamp",
        by=[_BY, "to_speaker"],
        strategy="backward",
        tolerance=WINDOW,
        allow_exact_matches=False,
        check_sortedness=False,  # both sides are sorted by time just above
    ).select(
        _BY, "message_id", "speaker", "to_speaker", "to_message_id", "confidence",
        pl.lit("mention").alias("rule"), "turn_start",
    )  # fmt: skip


# What the regex engine gives a meaning to. Only these are escaped: it refuses an escaped
# emoji or letter ("Jordan 🌻" in a group crashed the analysis), and reads an escaped
# "<" or ">" as a word boundary.
_META = frozenset("\\.+*?()|[]{}^$#&-~")


def _escape(name: str) -> str:
    return "".join("\\" + char if char in _META else char for char in name)


def _bounded(name: str) -> str:
    """``name`` as a regex matching it as a whole word: a word boundary at each end that
    is a letter or digit (none after an emoji, where no boundary can be)."""

    def word(char: str) -> bool:
        return char.isalnum() or char == "_"

    head = r"\b" if word(name[0]) else ""
    tail = r"\b" if word(name[-1]) else ""
    return head + _escape(name) + tail


def _next_speaker(rows: pl.LazyFrame, skip: pl.LazyFrame) -> pl.LazyFrame:
    window_us = int(WINDOW.total_seconds() * 1_000_000)
    now = pl.col("timestamp")
    # Who spoke in the few messages before each one, close enough in time to matter; the
    # distinct ones other than the sender are counted by comparing columns (no lists).
    recent = [
        pl.when((now - _before("timestamp", i)).dt.total_microseconds() <= window_us)
        .then(_before("speaker", i))
        .otherwise(None)
        for i in range(1, CONTEXT + 1)
    ]
    fresh = [
        (
            voice.is_not_null()
            & (voice != pl.col("speaker"))
            & pl.all_horizontal(
                pl.lit(True), *((voice != earlier).fill_null(True) for earlier in recent[:i])
            )
        ).cast(pl.Int64)
        for i, voice in enumerate(recent)
    ]
    # Each turn's first row, whose values (the message before the turn) the turn's later
    # rows take over.
    row = pl.int_range(pl.len(), dtype=pl.get_index_type())
    opened = pl.when(pl.col("turn_start")).then(row).otherwise(None).forward_fill()
    paired = rows.with_columns(
        _before("speaker", 1).alias("to_speaker"),
        _before("message_id", 1).alias("to_message_id"),
        _before("timestamp", 1).alias("_then"),
        pl.sum_horizontal(fresh).alias("_others"),
        opened.alias("_opened"),
    ).with_columns(
        pl.col("to_speaker", "to_message_id", "_then", "_others").gather(pl.col("_opened"))
    )
    gap = (now - pl.col("_then")).dt.total_microseconds()
    half_life = HALF_LIFE.total_seconds() * 1_000_000
    confidence = (
        NEXT_SPEAKER
        * (gap.cast(pl.Float64) * (-math.log(2) / half_life)).exp()
        / pl.max_horizontal(pl.col("_others"), pl.lit(1))
    )
    return (
        paired.join(skip, on="message_id", how="anti")
        .filter(pl.col("to_speaker").is_not_null() & (gap <= window_us))
        .filter(pl.col("to_speaker") != pl.col("speaker"))
        .select(
            _BY, "message_id", "speaker", "to_speaker", "to_message_id",
            confidence.alias("confidence"), pl.lit("next").alias("rule"), "turn_start",
        )
    )  # fmt: skip


def attribute(messages: pl.DataFrame, members: pl.DataFrame | None = None) -> pl.DataFrame:
    """Who each conversational message of the group chats in ``messages`` answers or
    addresses, with how sure that is (:data:`ATTRIBUTION_SCHEMA`; the rule is in the
    module docstring).

    ``messages`` has the columns of ``reciprocity.store.groups.GROUP_SCHEMA`` (the text
    is read only for mentions); ``members`` (``conversation_id``, ``relationship_id``,
    ``alias``, the user's with a null ``relationship_id``) are the names each member
    may be called by; without it no mention is read.
    """
    if messages.is_empty():
        return pl.DataFrame(schema=ATTRIBUTION_SCHEMA)
    rows = speakers(messages).collect().lazy()
    # Each cue's pairings are collected once: the later cues leave out what they paired.
    explicit = _explicit(rows).collect().lazy()
    done = explicit.select("message_id").unique()
    parts = [explicit]
    if members is not None and not members.is_empty():
        mentioned = _mentions(rows, members, done).collect().lazy()
        parts.append(mentioned)
        done = pl.concat([done, mentioned.select("message_id")]).unique()
    parts.append(_next_speaker(rows, done))
    found = pl.concat(
        [p.select([pl.col(c).cast(t) for c, t in ATTRIBUTION_SCHEMA.items()]) for p in parts],
        how="vertical",
    )
    return found.sort(_BY, "message_id", "to_speaker").collect()
