"""Derived frames kept inside the database (Arrow IPC), so reading them again is instant.

Building the analysis frame from a million stored messages takes about a second; loading
it back from the ``frame_cache`` table takes a few hundredths. A cached frame is tagged
with :func:`state`, which every write that can change it moves on (:func:`touch`), and
also carries the newest message id as a guard; a tag that no longer matches means the
frame is rebuilt. The cache is only ever an optimisation: failing to write it (a database
another import keeps busy, or a read-only one) is silently skipped, and deleting its rows
is always safe.

A frame too big to hold whole is saved in parts as it is built (:func:`derived_parts`):
rows ``name``, ``name#1``, ``name#2`` ..., the first tagged ``<state>|<parts>``.
"""

from __future__ import annotations

import contextlib
import io
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import polars as pl
from sqlalchemy import Connection, case, delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from reciprocity.errors import StoreBusy
from reciprocity.store.db import Database
from reciprocity.store.models import FrameCache, Message, Setting

_COUNTER = "data_version"
#: Moved on by what the pages show besides the messages (see :func:`touch_edits`).
_EDITS = "edits_version"
#: Seconds a cache write waits for another program's write: a journal entry takes a moment;
#: an import takes long, and what is built meanwhile is stale when it ends anyway.
CACHE_PATIENCE = 2.0


def touch(conn: Connection) -> None:
    """Record, inside the caller's transaction, that data behind derived frames changed."""
    _set(conn, _COUNTER, counter(conn) + 1)


def touch_edits(conn: Connection) -> None:
    """Record, inside the caller's transaction, a change to what the pages show besides
    the messages and their analysis: a journal entry, a need, a conversation record, an
    important mark, a setting. Derived frames stay; :func:`data_tag` moves, so that an
    app open beside the program that wrote shows it."""
    _set(conn, _EDITS, _count_of(conn, _EDITS) + 1)


def counter(conn: Connection) -> int:
    """The change counter :func:`touch` moves on (0 before the first change)."""
    return _count_of(conn, _COUNTER)


def _count_of(conn: Connection, key: str) -> int:
    return int(conn.scalar(select(Setting.value).where(Setting.key == key)) or 0)


def _set(conn: Connection, key: str, count: int) -> None:
    moved = conn.execute(update(Setting).where(Setting.key == key).values(value=str(count)))
    if not moved.rowcount:
        conn.execute(insert(Setting).values(key=key, value=str(count)))


def touch_past(conn: Connection, seen: int) -> None:
    """Like :func:`touch`, to a counter above both the current one and ``seen``: after the
    data was replaced wholesale (a restored backup), so that no tag seen before, by this
    process or another, can name the new data."""
    _set(conn, _COUNTER, max(counter(conn), seen) + 1)


def state(conn: Connection) -> str:
    """A tag for the current data: the change counter and the newest message id."""
    newest = conn.scalar(select(func.max(Message.id))) or 0
    return f"{counter(conn)}:{newest}"


def data_tag(db: Database) -> str:
    """A tag for everything the pages show of ``db`` now: :func:`state` and the count of
    :func:`touch_edits`. It moves whenever messages are saved, merged or removed, or a
    journal entry, a need, a mark or a setting is saved, by this program or another
    (``reciprocity import`` or ``reciprocity log`` in a terminal while the app runs)."""
    with db.engine.connect() as conn:
        return f"{state(conn)}/{_count_of(conn, _EDITS)}"


def _escaped(text: str) -> str:
    """``text`` for a LIKE pattern that matches it literally (with escape ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _parts(name: str) -> Any:
    """The rows holding the second and later parts of ``name`` (``name#1``, ``name#2`` ...)."""
    return FrameCache.name.like(_escaped(name) + "#%", escape="\\")


def _part_name(name: str, number: int) -> str:
    """The row holding part ``number`` (from 0) of the frame cached under ``name``."""
    return name if number == 0 else f"{name}#{number}"


def _clear(conn: Connection, name: str) -> None:
    """Delete what is cached under ``name``, every part of it, and every frame built from
    an earlier state of the data: none of those can be read again (:func:`load` wants the
    current state), and a database that lived through many imports and upgrades would
    otherwise keep them all."""
    conn.execute(delete(FrameCache).where(FrameCache.name == name))
    conn.execute(delete(FrameCache).where(_parts(name)))
    current = state(conn)
    conn.execute(
        delete(FrameCache).where(
            FrameCache.version != current,
            FrameCache.version.not_like(_escaped(current) + "|%", escape="\\"),
        )
    )


def _counted(version: str, parts: int) -> str:
    """The version written on the first row of a frame saved in ``parts`` parts (> 1)."""
    return f"{version}|{parts}"


def _part_count(tag: str, version: str) -> int | None:
    """How many parts the frame whose first row carries ``tag`` has, if it was built from
    ``version`` (``None``: from another state)."""
    if tag == version:
        return 1
    head, _, count = tag.rpartition("|")
    return int(count) if head == version and count.isdigit() else None


def load(
    conn: Connection, name: str, version: str, columns: Sequence[str] | None = None
) -> pl.DataFrame | None:
    """The frame cached under ``name`` if it was built from ``version``, else ``None``.

    A frame saved in parts (:func:`derived_parts`) comes back whole, its parts in order
    (its first row says how many there are); ``columns`` reads only those columns.
    """
    found = conn.execute(
        select(FrameCache.data, FrameCache.version).where(FrameCache.name == name)
    ).first()
    if found is None:
        return None
    data, tag = found
    parts = _part_count(tag, version)
    if parts is None:
        return None
    wanted = list(columns) if columns is not None else None
    frames = [_decode(data, wanted)]
    for number in range(1, parts):
        blob = conn.scalar(
            select(FrameCache.data).where(
                FrameCache.name == _part_name(name, number), FrameCache.version == version
            )
        )
        if blob is None:
            return None  # a part is missing or from another state: rebuild
        frames.append(_decode(blob, wanted))
    return frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical")


def cached(db: Database, name: str, version: str | None = None) -> pl.DataFrame | None:
    """The frame cached under ``name`` if it was built from ``version`` (by default the
    current state of the data), else ``None``."""
    with db.engine.connect() as conn:
        return load(conn, name, state(conn) if version is None else version)


def is_cached(db: Database, name: str) -> bool:
    """Whether a frame is cached under ``name`` for the current data (nothing is read)."""
    with db.engine.connect() as conn:
        version = state(conn)
        tag = conn.scalar(select(FrameCache.version).where(FrameCache.name == name))
    return tag is not None and _part_count(tag, version) is not None


def derived_parts(
    db: Database,
    name: str,
    build: Callable[[], Iterable[pl.DataFrame]],
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """:func:`derived` for a frame built in parts (a long chat, a bounded slice at a time).

    Each part is written to the cache as it comes and only ``columns`` of it are kept, so
    the whole frame is never in memory at once; the result is those columns of the whole
    frame (all of them when ``columns`` is ``None``), read back from the cache when valid.
    """
    with db.engine.connect() as conn:
        version = state(conn)
        cached = load(conn, name, version, columns)
    if cached is not None:
        return cached
    kept: list[pl.DataFrame] = []
    with FrameWriter(db, version) as writer:
        for part in build():
            kept.append(part if columns is None else part.select(columns))
            writer.add(name, part)
            del part
        writer.commit()
    return kept[0] if len(kept) == 1 else pl.concat(kept, how="vertical")


class FrameWriter:
    """Caches frames built from data in state ``version`` (:func:`state`), each whole or
    in parts as they come: they appear together at :meth:`commit`, and nothing is kept if
    the block ends without it.

    Each part is written in a short transaction of its own, tagged as this writer's and not
    yet readable; :meth:`commit` makes them readable in one more. The write lock is never
    held across the analysis that builds them, so a journal entry or another import
    written meanwhile waits a moment at most (one long transaction made them wait for the
    whole analysis, long enough to fail). Parts another writer removed meanwhile (the data
    changed, or another analysis of the same data started over) are left unreadable.

    Each frame is encoded (:func:`_encode`) on a thread of its own while the caller builds the
    next (Polars lets go of the interpreter lock for both), and written as soon as the one
    after it is handed over, so at most two are held. A database that stays busy (another
    import) or refuses the write quietly stops the writing: the cache is only an optimisation.
    """

    def __init__(self, db: Database, version: str) -> None:
        self.db, self.version = db, version
        # What this writer's rows carry until commit: never a readable tag (see _part_count).
        self.pending = f"{version}|~{uuid.uuid4().hex}"
        self.stack = ExitStack()
        self.pool = self.stack.enter_context(
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="reciprocity-encode")
        )
        self.failed = False
        self.written = False
        self.parts: dict[str, int] = {}  # name -> parts written so far
        # An in-memory database has one connection per thread, which a write from the
        # encoding thread would not share with the caller's reads: its frames are written at
        # commit.
        self.held: list[tuple[str, int, bytes]] | None = None if db.threads_share else []
        self.encoding: tuple[str, Future[bytes]] | None = None
        self.lock = threading.Lock()  # add and commit may come from several threads

    def __enter__(self) -> FrameWriter:
        return self

    def add(self, name: str, frame: pl.DataFrame) -> None:
        """Cache ``frame`` as the next part of ``name`` (the first replaces whatever was
        cached under the name)."""
        with self.lock:
            encoding = (name, self.pool.submit(_encode, frame))
            if self.encoding is not None:
                self._write(*self.encoding)
            self.encoding = encoding

    def _write(self, name: str, encoding: Future[bytes]) -> None:
        data = encoding.result()
        number = self.parts.get(name, 0)
        self.parts[name] = number + 1
        if self.held is not None:
            self.held.append((name, number, data))
        else:
            self._insert(name, number, data)

    def _insert(self, name: str, number: int, data: bytes) -> None:
        if self.failed:
            return
        try:
            with self.db.write(patience=CACHE_PATIENCE) as conn:
                if number == 0:
                    _clear(conn, name)
                conn.execute(
                    insert(FrameCache).values(
                        name=_part_name(name, number), version=self.pending, data=data
                    )
                )
            self.written = True
        except (SQLAlchemyError, StoreBusy):
            self._give_up()

    def commit(self) -> None:
        """Make every frame written so far visible."""
        with self.lock:
            self._commit()

    def _commit(self) -> None:
        if self.encoding is not None:
            self._write(*self.encoding)
            self.encoding = None
        if self.held:
            for held in self.held:
                self._insert(*held)
            self.held.clear()
        if self.failed or not self.parts:
            return
        try:
            with self.db.write(patience=CACHE_PATIENCE) as conn:
                for name, parts in self.parts.items():
                    mine = _mine(name, self.pending)
                    found = select(func.count()).select_from(FrameCache).where(mine)
                    if conn.scalar(found) != parts:
                        continue  # some part was removed by another writer: leave it unread
                    first = self.version if parts == 1 else _counted(self.version, parts)
                    conn.execute(
                        update(FrameCache)
                        .where(mine)
                        .values(version=case((FrameCache.name == name, first), else_=self.version))
                    )
        except (SQLAlchemyError, StoreBusy):
            self._give_up()
            return
        self.written = False

    def _give_up(self) -> None:
        self.failed = True

    def __exit__(self, *exc: object) -> None:
        self.stack.close()
        if self.written:  # not committed (an exception, or a busy database): drop its rows
            with (
                contextlib.suppress(SQLAlchemyError, StoreBusy),
                self.db.write(patience=CACHE_PATIENCE) as conn,
            ):
                conn.execute(delete(FrameCache).where(FrameCache.version == self.pending))


def _mine(name: str, pending: str) -> Any:
    """The rows of ``name`` (every part) still carrying the tag ``pending``."""
    return (FrameCache.version == pending) & ((FrameCache.name == name) | _parts(name))


def derived(db: Database, name: str, build: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """The frame cached under ``name`` for the current data, building and caching it if needed.

    ``name`` must say everything the frame depends on besides the stored messages (the
    detector's version, a setting such as the silence gap), so that a change of those
    reads as a different frame rather than a stale one.
    """
    with db.engine.connect() as conn:
        version = state(conn)
        cached = load(conn, name, version)
    if cached is not None:
        return cached
    frame = build()
    # Data written while we built makes `version` old; the next call then rebuilds.
    save(db, name, version, frame)
    return frame


def save(db: Database, name: str, version: str, frame: pl.DataFrame) -> bool:
    """Cache ``frame`` under ``name`` (replacing any parts of an earlier frame there);
    ``False`` (and nothing written) if the database stays busy for :data:`CACHE_PATIENCE`."""
    data = _encode(frame)
    try:
        with db.write(patience=CACHE_PATIENCE) as conn:
            _clear(conn, name)
            conn.execute(insert(FrameCache).values(name=name, version=version, data=data))
    except (SQLAlchemyError, StoreBusy):
        return False
    return True


def _encode(frame: pl.DataFrame) -> bytes:
    """``frame`` as the bytes the cache keeps: an Arrow IPC file, compressed with zstd.

    Against Parquet (zstd level 1, no statistics), the analysis's biggest frame (a million
    rows of sixty columns, most of them Boolean) takes 0.25 s of processor time to write
    instead of 0.44 and 12 MB instead of 15; reading it back takes a fifth longer.
    """
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="zstd")
    return buffer.getvalue()


def _decode(data: bytes, columns: list[str] | None) -> pl.DataFrame:
    """The frame :func:`_encode` made, only ``columns`` of it when given."""
    return pl.read_ipc(io.BytesIO(data), columns=columns)
