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
import numpy as np
import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest.base import MAX_MESSAGE_BYTES, rows_frame, too_long

#: Messages per yielded frame, or fewer when their texts reach :data:`BATCH_CHARS`.
BATCH_ROWS = 100_000
BATCH_CHARS = 64 * 1024 * 1024
#: Stop collecting problems after this many: the file is clearly not usable as it is.
MAX_PROBLEMS = 1000
#: Bytes ijson reads at a time.
READ_BYTES = 256 * 1024
#: The most bytes one message may take in the file. Escapes can make text six times longer
#: than its UTF-8 (Facebook writes ``\u00c3\u00a9`` for "é"), so this leaves room for a
#: message of :data:`~reciprocity.ingest.base.MAX_MESSAGE_BYTES`, refused after it is read.
MAX_ITEM_BYTES = 6 * MAX_MESSAGE_BYTES
#: Where the small values before the messages (a chat's name, a server) are looked for.
HEAD_BYTES = 1024 * 1024
#: Arrays and objects opened and not yet closed within one message, at most. No export
#: nests more than a dozen deep, and ijson's memory grows with the square of the depth.
MAX_DEPTH = 2000
# +1 for a byte that opens an array or object, -1 for one that closes it.
_STEP = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1

# sender, timestamp (UTC microseconds), text, kind, reply_to, source_id, position
Row = tuple[str | None, int, str, str, str | None, str | None, int]


class Bad(Exception):
    """One message cannot be read; becomes a Problem naming that message."""


class _TooBig(Exception):
    """Raised from inside ijson's reads: see :class:`_Guarded`."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class _Guarded:
    """The file as ijson reads it, refusing what would make ijson hold too much.

    ijson builds each value whole, so a hostile file could make it hold gigabytes: one
    endless string (no quote for :data:`MAX_ITEM_BYTES`), one message running past that
    many bytes (``budget``, counted from the last message handed out), or arrays opened
    inside one another :data:`MAX_DEPTH` times (brackets opened less brackets closed since
    the last message, at every byte of the read: brackets inside text count too, which
    only matters for a message of two thousand unmatched ``[``). The checks are a few
    vectorised passes per read, checked before ijson sees the bytes.
    """

    def __init__(self, fh: BinaryIO, budget: int) -> None:
        self.fh = fh
        self.budget = budget
        self.since = 0  # bytes read since the last value was handed out
        self.unquoted = 0  # bytes read since the last quote
        self.depth = 0  # brackets opened less brackets closed since the last value

    def handed_out(self) -> None:
        """A value was handed out: the next one starts its own counts."""
        self.since = 0
        self.depth = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.fh.read(size)
        self.since += len(chunk)
        if self.since > self.budget:
            raise _TooBig("budget")
        quote = chunk.find(b'"')
        if quote == -1:
            self.unquoted += len(chunk)
        else:
            if self.unquoted + quote > MAX_ITEM_BYTES:
                raise _TooBig("value")
            self.unquoted = len(chunk) - chunk.rfind(b'"') - 1
        if self.unquoted > MAX_ITEM_BYTES:
            raise _TooBig("value")
        if chunk:
            running = np.cumsum(_STEP[np.frombuffer(chunk, dtype=np.uint8)], dtype=np.int32)
            if self.depth + int(running.max()) > MAX_DEPTH:
                raise _TooBig("deep")
            self.depth += int(running[-1])
        return chunk


def items(fh: BinaryIO, prefix: str, source: str, app: str) -> Iterator[Any]:
    """The values at ``prefix`` (``"messages.item"``) one at a time, as ijson builds them.

    Broken JSON becomes :class:`ImportFailed` saying after which item and near which byte
    the file stops making sense, and which app to export from again; so does a value too
    big to be a message (see :class:`_Guarded`).
    """
    count = 0
    guarded = _Guarded(fh, MAX_ITEM_BYTES)
    try:
        for count, value in enumerate(  # noqa: B007 - the count is reported on failure
            ijson.items(guarded, prefix, use_float=True, buf_size=READ_BYTES), start=1
        ):
            guarded.handed_out()
            yield value
    except ijson.JSONError as exc:
        raise ImportFailed.one(source, None, broken(exc, fh, count, app)) from None
    except _TooBig as big:
        where = f"message {count + 1:,}"
        if big.why == "deep":
            why = (
                f"{where} nests lists inside one another thousands of times, which no "
                f"chat export does; download it again from {app}"
            )
        else:
            why = f"{where}: " + too_long("it")
        raise ImportFailed.one(source, None, why) from None


def first(fh: BinaryIO, prefix: str) -> Any:
    """The first value at ``prefix`` within the file's first :data:`HEAD_BYTES`, or
    ``None``.

    Broken JSON is left to the pass that reads the messages, which says where it breaks.
    """
    fh.seek(0)
    try:
        for value in ijson.items(
            _Guarded(fh, HEAD_BYTES), prefix, use_float=True, buf_size=READ_BYTES
        ):
            return value
    except (ijson.JSONError, _TooBig):
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
    # ijson's own wording ("parse error: premature EOF") is not for people: say it plainly.
    cut = "premature eof" in str(exc).lower() or "incomplete json" in str(exc).lower()
    reason = "the file ends in the middle of it" if cut else "what follows is not valid JSON"
    where = f"after message {count:,}" if count else "before the first message"
    near = ""
    if offset and offset > READ_BYTES:
        near = f" (in the {READ_BYTES // 1024} KB before byte {offset:,})"
    return (
        f"the JSON breaks off {where}{near}: {reason}. The file may be cut short or "
        f"edited; download it again from {app}"
    )


def problem_list(source: str, problems: list[Problem], index: int, bad: Bad) -> None:
    """Record that message ``index`` cannot be read; stop once there are too many."""
    problems.append(Problem(source, None, f"message {index:,}: {bad}"))
    if len(problems) >= MAX_PROBLEMS:
        raise ImportFailed(problems)


#: What each row holds, in order (see :func:`.base.rows_frame`).
_FIELDS = ("sender", "timestamp", "text", "kind", "reply_to", "source_id", "line")


def frame(rows: list[Row], platform: str, conversation: str) -> pl.DataFrame:
    """A :data:`MESSAGE_SCHEMA` frame of ``rows`` for one conversation."""
    return rows_frame(rows, _FIELDS, source=platform, conversation=conversation)


def text_of(value: Any) -> str | None:
    """``value`` when it is text, a number as the text it spells, else ``None``."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None
