"""Discord channels and direct messages as DiscordChatExporter writes them (JSON and CSV).

Discord has no export of its own for messages; DiscordChatExporter (Tyrrrz, maintained, GUI
and command line) saves a channel or a DM as JSON or CSV. Its JSON is one object: ``guild``
(``{"id", "name"}``; direct messages sit in a pseudo-server named "Direct Messages"),
``channel`` (``id``, ``type``, ``category``, ``name``), ``dateRange``, ``exportedAt``, then
``messages`` and ``messageCount``. Each message has ``id``, ``type`` (``Default``,
``Reply``, ``Call``, ``RecipientAdd``, ``GuildMemberJoin`` …), ``timestamp`` (ISO 8601 with
an offset), ``timestampEdited``, ``callEndedTimestamp``, ``content`` (mentions written as
``@Display Name``), ``author`` (``id``, ``name``, ``nickname``), ``attachments``,
``stickers``, ``reactions``, ``mentions`` and, for a reply, ``reference``
(``messageId``). The files run to gigabytes, so messages are streamed one at a time
(:mod:`._json_items`).

How messages map onto the schema: the sender is the author's display name (``nickname``, as
mentions write it, else ``name``); ``source_id`` is the message id and ``reply_to`` the id a
reply points at, so the group attribution (:mod:`reciprocity.exchanges.attribution`) sees
explicit replies, and ``@Name`` mentions stay in the text for it. A message with an
attachment or a sticker is ``media``, a call is ``call`` (``<call, 95 s>``), and joins,
pins, renames and the other notices Discord writes itself are ``system``. A DM is the other
person's name; a server channel is "Server #channel", and is a group once three people have
written in it. The CSV layout is read by :mod:`._discord_csv`.

Reactions (``reactions``: ``[{"emoji": {"id", "name", "code"}, "count", "users": [...]}]``)
become reaction rows (:mod:`.base`): one per user who reacted, at the message's time (the
export does not say when), pointing at the message's id; a Unicode emoji is its character,
a server's own emoji ``:name:``. Older DiscordChatExporter versions write only ``count``,
without ``users``: such a reaction names nobody and is left out (counting it towards anyone
would be a guess).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast
from zoneinfo import ZoneInfo

import msgspec
import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest import _discord_csv
from reciprocity.ingest._json_items import (
    BATCH_CHARS,
    BATCH_ROWS,
    Bad,
    Row,
    Shape,
    first,
    frame,
    items,
    problem_list,
    text_of,
)
from reciprocity.ingest._reactions import reaction_row
from reciprocity.ingest.base import MAX_MESSAGE_BYTES, Options, resolve_zone, too_long

NAME = "discord"
APP = "Discord with DiscordChatExporter (JSON or CSV)"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: How DiscordChatExporter writes a time: ``2024-03-01T14:05:00.123+01:00``.
_ISO = "%Y-%m-%dT%H:%M:%S%.f%:z"
# A row as :meth:`_Channel._row` makes it: the time still the text the file holds.
_Untimed = tuple[str | None, str, str, str, str | None, str | None, int]
#: Message types that are something a person wrote (a command's output included).
_SAID = frozenset(
    ("Default", "Reply", "ChatInputCommand", "ContextMenuCommand", "ThreadStarterMessage", "0")
)
# Keys (followed by their value's opening), not words a message might hold.
_DCE_KEYS = (
    re.compile(rb'"guild"\s*:\s*\{'),
    re.compile(rb'"channel"\s*:\s*\{'),
    re.compile(rb'"messages"\s*:\s*\['),
)
_DM_TYPES = frozenset(("DirectTextChat", "DirectGroupTextChat"))


# The fields read from each message, decoded straight into these (every other field of
# DiscordChatExporter's large message objects is skipped). Values are ``Any`` because a
# field of an unexpected type is reported by the checks below, in words, not by the decoder;
# ``gc=False``: they hold no cycles, so the collector need not walk a channel's worth.
class _Author(msgspec.Struct, gc=False):
    id: Any = None
    name: Any = None
    nickname: Any = None


class _Named(msgspec.Struct, gc=False):
    """An attachment (``fileName``, ``url``) or a sticker (``name``)."""

    fileName: Any = None
    url: Any = None
    name: Any = None


class _Reference(msgspec.Struct, gc=False):
    messageId: Any = None
    type: Any = None


class _Emoji(msgspec.Struct, gc=False):
    id: Any = None
    name: Any = None


class _Reaction(msgspec.Struct, gc=False):
    """One emoji on a message and who put it there (``users``: newer exporter versions)."""

    emoji: _Emoji | None = None
    users: tuple[_Author, ...] | None = None


class _Message(msgspec.Struct, gc=False):
    id: Any = None
    type: Any = None
    timestamp: Any = None
    callEndedTimestamp: Any = None
    content: Any = None
    author: _Author | None = None
    attachments: tuple[_Named, ...] | None = None
    stickers: tuple[_Named, ...] | None = None
    reference: _Reference | None = None
    reactions: tuple[_Reaction, ...] | None = None


def _loose(value: Any) -> Any:
    """A :class:`_Message` from a message the typed decoding refused (a part of an
    unexpected type is left out), or ``value`` itself when it is not an object."""
    if not isinstance(value, dict):
        return value

    def part(kind: type[msgspec.Struct], found: Any) -> Any:
        if not isinstance(found, dict):
            return None
        return kind(**{f: found.get(f) for f in kind.__struct_fields__})

    def parts(found: Any) -> tuple[_Named, ...] | None:
        if not isinstance(found, list):
            return None
        return tuple(part(_Named, one) or _Named() for one in found)

    return _Message(
        id=value.get("id"),
        type=value.get("type"),
        timestamp=value.get("timestamp"),
        callEndedTimestamp=value.get("callEndedTimestamp"),
        content=value.get("content"),
        author=part(_Author, value.get("author")),
        attachments=parts(value.get("attachments")),
        stickers=parts(value.get("stickers")),
        reference=part(_Reference, value.get("reference")),
        reactions=_loose_reactions(value.get("reactions"), part),
    )


def _loose_reactions(found: Any, part: Any) -> tuple[_Reaction, ...] | None:
    """The reactions of a message decoded loosely (see :func:`_loose`): a part of an
    unexpected type is left out."""
    if not isinstance(found, list):
        return None
    reactions = []
    for one in found:
        if isinstance(one, dict):
            users = one.get("users")
            people = [part(_Author, u) for u in users] if isinstance(users, list) else []
            reactions.append(
                _Reaction(
                    emoji=part(_Emoji, one.get("emoji")),
                    users=tuple(p for p in people if p is not None),
                )
            )
    return tuple(reactions)


_SHAPE = Shape(list[_Message], _loose)


def detect(path: Path, head: bytes) -> bool:
    """True for DiscordChatExporter's JSON (``guild``, ``channel``, ``messages``) or its CSV
    (the header ``AuthorID,Author,Date,Content,Attachments,Reactions``)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return _discord_csv.looks_like(head)
    if suffix != ".json":
        return False
    return all(key.search(head) for key in _DCE_KEYS)


def parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    """Yield message frames from a DiscordChatExporter file, in the file's order (oldest
    first, as it writes them unless told otherwise).

    Raises :class:`~reciprocity.errors.ImportFailed` naming each message that cannot be read
    (by its position in the file, or its line in a CSV) or where the JSON breaks off.
    """
    path = Path(path)
    source = str(path)
    zone = resolve_zone(options.timezone, source)
    if path.suffix.lower() == ".csv":
        yield from _discord_csv.parse(path, options, zone)
        return
    try:
        with path.open("rb") as fh:
            yield from _Channel(fh, source, zone, options.conversation).frames()
    except OSError as exc:
        raise ImportFailed.one(source, None, f"cannot read the file ({exc.strerror})") from None


class _Channel:
    def __init__(self, fh: BinaryIO, source: str, zone: ZoneInfo, rename: str | None) -> None:
        self.fh = fh
        self.source = source
        self.zone = zone
        self.conversation = rename or _title(first(fh, "guild"), first(fh, "channel"), source)
        self.problems: list[Problem] = []

    def frames(self) -> Iterator[pl.DataFrame]:
        rows: list[_Untimed] = []
        chars = 0
        messages = items(self.fh, "messages", self.source, APP, _SHAPE)
        for index, message in enumerate(messages, 1):
            try:
                row = self._row(message, index)
            except Bad as bad:
                problem_list(self.source, self.problems, index, bad)
                continue
            if self.problems:
                continue
            rows.append(row)
            chars += len(row[2])
            if message.reactions:
                rows.extend(_reactions(message, row))
            if len(rows) >= BATCH_ROWS or chars >= BATCH_CHARS:
                timed = self._timed(rows)
                if timed:
                    yield frame(timed, NAME, self.conversation)
                rows, chars = [], 0
        timed = self._timed(rows) if rows else []
        if self.problems:
            raise ImportFailed(self.problems)
        if timed:
            yield frame(timed, NAME, self.conversation)

    def _timed(self, rows: list[_Untimed]) -> list[Row]:
        """``rows`` with their times read, all at once; a time Polars cannot read as
        DiscordChatExporter writes it (an offset missing, a ``Z``) is read one at a time,
        and one that is no time at all is a problem naming its message."""
        written = pl.Series(values=[row[1] for row in rows], dtype=pl.String)
        read = written.str.to_datetime(_ISO, time_unit="us", time_zone="UTC", strict=False)
        micros: list[int | None] = read.dt.epoch("us").to_list()
        if read.null_count():
            for i, value in enumerate(micros):
                if value is None:
                    try:
                        micros[i] = self._micros(rows[i][1])
                    except Bad as bad:
                        problem_list(self.source, self.problems, rows[i][6], bad)
        if self.problems:
            return []
        known = cast(list[int], micros)  # every None was read one at a time, or raised
        return [(r[0], m, r[2], r[3], r[4], r[5], r[6]) for r, m in zip(rows, known, strict=True)]

    def _row(self, msg: Any, index: int) -> _Untimed:
        """The message as a row whose time is still as written (see :meth:`_timed`)."""
        if not isinstance(msg, _Message):
            raise Bad("expected a message object")
        written = msg.timestamp
        if type(written) is not str:
            self._micros(written)  # raises: not a time
        sender = _author(msg.author) if msg.author is not None else None
        words = msg.content if type(msg.content) is str else text_of(msg.content) or ""
        if len(words) > MAX_MESSAGE_BYTES // 4 and len(words.encode()) > MAX_MESSAGE_BYTES:
            raise Bad(too_long("this message"))
        mtype = msg.type if type(msg.type) is str else text_of(msg.type) or "Default"
        if mtype == "Call":
            kind, text = "call", self._call(msg, self._micros(written))
        elif mtype not in _SAID:
            kind, text = "system", words or _spaced(mtype)
        elif not msg.attachments and not msg.stickers:
            kind, text = "text", words
        else:
            label = _media_label(msg)
            kind, text = ("text", words) if label is None else ("media", words or label)
        reply_to = _reply_to(msg.reference) if kind != "system" else None
        return (sender or "Unknown sender", written, text, kind, reply_to, _id(msg), index)

    def _micros(self, value: Any) -> int:
        moment = None
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                moment = None
        if moment is None:
            raise Bad(f"the time {value!r} is not a time like 2024-03-01T14:05:00+00:00")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        since = moment - _EPOCH
        return (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds

    def _call(self, msg: _Message, started: int) -> str:
        ended = msg.callEndedTimestamp
        if not isinstance(ended, str):
            return "<call>"
        try:
            seconds = (self._micros(ended) - started) // 1_000_000
        except Bad:
            return "<call>"
        return f"<call, {seconds} s>" if seconds > 0 else "<missed call>"


def _reactions(message: _Message, row: _Untimed) -> list[_Untimed]:
    """The reaction rows of one message (those that name who reacted), at the message's
    time as written (read with it by :meth:`_Channel._timed`)."""
    message_id = row[5]
    if message_id is None:
        return []  # nothing to point at
    found: list[_Untimed] = []
    for reaction in message.reactions or ():
        emoji = _emoji(reaction.emoji)
        if emoji is None or not reaction.users:
            continue
        for user in reaction.users:
            reactor = _author(user)
            if reactor is not None:
                _, _, text, kind, target, own, _ = reaction_row(
                    reactor, 0, emoji, row[6], target_id=message_id
                )
                found.append((reactor, row[1], text, kind, target, own, row[6]))
    return found


def _emoji(emoji: _Emoji | None) -> str | None:
    """A Unicode emoji as its character, a server's own emoji as ``:name:``."""
    if emoji is None:
        return None
    name = text_of(emoji.name)
    if not name:
        return None
    return f":{name}:" if text_of(emoji.id) else name


def _title(guild: Any, channel: Any, source: str) -> str:
    guild = guild if isinstance(guild, dict) else {}
    channel = channel if isinstance(channel, dict) else {}
    name = text_of(channel.get("name")) or Path(source).stem
    direct = channel.get("type") in _DM_TYPES or text_of(guild.get("id")) == "0"
    if direct:
        return name
    server = text_of(guild.get("name"))
    return f"{server} #{name}" if server else f"#{name}"


def _author(author: _Author) -> str | None:
    nickname = author.nickname
    if type(nickname) is str and nickname and not nickname.isspace():
        return nickname  # the usual case, without the checks below
    for value in (author.nickname, author.name):
        name = text_of(value)
        if name and name.strip():
            return name
    author_id = text_of(author.id)
    return f"Deleted user {author_id}" if author_id else None


def _id(msg: _Message) -> str | None:
    value = msg.id
    return value if isinstance(value, str) and value else text_of(value)


def _reply_to(reference: _Reference | None) -> str | None:
    if reference is None:
        return None
    # A forwarded message also carries a reference; it is not an answer to that message.
    if reference.type not in (None, "Default"):
        return None
    return text_of(reference.messageId)


def _media_label(msg: _Message) -> str | None:
    if msg.attachments:
        item = msg.attachments[0]
        name = text_of(item.fileName) or text_of(item.url) or ""
        return _discord_csv.attachment_label(name)
    if msg.stickers:
        called = text_of(msg.stickers[0].name)
        return f"<sticker {called}>" if called else "<sticker>"
    return None


def _spaced(mtype: str) -> str:
    """``GuildMemberJoin`` as "guild member join", for a notice written without text."""
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in mtype).strip()
    return words or "notice"
