"""Pairing each message with what answered it: the other side's next turn, or silence.

A relationship's text and media messages form one timeline (all its conversations merged,
as in :mod:`reciprocity.metrics.sessions`). A **turn** is a run of consecutive messages from
one side. A message is **answered** when the other side's next turn starts within ``window``
of it; the answer's acts are those of that whole turn (a reply often comes in two or three
short messages), and its latency runs from the message to the turn's first message.

Built from window expressions over ``relationship_id``, a group-by over the runs of turns
and gathers by turn number, so no Python runs per message and each relationship can be
processed on its own partition.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from reciprocity.acts import ACTS

__all__ = ["ANSWER_PREFIX", "FOLLOW_PREFIX", "pair_answers", "turns"]

ANSWER_PREFIX = "answer_"
"""Prefix of the answer turn's columns (``answer_celebrate``, ``answer_words`` ...)."""
FOLLOW_PREFIX = "follow_"
"""Prefix of the sender's next turn after the answer (what the asker did after a "no")."""
_FOLLOW_COLS = ("text", "request", "contempt", "you_accusation")

_BY_REL = "relationship_id"
_ORDER = ("relationship_id", "timestamp", "conversation_id", "ordinal")
_CONVERSATIONAL = ("text", "media")


def turns(acts: pl.LazyFrame) -> pl.LazyFrame:
    """The conversational messages of ``acts`` in timeline order, with ``turn`` (Int64).

    ``turn`` counts from 0 per relationship and goes up by one at every change of side.
    """
    side_changed = pl.col("from_me") != pl.col("from_me").shift(1).over(_BY_REL)
    return (
        acts.filter(pl.col("kind").is_in(_CONVERSATIONAL))
        .sort(_ORDER)
        .with_columns(
            side_changed.fill_null(False).cast(pl.Int64).cum_sum().over(_BY_REL).alias("turn")
        )
    )


def _turn_table(timeline: pl.DataFrame) -> pl.DataFrame:
    """One row per turn, in timeline order: its relationship, when it started, its first
    message, its words and text, and what acts any of its messages carry.

    ``timeline`` is in timeline order, so a turn is a run of rows and row ``g`` of the table
    is the ``g``-th turn of the whole frame (column ``_g`` on the timeline says which).
    """
    words = pl.col("text").fill_null("").str.count_matches(r"\S+")
    # The key is sorted (runs in order): the group-by cuts slices instead of hashing.
    return (
        timeline.lazy()
        .group_by(pl.col("_g").set_sorted(), maintain_order=True)
        .agg(
            pl.col(_BY_REL).first(),
            pl.col("timestamp").first().alias("started"),
            pl.col("message_id").first().alias("message_id"),
            words.sum().cast(pl.Int64).alias("words"),
            pl.col("text").fill_null("").str.join(" ").alias("text"),
            pl.col("disclosure_depth").max().alias("disclosure_depth"),
            *(pl.col(a).any().alias(a) for a in ACTS),
        )
        .collect()
    )


def _later_turn(
    table: pl.DataFrame, turn: pl.Series, step: int, columns: list[str]
) -> pl.DataFrame:
    """For each timeline row in turn ``turn`` (global numbers), ``columns`` of the turn
    ``step`` turns later in the same relationship; nulls where there is none."""
    later = turn + step
    inside = later < table.height
    index = later.clip(upper_bound=max(table.height - 1, 0))
    same = inside & (table[_BY_REL].gather(index) == table[_BY_REL].gather(turn))
    index = pl.select(pl.when(same).then(index).otherwise(None)).to_series()
    return table.select(columns).gather(index)


def pair_answers(acts: pl.LazyFrame, *, window: timedelta) -> pl.LazyFrame:
    """Every conversational message with its answer (see the module docstring).

    Adds ``turn``, ``answered`` (Boolean), ``latency_s`` (Float64, null when unanswered)
    and the answer turn's ``answer_message_id``, ``answer_words``, ``answer_text``,
    ``answer_disclosure_depth`` and ``answer_<act>`` for every act (all null when unanswered).
    The sender's own next turn after an answer, when it starts within ``window`` of the
    answer, gives ``follow_text``, ``follow_request``, ``follow_contempt`` and
    ``follow_you_accusation`` (null otherwise).
    """
    timeline = turns(acts).collect()
    if timeline.is_empty():
        return _pair_empty(timeline)
    # Turns numbered across the whole frame (the timeline is sorted), so the answer to a
    # message in turn g is row g + 1 of the turn table when it has the same relationship:
    # a gather instead of two hash joins on (relationship, turn).
    started = (pl.col("turn") != pl.col("turn").shift(1)) | (
        pl.col(_BY_REL) != pl.col(_BY_REL).shift(1)
    )
    turn = timeline.select(started.fill_null(True).cast(pl.Int64).cum_sum() - 1).to_series()
    table = _turn_table(timeline.select(*_TABLE_INPUT).with_columns(_g=turn))
    answer_cols = ["message_id", "started", "words", "text", "disclosure_depth", *ACTS]
    answers = _later_turn(table, turn, 1, answer_cols)
    answers.columns = [ANSWER_PREFIX + c for c in answer_cols]
    follows = _later_turn(table, turn, 2, ["started", *_FOLLOW_COLS])
    follows.columns = ["_follow_started", *(FOLLOW_PREFIX + c for c in _FOLLOW_COLS)]
    paired = pl.concat([timeline, answers, follows], how="horizontal").lazy()
    return _finish(paired, window)


# Columns of the timeline the turn table reads.
_TABLE_INPUT = (_BY_REL, "timestamp", "message_id", "text", "disclosure_depth", *ACTS)


def _pair_empty(timeline: pl.DataFrame) -> pl.LazyFrame:
    """:func:`pair_answers` of a timeline without messages (the same columns, no rows)."""
    answer_types = {
        "message_id": timeline.schema["message_id"],
        "started": timeline.schema["timestamp"],
        "words": pl.Int64(),
        "text": pl.String(),
        "disclosure_depth": timeline.schema["disclosure_depth"],
        **{a: pl.Boolean() for a in ACTS},
    }
    follow_types = {"text": pl.String(), **{c: pl.Boolean() for c in _FOLLOW_COLS[1:]}}
    empty = pl.DataFrame(
        schema={
            **timeline.schema,
            **{ANSWER_PREFIX + c: t for c, t in answer_types.items()},
            "_follow_started": timeline.schema["timestamp"],
            **{FOLLOW_PREFIX + c: t for c, t in follow_types.items()},
        }
    )
    return _finish(empty.lazy(), timedelta(hours=1))


def _finish(paired: pl.LazyFrame, window: timedelta) -> pl.LazyFrame:
    """``answered`` and ``latency_s``; answer and follow-up columns kept only when they count."""
    answer_cols = ["message_id", "words", "text", "disclosure_depth", *ACTS]
    latency = pl.col(ANSWER_PREFIX + "started") - pl.col("timestamp")
    follow_gap = pl.col("_follow_started") - pl.col(ANSWER_PREFIX + "started")
    followed = pl.col("answered") & follow_gap.is_not_null() & (follow_gap <= window)
    answered = latency.is_not_null() & (latency <= window)
    keep = [ANSWER_PREFIX + c for c in answer_cols]
    return (
        paired.with_columns(answered.alias("answered"))
        .with_columns(
            pl.when(pl.col("answered"))
            .then(latency.dt.total_microseconds() / 1_000_000)
            .cast(pl.Float64)
            .alias("latency_s"),
            *(pl.when(pl.col("answered")).then(pl.col(c)).otherwise(None).alias(c) for c in keep),
            *(
                pl.when(followed).then(pl.col(FOLLOW_PREFIX + c)).otherwise(None)
                for c in _FOLLOW_COLS
            ),
        )
        .drop(ANSWER_PREFIX + "started", "_follow_started")
    )
