"""Cutting the timeline into windows that can be analysed one at a time.

The per-message stages (sessions, turns, replies, answers, follow-ups, support) only ever
look back a bounded time, or to the other side's last turn, along one relationship's
timeline. :func:`window_bounds` cuts the analysis frame only where nothing they compute
can reach across the cut, so each window's per-message results equal the same rows of the
whole-frame results (apart from counters that number from the start of a relationship,
such as pairing's ``turn``, which need an offset).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from reciprocity.metrics.sessions import CONVERSATIONAL_KINDS

__all__ = ["allowed_cuts", "window_bounds"]


def allowed_cuts(frame: pl.DataFrame, *, quiet: timedelta) -> pl.Series:
    """Row positions (``Int64``, ascending, all in ``1 .. height - 1``) before which
    :func:`window_bounds` may cut ``frame``: see there for the rule.

    ``frame`` is in timeline order with at least ``relationship_id``, ``timestamp``,
    ``from_me`` and ``kind``.
    """
    rel, stamp, me = pl.col("relationship_id"), pl.col("timestamp"), pl.col("from_me")
    row = pl.col("_row")
    later = (rel > rel.shift(1)) | ((rel == rel.shift(1)) & (stamp >= stamp.shift(1)))
    if not frame.select(later.fill_null(True).all()).item():
        raise ValueError("the frame is not in timeline order (relationship, then time)")
    # Lazy queries over the few columns needed, row numbers as UInt32: at a million
    # messages the eager steps held some 60 MB of intermediate columns at once.
    rows = frame.lazy().select(rel, stamp, me, "kind").with_row_index("_row")
    # (a) The start of every relationship: its leading calls and system rows go with its
    # first conversational message, so the cut goes before them. A relationship with no
    # conversational message at all starts a window of its own the same way.
    starts = rows.filter(rel != rel.shift(1)).select(row)
    # (b) Between two conversational messages p, m of one relationship (consecutive among
    # its conversational messages) when m comes more than ``quiet`` after p from the other
    # side. Rows between p and m are calls or system lines, which go with m: the cut
    # falls right after p. The rows are grouped by relationship, so the previous
    # conversational row is a plain shift once the others are filtered out.
    quiet_turn = (rel == rel.shift(1)) & (stamp - stamp.shift(1) > quiet) & (me != me.shift(1))
    after_p = (
        rows.filter(pl.col("kind").is_in(CONVERSATIONAL_KINDS))
        .select((row.shift(1) + 1).alias("_row"), quiet_turn.alias("_cut"))
        .filter("_cut")
        .select(row)
    )
    cuts = pl.concat([starts, after_p]).collect().get_column("_row")
    return cuts.cast(pl.Int64).unique().sort()


def window_bounds(
    frame: pl.DataFrame, *, rows: int = 100_000, quiet: timedelta = timedelta(hours=24)
) -> list[tuple[int, int]]:
    """``(start, length)`` row slices of ``frame`` that tile it in order, each a window that
    the per-message stages can analyse on its own.

    ``frame`` is an analysis frame (``store.messages_frame``) in timeline order: grouped
    by ``relationship_id``, in time order inside each (columns used: ``relationship_id``,
    ``timestamp``, ``from_me``, ``kind``). ``quiet`` is the longest reach back in time of
    any stage (``max(silence, answer window, support window)``).

    The rule, on the conversational messages (``kind`` text or media) of each relationship:
    a cut may fall before message ``m`` when

    (a) ``m`` is the relationship's first conversational message, or
    (b) the previous conversational message ``p`` of the relationship came more than
        ``quiet`` before ``m`` (strictly) and from the other side.

    Why: turns are runs of one side's messages that time does not break, so a cut inside a
    run would split a turn; a change of side after a silence longer than ``quiet`` also
    ends every session, answer, follow-up and support that could reach back to ``p``.
    Calls and system rows are not part of the back-and-forth: each goes with the window
    of the next conversational message of its relationship, or with the relationship's
    last window when none follows, so a cut under (b) falls right after ``p``. A
    relationship without conversational messages is cut off from its neighbours like
    under (a).

    A window closes at the first allowed cut once it holds at least ``rows`` rows, so
    every window but the last holds at least ``rows`` rows, and a window may hold several
    small relationships. A frame with no allowed cut is one window; an empty one gives
    ``[]``.
    """
    if rows < 1:
        raise ValueError(f"rows must be at least 1, not {rows}")
    height = frame.height
    if height == 0:
        return []
    cuts = allowed_cuts(frame, quiet=quiet)
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < height:
        # The first allowed cut that leaves at least ``rows`` rows in this window.
        at = cuts.search_sorted(start + rows, side="left")
        end = int(cuts[at]) if at < cuts.len() else height
        bounds.append((start, end - start))
        start = end
    return bounds
