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
(``messageId``). The files run to gigabytes, so they are read a few megabytes at a time
(:mod:`._json_items`), each read's messages decoded together; the plain ones (words, an
attachment or a sticker) are taken as columns, the rest read one at a time.

How messages map onto the schema: the sender is the author's display name (``nickname``, as
mentions write it, else ``name``); ``source_id`` is the message id and ``reply_to`` the id a
reply points at, so the group attribution (:mod:`reciprocity.exchanges.attribution`) sees
explicit replies, and ``@Name`` mentions stay in the text for it. A message with an
attachment or a sticker is ``media``, a call is ``call`` (``<call, 95 s>``), and joins,
pins, renames and the other notices Discord writes itself are ``system``. A DM is the other
person's name; a server channel is "Server #channel". A server channel and a group DM are
group chats however few people wrote in them (the export says which the channel is). The
CSV layout is read by :mod:`._discord_csv`.

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
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest import _discord_csv
from reciprocity.ingest._discord_message import SHAPE, Author, Emoji, Message, Reference
from reciprocity.ingest._json_items import (
    Bad,
    blocks,
    decoded,
    first,
    gathered,
    problem_list,
    text_of,
)
from reciprocity.ingest._reactions import reaction_row
from reciprocity.ingest.base import (
    MAX_MESSAGE_BYTES,
    Options,
    resolve_zone,
    text_frame,
    too_long,
)

NAME = "discord"
#: A big file is parsed in a process of its own (:mod:`reciprocity.parse_apart`): the
#: parse is mostly Python, which would take turns with the save for the interpreter lock.
PARSE_APART = True
APP = "Discord with DiscordChatExporter (JSON or CSV)"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: How DiscordChatExporter writes a time: ``2024-03-01T14:05:00.123+01:00``.
_ISO = "%Y-%m-%dT%H:%M:%S%.f%:z"
# A row as :meth:`_Channel._row` makes it: the time still the text the file holds.
_Untimed = tuple[str | None, str, str, str, str | None, str | None, int]
_UNTIMED = ("sender", "written", "text", "kind", "reply_to", "source_id", "line")
#: A read's rows before their times are read (:meth:`_Channel._block`).
_WRITTEN: dict[str, pl.DataType] = {
    "sender": pl.String(),
    "written": pl.String(),
    "text": pl.String(),
    "kind": pl.String(),
    "reply_to": pl.String(),
    "source_id": pl.String(),
    "line": pl.Int64(),
    "sub": pl.Int64(),
}
#: Words longer than this many characters are checked for their size by ``_row``.
_LONG = MAX_MESSAGE_BYTES // 4
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
            yield from _Channel(fh, source, zone, options).frames()
    except OSError as exc:
        raise ImportFailed.one(source, None, f"cannot read the file ({exc.strerror})") from None


class _Channel:
    def __init__(self, fh: BinaryIO, source: str, zone: ZoneInfo, options: Options) -> None:
        self.fh = fh
        self.source = source
        self.zone = zone
        guild, channel = first(fh, "guild"), first(fh, "channel")
        self.conversation = options.conversation or _title(guild, channel, source)
        if _is_group(guild, channel):
            options.group(NAME, self.conversation)
        self.problems: list[Problem] = []

    def frames(self) -> Iterator[pl.DataFrame]:
        for rows in gathered(self._parts()):
            timed = self._timed(rows)
            if timed is not None:
                yield timed
        if self.problems:
            raise ImportFailed(self.problems)

    def _parts(self) -> Iterator[pl.DataFrame]:
        """Each read's rows, while no problem is found (after one, the rest is read for
        its problems alone, which are raised at the end)."""
        for block in blocks(self.fh, "messages", self.source, APP, SHAPE.decoder):
            part = self._block(decoded(block, self.source, APP, SHAPE), block.first)
            if not self.problems:
                yield part
        if self.problems:
            raise ImportFailed(self.problems)

    def _block(self, messages: list[Any], first: int) -> pl.DataFrame:
        """One read's messages and their reactions as rows whose times are still as written
        (``written``), each with its place in the file (``line``, and ``sub``: 0 for a
        message, 1, 2 … for its reactions).

        The messages that are words, or an attachment or a sticker with or without words,
        are taken as columns (:func:`_plain_frame`); the others (calls, notices, reactions,
        values of an unexpected type) are read one at a time by :meth:`_row`.
        """
        plain = _plain_frame(messages, first)
        left = np.ones(len(messages), dtype=bool)
        if plain is not None:
            left[(plain["line"] - first).to_numpy()] = False
        rows: list[_Untimed] = []
        subs: list[int] = []
        for i in np.flatnonzero(left).tolist():
            message, index = messages[i], first + i
            try:
                row = self._row(message, index)
            except Bad as bad:
                problem_list(self.source, self.problems, index, bad)
                continue
            rows.append(row)
            subs.append(0)
            if message.reactions:
                reactions = _reactions(message, row)
                rows.extend(reactions)
                subs.extend(range(1, len(reactions) + 1))
        parts = [] if plain is None else [plain]
        if rows:
            columns = dict(zip(_UNTIMED, map(list, zip(*rows, strict=True)), strict=True))
            parts.append(text_frame({**columns, "sub": subs}, _WRITTEN))
        if not parts:
            return pl.DataFrame(schema=_WRITTEN)
        return pl.concat(parts).sort("line", "sub")

    def _timed(self, rows: pl.DataFrame) -> pl.DataFrame | None:
        """``rows`` with their times read, all at once, as message rows; a time Polars
        cannot read as DiscordChatExporter writes it (an offset missing, a ``Z``) is read
        one at a time, and one that is no time at all is a problem naming its message."""
        read = rows["written"].str.to_datetime(_ISO, time_unit="us", time_zone="UTC", strict=False)
        micros = read.dt.epoch("us")
        if read.null_count():
            unread = np.flatnonzero(micros.is_null().to_numpy()).tolist()
            # Only the rows Polars could not read become Python values.
            left = rows.select("written", "line")[unread]
            found: list[int | None] = []
            for written, line in left.iter_rows():
                try:
                    found.append(self._micros(written))
                except Bad as bad:
                    problem_list(self.source, self.problems, line, bad)
                    found.append(None)
            micros = micros.scatter(unread, found)
        if self.problems:
            return None
        return rows.select(
            pl.lit(NAME).alias("source"),
            pl.lit(self.conversation).alias("conversation"),
            "sender",
            pl.from_epoch(micros, time_unit="us").dt.replace_time_zone("UTC").alias("timestamp"),
            "text",
            "kind",
            "reply_to",
            "source_id",
            "line",
        )

    def _row(self, msg: Any, index: int) -> _Untimed:
        """The message as a row whose time is still as written (see :meth:`_timed`)."""
        if not isinstance(msg, Message):
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

    def _call(self, msg: Message, started: int) -> str:
        ended = msg.callEndedTimestamp
        if not isinstance(ended, str):
            return "<call>"
        try:
            seconds = (self._micros(ended) - started) // 1_000_000
        except Bad:
            return "<call>"
        return f"<call, {seconds} s>" if seconds > 0 else "<missed call>"


_EXTRAS = attrgetter("attachments", "stickers", "reactions")
_AUTHOR = attrgetter("author")


def _plain_frame(messages: list[Any], first: int) -> pl.DataFrame | None:
    """The messages of a read that are words, or an attachment or a sticker with or
    without words, as rows (see :meth:`_Channel._block`); ``None`` when a message or a
    value is not what this reading expects (then :meth:`_Channel._row` reads them all,
    and says what is wrong)."""
    count = len(messages)
    try:
        authors = list(map(_AUTHOR, messages))
        names = {author: _author(author) or "Unknown sender" for author in set(authors)}
        more = np.fromiter(map(any, map(_EXTRAS, messages)), bool, count)
        replies = [i for i, m in enumerate(messages) if m.reference is not None]
        found = pl.DataFrame(
            {
                "id": list(map(attrgetter("id"), messages)),
                "type": list(map(attrgetter("type"), messages)),
                "written": list(map(attrgetter("timestamp"), messages)),
                "text": list(map(attrgetter("content"), messages)),
                "sender": list(map(names.__getitem__, authors)),
            },
            schema_overrides=dict.fromkeys(("id", "type", "written", "text"), pl.String),
        )
    except (AttributeError, TypeError, UnicodeEncodeError):
        return None
    # Attachments and stickers without reactions: their placeholder, as :meth:`_row` says.
    labels: list[str | None] = [None] * count
    for i in np.flatnonzero(more).tolist():
        if not messages[i].reactions:
            labels[i] = _media_label(messages[i])
    reply_to: list[str | None] = [None] * count
    for i in replies:
        reply_to[i] = _reply_to(messages[i].reference)
    words = pl.col("text").fill_null("")
    return (
        found.with_columns(
            label=pl.Series(labels, dtype=pl.String),
            reply_to=pl.Series(reply_to, dtype=pl.String),
            more=more,
            line=pl.int_range(first, first + count, dtype=pl.Int64),
        )
        .filter(
            (~pl.col("more") | pl.col("label").is_not_null())
            & (pl.col("type").is_null() | pl.col("type").is_in(_SAID))
            & pl.col("written").is_not_null()
            & (words.str.len_chars() <= _LONG)
        )
        .select(
            "sender",
            "written",
            pl.when(pl.col("label").is_null() | (words.str.len_bytes() > 0))
            .then(words)
            .otherwise(pl.col("label"))
            .alias("text"),
            pl.when(pl.col("label").is_null())
            .then(pl.lit("text"))
            .otherwise(pl.lit("media"))
            .alias("kind"),
            "reply_to",
            pl.col("id").alias("source_id"),
            "line",
            pl.lit(0, pl.Int64).alias("sub"),
        )
    )


def _reactions(message: Message, row: _Untimed) -> list[_Untimed]:
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


def _emoji(emoji: Emoji | None) -> str | None:
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


def _is_group(guild: Any, channel: Any) -> bool:
    """A server's channel or a group DM: more people read it than the two who may write."""
    guild = guild if isinstance(guild, dict) else {}
    channel = channel if isinstance(channel, dict) else {}
    kind = channel.get("type")
    if kind == "DirectGroupTextChat":
        return True
    if kind == "DirectTextChat" or text_of(guild.get("id")) == "0":
        return False
    return isinstance(kind, str) or text_of(guild.get("id")) is not None


def _author(author: Author) -> str | None:
    nickname = author.nickname
    if type(nickname) is str and nickname and not nickname.isspace():
        return nickname  # the usual case, without the checks below
    for value in (author.nickname, author.name):
        name = text_of(value)
        if name and name.strip():
            return name
    author_id = text_of(author.id)
    return f"Deleted user {author_id}" if author_id else None


def _id(msg: Message) -> str | None:
    value = msg.id
    return value if isinstance(value, str) and value else text_of(value)


def _reply_to(reference: Reference | None) -> str | None:
    if reference is None:
        return None
    # A forwarded message also carries a reference; it is not an answer to that message.
    if reference.type not in (None, "Default"):
        return None
    return text_of(reference.messageId)


def _media_label(msg: Message) -> str | None:
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
