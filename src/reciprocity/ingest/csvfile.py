"""Generic CSV: one message per row, for any source without a parser of its own.

The file needs a header row naming at least a timestamp, a sender and a text column;
``conversation``, ``kind``, ``id`` and ``reply_to`` are optional. Names are matched without
regard to case, spaces or hyphens, and a few obvious aliases are accepted (see
:data:`COLUMNS`); separate ``date`` and ``time`` columns are joined. The delimiter
(``,`` ``;`` or tab) is taken from the header; UTF-8 with or without a byte-order mark.

Timestamps may be ISO 8601 with an offset or ``Z`` (kept), ISO 8601 without one (wall clock
in ``Options.timezone``, default the machine's zone), or unix epoch seconds (values of
10^11 and more are read as milliseconds, the other common export). A row without a
conversation goes to ``Options.conversation``, else the file's stem. A row whose kind is
``system`` may leave the sender empty.

Errors name the physical line where the row starts, so a row whose quoted text spans several
lines is reported where it begins. A field may hold up to
:data:`~reciprocity.ingest.base.MAX_MESSAGE_BYTES` characters (8 MiB; the standard library's
reader stops at 128 KiB unless told, so this module raises its process-wide limit to that);
lines are read in pieces of at most that many characters and a longer one is refused with
its line, so memory stays flat whatever the file holds.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest.base import (
    KINDS,
    MAX_LINE_BYTES,
    MAX_MESSAGE_BYTES,
    MESSAGE_SCHEMA,
    Options,
    resolve_zone,
    too_long,
)

NAME = "csv"

#: Rows per yielded frame, or fewer when their texts reach :data:`BATCH_CHARS`.
BATCH_ROWS = 100_000
BATCH_CHARS = 64 * 1024 * 1024
#: Stop collecting problems after this many: the file is clearly not usable as it is.
MAX_PROBLEMS = 1000

#: Accepted header names per column, in order of preference (normalised: lower case,
#: spaces and hyphens as underscores).
COLUMNS: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp", "datetime", "date_time", "date", "time"),
    "sender": ("sender", "from", "author", "name"),
    "text": ("text", "message", "body", "content"),
    "conversation": ("conversation", "chat"),
    "kind": ("kind",),
    "id": ("id", "message_id"),
    "reply_to": ("reply_to", "reply_to_id", "in_reply_to"),
}
REQUIRED = ("timestamp", "sender", "text")
DELIMITERS = (",", ";", "\t")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Seconds or milliseconds since 1970 (longer numbers are no time, and Python refuses to
# read an integer of more than 4,300 digits).
_NUMBER = re.compile(r"-?\d{1,20}(?:\.\d{1,20})?")
_MILLISECONDS_FROM = 10**11  # as seconds this would be past the year 5000


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each known column sits in a row; ``time`` is set when date and time are split."""

    delimiter: str
    width: int
    index: dict[str, int]
    time: int | None


def detect(path: Path, head: bytes) -> bool:
    """True for any ``.csv``/``.tsv`` file.

    The CSV format is tried last, so claiming every such file is safe, and a file missing
    a required column then gets :func:`parse`'s message naming the columns it found,
    rather than a bare "unknown format".
    """
    del head  # the suffix decides; parse() explains what is wrong with the header
    return Path(path).suffix.lower() in (".csv", ".tsv")


def parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    """Yield message frames (:data:`MESSAGE_SCHEMA`) from a CSV file with a header row.

    Raises :class:`~reciprocity.errors.ImportFailed` naming the line of every problem
    found (nothing is yielded after the first one).
    """
    path = Path(path)
    source = str(path)
    zone = resolve_zone(options.timezone, source)
    default_conversation = options.conversation or path.stem
    if csv.field_size_limit() < MAX_MESSAGE_BYTES:
        csv.field_size_limit(MAX_MESSAGE_BYTES)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield from _Rows(fh, source, path.suffix.lower(), zone, default_conversation).frames()
    except UnicodeDecodeError:
        raise ImportFailed.one(
            source, _bad_utf8_line(path), "not UTF-8 text; save the file as UTF-8 and try again"
        ) from None
    except OSError as exc:
        raise ImportFailed.one(source, None, f"cannot read the file ({exc.strerror})") from None


class _Rows:
    """Reads rows after the header, collecting problems, yielding frames while none are found."""

    def __init__(
        self, fh: io.TextIOBase, source: str, suffix: str, zone: ZoneInfo, conversation: str
    ) -> None:
        self.fh = fh
        self.source = source
        self.suffix = suffix
        self.zone = zone
        self.conversation = conversation
        self.problems: list[Problem] = []
        self.columns: dict[str, list[Any]] = {name: [] for name in MESSAGE_SCHEMA}
        self.chars = 0

    def _lines(self) -> Iterator[str]:
        """The file's lines, each read in one piece of at most :data:`MAX_LINE_BYTES`
        characters; a longer line is refused with its number, never read whole."""
        number = 0
        while True:
            line = self.fh.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_BYTES:
                raise ImportFailed(
                    [*self.problems, Problem(self.source, number, too_long("this line"))]
                )
            yield line

    def frames(self) -> Iterator[pl.DataFrame]:
        lines = self._lines()
        header_line = next(lines, "")
        found = _layout(header_line.rstrip("\r\n"), self.suffix)
        if not isinstance(found, _Layout):
            raise ImportFailed.one(self.source, 1, found)
        layout = found
        # strict: a quote left open would otherwise swallow the rest of the file silently
        reader = csv.reader(lines, delimiter=layout.delimiter, strict=True)
        before = 1  # physical lines consumed before the row being read (the header)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if "field limit" in str(exc):
                    self._problem(before + 1, _TOO_LONG_FIELD)
                else:
                    self._problem(before + 1, f"cannot split the row ({exc}); check its quotes")
                break
            line = before + 1
            before = reader.line_num + 1
            if not any(field.strip() for field in row):
                continue
            if len(row) != layout.width:
                self._problem(
                    line,
                    f"{len(row)} fields but the header has {layout.width}; "
                    "a text with the delimiter or a line break needs double quotes",
                )
                continue
            self._row(row, line, layout)
            full = len(self.columns["line"]) >= BATCH_ROWS or self.chars >= BATCH_CHARS
            if not self.problems and full:
                yield self._flush()
        if self.problems:
            raise ImportFailed(self.problems)
        if self.columns["line"]:
            yield self._flush()

    def _problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.source, line, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise ImportFailed(self.problems)

    def _row(self, row: list[str], line: int, layout: _Layout) -> None:
        def field(name: str) -> str:
            at = layout.index.get(name)
            return "" if at is None else row[at].strip()

        stamp = field("timestamp")
        if layout.time is not None:
            stamp = f"{stamp} {row[layout.time].strip()}"
        try:
            micros = _timestamp(stamp, self.zone)
        except ValueError as exc:
            self._problem(line, str(exc))
            return
        kind = field("kind").lower() or "text"
        if kind not in KINDS:
            self._problem(line, f"kind {kind!r} is not one of {', '.join(KINDS)}")
            return
        sender = field("sender") or None
        if sender is None and kind != "system":
            self._problem(line, "the sender is empty; fill it in, or set kind to system")
            return
        text = row[layout.index["text"]].replace("\r\n", "\n")
        values = {
            "source": NAME,
            "conversation": field("conversation") or self.conversation,
            "sender": sender,
            "timestamp": micros,
            "text": text,
            "kind": kind,
            "reply_to": field("reply_to") or None,
            "source_id": field("id") or None,
            "line": line,
        }
        if self.problems:
            return  # nothing will be yielded; the rest of the file is only checked
        for name, value in values.items():
            self.columns[name].append(value)
        self.chars += len(text)

    def _flush(self) -> pl.DataFrame:
        frame = pl.DataFrame(self.columns, schema={**MESSAGE_SCHEMA, "timestamp": pl.Int64()})
        self.columns = {name: [] for name in MESSAGE_SCHEMA}
        self.chars = 0
        return frame.with_columns(pl.col("timestamp").cast(MESSAGE_SCHEMA["timestamp"]))


def _layout(header: str, suffix: str) -> _Layout | str:
    """The header's layout, or a message saying what is missing and what was found."""
    order = ("\t", ",", ";") if suffix == ".tsv" else DELIMITERS
    best: tuple[int, int, str, list[str]] | None = None
    for delimiter in order:
        names = next(csv.reader([header], delimiter=delimiter), [])
        known = sum(1 for n in names if _normal(n) in _ALIASES)
        score = (known, len(names))
        if best is None or score > best[:2]:
            best = (known, len(names), delimiter, names)
    assert best is not None
    _, _, delimiter, names = best
    index: dict[str, int] = {}
    for column, aliases in COLUMNS.items():
        normal = [_normal(n) for n in names]
        for alias in aliases:
            if alias in normal:
                index[column] = normal.index(alias)
                break
    time = None
    normal = [_normal(n) for n in names]
    if "date" in normal and "time" in normal and index.get("timestamp") == normal.index("date"):
        time = normal.index("time")
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        shown = ", ".join(repr(n) for n in names[:20]) or "none"
        return (
            f"missing {'column' if len(missing) == 1 else 'columns'} {', '.join(missing)}; "
            f"found {shown}. The first row must name "
            "timestamp, sender and text columns (also accepted: date, datetime, time; "
            "from, author, name; message, body, content)"
        )
    return _Layout(delimiter=delimiter, width=len(names), index=index, time=time)


_TOO_LONG_FIELD = (
    f"a field that starts on this line is longer than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB, "
    "more than any chat app lets anyone send in one message: a double quote may be left "
    "open there (close it, or double a quote inside the text), or the text is too long to be "
    "a message (shorten it)"
)

_ALIASES = {alias for aliases in COLUMNS.values() for alias in aliases}


def _normal(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _timestamp(value: str, zone: ZoneInfo) -> int:
    """UTC microseconds since the epoch, or ``ValueError`` with a message for the user."""
    shown = value if len(value) <= 40 else f"{value[:40]}..."
    hint = (
        f"timestamp {shown!r} is not a time; write it like 2024-03-01 14:05 (local time), "
        "2024-03-01T14:05:00+01:00 (with the offset from UTC) or as seconds since 1970"
    )
    if _NUMBER.fullmatch(value):
        number = float(value) if "." in value else int(value)
        if abs(number) >= _MILLISECONDS_FROM:
            number = number / 1000
        try:
            moment = _EPOCH + timedelta(seconds=number)
        except OverflowError:
            raise ValueError(hint) from None
        return (moment - _EPOCH) // _MICROSECOND
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(hint) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return (moment - _EPOCH) // _MICROSECOND
    except OverflowError:
        raise ValueError(hint) from None


def _bad_utf8_line(path: Path) -> int | None:
    """Line of the first byte that is not UTF-8 (only computed when decoding failed); the
    file is read in blocks, so a large file is never held whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 1
    try:
        with path.open("rb") as fh:
            while block := fh.read(1024 * 1024):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    return lines + block.count(b"\n", 0, max(exc.start, 0))
                lines += block.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return lines
    except OSError:
        return None
    return None
