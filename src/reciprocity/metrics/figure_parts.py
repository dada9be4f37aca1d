"""The first figures in two steps: a small *part* per window, and the merge of the parts.

:func:`.basic.relationship_figures` over a whole corpus holds every message at once. Cut the
timeline into windows instead (the windowed analysis's cut rule: a cut falls only before a
relationship's first text or media message, or before one that changes side after a silence
longer than the quiet gap, which is at least ``silence``; calls and system lines go with the
next text or media message of their relationship), give each window to :func:`figure_part`
and hand the parts, in window order, to :func:`combine_figures`: the result is exactly
``relationship_figures`` of the whole.

Why that is exact: no session spans a cut (the gap before the cut is at least ``silence``),
so every message of a window gets the same session, turn, reply and latency as in the whole
timeline. What is left to merge per relationship is then

- counts (messages, words, turns, calls, initiations, replies, questions, conversations):
  sums;
- first and last message: min and max;
- the person: the first name that is not null, in window order;
- the median reply latencies: not mergeable from medians, so a part keeps every reply's
  latency (a ``List(Float64)`` per side, 8 bytes a reply) and the merge takes Polars'
  median of them all, the same computation as over the whole column, bit for bit.

Rates and shares are computed after the merge, from the merged counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from reciprocity.metrics.sessions import in_timeline_order, timeline
from reciprocity.metrics.textual import QUESTION, WORDS, text_features

__all__ = [
    "FIGURES_SCHEMA",
    "PART_SCHEMA",
    "REQUIRED_COLUMNS",
    "FigurePart",
    "combine_figures",
    "figure_part",
]

REQUIRED_COLUMNS = (
    "relationship_id",
    "person",
    "conversation_id",
    "from_me",
    "timestamp",
    "ordinal",
    "kind",
)
"""Columns of the analysis frame the figures read, besides ``text`` or its
:mod:`.textual` features ``words`` and ``text_question``."""

_SIDES = ("me", "them")
# Two-sided counts, in output order; each becomes <name>_me and <name>_them.
_COUNTS = ("messages", "words", "turns", "calls", "initiations", "replies", "questions")
_SHARED = ("messages", "words", "turns", "initiations", "questions")
# Every count of a part (all summed by the merge), in output order.
_ALL_COUNTS = (*(f"{name}_{side}" for name in _COUNTS for side in _SIDES), "conversations")
_LATENCIES = {side: f"reply_latencies_s_{side}" for side in _SIDES}

FIGURES_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "person": pl.String(),
    **{f"{name}_{side}": pl.Int64() for name in _COUNTS for side in _SIDES},
    "conversations": pl.Int64(),
    **{f"reply_rate_{side}": pl.Float64() for side in _SIDES},
    **{f"reply_latency_median_s_{side}": pl.Float64() for side in _SIDES},
    "first_message": pl.Datetime("us", "UTC"),
    "last_message": pl.Datetime("us", "UTC"),
    **{f"{name}_share_me": pl.Float64() for name in _SHARED},
}
"""Columns and types of :func:`.basic.relationship_figures`' result, in order."""

PART_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "person": pl.String(),
    **{name: pl.Int64() for name in _ALL_COUNTS},
    "first_message": pl.Datetime("us", "UTC"),
    "last_message": pl.Datetime("us", "UTC"),
    **{column: pl.List(pl.Float64()) for column in _LATENCIES.values()},
}
"""Columns and types of :attr:`FigurePart.rows`, in order. ``reply_latencies_s_me`` holds
the latency of each of my replies in the window, in timeline order (empty without any)."""

_ME = pl.col("from_me")


@dataclass(frozen=True, eq=False)
class FigurePart:
    """What one window contributes to the figures: one row per relationship in it."""

    rows: pl.DataFrame
    """One row per relationship (sorted by id), with the columns of :data:`PART_SCHEMA`."""
    silence: timedelta
    """The ``silence`` the part was computed with; parts with different ones do not merge."""


def _sides(name: str) -> list[pl.Expr]:
    """``<name>_me`` and ``<name>_them``: how many rows each side sent."""
    return [_ME.sum().alias(f"{name}_me"), (~_ME).sum().alias(f"{name}_them")]


def _sums(column: str, name: str) -> list[pl.Expr]:
    """``<name>_me`` and ``<name>_them``: ``column`` summed over each side's rows."""
    return [
        pl.col(column).filter(_ME).sum().alias(f"{name}_me"),
        pl.col(column).filter(~_ME).sum().alias(f"{name}_them"),
    ]


def _ratio(numerator: pl.Expr, denominator: pl.Expr, name: str) -> pl.Expr:
    """``numerator / denominator`` as Float64, null when the denominator is 0."""
    share = pl.when(denominator > 0).then(numerator / denominator).otherwise(None)
    return share.cast(pl.Float64).alias(name)


def figure_part(
    frame: pl.DataFrame | pl.LazyFrame, *, silence: timedelta = timedelta(hours=6)
) -> FigurePart:
    """The mergeable figures of one window of the analysis frame (see the module's notes).

    ``frame`` is a window of the store's analysis frame, eager or lazy, with at least
    :data:`REQUIRED_COLUMNS` and ``text`` (or its features ``words`` and
    ``text_question``), in any row order; ``silence`` is as for
    :func:`.basic.relationship_figures`. Every relationship with a row in ``frame`` gets a
    row, one with only calls or system lines too (zero messages, null times).
    """
    names = frame.collect_schema().names()
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    featured = WORDS in names and QUESTION in names
    if not featured and "text" not in names:
        missing.append("text")
    if missing:
        raise ValueError(f"the messages frame lacks column(s) {', '.join(missing)}")
    if silence <= timedelta(0):
        raise ValueError("silence must be a positive duration")

    by_rel = "relationship_id"
    # The text's features when the frame has them (the pipeline's does), else from it.
    read = [WORDS, QUESTION] if featured else text_features()
    rows = frame.lazy().select(*REQUIRED_COLUMNS, *read)
    # The first name in the frame's row order (timeline order for the store's frame).
    people = rows.group_by(by_rel).agg(pl.col("person").drop_nulls().first())
    calls = rows.filter(pl.col("kind") == "call").group_by(by_rel).agg(*_sides("calls"))
    is_text = pl.col("kind") == "text"
    presorted = isinstance(frame, pl.DataFrame) and in_timeline_order(frame)
    annotated = timeline(rows, silence=silence, presorted=presorted).with_columns(
        pl.when(is_text).then(pl.col(WORDS)).fill_null(0).alias("_words"),
        (is_text & pl.col(QUESTION)).alias("_question"),
    )
    # latency_s is set on replies only, so dropping its nulls keeps one value per reply.
    latencies = [
        pl.col("latency_s").filter(side).drop_nulls().alias(_LATENCIES[name])
        for name, side in (("me", _ME), ("them", ~_ME))
    ]
    said = annotated.group_by(by_rel).agg(
        *_sides("messages"),
        *_sums("_words", "words"),
        *_sums("new_turn", "turns"),
        *_sums("new_session", "initiations"),
        *_sums("is_reply", "replies"),
        *_sums("_question", "questions"),
        pl.col("new_session").sum().alias("conversations"),
        pl.col("timestamp").min().alias("first_message"),
        pl.col("timestamp").max().alias("last_message"),
        *latencies,
    )
    no_replies = pl.lit([], dtype=pl.List(pl.Float64()))
    part = (
        people.join(said, on=by_rel, how="left")
        .join(calls, on=by_rel, how="left")
        .with_columns(
            pl.col(_ALL_COUNTS).fill_null(0).cast(pl.Int64),
            pl.col(list(_LATENCIES.values())).fill_null(no_replies),
        )
        .select([pl.col(c).cast(t) for c, t in PART_SCHEMA.items()])
        .sort(by_rel)
    )
    return FigurePart(rows=part.collect(), silence=silence)


def combine_figures(parts: Iterable[FigurePart]) -> pl.DataFrame:
    """The figures of the whole timeline from its windows' parts, with the columns of
    :data:`FIGURES_SCHEMA`, one row per relationship sorted by id.

    ``parts`` come from :func:`figure_part` on windows cut by the windowed analysis's rule
    (module notes), in window order; a relationship may appear in several parts and a part
    may hold several relationships. The result then equals
    :func:`.basic.relationship_figures` of the whole frame, values, nulls and row order.
    Parts computed with different ``silence`` are refused (``ValueError``).
    """
    parts = list(parts)
    if len({part.silence for part in parts}) > 1:
        raise ValueError("the parts were computed with different silences")
    rows = pl.concat(
        [pl.DataFrame(schema=PART_SCHEMA), *(part.rows for part in parts)], how="vertical"
    )
    merged = (
        rows.lazy()
        .group_by("relationship_id")
        .agg(
            # Groups keep the rows' order, which is window order: the first name as in the whole.
            pl.col("person").drop_nulls().first(),
            pl.col(_ALL_COUNTS).sum(),
            pl.col("first_message").min(),
            pl.col("last_message").max(),
            # All the latencies of a side in one column, then the same median as the whole's.
            *(
                pl.col(column).explode().median().alias(f"reply_latency_median_s_{side}")
                for side, column in _LATENCIES.items()
            ),
        )
    )
    figures = (
        merged.with_columns(
            # reply_rate_me: the share of their turns that I answered, and the other way
            *(
                _ratio(pl.col(f"replies_{me}"), pl.col(f"turns_{them}"), f"reply_rate_{me}")
                for me, them in (("me", "them"), ("them", "me"))
            ),
            *(
                _ratio(pl.col(f"{n}_me"), pl.col(f"{n}_me") + pl.col(f"{n}_them"), f"{n}_share_me")
                for n in _SHARED
            ),
        )
        .select([pl.col(c).cast(t) for c, t in FIGURES_SCHEMA.items()])
        .sort("relationship_id")
    )
    return figures.collect()
