"""From a bucket's utterances to dyads: every pair of speakers who talk to each other in a
conversation, laid out as the personal pipeline's analysis frame.

Who talks to whom: an utterance answers the one it replies to (``reply_to``), or, when it
replies to nothing recorded, the last utterance of the speaker before it in the
conversation (a chat's turns). A reply between two different speakers makes them a dyad;
the dyad's timeline holds both utterances of every such reply between them (so the post
that one of them answered is in it, even if it answered nobody).

The frame is the one :func:`reciprocity.store.messages_frame` gives the stages: a dyad is
a *relationship* (``relationship_id``), its first speaker in text order (``speaker_a``)
takes the place of "me" (``from_me``) and the other (``speaker_b``) is the ``person``.
"""

from __future__ import annotations

import polars as pl

from reciprocity.store.read import FRAME_SCHEMA

__all__ = ["DYAD_KEYS", "dyad_frame"]

#: Columns that name a dyad in every output table, in order.
DYAD_KEYS = ("conversation_id", "speaker_a", "speaker_b")


def dyad_frame(utterances: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The analysis frame of the dyads in ``utterances`` and the dyads themselves.

    ``utterances`` has ``conversation_id``, ``speaker``, ``reply_to``, ``id``,
    ``timestamp`` and ``ordinal``, sorted by conversation, time and ordinal, with a ``row``
    index. Returns ``(frame, dyads)``: ``frame`` in :data:`FRAME_SCHEMA`'s columns (no
    text: the stages read the acts and text features joined by ``row``) plus ``row``,
    in timeline order; ``dyads`` one row per ``relationship_id`` with :data:`DYAD_KEYS`.

    >>> from datetime import datetime, UTC
    >>> utts = pl.DataFrame({
    ...     "conversation_id": ["c", "c", "c"], "speaker": ["ann", "bo", "cy"],
    ...     "reply_to": [None, "1", "1"], "id": ["1", "2", "3"],
    ...     "timestamp": [datetime(2024, 1, 1, h, tzinfo=UTC) for h in (1, 2, 3)],
    ...     "ordinal": [0, 1, 2]}).with_row_index("row")
    >>> frame, dyads = dyad_frame(utts)
    >>> dyads.select(DYAD_KEYS).rows()
    [('c', 'ann', 'bo'), ('c', 'ann', 'cy')]
    >>> frame.select("relationship_id", "person", "from_me").rows()
    [(0, 'bo', True), (0, 'bo', False), (1, 'cy', True), (1, 'cy', False)]
    """
    known = pl.col("speaker").is_not_null()
    by_conversation = pl.col("conversation_id")
    # The row each utterance answers: the one it replies to, else (replying to nothing
    # recorded) the last row of the speaker before it in the conversation.
    changed = pl.col("speaker") != pl.col("speaker").shift(1).over(by_conversation)
    previous = (
        pl.when(changed.fill_null(False))
        .then(pl.col("row").shift(1).over(by_conversation))
        .otherwise(None)
        .forward_fill()
        .over(by_conversation)
    )
    replied = utterances.select(
        "conversation_id", pl.col("id").alias("reply_to"), pl.col("row").alias("_explicit")
    )
    rows = (
        utterances.lazy()
        .select("row", "conversation_id", "speaker", "reply_to")
        .join(
            replied.lazy().unique(["conversation_id", "reply_to"], keep="first"),
            on=["conversation_id", "reply_to"],
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.when(pl.col("reply_to").is_null())
            .then(previous)
            .otherwise(pl.col("_explicit"))
            .alias("target")
        )
        .collect()
    )
    speakers = utterances.select(
        pl.col("row").alias("target"), pl.col("speaker").alias("_target_speaker")
    )
    replies = (
        rows.lazy()
        .filter(pl.col("target").is_not_null() & known)
        .join(speakers.lazy(), on="target", how="inner")
        .filter(
            pl.col("_target_speaker").is_not_null()
            & (pl.col("_target_speaker") != pl.col("speaker"))
        )
        .select(
            "row",
            "target",
            "conversation_id",
            pl.min_horizontal("speaker", "_target_speaker").alias("speaker_a"),
            pl.max_horizontal("speaker", "_target_speaker").alias("speaker_b"),
        )
        .collect()
    )
    pair = ["conversation_id", "speaker_a", "speaker_b"]
    members = pl.concat(
        [replies.select("row", *pair), replies.select(pl.col("target").alias("row"), *pair)]
    ).unique(maintain_order=False)
    dyads = (
        members.select(pair)
        .unique()
        .sort(pair)
        .with_row_index("relationship_id")
        .with_columns(pl.col("relationship_id").cast(pl.Int64))
    )
    info = utterances.select("row", "speaker", "timestamp", "ordinal")
    frame = (
        members.join(dyads, on=pair, how="inner")
        .join(info, on="row", how="inner")
        .select(
            "relationship_id",
            pl.col("speaker_b").alias("person"),
            pl.col("relationship_id").alias("conversation_id"),
            pl.col("ordinal").alias("message_id"),
            (pl.col("speaker") == pl.col("speaker_a")).alias("from_me"),
            "timestamp",
            "ordinal",
            pl.lit("text").alias("kind"),
            "row",
        )
        .sort("relationship_id", "timestamp", "conversation_id", "ordinal")
    )
    types = {c: FRAME_SCHEMA[c] for c in frame.columns if c in FRAME_SCHEMA}
    return frame.cast(types), dyads.select("relationship_id", *DYAD_KEYS)  # type: ignore[arg-type]
