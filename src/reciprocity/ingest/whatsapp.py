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

Hostile files are bounded: a line or a message over
:data:`~reciprocity.ingest.base.MAX_MESSAGE_BYTES` (8 MiB) is refused with its line once
the reader passes the cap, never read whole; a message of millions of blank or short lines
costs no more than any message of its size (:mod:`._whatsapp_lines`); a zip whose chat text
unpacks to more than 1 GiB, or to more than 100 times its packed size, is refused before it
is unpacked (:mod:`._whatsapp_source`); the day/month order is settled from the first
:data:`DATE_SAMPLE_BYTES` when nothing settles it before. A zip of several chats gives
one conversation per chat.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from reciprocity.errors import ImportFailed
from reciprocity.ingest._whatsapp_lines import MessageReader
from reciprocity.ingest._whatsapp_locales import language_of
from reciprocity.ingest._whatsapp_patterns import (
    IOS_MEMBER,
    TITLE,
    opens_with_header,
)
from reciprocity.ingest._whatsapp_source import (
    ChatText,
    chat_members,
    is_zip,
    member_folder,
    member_name,
    open_export,
    read_pieces,
)
from reciprocity.ingest._whatsapp_time import DateOrder, to_messages
from reciprocity.ingest.base import (
    MAX_LINE_BYTES,
    MAX_MESSAGE_BYTES,
    MESSAGE_SCHEMA,
    Options,
    resolve_zone,
    too_long,
)

NAME = "whatsapp"

#: Bytes read per piece: about 25,000 messages of a typical chat, one frame each. Memory
#: grows with it (about 20 times the piece at peak, times the few pieces in flight between
#: parse, hash and insert during an import), speed barely does: from 2 MB up it is the
#: same on a million messages, at 1 MB the import is a tenth slower.
PIECE_BYTES = 2 * 1024 * 1024

#: When no date in the file says which number is the day (none above 12), the order is
#: settled from this much text (about 100,000 messages, months of a busy chat) rather than
#: from the whole file, whose messages would all have to be held meanwhile. A later date
#: that does not exist in that order is refused with its line and a hint to set the order.
DATE_SAMPLE_BYTES = 8 * 1024 * 1024

# The byte-order mark some editors put in front of a UTF-8 file.
_BOM = b"\xef\xbb\xbf"


def detect(path: Path, head: bytes) -> bool:
    """Whether ``path`` is a WhatsApp export: a ``.txt`` whose first non-empty line is a
    WhatsApp message header, or a ``.zip`` holding one chat text or more (named like one,
    or starting like one).

    A zip that cannot be listed still counts when its first entry or its own name says
    WhatsApp, so that :func:`parse` can say what is wrong with it.
    """
    path = Path(path)
    if is_zip(path, head):
        try:
            with zipfile.ZipFile(path) as archive:
                return bool(chat_members(archive))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            return bool(TITLE.match(path.stem)) or IOS_MEMBER.encode() in head[:1024]
    if path.suffix.lower() != ".txt":
        return False
    return opens_with_header(head)


def holds_several(path: Path) -> bool:
    """Whether ``path`` is a zip of several chats (someone zipped a few exports together)
    rather than one chat's export: the folder and archive walker
    (:mod:`reciprocity.ingest.containers`) then imports each chat on its own."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return len(chat_members(archive, _title(path.name))) > 1
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
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


def _title(name: str) -> str | None:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    found = TITLE.match(stem)
    return found.group("title").strip() if found else None


def member_titles(path: Path, members: list[str], options: Options) -> list[str]:
    """One conversation title per chat text (a ``.txt`` has no members: one title).

    A zip holding several chats (someone zipped a few exports together) gives each chat
    its own conversation, titled by its member's name or folder. Raises
    :class:`ImportFailed` when two chats would get the same title, or when the
    conversation option would give all of them one.
    """
    if len(members) <= 1:
        short = member_name(members[0]) if members else None
        return [options.conversation or conversation_title(path, short)]
    listed = ", ".join(repr(m) for m in members[:10])
    if options.conversation:
        raise ImportFailed.one(
            str(path),
            None,
            f"the zip holds {len(members)} chats ({listed}), and one conversation name "
            "cannot name them all; import it without a conversation name, or unzip it and "
            "import each chat on its own",
        )
    titles = []
    for member in members:
        folder = member_folder(member)
        title = _title(member_name(member)) or (folder and (_title(folder) or folder))
        titles.append(title or member_name(member).rsplit(".", 1)[0])
    for index, title in enumerate(titles):
        if title in titles[:index]:
            first = members[titles.index(title)]
            raise ImportFailed.one(
                str(path),
                None,
                f"the zip holds two chats that both read as {title!r} ({first!r} and "
                f"{members[index]!r}); unzip it and import each chat on its own",
            )
    return titles


def parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    """Read a WhatsApp export into frames of :data:`~reciprocity.ingest.base.MESSAGE_SCHEMA`.

    A zip holding several chat texts gives each its own conversation, one after the
    other. Raises :class:`~reciprocity.errors.ImportFailed` naming the file and line when
    the text is not a WhatsApp export, is not UTF-8, holds a date that does not exist or a
    year no phone writes, or a line or message longer than
    :data:`~reciprocity.ingest.base.MAX_MESSAGE_BYTES`; and naming the file when a zip is
    damaged, holds no chat, or unpacks to more than the caps in :mod:`._whatsapp_source`.
    """
    path = Path(path)
    timezone = resolve_zone(options.timezone, str(path)).key
    with open_export(path, _title(path.name)) as export:
        titles = member_titles(path, export.members, options)
        for index, title in enumerate(titles):
            with export.chat(index) as chat:
                yield from _chat_frames(chat, title, options, timezone)


def _chat_frames(
    chat: ChatText, title: str, options: Options, timezone: str
) -> Iterator[pl.DataFrame]:
    order = DateOrder()
    dayfirst = options.dayfirst
    forced = dayfirst is not None
    held: list[pl.DataFrame] = []
    held_bytes = 0
    for raw, size in _raw_frames(chat):
        if dayfirst is None:
            order.add(raw)
            held.append(raw)
            held_bytes += size
            dayfirst = order.decided()
            if dayfirst is None:
                if held_bytes < DATE_SAMPLE_BYTES:
                    # Not settled yet: keep the parts until a later line settles it.
                    continue
                dayfirst = _undecided(order, held, chat, options)
            frames, held = held, []
        else:
            frames = [raw]
        for frame in frames:
            yield _finish(frame, dayfirst, forced, timezone, title, chat.source)
    if held:
        dayfirst = _undecided(order, held, chat, options)
        for frame in held:
            yield _finish(frame, dayfirst, forced, timezone, title, chat.source)


#: Placeholders and notices looked at to tell an export's language, at most.
_LANGUAGE_SAMPLE = 5000


def _undecided(
    order: DateOrder, held: list[pl.DataFrame], chat: ChatText, options: Options
) -> bool:
    """The date order of a chat whose dates never say it (no number above 12), and a note
    saying which was chosen and why.

    The export's language decides when it is one whose phones all write the day first
    (every language but English); else the number that changes more often is the day.
    """
    texts = (
        pl.concat([frame.select("kind", "text") for frame in held])
        .filter(pl.col("kind") != "text")
        .head(_LANGUAGE_SAMPLE)["text"]
        .drop_nulls()
        .to_list()
    )
    names = [name for name in (chat.path.name, chat.member, chat.path.parent.name) if name]
    locale = language_of(names, texts)
    if locale is not None and locale.dayfirst is not None:
        dayfirst = locale.dayfirst
        why = f"as {locale.name} exports write them"
    else:
        dayfirst = order.best_guess()
        if order.change_first == order.change_second:
            why = "the order most of the world writes"
        else:
            which = "first" if dayfirst else "second"
            why = f"since the {which} number changes more often, as days do"
    options.note(_order_note(chat.source, dayfirst, why))
    return dayfirst


def _order_note(source: str, dayfirst: bool, why: str) -> str:
    order = "day first (31/12)" if dayfirst else "month first (12/31)"
    return (
        f"{source}: no date in the chat shows whether the day or the month comes first; "
        f"they were read {order}, {why}. If that is wrong, import it again with the "
        "other date order."
    )


def _raw_frames(chat: ChatText) -> Iterator[tuple[pl.DataFrame, int]]:
    """Messages with unresolved dates, piece by piece, with the number of bytes read since
    the frame before.

    A line is never held whole past :data:`MAX_LINE_BYTES`, nor a message past
    :data:`MAX_MESSAGE_BYTES`: the text is read on in pieces and refused once over.
    """
    reader = MessageReader(chat.source)
    carry = b""
    at_start = True
    read = 0
    for block in read_pieces(chat, PIECE_BYTES):
        final = not block
        data = carry + block
        if at_start and (len(data) >= len(_BOM) or final):
            data = data.removeprefix(_BOM)
            at_start = False
        # Whole lines only, but at the end the last line may lack its line break.
        cut = len(data) if final else data.rfind(b"\n") + 1
        if len(data) - cut > MAX_LINE_BYTES:
            line = reader.next_line + data.count(b"\n", 0, cut)
            raise ImportFailed.one(chat.source, line, too_long("this line"))
        carry = data[cut:]
        if not cut:
            continue
        read += cut
        frame = reader.feed(data[:cut])
        if reader.open_bytes > MAX_MESSAGE_BYTES:
            # The unfinished message alone is over the cap: refused before it grows on.
            raise ImportFailed.one(chat.source, reader.open_line, too_long("this message"))
        _check_lengths(frame, chat.source)
        if frame.height:
            yield frame, read
            read = 0
    if not reader.started:
        raise ImportFailed.one(
            chat.source, None, "the chat is empty: there is no message in it; export it again"
        )
    frame = reader.finish()
    _check_lengths(frame, chat.source)
    if frame.height:
        yield frame, read


def _check_lengths(frame: pl.DataFrame, source: str) -> None:
    over = frame.filter(pl.col("text").str.len_bytes() > MAX_MESSAGE_BYTES)
    if over.height:
        raise ImportFailed.one(source, int(over["line"][0]), too_long("this message"))


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
