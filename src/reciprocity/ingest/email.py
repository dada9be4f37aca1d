"""Email: an mbox file (Gmail's Takeout, Thunderbird, Apple Mail's export) or ``.eml`` files.

An mbox holds mail after mail, each starting with a line ``From <sender> <date>``; a line
of a body that began with "From " is written with a ``>`` in front. The file is split on
those lines as it is read, one mail at a time (memory does not grow with the file), and
each mail is read by the standard library's :mod:`email` parser. Its ``compat32`` policy
is used, with the few headers needed decoded by :mod:`email.header` and
:mod:`email.utils`: ``policy.default`` parses every header into objects and took 8 ms a
mail (over two hours for a million). A folder of ``.eml`` files (one mail each) is read by
:func:`parse_files`.

How a mail maps onto the normalised schema:

- a thread is a conversation: mails are tied by ``References`` (its first id is the
  thread's first mail) and ``In-Reply-To``; the title is the first mail's subject
  without "Re:"/"Fwd:" (a number is added when two threads share one).
- ``sender``: ``Name <address>``, or the user's first address for mail from any of the
  user's addresses (``--me`` takes them all, separated by commas; a display name there
  also marks the mail sent under it as the user's).
- ``text``: the text/plain part (else the HTML part as text) without the quoted mail,
  forwarded mail and signature (:mod:`._email_text`); a mail with attachments is ``media``.
- ``reply_to`` is ``In-Reply-To``, ``source_id`` the ``Message-ID``.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

import polars as pl

from reciprocity.errors import ImportFailed, Problem
from reciprocity.ingest import phones
from reciprocity.ingest._email_text import FORWARDED, html_text, own_words
from reciprocity.ingest.base import (
    MAX_MESSAGE_BYTES,
    Options,
    rows_frame,
    too_long,
)

NAME = "email"
#: A big file is parsed in a process of its own (:mod:`reciprocity.parse_apart`): the
#: parse is mostly Python, which would take turns with the save for the interpreter lock.
PARSE_APART = True

BATCH_ROWS = 20_000
MAX_PROBLEMS = 1000
#: A mail larger than this (attachments included) is not read: mail services refuse mail
#: over 20-50 MB, which base64 makes a third larger.
MAX_MAIL_BYTES = 96 * 1024 * 1024
#: Message ids remembered to tie a reply without ``References`` to its thread.
REMEMBERED_IDS = 200_000

_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{0,60}:[ \t]")
_MAIL_HEADERS = (b"date:", b"message-id:", b"subject:", b"received:", b"mime-version:", b"to:")
# "From <sender> <date>": the sender has no spaces, the date ends in a year. Checked only on
# lines of at most _FROM_LINE_BYTES, with one unbounded part, so that a long line costs a
# single pass (a pattern with two would try every split of it).
_FROM_LINE = re.compile(rb"From \S*[ \t][^\n]{0,200}\d{4}\s*")
_FROM_LINE_BYTES = 1024
_SUBJECT_PREFIX = re.compile(
    r"^\s*((re|aw|sv|vs|wg|fw|fwd|tr|rif|r|doorst|antw|odp|ynt|ha)\s*(\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)
_ID = re.compile(r"<([^<>\s]+)>")
_PARSER = BytesParser(policy=policy.compat32)

# sender, conversation, timestamp (UTC µs), text, kind, reply_to, source_id, line
_Row = tuple[str, str, int, str, str, str | None, str | None, int]


def detect(path: Path, head: bytes) -> bool:
    """True for an mbox (starts with a ``From `` line and mail headers follow) or one mail
    (its first lines are headers, ``From:`` among them and one more a mail has)."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    lines = head.split(b"\n", 40)[:40]
    if not lines:
        return False
    start = 1 if lines[0].startswith(b"From ") else 0
    headers = []
    for line in lines[start:]:
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            continue  # a header's continuation
        if not _HEADER.match(line):
            return False
        headers.append(line.split(b":", 1)[0].lower() + b":")
    return b"from:" in headers and any(h in headers for h in _MAIL_HEADERS)


def own_handle(addresses: tuple[str, ...]) -> str:
    """The sender written for the user's own mail: their first address in lower case (or
    their name, when ``--me`` starts with one)."""
    first = " ".join(addresses[0].split())
    return first.lower() if "@" in first else first


def parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    """Yield message frames (:data:`MESSAGE_SCHEMA`) from an mbox file or one ``.eml``."""
    yield from parse_files([path], options)


def parse_files(paths: list[Path], options: Options) -> Iterator[pl.DataFrame]:
    """Yield message frames from several mail files as one import (a folder of ``.eml``
    files, or mbox files), threads tied across files. Raises
    :class:`~reciprocity.errors.ImportFailed` naming file and line of every problem."""
    reader = _Reader(options.own_addresses)
    for path in paths:
        source = str(path)
        try:
            with Path(path).open("rb") as fh:
                for line, raw, envelope in _mails(fh, source):
                    reader.add(source, line, raw, envelope)
                    if len(reader.rows) >= BATCH_ROWS:
                        yield reader.frame()
        except OSError as exc:
            raise ImportFailed.one(source, None, f"cannot read the file ({exc.strerror})") from None
    if reader.problems:
        raise ImportFailed(reader.problems)
    if reader.rows:
        yield reader.frame()


def _mails(fh: BinaryIO, source: str) -> Iterator[tuple[int, bytes, bytes | None]]:
    """(line of the first header, the mail's bytes, its ``From `` line) for each mail."""
    first = fh.readline()
    if not first.startswith(b"From "):
        raw = first + fh.read(MAX_MAIL_BYTES)
        if len(raw) > MAX_MAIL_BYTES:
            raise ImportFailed.one(source, 1, "the mail is larger than any mail server sends")
        yield 1, raw, None
        return
    envelope, start, lineno = first, 2, 1
    parts: list[bytes] = []
    size = 0
    previous_blank = True
    for line in fh:
        lineno += 1
        if (
            previous_blank
            and line.startswith(b"From ")
            and len(line) <= _FROM_LINE_BYTES
            and _FROM_LINE.fullmatch(line.rstrip())
        ):
            yield start, b"".join(parts), envelope
            envelope, start, parts, size = line, lineno + 1, [], 0
            previous_blank = False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
            line = line[1:]  # mboxrd/mboxo escape of a body line that began with "From "
        size += len(line)
        if size > MAX_MAIL_BYTES:
            raise ImportFailed.one(source, start, "this mail is larger than any mail server sends")
        parts.append(line)
    yield start, b"".join(parts), envelope


class _Bad(Exception):
    """One mail cannot be read; becomes a Problem at its line."""


class _Reader:
    def __init__(self, own: tuple[str, ...]) -> None:
        #: the user's addresses and display names, in lower case
        self.own = {" ".join(a.split()).lower() for a in own}
        self.own_sender = own_handle(own) if own else None
        self.rows: list[_Row] = []
        self.problems: list[Problem] = []
        #: message id -> thread root id, for the latest :data:`REMEMBERED_IDS` mails
        self.roots: OrderedDict[str, str] = OrderedDict()
        #: thread root id -> conversation title
        self.titles: dict[str, str] = {}
        #: titles given so far, to number threads that share a subject
        self.taken: dict[str, int] = {}

    def add(self, source: str, line: int, raw: bytes, envelope: bytes | None) -> None:
        try:
            row = self._row(_PARSER.parsebytes(raw), line, envelope)
        except _Bad as bad:
            self.problems.append(Problem(source, line, str(bad)))
            self.rows.clear()
            if len(self.problems) >= MAX_PROBLEMS:
                raise ImportFailed(self.problems) from None
            return
        if row is not None and not self.problems:
            self.rows.append(row)

    def frame(self) -> pl.DataFrame:
        rows, self.rows = self.rows, []
        return _frame(rows)

    def _row(self, mail: Message, line: int, envelope: bytes | None) -> _Row | None:
        # One pass over the headers (Message.get scans them all at every call); the first
        # of a repeated header wins, as Message.get would give.
        heads: dict[str, str] = {}
        for key, value in mail.items():
            heads.setdefault(key.lower(), value)
        name, address = parseaddr(_header(heads, "from"))
        if not address:
            raise _Bad("the mail has no sender address (From:)")
        address = address.strip().lower()
        if self.own_sender is not None and (
            address in self.own or " ".join(name.split()).lower() in self.own
        ):
            sender = self.own_sender
        else:
            sender = phones.handle(name, address)
        micros = _micros(_header(heads, "date"), envelope)
        message_id = _first_id(_header(heads, "message-id"))
        in_reply_to = _first_id(_header(heads, "in-reply-to"))
        references = _ID.findall(_header(heads, "references"))
        root = self._root(message_id, in_reply_to, references, sender, micros)
        title = self._title(root, _header(heads, "subject"), heads, address)
        words, forwarded, attached = _body(mail)
        if len(words) > MAX_MESSAGE_BYTES // 4 and len(words.encode()) > MAX_MESSAGE_BYTES:
            raise _Bad(too_long("this mail's text"))
        kind = "media" if attached or (forwarded and not words) else "text"
        if not words:
            words = FORWARDED if forwarded else ("<attachment>" if attached else "")
        return (sender, title, micros, words, kind, in_reply_to, message_id, line)

    def _root(
        self,
        message_id: str | None,
        in_reply_to: str | None,
        references: list[str],
        sender: str,
        micros: int,
    ) -> str:
        if references:
            root = self.roots.get(references[0], references[0])
        elif in_reply_to is not None:
            root = self.roots.get(in_reply_to, in_reply_to)
        else:
            root = message_id or f"{sender}@{micros}"
        if message_id is not None:
            self.roots[message_id] = root
            self.roots.move_to_end(message_id)
            if len(self.roots) > REMEMBERED_IDS:
                self.roots.popitem(last=False)
        return root

    def _title(self, root: str, subject: str, heads: dict[str, str], address: str) -> str:
        title = self.titles.get(root)
        if title is not None:
            return title
        # "Re: Fwd: " prefixes are short; the pattern looks at the subject's start only
        subject = " ".join(subject.split())
        base = (_SUBJECT_PREFIX.sub("", subject[:200]) + subject[200:]).strip()
        base = base or _no_subject(heads, address)
        count = self.taken.get(base.casefold(), 0) + 1
        self.taken[base.casefold()] = count
        title = base if count == 1 else f"{base} ({count})"
        self.titles[root] = title
        return title


def _no_subject(heads: dict[str, str], address: str) -> str:
    people = [a for _, a in getaddresses([address, _header(heads, "to")]) if a]
    return "Mail with " + ", ".join(sorted({p.lower() for p in people})[:3])


def _header(heads: dict[str, str], name: str) -> str:
    """Header ``name`` as text, encoded words (``=?utf-8?q?...?=``) decoded."""
    value = heads.get(name)
    if value is None:
        return ""
    text = str(value)
    if "=?" not in text:
        return " ".join(text.split())
    try:
        return " ".join(str(make_header(decode_header(text))).split())
    except (ValueError, LookupError, UnicodeError, MessageError):
        return " ".join(text.split())


def _first_id(value: str) -> str | None:
    found = _ID.search(value)
    if found is not None:
        return found.group(1)
    value = value.strip()
    return value or None


def _micros(date: str, envelope: bytes | None) -> int:
    moment: datetime | None = None
    for text in (date, _envelope_date(envelope)):
        if not text:
            continue
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            continue
        break
    if moment is None:
        shown = date or "none"
        raise _Bad(
            f"the mail's date ({shown!r}) is not a date like 'Mon, 3 Jun 2024 10:00:00 +0200'"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # "-0000": the time is in UTC, the zone unknown
    return int(moment.timestamp() * 1_000_000)


def _envelope_date(envelope: bytes | None) -> str:
    """The date of an mbox ``From sender Mon Jun  3 10:00:00 2024`` line, as RFC 2822."""
    if envelope is None:
        return ""
    parts = envelope.decode("ascii", "replace").split()
    if len(parts) < 7:
        return ""
    weekday, month, day, clock, year = parts[-5:]
    return f"{weekday}, {day} {month} {year} {clock} -0000"


def _body(mail: Message) -> tuple[str, bool, bool]:
    """The mail's own words, whether a forward was cut from them, whether it has files."""
    plain: Message | None = None
    html: Message | None = None
    attached = False
    for part in mail.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        disposition = str(part.get("content-disposition", "")).split(";")[0].strip().lower()
        if disposition == "attachment" or not kind.startswith("text/"):
            attached = attached or kind not in ("application/pgp-signature",)
        elif kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html is None:
            html = part
    chosen = plain if plain is not None else html
    if chosen is None:
        return "", False, attached
    content = _content(chosen)
    if chosen is html:
        content = html_text(content)
    words, forwarded = own_words(content)
    return words, forwarded, attached


def _content(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        charset = part.get_content_charset() or "utf-8"
    except Exception:  # a damaged charset parameter (the library raises several kinds)
        charset = "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")


#: What each row holds, in order (see :func:`.base.rows_frame`).
_FIELDS = ("sender", "conversation", "timestamp", "text", "kind", "reply_to", "source_id", "line")


def _frame(rows: list[_Row]) -> pl.DataFrame:
    return rows_frame(rows, _FIELDS, source=NAME)
