"""From a piece of a WhatsApp chat text to messages, with Polars column operations only.

One regex pass over the column of lines finds the headers and their date parts; a
cumulative sum over "is a header" numbers the messages, and only the few messages with
continuation lines go through a group-by to be joined with ``"\\n"``. Dates stay as their
numeric parts here: whether the file writes the day or the month first is decided over the
whole file (:mod:`._whatsapp_time`), and a piece only reports what it saw.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from reciprocity.errors import ImportFailed
from reciprocity.ingest._whatsapp_patterns import (
    CALL,
    DELETED,
    EDITED,
    HEADER,
    LRM,
    MEDIA,
    SENDER,
    SENDER_MARKS,
)
from reciprocity.ingest._whatsapp_source import split_lines

#: Columns of the frames :func:`parse_piece` returns (dates not yet resolved).
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

_LRM_BYTES = LRM.encode()
_NOT_A_CHAT = (
    "this does not look like a WhatsApp chat export: WhatsApp starts every message with "
    "its date and time, like '12/03/2024, 21:15 - ' (Android) or '[12/03/2024, 21:15:03] ' "
    "(iPhone); export the chat again with 'Export chat', or choose another format"
)


@dataclass(frozen=True, slots=True)
class Piece:
    """What one piece of the text gave.

    ``frame`` holds its complete messages (:data:`RAW_SCHEMA`); ``lines_used`` is how many
    of the piece's lines they cover: the rest (the last message, which may go on in the next
    piece) is read again with it. ``started`` says whether a message header has been seen.
    """

    frame: pl.DataFrame
    lines_used: int
    started: bool


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=RAW_SCHEMA)


def _check_start(lines: pl.Series, first_header: int, source: str, first_line: int) -> None:
    """Only blank lines may come before the first header."""
    lead = lines.head(first_header).str.replace_all(f"[{LRM}\ufeff]", "").str.strip_chars()
    filled = (lead != "").arg_true()
    if filled.len():
        raise ImportFailed.one(source, first_line + int(filled[0]), _NOT_A_CHAT)


def _fields(lines: pl.Series) -> pl.DataFrame:
    """Per line: whether it opens a message, what follows the header, and the date parts."""
    year = pl.coalesce("yy", "ymd_y").cast(pl.Int32)
    return (
        lines.str.extract_groups(HEADER)
        .struct.unnest()
        .with_columns(raw=lines)
        .select(
            head=pl.col("hdr").is_not_null(),
            piece=pl.coalesce(pl.col("raw").str.strip_prefix(pl.col("hdr")), pl.col("raw")),
            # a 2-digit year is this century's; a 4-digit one is taken as written
            year=pl.when(pl.col("yy").str.len_bytes() == 2).then(year + 2000).otherwise(year),
            p1=pl.coalesce("p1", "ymd_m").cast(pl.Int32),
            p2=pl.coalesce("p2", "ymd_d").cast(pl.Int32),
            ymd=pl.col("ymd_y").is_not_null(),
            hour=pl.col("hh").cast(pl.Int32),
            minute=pl.col("mi").cast(pl.Int32),
            second=pl.col("ss").cast(pl.Int32).fill_null(0),
            pm=pl.col("ap").str.to_lowercase() == "p",
        )
    )


def parse_piece(data: bytes, *, first_line: int, final: bool, started: bool, source: str) -> Piece:
    """Parse one piece of a chat text that ends at a line break (or at the end of the file).

    ``first_line`` is the 1-based line number of the piece's first line; ``final`` says the
    piece reaches the end of the file; ``started`` that an earlier piece held a header (then
    this piece starts with one). Raises :class:`ImportFailed` when the text does not start
    like a WhatsApp export.
    """
    lines = split_lines(data, source, first_line)
    fields = _fields(lines)
    headers = fields["head"].arg_true()
    if not started:
        first = int(headers[0]) if headers.len() else lines.len()
        _check_start(lines, first, source, first_line)
        if not headers.len():
            return Piece(_empty(), lines.len(), started=False)
    else:
        first = 0
    del lines
    end = fields.height if final else int(headers[-1])
    if end <= first:
        return Piece(_empty(), first, started=True)
    fields = fields.slice(first, end - first).with_columns(
        line=pl.int_range(first_line + first, first_line + end, dtype=pl.Int64)
    )
    messages = _messages(_bodies(fields), has_lrm=_LRM_BYTES in data)
    return Piece(messages, end, started=True)


def _bodies(fields: pl.DataFrame) -> pl.DataFrame:
    """One row per message: its header's fields and its body, continuation lines joined."""
    if fields["head"].all():
        return fields.drop("head").rename({"piece": "body"})
    fields = fields.with_columns(msg=pl.col("head").cum_sum())
    heads = fields.filter(pl.col("head"))
    more = fields.filter(~pl.col("head"))["msg"].unique()
    # Most messages are one line: only those with continuation lines are grouped.
    joined = (
        fields.filter(pl.col("msg").is_in(more.implode()))
        .group_by("msg", maintain_order=True)
        .agg(pl.col("piece"))
        .select("msg", joined=pl.col("piece").list.join("\n"))
    )
    return (
        heads.join(joined, on="msg", how="left", maintain_order="left")
        .with_columns(body=pl.coalesce("joined", "piece"))
        .drop("joined", "piece", "msg", "head")
    )


def _messages(bodies: pl.DataFrame, *, has_lrm: bool) -> pl.DataFrame:
    """Split sender from text and tell the kind of each message."""
    bodies = bodies.with_columns(sender=pl.col("body").str.extract(SENDER, 1))
    said = pl.coalesce(pl.col("body").str.strip_prefix(pl.col("sender") + ": "), pl.col("body"))
    bodies = bodies.with_columns(said=said.str.replace(EDITED, "")).drop("body")
    # Keep the text as written, minus the marks; an LRM in front of it is iOS flagging
    # an event it wrote (or a placeholder), so look before removing it.
    text = pl.col("said").str.replace_all(LRM, "", literal=True) if has_lrm else pl.col("said")
    bodies = bodies.with_columns(flagged=pl.col("said").str.starts_with(LRM), text=text)
    bodies = bodies.drop("said").with_columns(
        media=pl.col("text").str.contains(MEDIA),
        call=pl.col("text").str.contains(CALL),
        deleted=pl.col("text").str.contains(DELETED),
    )
    placeholder = pl.col("media") | pl.col("call") | pl.col("deleted")
    bodies = bodies.with_columns(
        event=pl.col("sender").is_null() | (pl.col("flagged") & ~placeholder)
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
