"""The analysis frame one window at a time, never every message's text at once.

:func:`analysis_windows` first reads the few columns that cutting the timeline needs
(:func:`.fetch.message_keys`, no text: about 40 bytes a message), decides the windows with
:func:`reciprocity.metrics.windows.window_bounds`, and then reads each window's full rows
with queries limited to that window's messages, so memory holds the keys plus one window.
A caller that has what it needs of the text already (act detection stored by the import)
asks for windows without it, which are slices of the keys: nothing more is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import polars as pl
from sqlalchemy import Connection

from reciprocity.errors import StoreError
from reciprocity.metrics.sessions import CONVERSATIONAL_KINDS, TIMELINE_ORDER, in_timeline_order
from reciprocity.metrics.windows import window_bounds
from reciprocity.store.cache import load as cache_load
from reciprocity.store.cache import state as cache_state
from reciprocity.store.db import Database
from reciprocity.store.fetch import message_keys, messages_in
from reciprocity.store.read import (
    FRAME_SCHEMA,
    KEYS_CACHE_NAME,
    Owners,
    owners,
    person_of,
    relationship_of,
    sent_by_me,
    shape,
)

__all__ = ["PEOPLE_SCHEMA", "AnalysisWindows", "analysis_windows"]

#: A run of at least this many of a window's messages, consecutive in id order among the
#: analysis frame's, is read as an id range (one scan); shorter runs are looked up by id.
#: Each query costs about as much as a few dozen look-ups.
_MIN_RUN = 64
#: The analysis frame's columns that only a read of the messages' rows gives.
_TEXT_COLUMNS = ("text", "reply_to_message_id")
# The analysis frame's other columns, in its order: those of the windows without text.
_WITHOUT_TEXT = [name for name in FRAME_SCHEMA if name not in _TEXT_COLUMNS]


class AnalysisWindows:
    """The windows of :func:`analysis_windows`, an iterator of frames, with what was
    learnt from the key columns before the first window is read:

    - ``version``: the state of the data (:func:`.cache.state`) that every window is read
      in, under which results computed from them are cached;
    - ``people``: ``relationship_id`` and ``person`` of each relationship with a text or
      media message (the pairs that the exchanges of all the windows hold), by id;
    - ``bounds``: each window's ``(start, length)`` in the timeline;
    - ``ids``: the ``message_id`` of every row of the timeline, in its order.
    """

    def __init__(
        self,
        version: str,
        people: pl.DataFrame,
        bounds: list[tuple[int, int]],
        ids: pl.Series,
        windows: Iterator[pl.DataFrame],
    ) -> None:
        self.version, self.people, self.bounds, self.ids = version, people, bounds, ids
        self._windows = windows

    def __iter__(self) -> AnalysisWindows:
        return self

    def __next__(self) -> pl.DataFrame:
        return next(self._windows)


PEOPLE_SCHEMA: dict[str, pl.DataType] = {"relationship_id": pl.Int64(), "person": pl.String()}
"""Columns of :attr:`AnalysisWindows.people`."""


def analysis_windows(
    db: Database,
    *,
    rows: int = 100_000,
    quiet: timedelta = timedelta(hours=24),
    text: bool = True,
) -> AnalysisWindows:
    """The analysis frame (:func:`.read.messages_frame`, same columns, types and rows)
    window by window: concatenated, the windows equal ``messages_frame(db, cache=False)``.
    The windows are the slices of :func:`~reciprocity.metrics.windows.window_bounds` with
    ``rows`` and ``quiet``; there are none when there is nothing to analyse.

    The key columns are read now; each window's rows when it is asked for, in a
    transaction of its own, so none is held open while the caller works (a long read
    would keep SQLite from checkpointing what the caller writes); if an import or a
    change to people lands meanwhile, :class:`~reciprocity.errors.StoreError` is raised
    rather than mixing two states of the data. With ``text=False`` the windows leave out
    ``text`` and ``reply_to_message_id``, and are cut from the key columns already read
    (about 45 bytes a message held until the last window) rather than read, so they all
    come from the state ``version`` names.
    """
    version, who, timeline = _timeline(db)
    if timeline is None:
        nothing = pl.Series("message_id", [], dtype=pl.Int64)
        return AnalysisWindows(version, pl.DataFrame(schema=PEOPLE_SCHEMA), [], nothing, iter(()))
    bounds = window_bounds(timeline, rows=rows, quiet=quiet)
    talking = (
        timeline.filter(pl.col("kind").is_in(CONVERSATIONAL_KINDS))
        .get_column("relationship_id")
        .unique()
        .sort()
    )
    name_of = dict(zip(who.relationships, who.names, strict=True))
    people = pl.DataFrame(
        {"relationship_id": talking, "person": [name_of[r] for r in talking]},
        schema=PEOPLE_SCHEMA,
    )
    ids = timeline.get_column("message_id")
    if not text:
        return AnalysisWindows(version, people, bounds, ids, _slices(timeline, who, bounds))
    # Only the ids (in timeline order) and their conversations are needed from here on.
    chats = timeline.get_column("conversation_id")
    del timeline
    windows = _windows(db, version, who, ids, chats, bounds)
    return AnalysisWindows(version, people, bounds, ids, windows)


def frame_without_text(db: Database) -> tuple[str, pl.DataFrame]:
    """The analysis frame (:func:`.read.messages_frame`: same rows, order and types)
    without ``text`` and ``reply_to_message_id``, and the state it was read in.

    Built from the key columns (those an import into an empty database left, or read
    without the text): at a million messages about 45 bytes a message instead of the
    hundred or more the text takes, and no text is read. Nothing is cached.
    """
    version, who, timeline = _timeline(db)
    if timeline is None:
        return version, pl.DataFrame(schema={c: FRAME_SCHEMA[c] for c in _WITHOUT_TEXT})
    return version, _without_text(timeline, who)


def _timeline(db: Database) -> tuple[str, Owners, pl.DataFrame | None]:
    """The state of the data, who its conversations belong to, and the analysis frame's
    key columns in timeline order (:func:`_in_timeline_order`; ``None`` when there is
    nothing to analyse), read in one transaction."""
    with db.engine.connect() as conn:
        version = cache_state(conn)
        who = owners(conn)
        keys = _keys(conn, who.chats, version) if who.chats else None
    return version, who, None if keys is None else _in_timeline_order(keys, who)


def _keys(conn: Connection, chats: list[int], version: str) -> pl.DataFrame:
    """:func:`.fetch.message_keys` of ``chats``: those an import into an empty database
    left (every conversation's, id order) when still current, else read."""
    kept = cache_load(conn, KEYS_CACHE_NAME, version)
    if kept is None:
        return message_keys(conn, chats)
    wanted = pl.Series(chats, dtype=pl.Int64).implode()
    return kept.filter(pl.col("conversation_id").is_in(wanted))


def _windows(
    db: Database,
    version: str,
    who: Owners,
    ids: pl.Series,
    chats: pl.Series,
    bounds: list[tuple[int, int]],
) -> Iterator[pl.DataFrame]:
    ranges, scattered = _plan(ids, bounds)
    for number, (start, length) in enumerate(bounds):
        order = ids.slice(start, length)
        with db.engine.connect() as conn:
            if cache_state(conn) != version:
                raise StoreError("the data changed during the analysis; run it again")
            raw = messages_in(
                conn,
                ranges.get(number, []),
                chats.slice(start, length).unique().sort().to_list(),
                scattered[number].to_list() if number in scattered else [],
            )
        raw = raw.sort("message_id")
        if not raw.get_column("message_id").equals(order.sort()):
            raise StoreError("the data changed during the analysis; run it again")
        # Back into timeline order: the row of the k-th smallest id is the k-th row of raw.
        yield shape(raw, who).gather(order.rank("ordinal") - 1)


def _slices(
    timeline: pl.DataFrame, who: Owners, bounds: list[tuple[int, int]]
) -> Iterator[pl.DataFrame]:
    """The windows without their text: slices of the timeline's key columns, with each
    row's person named as :func:`.read.shape` names it."""
    for start, length in bounds:
        yield _without_text(timeline.slice(start, length), who)


def _without_text(timeline: pl.DataFrame, who: Owners) -> pl.DataFrame:
    """Rows of :func:`_in_timeline_order` as the analysis frame's rows without their text,
    each row's person named as :func:`.read.shape` names it."""
    return timeline.with_columns(person_of(who), pl.col("kind").cast(pl.String)).select(
        _WITHOUT_TEXT
    )


def _in_timeline_order(keys: pl.DataFrame, who: Owners) -> pl.DataFrame:
    """``keys`` (in :data:`.fetch.KEY_SCHEMA`, id order) as the analysis frame's key columns,
    ordered exactly as :func:`.read.messages_frame` orders its rows: the same sort on the
    same keys in the same starting order, so even rows whose keys tie (possible across
    imports) come out alike."""
    frame = keys.select(
        relationship_of(who),
        "conversation_id",
        "message_id",
        sent_by_me(who),
        pl.col("timestamp").cast(pl.Datetime("us", "UTC")),
        "ordinal",
        "kind",
    )
    if in_timeline_order(frame):
        return frame
    return frame.sort(*TIMELINE_ORDER)


def _plan(
    ids: pl.Series, bounds: list[tuple[int, int]]
) -> tuple[dict[int, list[tuple[int, int]]], dict[int, pl.Series]]:
    """For each window (by number), the id ranges and the single ids to read it by.

    Taken in id order, the analysis frame's messages fall into runs that belong to one
    window each. An id range from a run's first to its last id holds no message of another
    window, only messages the frame leaves out (lines nobody sent, other conversations),
    which the query's own conditions drop: so a range reads exactly the run. Imports in
    time order give few, long runs; short runs are listed id by id.
    """
    import numpy as np  # only here: it would add a tenth of a second to every command

    lengths = np.array([length for _, length in bounds], dtype=np.int64)
    window = pl.Series("window", np.repeat(np.arange(len(bounds), dtype=np.int64), lengths))
    by_id = pl.DataFrame({"message_id": ids, "window": window}).sort("message_id")
    run = (pl.col("window") != pl.col("window").shift(1)).fill_null(True).cum_sum()
    by_id = by_id.with_columns(run.alias("run")).with_columns(
        (pl.len().over("run") >= _MIN_RUN).alias("long")
    )
    long = (
        by_id.filter("long")
        .group_by("run")
        .agg(
            pl.col("window").first(),
            pl.col("message_id").min().alias("low"),
            pl.col("message_id").max().alias("high"),
        )
        .sort("run")
    )
    ranges: dict[int, list[tuple[int, int]]] = {}
    for number, low, high in long.select("window", "low", "high").iter_rows():
        ranges.setdefault(number, []).append((low, high))
    # Kept as Series (8 bytes an id) until their window is read, not as Python ints.
    short = by_id.filter(~pl.col("long")).select("window", "message_id")
    scattered: dict[int, pl.Series] = {}
    for (number,), part in short.partition_by("window", as_dict=True).items():
        assert isinstance(number, int)
        scattered[number] = part.get_column("message_id")
    return ranges, scattered
