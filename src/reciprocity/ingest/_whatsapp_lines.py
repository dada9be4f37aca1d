"""From the lines of a WhatsApp chat text to messages, with Polars column operations only.

The text comes in pieces of whole lines (:class:`MessageReader`). In each piece one regex
pass over the lines long enough to be a header finds the headers and their date parts: a
line shorter than :data:`SHORTEST_HEADER` bytes (a blank line, a word) is never matched
and never gets a row of date columns. Continuation lines are joined to their message's
first line with ``"\\n"`` through a group-by over them alone. The last message of a piece
may go on in the next piece: it is kept, already joined, and closed by the next header or
the end of the text, so no line is parsed twice and memory stays that of one piece plus
one message, whatever the lines hold.

Dates stay as their numeric parts here: whether the file writes the day or the month first
is decided over the whole file (:mod:`._whatsapp_time`).
"""

from __future__ import annotations

import polars as pl

from reciprocity.errors import ImportFailed
from reciprocity.ingest._whatsapp_locales import AFTERNOON
from reciprocity.ingest._whatsapp_patterns import (
    CALL,
    DELETED,
    EDITED,
    HEADER,
    LONGEST_DELETED,
    LRM,
    MEDIA,
    SENDER,
    SENDER_MARKS,
    SHORTEST_HEADER,
)
from reciprocity.ingest._whatsapp_source import split_lines

#: Columns of the frames :class:`MessageReader` gives (dates not yet resolved).
RAW_SCHEMA: dict[str, pl.DataType] = {
    "line": pl.Int64(),
    "sender": pl.String(),
    "text": pl.String(),
    "kind": pl.String(),
    "year": pl.Int32(),
    # first and second number of the date; for a year-first date, month and day
    "p1": pl.Int32(),
    "p2": pl.Int32(),
    "ymd": pl.Boolean(),
    "hour": pl.Int32(),
    "minute": pl.Int32(),
    "second": pl.Int32(),
    # True for PM, False for AM, null on a 24-hour clock
    "pm": pl.Boolean(),
}

#: Lines parsed at once, at most. Memory goes with the number of lines more than with their
#: bytes (a line is a row, blank or not), so a piece holding more is parsed in parts. A
#: piece of chat lines holds far fewer (2 MiB of the bench's chat: about 38,000 lines); a
#: message of blank lines would hold 2 million, about 100 bytes each at peak.
MOST_LINES = 1 << 17

_LRM_BYTES = LRM.encode()
_NOT_A_CHAT = (
    "this does not look like a WhatsApp chat export: WhatsApp starts every message with "
    "its date and time, like '12/03/2024, 21:15 - ' (Android) or '[12/03/2024, 21:15:03] ' "
    "(iPhone); export the chat again with 'Export chat', or choose another format"
)


# The columns between finding the headers and telling senders and kinds apart.
_BODY_COLUMNS = ("line", "body", "year", "p1", "p2", "ymd", "hour", "minute", "second", "pm")


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=RAW_SCHEMA)


class MessageReader:
    """Whole lines in, piece by piece (:meth:`feed`); complete messages out, with their
    dates as numeric parts (:data:`RAW_SCHEMA`); :meth:`finish` gives the last one.

    One message is open at a time (the last one seen, which the next piece may continue):
    ``open_line`` is its line and ``open_bytes`` the bytes it holds so far, for the caller
    to refuse a message that grows past a cap before the text ends.

    >>> reader = MessageReader("chat.txt")
    >>> reader.feed(b"12/03/2024, 21:15 - Alex: hi\\n").height  # hi may go on
    0
    >>> reader.feed(b"there\\n12/03/2024, 21:16 - Sam: ok\\n")["text"].to_list()
    ['hi\\nthere']
    >>> reader.finish()["text"].to_list()
    ['ok']
    """

    def __init__(self, source: str) -> None:
        self.source = source
        #: The number of the next line to be fed (1-based).
        self.next_line = 1
        #: Whether a message header has been seen (only blank lines may come before one).
        self.started = False
        self.open_line: int | None = None
        self.open_bytes = 0
        self._open: pl.DataFrame | None = None  # one row: the header's fields and "body"
        self._more: list[pl.Series] = []  # lines it got from later pieces, joined per piece
        self._lrm = False

    def feed(self, data: bytes) -> pl.DataFrame:
        """Read ``data``, whole lines (the last one may lack its line break only at the end
        of the text); returns the messages it completed.

        Raises :class:`ImportFailed` naming the line when the text does not start like a
        WhatsApp export, or when it is not UTF-8.
        """
        frames = [self._feed(*part) for part in _by_lines(data, MOST_LINES)]
        return frames[0] if len(frames) == 1 else pl.concat(frames)

    def _feed(self, data: bytes, breaks: int) -> pl.DataFrame:
        first_line = self.next_line
        lines = split_lines(data, self.source, first_line, breaks)
        self.next_line += lines.len()
        self._lrm = self._lrm or _LRM_BYTES in data
        heads = _headers(lines)
        first = int(heads["at"][0]) if heads.height else lines.len()
        if not self.started:
            _check_start(lines, first, self.source, first_line)
            if not heads.height:
                return _empty()
            self.started = True
        elif first:
            lead = lines.head(first).str.join("\n")
            self._more.append(lead)
            self.open_bytes += int(lead.str.len_bytes()[0]) + 1
        if not heads.height:
            return _empty()
        bodies = _bodies(lines.slice(first), heads, first, first_line)
        done = bodies.head(-1)
        closed = self._close()
        if closed is not None:
            done = pl.concat([closed, done])
        # A copy of its own: a slice would keep the whole piece's text alive with it.
        self._open = pl.DataFrame([bodies.row(-1)], schema=bodies.schema, orient="row")
        self.open_line = int(self._open["line"][0])
        self.open_bytes = int(self._open["body"].str.len_bytes()[0])
        return self._out(done)

    def finish(self) -> pl.DataFrame:
        """The message still open at the end of the text (none when the text held none)."""
        closed = self._close()
        return _empty() if closed is None else self._out(closed)

    def _close(self) -> pl.DataFrame | None:
        opened, more = self._open, self._more
        self._open, self._more, self.open_line, self.open_bytes = None, [], None, 0
        if opened is None or not more:
            return opened
        return opened.with_columns(body=pl.concat([opened["body"], *more]).str.join("\n"))

    def _out(self, bodies: pl.DataFrame) -> pl.DataFrame:
        if not bodies.height:
            return _empty()
        return _messages(bodies, has_lrm=self._lrm)


def _by_lines(data: bytes, most: int) -> list[tuple[bytes, int]]:
    """``data`` cut at line breaks into parts of at most ``most`` lines (``most`` > 1), each
    with the number of line breaks it holds.

    Halved until each part is small enough: a few passes over the bytes, in C.
    """
    breaks = data.count(b"\n")
    if breaks < most:
        return [(data, breaks)]
    middle = data.rfind(b"\n", 0, len(data) // 2) + 1 or data.find(b"\n") + 1
    return _by_lines(data[:middle], most) + _by_lines(data[middle:], most)


def _check_start(lines: pl.Series, first_header: int, source: str, first_line: int) -> None:
    """Only blank lines may come before the first header."""
    lead = lines.head(first_header).str.replace_all(f"[{LRM}\ufeff]", "").str.strip_chars()
    filled = (lead != "").arg_true()
    if filled.len():
        raise ImportFailed.one(source, first_line + int(filled[0]), _NOT_A_CHAT)


def _headers(lines: pl.Series) -> pl.DataFrame:
    """One row per header line: where it is (``at``, its index in ``lines``), what follows
    the header (``piece``), and the date parts."""
    long_enough = lines.str.len_bytes() >= SHORTEST_HEADER
    if long_enough.all():
        at: pl.Series | pl.Expr = pl.int_range(lines.len(), dtype=pl.UInt32)
    else:
        at, lines = long_enough.arg_true(), lines.filter(long_enough)
    year = pl.coalesce("yy", "ymd_y").cast(pl.Int32)
    found = (
        lines.str.extract_groups(HEADER)
        .struct.unnest()
        .with_columns(raw=lines)
        .select(
            head=pl.col("hdr").is_not_null(),
            at=at,
            piece=pl.col("raw").str.strip_prefix(pl.col("hdr")),
            # a 2-digit year is this century's; a 4-digit one is taken as written
            year=pl.when(pl.col("yy").str.len_bytes() == 2).then(year + 2000).otherwise(year),
            p1=pl.coalesce("p1", "ymd_m").cast(pl.Int32),
            p2=pl.coalesce("p2", "ymd_d").cast(pl.Int32),
            ymd=pl.col("ymd_y").is_not_null(),
            hour=pl.col("hh").cast(pl.Int32),
            minute=pl.col("mi").cast(pl.Int32),
            second=pl.col("ss").cast(pl.Int32).fill_null(0),
            # "PM", "p. m.", or the afternoon's own word ("nachm."); null on a 24-hour clock
            pm=pl.col("ap").str.slice(0, 1).str.to_lowercase().eq("p")
            | pl.col("ap").is_in(AFTERNOON),
        )
    )
    if found["head"].all():
        return found.drop("head")
    return found.filter("head").drop("head")


def _bodies(lines: pl.Series, heads: pl.DataFrame, offset: int, first_line: int) -> pl.DataFrame:
    """One row per header: its fields, ``line`` and ``body``, continuation lines joined.

    ``lines`` start at the first header, index ``offset`` in the piece, whose first line is
    ``first_line``.
    """
    at = heads["at"] - offset
    heads = heads.with_columns(line=pl.col("at").cast(pl.Int64) + first_line).drop("at")
    if heads.height == lines.len():
        return heads.rename({"piece": "body"}).select(_BODY_COLUMNS)
    is_head = pl.zeros(lines.len(), pl.Boolean, eager=True)
    is_head.scatter(at, True)
    # Most messages are one line: only continuation lines are grouped, by their header.
    joined = (
        pl.DataFrame({"msg": is_head.cum_sum(), "text": lines})
        .filter(~is_head)
        .group_by("msg", maintain_order=True)
        .agg(pl.col("text").str.join("\n"))
    )
    return (
        heads.with_columns(msg=pl.int_range(1, heads.height + 1, dtype=pl.UInt32))
        .join(joined, on="msg", how="left", maintain_order="left")
        .with_columns(
            body=pl.when(pl.col("text").is_null())
            .then(pl.col("piece"))
            .otherwise(pl.col("piece") + "\n" + pl.col("text"))
        )
        .select(_BODY_COLUMNS)
    )


#: Any placeholder, missed call, deleted marker or notice: one pass over every text finds
#: the few that are one, and only those are looked at again to tell which.
_ANY_PLACEHOLDER = f"(?:{MEDIA})|(?:{CALL})|(?:{DELETED})"
_FLAGS = ("media", "call", "deleted", "notice")


def _placeholders(texts: pl.Series) -> pl.DataFrame:
    """Per text: whether it is a media placeholder, a missed call, a deleted message, or
    a notice of the app's (a frame of four boolean columns, :data:`_FLAGS`).

    One regex pass over all texts instead of one per kind: the parse of a chat of
    plain messages costs no more however many languages the patterns know.
    """
    found = texts.str.contains(_ANY_PLACEHOLDER)
    columns = {name: pl.repeat(False, texts.len(), eager=True) for name in _FLAGS}
    if found.any():
        at = found.arg_true()
        said = pl.DataFrame({"text": texts.gather(at)}).select(
            media=pl.col("text").str.contains(MEDIA),
            call=pl.col("text").str.contains(CALL),
            by_app=pl.col("text").str.contains(DELETED),
            # a deleted message keeps its sender; the app's own notice is longer than any
            long=pl.col("text").str.len_chars() > LONGEST_DELETED,
        )
        said = said.with_columns(
            deleted=pl.col("by_app") & ~pl.col("long"), notice=pl.col("by_app") & pl.col("long")
        )
        for name in _FLAGS:
            columns[name] = columns[name].scatter(at, said[name])
    return pl.DataFrame(columns)


def _messages(bodies: pl.DataFrame, *, has_lrm: bool) -> pl.DataFrame:
    """Split sender from text and tell the kind of each message."""
    bodies = bodies.with_columns(sender=pl.col("body").str.extract(SENDER, 1))
    said = pl.coalesce(pl.col("body").str.strip_prefix(pl.col("sender") + ": "), pl.col("body"))
    bodies = bodies.with_columns(said=said.str.replace(EDITED, "")).drop("body")
    # Keep the text as written, minus the marks; an LRM in front of it is iOS flagging
    # an event it wrote (or a placeholder), so look before removing it.
    text = pl.col("said").str.replace_all(LRM, "", literal=True) if has_lrm else pl.col("said")
    bodies = bodies.with_columns(flagged=pl.col("said").str.starts_with(LRM), text=text)
    bodies = bodies.drop("said")
    bodies = bodies.hstack(_placeholders(bodies["text"]))
    placeholder = pl.col("media") | pl.col("call") | pl.col("deleted")
    bodies = bodies.with_columns(
        event=pl.col("sender").is_null() | (pl.col("flagged") & ~placeholder) | pl.col("notice")
    )
    kind = (
        pl.when(pl.col("event") | pl.col("deleted"))
        .then(pl.lit("system"))
        .when(pl.col("media"))
        .then(pl.lit("media"))
        .when(pl.col("call"))
        .then(pl.lit("call"))
        .otherwise(pl.lit("text"))
    )
    name = pl.col("sender").str.replace_all(SENDER_MARKS, "")
    return bodies.with_columns(
        sender=pl.when(pl.col("event")).then(None).otherwise(name), kind=kind
    ).select(RAW_SCHEMA.keys())
