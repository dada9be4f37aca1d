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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest import _discord_csv
from reciprocity.ingest._json_items import (
    BATCH_CHARS,
    BATCH_ROWS,
    Bad,
    Row,
    first,
    frame,
    items,
    problem_list,
    text_of,
)
from reciprocity.ingest._reactions import ReactionRow, reaction_row
from reciprocity.ingest.base import MAX_MESSAGE_BYTES, Options, resolve_zone, too_long

NAME = "discord"
APP = "Discord with DiscordChatExporter (JSON or CSV)"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
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
        rows: list[Row] = []
        chars = 0
        for index, message in enumerate(items(self.fh, "messages.item", self.source, APP), 1):
            try:
                row = self._row(message, index)
            except Bad as bad:
                problem_list(self.source, self.problems, index, bad)
                continue
            if self.problems:
                continue
            rows.append(row)
            chars += len(row[2])
            if "reactions" in message:
                rows.extend(_reactions(message["reactions"], row))
            if len(rows) >= BATCH_ROWS or chars >= BATCH_CHARS:
                yield frame(rows, NAME, self.conversation)
                rows, chars = [], 0
        if self.problems:
            raise ImportFailed(self.problems)
        if rows:
            yield frame(rows, NAME, self.conversation)

    def _row(self, msg: Any, index: int) -> Row:
        if not isinstance(msg, dict):
            raise Bad("expected a message object")
        micros = self._micros(msg.get("timestamp"))
        author = msg.get("author")
        sender = _author(author) if isinstance(author, dict) else None
        words = text_of(msg.get("content")) or ""
        if len(words) > MAX_MESSAGE_BYTES // 4 and len(words.encode()) > MAX_MESSAGE_BYTES:
            raise Bad(too_long("this message"))
        mtype = text_of(msg.get("type")) or "Default"
        if mtype == "Call":
            kind, text = "call", self._call(msg, micros)
        elif mtype not in _SAID:
            kind, text = "system", words or _spaced(mtype)
        else:
            label = _media_label(msg)
            kind, text = ("text", words) if label is None else ("media", words or label)
        reply_to = _reply_to(msg.get("reference")) if kind != "system" else None
        return (sender or "Unknown sender", micros, text, kind, reply_to, _id(msg), index)

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
        return (moment - _EPOCH) // _MICROSECOND

    def _call(self, msg: dict[str, Any], started: int) -> str:
        ended = msg.get("callEndedTimestamp")
        if not isinstance(ended, str):
            return "<call>"
        try:
            seconds = (self._micros(ended) - started) // 1_000_000
        except Bad:
            return "<call>"
        return f"<call, {seconds} s>" if seconds > 0 else "<missed call>"


def _reactions(reactions: Any, message: Row) -> list[ReactionRow]:
    """The reaction rows of one message's ``reactions`` (those that name who reacted)."""
    if not isinstance(reactions, list) or not reactions:
        return []
    sender, micros, _, _, _, message_id, line = message
    found: list[ReactionRow] = []
    for reaction in reactions:
        if not isinstance(reaction, dict):
            continue
        emoji = _emoji(reaction.get("emoji"))
        users = reaction.get("users")
        if emoji is None or not isinstance(users, list):
            continue
        for user in users:
            reactor = _author(user) if isinstance(user, dict) else None
            if reactor is not None:
                found.append(
                    reaction_row(
                        reactor, micros, emoji, line, target_id=message_id, target_sender=sender
                    )
                )
    return found


def _emoji(emoji: Any) -> str | None:
    """A Unicode emoji as its character, a server's own emoji as ``:name:``."""
    if not isinstance(emoji, dict):
        return None
    name = text_of(emoji.get("name"))
    if not name:
        return None
    return f":{name}:" if text_of(emoji.get("id")) else name


def _title(guild: Any, channel: Any, source: str) -> str:
    guild = guild if isinstance(guild, dict) else {}
    channel = channel if isinstance(channel, dict) else {}
    name = text_of(channel.get("name")) or Path(source).stem
    direct = channel.get("type") in _DM_TYPES or text_of(guild.get("id")) == "0"
    if direct:
        return name
    server = text_of(guild.get("name"))
    return f"{server} #{name}" if server else f"#{name}"


def _author(author: dict[str, Any]) -> str | None:
    nickname = author.get("nickname")
    if type(nickname) is str and nickname and not nickname.isspace():
        return nickname  # the usual case, without the checks below
    for key in ("nickname", "name"):
        name = text_of(author.get(key))
        if name and name.strip():
            return name
    author_id = text_of(author.get("id"))
    return f"Deleted user {author_id}" if author_id else None


def _id(msg: dict[str, Any]) -> str | None:
    value = msg.get("id")
    return value if isinstance(value, str) and value else text_of(value)


def _reply_to(reference: Any) -> str | None:
    if not isinstance(reference, dict):
        return None
    # A forwarded message also carries a reference; it is not an answer to that message.
    if reference.get("type") not in (None, "Default"):
        return None
    return text_of(reference.get("messageId"))


def _media_label(msg: dict[str, Any]) -> str | None:
    attachments = msg.get("attachments")
    if not attachments and not msg.get("stickers"):
        return None
    if isinstance(attachments, list) and attachments:
        item = attachments[0] if isinstance(attachments[0], dict) else {}
        name = text_of(item.get("fileName")) or text_of(item.get("url")) or ""
        return _discord_csv.attachment_label(name)
    stickers = msg.get("stickers")
    if isinstance(stickers, list) and stickers:
        sticker = stickers[0] if isinstance(stickers[0], dict) else {}
        called = text_of(sticker.get("name"))
        return f"<sticker {called}>" if called else "<sticker>"
    return None


def _spaced(mtype: str) -> str:
    """``GuildMemberJoin`` as "guild member join", for a notice written without text."""
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in mtype).strip()
    return words or "notice"
