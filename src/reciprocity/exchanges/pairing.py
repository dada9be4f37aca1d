"""Pairing each message with what answered it: the other side's next turn, or silence.

A relationship's text and media messages form one timeline (all its conversations merged,
as in :mod:`reciprocity.metrics.sessions`). A **turn** is a run of consecutive messages from
one side. A message is **answered** when the other side's next turn starts within ``window``
of it; the answer's acts are those of that whole turn (a reply often comes in two or three
short messages), and its latency runs from the message to the turn's first message.

Built from window expressions over ``relationship_id``, a group-by over the runs of turns
and gathers by turn number, so no Python runs per message and each relationship can be
processed on its own partition. Within one long chat, :func:`paired_parts` goes a slice of
rows at a time: what needs the whole timeline (turn numbers, each turn's acts) is computed
once in narrow columns, and a slice joins the texts of only the turns it points at.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from reciprocity.acts import ACTS
from reciprocity.metrics.sessions import TIMELINE_ORDER, in_timeline_order

__all__ = [
    "ANSWER_PREFIX",
    "FOLLOW_PREFIX",
    "FRAME_COLUMNS",
    "ROWS_PER_PART",
    "pair_answers",
    "paired_parts",
    "turns",
]

ANSWER_PREFIX = "answer_"
"""Prefix of the answer turn's columns (``answer_celebrate``, ``answer_words`` ...)."""
FOLLOW_PREFIX = "follow_"
"""Prefix of the sender's next turn after the answer (what the asker did after a "no")."""
_FOLLOW_COLS = ("text", "request", "contempt", "you_accusation")

FRAME_COLUMNS = (
    "relationship_id",
    "person",
    "conversation_id",
    "message_id",
    "from_me",
    "timestamp",
    "ordinal",
    "text",
    "kind",
)
"""Columns of the analysis frame that exchanges carry (the acts and depth come after)."""

_BY_REL = "relationship_id"
_ORDER = TIMELINE_ORDER
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


#: Timeline rows per part of :func:`paired_parts`: bounds the wide columns alive at once.
ROWS_PER_PART = 50_000

# Columns of the acts frame that pairing reads, in output order.
_FRAME_INPUT = (*FRAME_COLUMNS, *ACTS, "disclosure_depth")
_WORDS = pl.col("text").fill_null("").str.count_matches(r"\S+")
# Columns of a turn (narrow; the turn's text is joined per part) in output order.
_TURN_COLS = ("message_id", "started", "words", "text", "disclosure_depth", *ACTS)


@dataclass(frozen=True)
class _Plan:
    """What pairing needs from the whole timeline, in narrow columns (no text).

    ``rows`` maps timeline position to the row of ``frame``; ``turn`` is the turn number
    per relationship and ``g`` the turn number across the frame; ``table`` has one row per
    turn (row ``g`` is turn ``g``); ``carried`` holds extra per-row columns.
    """

    frame: pl.DataFrame
    rows: pl.Series
    turn: pl.Series
    g: pl.Series
    table: pl.DataFrame
    carried: pl.DataFrame


def _plan(frame: pl.DataFrame, carry: Sequence[pl.Expr]) -> _Plan:
    lazy = (
        frame.lazy()
        .with_row_index("_row")
        .filter(pl.col("kind").is_in(_CONVERSATIONAL))
        .select(
            "_row",
            *_ORDER,
            "from_me",
            "message_id",
            "disclosure_depth",
            *ACTS,
            _WORDS.alias("_words"),
        )
    )
    if not in_timeline_order(frame):  # the store's analysis frame already is
        lazy = lazy.sort(_ORDER, maintain_order=True)
    narrow = lazy.collect()
    side_changed = pl.col("from_me") != pl.col("from_me").shift(1).over(_BY_REL)
    narrow = narrow.with_columns(
        side_changed.fill_null(False).cast(pl.Int64).cum_sum().over(_BY_REL).alias("turn")
    )
    # Turns numbered across the whole frame (the timeline is sorted), so the answer to a
    # message in turn g is row g + 1 of the turn table when it has the same relationship:
    # a gather instead of two hash joins on (relationship, turn).
    started = (pl.col("turn") != pl.col("turn").shift(1)) | (
        pl.col(_BY_REL) != pl.col(_BY_REL).shift(1)
    )
    narrow = narrow.with_columns(_g=started.fill_null(True).cast(pl.Int64).cum_sum() - 1)
    table = _turn_table(narrow)
    return _Plan(
        frame=frame,
        rows=narrow["_row"],
        turn=narrow["turn"],
        g=narrow["_g"],
        table=table,
        carried=narrow.select(carry) if carry else pl.DataFrame(),
    )


def _turn_table(narrow: pl.DataFrame, rows: int = ROWS_PER_PART) -> pl.DataFrame:
    """One row per turn of the narrow timeline, in order (row ``g`` is turn ``g``): its
    relationship, start, first message, words, deepest disclosure and acts.

    Built over slices of about ``rows`` rows cut between turns: a group-by over a million
    rows at once holds about a hundred MB of working memory, one over a slice a tenth.
    """
    turn = narrow["_g"]
    parts: list[pl.DataFrame] = []
    start = 0
    while not parts or start < narrow.height:  # an empty timeline still gets its columns
        end = min(start + rows, narrow.height)
        if end < narrow.height:  # move the cut back to the start of the turn it falls in
            end = int(turn.search_sorted(turn[end], side="left"))
            if end <= start:
                end = int(turn.search_sorted(turn[start], side="right"))
        # The key is sorted (runs in order): the group-by cuts slices instead of hashing.
        parts.append(
            narrow.slice(start, end - start)
            .lazy()
            .group_by(pl.col("_g").set_sorted(), maintain_order=True)
            .agg(
                pl.col(_BY_REL).first(),
                pl.col("timestamp").first().alias("started"),
                pl.col("message_id").first().alias("message_id"),
                pl.col("_words").sum().cast(pl.Int64).alias("words"),
                pl.col("disclosure_depth").max().alias("disclosure_depth"),
                *(pl.col(a).any().alias(a) for a in ACTS),
            )
            .collect()
        )
        start = end
    return parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical")


def _texts_of(plan: _Plan, turns: pl.Series) -> pl.Series:
    """The joined text of each turn in ``turns`` (global numbers; null stays null), in
    order. Only the distinct turns asked for are assembled."""
    wanted = turns.drop_nulls().unique().sort()
    if wanted.is_empty():
        return pl.repeat(None, turns.len(), dtype=pl.String, eager=True).alias("text")
    spans = pl.DataFrame(
        {
            "_g": wanted,
            "_low": plan.g.search_sorted(wanted, side="left"),
            "_high": plan.g.search_sorted(wanted, side="right"),
        }
    )
    positions = spans.select("_g", pl.int_ranges("_low", "_high").alias("_at")).explode("_at")
    rows = plan.rows.gather(positions["_at"])
    joined = (
        positions.select("_g")
        .with_columns(plan.frame["text"].gather(rows).alias("text"))
        .group_by(pl.col("_g").set_sorted(), maintain_order=True)
        .agg(pl.col("text").fill_null("").str.join(" "))
    )
    asked = turns.alias("_g").to_frame()
    return asked.join(joined, on="_g", how="left", maintain_order="left")["text"]


def _later_turn(
    plan: _Plan, turn: pl.Series, step: int, columns: Sequence[str]
) -> tuple[pl.DataFrame, pl.Series]:
    """For each row in turn ``turn`` (global numbers), ``columns`` (not the text) of the
    turn ``step`` turns later in the same relationship, nulls where there is none; and that
    turn's number (null where there is none)."""
    table = plan.table
    later = turn + step
    inside = later < table.height
    index = later.clip(upper_bound=max(table.height - 1, 0))
    same = inside & (table[_BY_REL].gather(index) == table[_BY_REL].gather(turn))
    index = pl.select(pl.when(same).then(index).otherwise(None)).to_series()
    return table.select(columns).gather(index), index


def _part(plan: _Plan, start: int, length: int, texts_for: pl.Expr | None = None) -> pl.DataFrame:
    """Timeline rows ``start`` .. ``start + length`` with their answers and follow-ups;
    the answer's and follow-up's texts only on rows where ``texts_for`` holds (all rows
    when it is ``None``)."""
    rows = plan.rows.slice(start, length)
    wide = plan.frame.select(*_FRAME_INPUT)
    first, last = int(rows[0]), int(rows[-1])
    if last - first == length - 1 and bool((rows.diff().drop_nulls() == 1).all()):
        timeline = wide.slice(first, length)  # already in timeline order: no copy
    else:
        timeline = wide.gather(rows)
    g = plan.g.slice(start, length)
    answer_cols = [c for c in _TURN_COLS if c != "text"]
    answers, answer_turn = _later_turn(plan, g, 1, answer_cols)
    follow_cols = ["started", *(c for c in _FOLLOW_COLS if c != "text")]
    follows, follow_turn = _later_turn(plan, g, 2, follow_cols)
    if texts_for is not None:
        wanted = timeline.select(texts_for.fill_null(False)).to_series()
        answer_turn = pl.select(pl.when(wanted).then(answer_turn)).to_series()
        follow_turn = pl.select(pl.when(wanted).then(follow_turn)).to_series()
    answers = answers.with_columns(_texts_of(plan, answer_turn)).select(_TURN_COLS)
    answers.columns = [ANSWER_PREFIX + c for c in _TURN_COLS]
    follows = follows.with_columns(_texts_of(plan, follow_turn)).select("started", *_FOLLOW_COLS)
    follows.columns = ["_follow_started", *(FOLLOW_PREFIX + c for c in _FOLLOW_COLS)]
    return pl.concat(
        [
            timeline.with_columns(plan.turn.slice(start, length).alias("turn")),
            answers,
            follows,
            plan.carried.slice(start, length),
        ],
        how="horizontal",
    )


def paired_parts(
    acts: pl.DataFrame,
    *,
    window: timedelta,
    rows: int = ROWS_PER_PART,
    carry: Sequence[pl.Expr] = (),
    texts_for: pl.Expr | None = None,
) -> Iterator[pl.LazyFrame]:
    """:func:`pair_answers`, a slice of at most ``rows`` timeline rows at a time.

    Concatenated, the parts are exactly :func:`pair_answers`' rows: what needs the whole
    timeline (turn numbers, each turn's acts) is computed once in narrow columns, and each
    part joins the texts of only the turns it refers to. ``carry`` are expressions over
    the timeline's narrow columns (``relationship_id``, ``from_me``, ``timestamp``, the
    acts ...) computed over the whole of it and appended to each part. ``texts_for`` (a
    Boolean expression over the timeline's columns) limits ``answer_text`` and
    ``follow_text`` to the rows where it holds, null elsewhere: joining every answer's
    text is most of pairing's work, and most callers read it for few rows.
    """
    if rows < 1:
        raise ValueError("rows must be at least 1")
    plan = _plan(acts.select(*_FRAME_INPUT), carry)
    if plan.rows.is_empty():
        yield _pair_empty(turns(acts.lazy()).collect()).with_columns(carry)
        return
    for start in range(0, plan.rows.len(), rows):
        part = _part(plan, start, min(rows, plan.rows.len() - start), texts_for)
        yield _finish(part.lazy(), window)


def pair_answers(acts: pl.LazyFrame, *, window: timedelta) -> pl.LazyFrame:
    """Every conversational message with its answer (see the module docstring).

    Adds ``turn``, ``answered`` (Boolean), ``latency_s`` (Float64, null when unanswered)
    and the answer turn's ``answer_message_id``, ``answer_words``, ``answer_text``,
    ``answer_disclosure_depth`` and ``answer_<act>`` for every act (all null when unanswered).
    The sender's own next turn after an answer, when it starts within ``window`` of the
    answer, gives ``follow_text``, ``follow_request``, ``follow_contempt`` and
    ``follow_you_accusation`` (null otherwise).
    """
    parts = [p.collect() for p in paired_parts(acts.collect(), window=window)]
    return pl.concat(parts, how="vertical").lazy()


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
