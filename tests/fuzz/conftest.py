"""Shared pieces of the fuzz tests: the property every parser must hold, the files they
start from, the ways those files are broken, and a guard against hangs.

The property (issue 22, point 12): :func:`reciprocity.ingest.load` on any file either
returns a frame of valid :data:`~reciprocity.ingest.MESSAGE_SCHEMA` messages, or raises
one of the documented errors: :class:`~reciprocity.errors.ImportFailed`, whose every
problem names the file and a line inside it (or none, for a problem with the whole file),
or :class:`~reciprocity.errors.UnknownFormat`, which names the file. Anything else (a
``KeyError``, a Polars panic, ``RecursionError``, ``MemoryError``) is a crash, and a load
that runs past :data:`HANG_SECONDS` is a hang.

Files start from the real fixtures under ``tests/fixtures`` and are broken the ways a
damaged download, a hand edit or an attacker would: bytes flipped, the file cut short,
random bytes, odd Unicode and huge tokens inserted, lines repeated, dropped or swapped,
digits of dates changed, and in a Telegram export any value of the JSON tree swapped for
another. Each test draws :func:`examples` files; a longer run::

    RECIPROCITY_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/fuzz -m fuzz

(the number is a percentage of the default counts, so 2000 draws 20 times as many).
``RECIPROCITY_FUZZ_HUGE=1`` (set by the memory-limited run in ``test_fuzz_memory.py``)
makes the huge tokens a few MB instead of a few hundred KB.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from reciprocity import ingest
from reciprocity.errors import ImportFailed, UnknownFormat

FIXTURES = Path(__file__).parent.parent / "fixtures"

#: A load of a fuzzed file (a few KB, or a few MB with a huge token) that takes longer
#: than this is stuck: the SIGALRM guard stops it and the test fails.
HANG_SECONDS = 60

HUGE = os.environ.get("RECIPROCITY_FUZZ_HUGE") == "1"


def examples(default: int) -> int:
    """Examples per test: ``default`` scaled by ``RECIPROCITY_FUZZ_EXAMPLES`` percent."""
    wanted = os.environ.get("RECIPROCITY_FUZZ_EXAMPLES", "").strip()
    return max(1, default * int(wanted) // 100) if wanted else default


# Every fuzz test takes its settings from this profile (registered here, before the test
# modules are imported): no example database (runs are independent), a generous deadline
# that a loaded machine still meets (a load of a few KB takes milliseconds), and the
# size checks Hypothesis would raise for huge tokens silenced.
settings.register_profile(
    "reciprocity-fuzz",
    max_examples=examples(100),
    deadline=30_000,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("reciprocity-fuzz")


class Hang(Exception):
    """A load ran past :data:`HANG_SECONDS`."""


@contextmanager
def hang_guard(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread when the block runs past ``seconds``.

    Hypothesis' deadline only fires once an example returns; this also stops a loop that
    never returns (as long as it comes back to Python now and then).
    """

    def ring(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- the property ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one load did: the frame it returned, or the documented error it raised."""

    frame: pl.DataFrame | None
    error: ImportFailed | UnknownFormat | None


def line_count(data: bytes, *, universal: bool = False) -> int:
    """Lines in ``data`` as the parsers number them (a last line without a break counts).

    ``universal``: a lone ``\r`` ends a line too, as for Python's CSV reader (WhatsApp and
    JSON lines end only at ``\n``).
    """
    if universal:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data.count(b"\n") + 1


def check_load(
    path: Path, *, format: str = "auto", lines: int | None = None, **options: Any
) -> Outcome:
    """Load ``path`` and check the fuzz property; returns what happened.

    ``lines`` (when given) is how many lines the text has: every message and every problem
    must point inside it. Any exception other than the documented ones propagates, so
    Hypothesis reports it and shrinks the file that caused it.
    """
    error: ImportFailed | UnknownFormat | None = None
    try:
        with hang_guard():
            frame = ingest.load(path, format, **options)
    except (ImportFailed, UnknownFormat) as raised:
        error = raised
    if isinstance(error, UnknownFormat):
        assert str(path) in str(error), error
        return Outcome(None, error)
    if isinstance(error, ImportFailed):
        assert error.problems
        for problem in error.problems:
            assert problem.source.startswith(str(path)), problem
            assert problem.message.strip(), problem
            if problem.line is not None:
                assert problem.line >= 1, problem
                if lines is not None:
                    assert problem.line <= lines, (problem, lines)
        return Outcome(None, error)
    check_frame(frame, lines)
    return Outcome(frame, None)


def check_frame(frame: pl.DataFrame, lines: int | None = None) -> None:
    """A frame of valid messages: the schema, a kind we know, a time, a line in the file."""
    assert frame.schema == pl.Schema(ingest.MESSAGE_SCHEMA)
    if not frame.height:
        return
    assert frame["kind"].is_in(list(ingest.KINDS)).all()
    assert frame["source"].is_in(list(ingest.FORMATS)).all()
    for column in ("source", "conversation", "timestamp", "kind", "line"):
        assert frame[column].null_count() == 0, column
    first, last = frame["line"].min(), frame["line"].max()
    assert isinstance(first, int)
    assert isinstance(last, int)
    assert first >= 1
    if lines is not None:
        assert last <= lines, (last, lines)


# --- the files we start from ------------------------------------------------------------


def _read(paths: list[Path]) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(paths)]


WHATSAPP = _read([*(FIXTURES / "whatsapp").glob("*.txt"), *(FIXTURES / "web").glob("*.txt")])
TELEGRAM = _read(
    [*(FIXTURES / "telegram").glob("*.json"), FIXTURES / "telegram/account/result.json"]
)
CSV = _read([*(FIXTURES / "csv").glob("*.csv"), *(FIXTURES / "csv").glob("*.tsv")])
SMS = _read(sorted((FIXTURES / "sms").glob("*.xml")))
EMAIL = _read([*(FIXTURES / "email").glob("*.mbox"), *sorted((FIXTURES / "email/eml").glob("*"))])
#: The Telegram fixtures that are whole JSON (one is cut short on purpose).
TELEGRAM_WHOLE = [(name, data) for name, data in TELEGRAM if not name.startswith("truncated")]
assert WHATSAPP
assert TELEGRAM
assert CSV

#: Names a WhatsApp zip holds its chat under; the last two must be refused or read as text.
ZIP_MEMBERS = ("_chat.txt", "WhatsApp Chat with Alex.txt", "notes.txt", "../../up/_chat.txt")
ZIP_NAMES = ("WhatsApp Chat - Alex.zip", "chat.zip", "export.ZIP")


# --- ways to break them -------------------------------------------------------------------

_SIZES = (5_000, 70_000, 140_000, 300_000) if not HUGE else (1_100_000, 4_000_000, 9_000_000)

#: Tokens that mean something to one of the parsers, or to text handling in general.
SPECIAL = [
    b"",
    b"\x00",
    b"\r",
    b"\r\n",
    b"\n\n\n",
    b"\x1f",  # the unit separator the WhatsApp line splitter relies on
    b"\xef\xbb\xbf",  # a byte-order mark
    "\u200e".encode(),  # the left-to-right mark iOS puts before events
    "\u2028\u2029\u0085".encode(),
    "\U0001f469\u200d\U0001f469\u200d\U0001f467".encode(),
    "\u0301\u0301\u0301".encode(),
    b"\xff\xfe",
    b"\xed\xa0\x80",  # a UTF-8-encoded surrogate, which is not UTF-8
    b'"',
    b'""',
    b",,,;;\t\t",
    b"{",
    b"}",
    b"[",
    b"]",
    b'\\"',
    b"\\ud83d",  # a lone surrogate escaped in JSON
    b"\\x0B",  # the escape Telegram Desktop writes and JSON does not allow
    b"1e999",
    b"-0",
    b"NaN",
    b"9" * 5_000,
    b"31/02/2024, 25:61 - ",
    b"12/03/2024, 21:15 - Alex: ",
    b"[12/03/2024, 21:15:03] Sam: ",
    b"0001-01-01, 00:00 - x: ",
    b"99/99/99, 99:99 PM - ",
    b"\n12/03/2024, 23:75 - Sam: x\n",  # a date that exists, a time that does not
    b"\n[12/03/2024, 13:05:00 PM] Sam: x\n",
    b"<Media omitted>",
    b"\xe2\x80\x8eimage omitted",
    b'"date_unixtime": "99999999999999999999",',
    b'"text": 12345,',
    b'"type": "service", "action": "phone_call",',
    b"<script>alert(1)</script>",
    b"PK\x03\x04",
    b"\x1f\x8b\x08\x00",  # the start of a gzip stream
]

# Millions of line breaks in one message are left to the memory-limited run's own test
# (test_fuzz_memory.py): today they cost hundreds of bytes of memory per line.
_LONG = st.builds(
    lambda char, size: char * size,
    st.sampled_from(
        [b"a", b"9", b" ", b"\xe2\x80\x8e", b'"', b"{", b"[", *([] if HUGE else [b"\n"])]
    ),
    st.sampled_from(_SIZES),
)
TOKENS = st.one_of(
    st.sampled_from(SPECIAL),
    st.binary(min_size=1, max_size=24),
    st.text(min_size=1, max_size=24).map(lambda t: t.encode("utf-8", "surrogatepass")),
    # in the memory-limited run most tokens are huge
    *([_LONG] * (4 if HUGE else 1)),
)
#: A fuzzed file stays under this size (repeating a line with a huge token 50 times
#: would otherwise make files of hundreds of MB, a test of speed rather than of bounds).
MAX_BYTES = 24_000_000


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


#: Every way :func:`mutated` breaks a file; the last three keep each line whole.
BREAKAGES = ("flip", "cut", "insert", "replace", "digit", "repeat", "drop", "swap")


@st.composite
def mutated(draw: st.DrawFn, seed: bytes, ways: tuple[str, ...] = BREAKAGES) -> bytes:
    """``seed`` with one to four random breakages (of ``ways``) applied in turn."""
    data = seed
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(ways))
        at = draw(st.integers(0, len(data)))
        if how == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif how == "cut":
            data = data[:at]
        elif how in ("insert", "replace"):
            token = draw(TOKENS)
            size = draw(st.integers(1, 16)) if how == "replace" else 0
            if len(data) + len(token) <= MAX_BYTES:
                data = data[:at] + token + data[at + size :]
        elif how in ("repeat", "drop", "swap"):
            lines = _lines(data)
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if how == "repeat":
                times = draw(st.sampled_from([1, 2, 50]))
                if len(data) + len(lines[i]) * times <= MAX_BYTES:
                    lines[i:i] = [lines[i]] * times
            elif how == "drop":
                del lines[i]
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif how == "digit":
            digits = [k for k, byte in enumerate(data) if 0x30 <= byte <= 0x39]
            if digits:
                k = draw(st.sampled_from(digits))
                data = data[:k] + str(draw(st.integers(0, 9))).encode() + data[k + 1 :]
    return data


#: Any JSON value, small; what gets swapped into a Telegram export's tree.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["", "1710000000", "2024-03-01T10:00:00", "message", "service", "photo"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "text",
                    "date",
                    "date_unixtime",
                    "from",
                    "from_id",
                    "id",
                    "name",
                    "messages",
                    "list",
                    "chats",
                    "action",
                    "actor",
                    "media_type",
                    "photo",
                    "poll",
                    "members",
                    "reply_to_message_id",
                    "text_entities",
                    "personal_information",
                ]
            )
            | st.text(max_size=8),
            inner,
            max_size=4,
        )
    ),
    max_leaves=8,
)


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every value in a JSON tree (the root included)."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _places(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _places(child, (*path, index))


@st.composite
def telegram_tree(draw: st.DrawFn, seed: bytes) -> bytes:
    """A Telegram fixture with one to three values of its JSON tree swapped, dropped or
    repeated, written back the way Telegram Desktop writes (one key per line)."""
    tree = json.loads(seed)
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in _places(tree) if p]
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent = tree
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        how = draw(st.sampled_from(["swap", "swap", "drop", "repeat"]))
        if how == "swap":
            parent[last] = draw(JSON_VALUES)
        elif how == "drop":
            del parent[last]
        elif isinstance(parent, list):
            parent.insert(last, parent[last])
        else:
            parent[f"{last}"] = [parent[last], parent[last]]
    text = json.dumps(
        tree, indent=draw(st.sampled_from([None, 1])), ensure_ascii=draw(st.booleans())
    )
    return text.encode("utf-8", "surrogatepass")


def zipped(member: str, data: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A zip holding ``data`` under ``member`` (and ``extra`` members), as bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
        for name, more in (extra or {}).items():
            archive.writestr(name, more)
    return buffer.getvalue()


@dataclass(frozen=True)
class Sample:
    """One fuzzed file: its name, its bytes, and the text's line count when it is text."""

    name: str
    data: bytes
    lines: int | None

    def __repr__(self) -> str:
        # A huge token would flood the report Hypothesis prints for a failing example.
        shown = self.data if len(self.data) <= 600 else self.data[:300] + b"..." + self.data[-300:]
        return f"Sample({self.name!r}, {len(self.data):,} bytes, lines={self.lines}: {shown!r})"

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        path.write_bytes(self.data)
        return path


def _plain(pairs: list[tuple[str, bytes]], *, universal: bool = False) -> st.SearchStrategy[Sample]:
    @st.composite
    def plain(draw: st.DrawFn) -> Sample:
        name, seed = draw(st.sampled_from(pairs))
        data = draw(mutated(seed))
        return Sample(name, data, line_count(data, universal=universal))

    return plain()


@st.composite
def _whatsapp_zip(draw: st.DrawFn) -> Sample:
    _, seed = draw(st.sampled_from(WHATSAPP))
    text = draw(mutated(seed)) if draw(st.booleans()) else seed
    member = draw(st.sampled_from(ZIP_MEMBERS))
    extra = draw(
        st.sampled_from(
            [None, {"IMG-0001.jpg": b"\xff\xd8\xff"}, {"WhatsApp Chat with Jo.txt": seed}]
        )
    )
    data = zipped(member, text, extra)
    broken = draw(st.booleans())
    if broken:
        data = draw(mutated(data))
    # Lines are only known when the zip is intact and holds one text (they count in it).
    known = not broken and (extra is None or not any(n.endswith(".txt") for n in extra))
    return Sample(draw(st.sampled_from(ZIP_NAMES)), data, line_count(text) if known else None)


@st.composite
def _telegram_tree(draw: st.DrawFn) -> Sample:
    name, seed = draw(st.sampled_from(TELEGRAM_WHOLE))
    data = draw(telegram_tree(seed))
    return Sample(name, data, line_count(data))


@st.composite
def _reordered(draw: st.DrawFn) -> Sample:
    """A WhatsApp or CSV fixture with whole lines repeated, dropped or swapped: mostly
    still a valid export, with messages repeated or out of order."""
    name, seed = draw(st.sampled_from(WHATSAPP + CSV))
    data = draw(mutated(seed, BREAKAGES[-3:]))
    return Sample(name, data, line_count(data, universal=name.endswith((".csv", ".tsv"))))


#: Fuzzed files of each kind, from the fixtures.
SAMPLES: dict[str, st.SearchStrategy[Sample]] = {
    "whatsapp": _plain(WHATSAPP),
    "whatsapp-zip": _whatsapp_zip(),
    "telegram": _plain(TELEGRAM),
    "telegram-tree": _telegram_tree(),
    "csv": _plain(CSV, universal=True),
    "reordered": _reordered(),
    # XML counts a lone carriage return as a line break
    "sms": _plain(SMS, universal=True),
    "email": _plain(EMAIL),
}

# --- files built from scratch ------------------------------------------------------------

_NUMBER = st.integers(0, 99).map(str) | st.sampled_from(["0001", "2024", "00", "13", "31", "12"])
_NAME = st.sampled_from(["Alex", "Sam", "J: K", "\u200eAlex", "+44 7700 900123", ""]) | st.text(
    max_size=8
)


@st.composite
def _whatsapp_line(draw: st.DrawFn) -> str:
    """A line shaped like a WhatsApp header (Android or iPhone), a continuation or noise."""
    d1, d2, year, hour, minute, second = (draw(_NUMBER) for _ in range(6))
    sep = draw(st.sampled_from(["/", ".", "-"]))
    day = f"{d1}{sep}{d2}{sep}{year}" if draw(st.booleans()) else f"{year}-{d1}-{d2}"
    clock = f"{hour}:{minute}" + draw(st.sampled_from(["", f":{second}"]))
    clock += draw(st.sampled_from(["", " AM", " pm", "\u202fp.\u00a0m."]))
    text = draw(st.text(max_size=30) | st.sampled_from(["<Media omitted>", "image omitted", ""]))
    sender = draw(_NAME)
    body = f"{sender}: {text}" if draw(st.booleans()) else text
    shape = draw(st.sampled_from(["android", "ios", "continuation", "noise"]))
    if shape == "android":
        return f"{day}, {clock} - {body}"
    if shape == "ios":
        return f"[{day}, {clock}] {body}"
    return text if shape == "continuation" else draw(st.text(max_size=40))


@st.composite
def _whatsapp_generated(draw: st.DrawFn) -> Sample:
    lines = draw(st.lists(_whatsapp_line(), min_size=1, max_size=15))
    data = draw(st.sampled_from(["\n", "\r\n"])).join(lines).encode("utf-8", "surrogatepass")
    return Sample("WhatsApp Chat with Alex.txt", data, line_count(data))


_CSV_HEADERS = [
    "timestamp",
    "date",
    "time",
    "sender",
    "from",
    "author",
    "text",
    "message",
    "body",
    "conversation",
    "kind",
    "id",
    "reply_to",
    "other",
]
_FIELD = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "system",
            "media",
            "poem",
            "Jo",
            "2024-06-01T08:00:00Z",
            "2024-06-01 08:00",
            "1717228800",
            "1717228800123",
            "-1e30",
            "99999999999999999999999",
            "12:00",
            "2024-02-30",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
        ]
    ),
    st.datetimes().map(str),
)


@st.composite
def _csv_generated(draw: st.DrawFn) -> Sample:
    header = draw(st.lists(st.sampled_from(_CSV_HEADERS), min_size=1, max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    rows = draw(st.lists(st.lists(_FIELD, min_size=0, max_size=9), max_size=8))

    def quote(field: str) -> str:
        return '"' + field.replace('"', '""') + '"' if draw(st.booleans()) else field

    lines = [delimiter.join(header)] + [delimiter.join(map(quote, row)) for row in rows]
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    name = draw(st.sampled_from(["chat.csv", "chat.tsv"]))
    return Sample(name, data, line_count(data, universal=True))


_MESSAGE = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON_VALUES,
        "type": st.sampled_from(["message", "service", "unsupported", "other"]) | JSON_VALUES,
        "date": st.sampled_from(["2024-03-01T10:00:00", "2024-13-01T10:00:00"]) | JSON_VALUES,
        "date_unixtime": st.sampled_from(["1709287200", "-1", "99999999999999"]) | JSON_VALUES,
        "from": _NAME | JSON_VALUES,
        "from_id": st.sampled_from(["user1", "channel2"]) | JSON_VALUES,
        "actor": _NAME | JSON_VALUES,
        "action": st.sampled_from(["phone_call", "group_call", "invite_members"]) | JSON_VALUES,
        "text": st.text(max_size=20) | JSON_VALUES,
        "media_type": st.sampled_from(["sticker", "voice_message"]) | JSON_VALUES,
        "photo": JSON_VALUES,
        "poll": JSON_VALUES,
        "members": JSON_VALUES,
        "duration_seconds": JSON_VALUES,
        "reply_to_message_id": JSON_VALUES,
    },
)


@st.composite
def _telegram_generated(draw: st.DrawFn) -> Sample:
    chat: dict[str, Any] = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "name": _NAME | JSON_VALUES,
                "type": st.sampled_from(["personal_chat", "private_group", "saved_messages"])
                | JSON_VALUES,
                "id": JSON_VALUES,
            },
        )
    )
    chat["messages"] = draw(st.lists(_MESSAGE | JSON_VALUES, max_size=6))
    tree: Any = chat
    if draw(st.booleans()):
        tree = {"personal_information": {"first_name": "Sam"}, "chats": {"list": [chat]}}
    text = json.dumps(tree, indent=1, ensure_ascii=draw(st.booleans()))
    data = text.encode("utf-8", "surrogatepass")
    return Sample("result.json", data, line_count(data))


#: Files built from scratch, of every kind.
GENERATED = st.one_of(_whatsapp_generated(), _csv_generated(), _telegram_generated())

#: How a load may be asked: any format forced on any file, any of these options.
FORMATS = st.sampled_from(["auto", "auto", "auto", *ingest.FORMATS])
OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "timezone": st.sampled_from(
            [
                "UTC",
                "Europe/Berlin",
                "America/New_York",
                "Australia/Lord_Howe",
                "Pacific/Chatham",
                "Not/AZone",
                "",
            ]
        ),
        "dayfirst": st.sampled_from([True, False]),
        "conversation": st.sampled_from(["Jo", " ", "<b>x</b>", "a" * 300]),
    },
)


@pytest.fixture(scope="session")
def fuzz() -> ModuleType:
    """This module, for the test modules (a conftest is not importable by name): its
    strategies are drawn with ``st.data()``, its checks called as ``fuzz.check_load``."""
    return sys.modules[__name__]
