"""Streams the community exporters' layouts for the benchmark generator.

- Signal, as signal-export writes a chat: ``data.json`` (one JSON object per line: ``date``
  without an offset, ``sender`` "Me" for the user, ``body`` ending in the two spaces the
  exporter adds, ``reactions``, ``attachments``, ``sticker``, ``quote``) and ``chat.md``
  (``[2024-03-12 21:15:03] Alex: text`` blocks separated by a blank line, reactions as
  ``(- Alex: 👍 -)``, attachments as image links, quotes as ``>`` lines);
- DiscordChatExporter's CSV of a direct-message channel: every field quoted, US short
  dates (``5/1/2024 8:15 PM``), attachments as addresses.

Each is the partner chat, oldest first, written as it is generated (no whole-file buffer).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path

from chats import EPOCH, Chat, Event, write_texts

_CALLS = ("Missed voice call", "Incoming voice call (accepted, {m}m {s}s)")


def _signal_body(e: Event) -> str:
    if e.kind == "call":
        seconds = int(e.text or 0)
        if not seconds:
            return _CALLS[0]
        return _CALLS[1].format(m=seconds // 60, s=seconds % 60)
    if e.kind == "media":
        return ""
    return e.text


def write_signal_json(path: Path, chat: Chat, plan: Iterable[Event]) -> int:
    """Write ``plan`` as signal-export's ``data.json`` (JSON lines)."""
    names = ["Me", *chat.people[1:]]

    def lines() -> Iterator[str]:
        for count, e in enumerate(plan):
            attachments: list[dict[str, str]] = []
            if e.kind == "media":
                name = f"{e.text}_{count}.jpg"
                attachments = [{"name": name, "path": f"media/{name}"}]
            quoted = e.reply >= 0 and e.kind != "deleted"
            record = {
                "date": (EPOCH + timedelta(seconds=e.t)).isoformat(),
                "sender": names[e.who],
                "body": _signal_body(e) + "  ",
                "quote": "\n\n> an earlier message\n\n" if quoted else "",
                "sticker": "",
                "reactions": [[names[1 - e.who], "👍"]] if count % 17 == 0 else [],
                "attachments": attachments,
                "deleted": e.kind == "deleted",
                "call": e.kind == "call",
                "missed": e.kind == "call" and not int(e.text or 0),
            }
            yield json.dumps(record, ensure_ascii=False) + "\n"

    return write_texts(path, lines())


def write_signal_markdown(path: Path, chat: Chat, plan: Iterable[Event]) -> int:
    """Write ``plan`` as signal-export's ``chat.md``."""
    names = ["Me", *chat.people[1:]]

    def blocks() -> Iterator[str]:
        for count, e in enumerate(plan):
            moment = EPOCH + timedelta(seconds=e.t)
            head = f"[{moment:%Y-%m-%d %H:%M:%S}] {names[e.who]}: "
            if e.kind == "deleted":
                body = "(This message was deleted)"
            elif e.kind == "media":
                name = f"{e.text}_{count}.jpg"
                body = f"  ![{name}](./media/{name})  "
            else:
                body = _signal_body(e) + "  "
            if e.reply >= 0 and e.kind != "deleted":
                body = f"\n\n> an earlier message\n\n{body}"
            block = head + body + "\n"
            if count % 17 == 0:
                block += f"(- {names[1 - e.who]}: 👍 -)\n"
            yield block + "\n"

    return write_texts(path, blocks())


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def write_discord_csv(path: Path, chat: Chat, plan: Iterable[Event]) -> int:
    """Write ``plan`` as DiscordChatExporter's CSV of a direct-message channel."""
    ids = [_quoted(str(81_000_000_000_000_000 + i)) for i in range(len(chat.people))]
    authors = [_quoted(p.lower()) for p in chat.people]

    def rows() -> Iterator[str]:
        for count, e in enumerate(plan):
            moment = EPOCH + timedelta(seconds=e.t)
            hour = moment.hour % 12 or 12
            half = "AM" if moment.hour < 12 else "PM"
            stamp = f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d} {half}"
            content = "" if e.kind in ("media", "deleted", "call") else e.text
            attachment = ""
            if e.kind == "media":
                attachment = f"https://cdn.discordapp.com/attachments/1/{count}/{e.text}.jpg"
            reactions = "👍 (1)" if count % 17 == 0 else ""
            yield (
                f"{ids[e.who]},{authors[e.who]},{_quoted(stamp)},{_quoted(content)},"
                f"{_quoted(attachment)},{_quoted(reactions)}\n"
            )

    return write_texts(path, rows(), head="AuthorID,Author,Date,Content,Attachments,Reactions\n")
