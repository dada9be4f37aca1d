"""Signal Desktop chats, as the community exporter signal-export writes them.

Signal has no export of its own. ``signal-export`` (``pip install signal-export``, then
``sigexport ~/signal-chats``; github.com/carderne/signal-export) reads Signal Desktop's
database and writes a folder per chat, named after the contact or group, holding:

- ``data.json``: one JSON object per line (JSON lines), one per message::

      {"date": "2024-03-12T21:15:03", "sender": "Me", "body": "see you there  ",
       "quote": "", "sticker": "", "reactions": [["Alex", "👍"]],
       "attachments": [{"name": "IMG_1.jpg", "path": "media/..."}],
       "deleted": false, "call": false, "missed": false}

- ``chat.md``: the same messages as Markdown, each ``[2024-03-12 21:15:03] Alex: text``
  (older releases: ``[2024-03-12, 21:15]``) followed by a blank line; a quoted message
  comes first as ``> lines``, reactions after as ``(- Alex: 👍 -)``, attachments as
  ``![name](./media/...)`` links, a deleted message as ``(This message was deleted)``;
- ``index.html`` and ``media/``, not read here.

How they map onto the normalised schema: the user's own messages are written by
``Me`` (:data:`OWN_NAME`, the user's name in this format whatever the import is told);
a message with attachments or a sticker is ``media`` (its text the caption, else the
files' names); calls (``Missed voice call``, ``Incoming video call (accepted, 2m 3s)``,
``Outgoing call``) are ``call``; a deleted message is ``system`` and keeps its sender; a
sender the exporter could not name (``No-Sender``) gives a ``system`` line without one.
Reactions (``[["Alex", "👍"]]`` in the JSON, ``(- Alex: 👍, Sam: ❤️ -)`` in the Markdown)
become reaction rows (:mod:`.base`), one per person, at the reacted message's time (the
exporter does not write when they were given), pointing at the message by its sender and
time (the export has no message ids). The quote is dropped; the two spaces the
exporter adds at the end of every body are removed. Dates are the wall-clock time of the
machine that exported, read in ``Options.timezone``. The conversation is the chat's
folder name.

When both files of a chat are given (a folder holding the whole export), ``data.json`` is
read and ``chat.md`` beside it left out: the JSON says what the Markdown only shows.
Files are read line by line in pieces, so memory stays flat as they grow; a line over
:data:`~reciprocity.ingest.base.MAX_LINE_BYTES` is refused with its number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl

from reciprocity.errors import ImportFailed
from reciprocity.ingest._reactions import reaction_row
from reciprocity.ingest._whatsapp_time import localize
from reciprocity.ingest.base import (
    MAX_LINE_BYTES,
    MESSAGE_SCHEMA,
    REACTION,
    Options,
    resolve_zone,
    too_long,
)

NAME = "signal"
#: A big file is parsed in a process of its own (:mod:`reciprocity.parse_apart`): the
#: parse is mostly Python, which would take turns with the save for the interpreter lock.
PARSE_APART = True
#: From this size: a line at a time, 1M messages take 9 s (data.json, 239 MB) to 14 s
#: (chat.md, 92 MB) to read, where Messenger's 207 MB take 4 s.
PARSE_APART_BYTES = 64 * 1024 * 1024

#: How signal-export names the user in every chat.
OWN_NAME = "Me"
#: How it names a sender it could not find among the contacts.
_NO_SENDER = "No-Sender"
#: Messages per frame.
BATCH = 50_000

# The first line of a data.json: an object with (at least) these keys.
_JSON_KEYS = ("date", "sender", "body")
# A message's first line in chat.md: "[2024-03-12 21:15:03] Alex: ..." or "[2024-03-12, 21:15] ".
_MD_HEADER = re.compile(
    r"^\[(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}),? (?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2})?)\] "
    r"(?P<sender>[^\n]*?): (?P<rest>.*)$",
    re.DOTALL,
)
_MD_DELETED = "(This message was deleted)"
# How dates are written: ISO in data.json (Python's isoformat, "T" read as a space), with
# or without seconds in chat.md.
_DATES = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
# Calls as the exporter words them (create.py's call descriptions).
_CALL = re.compile(
    r"^(?:Missed (?:voice |video )?call"
    r"|(?:Incoming|Outgoing) (?:voice |video )?call(?: \([^)\n]*\))?)$"
)
# Markdown decorations around a body: reactions, stickers, attachment links.
_MD_REACTIONS = re.compile(r"\n\(- .* -\)$")
_MD_STICKER = re.compile(
    r"\n\(\( (?P<said>.*) \)\)$|\[(?P<shown>[^\]\n]*)\]\(\.\./exported_stickers/[^)\n]*\)  "
)
_MD_ATTACHMENT = re.compile(r"!?\[(?P<name>[^\]\n]*)\]\(\./media/[^)\n]*\)  ")


def detect(path: Path, head: bytes) -> bool:
    """Whether ``path`` is a signal-export ``data.json`` (its first line an object with a
    date, a sender and a body) or ``chat.md`` (its first line a dated message header)."""
    first = _first_line(head)
    if first is None:
        return False
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(first)
        except ValueError:
            return False
        return isinstance(data, dict) and all(key in data for key in _JSON_KEYS)
    if suffix == ".md":
        return _MD_HEADER.match(first) is not None
    return False


def _first_line(head: bytes) -> str | None:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    for line in text.split("\n"):
        if line.strip():
            return line.rstrip("\r")
    return None


def parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    """Read one ``data.json`` or ``chat.md`` into frames of
    :data:`~reciprocity.ingest.base.MESSAGE_SCHEMA`.

    Raises :class:`~reciprocity.errors.ImportFailed` naming the file and line of a line
    that is not a message (not JSON, no date), a date that is not one, or a line over
    :data:`~reciprocity.ingest.base.MAX_LINE_BYTES`.
    """
    path = Path(path)
    zone = resolve_zone(options.timezone, str(path)).key
    title = options.conversation or path.parent.name or path.stem
    rows = _json_rows(path) if path.suffix.lower() == ".json" else _markdown_rows(path)
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield _frame(batch, title, zone, str(path))
            batch = []
    if batch:
        yield _frame(batch, title, zone, str(path))


def parse_files(paths: list[Path], options: Options) -> Iterator[pl.DataFrame]:
    """Read the chats of a whole export (a folder per chat), one after the other; a
    ``chat.md`` whose folder has a ``data.json`` too is left out (the same messages)."""
    with_json = {Path(p).parent for p in paths if Path(p).suffix.lower() == ".json"}
    for path in sorted(Path(p) for p in paths):
        if path.suffix.lower() == ".md" and path.parent in with_json:
            continue
        yield from parse(path, options)


# (line, sender, date text, text, kind, the reacted message's sender for a reaction: "" when
# it has none, None for a message)
_Row = tuple[int, str | None, str, str, str, str | None]


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """The file's lines with their numbers, none held past :data:`MAX_LINE_BYTES`."""
    source = str(path)
    with path.open("rb") as fh:
        number = 0
        while True:
            raw = _read_line(fh)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise ImportFailed.one(source, number, too_long("this line"))
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ImportFailed.one(
                    source, number, "this line is not UTF-8 text, which signal-export writes"
                ) from None
            yield number, text.removesuffix("\n").removesuffix("\r").lstrip("\ufeff")


def _read_line(fh: IO[bytes]) -> bytes:
    """One line, or the first :data:`MAX_LINE_BYTES` + 1 bytes of a longer one (the
    caller refuses it), never more."""
    return fh.readline(MAX_LINE_BYTES + 1)


def _json_rows(path: Path) -> Iterator[_Row]:
    source = str(path)
    for number, line in _lines(path):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as error:
            raise ImportFailed.one(
                source, number, f"this line is not a message of signal-export's data.json ({error})"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("date"), str):
            raise ImportFailed.one(
                source, number, "this line has no date; it is not a message of signal-export's"
            )
        row = _row(number, data, source)
        yield row
        reactions = data.get("reactions")
        if reactions and row[4] != "system":
            yield from _reactions(row, reactions)


def _reactions(message: _Row, reactions: Any) -> Iterator[_Row]:
    """The reaction rows of ``message``: ``reactions`` as ``[name, emoji]`` pairs."""
    if not isinstance(reactions, list):
        return
    number, sender, date, *_ = message
    for pair in reactions:
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            name, emoji = pair
            if isinstance(name, str) and name and isinstance(emoji, str) and emoji:
                yield (number, name, date, emoji, REACTION, sender or "")


def _row(number: int, data: dict[str, Any], source: str) -> _Row:
    sender = data.get("sender")
    sender = sender if isinstance(sender, str) and sender != _NO_SENDER else None
    body = data.get("body")
    text = body.removesuffix("  ") if isinstance(body, str) else ""
    attachments = data.get("attachments") or []
    names = [str(a.get("name", "")) for a in attachments if isinstance(a, dict)]
    sticker = data.get("sticker")
    if data.get("deleted") or sender is None:
        kind = "system"
    elif names or sticker:
        kind = "media"
        if not text:
            text = ", ".join(n for n in names if n) or (
                sticker if isinstance(sticker, str) and sticker else "sticker"
            )
    elif data.get("call") or _CALL.match(text):
        kind = "call"
    else:
        kind = "text"
    return (number, sender, str(data["date"]), text, kind, None)


def _markdown_rows(path: Path) -> Iterator[_Row]:
    source = str(path)
    open_row: tuple[int, str, str, str] | None = None
    lines: list[str] = []
    for number, line in _lines(path):
        found = _MD_HEADER.match(line)
        if found is None:
            if open_row is None:
                if line.strip():
                    raise ImportFailed.one(
                        source,
                        number,
                        "this line does not start like a message of signal-export's chat.md "
                        "('[2024-03-12 21:15:03] Name: text')",
                    )
                continue
            lines.append(line)
            continue
        if open_row is not None:
            yield from _markdown_row(open_row, lines)
        open_row = (number, found["sender"], f"{found['date']} {found['time']}", found["rest"])
        lines = []
    if open_row is not None:
        yield from _markdown_row(open_row, lines)


def _markdown_row(head: tuple[int, str, str, str], more: list[str]) -> list[_Row]:
    """The message of one ``chat.md`` entry, then its reactions."""
    number, sender, date, first = head
    body = "\n".join([first, *more]).rstrip("\n")
    if _MD_REACTIONS.sub("", body.rstrip(" ")) == _MD_DELETED:
        # reactions the message had before it was deleted go with it, as in data.json
        return [(number, sender, date, _MD_DELETED, "system", None)]
    # a quote comes first: a blank line, "> " lines, a blank line
    if body.startswith(("\n\n> ", "> ")):
        kept = body.lstrip("\n").split("\n")
        while kept and (kept[0].startswith("> ") or kept[0] == ">"):
            kept.pop(0)
        body = "\n".join(kept).lstrip("\n")
    # then the body (with two spaces at its end), reactions, a sticker, attachments
    names = [m["name"] for m in _MD_ATTACHMENT.finditer(body)]
    body = _MD_ATTACHMENT.sub("", body)
    found = _MD_STICKER.search(body)
    sticker = (found["said"] or found["shown"] or "sticker") if found else ""
    body = _MD_STICKER.sub("", body)
    said = _MD_REACTIONS.search(body.rstrip(" "))
    body = _MD_REACTIONS.sub("", body.rstrip(" ")).removesuffix("  ").rstrip("\n")
    data = {
        "sender": sender,
        "body": body,
        "attachments": [{"name": n} for n in names],
        "sticker": sticker,
    }
    row = _row(number, data | {"date": date}, "")
    if said is None or row[4] == "system":
        return [row]
    # "Alex: 👍, Sam Lee: ❤️", as the exporter joins them; a name holding ": " or ", "
    # cannot be told apart from the list, and its reaction is read as best it can be.
    pairs = [part.rsplit(": ", 1) for part in said.group(0)[4:-3].split(", ")]
    return [row, *_reactions(row, [pair for pair in pairs if len(pair) == 2])]


def _frame(rows: list[_Row], title: str, zone: str, source: str) -> pl.DataFrame:
    lines, senders, dates, texts, kinds, targets = zip(*rows, strict=True)
    written = pl.Series("date", dates, dtype=pl.String()).str.replace("T", " ", literal=True)
    naive = pl.select(
        pl.coalesce(
            written.str.to_datetime(layout, time_unit="us", strict=False) for layout in _DATES
        )
    ).to_series()
    bad = naive.is_null().arg_true()
    if bad.len():
        at = int(bad[0])
        raise ImportFailed.one(
            source, lines[at], f"the date {dates[at]!r} is not one; correct the line"
        )
    timestamp = localize(naive, zone).dt.convert_time_zone("UTC")
    reply_to: list[str | None] = [None] * len(rows)
    source_id: list[str | None] = [None] * len(rows)
    if REACTION in kinds:
        # A reaction is dated at its message's time: the message is named by that time.
        micros = timestamp.dt.epoch("us").to_list()
        for at, target in enumerate(targets):
            if target is not None:
                row = reaction_row(
                    str(senders[at]),
                    micros[at],
                    texts[at],
                    lines[at],
                    target_id=None,
                    target_sender=target or None,
                )
                reply_to[at], source_id[at] = row[4], row[5]
    return pl.DataFrame(
        {
            "source": [NAME] * len(rows),
            "conversation": [title] * len(rows),
            "sender": list(senders),
            "timestamp": timestamp,
            "text": list(texts),
            "kind": list(kinds),
            "reply_to": reply_to,
            "source_id": source_id,
            "line": list(lines),
        },
        schema=MESSAGE_SCHEMA,
    )
