"""Exchange outcomes counted per relationship, each way, and reply speed against the pair's norm.

:func:`exchange_figures` is long: one row per relationship, ``sender`` (who wrote the message
being answered: ``"me"`` or ``"them"``), ``topic`` and ``outcome``, with ``count``. So
``(Alex, sender="me", topic="good_news", outcome="ignored", count=3)`` reads "three times
Alex did not answer your good news". Topics and outcomes:

- ``message``: ``answered`` / ``unanswered`` (every text or media message);
- ``check_in``: ``answered`` / ``unanswered``;
- ``disclosure``: ``matched`` / ``responded`` / ``not_matched``
  (:data:`~reciprocity.exchanges.DISCLOSURE_RESPONSES`);
- ``distress``: ``supported`` / ``not_supported``;
- ``good_news``: the five responses of :data:`~reciprocity.exchanges.GOOD_NEWS_RESPONSES`;
- ``request``: ``accepted`` / ``declined`` / ``ignored``;
- ``after_decline``: ``re_ask`` / ``ultimatum`` / ``accepted_no`` (what the asker did);
- ``support_seek``: ``sent`` (who asks for support at all).

Both can be built from parts of the exchanges (say, windows of a streaming import): the
figures are counts, so :func:`combine_exchange_figures` adds up those of the parts; reply
speed takes medians, so each part gives its answered turns (:func:`reply_turns`, a narrow
row per turn) and :func:`combine_reply_speed` takes the medians over all of them.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

__all__ = [
    "FIGURES_SCHEMA",
    "REPLY_TURNS_SCHEMA",
    "combine_exchange_figures",
    "combine_reply_speed",
    "exchange_figures",
    "reply_speed",
    "reply_turns",
]

FIGURES_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "person": pl.String(),
    "sender": pl.String(),
    "topic": pl.String(),
    "outcome": pl.String(),
    "count": pl.Int64(),
}
"""Columns of :func:`exchange_figures`."""


def _yes_no(column: str, yes: str, no: str) -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit(yes)).otherwise(pl.lit(no))


def exchange_figures(exchanges: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Outcome counts per relationship and sender (see the module docstring).

    ``exchanges`` is :func:`reciprocity.exchanges.exchanges` output. Outcomes that never
    happened have no row (a count is never 0).
    """
    rows = exchanges.lazy()
    topics: list[tuple[str, pl.Expr, pl.Expr]] = [
        ("message", pl.lit(True), _yes_no("answered", "answered", "unanswered")),
        ("check_in", pl.col("check_in"), _yes_no("answered", "answered", "unanswered")),
        (
            "disclosure",
            pl.col("disclosure_response").is_not_null(),
            pl.col("disclosure_response"),
        ),
        (
            "distress",
            pl.col("supported").is_not_null(),
            _yes_no("supported", "supported", "not_supported"),
        ),
        ("good_news", pl.col("good_news_response").is_not_null(), pl.col("good_news_response")),
        ("request", pl.col("request_outcome").is_not_null(), pl.col("request_outcome")),
        ("after_decline", pl.col("after_decline").is_not_null(), pl.col("after_decline")),
        ("support_seek", pl.col("support_seek"), pl.lit("sent")),
    ]
    sender = pl.when(pl.col("from_me")).then(pl.lit("me")).otherwise(pl.lit("them"))
    parts = [
        rows.filter(keep)
        .group_by(
            "relationship_id",
            "person",
            sender.alias("sender"),
            # The outcome columns may come as categories (see pipeline.prepare).
            outcome.cast(pl.String).alias("outcome"),
        )
        .len()
        .with_columns(pl.lit(topic).alias("topic"))
        for topic, keep, outcome in topics
    ]
    return (
        # One topic after the other: each filters a million-row frame, and all eight at
        # once held eight filtered copies (a hundred-odd MB at peak) for no time gained.
        pl.concat(parts, how="diagonal", parallel=False)
        .rename({"len": "count"})
        .select([pl.col(c).cast(t) for c, t in FIGURES_SCHEMA.items()])
        .sort("relationship_id", "sender", "topic", "outcome")
        .collect()
    )


def combine_exchange_figures(parts: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """:func:`exchange_figures` from those of parts of the exchanges: the counts of each
    (relationship, person, sender, topic, outcome) added up, sorted and typed alike.

    Any split of the rows will do (a message's outcomes are in its own row), so the
    figures of the parts of a whole are the whole's figures.
    """
    frames = [p.select(list(FIGURES_SCHEMA)) for p in parts]
    if not frames:
        return pl.DataFrame(schema=FIGURES_SCHEMA)
    keys = [c for c in FIGURES_SCHEMA if c != "count"]
    return (
        pl.concat(frames, how="vertical")
        .group_by(keys)
        .agg(pl.col("count").sum())
        .select([pl.col(c).cast(t) for c, t in FIGURES_SCHEMA.items()])
        .sort("relationship_id", "sender", "topic", "outcome")
    )


REPLY_TURNS_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "turn": pl.Int64(),
    "person": pl.String(),
    "by_me": pl.Boolean(),
    "latency_s": pl.Float64(),
}
"""Columns of :func:`reply_turns` (``relationship_id`` and ``person`` typed as the exchanges
give them)."""


def _answered_turns(rows: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (relationship, turn): its person and side, and its least latency."""
    return rows.group_by("relationship_id", "turn").agg(
        pl.col("person").first(),
        pl.col("by_me").first(),
        pl.col("latency_s").min(),
    )


def reply_turns(exchanges: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """The answered turns of some exchanges, the part of :func:`reply_speed` that reads rows.

    One row per answered (relationship, turn) with ``person``, ``by_me`` (I answered it:
    the turn is theirs) and ``latency_s``, the least latency among the turn's answered
    messages: a turn is answered once, and its last message waited least, so this is
    the gap between the turns. Turn numbers must be those of the whole timeline (as
    :func:`~reciprocity.exchanges.windowed.window_exchanges` gives them): a turn that
    rows of several parts share is merged by :func:`combine_reply_speed`.
    """
    rows = (
        exchanges.lazy()
        .filter(pl.col("answered"))
        .select(
            "relationship_id", "turn", "person", (~pl.col("from_me")).alias("by_me"), "latency_s"
        )
    )
    # No casts: ``person`` stays a category when it comes as one (see pipeline.prepare).
    return _answered_turns(rows).select(list(REPLY_TURNS_SCHEMA)).collect()


def combine_reply_speed(parts: Iterable[pl.DataFrame], *, whole: bool = False) -> pl.DataFrame:
    """:func:`reply_speed` from the :func:`reply_turns` of parts of the exchanges.

    The turns are merged again by (relationship, turn), since a turn's rows may fall in
    two parts, and the medians are taken over all of them: they need every latency, one
    narrow row per answered turn, not the exchanges' rows. ``whole``: no turn has rows in
    two parts (the parts were cut between turns), so there is nothing to merge; at a
    million messages that saves a group-by of some 400k turns, about 40 MB.
    """
    frames = [p.select(list(REPLY_TURNS_SCHEMA)) for p in parts]
    if not frames:
        frames = [pl.DataFrame(schema=REPLY_TURNS_SCHEMA)]
    turns = pl.concat(frames, how="vertical").lazy()
    answered = turns if whole else _answered_turns(turns)
    by_me, by_them = pl.col("by_me"), ~pl.col("by_me")
    latency = pl.col("latency_s")
    out = answered.group_by("relationship_id").agg(
        pl.col("person").first(),
        by_me.sum().cast(pl.Int64).alias("replies_me"),
        by_them.sum().cast(pl.Int64).alias("replies_them"),
        latency.filter(by_me).median().alias("latency_median_s_me"),
        latency.filter(by_them).median().alias("latency_median_s_them"),
        latency.median().alias("latency_norm_s"),
    )
    norm = pl.col("latency_norm_s")
    return (
        out.with_columns(
            *(
                pl.when(norm > 0)
                .then(pl.col(f"latency_median_s_{s}") / norm)
                .otherwise(None)
                .alias(f"latency_vs_norm_{s}")
                for s in ("me", "them")
            )
        )
        .sort("relationship_id")
        .collect()
    )


def reply_speed(exchanges: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Median reply latency each way against the pair's own norm, one row per relationship.

    Columns: ``relationship_id``, ``person``, ``replies_me`` / ``replies_them`` (answers
    each side gave), ``latency_median_s_me`` / ``_them`` (how fast that side answers),
    ``latency_norm_s`` (median over both sides' answers: the pair's own pace) and
    ``latency_vs_norm_me`` / ``_them`` (side median / norm; above 1 is slower than usual
    for this pair). A side answers the other's message, so "me" is the latency of
    messages I answered, measured on their messages.

    The same as :func:`combine_reply_speed` of the one part's :func:`reply_turns`.
    """
    return combine_reply_speed([reply_turns(exchanges)])
