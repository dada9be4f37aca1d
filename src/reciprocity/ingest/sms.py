"""Android text messages saved by "SMS Backup & Restore" (an XML file, ``sms-*.xml``).

The app writes one ``<smses>`` element holding, in any order:

- ``<sms address date type body contact_name .../>``: one text message; ``type`` 1 is
  received, 2 sent (3 draft, 4 outbox, 5 failed, 6 queued: never delivered, skipped);
  ``date`` is Unix time in milliseconds; ``contact_name`` is ``(Unknown)`` for numbers not
  in the phone's contacts.
- ``<mms date msg_box address contact_name ...>`` with ``<parts><part ct text .../>`` (the
  text and the photos, videos, contact cards...) and ``<addrs><addr address type/>``
  (type 137 is who sent it, 151 whom it went to). ``msg_box`` 1 is received, 2 sent;
  ``address`` lists the other people, separated by ``~``: several make a group chat.

Each other person (or set of people, for a group) is a conversation, keyed by the phone
number in E.164 when it reads as one (:mod:`.phones`), so that the same contact written
``0151 …`` and ``+49 151 …`` is one chat. Senders are ``Name <number>``; the user's own
messages are :data:`~reciprocity.ingest.phones.OWN_SENDER`.

The phone number is the identity, not the contact's name: a contact renamed between two
backups is the same person, and the same messages in the later backup must add nothing.
So each message's ``source_id`` (what the store's fingerprint keys it by, instead of
sender and text) is :func:`message_id` of the numbers of its chat, who sent it (the
number, or the user), its millisecond, its kind and its text, and never the name. The
app keeps no id of its own that survives a restore; two messages alike in all of that
are one (the app can store a message twice).

The file is read with expat in chunks, one element at a time, so memory stays flat however
long the backup. Two things the app writes are not XML and are repaired on the way in:
emoji as pairs of surrogate character references (``&#55357;&#56832;`` is 😀), and
references to control characters. A document type declaration (the way to an entity
expansion attack) is refused: the app never writes one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from hashlib import blake2b
from pathlib import Path
from typing import Any, NoReturn
from xml.parsers import expat

import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest import phones
from reciprocity.ingest.base import (
    MAX_MESSAGE_BYTES,
    Options,
    rows_frame,
    too_long,
)

NAME = "sms"
#: A big file is parsed in a process of its own (:mod:`reciprocity.parse_apart`): the
#: parse is mostly Python, which would take turns with the save for the interpreter lock.
PARSE_APART = True
#: The user's name in these files whatever ``--me`` says (the import uses it as "me").
OWN_NAME = phones.OWN_SENDER

#: Messages per yielded frame.
BATCH_ROWS = 100_000
CHUNK_BYTES = 1024 * 1024
MAX_PROBLEMS = 1000
#: Bytes read on without a ``>`` before the file is judged not to be a backup. An MMS part
#: holds its photo as base64 inside one attribute; carriers limit a whole MMS to a few MB.
MAX_ELEMENT_BYTES = 32 * 1024 * 1024

_ROOT = re.compile(rb"<smses[\s>/]")
_CHAR_REF = re.compile(rb"&#(x[0-9A-Fa-f]{1,8}|[0-9]{1,10});")
# Two references that may be a surrogate pair (decimal 55296-57343, hex D800-DFFF).
_SURROGATE = rb"(5[5-7][0-9]{3}|x[Dd][89A-Fa-f][0-9A-Fa-f]{2})"
_PAIR = re.compile(rb"&#" + _SURROGATE + rb";&#" + _SURROGATE + rb";")
_UNKNOWN_NAMES = {"", "(unknown)", "null"}
_RECEIVED, _SENT = "1", "2"
_MEDIA_LABELS = {"image": "<photo>", "video": "<video>", "audio": "<audio>"}
_MAX_MS = 253_402_300_799_999  # the last millisecond of year 9999

# sender, conversation, timestamp (UTC ms), text, kind, source_id, line
_Row = tuple[str, str, int, str, str, str, int]


def detect(path: Path, head: bytes) -> bool:
    """True when the first bytes hold the ``<smses`` element SMS Backup & Restore writes."""
    return _ROOT.search(head) is not None


def parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    """Yield message frames (:data:`MESSAGE_SCHEMA`) from an SMS Backup & Restore file.

    Raises :class:`~reciprocity.errors.ImportFailed` naming the line of every problem
    (for broken XML, the line where the XML parser stopped). ``options.conversation`` is
    ignored: a backup holds many conversations, each named for its contact.
    """
    source = str(path)
    reader = _Reader(source, phones.default_region())
    try:
        with Path(path).open("rb") as fh:
            yield from reader.frames(fh)
    except OSError as exc:
        raise ImportFailed.one(source, None, f"cannot read the file ({exc.strerror})") from None


def fix_references(data: bytes) -> bytes:
    """``data`` with the character references XML does not allow replaced: a surrogate
    pair (how the app writes an emoji) by the character it spells, a lone surrogate by
    U+FFFD, a control character by nothing. Valid references are kept as written.

    >>> fix_references(b"hi &#55357;&#56832; &#38; &#1;")
    b'hi \\xf0\\x9f\\x98\\x80 &#38; '
    """
    if b"&#" not in data:
        return data
    return _CHAR_REF.sub(_fix_one, _PAIR.sub(_fix_pair, data))


def _fix_pair(found: re.Match[bytes]) -> bytes:
    high, low = _code(found.group(1)), _code(found.group(2))
    if 0xD800 <= high <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)).encode("utf-8")
    return found.group(0)


def _fix_one(found: re.Match[bytes]) -> bytes:
    return _one(_code(found.group(1)), found.group(0))


def _code(text: bytes) -> int:
    return int(text[1:], 16) if text[:1] in (b"x", b"X") else int(text)


def _one(code: int, written: bytes) -> bytes:
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD:
        return written
    if 0x10000 <= code <= 0x10FFFF:
        return written
    if code < 0x20:
        return b""
    return "\ufffd".encode()


class _Bad(Exception):
    """One message cannot be read; becomes a Problem at its line."""


class _Reader:
    """Feeds the file to expat and turns its elements into rows."""

    def __init__(self, source: str, region: str | None) -> None:
        self.source = source
        self.region = region
        self.rows: list[_Row] = []
        self.problems: list[Problem] = []
        self.mms: dict[str, Any] | None = None
        self.root_seen = False
        # The app writes UTF-8; whatever the file declares is not used (a damaged
        # declaration would otherwise make expat look for an encoding that does not exist).
        self.parser = expat.ParserCreate(encoding="UTF-8")
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def frames(self, fh: Any) -> Iterator[pl.DataFrame]:
        pending = b""
        while True:
            chunk = fh.read(CHUNK_BYTES)
            data = pending + chunk
            if chunk:
                # Cut after the last '>' so no character reference is split between chunks.
                cut = data.rfind(b">") + 1
                if cut == 0:
                    if len(data) > MAX_ELEMENT_BYTES:
                        # the line where the unfinished element starts
                        opened = max(data.find(b"<"), 0)
                        self._fail(
                            self.parser.CurrentLineNumber + data.count(b"\n", 0, opened),
                            f"more than {MAX_ELEMENT_BYTES // (1024 * 1024)} MB without the "
                            "end of an element, more than any message holds; the file is "
                            "damaged or is not an SMS Backup & Restore backup",
                        )
                    pending = data
                    continue
                data, pending = data[:cut], data[cut:]
            self._feed(fix_references(data), final=not chunk)
            if len(self.rows) >= BATCH_ROWS and not self.problems:
                yield _frame(self.rows)
                self.rows = []
            if not chunk:
                break
        if not self.root_seen:
            self._fail(None, "an XML file but not an SMS Backup & Restore backup (no <smses>)")
        if self.problems:
            raise ImportFailed(self.problems)
        if self.rows:
            yield _frame(self.rows)
            self.rows = []

    def _feed(self, data: bytes, *, final: bool) -> None:
        try:
            self.parser.Parse(data, final)
        except (LookupError, ValueError) as exc:  # an encoding expat cannot use
            self._fail(self.parser.CurrentLineNumber, f"not readable as XML ({exc})")
        except expat.ExpatError as exc:
            reason = expat.ErrorString(exc.code) if exc.code else str(exc)
            self._fail(
                exc.lineno,
                f"not valid XML ({reason}); the backup may be cut short or edited: "
                "make it again with SMS Backup & Restore",
            )

    def _fail(self, line: int | None, message: str) -> NoReturn:
        problems = [*self.problems, Problem(self.source, line, message)]
        raise ImportFailed(problems) from None

    def _doctype(self, *_: Any) -> None:
        self._fail(
            self.parser.CurrentLineNumber,
            "the file declares a document type, which SMS Backup & Restore never writes; "
            "it is refused because such declarations can make a reader expand text endlessly",
        )

    def _entity(self, *_: Any) -> None:
        self._doctype()

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        line = self.parser.CurrentLineNumber
        if name == "smses":
            self.root_seen = True
            return
        try:
            if name == "sms":
                self._sms(attrs, line)
            elif name == "mms":
                self.mms = {"attrs": attrs, "line": line, "parts": [], "from": None}
            elif self.mms is not None and name == "part":
                self.mms["parts"].append((attrs.get("ct", ""), attrs.get("text")))
            elif self.mms is not None and name == "addr" and attrs.get("type") == "137":
                self.mms["from"] = attrs.get("address")
        except _Bad as bad:
            self._problem(line, str(bad))

    def _end(self, name: str) -> None:
        if name == "mms" and self.mms is not None:
            mms, self.mms = self.mms, None
            try:
                self._mms(mms)
            except _Bad as bad:
                self._problem(mms["line"], str(bad))

    def _problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.source, line, message))
        self.rows.clear()
        if len(self.problems) >= MAX_PROBLEMS:
            raise ImportFailed(self.problems)

    def _sms(self, attrs: dict[str, str], line: int) -> None:
        box = attrs.get("type")
        if box not in (_RECEIVED, _SENT):
            return
        millis = _millis(attrs.get("date"))
        raw = attrs.get("address") or ""
        if not raw.strip():
            raise _Bad("the message has no address (phone number); make the backup again")
        number = self._number(raw)
        name = _name(attrs.get("contact_name"))
        body = _text(attrs.get("body"))
        sender = OWN_NAME if box == _SENT else phones.handle(name, number)
        who = OWN_NAME if box == _SENT else number
        key = message_id([number], who, millis, "text", body)
        self._add((sender, name or number, millis, body, "text", key, line))

    def _mms(self, mms: dict[str, Any]) -> None:
        attrs: dict[str, str] = mms["attrs"]
        box = attrs.get("msg_box")
        if box not in (_RECEIVED, _SENT):
            return
        millis = _millis(attrs.get("date"))
        raws = [a for a in (attrs.get("address") or "").split("~") if a.strip()]
        if not raws and mms["from"]:
            raws = [mms["from"]]
        if not raws:
            raise _Bad("the message has no address (phone number); make the backup again")
        numbers = [self._number(raw) for raw in raws]
        names = _names(attrs.get("contact_name"), len(numbers))
        people = dict(zip(numbers, names, strict=True))
        title = ", ".join(people[n] or n for n in sorted(people))
        if box == _SENT:
            sender = who = OWN_NAME
        else:
            raw_from = mms["from"]
            frm = who = self._number(raw_from) if raw_from else numbers[0]
            sender = phones.handle(people.get(frm), frm)
        texts = [_text(text) for ct, text in mms["parts"] if ct == "text/plain" and text]
        media = [ct for ct, _ in mms["parts"] if ct not in ("text/plain", "application/smil")]
        body = "\n".join(t for t in texts if t)
        kind = "media" if media else "text"
        if media:
            body = body or _MEDIA_LABELS.get(media[0].partition("/")[0], "<file>")
        key = message_id(numbers, who, millis, kind, body)
        self._add((sender, title, millis, body, kind, key, mms["line"]))

    def _number(self, raw: str) -> str:
        """``raw`` in E.164 where it reads as a number. Without a country from the machine's
        locale, the country of the first international number in the file is used for
        numbers written without one (the phone's own country, most likely)."""
        number = phones.normalise(raw, self.region)
        if self.region is None and number.startswith("+"):
            self.region = phones.region_of(number)
        return number

    def _add(self, row: _Row) -> None:
        if not self.problems:
            self.rows.append(row)


def message_id(numbers: list[str], sender: str, millis: int, kind: str, text: str) -> str:
    """The ``source_id`` of a message (see the module docstring): the same for the same
    chat (its numbers, in any order), sender, millisecond, kind and text, whatever the
    contacts are called.

    >>> message_id(["+4915123456789"], "Me", 1717229100000, "text", "hi")
    'sms:e5d26e89589a8367b24c3460'
    """
    parts = ("~".join(sorted(numbers)), sender, str(millis), kind, text)
    key = "|".join(f"{len(p.encode())}:{p}" for p in parts)
    return "sms:" + blake2b(key.encode(), digest_size=12).hexdigest()


def _millis(value: str | None) -> int:
    text = (value or "").strip()
    if not text.isdigit() or len(text) > 15 or int(text) > _MAX_MS:
        raise _Bad(f"date {value!r} is not a time in milliseconds since 1970")
    return int(text)


def _name(value: str | None) -> str | None:
    if value is None or value.strip().casefold() in _UNKNOWN_NAMES:
        return None
    return value.strip()


def _names(value: str | None, count: int) -> list[str | None]:
    """The contact names of an MMS's ``count`` addresses (the app joins them with ", ")."""
    if count == 1:
        return [_name(value)]
    parts = (value or "").split(", ")
    if len(parts) != count:
        return [None] * count
    return [_name(p) for p in parts]


def _text(value: str | None) -> str:
    text = value or ""
    if (
        len(text) > MAX_MESSAGE_BYTES // 4
        and len(text.encode("utf-8", "replace")) > MAX_MESSAGE_BYTES
    ):
        raise _Bad(too_long("this message"))
    return text


#: What each row holds, in order (see :func:`.base.rows_frame`).
_FIELDS = ("sender", "conversation", "timestamp", "text", "kind", "source_id", "line")


def _frame(rows: list[_Row]) -> pl.DataFrame:
    return rows_frame(rows, _FIELDS, source=NAME, time_unit="ms")
