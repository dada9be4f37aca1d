"""The ledger built window by window: :func:`ledger_windows`.

A streaming import cuts the timeline into windows (see the cut rule in the pipeline's
windowed analysis: a cut falls only before a relationship's first text or media message,
or before a message whose previous text or media message in the relationship came from
the other side more than ``quiet`` = max(silence, answer window, support window) earlier)
and builds the exchanges of each window on its own. The exchanges of a window are the
same rows as those of the whole timeline (but for ``turn``, which the ledger does not
read), so the events of a window are the events those rows give in the whole ledger:

- every event is dated at its message, at the answer to it or at the distress it
  supported, and answers and support never reach across a cut (they come within the
  answer or support window, and a cut sits after a longer silence); so for one
  relationship every event of a window is earlier than every event of the next;
- ``message_events`` reads one thing across rows, ``_opens`` (the gap from the previous
  text or media message of the relationship, which starts a conversation when it is
  null or at least ``silence``). The exchanges hold only text and media messages, so that
  previous row is the previous conversational message ``p`` of the rule: at a cut the
  message is either its relationship's first (a null gap in the whole and in the window)
  or ``p`` lies more than ``quiet`` >= ``silence`` before it (a gap of at least
  ``silence`` in the whole, a null one in the window). Either way ``_opens`` is true in
  both. It needs the ledger's ``silence`` to be at most the ``quiet`` of the cut, which
  :func:`ledger_windows` checks as the windows come.

Ties (events of one relationship at the same time and dimension) keep the order in which
they were made: message events by kind of event and then timeline order, journal events
after them in journal order; all of a tie lies in one window, where it is made in the
same relative order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

import polars as pl

from reciprocity.ledger import coded_events, journal_events, message_events, sorted_events

__all__ = ["ledger_windows"]


def _people(people: pl.DataFrame) -> pl.DataFrame:
    return people.select(pl.col("relationship_id").cast(pl.Int64), pl.col("person")).unique()


def _upto(relationship: int, time: datetime) -> pl.Expr:
    """Events whose (relationship, time) is at most this one; null relationships never."""
    rel, stamp = pl.col("relationship_id"), pl.col("timestamp")
    return (rel < relationship) | ((rel == relationship) & (stamp <= time))


def ledger_windows(
    exchange_windows: Iterable[pl.DataFrame],
    journal: pl.DataFrame | None,
    people: pl.DataFrame,
    *,
    silence: timedelta = timedelta(hours=6),
    others: pl.DataFrame | None = None,
) -> Iterator[pl.DataFrame]:
    """``ledger(exchanges, journal, coded=True, others=others)`` in parts, one per
    exchanges window.

    ``exchange_windows`` are the exchanges of consecutive windows of the timeline, in
    timeline order, cut by the cut rule (see the module docstring); concatenated the parts
    are exactly the coded ledger of the concatenated windows, rows, order of ties and all.
    Each part holds its window's message events and the journal events whose
    (relationship, time) falls after the previous part's last event and at or before its
    own last one, sorted; when ``journal`` is given, one more part follows the windows with
    the journal events after the last window's and those about someone with no chat (a null
    ``relationship_id``; these sort last).

    ``people``: ``relationship_id`` and ``person`` of every relationship with text or
    media messages in the timeline (the pairs the windows' rows have: one query of the
    store, no frame of the messages), by which journal entries are matched to relationships
    as :func:`~reciprocity.ledger.ledger` matches them. A name that matches two
    relationships is matched to either, in the whole ledger too: keep names distinct.
    ``others``: people known from elsewhere (group chats), matched after ``people``.

    Raises ``ValueError`` on the journal's first bad entry (before any window is read),
    at a cut that would start a conversation the whole timeline does not (a gap under
    ``silence``), at windows whose events overlap (out of order, or cut inside an
    answer), and, with a journal, after the windows when ``people`` is not the windows' pairs.
    """
    pairs = _people(people)
    pending = None
    if journal is not None:
        known = pairs.lazy()
        if others is not None:
            # After the chats' own people, as ledger() matches them.
            known = pl.concat([known, _people(others).lazy()])
        pending = coded_events(journal_events(journal, known)).collect()
    return _parts(exchange_windows, pending, pairs, silence)


def _bounds(events: pl.DataFrame) -> tuple[tuple[int, datetime], tuple[int, datetime]]:
    """The lowest and the highest (relationship, time) of message events (none null)."""
    rel, times = events["relationship_id"], events["timestamp"]
    low, high = rel.min(), rel.max()
    return (low, times.filter(rel == low).min()), (high, times.filter(rel == high).max())  # type: ignore[return-value]


def _parts(
    windows: Iterable[pl.DataFrame],
    pending: pl.DataFrame | None,
    people: pl.DataFrame,
    silence: timedelta,
) -> Iterator[pl.DataFrame]:
    # The last row and the last event, as (relationship, time), of the windows so far.
    last_row: tuple[int, datetime] | None = None
    last_event: tuple[int, datetime] | None = None
    seen: set[tuple[int, str]] = set()
    for window in windows:
        if window.height:
            first = (window["relationship_id"][0], window["timestamp"][0])
            if last_row and first[0] == last_row[0] and first[1] - last_row[1] < silence:
                raise ValueError(
                    f"a window starts {first[1] - last_row[1]} after the previous one's last "
                    f"message of relationship {first[0]}, less than the silence ({silence}): "
                    "cut the timeline only where the cut rule allows"
                )
            last_row = (window["relationship_id"][-1], window["timestamp"][-1])
            seen.update(_people(window).iter_rows())
        events = message_events(window, silence=silence).collect()
        parts = [events.lazy()]
        if events.height:
            start, end = _bounds(events)
            if last_event is not None and start <= last_event:
                raise ValueError(
                    f"the events of a window start at {start}, not after the previous "
                    f"window's last event at {last_event}: windows out of order or cut "
                    "inside an answer"
                )
            last_event = end
            if pending is not None:
                # Journal events up to this window's last event: those up to the previous
                # window's were placed there, so these fall in this window's range.
                mine = _upto(*end).fill_null(False)
                parts.append(pending.filter(mine).lazy())
                pending = pending.filter(~mine)
        yield sorted_events(parts)
    if pending is not None:
        if seen != set(people.iter_rows()):
            raise ValueError(
                "people are not the relationships and names of the windows' messages: "
                "journal entries could be matched differently from the whole ledger"
            )
        yield sorted_events([pending.lazy()])
