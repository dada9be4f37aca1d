"""Streaming helpers shared by the JSON exports read with ijson (Messenger, Instagram, Discord).

ijson walks a file token by token and builds one array item (one message) at a time, so a
file of gigabytes is read in the memory of one message plus a read buffer. It does not say
on which line a token sits, so the problems these parsers raise name the message's position
in the file ("message 1,204") and, for broken JSON, about where in the file (a byte offset):
that is how a person finds the spot in an editor that shows the file's size.

The ``line`` column of these formats holds the message's position in its file (1 = the first
message written), which traces a figure back to the message just as a line would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import ijson
import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest.base import MESSAGE_SCHEMA

#: Messages per yielded frame, or fewer when their texts reach :data:`BATCH_CHARS`.
BATCH_ROWS = 100_000
BATCH_CHARS = 64 * 1024 * 1024
#: Stop collecting problems after this many: the file is clearly not usable as it is.
MAX_PROBLEMS = 1000
#: Bytes ijson reads at a time.
READ_BYTES = 256 * 1024

# sender, timestamp (UTC microseconds), text, kind, reply_to, source_id, position
Row = tuple[str | None, int, str, str, str | None, str | None, int]


class Bad(Exception):
    """One message cannot be read; becomes a Problem naming that message."""


def items(fh: BinaryIO, prefix: str, source: str, app: str) -> Iterator[Any]:
    """The values at ``prefix`` (``"messages.item"``) one at a time, as ijson builds them.

    Broken JSON becomes :class:`ImportFailed` saying after which item and near which byte
    the file stops making sense, and which app to export from again.
    """
    count = 0
    try:
        for count, value in enumerate(  # noqa: B007 - the count is reported on failure
            ijson.items(fh, prefix, use_float=True, buf_size=READ_BYTES), start=1
        ):
            yield value
    except ijson.JSONError as exc:
        raise ImportFailed.one(source, None, broken(exc, fh, count, app)) from None


def first(fh: BinaryIO, prefix: str) -> Any:
    """The first value at ``prefix``, or ``None``; stops reading once it is found.

    Broken JSON is left to the pass that reads the messages, which says where it breaks.
    """
    fh.seek(0)
    try:
        for value in ijson.items(fh, prefix, use_float=True, buf_size=READ_BYTES):
            return value
    except ijson.JSONError:
        return None
    finally:
        fh.seek(0)
    return None


def broken(exc: Exception, fh: BinaryIO, count: int, app: str) -> str:
    """Words for JSON that stops making sense after ``count`` messages."""
    try:
        offset = fh.tell()
    except (OSError, ValueError):
        offset = None
    reason = str(exc).splitlines()[0].strip() if str(exc).strip() else "it ends early"
    where = f"after message {count:,}" if count else "before the first message"
    near = f" (within the {READ_BYTES // 1024} KB before byte {offset:,})" if offset else ""
    return (
        f"the JSON breaks off {where}{near}: {reason}. The file may be cut short or "
        f"edited; download it again from {app}"
    )


def problem_list(source: str, problems: list[Problem], index: int, bad: Bad) -> None:
    """Record that message ``index`` cannot be read; stop once there are too many."""
    problems.append(Problem(source, None, f"message {index:,}: {bad}"))
    if len(problems) >= MAX_PROBLEMS:
        raise ImportFailed(problems)


def frame(rows: list[Row], platform: str, conversation: str) -> pl.DataFrame:
    """A :data:`MESSAGE_SCHEMA` frame of ``rows`` for one conversation."""
    senders, stamps, texts, kinds, replies, ids, lines = (list(c) for c in zip(*rows, strict=True))
    columns: dict[str, list[Any]] = {
        "source": [platform] * len(rows),
        "conversation": [conversation] * len(rows),
        "sender": senders,
        "timestamp": stamps,
        "text": texts,
        "kind": kinds,
        "reply_to": replies,
        "source_id": ids,
        "line": lines,
    }
    schema = {**MESSAGE_SCHEMA, "timestamp": pl.Int64()}
    try:
        out = pl.DataFrame(columns, schema=schema)
    except UnicodeEncodeError:
        # JSON may escape lone surrogates (\ud83d) that UTF-8 cannot hold; keep the rest.
        for name in ("conversation", "sender", "text", "reply_to", "source_id"):
            columns[name] = [_clean(v) for v in columns[name]]
        out = pl.DataFrame(columns, schema=schema)
    return out.with_columns(pl.col("timestamp").cast(MESSAGE_SCHEMA["timestamp"]))


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return value.encode("utf-8", errors="replace").decode("utf-8")


def text_of(value: Any) -> str | None:
    """``value`` when it is text, a number as the text it spells, else ``None``."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None
