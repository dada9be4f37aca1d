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
once in narrow columns. Of the texts only each message's word count and the text *flags* a
caller asks for (say, "contains 'but'") are read, which a turn has when any of its
messages has: from the frame's :mod:`~reciprocity.metrics.textual` feature columns when it
has them, else from its texts, once, up front. The pairs carry message ids, not texts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from reciprocity.acts import ACTS
from reciprocity.metrics.sessions import TIMELINE_ORDER, in_timeline_order
from reciprocity.metrics.textual import FLAG_PREFIX, WORDS, flag_columns, words

__all__ = [
    "ANSWER_PREFIX",
    "FOLLOW_PREFIX",
    "FRAME_COLUMNS",
    "INPUT_COLUMNS",
    "ROWS_PER_PART",
    "feature_columns",
    "featured",
    "has_features",
    "pair_answers",
    "paired_parts",
    "turns",
]

ANSWER_PREFIX = "answer_"
"""Prefix of the answer turn's columns (``answer_celebrate``, ``answer_words`` ...)."""
FOLLOW_PREFIX = "follow_"
"""Prefix of the sender's next turn after the answer (what the asker did after a "no")."""
_FOLLOW_ACTS = ("request", "contempt", "you_accusation")

FRAME_COLUMNS = (
    "relationship_id",
    "person",
    "conversation_id",
    "message_id",
    "from_me",
    "timestamp",
    "ordinal",
    "kind",
)
"""Columns of the analysis frame that exchanges carry (the acts and depth come after).
Not the text: pairing reads it and leaves it behind; the store has it under ``message_id``."""

_BY_REL = "relationship_id"
_ORDER = TIMELINE_ORDER
_CONVERSATIONAL = ("text", "media")


_SIDE_CHANGED = pl.col("from_me") != pl.col("from_me").shift(1).over(_BY_REL)
# Over a timeline in order: 0 per relationship, one up at every change of side.
_TURN = _SIDE_CHANGED.fill_null(False).cast(pl.Int64).cum_sum().over(_BY_REL).alias("turn")


def turns(acts: pl.LazyFrame) -> pl.LazyFrame:
    """The conversational messages of ``acts`` in timeline order, with ``turn`` (Int64).

    ``turn`` counts from 0 per relationship and goes up by one at every change of side.
    """
    return acts.filter(pl.col("kind").is_in(_CONVERSATIONAL)).sort(_ORDER).with_columns(_TURN)


#: The plan's turn numbers (``turn`` and ``_g``, a row each; ``turn`` goes out as Int64):
#: half the memory of Int64 for two columns kept for every row.
_TURN_NUMBER = pl.UInt32

#: Timeline rows per part of :func:`paired_parts`: bounds the wide columns alive at once.
ROWS_PER_PART = 50_000

INPUT_COLUMNS = (*FRAME_COLUMNS, *ACTS, "disclosure_depth")
"""Columns of the acts frame that pairing reads, besides ``text`` or its features."""
# Those a part's rows carry.
_WIDE = INPUT_COLUMNS


def feature_columns(flags: Sequence[str] = ()) -> tuple[str, ...]:
    """The text features pairing reads instead of the text: the word count and these flags."""
    return (WORDS, *(FLAG_PREFIX + f for f in flags))


def has_features(names: Sequence[str], flags: Sequence[str] = ()) -> bool:
    """Whether a frame with columns ``names`` carries :func:`feature_columns`."""
    return all(c in names for c in feature_columns(flags))


def featured(acts: pl.DataFrame | pl.LazyFrame, flags: Mapping[str, pl.Expr]) -> pl.DataFrame:
    """:data:`INPUT_COLUMNS` of ``acts`` with the word count and flags, from its text when
    it has no such columns (the text itself is left behind)."""
    rows = acts.lazy()
    if has_features(rows.collect_schema().names(), tuple(flags)):
        return rows.select(*INPUT_COLUMNS, *feature_columns(tuple(flags))).collect()
    if "text" not in rows.collect_schema().names():
        raise ValueError("the acts frame has neither text nor its word counts and flags")
    found = (words(pl.col("text")).alias(WORDS), *flag_columns(flags))
    return rows.select(*INPUT_COLUMNS, *found).collect()


@dataclass(frozen=True)
class _Plan:
    """What pairing needs from the whole timeline, in narrow columns (no text).

    ``frame`` is the input without its text; ``rows`` maps timeline position to the row of
    ``frame``; ``turn`` is the turn number per relationship and ``g`` the turn number across
    the frame; ``table`` has one row per turn (row ``g`` is turn ``g``), with the flags;
    ``flags`` their names and ``wanted`` per timeline row whether its answer's and
    follow-up's flags are read (``None``: every row's); ``carried`` holds extra per-row
    columns, for the timeline rows ``carried_at`` (ascending) when it is given, else for
    every row. Turn numbers are :data:`_TURN_NUMBER`.
    """

    frame: pl.DataFrame
    rows: pl.Series
    turn: pl.Series
    g: pl.Series
    table: pl.DataFrame
    flags: tuple[str, ...]
    wanted: pl.Series | None
    carried: pl.DataFrame
    carried_at: pl.Series | None

    @property
    def answer_columns(self) -> tuple[str, ...]:
        """The answer turn's columns, unprefixed, in output order."""
        return ("message_id", "started", "words", "disclosure_depth", *ACTS, *self.flags)

    @property
    def follow_columns(self) -> tuple[str, ...]:
        """The follow-up turn's columns, unprefixed, in output order."""
        return ("started", *_FOLLOW_ACTS, *self.flags)


def _plan(
    frame: pl.DataFrame,
    carry: Sequence[pl.Expr],
    flags: Mapping[str, pl.Expr],
    flags_for: pl.Expr | None,
    carry_for: pl.Expr | None = None,
) -> _Plan:
    wanted = [] if flags_for is None else [flags_for.fill_null(False).alias("_wanted")]
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
            pl.col(WORDS).alias("_words"),
            *wanted,
        )
    )
    if not in_timeline_order(frame):  # the store's analysis frame already is
        lazy = lazy.sort(_ORDER, maintain_order=True)
    # The rest of the order only sorts: a million rows of it need not stay.
    narrow = lazy.drop("conversation_id", "ordinal").collect()
    narrow = narrow.with_columns(_TURN.cast(_TURN_NUMBER))
    # Turns numbered across the whole frame (the timeline is sorted), so the answer to a
    # message in turn g is row g + 1 of the turn table when it has the same relationship:
    # a gather instead of two hash joins on (relationship, turn).
    started = (pl.col("turn") != pl.col("turn").shift(1)) | (
        pl.col(_BY_REL) != pl.col(_BY_REL).shift(1)
    )
    narrow = narrow.with_columns(_g=started.fill_null(True).cast(_TURN_NUMBER).cum_sum() - 1)
    g = narrow["_g"]
    table = _turn_table(narrow)
    if flags:
        # Only the answers (g + 1) and follow-ups (g + 2) of wanted rows are looked at.
        asked = g if flags_for is None else g.filter(narrow["_wanted"])
        looked_at = pl.concat([asked + 1, asked + 2]).unique().sort()
        table = table.with_columns(_turn_flags(frame, narrow, flags, looked_at, table.height))
    carried_at = None
    if carry and carry_for is not None:
        # Computed over the whole timeline, kept for the rows that read them only.
        carried_at = narrow.select(carry_for.fill_null(False)).to_series().arg_true()
        carried = narrow.select(carry).gather(carried_at)
    else:
        carried = narrow.select(carry) if carry else pl.DataFrame()
    return _Plan(
        frame=frame.select(_WIDE),
        rows=narrow["_row"],
        turn=narrow["turn"],
        g=g,
        table=table,
        flags=tuple(flags),
        wanted=narrow["_wanted"] if flags and flags_for is not None else None,
        carried=carried,
        carried_at=carried_at,
    )


def _turn_flags(
    frame: pl.DataFrame,
    narrow: pl.DataFrame,
    flags: Mapping[str, pl.Expr],
    turns: pl.Series,
    count: int,
) -> list[pl.Series]:
    """Each flag per turn (any of the turn's messages), for ``turns`` (sorted global turn
    numbers); null for the other turns of the ``count``."""
    inside = narrow.select("_row", "_g").filter(pl.col("_g").is_in(turns.implode()))
    rows = inside["_row"]
    found = (
        frame.select(pl.col(FLAG_PREFIX + name).gather(rows).alias(name) for name in flags)
        .with_columns(inside["_g"])
        .group_by(pl.col("_g").set_sorted(), maintain_order=True)
        .agg(pl.all().fill_null(False).any())
    )
    every = pl.DataFrame({"_g": pl.int_range(count, dtype=_TURN_NUMBER, eager=True)})
    spread = every.join(found, on="_g", how="left", maintain_order="left")
    return [spread[name] for name in flags]


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


def _later_turn(plan: _Plan, turn: pl.Series, step: int, columns: Sequence[str]) -> pl.DataFrame:
    """For each row in turn ``turn`` (global numbers), ``columns`` of the turn ``step``
    turns later in the same relationship; nulls where there is none."""
    table = plan.table
    later = turn + step
    inside = later < table.height
    index = later.clip(upper_bound=max(table.height - 1, 0))
    same = inside & (table[_BY_REL].gather(index) == table[_BY_REL].gather(turn))
    index = pl.select(pl.when(same).then(index).otherwise(None)).to_series()
    return table.select(columns).gather(index)


def _part(plan: _Plan, start: int, length: int) -> pl.DataFrame:
    """Timeline rows ``start`` .. ``start + length`` with their answers and follow-ups."""
    rows = plan.rows.slice(start, length)
    first, last = int(rows[0]), int(rows[-1])
    if last - first == length - 1 and bool((rows.diff().drop_nulls() == 1).all()):
        timeline = plan.frame.slice(first, length)  # already in timeline order: no copy
    else:
        timeline = plan.frame.gather(rows)
    g = plan.g.slice(start, length)
    answers = _later_turn(plan, g, 1, plan.answer_columns)
    answers.columns = [ANSWER_PREFIX + c for c in plan.answer_columns]
    follows = _later_turn(plan, g, 2, plan.follow_columns)
    follows.columns = ["_follow_started", *(FOLLOW_PREFIX + c for c in plan.follow_columns[1:])]
    if plan.wanted is not None:  # a turn read for one row answers its neighbours too
        wanted = plan.wanted.slice(start, length)
        answers = _masked(answers, wanted, [ANSWER_PREFIX + f for f in plan.flags])
        follows = _masked(follows, wanted, [FOLLOW_PREFIX + f for f in plan.flags])
    return pl.concat(
        [
            timeline.with_columns(plan.turn.slice(start, length).cast(pl.Int64).alias("turn")),
            answers,
            follows,
            _carried(plan, start, length),
        ],
        how="horizontal",
    )


def _carried(plan: _Plan, start: int, length: int) -> pl.DataFrame:
    """The carried columns of timeline rows ``start`` .. ``start + length`` (null where
    they were not kept)."""
    if plan.carried_at is None:
        return plan.carried.slice(start, length)
    at = plan.carried_at
    low = int(at.search_sorted(start, side="left"))
    high = int(at.search_sorted(start + length, side="left"))
    inside = (at.slice(low, high - low) - start).cast(pl.UInt32)
    values = plan.carried.slice(low, high - low)
    return pl.DataFrame(
        [
            pl.Series(name, dtype=dtype).extend_constant(None, length).scatter(inside, values[name])
            for name, dtype in plan.carried.schema.items()
        ]
    )


def _masked(frame: pl.DataFrame, keep: pl.Series, columns: list[str]) -> pl.DataFrame:
    return frame.with_columns(pl.when(keep).then(pl.col(c)).alias(c) for c in columns)


def paired_parts(
    acts: pl.DataFrame,
    *,
    window: timedelta,
    rows: int = ROWS_PER_PART,
    carry: Sequence[pl.Expr] = (),
    flags: Mapping[str, pl.Expr] | None = None,
    flags_for: pl.Expr | None = None,
    carry_for: pl.Expr | None = None,
) -> Iterator[pl.LazyFrame]:
    """:func:`pair_answers`, a slice of at most ``rows`` timeline rows at a time.

    Concatenated, the parts are exactly :func:`pair_answers`' rows: what needs the whole
    timeline (turn numbers, each turn's acts) is computed once in narrow columns. ``carry``
    are expressions over the timeline's narrow columns (``relationship_id``, ``from_me``,
    ``timestamp``, the acts ...) computed over the whole of it and appended to each part.

    ``flags`` name Boolean expressions over a message's ``text``; a turn has a flag when
    any of its messages has, and each row gets ``answer_<flag>`` and ``follow_<flag>``.
    A frame with ``words`` and ``flag_<name>`` columns (:mod:`reciprocity.metrics.textual`)
    needs no text: those are read instead.
    ``flags_for`` (over the timeline's columns) limits them to the rows where it holds
    (null elsewhere): the flags are then read only for the turns those rows point at.
    ``carry_for`` does the same for ``carry``: computed over the whole timeline, kept for
    the rows where it holds only (null elsewhere), for columns that few rows read.
    """
    if rows < 1:
        raise ValueError("rows must be at least 1")
    named = dict(flags or {})
    plan = _plan(featured(acts, named), carry, named, flags_for, carry_for)
    if plan.rows.is_empty():
        empty = turns(acts.lazy()).collect().select(*_WIDE, "turn")
        yield _pair_empty(empty, plan).with_columns(carry)
        return
    # Nothing later reads the texts: a caller that handed its frame over frees them here.
    del acts
    for start in range(0, plan.rows.len(), rows):
        part = _part(plan, start, min(rows, plan.rows.len() - start))
        yield _finish(part.lazy(), window, plan)


def pair_answers(
    acts: pl.LazyFrame, *, window: timedelta, flags: Mapping[str, pl.Expr] | None = None
) -> pl.LazyFrame:
    """Every conversational message with its answer (see the module docstring).

    Adds ``turn``, ``answered`` (Boolean), ``latency_s`` (Float64, null when unanswered)
    and the answer turn's ``answer_message_id``, ``answer_words``,
    ``answer_disclosure_depth`` and ``answer_<act>`` for every act (all null when
    unanswered). The sender's own next turn after an answer, when it starts within
    ``window`` of the answer, gives ``follow_request``, ``follow_contempt`` and
    ``follow_you_accusation`` (null otherwise). ``flags``: see :func:`paired_parts`.
    """
    parts = [p.collect() for p in paired_parts(acts.collect(), window=window, flags=flags)]
    return pl.concat(parts, how="vertical").lazy()


def _pair_empty(timeline: pl.DataFrame, plan: _Plan) -> pl.LazyFrame:
    """:func:`pair_answers` of a timeline without messages (the same columns, no rows)."""
    types = {
        "message_id": timeline.schema["message_id"],
        "started": timeline.schema["timestamp"],
        "words": pl.Int64(),
        "disclosure_depth": timeline.schema["disclosure_depth"],
    }
    empty = pl.DataFrame(
        schema={
            **timeline.schema,
            **{ANSWER_PREFIX + c: types.get(c, pl.Boolean()) for c in plan.answer_columns},
            "_follow_started": timeline.schema["timestamp"],
            **{FOLLOW_PREFIX + c: pl.Boolean() for c in plan.follow_columns[1:]},
        }
    )
    return _finish(empty.lazy(), timedelta(hours=1), plan)


def _finish(paired: pl.LazyFrame, window: timedelta, plan: _Plan) -> pl.LazyFrame:
    """``answered`` and ``latency_s``; answer and follow-up columns kept only when they count."""
    latency = pl.col(ANSWER_PREFIX + "started") - pl.col("timestamp")
    follow_gap = pl.col("_follow_started") - pl.col(ANSWER_PREFIX + "started")
    followed = pl.col("answered") & follow_gap.is_not_null() & (follow_gap <= window)
    answered = latency.is_not_null() & (latency <= window)
    keep = [ANSWER_PREFIX + c for c in plan.answer_columns if c != "started"]
    follow = [FOLLOW_PREFIX + c for c in plan.follow_columns[1:]]
    return (
        paired.with_columns(answered.alias("answered"))
        .with_columns(
            # Times 1e-6 (as in ``metrics.sessions``): Polars divides a column through the
            # divisor's reciprocal but a single row exactly, so a quotient would depend on
            # how the frame was split into windows.
            pl.when(pl.col("answered"))
            .then(latency.dt.total_microseconds() * 1e-6)
            .cast(pl.Float64)
            .alias("latency_s"),
            *(pl.when(pl.col("answered")).then(pl.col(c)).otherwise(None).alias(c) for c in keep),
            *(pl.when(followed).then(pl.col(c)).otherwise(None).alias(c) for c in follow),
        )
        .drop(ANSWER_PREFIX + "started", "_follow_started")
    )
