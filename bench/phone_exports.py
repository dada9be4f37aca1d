"""Bench writers for the SMS Backup & Restore XML and mbox exports (``generate.py``).

Both hold the whole account (:data:`chats.ACCOUNT`), conversations interleaved in time:

- ``sms-<size>.xml``: ``<sms>`` for one-to-one messages and ``<mms>`` for the group and for
  media, written as the app writes them (emoji as pairs of surrogate references, newlines
  as ``&#10;``, ``(Unknown)`` for a contact not saved);
- ``email-<size>.mbox``: one mail per message, threads of about twenty mails tied by
  ``References`` and ``In-Reply-To``, replies quoting the mail they answer.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import UTC, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from chats import ACCOUNT, EPOCH, Chat, Event, events, write_texts

THREAD_MAILS = 20


def _split(n: int) -> list[int]:
    counts = [int(n * c.share) for c in ACCOUNT]
    counts[0] += n - sum(counts)
    return counts


def _merged(n: int, seed: int) -> Iterator[tuple[int, int, Event]]:
    streams = [
        _tagged(index, events(chat, count, seed + 40 + index, notices=False))
        for index, (chat, count) in enumerate(zip(ACCOUNT, _split(n), strict=True))
    ]
    return heapq.merge(*streams)


def _tagged(index: int, stream: Iterator[Event]) -> Iterator[tuple[int, int, Event]]:
    # A function, not a generator expression: that would read ``index`` when consumed,
    # after the loop, and tag every event with the last chat.
    for e in stream:
        yield e.t, index, e


def _number(name: str) -> str:
    digits = sum(ord(c) * 7919**i for i, c in enumerate(name)) % 10**8
    return f"+49151{digits:08d}"


def _attr(text: str) -> str:
    """``text`` as an attribute value the way SMS Backup & Restore writes it."""
    out = escape(text, {'"': "&quot;", "\n": "&#10;"})
    if all(ord(c) < 0x10000 for c in out):
        return out
    parts = []
    for char in out:
        code = ord(char)
        if code < 0x10000:
            parts.append(char)
        else:
            code -= 0x10000
            parts.append(f"&#{0xD800 + (code >> 10)};&#{0xDC00 + (code & 0x3FF)};")
    return "".join(parts)


def _text(e: Event) -> str:
    if e.kind == "deleted":
        return "This message was deleted"
    if e.kind == "call":
        return f"Missed call ({e.text} s)"
    return e.text


def write_sms(path: Path, n: int, seed: int) -> int:
    """Write an SMS Backup & Restore backup of ``n`` messages; return messages written."""
    start = int(EPOCH.timestamp() * 1000)

    def messages() -> Iterator[str]:
        for written, (t, index, e) in enumerate(_merged(n, seed)):
            chat = ACCOUNT[index]
            millis = start + t * 1000 + written % 1000
            yield (_sms(chat, e, millis) if not (chat.group or e.kind == "media")
                   else _mms(chat, e, millis))  # fmt: skip

    head = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        "<!--File Created By SMS Backup & Restore v10.20.002-->\n"
        f'<smses count="{n}" backup_set="bench" backup_date="{start}" type="full">\n'
    )
    return write_texts(path, messages(), head=head, tail="</smses>\n")


def _sms(chat: Chat, e: Event, millis: int) -> str:
    other = chat.people[1]
    name = "(Unknown)" if other == "Priya" else other
    box = 2 if e.who == 0 else 1
    return (
        f'  <sms protocol="0" address="{_number(other)}" date="{millis}" type="{box}" '
        f'subject="null" body="{_attr(_text(e))}" toa="null" sc_toa="null" '
        f'service_center="null" read="1" status="-1" locked="0" date_sent="{millis - 900}" '
        f'sub_id="1" readable_date="" contact_name="{name}" />\n'
    )


def _mms(chat: Chat, e: Event, millis: int) -> str:
    others = chat.people[1:]
    box = 2 if e.who == 0 else 1
    sender = "insert-address-token" if e.who == 0 else _number(chat.people[e.who])
    # the user's own number is one of the 151 addresses of a received group message
    if e.kind == "media":
        part = (
            '      <part seq="0" ct="image/jpeg" name="IMG.jpg" chset="null" text="null" '
            'data="/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQ==" />\n'
        )
    else:
        part = f'      <part seq="0" ct="text/plain" chset="106" text="{_attr(_text(e))}" />\n'
    addrs = "".join(
        f'      <addr address="{_number(p)}" type="151" charset="106" />\n'
        for k, p in enumerate(chat.people)
        if k != e.who
    )
    return (
        f'  <mms date="{millis}" msg_box="{box}" address="{"~".join(map(_number, others))}" '
        f'm_type="{128 if box == 2 else 132}" readable_date="" '
        f'contact_name="{", ".join(others)}">\n'
        "    <parts>\n"
        '      <part seq="-1" ct="application/smil" text="&lt;smil&gt;&lt;/smil&gt;" />\n'
        f"{part}    </parts>\n    <addrs>\n"
        f'      <addr address="{sender}" type="137" charset="106" />\n{addrs}'
        "    </addrs>\n  </mms>\n"
    )


def _address(name: str) -> str:
    return f"{name.lower().replace(' ', '.')}@mail.example"


def write_email(path: Path, n: int, seed: int) -> int:
    """Write an mbox of ``n`` mails; return mails written."""
    threads: dict[int, tuple[str, str, int]] = {}  # chat -> (first id, last id, mails)

    def mails() -> Iterator[str]:
        for written, (t, index, e) in enumerate(_merged(n, seed)):
            chat = ACCOUNT[index]
            moment = EPOCH + timedelta(seconds=t)
            sender = chat.people[e.who]
            to = ", ".join(_address(p) for p in chat.people if p != sender)
            mid = f"m{written}@mail.example"
            first, last, count = threads.get(index, (mid, "", 0))
            if count >= THREAD_MAILS:
                first, last, count = mid, "", 0
            subject = f"{chat.title} {first.split('@')[0]}"
            head = [
                f"From {_address(sender)} {moment:%a %b %d %H:%M:%S %Y}",
                f"From: {sender} <{_address(sender)}>",
                f"To: {to}",
                f"Subject: {'Re: ' if last else ''}{subject}",
                f"Date: {format_datetime(moment.replace(tzinfo=UTC))}",
                f"Message-ID: <{mid}>",
            ]
            if last:
                head += [f"In-Reply-To: <{last}>", f"References: <{first}> <{last}>"]
            head += ["Content-Type: text/plain; charset=utf-8", ""]
            body = "\n".join(
                (">" + line) if line.startswith("From ") else line for line in _text(e).split("\n")
            )
            quote = f"\nOn {moment:%d %b %Y}, someone <x@mail.example> wrote:\n> earlier\n"
            threads[index] = (first, mid, count + 1)
            yield "\n".join(head) + "\n" + body + "\n" + (quote if last else "") + "\n"

    return write_texts(path, mails())
