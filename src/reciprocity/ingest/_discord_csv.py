"""DiscordChatExporter's CSV layout: ``AuthorID,Author,Date,Content,Attachments,Reactions``.

Every field is quoted; ``Author`` is the user's name (with ``#1234`` for accounts that still
have a discriminator), ``Attachments`` the files' addresses joined by commas, ``Reactions``
``👍 (2),🎉 (1)``. ``Date`` is written on the exporting machine's clock without an offset,
in that machine's short date and time pattern: ``3/14/2024 1:05 PM`` (US English),
``14/03/2024 13:05`` (British), ``14.03.2024 13:05`` (German), ``14-Mar-24 01:05 PM``
(older versions) or ISO 8601. Day-first or month-first comes from ``Options.dayfirst``,
else from a date in the file's first 8 MB with a day over 12, else from the clock: a
12-hour clock (AM/PM) reads month-first, a 24-hour one day-first. Times are read in
``Options.timezone``. The CSV has no message ids, so replies are not known. Its
``Reactions`` column gives each emoji and how many reacted, never who: a reaction that names
nobody cannot be anyone's attention, so the column is not read (the JSON layout names them).
"""

from __future__ import annotations

import csv
import posixpath
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest._json_items import BATCH_CHARS, BATCH_ROWS, MAX_PROBLEMS, Row, frame
from reciprocity.ingest.base import MAX_LINE_BYTES, MAX_MESSAGE_BYTES, Options, too_long

HEADER = ("AuthorID", "Author", "Date", "Content", "Attachments", "Reactions")
_NAME = "discord"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
#: Bytes of the file read to learn whether its dates are day-first.
_SNIFF_BYTES = 8 * 1024 * 1024
_NUMERIC = re.compile(
    r"(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*([AaPp])?\.?(?:[Mm]\.?)?$"
)
_SUFFIX_LABELS = {
    ".jpg": "<photo>",
    ".jpeg": "<photo>",
    ".png": "<photo>",
    ".webp": "<photo>",
    ".gif": "<GIF>",
    ".mp4": "<video>",
    ".mov": "<video>",
    ".webm": "<video>",
    ".ogg": "<voice message>",
    ".mp3": "<audio>",
    ".m4a": "<audio>",
}


def looks_like(head: bytes) -> bool:
    """True when ``head`` starts with DiscordChatExporter's CSV header."""
    first = head.decode("utf-8", errors="ignore").lstrip("\ufeff").split("\n", 1)[0]
    return tuple(f.strip().strip('"') for f in first.strip().split(",")) == HEADER


def attachment_label(name: str) -> str:
    """The placeholder for an attachment called ``name`` (a file name or its address)."""
    # The last part's suffix, as PurePosixPath.suffix reads it (a leading dot is a name),
    # without building a path: a channel can hold hundreds of thousands of attachments.
    last = name.split("?")[0].rstrip("/").rpartition("/")[2]
    return _SUFFIX_LABELS.get(posixpath.splitext(last)[1].lower(), "<file>")


def parse(path: Path, options: Options, zone: ZoneInfo) -> Iterator[pl.DataFrame]:
    """Yield message frames (see :func:`reciprocity.ingest.discord.parse`)."""
    source = str(path)
    conversation = options.conversation or re.sub(r"\s*\[\d+\]$", "", path.stem) or path.stem
    if csv.field_size_limit() < MAX_MESSAGE_BYTES:
        csv.field_size_limit(MAX_MESSAGE_BYTES)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            dayfirst = options.dayfirst
            if dayfirst is None:
                dayfirst = _sniff_dayfirst(fh, source)
                fh.seek(0)
            yield from _Reader(fh, source, zone, dayfirst, conversation).frames()
    except UnicodeDecodeError:
        raise ImportFailed.one(
            source, None, "not UTF-8 text; export the channel again with DiscordChatExporter"
        ) from None
    except OSError as exc:
        raise ImportFailed.one(source, None, f"cannot read the file ({exc.strerror})") from None


def _lines(fh: TextIO, source: str) -> Iterator[str]:
    """The file's lines, each read with a bound so one endless line cannot fill memory."""
    number = 0
    while True:
        line = fh.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES:
            raise ImportFailed.one(source, number, too_long("this line"))
        yield line


def _sniff_dayfirst(fh: TextIO, source: str) -> bool:
    read = 0
    twelve_hour = False
    reader = csv.reader(_lines(fh, source))
    next(reader, None)
    for row in reader:
        if len(row) < 3:
            continue
        read += sum(len(field) for field in row)
        found = _NUMERIC.match(row[2].strip())
        if found:
            first, second = int(found.group(1)), int(found.group(2))
            if first > 12 >= second:
                return True
            if second > 12 >= first:
                return False
            twelve_hour = twelve_hour or bool(found.group(7))
        if read > _SNIFF_BYTES:
            break
    return not twelve_hour


class _Reader:
    def __init__(
        self, fh: TextIO, source: str, zone: ZoneInfo, dayfirst: bool, conversation: str
    ) -> None:
        self.fh = fh
        self.source = source
        self.zone = zone
        self.dayfirst = dayfirst
        self.conversation = conversation
        self.problems: list[Problem] = []

    def frames(self) -> Iterator[pl.DataFrame]:
        reader = csv.reader(_lines(self.fh, self.source))
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise ImportFailed.one(self.source, 1, f"not a CSV header ({exc})") from None
        if header is None or tuple(h.strip() for h in header) != HEADER:
            raise ImportFailed.one(
                self.source,
                1,
                "not DiscordChatExporter's CSV: the first line must be " + ",".join(HEADER),
            )
        rows: list[Row] = []
        chars = 0
        start = reader.line_num + 1
        while True:
            try:
                fields = next(reader, None)
            except csv.Error as exc:
                self._problem(start, f"this row cannot be read as CSV ({exc})")
                raise ImportFailed(self.problems) from None
            if fields is None:
                break
            line, start = start, reader.line_num + 1
            if not any(f.strip() for f in fields):
                continue
            row = self._row(fields, line)
            if row is None or self.problems:
                continue
            rows.append(row)
            chars += len(row[2])
            if len(rows) >= BATCH_ROWS or chars >= BATCH_CHARS:
                yield frame(rows, _NAME, self.conversation)
                rows, chars = [], 0
        if self.problems:
            raise ImportFailed(self.problems)
        if rows:
            yield frame(rows, _NAME, self.conversation)

    def _problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.source, line, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise ImportFailed(self.problems)

    def _row(self, fields: list[str], line: int) -> Row | None:
        if len(fields) != len(HEADER):
            self._problem(line, f"expected {len(HEADER)} fields, found {len(fields)}")
            return None
        author_id, author, date, content, attachments, _reactions = fields
        micros = self._micros(date.strip())
        if micros is None:
            self._problem(line, f"the date {date!r} is not a date and time this file uses")
            return None
        sender = author.strip() or (f"Deleted user {author_id}" if author_id else "Unknown")
        if attachments.strip():
            kind, text = "media", content or attachment_label(attachments.split(",")[0])
        else:
            kind, text = "text", content
        return (sender, micros, text, kind, None, None, line)

    def _micros(self, value: str) -> int | None:
        moment = self._moment(value)
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return (moment - _EPOCH) // _MICROSECOND

    def _moment(self, value: str) -> datetime | None:
        found = _NUMERIC.match(value)
        if found:
            a, b, year, hour, minute, second, half = found.groups()
            day, month = (int(a), int(b)) if self.dayfirst else (int(b), int(a))
            hours = int(hour)
            if half:
                hours = hours % 12 + (12 if half.lower() == "p" else 0)
            full_year = int(year) + (2000 if len(year) == 2 else 0)
            try:
                return datetime(full_year, month, day, hours, int(minute), int(second or 0))
            except ValueError:
                return None
        for pattern in ("%d-%b-%y %I:%M %p", "%d-%b-%Y %I:%M %p"):
            try:
                return datetime.strptime(value, pattern)
            except ValueError:
                pass
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
