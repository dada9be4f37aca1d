"""Streaming helpers shared by the big JSON exports (Messenger, Instagram, Discord).

:mod:`._json_scan` finds where each message of the ``messages`` array starts and ends, a
few megabytes at a time; the messages completed in each read are decoded together by
msgspec. A file of gigabytes is read in the memory of one read plus at most one message.
JSON has no lines worth naming in an editor for a file this size, so the problems these
parsers raise name the message's position in the file ("message 1,204") and, for broken
JSON, about where in the file (a byte offset).

The ``line`` column of these formats holds the message's position in its file (1 = the first
message written), which traces a figure back to the message just as a line would.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import msgspec
import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest import _json_scan
from reciprocity.ingest.base import rows_frame, too_long

#: Messages per yielded frame, or fewer when their texts reach :data:`BATCH_CHARS`.
BATCH_ROWS = 100_000
#: Messages of the first frame: the save starts on them while the rest is read, instead
#: of waiting for a whole :data:`BATCH_ROWS` (half a second of a 1M-message import).
FIRST_ROWS = 10_000
BATCH_CHARS = 64 * 1024 * 1024
#: Stop collecting problems after this many: the file is clearly not usable as it is.
MAX_PROBLEMS = 1000
#: Where the small values before the messages (a chat's name, a server) are looked for.
HEAD_BYTES = 1024 * 1024
# A UTF-16 half without its other half, written as an escape: not text any decoder accepts.
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)

# sender, timestamp (UTC microseconds), text, kind, reply_to, source_id, position
Row = tuple[str | None, int, str, str, str | None, str | None, int]


class Bad(Exception):
    """One message cannot be read; becomes a Problem naming that message."""


@contextmanager
def _quiet_collector() -> Iterator[None]:
    # Decoding builds a hundred thousand small objects that all stay alive: the cyclic
    # collector would walk them again and again for nothing (a third of the time).
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def items(
    fh: BinaryIO,
    key: str,
    source: str,
    app: str,
    shape: Shape | None = None,
) -> Iterator[Any]:
    """The items of the top-level ``key`` array (``"messages"``) one at a time, in the
    file's order: as plain JSON values, or as ``shape`` says (see :class:`Shape`).

    Broken JSON becomes :class:`ImportFailed` saying after which item and near which byte
    the file stops making sense, and which app to export from again; so does an item too
    big to be a message, or nested deeper than any export.
    """
    decoder = shape.decoder if shape is not None else None
    for block in blocks(fh, key, source, app, decoder):
        yield from decoded(block, source, app, shape)


def blocks(
    fh: BinaryIO,
    key: str,
    source: str,
    app: str,
    decoder: msgspec.json.Decoder[Any] | None = None,
) -> Iterator[_json_scan.Block]:
    """The items of the top-level ``key`` array, a read's worth at a time, undecoded (for a
    format that reads a whole block's messages as columns); broken JSON raises as
    :func:`items` says.

    A block whose cuts were guessed from the file's indentation
    (:class:`~._json_scan.ArrayItems`) is proved before it is handed out, by decoding it
    with ``decoder`` (the caller's own, so :func:`typed` and :func:`decoded` reuse what it
    gave) or, failing that, as plain JSON.
    """
    reader = _json_scan.ArrayItems(fh, key)
    try:
        for block in reader:
            if block.guessed and not _proved(block, decoder):
                reader.doubt()
                continue
            yield block
    except _json_scan.CutShort as cut:
        raise ImportFailed.one(source, None, broken(cut.items, None, app, cut=True)) from None
    except _json_scan.TooBig as big:
        where = f"message {big.items + 1:,}"
        if big.why == "deep":
            why = (
                f"{where} nests lists inside one another hundreds of times, which no "
                f"chat export does; download it again from {app}"
            )
        else:
            why = f"{where}: " + too_long("it")
        raise ImportFailed.one(source, None, why) from None


class Shape:
    """How a format wants its items: as msgspec structs of the fields it reads (``typed``,
    a ``list[...]`` of them), which skips every other field and is several times faster
    than building each message's objects, and ``loose``, which makes one such struct
    from a plain JSON value when the typed decoding refuses a message (a field of an
    unexpected type), so that the parser still says what is wrong with it in its own words.
    """

    def __init__(self, typed: type, loose: Callable[[Any], Any]) -> None:
        self.decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(typed)
        self.loose = loose


def gathered(parts: Iterable[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """``parts`` (frames with a ``text`` column) put together into a first frame of at
    least :data:`FIRST_ROWS` rows, then frames of at least :data:`BATCH_ROWS` rows, each
    closed early at :data:`BATCH_CHARS` bytes of text; then what is left.

    What is left is handed out only once ``parts`` has ended: a parser whose parts raise at
    their end (the problems found, a file without messages) never hands it out first.
    """
    held: list[pl.DataFrame] = []
    count = chars = 0
    enough = FIRST_ROWS
    for part in parts:
        held.append(part)
        count += part.height
        chars += int(part["text"].str.len_bytes().sum())
        if count >= enough or chars >= BATCH_CHARS:
            yield pl.concat(held)
            held, count, chars = [], 0, 0
            enough = BATCH_ROWS
    if held:
        yield pl.concat(held)


def decoded(
    block: _json_scan.Block, source: str, app: str, shape: Shape | None = None
) -> list[Any]:
    """The items of ``block`` as plain JSON values, or as ``shape`` says; one that is not
    valid JSON raises :class:`ImportFailed` naming it."""
    if shape is not None and block.memo.get(shape.decoder) is not None:
        return block.memo[shape.decoder]  # type: ignore[return-value]
    plain = block.memo.get(_PLAIN)
    if plain is not None:
        return plain if shape is None else [shape.loose(value) for value in plain]
    with _quiet_collector():
        try:
            if shape is None:
                values = msgspec.json.decode(block.joined())
            elif shape.decoder in block.memo:
                values = None  # refused already, while the block was proved
            else:
                values = shape.decoder.decode(block.joined())
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            values = None
        if isinstance(values, list) and len(values) == len(block):
            return values
        # Something in the block is not what was expected: one message at a time.
        found = []
        for i in range(len(block)):
            raw = block.item(i)
            try:
                value = _one(raw)
            except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
                offset = block.offset + int(block.cuts[i])
                why = broken(block.first + i - 1, offset, app, cut=False)
                raise ImportFailed.one(source, None, why) from None
            found.append(value if shape is None else shape.loose(value))
        return found


def typed(block: _json_scan.Block, decoder: msgspec.json.Decoder[Any]) -> list[Any] | None:
    """Every item of ``block`` decoded by ``decoder`` (a ``list[...]`` of structs), or
    ``None`` when any item does not fit it (then read them with :func:`decoded`)."""
    if decoder in block.memo:
        return block.memo[decoder]
    with _quiet_collector():
        try:
            values = decoder.decode(block.joined())
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            return None
    return values if isinstance(values, list) and len(values) == len(block) else None


#: :attr:`Block.memo <._json_scan.Block.memo>`'s key for the items as plain JSON values.
_PLAIN = "plain"


def _proved(block: _json_scan.Block, decoder: msgspec.json.Decoder[Any] | None) -> bool:
    """Whether ``block`` decodes as an array of exactly as many items as it has cuts, by
    ``decoder`` or as plain JSON; what each decoding gave is kept in ``block.memo``."""
    if decoder is not None:
        block.memo[decoder] = values = typed(block, decoder)
        if values is not None:
            return True
    with _quiet_collector():
        try:
            plain = msgspec.json.decode(block.joined())
        except (msgspec.DecodeError, RecursionError):
            return False
    if not isinstance(plain, list) or len(plain) != len(block):
        return False
    block.memo[_PLAIN] = plain
    return True


def one(block: _json_scan.Block, i: int) -> Any:
    """Item ``i`` of ``block`` as a plain JSON value (the block is known to decode)."""
    plain = block.memo.get(_PLAIN)
    return plain[i] if plain is not None else _one(block.item(i))


def _one(raw: bytes) -> Any:
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:
        if b"\\u" not in raw:
            raise
    # A lone half of a UTF-16 pair (a cut emoji) reads as the replacement character.
    return msgspec.json.decode(_LONE_SURROGATE.sub(rb"\\ufffd", raw))


def first(fh: BinaryIO, key: str) -> Any:
    """The value of the top-level ``key`` when it ends within the file's first
    :data:`HEAD_BYTES`, or ``None``.

    Broken JSON is left to the pass that reads the messages, which says where it breaks.
    """
    fh.seek(0)
    try:
        raw = _json_scan.value_bytes(fh.read(HEAD_BYTES), key)
    finally:
        fh.seek(0)
    if raw is None:
        return None
    try:
        return msgspec.json.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def broken(count: int, offset: int | None, app: str, *, cut: bool) -> str:
    """Words for JSON that stops making sense after ``count`` messages, near ``offset``."""
    reason = "the file ends in the middle of it" if cut else "what follows is not valid JSON"
    where = f"after message {count:,}" if count else "before the first message"
    near = f" (near byte {offset:,})" if offset else ""
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
