"""iMessage and SMS from a Mac: the Messages app's own database, ``~/Library/Messages/chat.db``.

The file is an SQLite database, opened read-only and immutable (nothing is written next to
it, not even a lock). Messages keeps its latest messages in ``chat.db-wal`` beside it until
it folds them into ``chat.db``; when that file is there (copied along with ``chat.db``),
both are copied to a private temporary folder and read from there, so the latest messages
come in too and the originals stay untouched. Tables used:

- ``message``: ``ROWID``, ``guid``, ``text``, ``attributedBody`` (the text as an archived
  NSAttributedString; newer macOS versions leave ``text`` empty and keep only this),
  ``date`` (Apple time: since 2001-01-01 UTC, in seconds on old versions and nanoseconds
  since macOS 10.13), ``is_from_me``, ``handle_id``, ``associated_message_type`` and
  ``associated_message_guid`` (a tapback, see below), ``thread_originator_guid`` (the
  message a reply answers), ``cache_has_attachments``, ``item_type`` (0 a message; others
  are group changes and FaceTime notices).
- ``handle``: the other person's phone number or email address (``id``).
- ``chat`` (``chat_identifier``, ``display_name``, ``style``: 43 a group, 45 one person),
  ``chat_message_join`` and ``chat_handle_join``.

Each chat is a conversation: its ``display_name`` when the group has one, else its
people's numbers or addresses. Senders are numbers in E.164 (:mod:`.phones`), or email
addresses; the database holds no contact names. The user's messages are
:data:`~reciprocity.ingest.phones.OWN_SENDER`. ``line`` is the message's ``ROWID``.

**Tapbacks** are reactions, not messages: ``associated_message_type`` 2000-2005 (loved,
liked, disliked, laughed, emphasised, questioned; 2006 an emoji of the sender's choosing,
in ``associated_message_emoji``) become reaction rows (:mod:`.base`) with the emoji for
the tapback (❤️ 👍 👎 😂 ‼️ ❓), the tapback's own time and ``guid``, pointing at the guid
in ``associated_message_guid`` (``p:0/GUID``, ``bp:GUID``). 3000-3006 takes one back: a
tapback the same person removed later is left out. Other associated types (stickers
placed on a message) are skipped.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest import phones
from reciprocity.ingest._reactions import reaction_row
from reciprocity.ingest.base import (
    MAX_MESSAGE_BYTES,
    Options,
    rows_frame,
    too_long,
)

NAME = "imessage"
#: Files beside the database that belong to it: read with it, not skipped in a folder.
COMPANIONS = ("-wal", "-shm")
#: The user's name in these files whatever ``--me`` says (the import uses it as "me").
OWN_NAME = phones.OWN_SENDER

BATCH_ROWS = 100_000
MAX_PROBLEMS = 1000
SQLITE_HEADER = b"SQLite format 3\x00"
_TABLES = {"message", "handle", "chat", "chat_message_join"}
#: Seconds from 1970-01-01 to 2001-01-01, Apple's epoch.
APPLE_EPOCH = 978_307_200
# A ``date`` above this is in nanoseconds (as seconds it would be after year 5000).
_NANOS_FROM = 100_000_000_000
_GROUP_STYLE = 43
_OBJECT_REPLACEMENT = "\ufffc"  # where an attachment sits in the text
_ITEM_TEXTS = {1: "changed who is in the group", 2: "renamed the group", 3: "changed the group"}
_FACETIME = 6

_COLUMNS = (
    "ROWID",
    "guid",
    "text",
    "attributedBody",
    "date",
    "is_from_me",
    "handle_id",
    "associated_message_type",
    "thread_originator_guid",
    "cache_has_attachments",
    "item_type",
    "associated_message_guid",
    "associated_message_emoji",
)
#: The emoji for each tapback (``associated_message_type`` 2000-2005).
TAPBACKS = {2000: "❤️", 2001: "👍", 2002: "👎", 2003: "😂", 2004: "‼️", 2005: "❓"}
_CUSTOM_TAPBACK = 2006
_REMOVED = 1000  # a removal's type is its tapback's plus this

# sender, conversation, timestamp (UTC µs), text, kind, reply_to, source_id, line
_Row = tuple[str, str, int, str, str, str | None, str | None, int]


def detect(path: Path, head: bytes) -> bool:
    """True for an SQLite database holding the Messages app's tables."""
    if not head.startswith(SQLITE_HEADER):
        return False
    try:
        with _closing(_open(path, log=False)) as db:
            return _tables(db) >= _TABLES
    except sqlite3.Error:
        return False


def parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    """Yield message frames (:data:`MESSAGE_SCHEMA`) from a Messages database.

    Raises :class:`~reciprocity.errors.ImportFailed` naming the ``ROWID`` of every message
    that cannot be read. ``options.conversation`` is ignored (the database holds many chats).
    """
    source = str(path)
    try:
        with _closing(_open(path)) as db:
            if not _tables(db) >= _TABLES:
                raise ImportFailed.one(
                    source, None, "an SQLite database, but not the Messages app's chat.db"
                )
            reader = _Reader(db, source)
            for title in sorted(reader.groups):
                options.group(NAME, title)
            yield from reader.frames()
    except sqlite3.Error as exc:
        raise ImportFailed.one(
            source,
            None,
            f"cannot read the database ({exc}); copy chat.db again with Messages closed",
        ) from None
    except OSError as exc:
        raise ImportFailed.one(
            source,
            None,
            f"cannot copy chat.db and chat.db-wal to read them together ({exc.strerror}); "
            "free some disk space, or copy chat.db again with Messages closed",
        ) from None


class _closing:
    """``with`` for a connection that closes it (sqlite3's own only ends a transaction), and
    removes the private copy it was opened on, if any."""

    def __init__(self, opened: tuple[sqlite3.Connection, tempfile.TemporaryDirectory[str] | None]):
        self.db, self.copy = opened

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *_: object) -> None:
        self.db.close()
        if self.copy is not None:
            self.copy.cleanup()


def _open(
    path: Path, log: bool = True
) -> tuple[sqlite3.Connection, tempfile.TemporaryDirectory[str] | None]:
    """The database read-only; with its write-ahead log applied when one is beside it (and
    ``log``: telling the tables apart needs only the file itself)."""
    path = Path(path).resolve()
    wal = path.with_name(path.name + "-wal")
    if not (log and wal.is_file() and wal.stat().st_size > 0):
        uri = path.as_uri() + "?mode=ro&immutable=1"
        return sqlite3.connect(uri, uri=True, check_same_thread=False), None
    # SQLite applies a log only for a connection that may write beside the file: a copy
    # of the two, in a folder of our own, is read instead of the user's files.
    copy = tempfile.TemporaryDirectory(prefix="reciprocity-chat-db-")
    try:
        shutil.copyfile(path, Path(copy.name) / path.name)
        shutil.copyfile(wal, Path(copy.name) / wal.name)
        db = sqlite3.connect(Path(copy.name) / path.name, check_same_thread=False)
        db.execute("PRAGMA query_only = ON")
    except BaseException:
        copy.cleanup()
        raise
    return db, copy


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


class _Reader:
    def __init__(self, db: sqlite3.Connection, source: str) -> None:
        self.db = db
        self.source = source
        self.region = phones.default_region()
        self.problems: list[Problem] = []
        # Tapbacks taken back (see `_removed`), read when the messages are.
        self.removed: dict[tuple[str, int, int, int], int] = {}
        self.handles = {
            int(rowid): self._address(str(ident))
            for rowid, ident in db.execute("SELECT ROWID, id FROM handle")
            if ident is not None
        }
        #: The titles of group chats (a group's style, or two people or more besides you).
        self.groups: set[str] = set()
        self.chats = self._chats()

    def _address(self, ident: str) -> str:
        number = phones.normalise(ident, self.region)
        if self.region is None and number.startswith("+"):
            self.region = phones.region_of(number)
        return number

    def _chats(self) -> dict[int, str]:
        """Each chat's conversation title."""
        members: dict[int, list[str]] = {}
        if "chat_handle_join" in _tables(self.db):
            for chat, handle in self.db.execute("SELECT chat_id, handle_id FROM chat_handle_join"):
                if handle in self.handles:
                    members.setdefault(int(chat), []).append(self.handles[handle])
        titles = {}
        rows = self.db.execute("SELECT ROWID, chat_identifier, display_name, style FROM chat")
        for rowid, identifier, display, style in rows:
            people = sorted(set(members.get(int(rowid), [])))
            if isinstance(display, str) and display.strip():
                title = display.strip()
            elif style == _GROUP_STYLE and people:
                title = ", ".join(people)
            elif people:
                title = people[0]
            else:
                title = self._address(str(identifier or f"chat {rowid}"))
            titles[int(rowid)] = title
            if style == _GROUP_STYLE or len(people) >= 2:
                self.groups.add(title)
        return titles

    def _has_files(self) -> bool:
        return {"attachment", "message_attachment_join"} <= _tables(self.db) and (
            "mime_type" in _columns(self.db, "attachment")
        )

    def _mime(self) -> str:
        return "f.mime" if self._has_files() else "NULL"

    def _files(self) -> str:
        """A join giving each message with files the type of its first one."""
        if not self._has_files():
            return ""
        return (
            "LEFT JOIN (SELECT a.message_id, MIN(t.mime_type) AS mime "
            "FROM message_attachment_join a JOIN attachment t ON t.ROWID = a.attachment_id "
            "GROUP BY a.message_id) f ON f.message_id = m.ROWID"
        )

    def frames(self) -> Iterator[pl.DataFrame]:
        have = _columns(self.db, "message")
        picked = ", ".join(f"m.{c}" if c in have else "NULL" for c in _COLUMNS)
        # A join, not a lookup per message: SQLite builds an index for it when the file has
        # none on message_id (macOS's has one), instead of scanning the table per message.
        cursor = self.db.execute(
            f"SELECT {picked}, j.chat_id, {self._mime()} FROM message m "
            f"LEFT JOIN chat_message_join j ON j.message_id = m.ROWID {self._files()} "
            "ORDER BY m.ROWID"
        )
        rows: list[_Row] = []
        last = None
        self.removed = self._removed(have)
        while batch := cursor.fetchmany(10_000):
            for record in batch:
                if record[0] == last:
                    continue  # the same message in a second chat: counted once, in the first
                last = record[0]
                try:
                    row = self._row(record)
                except _Bad as bad:
                    self.problems.append(Problem(self.source, int(record[0]), str(bad)))
                    if len(self.problems) >= MAX_PROBLEMS:
                        raise ImportFailed(self.problems) from None
                    continue
                if row is not None and not self.problems:
                    rows.append(row)
            if len(rows) >= BATCH_ROWS:
                yield _frame(rows)
                rows = []
        if self.problems:
            raise ImportFailed(self.problems)
        if rows:
            yield _frame(rows)

    def _removed(self, have: set[str]) -> dict[tuple[str, int, int, int], int]:
        """(target guid, handle, from me, tapback type) -> the ROWID of its latest removal."""
        if not {"associated_message_type", "associated_message_guid"} <= have:
            return {}
        found: dict[tuple[str, int, int, int], int] = {}
        for rowid, target, handle, mine, kind in self.db.execute(
            "SELECT ROWID, associated_message_guid, handle_id, is_from_me, "
            "associated_message_type FROM message "
            "WHERE associated_message_type >= 3000 AND associated_message_type < 4000"
        ):
            if isinstance(target, str) and isinstance(kind, int):
                key = (_target(target), handle or 0, 1 if mine else 0, kind - _REMOVED)
                found[key] = max(found.get(key, 0), int(rowid))
        return found

    def _row(self, record: tuple[Any, ...]) -> _Row | None:
        (rowid, guid, text, body, date, from_me, handle_id, associated, thread, attached,
         item_type, _target_guid, _emoji, chat, mime) = record  # fmt: skip
        tapback = isinstance(associated, int) and 2000 <= associated < 4000
        if tapback and not 2000 <= associated <= _CUSTOM_TAPBACK:
            return None  # a removal (read by `_removed`), or a sticker placed on a message
        micros = _micros(date)
        if from_me:
            sender = OWN_NAME
        elif handle_id in self.handles:
            sender = self.handles[handle_id]
        else:
            sender = "Unknown sender"
        if isinstance(chat, int) and chat in self.chats:
            title = self.chats[chat]
        else:
            title = sender if sender not in (OWN_NAME, "Unknown sender") else "Unknown chat"
        source_id = guid if isinstance(guid, str) and guid else None
        if tapback:
            return self._tapback(record, sender, title, micros, source_id)
        item = item_type if isinstance(item_type, int) else 0
        reply_to = thread if isinstance(thread, str) and thread else None
        if item == _FACETIME:
            return (sender, title, micros, "<FaceTime call>", "call", None, source_id, rowid)
        if item in _ITEM_TEXTS:
            return (sender, title, micros, _ITEM_TEXTS[item], "system", None, source_id, rowid)
        if item != 0:
            return None
        words = text if isinstance(text, str) and text else None
        if words is None and isinstance(body, bytes):
            words = attributed_text(body)
        words = (words or "").replace(_OBJECT_REPLACEMENT, "").strip()
        if len(words) > MAX_MESSAGE_BYTES // 4 and len(words.encode()) > MAX_MESSAGE_BYTES:
            raise _Bad(too_long("this message"))
        if attached:
            label = _file_label(mime)
            return (sender, title, micros, words or label, "media", reply_to, source_id,
                    rowid)  # fmt: skip
        if not words:
            return None  # unsent, or a balloon from an app with nothing to read
        return (sender, title, micros, words, "text", reply_to, source_id, rowid)

    def _tapback(
        self, record: tuple[Any, ...], sender: str, title: str, micros: int, own: str | None
    ) -> _Row | None:
        """A tapback as a reaction row, unless it was taken back later or names no
        message."""
        rowid, associated, handle_id, from_me = record[0], record[7], record[6], record[5]
        target, emoji = record[11], record[12]
        if not isinstance(target, str) or not target:
            return None
        guid = _target(target)
        key = (guid, handle_id or 0, 1 if from_me else 0, associated)
        if self.removed.get(key, 0) > rowid:
            return None
        if associated == _CUSTOM_TAPBACK:
            shown = emoji if isinstance(emoji, str) and emoji else None
        else:
            shown = TAPBACKS.get(associated)
        if shown is None:
            return None
        _, _, text, kind, reply_to, source_id, _ = reaction_row(
            sender, micros, shown, rowid, target_id=guid, own_id=own
        )
        return (sender, title, micros, text, kind, reply_to, source_id, rowid)


def _target(reference: str) -> str:
    """The guid in an ``associated_message_guid`` (``p:0/GUID``, ``bp:GUID``, ``GUID``)."""
    if reference.startswith("p:") and "/" in reference:
        return reference.split("/", 1)[1]
    return reference.removeprefix("bp:")


class _Bad(Exception):
    """One message cannot be read; becomes a Problem at its ROWID."""


def _micros(date: Any) -> int:
    if not isinstance(date, int) or isinstance(date, bool) or date < 0:
        raise _Bad(f"date {date!r} is not an Apple time")
    seconds, fraction = (date // 1_000_000_000, date % 1_000_000_000) if date > _NANOS_FROM else (
        date, 0)  # fmt: skip
    if seconds > 250_000_000_000:
        raise _Bad(f"date {date!r} is not an Apple time")
    return (APPLE_EPOCH + seconds) * 1_000_000 + fraction // 1000


def _file_label(mime: Any) -> str:
    """A placeholder naming what a message's first file is (``<photo>``, ``<video>`` ...)."""
    kind = mime.partition("/")[0] if isinstance(mime, str) else ""
    return {"image": "<photo>", "video": "<video>", "audio": "<audio>"}.get(kind, "<attachment>")


def attributed_text(blob: bytes) -> str | None:
    """The plain text of an archived NSAttributedString (``attributedBody``), or ``None``.

    The archive is Apple's typedstream: after the class name ``NSString`` come the bytes
    ``0x01 0x2B`` ("+", a C string follows), the string's length (one byte below 0x80;
    0x81 then two bytes, 0x82 then four, little-endian) and its UTF-8 bytes.
    """
    start = blob.find(b"NSString")
    if start < 0:
        return None
    marker = blob.find(b"\x01+", start + 8, start + 64)
    if marker < 0:
        return None
    at = marker + 2
    if at >= len(blob):
        return None
    first = blob[at]
    at += 1
    if first == 0x81:
        length, at = int.from_bytes(blob[at : at + 2], "little"), at + 2
    elif first == 0x82:
        length, at = int.from_bytes(blob[at : at + 4], "little"), at + 4
    elif first < 0x80:
        length = first
    else:
        return None
    if at + length > len(blob):
        return None
    return blob[at : at + length].decode("utf-8", errors="replace")


#: What each row holds, in order (see :func:`.base.rows_frame`).
_FIELDS = ("sender", "conversation", "timestamp", "text", "kind", "reply_to", "source_id", "line")


def _frame(rows: list[_Row]) -> pl.DataFrame:
    return rows_frame(rows, _FIELDS, source=NAME)
