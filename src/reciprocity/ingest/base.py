"""The contract every export format implements, and the normalised message schema.

A format is a module with three names:

- ``NAME``: short lowercase id, also the ``source`` column value (``"whatsapp"``).
- ``detect(path, head) -> bool``: cheap check on the file name and its first bytes
  (``head`` is at most 64 KiB; for a ``.zip`` it is the zip's own bytes).
- ``parse(path, options) -> Iterator[pl.DataFrame]``: batches of normalised messages,
  each a frame with exactly :data:`MESSAGE_SCHEMA`, in file order. Problems in the
  file are raised as one :class:`~reciprocity.errors.ImportFailed` naming file and line;
  a parser never writes anywhere and never touches paths found inside an archive.

**Reactions** (a 👍 or ❤️ put on a message, an iMessage tapback) are rows of the same schema
with ``kind`` ``"reaction"``, never messages: the store keeps them, and the analysis reads
them apart from the messages (:func:`reciprocity.store.reactions_frame`), so they are never
a turn, a word, an initiation or a reply. A reaction row holds:

- ``sender``: who reacted; ``text``: the reaction as the export writes it (the emoji, or the
  platform's word for it, such as "Loved" or ``:party_parrot:``);
- ``timestamp``: when it was given where the export says so (Telegram, iMessage, Signal's
  JSON), else the reacted message's own time (Messenger, Discord, Signal's Markdown);
- ``reply_to``: the message reacted to. Where the platform has message ids (Discord,
  Telegram, iMessage's guid) it is that id, like a reply's; where it has none (Messenger,
  Instagram, Signal's Markdown) it is :func:`target_at` of the reacted message's sender
  and time, which the store resolves to the message in the same way after the import;
- ``source_id``: the platform's id of the reaction where it has one (iMessage), else
  :func:`reaction_id` of the target, the reactor and the reaction. The id keys the
  reaction's fingerprint (``store/fingerprint.py``), so a reaction can never be mistaken
  for a message with the same sender, time and text (a "❤️" sent as a message stays a
  message), re-importing the file adds nothing, and no message's fingerprint changes.

A person reacts at most once with one emoji to one message; a reaction the export shows as
taken back (an iMessage tapback removed) is left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import blake2b
from pathlib import Path
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from reciprocity.errors import ImportFailed

KINDS = ("text", "media", "call", "system", "reaction")

#: The ``kind`` of a reaction row (see the module docstring).
REACTION = "reaction"
#: How :func:`target_at` references begin.
TARGET_AT = "at:"
# The longest reference the store keeps (its column holds 100 characters).
_MAX_REFERENCE = 100


def reaction_id(target: str, reactor: str, reaction: str) -> str:
    """The ``source_id`` of a reaction the platform gives no id of its own: the same for
    the same target, reactor and reaction, in every import (see the module docstring).

    >>> reaction_id("1134", "Alex", "👍")
    'reaction:a2d41896304d058abdb98a22'
    """
    key = "|".join(f"{len(v.encode())}:{v}" for v in (target, reactor, reaction))
    return "reaction:" + blake2b(key.encode(), digest_size=12).hexdigest()


def target_at(sender: str | None, micros: int) -> str:
    """The ``reply_to`` of a reaction to a message without an id: the reacted message's
    time (µs since 1970, UTC, written with 20 digits so the store can read it back by
    position) and its sender. A sender too long for the column is left out: the time
    alone then names the message."""
    reference = f"{TARGET_AT}{micros:020d}:{sender or ''}"
    return reference if len(reference) <= _MAX_REFERENCE else reference[:24]


#: The longest message any parser accepts, in bytes of UTF-8 text (8 MiB). No chat app lets
#: anyone send that much in one message (WhatsApp stops at 65,536 characters, Telegram at
#: 4,096): a message of 1 MB imports, a file holding a longer one is refused with its
#: line, so that a hostile file cannot make a parser hold gigabytes for one "message".
MAX_MESSAGE_BYTES = 8 * 1024 * 1024
#: The longest line any parser reads, in bytes: a line cannot be longer than its message.
#: Lines are read in pieces and refused once over this, never read whole.
MAX_LINE_BYTES = MAX_MESSAGE_BYTES


def too_long(what: str) -> str:
    """The message for a line or message over :data:`MAX_MESSAGE_BYTES`, for ``what``
    (``"this line"``, ``"this message"``, ``"this field"``)."""
    return (
        f"{what} is longer than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB, more than any chat "
        "app lets anyone send in one message; the file is damaged or is not a chat export. "
        "Export the chat again, or remove that part of the file"
    )


MESSAGE_SCHEMA: dict[str, pl.DataType] = {
    # platform the message came from: "whatsapp", "telegram", "csv", ...
    "source": pl.String(),
    # conversation title as the export names it (a contact's name, a group's name)
    "conversation": pl.String(),
    # display name or handle as the export writes it; null for system lines
    "sender": pl.String(),
    # the moment the message was sent, timezone-aware, stored in UTC
    "timestamp": pl.Datetime("us", "UTC"),
    # full text, multi-line messages joined with "\n"; media placeholders kept as written
    "text": pl.String(),
    # one of KINDS
    "kind": pl.String(),
    # the platform's id of the message this one replies to, when the platform records it
    "reply_to": pl.String(),
    # the platform's own id for this message, when it has one (Telegram does, WhatsApp not)
    "source_id": pl.String(),
    # 1-based line in the source file where the message starts, so any figure traces back
    "line": pl.Int64(),
}


@dataclass(frozen=True, slots=True)
class Options:
    """How to read a file; every field has a sensible default.

    ``timezone``: IANA zone the export's wall-clock times are in (WhatsApp and CSV without
    offsets); ``None`` means the machine's local zone. ``dayfirst``: force day-first (True)
    or month-first (False) dates; ``None`` infers it from the file (from its first
    8 MB when no date up to there says it). ``conversation``:
    override the conversation title the parser would derive from the file.
    ``notes``: where a parser says, in a sentence, what it chose for the user where the
    file left it open (the date order it read an ambiguous WhatsApp export in); ``None``
    keeps them unsaid. Surfaces show them after the import.
    ``own_addresses``: the user's own addresses, for formats that name every sender by an
    address (email); filled from ``--me`` by :func:`reciprocity.ingest.who_is_me`.
    ``groups``: where a parser records the chats its export itself calls group chats
    (``(source, conversation)``), so that a group in which only two people wrote is not
    read as a chat between the two (:meth:`group`); ``None`` keeps them unrecorded.
    """

    timezone: str | None = None
    dayfirst: bool | None = None
    conversation: str | None = None
    own_addresses: tuple[str, ...] = ()
    notes: list[str] | None = field(default=None, compare=False)
    groups: list[tuple[str, str]] | None = field(default=None, compare=False)

    def note(self, text: str) -> None:
        """Say ``text`` to the user after the import (kept only when ``notes`` is set)."""
        if self.notes is not None and text not in self.notes:
            self.notes.append(text)

    def group(self, source: str, conversation: str) -> None:
        """Record that the export calls ``conversation`` a group chat (a Telegram group,
        a Discord server channel, a Messenger chat of three or more): kept only when
        ``groups`` is set."""
        key = (source, conversation)
        if self.groups is not None and key not in self.groups:
            self.groups.append(key)


class Format(Protocol):
    """What a format module looks like (see the module docstring)."""

    NAME: str

    def detect(self, path: Path, head: bytes) -> bool: ...

    def parse(self, path: Path, options: Options) -> Iterator[pl.DataFrame]: ...


def empty_messages() -> pl.DataFrame:
    """An empty frame with the message schema."""
    return pl.DataFrame(schema=MESSAGE_SCHEMA)


def messages_frame(
    columns: dict[str, Any], *, time_unit: Literal["ms", "us"] = "us"
) -> pl.DataFrame:
    """A :data:`MESSAGE_SCHEMA` frame from the lists of Python values a parser collected
    row by row: ``timestamp`` as whole ``time_unit`` since 1970 (UTC); ``source`` and
    ``conversation`` may be one value for every row; ``reply_to`` and ``source_id`` may
    be left out (none). Text a UTF-8 encoder refuses becomes U+FFFD (:func:`text_frame`)."""
    rows = len(columns["timestamp"])
    full = {name: columns.get(name, [None] * rows) for name in MESSAGE_SCHEMA}
    for name in ("source", "conversation"):
        if isinstance(full[name], str):
            full[name] = [full[name]] * rows
    frame = text_frame(full, {**MESSAGE_SCHEMA, "timestamp": pl.Int64()})
    return frame.with_columns(
        pl.from_epoch(pl.col("timestamp"), time_unit=time_unit)
        .dt.replace_time_zone("UTC")
        .cast(MESSAGE_SCHEMA["timestamp"])
    )


def text_frame(columns: dict[str, Any], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """``pl.DataFrame(columns, schema=schema)``; text a UTF-8 encoder refuses (a lone
    surrogate that a JSON ``\\ud83d`` escape or a badly encoded mail header can hold) in a
    column of Python strings becomes U+FFFD, and the rest of the text is kept."""
    try:
        return pl.DataFrame(columns, schema=schema)
    except UnicodeEncodeError:
        fixed = {
            name: [v if not isinstance(v, str) else _repaired(v) for v in values]
            if isinstance(values, list) and schema.get(name) == pl.String()
            else values
            for name, values in columns.items()
        }
        return pl.DataFrame(fixed, schema=schema)


def rows_frame(
    rows: Sequence[tuple[Any, ...]],
    fields: tuple[str, ...],
    *,
    time_unit: Literal["ms", "us"] = "us",
    **same: str,
) -> pl.DataFrame:
    """:func:`messages_frame` of ``rows``, tuples whose values are the columns named by
    ``fields`` in that order; ``same`` gives the columns that hold one value for every row
    (``source="sms"``, ``conversation="Alex"``)."""
    columns = (list(column) for column in zip(*rows, strict=True))
    return messages_frame({**dict(zip(fields, columns, strict=True)), **same}, time_unit=time_unit)


def _repaired(value: str) -> str:
    return value.encode("utf-8", errors="replace").decode("utf-8")


def resolve_zone(name: str | None, source: str) -> ZoneInfo:
    """The zone called ``name`` (``None``: this machine's), or ImportFailed naming ``source``.

    The zone must be known to both the standard library and Polars, since parsers convert
    wall-clock times with either.
    """
    zone_name = name or local_timezone_name()
    try:
        zone = ZoneInfo(zone_name)
        pl.Series([datetime(2020, 1, 1)]).dt.replace_time_zone(zone_name)
    except (ZoneInfoNotFoundError, ValueError, OSError, pl.exceptions.PolarsError):
        raise ImportFailed.one(
            source,
            None,
            f"unknown time zone {zone_name!r}; give a zone name such as 'Europe/Berlin' or 'UTC'",
        ) from None
    return zone


def local_timezone_name() -> str:
    """The machine's IANA zone name, falling back to UTC when it cannot be told."""
    try:
        import tzlocal

        return str(tzlocal.get_localzone_name() or "UTC")
    except Exception:  # pragma: no cover - depends on the machine
        return "UTC"
