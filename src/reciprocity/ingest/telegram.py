"""Telegram Desktop JSON exports (``result.json``): one chat, or a whole account.

Telegram Desktop writes two layouts. Exporting one chat gives an object with the chat's
``name``, ``type``, ``id`` and ``messages``; exporting the whole account gives an object with
``personal_information`` and the chats under ``chats.list`` (and ``left_chats.list``). Each
chat becomes its own conversation. The writer puts one key per line, indented by one space
per level, and the ``"date"`` key holds the exporting machine's wall clock without an offset,
so ``date_unixtime`` (UTC seconds, as a string) is preferred when present.

How messages map onto the normalised schema:

- ``type: "message"`` with no attachment: ``kind="text"``; ``text`` may be a string or a list
  of strings and entity objects (bold, links, mentions ...), joined into plain text.
- a message with an attachment (photo, sticker, voice message, file, poll, location ...):
  ``kind="media"``; its text is the caption when there is one, else a placeholder such as
  ``<photo>`` or ``<sticker 👍>``. A captioned photo stays ``media``: the caption still counts
  as words the sender wrote, and the kind still says something was shared.
- ``type: "service"``: ``kind="call"`` for (group) calls, ``kind="system"`` otherwise; the
  sender is the ``actor`` and the text describes the action (``<call, 125 s>``, ``pinned a
  message``).
- ``type: "unsupported"`` entries carry no date or content and are skipped.
- ``reactions`` (newer exports: ``[{"type": "emoji", "count", "emoji", "recent": [{"from",
  "from_id", "date"}]}]``) become reaction rows (:mod:`.base`), one per person named in
  ``recent``, at the ``date`` given there, pointing at the message's id. Telegram lists
  who reacted only for the latest few reactions of a message (all of them in a private
  chat): the rest, and the older exports that write only ``count``, name nobody and are
  left out. A custom emoji is ``<custom emoji>``; paid reactions are left out.

The file is walked value by value with the stdlib JSON decoder (one message object at a
time), so the whole tree is never built at once and each message's line is exact.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, NoReturn
from zoneinfo import ZoneInfo

import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest._reactions import ReactionRow, reaction_row
from reciprocity.ingest.base import (
    MAX_MESSAGE_BYTES,
    Options,
    resolve_zone,
    rows_frame,
    too_long,
)

NAME = "telegram"
#: A big file is parsed in a process of its own (:mod:`reciprocity.parse_apart`): the
#: parse is mostly Python, which would take turns with the save for the interpreter lock.
PARSE_APART = True

#: Messages per yielded frame, or fewer when their texts reach :data:`BATCH_CHARS`; a chat
#: longer than this is yielded in several frames.
BATCH_ROWS = 100_000
BATCH_CHARS = 64 * 1024 * 1024
#: Stop collecting problems after this many: the file is clearly not usable as it is.
MAX_PROBLEMS = 1000
#: Bytes read from the file at a time.
CHUNK_BYTES = 4 * 1024 * 1024
#: A value (one message) this long is not from Telegram; stop reading on for it. A message
#: object writes its text twice (``text`` and ``text_entities``), so this leaves room for a
#: message of :data:`~reciprocity.ingest.base.MAX_MESSAGE_BYTES`, which is refused after.
MAX_VALUE_CHARS = 3 * MAX_MESSAGE_BYTES
#: Digits in the longest integer read (ids and times have at most 20); Python refuses to read
#: one of more than 4,300, with an error no person should see.
MAX_DIGITS = 40

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Unix seconds before year 10000; later values cannot be a message's time.
_MAX_UNIX = 253_402_300_800

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Telegram Desktop escapes rare control characters as ``\x0B``, which JSON does not allow;
# an odd number of backslashes before the ``x`` means it is such an escape.
_HEX_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})")
_UNIX_SECONDS = re.compile(r"-?\d{1,15}")
_OWNER_KEY = re.compile(rb'"personal_information"\s*:\s*')

_CHAT_TYPES = (
    "personal_chat",
    "bot_chat",
    "private_group",
    "private_supergroup",
    "public_supergroup",
    "private_channel",
    "public_channel",
    "saved_messages",
)

#: The chats Telegram calls groups: one where only two people wrote is still not theirs alone.
_GROUP_TYPES = frozenset(("private_group", "private_supergroup", "public_supergroup"))

_MEDIA_TYPES = {
    "sticker": "sticker",
    "voice_message": "voice message",
    "video_message": "video message",
    "video_file": "video",
    "animation": "GIF",
    "audio_file": "audio",
}

_SERVICE_TEXTS = {
    "create_group": "created the group",
    "create_channel": "created the channel",
    "edit_group_title": "renamed the group",
    "edit_group_photo": "changed the group photo",
    "delete_group_photo": "removed the group photo",
    "invite_members": "added members",
    "remove_members": "removed members",
    "join_group_by_link": "joined by invite link",
    "join_group_by_request": "joined after a request",
    "migrate_to_supergroup": "upgraded the group",
    "migrate_from_group": "upgraded the group",
    "pin_message": "pinned a message",
    "clear_history": "cleared the history",
    "take_screenshot": "took a screenshot",
    "joined_telegram": "joined Telegram",
    "set_messages_ttl": "changed auto-delete",
    "edit_chat_theme": "changed the chat theme",
    "topic_created": "created a topic",
}


def detect(path: Path, head: bytes) -> bool:
    """True for a ``.json`` file whose first bytes look like a Telegram Desktop export."""
    if Path(path).suffix.lower() != ".json":
        return False
    text = head.decode("utf-8", errors="ignore")
    if '"personal_information"' in text:
        return True
    if '"messages"' not in text and '"chats"' not in text:
        return False
    return '"date_unixtime"' in text or any(f'"{kind}"' in text for kind in _CHAT_TYPES)


def account_owner(path: str | Path) -> str | None:
    """The account holder's display name in a whole-account export, else ``None``.

    Telegram writes the user's own messages under this name, so the CLI can use it as the
    default for ``--me``. Cheap: it searches the raw bytes and decodes one small object.

    >>> account_owner("DataExport/result.json")  # doctest: +SKIP
    'Sam Lee'
    """
    try:
        with Path(path).open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
            found = _OWNER_KEY.search(m)
            if found is None:
                return None
            chunk = m[found.end() : found.end() + 64 * 1024].decode("utf-8", errors="ignore")
        info, _ = json.JSONDecoder().raw_decode(chunk)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(info, dict):
        return None
    parts = [info.get("first_name"), info.get("last_name")]
    name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return name or None


def parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    """Yield message frames (:data:`MESSAGE_SCHEMA`) from a Telegram Desktop export.

    One frame per chat, or per :data:`BATCH_ROWS` messages of a long chat. Raises
    :class:`~reciprocity.errors.ImportFailed` naming the line of every problem found.
    ``options.conversation`` renames the chat of a single-chat export; whole-account
    exports keep each chat's own name.
    """
    source = str(path)
    zone = resolve_zone(options.timezone, source)
    try:
        with Path(path).open("rb") as fh:
            yield from _Export(_Json(fh, source), zone, options).frames()
    except OSError as exc:
        raise ImportFailed.one(source, None, f"cannot read the file ({exc.strerror})") from None


class _Json:
    """A cursor over a JSON file that decodes one value at a time and knows its line.

    The file is read in chunks of :data:`CHUNK_BYTES` into a window of text; what the cursor
    has passed is dropped when the next chunk comes, so memory stays near one chunk plus
    the largest single value (one message) however large the export is.
    """

    def __init__(self, fh: BinaryIO, source: str) -> None:
        self.fh = fh
        self.source = source
        self.text = ""
        self.pos = 0
        self.eof = False
        #: values read so far; lets members()/elements() see whether the caller read one
        self.reads = 0
        self._decoder = json.JSONDecoder(parse_int=_parse_int)
        self._started = False
        self._tail = b""  # a UTF-8 sequence cut by the chunk boundary
        self._lines_read = 0  # newlines in the bytes decoded so far
        self._window_line = 1  # line of text[0]
        self._counted_to = 0
        self._line = 1

    def _more(self) -> bool:
        """Read the next chunk into the window, dropping what the cursor passed."""
        if self.eof:
            return False
        data = self._tail + self.fh.read(CHUNK_BYTES)
        if len(data) == len(self._tail):
            self.eof = True
            if self._tail:
                self._not_utf8(self._lines_read + 1)
            return False
        try:
            text, self._tail = data.decode("utf-8"), b""
        except UnicodeDecodeError as exc:
            if exc.reason != "unexpected end of data" or exc.end != len(data):
                self._not_utf8(self._lines_read + data.count(b"\n", 0, exc.start) + 1)
            text, self._tail = data[: exc.start].decode("utf-8"), data[exc.start :]
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        self._lines_read += data.count(b"\n", 0, len(data) - len(self._tail))
        self._window_line = self.line_at(self.pos)
        self.text, self.pos, self._counted_to = self.text[self.pos :] + text, 0, 0
        return True

    def _not_utf8(self, line: int) -> NoReturn:
        raise ImportFailed.one(
            self.source, line, "not UTF-8 text; use the result.json Telegram Desktop wrote"
        )

    def line_at(self, pos: int) -> int:
        """1-based line of window position ``pos``; counts on from the last answer."""
        if pos < self._counted_to:
            self._counted_to, self._line = 0, self._window_line
        self._line += self.text.count("\n", self._counted_to, pos)
        self._counted_to = pos
        return self._line

    def fail(self, message: str, pos: int | None = None) -> NoReturn:
        raise ImportFailed.one(self.source, self.line_at(self.pos if pos is None else pos), message)

    def skip_space(self) -> None:
        while True:
            found = _WHITESPACE.match(self.text, self.pos)
            assert found is not None  # the pattern matches the empty string
            self.pos = found.end()
            if self.pos < len(self.text) or not self._more():
                return

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos : self.pos + 1]

    def value(self) -> Any:
        """Decode the value at the cursor and move past it."""
        if not self.peek():
            self.fail("the file ends early, a value was expected; export it again")
        self.reads += 1
        while True:
            try:
                value, end = self._decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if self._retry(exc):
                    continue
                if len(self.text) - self.pos >= MAX_VALUE_CHARS:
                    self.fail(too_long("the message that starts on this line"))
                self.fail(
                    f"invalid JSON ({exc.msg}); the file may be cut short or edited: "
                    "export it again from Telegram Desktop",
                    exc.pos,
                )
            except RecursionError:
                self.fail("JSON nested too deeply to be a Telegram export")
            except _HugeNumber as exc:
                self.fail(
                    f"a number of {exc.digits:,} digits, which no Telegram export holds; "
                    "export the chat again from Telegram Desktop"
                )
            # a number such as 1.5e3 may go on in the next chunk: read on to be sure
            if end + 8 < len(self.text) or not self._more():
                self.pos = end
                return value

    def _retry(self, exc: json.JSONDecodeError) -> bool:
        """After a decoding error: fix what can be fixed, or read on if the value is cut."""
        cut = not self.eof and exc.pos >= len(self.text) - 8
        if not cut and exc.msg.startswith("Invalid \\escape"):
            rest = _HEX_ESCAPE.sub(r"\1\\u00\2", self.text[self.pos :])
            if rest != self.text[self.pos :]:
                self.text = self.text[: self.pos] + rest
                return True
        # the value may run past the window; no single message is anywhere near this big
        return len(self.text) - self.pos < MAX_VALUE_CHARS and self._more()

    def _punct(self, allowed: str, what: str) -> str:
        char = self.peek()
        if not char:
            self.fail(f"the file ends early, {what} was expected; export it again")
        if char not in allowed:
            self.fail(f"not valid JSON: {what} was expected; export it again")
        self.pos += 1
        return char

    def members(self) -> Iterator[str]:
        """Keys of the object at the cursor; a value the caller does not read is skipped."""
        self._punct("{", "'{'")
        self.reads += 1
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            if self.peek() != '"':
                self._punct('"', "a key in quotes")
            key = self.value()
            self._punct(":", "':'")
            before = self.reads
            yield key
            if self.reads == before:
                self.value()
            if self._punct(",}", "',' or '}'") == "}":
                return

    def elements(self) -> Iterator[int]:
        """Lines where the array items at the cursor start; the caller reads each item."""
        self._punct("[", "'['")
        self.reads += 1
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            self.skip_space()
            before = self.reads
            yield self.line_at(self.pos)
            if self.reads == before:
                self.value()
            if self._punct(",]", "',' or ']'") == "]":
                return


class _Export:
    """Walks either layout and turns each chat's messages into frames."""

    def __init__(self, json_: _Json, zone: ZoneInfo, options: Options) -> None:
        self.json = json_
        self.zone = zone
        self.options = options
        self.problems: list[Problem] = []

    def frames(self) -> Iterator[pl.DataFrame]:
        if self.json.peek() != "{":
            self.json.fail("not a Telegram export: the file is not a JSON object")
        chat = _Chat(self.options.conversation)
        layout = None
        for key in self.json.members():
            if key in ("chats", "left_chats"):
                layout = "account"
                yield from self._chat_list()
            elif key == "messages":
                layout = "chat"
                yield from self._messages(chat)
            elif key in ("name", "type", "id"):
                self._meta(chat, key)
        if self.json.peek():
            self.json.fail("unexpected text after the end of the export")
        if layout is None:
            raise ImportFailed.one(
                self.json.source,
                None,
                "a JSON file but not a Telegram Desktop export (no 'messages' or 'chats'); "
                "export the chat from Telegram Desktop with the JSON format",
            )
        if layout == "chat":
            yield from self._flush(chat, final=True)
        if self.problems:
            raise ImportFailed(self.problems)

    def _chat_list(self) -> Iterator[pl.DataFrame]:
        for key in self.json.members():
            if key != "list":
                continue
            for _ in self.json.elements():
                chat = _Chat(None)
                for chat_key in self.json.members():
                    if chat_key == "messages":
                        yield from self._messages(chat)
                    elif chat_key in ("name", "type", "id"):
                        self._meta(chat, chat_key)
                yield from self._flush(chat, final=True)

    def _messages(self, chat: _Chat) -> Iterator[pl.DataFrame]:
        for line in self.json.elements():
            try:
                msg = self.json.value()
                row = self._row(msg, line)
                chat.add(row)
                if row is not None and msg.get("reactions"):
                    for reaction in self._reactions(msg["reactions"], row):
                        chat.add(reaction)
            except _Bad as bad:
                self.problems.append(Problem(self.json.source, line, str(bad)))
                if len(self.problems) >= MAX_PROBLEMS:
                    raise ImportFailed(self.problems) from None
            if len(chat.rows) >= BATCH_ROWS or chat.chars >= BATCH_CHARS:
                yield from self._flush(chat, final=False)

    def _meta(self, chat: _Chat, key: str) -> None:
        """Read the chat's ``name``, ``type`` or ``id``; a name that is not text is refused
        with its line rather than replaced by a made-up one."""
        line = self.json.line_at(self.json.pos) if self.json.peek() else None
        value = self.json.value()
        if key == "name" and value is not None and not isinstance(value, str):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ImportFailed.one(
                    self.json.source,
                    line,
                    "the chat's name is not text, as Telegram Desktop writes it; export the "
                    "chat again, or correct the name",
                )
            value = str(value)
        chat.meta[key] = value

    def _flush(self, chat: _Chat, *, final: bool) -> Iterator[pl.DataFrame]:
        if self.problems:
            chat.rows.clear()  # nothing is yielded once the import is known to fail
            return
        title = chat.title(final=final)
        if title is None or not chat.rows:
            return
        kind = chat.meta.get("type")
        if isinstance(kind, str) and kind in _GROUP_TYPES:
            self.options.group(NAME, title)
        yield _frame(chat.rows, title)
        chat.rows.clear()
        chat.chars = 0

    def _row(self, msg: Any, line: int) -> _Row | None:
        if not isinstance(msg, dict):
            raise _Bad("expected a message object")
        mtype = msg.get("type", "message")
        if mtype == "unsupported":
            return None
        micros = self._timestamp(msg)
        source_id = _id_text(msg.get("id"))
        if mtype == "service":
            action = msg.get("action")
            kind = "call" if action in ("phone_call", "group_call") else "system"
            sender = _person(msg, "actor")
            return (sender, micros, _service_text(msg), kind, None, source_id, line)
        sender = _sender(msg)
        body = _flatten(msg.get("text"))
        if len(body) > MAX_MESSAGE_BYTES // 4 and len(body.encode()) > MAX_MESSAGE_BYTES:
            raise _Bad(too_long("this message"))
        label = _media_label(msg)
        kind, text = ("text", body) if label is None else ("media", body or label)
        reply_to = _id_text(msg.get("reply_to_message_id"))
        return (sender, micros, text, kind, reply_to, source_id, line)

    def _reactions(self, reactions: Any, message: _Row) -> list[ReactionRow]:
        """The reaction rows of one message's ``reactions`` (those naming who reacted)."""
        if not isinstance(reactions, list):
            return []
        _, micros, _, _, _, message_id, line = message
        found: list[ReactionRow] = []
        for reaction in reactions:
            if not isinstance(reaction, dict):
                continue
            kind = reaction.get("type", "emoji")
            if kind == "emoji":
                emoji = _text_or_none(reaction.get("emoji"))
            else:
                emoji = "<custom emoji>" if kind == "custom_emoji" else None
            recent = reaction.get("recent")
            if emoji is None or not isinstance(recent, list):
                continue
            for who in recent:
                if not isinstance(who, dict):
                    continue
                reactor = _person(who, "from")
                if reactor is None:
                    continue
                when = self._timestamp(who) if who.get("date") is not None else micros
                found.append(
                    reaction_row(
                        reactor, when, emoji, line, target_id=message_id, target_micros=micros
                    )
                )
        return found

    def _timestamp(self, msg: dict[str, Any]) -> int:
        unix = msg.get("date_unixtime")
        if unix is not None:
            seconds = _unix_seconds(unix)
            if seconds is None:
                raise _Bad(f"date_unixtime {unix!r} is not a time in unix seconds")
            return seconds * 1_000_000
        date = msg.get("date")
        if date is None:
            raise _Bad("the message has no date; export the chat again")
        try:
            moment = datetime.fromisoformat(date) if isinstance(date, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise _Bad(f"date {date!r} is not a time like 2024-03-01T14:05:00")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return (moment - _EPOCH) // _MICROSECOND


class _Bad(Exception):
    """One message cannot be read; becomes a Problem at that message's line."""


class _HugeNumber(Exception):
    """An integer too long to be read (see :data:`MAX_DIGITS`)."""

    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def _parse_int(text: str) -> int:
    if len(text) > MAX_DIGITS:
        raise _HugeNumber(len(text.lstrip("-")))
    return int(text)


# sender, timestamp (UTC microseconds), text, kind, reply_to, source_id, line
_Row = tuple[str | None, int, str, str, str | None, str | None, int]


class _Chat:
    """One chat's metadata and the rows read so far that are not yet yielded."""

    def __init__(self, rename: str | None) -> None:
        self.rename = rename
        self.meta: dict[str, Any] = {}
        self.rows: list[_Row] = []
        self.chars = 0

    def add(self, row: _Row | None) -> None:
        if row is not None:
            self.rows.append(row)
            self.chars += len(row[2])

    def title(self, *, final: bool) -> str | None:
        """The conversation title; ``None`` while keys that decide it may still come."""
        if self.rename:
            return self.rename
        name = self.meta.get("name")
        if isinstance(name, str) and name.strip():
            return name
        # Telegram writes name, type and id before the messages; a file with another key
        # order keeps its rows until the chat object ends.
        if not final and not {"type", "id"} <= self.meta.keys():
            return None
        kind = self.meta.get("type")
        if kind == "saved_messages":
            return "Saved Messages"
        if kind == "replies":
            return "Replies"
        chat_id = _id_text(self.meta.get("id")) or "unknown"
        if kind in ("personal_chat", "bot_chat"):
            return f"Deleted account {chat_id}"
        return f"Unnamed chat {chat_id}"


#: What each row holds, in order (see :func:`.base.rows_frame`).
_FIELDS = ("sender", "timestamp", "text", "kind", "reply_to", "source_id", "line")


def _frame(rows: list[_Row], conversation: str) -> pl.DataFrame:
    return rows_frame(rows, _FIELDS, source=NAME, conversation=conversation)


def _unix_seconds(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _UNIX_SECONDS.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and 0 <= value < _MAX_UNIX:
        return value
    return None


def _id_text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    return str(value)


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _person(msg: dict[str, Any], key: str) -> str | None:
    """The name under ``key`` ("from", "actor"); Telegram writes null for a deleted account.

    A number is read as the name it spells; a list or an object is refused rather than
    replaced by a made-up name.
    """
    raw = msg.get(key)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return str(raw)
    if raw is not None and not isinstance(raw, str):
        raise _Bad(f"the sender's name ({key!r}) is not text; export the chat again")
    name = _text_or_none(raw)
    if name is not None:
        return name
    peer_id = _id_text(msg.get(f"{key}_id"))
    return None if peer_id is None else f"Deleted account {peer_id.removeprefix('user')}"


def _sender(msg: dict[str, Any]) -> str:
    return _person(msg, "from") or _text_or_none(msg.get("author")) or "Unknown sender"


def _flatten(value: Any) -> str:
    """Plain text of a ``text`` field: a string, or a list of strings and entity objects.

    A number is read as the text it spells (``12345`` is ``"12345"``), not dropped.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, list):
        return ""
    parts = []
    for part in value:
        if isinstance(part, dict):
            part = part.get("text")
        if isinstance(part, (int, float)) and not isinstance(part, bool):
            part = str(part)
        if isinstance(part, str):
            parts.append(part)
    return "".join(parts)


def _media_label(msg: dict[str, Any]) -> str | None:
    """Placeholder naming what a message carries besides text, or ``None`` for plain text."""
    if "photo" in msg:
        return "<photo>"
    media_type = msg.get("media_type")
    if isinstance(media_type, str):
        label = _MEDIA_TYPES.get(media_type, media_type.replace("_", " "))
        emoji = msg.get("sticker_emoji")
        if media_type == "sticker" and isinstance(emoji, str) and emoji:
            return f"<sticker {emoji}>"
        return f"<{label}>"
    if "file" in msg:
        return "<file>"
    poll = msg.get("poll")
    if isinstance(poll, dict):
        question = poll.get("question")
        return f"<poll: {question}>" if isinstance(question, str) else "<poll>"
    for key, label in (
        ("contact_information", "<contact>"),
        ("location_information", "<location>"),
        ("place_name", "<location>"),
        ("game_title", "<game>"),
        ("invoice_information", "<invoice>"),
    ):
        if key in msg:
            return label
    return None


def _service_text(msg: dict[str, Any]) -> str:
    """Words for a service entry, which Telegram exports as an action name and its fields."""
    action = msg.get("action")
    if action in ("phone_call", "group_call"):
        what = "call" if action == "phone_call" else "group call"
        reason = msg.get("discard_reason")
        if reason == "missed":
            return f"<missed {what}>"
        if reason == "busy":
            return f"<{what}, busy>"
        seconds = msg.get("duration_seconds", msg.get("duration"))
        if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0:
            return f"<{what}, {seconds} s>"
        return f"<{what}>"
    custom = _text_or_none(msg.get("information_text")) or _flatten(msg.get("text"))
    if not isinstance(action, str):
        return custom or "service message"
    text = _SERVICE_TEXTS.get(action, action.replace("_", " "))
    title = _text_or_none(msg.get("title")) or _text_or_none(msg.get("new_title"))
    if title is not None:
        text = f"{text}: {title}"
    members = msg.get("members")
    if isinstance(members, list):
        names = [m if isinstance(m, str) else "deleted account" for m in members]
        if names:
            text = f"{text}: {', '.join(names)}"
    return text
