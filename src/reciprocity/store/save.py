"""Saving parsed messages: the one write path, one transaction per imported file.

:func:`import_batches` takes the batches a parser yields (``MESSAGE_SCHEMA`` frames) and
writes them with the people, conversations and import record they need. Any exception,
whether the parser's ``ImportFailed`` halfway through the file or a database error, rolls
back everything, people included. Messages already stored (same fingerprint) are skipped
by the database itself (``ON CONFLICT DO NOTHING``), so re-importing adds nothing.

Speed: the per-message work is vectorised in Polars except the hash; :mod:`.bulk` writes the
rows (a million messages in a few seconds on SQLite).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import BigInteger, Connection, cast, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased

from reciprocity.errors import ImportFailed, Problem, StoreError
from reciprocity.ingest.base import MESSAGE_SCHEMA, REACTION, TARGET_AT
from reciprocity.store import conversations
from reciprocity.store.bulk import insert_ignoring_duplicates, insert_messages
from reciprocity.store.cache import save as cache_save
from reciprocity.store.cache import state as cache_state
from reciprocity.store.cache import touch
from reciprocity.store.db import Database, begin_write, shares_threads
from reciprocity.store.fingerprint import Sequencer, digests, keys, micros
from reciprocity.store.groupflag import mark_groups
from reciprocity.store.models import Conversation, Identity, Import, Message, Participant
from reciprocity.store.people import Directory, MeUnknown
from reciprocity.store.read import (
    KEYS_CACHE_NAME,
    SENDERS_CACHE_NAME,
    sender_counts,
)

# Columns written per message, in statement order (import_id is added as a literal).
_COLUMNS = (
    "conversation_id",
    "sender_identity_id",
    "timestamp_us",
    "ordinal",
    "text",
    "kind",
    "source_id",
    "reply_to_source_id",
    "line",
    "fingerprint",
)
# Left out of a batch's statement when null throughout (WhatsApp has neither): fewer
# parameters to bind per row is measurably faster.
_OPTIONAL = frozenset({"source_id", "reply_to_source_id"})
_SENDERS_SHOWN = 12
# What an import into an empty database keeps of each batch to plan the analysis windows.
_KEPT = ("conversation_id", "sender_identity_id", "ts_us", "ordinal", "kind")
#: Messages whose texts :class:`Derived` gets at once (at least; the last call gets the
#: rest): each call may have a fixed cost, and what waits for it is held in memory.
DERIVE_ROWS = 100_000
#: Seconds an import waits for another program's write (another import) to finish.
IMPORT_PATIENCE = 30 * 60.0
#: Use the driver-level bulk routes of :mod:`.bulk` (tests turn them off to exercise the
#: portable route).
FAST_BULK = True


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What one import did.

    ``messages_seen`` in the file, ``messages_added`` new ones, ``duplicates`` skipped
    because they were already stored; ``conversations`` in the file; ``people_added`` new
    people (not counting the user); ``me`` the user's handle in this file.
    ``reactions_seen`` and ``reactions_added``: the reactions (``kind`` "reaction"), which
    the message counts leave out.
    """

    messages_seen: int
    messages_added: int
    duplicates: int
    conversations: int
    people_added: int
    me: str | None
    reactions_seen: int = 0
    reactions_added: int = 0


@dataclass(frozen=True)
class Derived:
    """Per-message columns computed from the text while an import streams in, so that
    the analysis need not read the text back.

    ``columns`` maps texts (of messages with a sender, in file order; a text may be null)
    to a frame with one row per text, the same whether it gets them all at once or in
    parts. When the import goes into an empty SQLite database, :func:`import_batches`
    calls it on a thread alongside the save, with :data:`DERIVE_ROWS` texts or more at a
    time, and caches the rows under ``name`` with a ``message_id`` column: a row per
    message with a sender, in id order. Otherwise it is not called.
    """

    name: str
    columns: Callable[[pl.Series], pl.DataFrame]


def import_batches(
    db: Database,
    batches: Iterable[pl.DataFrame],
    *,
    file: str,
    me: str | None,
    format: str,
    derived: Derived | None = None,
    on_wait: Callable[[], None] | None = None,
    patience: float = IMPORT_PATIENCE,
    groups: Sequence[tuple[str, str]] | None = None,
) -> ImportResult:
    """Save every batch in one transaction and say what was new.

    ``file`` names the source in the import history (and is hashed when it exists);
    ``me`` is the user's name as the file writes it, or ``None`` to recognise the user
    from earlier imports. Raises :class:`~reciprocity.store.people.MeUnknown` when the user
    cannot be found among the senders, :class:`~reciprocity.errors.StoreError` when the
    database refuses the write, and lets the parser's ``ImportFailed`` through; in every
    case nothing is written. ``derived``: see :class:`Derived`.

    While another program writes to the database (another import), this one waits its
    turn, up to ``patience`` seconds, calling ``on_wait`` once when it starts waiting
    (:func:`~reciprocity.store.db.begin_write`); then it raises
    :class:`~reciprocity.errors.StoreBusy`, having written nothing.

    ``groups``: the ``(source, conversation)`` of the batches' chats that their export
    calls group chats (filled while the batches are read, :meth:`.ingest.Options.group`);
    they are marked groups at the end, however few people wrote in them.
    """
    errors: tuple[type[BaseException], ...] = (SQLAlchemyError,)
    driver = getattr(db.engine.dialect, "loaded_dbapi", None)
    if driver is not None:
        errors = (SQLAlchemyError, driver.Error)
    try:
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="reciprocity-sha") as pool,
            db.engine.connect() as conn,
            db.big_write(conn.connection.dbapi_connection),
            begin_write(conn, patience=patience, on_wait=on_wait),
        ):
            # The file's checksum is read alongside (hashlib lets go of the interpreter
            # lock) and recorded at the end.
            checksum = pool.submit(_sha256, file)
            saver = _Saver(conn, file=file, me=me, format=format, derived=derived)
            try:
                for batch, digest in _hashed_ahead(batches):
                    saver.add(batch, digest)
                result = saver.finish(checksum.result(), groups or ())
            finally:
                saver.close()
    except errors as exc:
        reason = getattr(exc, "orig", None) or exc
        raise StoreError(
            f"could not save {file} to {db}: {reason}. Nothing was written; if another "
            "Reciprocity is running, let it finish and try again."
        ) from exc
    db.checkpoint_later()
    if saver.frame is not None:
        # The key columns of what was just written (and the messages per sender), so the
        # analysis does not read a million rows back to plan its windows; tagged with the
        # state inside the import, so any later write makes them stale.
        version, keys, counts, found = saver.frame
        saver.frame = None
        cache_save(db, KEYS_CACHE_NAME, version, keys)
        cache_save(db, SENDERS_CACHE_NAME, version, counts)
        if derived is not None and found is not None:
            cache_save(db, derived.name, version, found)
    return result


#: Reaction rows (see :mod:`reciprocity.ingest.base`), and the rows the analysis reads as
#: messages: sent by someone, and not reactions.
_REACTING = pl.col("kind") == REACTION
_ANALYSED = pl.col("sender_identity_id").is_not_null() & ~_REACTING

#: Rows missing what every message needs. Parsers guarantee these; a gap is a parser bug,
#: which :meth:`_Saver.add` reports with its lines.
_GAP = pl.any_horizontal(pl.col("timestamp", "source", "conversation", "kind").is_null())


def _typed(batch: pl.DataFrame) -> pl.DataFrame:
    return batch.select(pl.col(name).cast(dtype) for name, dtype in MESSAGE_SCHEMA.items())


def _digest(batch: pl.DataFrame) -> pl.Series | None:
    """The fingerprint digests of a batch's rows, or ``None`` when the batch has a gap that
    :meth:`_Saver.add` reports (the digests are then never needed)."""
    if batch.height == 0:
        return None
    typed = _typed(batch)
    if typed.select(_GAP.any()).item():
        return None
    return digests(keys(typed.with_columns(ts_us=pl.col("timestamp").dt.epoch("us"))))


def _hashed_ahead(
    batches: Iterable[pl.DataFrame],
) -> Iterator[tuple[pl.DataFrame, pl.Series | None]]:
    """Each batch with its digests, hashed on a thread one batch ahead of the save.

    Hashing is a Python loop; SQLite inserts the previous batch without the interpreter
    lock meanwhile, so the two overlap instead of taking turns.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reciprocity-hash") as pool:
        pending: tuple[pl.DataFrame, Future[pl.Series | None]] | None = None
        for batch in batches:
            ahead = (batch, pool.submit(_digest, batch))
            if pending is not None:
                yield pending[0], pending[1].result()
            pending = ahead
        if pending is not None:
            yield pending[0], pending[1].result()


def _sha256(file: str) -> str | None:
    path = Path(file)
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    # One buffer read into again and again: a fresh megabyte per read would be fresh pages
    # from the system each time.
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as fh:
        while size := fh.readinto(buffer):
            digest.update(view[:size])
    return digest.hexdigest()


class _Deriving:
    """A :class:`Derived` running on a thread of its own over the texts it is given, in
    groups of :data:`DERIVE_ROWS` or more."""

    def __init__(self, derived: Derived) -> None:
        self.derived = derived
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reciprocity-derive")
        self.waiting: list[pl.Series] = []
        self.rows = 0
        self.running: list[Future[pl.DataFrame]] = []

    def add(self, texts: pl.Series) -> None:
        self.waiting.append(texts)
        self.rows += texts.len()
        if self.rows >= DERIVE_ROWS:
            self._start()

    def _start(self) -> None:
        if self.waiting:
            texts = pl.concat(self.waiting, how="vertical")
            self.waiting, self.rows = [], 0
            self.running.append(self.pool.submit(self.derived.columns, texts))

    def result(self) -> pl.DataFrame | None:
        """Every row so far, in order (``None`` for no texts)."""
        self._start()
        frames = [job.result() for job in self.running]
        self.running = []
        return pl.concat(frames, how="vertical") if frames else None

    def close(self) -> None:
        """Drop what is still waiting and let the thread finish."""
        self.waiting = []
        for job in self.running:
            job.cancel()
        self.pool.shutdown(wait=True)


class _Saver:
    """The state of one import while its batches stream in."""

    def __init__(
        self,
        conn: Connection,
        *,
        file: str,
        me: str | None,
        format: str,
        derived: Derived | None = None,
    ) -> None:
        self.conn = conn
        self.file = file
        self.me = me
        self.people = Directory(conn, me)
        # Nobody is known as "me" and no --me: collect the senders for the error, write nothing.
        self.listing_only = me is None and self.people.me_id is None
        self.fast = FAST_BULK
        self.sequencer = Sequencer()
        # (platform, title in the file) -> conversation id, and each one's stored title
        self.conversations: dict[tuple[str, str], int] = {}
        self.titles: dict[int, str] = {}
        # (platform, title in the file) -> its number in this import (see `_numbered`)
        self.chat_numbers: dict[tuple[str, str], int] = {}
        self.platforms: dict[int, str] = {}
        self.senders: Counter[str] = Counter()
        self.me_seen: set[str] = set()
        self.participants: set[tuple[int, int]] = set()
        self.with_replies: set[int] = set()
        self.seen = 0
        self.reactions_seen = 0
        # Rows written, reactions included (ids follow them; see `_inserted`).
        self.added = 0
        # The key columns of an import into an empty SQLite database, kept to plan the
        # analysis windows without reading them back (None once that is not possible).
        self.kept: list[pl.DataFrame] | None = None
        empty = conn.scalar(select(func.max(Message.id))) is None
        if conn.dialect.name == "sqlite" and not self.listing_only and empty:
            self.kept = []
        # The derived columns of the kept rows, while they are kept.
        self.deriving = _Deriving(derived) if derived and self.kept is not None else None
        self.frame: tuple[str, pl.DataFrame, pl.DataFrame, pl.DataFrame | None] | None = None
        # Inserting a batch (SQLite works without the interpreter lock) on a thread while
        # the next one is prepared; only where the driver allows a connection to be used
        # from another thread (files, not SQLite's in-memory databases) and one at a time.
        self.writer: ThreadPoolExecutor | None = None
        self.in_flight: tuple[pl.DataFrame, Future[int]] | None = None
        if shares_threads(conn.engine):
            self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reciprocity-save")
        key = conn.execute(
            insert(Import).values(
                file=file,
                format=format,
                imported_at_us=micros(datetime.now(UTC)),
            )
        ).inserted_primary_key
        assert key is not None
        self.import_id = int(key[0])

    def add(self, batch: pl.DataFrame, digest: pl.Series | None = None) -> None:
        """Save one batch (``MESSAGE_SCHEMA`` columns, file order); ``digest`` is its rows'
        :func:`.fingerprint.digests` when already computed."""
        if batch.height == 0:
            return
        titles = batch.select("source", "conversation").unique()
        if sum(key not in self.conversations for key in titles.iter_rows()) > 1:
            # Chats new to this import are placed one at a time, each after the rows of
            # those before it are written: the same chat twice in one zip is found the
            # first time, not only on the next import (see :mod:`.conversations`).
            numbered = batch.with_row_index("_at")
            for part in numbered.partition_by("source", "conversation", maintain_order=True):
                at = part.get_column("_at")
                self.add(part.drop("_at"), None if digest is None else digest.gather(at))
            return
        batch = _typed(batch)
        self._check(batch)
        reacting = _REACTING
        reactions = batch.select(reacting.sum()).item()
        self.reactions_seen += reactions
        self.seen += batch.height - reactions
        said = batch.filter(~reacting) if reactions else batch
        counts = said.group_by("sender", maintain_order=True).len().drop_nulls("sender")
        self.senders.update(dict(counts.iter_rows()))
        if self.listing_only:
            return
        frame, rekeyed = self._with_ids(batch)
        if rekeyed:
            digest = None  # hashed ahead with the file's title: hash again with the stored one
        if self.deriving is not None:
            # the rows `_inserted` keeps, in the same order
            self.deriving.add(frame.filter(_ANALYSED).get_column("text"))
        self._insert(self._numbered(frame, digest))

    def _check(self, batch: pl.DataFrame) -> None:
        missing = batch.filter(_GAP)
        if missing.height:
            lines = missing["line"].head(5).to_list()
            raise ImportFailed(
                [
                    Problem(self.file, line, "message without a time, conversation or kind")
                    for line in lines
                ]
            )

    def _with_ids(self, batch: pl.DataFrame) -> tuple[pl.DataFrame, bool]:
        """Add conversation, sender identity and time in µs to every row; and whether some
        rows' ``conversation`` was changed to the title of the stored conversation they
        belong to (their fingerprints are then keyed with it, see :mod:`.conversations`)."""
        titles = batch.select("source", "conversation").unique(maintain_order=True)
        senders = batch.select("source", "sender").drop_nulls().unique(maintain_order=True)
        known = all(key in self.conversations for key in titles.iter_rows())
        if not (known and self.people.knows(senders.iter_rows())):
            self.settle()  # what follows reads and writes the database
        ids = self.people.identities(senders.iter_rows())
        senders = senders.with_columns(
            sender_identity_id=pl.Series(
                [ids[pair] for pair in senders.iter_rows()], dtype=pl.Int64
            )
        )
        for (_, handle), identity_id in ids.items():
            if self.people.person_of[identity_id] == self.people.me_id:
                self.me_seen.add(handle)
        frame = batch.join(
            senders, on=["source", "sender"], how="left", maintain_order="left"
        ).with_columns(ts_us=pl.col("timestamp").dt.epoch("us"))
        new = [key for key in titles.iter_rows() if key not in self.conversations]
        if new:
            # Each new chat is placed by its own rows (one pass for a file of many chats).
            chats = frame.partition_by("source", "conversation", as_dict=True)
            for platform, title in new:
                self._place(platform, title, chats[(platform, title)])
        conversation_ids = [self.conversations[key] for key in titles.iter_rows()]
        titles = titles.with_columns(
            conversation_id=pl.Series(conversation_ids, dtype=pl.Int64),
            _chat=pl.Series([self.chat_numbers[key] for key in titles.iter_rows()], dtype=pl.Int64),
            _stored=pl.Series([self.titles[c] for c in conversation_ids], dtype=pl.String),
        )
        rekeyed = bool(titles.select((pl.col("_stored") != pl.col("conversation")).any()).item())
        frame = frame.join(titles, on=["source", "conversation"], how="left", maintain_order="left")
        frame = frame.with_columns(conversation=pl.col("_stored")).drop("_stored")
        pairs = frame.select("conversation_id", "sender_identity_id").drop_nulls().unique()
        self.participants.update(pairs.iter_rows())
        replying = frame.filter(pl.col("reply_to").is_not_null())["conversation_id"].unique()
        self.with_replies.update(replying.to_list())
        return frame, rekeyed

    def _place(self, platform: str, title: str, rows: pl.DataFrame) -> None:
        """Find the conversation the new chat ``title`` belongs to from its first ``rows``
        (see :mod:`.conversations`), or create it."""
        senders = rows.select("sender", "sender_identity_id").drop_nulls().unique()
        others = {
            (name, int(identity))
            for name, identity in senders.iter_rows()
            if self.people.person_of[identity] != self.people.me_id
        }
        ours = {i for _, i in others}
        # Chats placed earlier in this import: their people are recorded only at the end.
        placed = {
            conversation
            for conversation, identity in self.participants
            if identity in ours and self.platforms[conversation] == platform
        }
        found = conversations.find(
            self.conn,
            platform,
            title,
            rows,
            ours,
            also=[conversations.Stored(c, self.titles[c]) for c in sorted(placed)],
        )
        if found is None:
            stored = conversations.free_title(
                self.conn, platform, title, [name for name, _ in others]
            )
            pk = self.conn.execute(
                insert(Conversation).values(platform=platform, title=stored)
            ).inserted_primary_key
            assert pk is not None
            found = conversations.Stored(int(pk[0]), stored)
        self.conversations[(platform, title)] = found.id
        self.chat_numbers[(platform, title)] = len(self.chat_numbers)
        self.platforms[found.id] = platform
        self.titles[found.id] = found.title

    def _numbered(self, frame: pl.DataFrame, digest: pl.Series | None) -> pl.DataFrame:
        """Add ``ordinal`` and ``fingerprint``; ``digest`` is the rows' digests when hashed
        already."""
        if digest is None:
            digest = digests(keys(frame))
        frame = frame.with_columns(digest=digest, has_id=pl.col("source_id").is_not_null())
        # Numbered per chat of the file, not per stored conversation: the same chat twice
        # in one import (two copies in a zip) numbers alike, and the second adds nothing.
        stored = frame.get_column("conversation_id")
        frame = (
            self.sequencer.number(frame.with_columns(conversation_id=pl.col("_chat")))
            .with_columns(conversation_id=stored)
            .with_row_index("_row")
        )
        repeats = frame.filter(pl.col("repeat") > 0)
        fingerprints = frame["digest"]
        if repeats.height:
            # Rare (identical messages in the same instant): re-hash with the repeat count.
            again = keys(repeats) + "|" + repeats["repeat"].cast(pl.String)
            fingerprints = fingerprints.scatter(repeats["_row"], digests(again))
        return frame.with_columns(
            fingerprint=fingerprints,
            timestamp_us=pl.col("ts_us"),
            reply_to_source_id=pl.col("reply_to"),
        )

    def _insert(self, frame: pl.DataFrame) -> None:
        """Write ``frame``'s rows, on the writer thread when there is one: the next batch
        is prepared meanwhile. At most one batch is in flight."""
        columns = [
            name
            for name in _COLUMNS
            if name not in _OPTIONAL or frame[name].null_count() < frame.height
        ]
        self.settle()
        if self.writer is None:
            self._inserted(
                frame, insert_messages(self.conn, frame, columns, self.import_id, fast=self.fast)
            )
            return
        job = self.writer.submit(
            insert_messages, self.conn, frame, columns, self.import_id, fast=self.fast
        )
        self.in_flight = (frame, job)

    def settle(self) -> None:
        """Wait for the batch in flight (raising what its insert raised), so that the
        connection is free again."""
        if self.in_flight is not None:
            frame, job = self.in_flight
            self.in_flight = None
            self._inserted(frame, job.result())

    def _inserted(self, frame: pl.DataFrame, added: int) -> None:
        if self.kept is not None:
            if added != frame.height:
                self.kept = None  # some rows were already there: read back instead
                self._stop_deriving()
            else:
                # Position in insertion order (ids follow it); lines nobody sent and
                # reactions are never analysed as messages, so they are left out now, a
                # batch at a time.
                self.kept.append(
                    frame.select(_KEPT)
                    .with_columns(
                        pl.int_range(self.added, self.added + added, dtype=pl.Int64).alias("_pos")
                    )
                    .filter(_ANALYSED)
                )
        self.added += added

    def _stop_deriving(self) -> None:
        if self.deriving is not None:
            self.deriving.close()
            self.deriving = None

    def close(self) -> None:
        """Let the writer and derive threads finish (whatever happened), before the
        transaction ends."""
        self._stop_deriving()
        if self.writer is not None:
            if self.in_flight is not None:
                self.in_flight[1].exception()  # wait; the error, if any, is raised elsewhere
                self.in_flight = None
            self.writer.shutdown(wait=True)
            self.writer = None

    def finish(
        self, sha256: str | None = None, groups: Sequence[tuple[str, str]] = ()
    ) -> ImportResult:
        """Check that the user was found, then link replies and record the import (with
        the file's ``sha256`` when known); the chats of ``groups`` (``(source,
        conversation)`` as the batches name them) are marked groups."""
        self.settle()
        self._check_me()
        if self.participants:
            self.conn.execute(
                insert_ignoring_duplicates(self.conn, Participant),
                [{"conversation_id": c, "identity_id": i} for c, i in sorted(self.participants)],
            )
            mark_groups(self.conn)
        declared = sorted({self.conversations[key] for key in groups if key in self.conversations})
        regrouped = 0
        if declared:
            regrouped = self.conn.execute(
                update(Conversation)
                .where(Conversation.id.in_(declared), ~Conversation.is_group)
                .values(is_group=True)
            ).rowcount
        if self.with_replies:
            self._link_replies()
        # A chat that became a group changes the analysis even when nothing was added.
        if self.added or self.people.identities_added or regrouped:
            touch(self.conn)
        if self.kept:
            self.frame = self._keys(self.kept)
        self.kept = None
        reactions = self._reactions_added()
        messages = self.added - reactions
        self.conn.execute(
            update(Import)
            .where(Import.id == self.import_id)
            .values(messages_seen=self.seen, messages_added=messages, sha256=sha256)
        )
        return ImportResult(
            messages_seen=self.seen,
            messages_added=messages,
            duplicates=self.seen - messages,
            conversations=len(set(self.conversations.values())),
            people_added=self.people.people_added,
            me=self.me if self.me is not None else min(self.me_seen, default=None),
            reactions_seen=self.reactions_seen,
            reactions_added=reactions,
        )

    def _reactions_added(self) -> int:
        """How many of the rows this import wrote are reactions (counted only when the
        file had any: most have none, and then nothing is read)."""
        if not self.reactions_seen or not self.added:
            return 0
        return int(
            self.conn.scalar(
                select(func.count()).where(
                    Message.import_id == self.import_id, Message.kind == REACTION
                )
            )
            or 0
        )

    def _keys(
        self, kept: list[pl.DataFrame]
    ) -> tuple[str, pl.DataFrame, pl.DataFrame, pl.DataFrame | None] | None:
        """The state they belong to, the key columns of this import's messages with a
        sender (:func:`.fetch.message_keys` of every conversation), the messages per sender
        and the :class:`Derived` columns with ``message_id``, when every row was added to
        an empty table (so the messages got consecutive ids in file order)."""
        low, high, count = self.conn.execute(
            select(func.min(Message.id), func.max(Message.id), func.count())
        ).one()
        if count != self.added or low is None or high - low + 1 != count:
            return None
        keys = pl.concat(kept, how="vertical").select(
            (pl.col("_pos") + low).alias("message_id"),
            pl.col("conversation_id").cast(pl.Int64),
            pl.col("sender_identity_id").cast(pl.Int64).alias("sender"),
            pl.col("ts_us").cast(pl.Int64).alias("timestamp"),
            pl.col("ordinal").cast(pl.Int64),
            pl.col("kind").cast(pl.Categorical),
        )
        found = None
        if self.deriving is not None:
            found = self.deriving.result()
            if found is not None and found.height == keys.height:
                found = found.with_columns(keys.get_column("message_id"))
            else:  # pragma: no cover - `derived` broke its promise: leave the cache out
                found = None
        return cache_state(self.conn), keys, sender_counts(keys), found

    def _check_me(self) -> None:
        if not self.senders:
            return
        ranked = [f"{name} ({n:,})" for name, n in self.senders.most_common(_SENDERS_SHOWN)]
        if len(self.senders) > _SENDERS_SHOWN:
            ranked.append(f"and {len(self.senders) - _SENDERS_SHOWN} more")
        found = ", ".join(ranked)
        if self.me is not None and self.me not in self.senders:
            raise MeUnknown(
                f"{self.file}: nobody called {self.me!r} wrote in this file. Senders found "
                f"(most messages first): {found}."
            )
        if self.me is None and not self.me_seen:
            raise MeUnknown(f"{self.file}: which of these senders is you? {found}.")

    def _link_replies(self) -> None:
        """Resolve ``reply_to_source_id`` to our message ids in the touched conversations."""
        target = aliased(Message)
        replied = (
            select(target.id)
            .where(
                target.conversation_id == Message.conversation_id,
                target.source_id == Message.reply_to_source_id,
            )
            .limit(1)
            .scalar_subquery()
        )
        statement = update(Message).where(
            Message.reply_to_source_id.is_not(None), Message.reply_to_id.is_(None)
        )
        conversations = sorted(self.with_replies)
        # Past SQLite's parameter limit it is cheaper to look at every pending reply.
        if len(conversations) < 30000:
            statement = statement.where(Message.conversation_id.in_(conversations))
        self.conn.execute(statement.values(reply_to_id=replied))
        if self.reactions_seen:
            self._link_reactions(conversations)

    def _link_reactions(self, conversations: list[int]) -> None:
        """Resolve the reactions that name their message by its sender and time
        (:func:`reciprocity.ingest.base.target_at`: ``at:<20-digit µs>:<sender>``): the
        message of that conversation at that time, not a reaction, whose sender has that
        handle (any sender when the reference names none). The time is read by position,
        so the look-up uses the messages' (conversation, time) index."""
        target = aliased(Message)
        reference = Message.reply_to_source_id
        handle = func.substr(reference, len(TARGET_AT) + 22)
        stamp = cast(func.substr(reference, len(TARGET_AT) + 1, 20), BigInteger)
        named = select(Identity.id).where(Identity.handle == handle)
        found = (
            select(target.id)
            .where(
                target.conversation_id == Message.conversation_id,
                target.timestamp_us == stamp,
                target.kind != REACTION,
                (handle == "") | target.sender_identity_id.in_(named),
            )
            .order_by(target.ordinal)
            .limit(1)
            .scalar_subquery()
        )
        statement = update(Message).where(
            Message.kind == REACTION,
            reference.startswith(TARGET_AT),
            Message.reply_to_id.is_(None),
        )
        if len(conversations) < 30000:
            statement = statement.where(Message.conversation_id.in_(conversations))
        self.conn.execute(statement.values(reply_to_id=found))
