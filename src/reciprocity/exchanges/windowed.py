"""Exchanges computed window by window: the timeline cut where nothing reaches across.

The streaming import cuts the timeline into **windows** (consecutive slices of the acts frame
in timeline order, each holding whole stretches of relationships) and runs the per-message
stages on one window at a time. A window may start a relationship's stretch only

- at the relationship's first conversational (text or media) message, or
- at a conversational message ``m`` whose previous conversational message ``p`` in the
  same relationship is from the *other side* and more than ``quiet`` earlier, with
  ``quiet = max(silence, answer window, support window)``;

calls and system rows go with the window of the next conversational row of their
relationship. :func:`window_exchanges` runs :func:`~reciprocity.exchanges.exchange_parts` on
each window and gives exactly the rows of :func:`~reciprocity.exchanges.exchanges` over the
whole frame; only the turn numbers need an offset (see :func:`window_exchanges` for why).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from reciprocity.exchanges import ANSWER_WINDOW, SUPPORT_WINDOW, exchange_parts
from reciprocity.exchanges.pairing import ROWS_PER_PART
from reciprocity.exchanges.reactions import reaction_answers

__all__ = ["exchanges_by_window", "window_exchanges"]


@dataclass(frozen=True)
class _Stretch:
    """Where a relationship stands after the rows seen so far: ``offset`` is added to the
    turn numbers of its current window, ``next_turn`` is the whole-frame number of its next
    window's first turn, ``last`` and ``from_me`` are its last conversational message's."""

    offset: int
    next_turn: int
    last: datetime
    from_me: bool


def window_exchanges(
    windows: Iterable[pl.DataFrame],
    *,
    window: timedelta = ANSWER_WINDOW,
    support_window: timedelta = SUPPORT_WINDOW,
    rows: int = ROWS_PER_PART,
    reactions: pl.DataFrame | None = None,
) -> Iterator[pl.DataFrame]:
    """:func:`~reciprocity.exchanges.exchange_parts` of each window in turn (at most
    ``rows`` rows a part), renumbered so that, concatenated, the parts are exactly
    :func:`~reciprocity.exchanges.exchanges` of the whole acts frame.

    ``windows`` are acts frames (as ``exchange_parts`` accepts them) that are consecutive
    slices of one timeline, cut by the rule of the module docstring with a ``quiet`` of at
    least ``max(window, support_window)``. Parts without rows are left out, except that one
    comes when no window has any conversational message (so the parts still concatenate);
    no windows, no parts. Per relationship only where its last window ended is kept (a few
    numbers), so memory is one window's.

    Why a window gives the same rows as the whole frame, where a relationship ``r`` is cut
    between its conversational messages ``p`` (last of the earlier window) and ``m`` (first
    of the later one), ``m - p > quiet`` and ``m`` from the other side than ``p``:

    - **turn**: a turn is a run of same-side messages, unbroken by time. The side changes
      at the cut, so no turn spans it and the whole frame starts a new turn at ``m``: the
      later window's turn 0 is the earlier window's last turn + 1. This offset, kept per
      relationship, is the only change made to the parts.
    - **answers** (``answered``, ``latency_s``, ``answer_*``): a message answered in the
      whole frame is answered by the next turn within ``window``. For a message of the
      earlier window (at or before ``p``, timestamps ascend within a relationship) whose
      answer turn is in the later window, that turn starts at or after ``m``, more than
      ``quiet >= window`` later, so the whole frame leaves it unanswered, as does the
      window, which has no next turn. Any answer turn inside a window is whole (no turn
      spans a cut), so its acts, words, depth and text flags are the same.
    - **follow-ups** (``follow_*``, hence ``after_decline``): kept only when the sender's
      next turn starts within ``window`` of the answer; a follow-up in the later window
      starts more than ``quiet`` after an answer in the earlier one, so both are null.
    - **support** (``supported``): the other side's next support counts within
      ``support_window``. One in the later window comes more than ``quiet >=
      support_window`` after any message of the earlier one, so it never counts; the
      nearest support inside the window is the same in both.
    - **outcomes** (``depth_matched``, ``good_news_response``, ``request_outcome``,
      ``after_decline``) are row-wise over the columns above, so they agree too; the
      reactions that answer good news (``reactions``, the whole timeline's) are joined to
      each row by the message they name, and read within ``window`` of it, row-wise too.
    - Calls and system rows take no part in exchanges, and relationships never answer
      each other, so neither where they fall nor which relationships share a window
      matters.

    Raises ``ValueError`` when a relationship resumes in a later window at a cut the rule
    does not allow (the same side, or within ``max(window, support_window)``): the rows
    would silently differ from the whole frame's there.
    """
    empty: pl.DataFrame | None = None
    given = False
    for parts in exchanges_by_window(
        windows, window=window, support_window=support_window, rows=rows, reactions=reactions
    ):
        for part in parts:
            if part.is_empty():
                empty = part if empty is None else empty
                continue
            given = True
            yield part
    if not given and empty is not None:
        yield empty


def exchanges_by_window(
    windows: Iterable[pl.DataFrame],
    *,
    window: timedelta = ANSWER_WINDOW,
    support_window: timedelta = SUPPORT_WINDOW,
    rows: int = ROWS_PER_PART,
    reactions: pl.DataFrame | None = None,
) -> Iterator[Iterator[pl.DataFrame]]:
    """:func:`window_exchanges` a window at a time: for each window, an iterator of its
    parts (renumbered, empty ones included), for a caller that needs to know where a
    window ends (the ledger is built a window at a time). Take each window's parts before
    asking for the next window; parts left untaken are built and dropped."""
    quiet = max(window, support_window)
    before: dict[int, _Stretch] = {}  # relationships of the earlier windows
    answers = None if reactions is None else reaction_answers(reactions)  # narrowed once
    for acts in windows:
        parts = exchange_parts(
            acts, window=window, support_window=support_window, rows=rows, reactions=answers
        )
        del acts  # exchange_parts reads the texts once; let it free them
        here: dict[int, _Stretch] = {}
        renumbered = (
            part if part.is_empty() else _renumbered(part, before, here, quiet) for part in parts
        )
        yield renumbered
        for _ in renumbered:  # the turns of the next window start after all of these
            pass
        before.update(here)


def _renumbered(
    part: pl.DataFrame,
    before: dict[int, _Stretch],
    here: dict[int, _Stretch],
    quiet: timedelta,
) -> pl.DataFrame:
    """``part`` (rows of one window, in timeline order) with each relationship's turns
    offset to the whole frame's numbers; records in ``here`` where each one ends."""
    ends = part.group_by("relationship_id", maintain_order=True).agg(
        pl.col("timestamp").first().alias("first"),
        pl.col("from_me").first().alias("first_from_me"),
        pl.col("timestamp").last().alias("last"),
        pl.col("from_me").last().alias("last_from_me"),
        pl.col("turn").last().alias("turn"),  # turns ascend within a relationship
    )
    keys: list[int] = []
    offsets: list[int] = []
    for rel, first, first_from_me, last, last_from_me, turn in ends.iter_rows():
        if rel in here:  # a window's relationship that runs on from its previous part
            offset = here[rel].offset
        elif rel in before:
            _check_cut(rel, before[rel], first, first_from_me, quiet)
            offset = before[rel].next_turn
        else:
            offset = 0
        here[rel] = _Stretch(offset, offset + turn + 1, last, last_from_me)
        if offset:
            keys.append(rel)
            offsets.append(offset)
    if not keys:
        return part
    shift = pl.col("relationship_id").replace_strict(
        keys, offsets, default=0, return_dtype=pl.Int64
    )
    return part.with_columns(pl.col("turn") + shift)


def _check_cut(
    rel: int, end: _Stretch, first: datetime, first_from_me: bool, quiet: timedelta
) -> None:
    gap = first - end.last
    if first_from_me == end.from_me or gap <= quiet:
        why = "the same side" if first_from_me == end.from_me else f"only {gap} later"
        raise ValueError(
            f"relationship {rel} resumes in a later window with {why}: windows may only be "
            f"cut at a change of side more than {quiet} after the previous message"
        )
