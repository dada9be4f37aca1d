"""WhatsApp chat exports: the ``.txt`` and the ``.zip`` that "Export chat" writes.

Both phone layouts are read (Android ``12/03/2024, 21:15 - Alex: hi``, iOS
``[12/03/2024, 21:15:03] Alex: hi``; see :mod:`._whatsapp_patterns` for the details), with
12- and 24-hour clocks, ``/ . -`` separators, 2- and 4-digit years, and dates day-first or
month-first as the whole file shows (:mod:`._whatsapp_time`).

How lines map onto the normalised schema:

- a header with ``sender: text``: ``kind="text"``; lines without a header continue the
  message before them and are joined with ``"\\n"``; ``line`` is the header's line;
- media placeholders (``<Media omitted>``, ``image omitted``, ``<attached: ...>`` and
  their translations): ``kind="media"``, placeholder kept as the text;
- missed voice and video calls: ``kind="call"``;
- a header without ``sender:`` (Android) or an event iOS writes under the chat's name with
  a left-to-right mark before the text: ``kind="system"`` with no sender;
- "This message was deleted" and its variants: ``kind="system"``, the sender kept;
- a trailing ``<This message was edited>`` marker and every U+200E mark are removed; the
  rest of the text is kept exactly as written.

Times are wall-clock times in ``Options.timezone`` (the machine's zone by default),
converted to UTC. The file is read in pieces of :data:`PIECE_BYTES` and each piece is
parsed with Polars column operations, so memory stays flat as the export grows; frames are
yielded piece by piece, cut where a message starts.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from reciprocity.errors import ImportFailed
from reciprocity.ingest._whatsapp_lines import Piece, parse_piece
from reciprocity.ingest._whatsapp_patterns import HEADER_RE, IOS_MEMBER, LRM, TITLE
from reciprocity.ingest._whatsapp_source import (
    ChatText,
    is_zip,
    member_name,
    open_chat,
    read_pieces,
)
from reciprocity.ingest._whatsapp_time import DateOrder, to_messages
from reciprocity.ingest.base import MESSAGE_SCHEMA, Options, resolve_zone

NAME = "whatsapp"

#: Bytes read per piece: about 25,000 messages of a typical chat, one frame each. Memory
#: grows with it (about 20 times the piece at peak, times the few pieces in flight between
#: parse, hash and insert during an import), speed barely does: from 2 MB up it is the
#: same on a million messages, at 1 MB the import is a tenth slower.
PIECE_BYTES = 2 * 1024 * 1024

# The byte-order mark some editors put in front of a UTF-8 file.
_BOM = b"\xef\xbb\xbf"


def detect(path: Path, head: bytes) -> bool:
    """Whether ``path`` is a WhatsApp export: a ``.txt`` whose first non-empty line is a
    WhatsApp message header, or a ``.zip`` holding the chat text.

    A zip that cannot be listed still counts when its first entry or its own name says
    WhatsApp, so that :func:`parse` can say what is wrong with it.
    """
    path = Path(path)
    if is_zip(path, head):
        try:
            with zipfile.ZipFile(path) as archive:
                names = [member_name(n) for n in archive.namelist()]
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            return bool(TITLE.match(path.stem)) or IOS_MEMBER.encode() in head[:1024]
        return any(n == IOS_MEMBER or (n.endswith(".txt") and TITLE.match(n[:-4])) for n in names)
    if path.suffix.lower() != ".txt":
        return False
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    for line in text.split("\n"):
        if line.strip().strip(LRM):
            return HEADER_RE.match(line) is not None
    return False


def conversation_title(path: Path, member: str | None = None) -> str:
    """The chat's title as the export's file name gives it (``WhatsApp Chat with Alex.txt``
    → ``Alex``), else as the zip member's or the folder's name gives it (a Mac unzips
    ``WhatsApp Chat - Alex.zip`` into a folder of that name), else the file's stem.

    >>> conversation_title(Path("WhatsApp Chat - Alex Morgan.zip"), "_chat.txt")
    'Alex Morgan'
    """
    for name in (path.name, member, path.parent.name):
        if name is None:
            continue
        stem = name.rsplit(".", 1)[0] if "." in name else name
        found = TITLE.match(stem)
        if found:
            return found.group("title").strip()
    return path.stem


def parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    """Read a WhatsApp export into frames of :data:`~reciprocity.ingest.base.MESSAGE_SCHEMA`.

    Raises :class:`~reciprocity.errors.ImportFailed` naming the file and line when the text
    is not a WhatsApp export, is not UTF-8, or holds a date that does not exist; and naming
    the file when a zip is damaged or holds no chat.
    """
    path = Path(path)
    timezone = resolve_zone(options.timezone, str(path)).key
    with open_chat(path) as chat:
        title = options.conversation or conversation_title(path, chat.member)
        order = DateOrder()
        dayfirst = options.dayfirst
        forced = dayfirst is not None
        held: list[pl.DataFrame] = []
        for raw in _raw_frames(chat):
            if dayfirst is None:
                order.add(raw)
                dayfirst = order.decided()
                if dayfirst is None:
                    # Not settled yet: keep the parts until a later line settles it.
                    held.append(raw)
                    continue
            for frame in [*held, raw]:
                yield _finish(frame, dayfirst, forced, timezone, title, chat.source)
            held.clear()
        for frame in held:
            yield _finish(frame, order.best_guess(), forced, timezone, title, chat.source)


def _raw_frames(chat: ChatText) -> Iterator[pl.DataFrame]:
    """Messages with unresolved dates, piece by piece, each piece cut where a message starts."""
    carry = b""
    first_line = 1
    started = False
    at_start = True
    for block in read_pieces(chat, PIECE_BYTES):
        final = not block
        data = carry + block
        if at_start and (len(data) >= len(_BOM) or final):
            data = data.removeprefix(_BOM)
            at_start = False
        if final:
            work, rest = data, b""
        else:
            cut = data.rfind(b"\n") + 1
            if not cut:
                carry = data
                continue
            work, rest = data[:cut], data[cut:]
        piece = parse_piece(
            work, first_line=first_line, final=final, started=started, source=chat.source
        )
        started = piece.started
        carry = work[_offset_of_line(work, piece) :] + rest
        first_line += piece.lines_used
        if piece.frame.height:
            yield piece.frame
    if not started:
        raise ImportFailed.one(
            chat.source, None, "the chat is empty: there is no message in it; export it again"
        )


def _offset_of_line(data: bytes, piece: Piece) -> int:
    """Byte offset where the first line the piece did not use begins.

    Searched from the end: the unused lines are the last message, usually one line.
    """
    terminated = data.endswith(b"\n")
    total = data.count(b"\n") + (0 if terminated or not data else 1)
    if piece.lines_used >= total:
        return len(data)
    position = len(data)
    for _ in range(total - piece.lines_used + terminated):
        position = data.rfind(b"\n", 0, position)
    return position + 1


def _finish(
    raw: pl.DataFrame, dayfirst: bool, forced: bool, timezone: str, title: str, source: str
) -> pl.DataFrame:
    messages = to_messages(raw, dayfirst=dayfirst, forced=forced, timezone=timezone, source=source)
    return messages.select(
        source=pl.lit(NAME, pl.String()),
        conversation=pl.lit(title, pl.String()),
        sender="sender",
        timestamp="timestamp",
        text="text",
        kind="kind",
        reply_to=pl.lit(None, pl.String()),
        source_id=pl.lit(None, pl.String()),
        line="line",
    ).cast(MESSAGE_SCHEMA)  # type: ignore[arg-type]
