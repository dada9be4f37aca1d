"""Deterministic generator of large chat exports for the benchmark.

Writes, for each size (10k, 100k, 1M messages), exports in the layouts Reciprocity reads:

- ``whatsapp-android-<size>.txt``: a one-to-one chat between Sam and Alex, Android layout
  ``dd/mm/yyyy, HH:MM - Name: text``, multi-line messages, ``<Media omitted>``, deleted and
  edited messages, encryption and security-code system lines (1M is about 83 MB);
- ``whatsapp-ios-<size>.txt``: the same kind of chat in the iPhone layout
  ``[m/d/yy, h:mm:ss PM] Name: text`` (narrow no-break space before AM/PM, left-to-right
  marks before media placeholders);
- ``whatsapp-group-<size>.txt``: a family group of seven (me included) in the Android
  layout: anyone may answer anyone, some messages call a member by name (``@Lena ...``,
  ``Dad, ...``); the group analysis' case at the main sizes;
- ``telegram-<size>.json``: a Telegram Desktop whole-account ``result.json`` with five
  one-to-one chats and a group, entities, replies, media and calls;
- ``csv-<size>.csv``: ``timestamp,sender,text,conversation`` with ISO 8601 offsets, the same
  six conversations interleaved in time order;
- ``messenger-<size>.json``: the partner chat as Facebook's "Download your information"
  writes it, newest first, with its mojibake; ``discord-<size>.json``: the partner chat as
  DiscordChatExporter's JSON of a direct-message channel, with replies (:mod:`meta_json`);
- ``sms-<size>.xml`` and ``email-<size>.mbox``: the same account as an SMS Backup & Restore
  backup and as an mbox (see :mod:`phone_exports`);
- ``signal-<size>.json`` and ``signal-md-<size>.md``: the partner chat as signal-export's
  ``data.json`` and ``chat.md``; ``discord-csv-<size>.csv``: as DiscordChatExporter's CSV
  (see :mod:`community_exports`).

Everything is streamed to disk; the same arguments always give the same bytes, and a file
whose sidecar ``.meta.json`` matches is not written again. Run it as
``python bench/generate.py --sizes 10k,100k,1M --formats android,ios,telegram,csv``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import heapq
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from itertools import repeat
from pathlib import Path

import phone_exports
from chats import ACCOUNT, EPOCH, FAMILY, FLUSH_EVERY, ME, PARTNER, Chat, Event, events, write_texts

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
FORMATS = (
    "android",
    "ios",
    "telegram",
    "csv",
    "group",
    "messenger",
    "discord",
    "sms",
    "email",
    "signal",
    "signal-md",
    "discord-csv",
)
DEFAULT_OUT = Path(__file__).resolve().parent / "work" / "data"
DEFAULT_SEED = 7

_LRM = "\u200e"
_NNBSP = "\u202f"
_ENCRYPTED = (
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
    "WhatsApp, can read or listen to them. Tap to learn more."
)


def parse_size(text: str) -> int:
    """``"10k"`` -> 10000, ``"1M"`` -> 1000000, ``"2500"`` -> 2500."""
    text = text.strip()
    if text in SIZES:
        return SIZES[text]
    scale = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale != 1 else text
    return int(float(number) * scale)


def size_label(n: int) -> str:
    """Inverse of :func:`parse_size` for round numbers: 1000000 -> ``"1M"``."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def file_name(fmt: str, n: int) -> str:
    """Name of the export for format ``fmt`` with ``n`` messages."""
    ext = {
        "android": "txt",
        "ios": "txt",
        "telegram": "json",
        "csv": "csv",
        "group": "txt",
        "sms": "xml",
        "email": "mbox",
        "signal-md": "md",
        "discord-csv": "csv",
    }.get(fmt, "json")
    prefix = {
        "android": "whatsapp-android",
        "ios": "whatsapp-ios",
        "group": "whatsapp-group",
    }.get(fmt, fmt)
    return f"{prefix}-{size_label(n)}.{ext}"


class _Days:
    """Date strings per day number, computed once per day rather than once per message."""

    def __init__(self, render: Callable[[date], str]) -> None:
        self._render = render
        self._cache: dict[int, str] = {}
        self._base = EPOCH.date()

    def __getitem__(self, day: int) -> str:
        text = self._cache.get(day)
        if text is None:
            text = self._cache[day] = self._render(self._base + timedelta(days=day))
        return text


def write_android(path: Path, n: int, seed: int, chat: Chat = PARTNER) -> int:
    """Write a WhatsApp Android export of ``chat`` (the partner chat); return messages written."""
    days = _Days(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}")
    clock = [f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)]
    names = chat.people

    def lines() -> Iterator[str]:
        for e in events(chat, n, seed):
            stamp = f"{days[e.t // 86400]}, {clock[e.t % 86400 // 60]} - "
            kind = e.kind
            if kind == "text":
                line = f"{stamp}{names[e.who]}: {e.text}\n"
            elif kind == "media":
                line = f"{stamp}{names[e.who]}: <Media omitted>\n"
            elif kind == "edited":
                line = f"{stamp}{names[e.who]}: {e.text} <This message was edited>\n"
            elif kind == "deleted":
                gone = "You deleted this message" if e.who == 0 else "This message was deleted"
                line = f"{stamp}{names[e.who]}: {gone}\n"
            elif e.text == "encryption":
                line = f"{stamp}{_ENCRYPTED}\n"
            else:
                line = f"{stamp}Your security code with {names[1]} changed. Tap to learn more.\n"
            yield line

    return write_texts(path, lines())


def write_group(path: Path, n: int, seed: int) -> int:
    """Write a WhatsApp Android export of the family group (seven people, me included)."""
    return write_android(path, n, seed + 3, FAMILY)


def write_ios(path: Path, n: int, seed: int) -> int:
    """Write a WhatsApp iPhone export (US 12-hour layout) of the partner chat."""
    days = _Days(lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}")
    clock = [
        f"{(s // 3600 % 12) or 12}:{s // 60 % 60:02d}:{s % 60:02d}{_NNBSP}"
        + ("AM" if s < 43200 else "PM")
        for s in range(86400)
    ]
    names = PARTNER.people

    def lines() -> Iterator[str]:
        for e in events(PARTNER, n, seed + 1):
            stamp = f"[{days[e.t // 86400]}, {clock[e.t % 86400]}] "
            who = names[e.who]
            kind = e.kind
            if kind == "text":
                line = f"{stamp}{who}: {e.text}\n"
            elif kind == "media":
                line = f"{stamp}{who}: {_LRM}{e.text} omitted\n"
            elif kind == "edited":
                line = f"{stamp}{who}: {e.text} {_LRM}<This message was edited>\n"
            elif kind == "deleted":
                gone = "You deleted this message." if e.who == 0 else "This message was deleted."
                line = f"{stamp}{who}: {_LRM}{gone}\n"
            elif e.text == "encryption":
                line = f"{_LRM}{stamp}{names[1]}: {_LRM}{_ENCRYPTED}\n"
            else:
                line = (
                    f"{_LRM}{stamp}{names[1]}: {_LRM}Your security code with {names[1]} changed.\n"
                )
            yield line

    return write_texts(path, lines())


def _split(n: int, chats: Iterable[Chat]) -> list[int]:
    """Share ``n`` messages among ``chats`` by their ``share``; the first takes the rest."""
    counts = [int(n * c.share) for c in chats]
    counts[0] += n - sum(counts)
    return counts


def write_csv(path: Path, n: int, seed: int) -> int:
    """Write a generic CSV export of the whole account, conversations interleaved by time."""
    streams: list[Iterator[tuple[int, int, Event]]] = []
    for index, (chat, count) in enumerate(zip(ACCOUNT, _split(n, ACCOUNT), strict=True)):
        # zip binds ``index`` now: a generator would read it when consumed, after the loop,
        # and give every message the last chat
        stream = zip(repeat(index), events(chat, count, seed + 10 + index, notices=False))
        streams.append((e.t, i, e) for i, e in stream)
    days = _Days(lambda d: d.isoformat())
    clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("timestamp", "sender", "text", "conversation"))
        rows: list[tuple[str, str, str, str]] = []
        for t, index, e in heapq.merge(*streams):
            chat = ACCOUNT[index]
            stamp = f"{days[t // 86400]}T{clock[t % 86400]}+01:00"
            if e.kind == "media":
                text = f"<{e.text}>"
            elif e.kind == "deleted":
                text = "This message was deleted"
            elif e.kind == "call":
                text = f"<call, {e.text} s>"
            else:
                text = e.text
            rows.append((stamp, chat.people[e.who], text, chat.title))
            written += 1
            if len(rows) >= FLUSH_EVERY:
                writer.writerows(rows)
                rows.clear()
        writer.writerows(rows)
    return written


def write_telegram(path: Path, n: int, seed: int) -> int:
    """Write a Telegram Desktop whole-account ``result.json`` (see :mod:`telegram_json`)."""
    from telegram_json import write_account

    plan = [
        (chat, events(chat, count, seed + 20 + index, notices=False))
        for index, (chat, count) in enumerate(zip(ACCOUNT, _split(n, ACCOUNT), strict=True))
    ]
    return write_account(path, plan)


def write_messenger(path: Path, n: int, seed: int) -> int:
    """Write a Messenger "Download your information" file of the partner chat (see
    :mod:`meta_json`)."""
    from meta_json import write_messenger as write

    return write(path, PARTNER, events(PARTNER, n, seed + 30, notices=False))


def write_discord(path: Path, n: int, seed: int) -> int:
    """Write DiscordChatExporter's JSON of a direct-message channel with the partner."""
    from meta_json import write_discord as write

    return write(path, PARTNER, events(PARTNER, n, seed + 40, notices=False))


def write_signal(path: Path, n: int, seed: int) -> int:
    """Write signal-export's ``data.json`` of the partner chat (see :mod:`community_exports`)."""
    from community_exports import write_signal_json

    return write_signal_json(path, PARTNER, events(PARTNER, n, seed + 50, notices=False))


def write_signal_md(path: Path, n: int, seed: int) -> int:
    """Write signal-export's ``chat.md`` of the partner chat."""
    from community_exports import write_signal_markdown

    return write_signal_markdown(path, PARTNER, events(PARTNER, n, seed + 50, notices=False))


def write_discord_csv(path: Path, n: int, seed: int) -> int:
    """Write DiscordChatExporter's CSV of a direct-message channel with the partner."""
    from community_exports import write_discord_csv as write

    return write(path, PARTNER, events(PARTNER, n, seed + 40, notices=False))


WRITERS: dict[str, Callable[[Path, int, int], int]] = {
    "android": write_android,
    "ios": write_ios,
    "telegram": write_telegram,
    "csv": write_csv,
    "group": write_group,
    "messenger": write_messenger,
    "discord": write_discord,
    "sms": phone_exports.write_sms,
    "email": phone_exports.write_email,
    "signal": write_signal,
    "signal-md": write_signal_md,
    "discord-csv": write_discord_csv,
}


def generator_fingerprint() -> str:
    """Hash of the generator's own source: a changed generator writes its files again."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in (
        "generate.py",
        "chats.py",
        "phrases.py",
        "telegram_json.py",
        "meta_json.py",
        "phone_exports.py",
        "community_exports.py",
    ):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def ensure(fmt: str, n: int, out: Path = DEFAULT_OUT, seed: int = DEFAULT_SEED) -> Path:
    """Path of the export for ``fmt`` and ``n``, generating it unless an identical one exists."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / file_name(fmt, n)
    meta_path = path.with_name(path.name + ".meta.json")
    wanted = {"format": fmt, "messages": n, "seed": seed, "generator": generator_fingerprint()}
    if path.is_file() and meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        if {k: meta.get(k) for k in wanted} == wanted and meta.get("bytes") == path.stat().st_size:
            return path
    start = time.perf_counter()
    tmp = path.with_name(path.name + ".partial")
    written = WRITERS[fmt](tmp, n, seed)
    tmp.replace(path)
    meta = {
        **wanted,
        "records": written,
        "bytes": path.stat().st_size,
        "me": ME,
        "seconds": round(time.perf_counter() - start, 2),
    }
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: generate the requested formats and sizes, print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated, e.g. 10k,100k,1M")
    parser.add_argument("--formats", default=",".join(FORMATS), help=f"any of {','.join(FORMATS)}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--force", action="store_true", help="write even if an identical file exists"
    )
    args = parser.parse_args(argv)
    for fmt in args.formats.split(","):
        if fmt not in WRITERS:
            parser.error(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
        for size in args.sizes.split(","):
            n = parse_size(size)
            if args.force:
                (args.out / file_name(fmt, n)).unlink(missing_ok=True)
            start = time.perf_counter()
            path = ensure(fmt, n, args.out, args.seed)
            mb = path.stat().st_size / 1e6
            took = time.perf_counter() - start
            print(f"{path}  {n:>9,} messages  {mb:8.1f} MB  {took:6.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
