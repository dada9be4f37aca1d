"""Facebook Messenger "Download your information" JSON, and its end-to-end-encrypted export.

Facebook writes one folder per conversation (``messages/inbox/<name>_<id>/``) holding
``message_1.json``, ``message_2.json`` …, each with at most about 10,000 messages, **newest
first**: ``message_1.json`` holds the latest ones. A file is an object with
``participants`` (``[{"name": ...}]``), ``messages``, then ``title``,
``is_still_participant`` and ``thread_path``. Each message has ``sender_name``,
``timestamp_ms`` (UTC milliseconds) and, as it applies, ``content``, ``photos``,
``videos``, ``gifs``, ``audio_files``, ``files``, ``sticker``, ``share``,
``call_duration`` (with ``missed``), ``reactions`` and ``is_unsent``; older exports add a
``type`` (``Generic``, ``Share``, ``Call``, ``Subscribe``, ``Unsubscribe``).

Chats that Messenger encrypts end to end are downloaded separately (messenger.com, *Privacy
& safety → End-to-end encrypted chats → Message storage → Download secure storage data*):
one file per chat with ``participants`` (plain names), ``threadName`` and ``messages`` of
``senderName``, ``timestamp`` (UTC milliseconds), ``text``, ``media`` (``[{"uri": ...}]``),
``reactions``, ``isUnsent`` and ``type``. Both layouts are read here.

**Mojibake.** The older export writes each UTF-8 byte of a name or text as its own
``\\u00XX`` escape, so "José" arrives as "JosÃ©" and 👍 as four Latin-1 letters. A string
is repaired only when it is that: every character fits in one byte and those bytes are valid
UTF-8 that says something else (:func:`repair`). Text that is already right, accents and
emoji included, is kept as it is.

How messages map onto the schema: text is ``text``; a photo, video, GIF, voice message,
file, sticker or a shared link without words is ``media`` (its words, else a placeholder such
as ``<photo>``); a call is ``call`` (``<call, 125 s>``, ``<missed call>``); joining, leaving,
an unsent message and the "reacted … to your message" lines some exports write are
``system``. Reactions on a message (``reactions``: ``[{"reaction", "actor"}]`` in both
layouts, mojibake repaired like names) become reaction rows (:mod:`.base`), one per person,
at the message's time (the export does not say when they reacted; a ``timestamp`` given
with the reaction is used), pointing at the message by its sender and time, since the
export has no message ids. It has no replies either. Messages are
yielded oldest first: :func:`parse_files` reads a conversation's files from the highest
number down, and each file's messages are put in time order.

Speed: the messages completed in each read of the file are decoded together, and the plain
ones (most of them) are taken as columns by :mod:`._messenger_columns`; only the others go
through :func:`_row` one at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest._json_items import (
    Bad,
    Row,
    blocks,
    decoded,
    first,
    frame,
    gathered,
    one,
    problem_list,
    text_of,
    typed,
)
from reciprocity.ingest._json_scan import Block
from reciprocity.ingest._messenger_columns import (
    MAX_MS,
    MEDIA_KEYS,
    PLACED,
    WORDS,
    plain_frame,
    repair,
    repaired_name,
)
from reciprocity.ingest._reactions import ReactionRow, reaction_row
from reciprocity.ingest.base import (
    MAX_MESSAGE_BYTES,
    MESSAGE_SCHEMA,
    Options,
    too_long,
)

NAME = "messenger"
#: A big file is parsed in a process of its own (:mod:`reciprocity.parse_apart`): the
#: parse is mostly Python, which would take turns with the save for the interpreter lock.
PARSE_APART = True
APP = "Facebook (Settings → Download your information, JSON format)"

_FILE_NUMBER = re.compile(r"(\d+)\.json$", re.IGNORECASE)
# The title Facebook writes after the messages: a ``]`` closing the messages array, then the
# key. Read from the file's last bytes so the whole file need not be walked twice.
_TAIL_TITLE = re.compile(rb'\]\s*,\s*"title"\s*:\s*("(?:[^"\\]|\\.)*")')
_TAIL_BYTES = 64 * 1024
# Lines some exports write for a reaction or a like, which are not something anyone said.
_REACTION_LINE = re.compile(
    r"^(?:Liked a message|Reacted .{1,16} to (?:your|a) message"
    r"|.{1,200} reacted .{1,16} to (?:your|a) message)\.?$",
    re.DOTALL,
)
#: Keys of a message that holds words and nothing else (reactions are read apart).
_PLAIN_KEYS = frozenset(
    (
        "sender_name",
        "timestamp_ms",
        "content",
        "type",
        "reactions",
        "is_geoblocked_for_viewer",
        "is_unsent_image_by_messenger_kid_parent",
        "is_taken_down",
        "bumped_message_metadata",
    )
)
_SUFFIX_LABELS = {
    ".jpg": "<photo>",
    ".jpeg": "<photo>",
    ".png": "<photo>",
    ".webp": "<photo>",
    ".heic": "<photo>",
    ".gif": "<GIF>",
    ".mp4": "<video>",
    ".mov": "<video>",
    ".webm": "<video>",
    ".m4a": "<voice message>",
    ".aac": "<voice message>",
    ".mp3": "<audio>",
    ".wav": "<audio>",
    ".ogg": "<audio>",
}


def looks_like(head: bytes) -> bool:
    """True when ``head`` (a file's first bytes) has either Messenger layout's keys."""

    def has(*keys: bytes) -> bool:
        return all(re.search(b'"' + key + rb'"\s*:', head) for key in keys)

    old = has(b"sender_name", b"timestamp_ms") or has(b"participants", b"is_still_participant")
    return old or has(b"senderName", b"threadName", b"participants")


def detect(path: Path, head: bytes) -> bool:
    """True for a ``.json`` file laid out as a Messenger export (either layout)."""
    return Path(path).suffix.lower() == ".json" and looks_like(head)


def parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    """Yield message frames from one Messenger file, oldest message first.

    Raises :class:`~reciprocity.errors.ImportFailed` naming each message that cannot be
    read (by its position in the file) or where the JSON breaks off; nothing is yielded
    once a problem is found.
    """
    return parse_files([Path(path)], options)


def parse_files(paths: list[Path], options: Options) -> Iterator[pl.DataFrame]:
    """Yield one conversation's ``message_1.json``, ``message_2.json`` … as one import in
    time order (the highest number holds the oldest messages)."""
    return read_files(paths, options, NAME, APP)


def read_files(
    paths: list[Path], options: Options, platform: str, app: str
) -> Iterator[pl.DataFrame]:
    """:func:`parse_files` for ``platform`` ("messenger" or "instagram")."""
    ordered = sorted((Path(p) for p in paths), key=_file_order, reverse=True)
    for path in ordered:
        source = str(path)
        try:
            with path.open("rb") as fh:
                yield from _File(fh, source, options, platform, app).frames()
        except OSError as exc:
            raise ImportFailed.one(source, None, f"cannot read the file ({exc.strerror})") from None


def _file_order(path: Path) -> tuple[int, str]:
    found = _FILE_NUMBER.search(path.name)
    return (int(found.group(1)) if found else 0, path.name)


class _File:
    """One file: its title, then its messages in batches put in time order."""

    def __init__(
        self, fh: BinaryIO, source: str, options: Options, platform: str, app: str
    ) -> None:
        self.fh = fh
        self.source = source
        self.platform = platform
        self.app = app
        people = first(fh, "participants")
        self.conversation = options.conversation or self._title(people)
        # Three or more people in the chat (the user included): a group, however few of
        # them wrote.
        if isinstance(people, list) and len(people) >= 3:
            options.group(platform, self.conversation)
        self.problems: list[Problem] = []

    def frames(self) -> Iterator[pl.DataFrame]:
        for rows in gathered(self._parts()):
            yield self._frame(rows)

    def _parts(self) -> Iterator[pl.DataFrame]:
        """Each read's rows, while no problem is found (after one, the rest is read for
        its problems alone, which are raised at the end)."""
        found = False
        for block in blocks(self.fh, "messages", self.source, self.app, WORDS):
            found = True
            part = self._block(block)
            if not self.problems:
                yield part
        if self.problems:
            raise ImportFailed(self.problems)
        if not found and first(self.fh, "messages") is None:
            raise ImportFailed.one(
                self.source,
                None,
                "a JSON file but not a Messenger or Instagram chat (no 'messages'); "
                f"download it again from {self.app}",
            )

    def _block(self, block: Block) -> pl.DataFrame:
        """One read's messages and their reactions, each row with its place in the file
        (``index``, and ``sub``: 0 for a message, 1, 2 … for its reactions).

        Most messages are a sender, a time and words or a photo or file: those are taken
        as columns from a typed decoding (:mod:`._messenger_columns`). Any other message (a
        call, a notice, a sticker, reactions, a value of an unexpected type) is read whole
        by :func:`_row`, as is every message of a read the typed decoding refuses.
        """
        values = typed(block, WORDS)
        frame_ = None
        if values:
            frame_ = plain_frame(values, block.first, self.platform, self.conversation)
        left = np.ones(len(block), dtype=bool)
        if frame_ is not None:
            left[(frame_["index"] - block.first).to_numpy()] = False
        rest = np.flatnonzero(left).tolist()
        rows: list[Row] = []
        subs: list[int] = []
        if rest:
            everything = decoded(block, self.source, self.app) if values is None else None
            for i in rest:
                message = everything[i] if everything is not None else one(block, i)
                index = block.first + i
                try:
                    row = _row(message, index)
                except Bad as bad:
                    problem_list(self.source, self.problems, index, bad)
                    continue
                rows.append(row)
                subs.append(0)
                if isinstance(message, dict) and message.get("reactions"):
                    reactions = _reactions(message["reactions"], row)
                    rows.extend(reactions)
                    subs.extend(range(1, len(reactions) + 1))
        parts = [] if frame_ is None else [frame_]
        if rows:
            whole = frame(rows, self.platform, self.conversation)
            parts.append(
                whole.with_columns(
                    pl.col("line").alias("index"), pl.Series("sub", subs, dtype=pl.Int64)
                )
            )
        if not parts:
            return pl.DataFrame(schema=PLACED)
        return pl.concat(parts, how="vertical")

    def _frame(self, rows: pl.DataFrame) -> pl.DataFrame:
        # Facebook writes newest first: reversed, messages sent in the same millisecond
        # keep the order they were sent in through the stable sort. (A file written oldest
        # first is left as it is.)
        whole = rows.sort("index", "sub")
        stamps = whole["timestamp"]
        newest_first = stamps[0] >= stamps[-1]
        return whole.sort(
            "timestamp", "index", "sub", descending=[False, newest_first, newest_first]
        ).select(list(MESSAGE_SCHEMA))

    def _title(self, people: Any) -> str:
        """The chat's title, else its ``people`` (the file's ``participants``) named."""
        title = self._tail_title()
        if title is None:
            title = text_of(first(self.fh, "title")) or text_of(first(self.fh, "threadName"))
        if title and title.strip():
            return repair(title)
        names = [_name(p) for p in people] if isinstance(people, list) else []
        named = [n for n in names if n]
        if named:
            return ", ".join(named)
        return Path(self.source).parent.name or Path(self.source).stem

    def _tail_title(self) -> str | None:
        try:
            size = self.fh.seek(0, 2)
            self.fh.seek(max(0, size - _TAIL_BYTES))
            tail = self.fh.read(_TAIL_BYTES)
        finally:
            self.fh.seek(0)
        found = None
        for found in _TAIL_TITLE.finditer(tail):  # noqa: B007 - the last one is the file's
            pass
        if found is None:
            return None
        try:
            value = json.loads(found.group(1))
        except ValueError:
            return None
        return value if isinstance(value, str) else None


def _name(person: Any) -> str | None:
    if isinstance(person, dict):
        person = person.get("name")
    if isinstance(person, str):
        return repaired_name(person) if person else None
    name = text_of(person)
    return repair(name) if name else None


def _row(msg: Any, index: int) -> Row:
    """One message as a row; raises :class:`Bad` with words a person can act on."""
    if not isinstance(msg, dict):
        raise Bad("expected a message object")
    e2ee = "timestamp_ms" not in msg
    stamp = msg.get("timestamp") if e2ee else msg["timestamp_ms"]
    if type(stamp) is not int:
        if isinstance(stamp, float) and stamp.is_integer():
            stamp = int(stamp)
        if type(stamp) is not int:
            raise Bad(f"the time {stamp!r} is not a time in milliseconds since 1970")
    if not 0 <= stamp < MAX_MS:
        raise Bad(f"the time {stamp!r} is not a time in milliseconds since 1970")
    sender = _name(msg.get("senderName" if e2ee else "sender_name")) or "Unknown sender"
    raw = msg.get("text" if e2ee else "content")
    words = repair(raw) if isinstance(raw, str) else ""
    if len(words) > MAX_MESSAGE_BYTES // 4 and len(words.encode()) > MAX_MESSAGE_BYTES:
        raise Bad(too_long("this message"))
    # Most messages are words and nothing else: no media, call or notice to look for.
    plain = words and msg.keys() <= _PLAIN_KEYS and msg.get("type", "Generic") == "Generic"
    if plain and not _maybe_reaction(words):
        return (sender, stamp * 1000, words, "text", None, None, index)
    kind, text = _kind(msg, words, e2ee)
    return (sender, stamp * 1000, text, kind, None, None, index)


def _reactions(reactions: Any, message: Row) -> list[ReactionRow]:
    """The reaction rows of one message's ``reactions`` (those naming who reacted)."""
    if not isinstance(reactions, list):
        return []
    sender, micros, _, _, _, _, line = message
    found: list[ReactionRow] = []
    for reaction in reactions:
        if not isinstance(reaction, dict):
            continue
        emoji = text_of(reaction.get("reaction"))
        reactor = _name(reaction.get("actor", reaction.get("reactor")))
        if not emoji or not reactor:
            continue
        when = micros
        stamp = reaction.get("timestamp")
        if type(stamp) is int and 0 < stamp < MAX_MS:
            # Seconds in some exports, milliseconds in others: told apart by size.
            when = stamp * (1_000_000 if stamp < 100_000_000_000 else 1000)
        found.append(
            reaction_row(
                reactor,
                when,
                repair(emoji),
                line,
                target_id=None,
                target_sender=sender,
                target_micros=micros,
            )
        )
    return found


def _maybe_reaction(words: str) -> bool:
    return "eact" in words or words.startswith("Liked")


def _kind(msg: dict[str, Any], words: str, e2ee: bool) -> tuple[str, str]:
    """The message's kind and the text to store for it."""
    if msg.get("isUnsent" if e2ee else "is_unsent") is True:
        return "system", "<message removed>"
    mtype = msg.get("type")
    if mtype in ("Subscribe", "Unsubscribe"):
        return "system", words or ("joined" if mtype == "Subscribe" else "left")
    if "call_duration" in msg or mtype == "Call" or (isinstance(mtype, str) and "call" in mtype):
        seconds = msg.get("call_duration")
        if msg.get("missed") is True or seconds == 0:
            return "call", "<missed call>"
        if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0:
            return "call", f"<call, {seconds} s>"
        return "call", "<call>"
    if words and _maybe_reaction(words) and _REACTION_LINE.match(words.strip()):
        return "system", words
    label = _media_label(msg, e2ee)
    if label is not None:
        return "media", words or label
    share = msg.get("share")
    if isinstance(share, dict) and not words:
        link = text_of(share.get("link"))
        return "media", f"<link: {link}>" if link else "<link>"
    return "text", words


def _media_label(msg: dict[str, Any], e2ee: bool) -> str | None:
    if e2ee:
        media = msg.get("media")
        if not isinstance(media, list) or not media:
            return None
        uri = media[0].get("uri") if isinstance(media[0], dict) else None
        suffix = Path(uri).suffix.lower() if isinstance(uri, str) else ""
        return _SUFFIX_LABELS.get(suffix, "<file>")
    for key, label in MEDIA_KEYS:
        value = msg.get(key)
        if isinstance(value, list) and value:
            return label
    if isinstance(msg.get("sticker"), dict):
        return "<sticker>"
    return None
