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

Exporters indent their files, and in an indented file one search finds where items end,
faster than the passes over every quote and bracket: :class:`ArrayItems` cuts the reads
after the first that way, and the decoder proves each such cut (see there).
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
#: deep; a file that does is not an export, and refusing it keeps decoders' stacks small
#: (msgspec gives up near Python's recursion limit, a thousand).
MAX_DEPTH = 256
#: How many bytes may follow the last item found by :class:`ArrayItems`' search before it
#: stops searching and scans the rest of the file the careful way.
GUESS_BYTES = 8 * 1024 * 1024

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
    #: Cut where the file's indentation says items end, not yet proved (:class:`ArrayItems`).
    guessed: bool = False
    #: What decoding the items gave, by decoder, so that the proof is not paid twice.
    memo: dict[object, list[object] | None] = field(default_factory=dict)

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


class ArrayItems:
    """The items of every array that is the value of ``key`` in the file's top-level
    object, one :class:`Block` per read that completes any; in an indented file, most of
    them found by a search for what separates two items.

    DiscordChatExporter, Facebook and Instagram indent their JSON: each message opens and
    closes on a line of its own, at one indentation, so the bytes between two messages are
    always the same (``\\n    },\\n    {``). When every pair of neighbours in the first
    block is separated by the same such bytes, the following reads are cut wherever they
    occur, one vectorised search instead of a pass over every quote and bracket (a
    DiscordChatExporter file has one every six bytes), and those blocks are ``guessed``.

    A guess is proved by decoding the block: a raw line break is never inside a JSON
    string, so each guessed cut follows a closing brace outside any string; and if a block
    reads as an array of exactly as many items as it has cuts, no cut is inside an item (a
    cut inside one leaves a bracket unmatched in some piece, or fewer items). The caller
    that decodes a guessed block and cannot read it that way calls :meth:`doubt`: that
    block and the rest of the file are then read the careful way, so a file laid out
    otherwise, or broken, reads and fails exactly as it would have without the search.

    Raises :class:`TooBig` and :class:`CutShort` with the number of items handed out
    before the problem.
    """

    def __init__(self, fh: BinaryIO, key: str) -> None:
        self._fh = fh
        self._key = key.encode()
        self._doubted = False

    def doubt(self) -> None:
        """The guessed block just handed out does not decode as that many items: read it
        again the careful way, and the rest of the file with it."""
        self._doubted = True

    def __iter__(self) -> Iterator[Block]:
        state = _State()
        separator: bytes | None = None
        learning = True
        while True:
            read = self._fh.read(READ_BYTES)
            if not read:
                break
            if separator is None or not state.array:
                for taken in _blocks_in(read, _structure(read, state), state, self._key):
                    if learning and len(taken) > 1:
                        separator, learning = _separator(taken), False
                    yield taken
                state.offset += len(read)
                state.tail = (state.tail + read)[-_KEY_WINDOW:]
                continue
            data = b"".join(state.pending) + read
            state.offset += len(read)
            taken_ = _guessed(data, separator, state)
            if taken_ is None:
                state.pending, state.pending_bytes = [data], len(data)
                if len(data) <= GUESS_BYTES:
                    continue
            else:
                yield taken_
                if not self._doubted:
                    last = int(taken_.cuts[-1])
                    state.items += len(taken_)
                    state.pending, state.pending_bytes = [data[last:]], len(data) - last
                    state.pending_offset += last
                    continue
            # A doubted guess, or no separator for too long: the careful way from here on.
            separator, self._doubted = None, False
            yield from _careful(data, state, self._key)
        if separator is not None and state.array and state.pending_bytes:
            yield from _careful(b"".join(state.pending), state, self._key)
        if state.array or state.depth or state.in_string:
            raise CutShort(state.items)


def _separator(block: Block) -> bytes | None:
    """The bytes between neighbouring items of ``block`` (the end of one item's last line,
    the comma, the next item's first line), when they are the same for every pair and
    the closing brace opens its line (so it is outside any string); else ``None``."""
    found = set()
    for i in range(min(len(block) - 1, 64)):
        item, after = block.item(i), block.item(i + 1)
        line = item.rfind(b"\n")
        tail = item[line:]
        head = after[: after.find(b"{") + 1]
        if line < 0 or tail[-1:] != b"}" or tail[1:-1].strip(b" \t") or head.strip() != b"{":
            return None
        found.add(tail + b"," + head)
    return found.pop() if len(found) == 1 else None


def _guessed(data: bytes, separator: bytes, state: _State) -> Block | None:
    """The items of ``data`` (which starts where an item starts) that end before a
    ``separator``, as a guessed :class:`Block`; ``None`` when there is none, or an item
    is too long to trust a guess about."""
    arr = np.frombuffer(data, dtype=np.uint8)
    want = np.frombuffer(separator, dtype=np.uint8)
    at = np.flatnonzero(arr == want[-1]) - (len(want) - 1)
    at = at[at >= 0]
    for k in range(len(want) - 2, -1, -1):
        at = at[arr[at + k] == want[k]]
    if not len(at):
        return None
    # One past the comma, which follows the closing brace of the separator's first line.
    marks = np.concatenate(([0], at + separator.index(b",") + 1))
    if int(np.diff(marks).max()) > MAX_ITEM_BYTES:
        return None
    return Block(state.items + 1, data, marks, state.pending_offset, guessed=True)


def _careful(data: bytes, state: _State, key: bytes) -> Iterator[Block]:
    """The careful scan of ``data``, which starts where an item of the array starts and
    runs to the end of what was read so far."""
    state.depth, state.in_string, state.backslashes = state.array, False, 0
    state.pending, state.pending_bytes = [], 0
    start = state.pending_offset
    state.offset = start
    yield from _blocks_in(data, _structure(data, state), state, key)
    state.offset = start + len(data)
    state.tail = data[-_KEY_WINDOW:]


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
