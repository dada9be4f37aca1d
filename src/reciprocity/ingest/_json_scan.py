"""Find the items of one array in a JSON file of any size, a few megabytes at a time.

Messenger's and DiscordChatExporter's files are one object whose ``messages`` array holds
everything; a Discord channel runs to gigabytes. Handing the whole file to a JSON decoder
would hold it all in memory, and walking it token by token in Python is slow. This module
does neither: it reads the file in blocks of :data:`READ_BYTES` and, with a few vectorised
passes over each block, finds the bytes that give JSON its structure (quotes that open or
close a string, brackets and commas outside strings). That is enough to know, without
decoding anything, where each item of the array starts and ends, so the items of a block
go to a fast decoder (msgspec) together, and memory holds one block and at most one item
that spans blocks.

The same passes refuse what would make a reader hold too much: one item longer than
:data:`MAX_ITEM_BYTES` (an endless string included) and brackets opened inside one another
more than :data:`MAX_DEPTH` times. The scanner does not check the rest of the syntax;
the decoder does, item by item, and a file that ends before its brackets close is reported
as cut short.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from reciprocity.ingest.base import MAX_MESSAGE_BYTES

#: Bytes read at a time; the items completed within them are decoded together.
READ_BYTES = 4 * 1024 * 1024
#: The most bytes one item may take in the file. Escapes can make text six times longer
#: than its UTF-8 (Facebook writes ``\u00c3\u00a9`` for "é"), so this leaves room for a
#: message of :data:`~reciprocity.ingest.base.MAX_MESSAGE_BYTES`, refused after it is read.
MAX_ITEM_BYTES = 6 * MAX_MESSAGE_BYTES
#: Arrays and objects opened and not yet closed, at most. No export nests more than a dozen
#: deep; a file that does is not an export, and refusing it keeps decoders' stacks small.
MAX_DEPTH = 2000

_QUOTE, _BACKSLASH, _COMMA = ord('"'), ord("\\"), ord(",")
_OPEN_ARRAY, _CLOSE_ARRAY = ord("["), ord("]")
_STRUCTURAL = tuple(b"[]{},")
# +1 for a byte that opens an array or object, -1 for one that closes it.
_STEP = np.zeros(256, dtype=np.int32)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1
# How far back a key is looked for before the ``[`` that opens its array.
_KEY_WINDOW = 256


class TooBig(Exception):
    """An item or a nesting beyond what any export holds; ``why`` is "long" or "deep"."""

    def __init__(self, why: str, items: int) -> None:
        super().__init__(why)
        self.why = why
        self.items = items


class CutShort(Exception):
    """The file ends before the brackets it opened are closed."""

    def __init__(self, items: int) -> None:
        super().__init__("cut short")
        self.items = items


@dataclass
class Block:
    """Items completed in one read: ``data[cuts[i]:cuts[i + 1] - 1]`` is item ``first + i``
    (each cut is one past the comma or bracket that ended the item before)."""

    first: int
    data: bytes
    cuts: np.ndarray
    #: Where ``data`` starts in the file, for words on where a broken item sits.
    offset: int

    def __len__(self) -> int:
        return len(self.cuts) - 1

    def joined(self) -> bytes:
        """All the items as one JSON array."""
        return b"[" + self.data[: int(self.cuts[-1]) - 1] + b"]"

    def item(self, i: int) -> bytes:
        return self.data[int(self.cuts[i]) : int(self.cuts[i + 1]) - 1]


@dataclass
class _Structure:
    """The structural bytes of one block: positions, the bytes, and the depth after each."""

    pos: np.ndarray
    char: np.ndarray
    depth_after: np.ndarray
    # per quote in the block: its position and whether it opens a string (asked for by
    # :func:`value_bytes` only; empty when reading the array's items)
    quotes: np.ndarray
    opening: np.ndarray


@dataclass
class _State:
    depth: int = 0
    in_string: bool = False
    #: Backslashes at the end of what was read so far (they escape the next byte).
    backslashes: int = 0
    offset: int = 0
    tail: bytes = b""
    #: Depth just inside the array being read, or 0 while looking for it.
    array: int = 0
    items: int = 0
    pending: list[bytes] = field(default_factory=list)
    pending_bytes: int = 0
    pending_offset: int = 0


def _structure(block: bytes, state: _State, quotes: bool = False) -> _Structure:
    """Find the brackets and commas outside strings in ``block`` (and with ``quotes``,
    the quotes that open or close a string), given the state the bytes before it left, and
    update that state."""
    arr = np.frombuffer(block, dtype=np.uint8)
    special = arr == _QUOTE
    for byte in _STRUCTURAL:
        special |= arr == byte
    pos = np.flatnonzero(special)
    char = arr[pos]
    is_quote = char == _QUOTE
    toggles = is_quote.copy()
    quote_at = np.flatnonzero(is_quote)
    quote_pos = pos[quote_at]
    if len(quote_pos):
        # A quote is escaped when an odd number of backslashes comes right before it. Few
        # quotes follow a backslash at all, so those few are counted one by one.
        before = np.zeros(len(quote_pos), dtype=bool)
        inside_block = quote_pos > 0
        before[inside_block] = arr[quote_pos[inside_block] - 1] == _BACKSLASH
        if quote_pos[0] == 0:
            before[0] = state.backslashes > 0
        for i in np.flatnonzero(before):
            p = int(quote_pos[i]) - 1
            run = 0
            while p >= 0 and block[p] == _BACKSLASH:
                run += 1
                p -= 1
            if p < 0:
                run += state.backslashes
            if run % 2:
                toggles[quote_at[i]] = False
    flips = np.cumsum(toggles.view(np.int8), dtype=np.int32)
    start = int(state.in_string)
    inside = ((flips + start) & 1).astype(bool)  # after each byte: in a string?
    structural = ~is_quote & ~inside
    schar = char[structural]
    depth_after = state.depth + np.cumsum(_STEP[schar])
    if len(flips):
        state.in_string = bool((int(flips[-1]) + start) & 1)
    if len(depth_after):
        state.depth = int(depth_after[-1])
    stripped = len(block) - len(block.rstrip(b"\\"))
    state.backslashes = stripped + (state.backslashes if stripped == len(block) else 0)
    if not quotes:
        none = np.empty(0, dtype=np.int64)
        return _Structure(pos[structural], schar, depth_after, none, none.astype(bool))
    real = toggles[quote_at]
    return _Structure(pos[structural], schar, depth_after, quote_pos[real], inside[quote_at][real])


def _key_before(window: bytes, key: bytes) -> bool:
    return re.search(rb'"' + re.escape(key) + rb'"\s*:\s*\Z', window) is not None


def array_blocks(fh: BinaryIO, key: str) -> Iterator[Block]:
    """The items of every array that is the value of ``key`` in the file's top-level
    object, one :class:`Block` per read that completes any.

    Raises :class:`TooBig` and :class:`CutShort` with the number of items handed out
    before the problem.
    """
    state = _State()
    name = key.encode()
    while True:
        block = fh.read(READ_BYTES)
        if not block:
            break
        found = _structure(block, state)
        yield from _blocks_in(block, found, state, name)
        state.offset += len(block)
        state.tail = (state.tail + block)[-_KEY_WINDOW:]
    if state.array or state.depth or state.in_string:
        raise CutShort(state.items)


def _blocks_in(block: bytes, found: _Structure, state: _State, key: bytes) -> Iterator[Block]:
    before = found.depth_after - _STEP[found.char]
    if len(found.depth_after) and int(found.depth_after.max()) > MAX_DEPTH + 2:
        raise TooBig("deep", state.items)
    i = 0
    start = 0  # where the current item's bytes start in this block
    count = len(found.pos)
    while i < count or state.array:
        if not state.array:
            opens = np.flatnonzero((found.char[i:] == _OPEN_ARRAY) & (before[i:] == 1)) + i
            for j in opens:
                at = int(found.pos[j])
                window = (state.tail + block[:at])[-_KEY_WINDOW:]
                if _key_before(window, key):
                    state.array = 2
                    state.pending, state.pending_bytes = [], 0
                    state.pending_offset = state.offset + at + 1
                    i, start = int(j) + 1, at + 1
                    break
            else:
                return
            continue
        rest = slice(i, count)
        ends = np.flatnonzero((found.char[rest] == _CLOSE_ARRAY) & (before[rest] == 2)) + i
        stop = int(ends[0]) if len(ends) else count
        part = slice(i, stop)
        commas = found.pos[part][(found.char[part] == _COMMA) & (before[part] == 2)]
        end = int(found.pos[stop]) if len(ends) else None
        cuts = commas.astype(np.int64) + 1
        if end is not None:
            cuts = np.append(cuts, end + 1)
        if len(cuts):
            taken = _take(block, start, cuts, state, closed=end is not None)
            if len(taken):
                yield taken
            start = int(cuts[-1])
        if end is None:
            _keep(block[start:], state, start)
            return
        state.array = 0
        i = stop + 1


def _take(block: bytes, start: int, cuts: np.ndarray, state: _State, closed: bool) -> Block:
    """The items that end at ``cuts`` (one past each ending byte) as a :class:`Block`."""
    head = b"".join(state.pending)
    last = int(cuts[-1])
    data = head + block[start:last]
    shift = len(head) - start
    marks = np.concatenate(([0], cuts + shift))
    if closed and not data[: int(marks[-1]) - 1].strip() and len(marks) == 2:
        marks = marks[:1]  # an empty array: ``[]``
    offset = state.pending_offset
    state.pending, state.pending_bytes = [], 0
    state.pending_offset = state.offset + last
    if len(marks) > 1 and marks[1] > MAX_ITEM_BYTES:
        raise TooBig("long", state.items)
    taken = Block(state.items + 1, data, marks, offset)
    state.items += len(taken)
    return taken


def _keep(rest: bytes, state: _State, start: int) -> None:
    if state.pending_bytes == 0:
        state.pending_offset = state.offset + start
    state.pending.append(rest)
    state.pending_bytes += len(rest)
    if state.pending_bytes > MAX_ITEM_BYTES:
        raise TooBig("long", state.items)


def value_bytes(head: bytes, key: str) -> bytes | None:
    """The bytes of the value of ``key`` in the top-level object, when the value ends within
    ``head`` (a file's first bytes); else ``None``."""
    state = _State()
    found = _structure(head, state, quotes=True)
    before = found.depth_after - _STEP[found.char]
    for match in re.finditer(rb'"' + re.escape(key.encode()) + rb'"\s*:\s*', head):
        q = int(np.searchsorted(found.quotes, match.start()))
        if q >= len(found.quotes) or found.quotes[q] != match.start() or not found.opening[q]:
            continue
        k = int(np.searchsorted(found.pos, match.start()))
        depth = int(found.depth_after[k - 1]) if k else 0
        if depth != 1:
            continue
        after = int(np.searchsorted(found.pos, match.end()))
        if after < len(found.pos) and found.pos[after] == match.end():
            # The value is an array or an object: it ends where the depth comes back.
            if found.depth_after[after] <= 1:
                continue
            back = np.flatnonzero(found.depth_after[after:] == 1)
            if not len(back):
                return None
            return head[match.end() : int(found.pos[after + int(back[0])]) + 1]
        comma = (found.char[after:] == _COMMA) & (before[after:] == 1)
        ends = np.flatnonzero(comma | (found.depth_after[after:] == 0))
        if not len(ends):
            return None
        return head[match.end() : int(found.pos[after + int(ends[0])])]
    return None
