"""Streams Messenger and DiscordChatExporter JSON exports for the benchmark generator.

- Messenger: one ``message_1.json``-style file of the partner chat, laid out as Facebook's
  "Download your information" writes it: ``participants``, ``messages`` **newest first**,
  then ``title`` and ``thread_path``; two-space indent; every non-ASCII character written
  as the ``\\u00XX`` escapes of its UTF-8 bytes (the export's mojibake). Facebook splits a
  chat into files of 10,000 messages; one file of all of them is the harder case for memory
  (the parser must still put them in time order), so the benchmark uses that.
- Discord: DiscordChatExporter's JSON of a direct-message channel with the partner, oldest
  first, two-space indent, ISO 8601 times with an offset, replies as ``reference``.

The newest-first order means the Messenger writer renders every message before writing;
that is the generator's memory, not the parser's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from chats import EPOCH, Chat, Event

_EPOCH_MS = int((EPOCH - EPOCH.replace(year=1970, month=1, day=1)).total_seconds()) * 1000
_MEDIA = {"photo": "photos", "video": "videos", "audio": "audio_files", "GIF": "gifs"}


def _moji(text: str) -> str:
    """``text`` as Facebook writes it: each UTF-8 byte escaped as its own character."""
    return json.dumps(text.encode("utf-8").decode("latin-1"))


def write_messenger(path: Path, chat: Chat, plan: Iterable[Event]) -> int:
    """Write ``plan`` (events in time order) as a Messenger file, newest first."""
    names = [_moji(p) for p in chat.people]
    rendered: list[str] = []
    for e in plan:
        stamp = _EPOCH_MS + e.t * 1000
        fields = [f'      "sender_name": {names[e.who]}', f'      "timestamp_ms": {stamp}']
        if e.kind in ("text", "edited", "system"):
            fields.append(f'      "content": {_moji(e.text)}')
        elif e.kind == "media":
            key = _MEDIA.get(e.text, "files")
            uri = f"messages/inbox/{chat.title.lower()}_1/{key}/{stamp}.bin"
            fields.append(
                f'      "{key}": [\n        {{\n          "uri": "{uri}"\n        }}\n      ]'
            )
        elif e.kind == "deleted":
            fields.append('      "is_unsent": true')
        elif e.kind == "call":
            fields.append(f'      "call_duration": {int(e.text or 0)}')
        fields.append('      "is_geoblocked_for_viewer": false')
        rendered.append("    {\n" + ",\n".join(fields) + "\n    }")
    rendered.reverse()
    people = ",\n".join(f'    {{\n      "name": {n}\n    }}' for n in names)
    with path.open("w", encoding="ascii", newline="\n") as fh:
        fh.write('{\n  "participants": [\n' + people + '\n  ],\n  "messages": [\n')
        for start in range(0, len(rendered), 20_000):
            if start:
                fh.write(",\n")
            fh.write(",\n".join(rendered[start : start + 20_000]))
        fh.write(f'\n  ],\n  "title": {names[1]},\n  "is_still_participant": true,\n')
        fh.write(f'  "thread_path": "inbox/{chat.title.lower()}_1",\n  "magic_words": []\n}}\n')
    return len(rendered)


def write_discord(path: Path, chat: Chat, plan: Iterable[Event]) -> int:
    """Write ``plan`` as DiscordChatExporter's JSON of a direct-message channel."""
    users = [
        {"id": str(81_000_000_000_000_000 + i), "name": p.lower(), "discriminator": "0000",
         "nickname": p, "color": None, "isBot": False, "roles": [], "avatarUrl": ""}
        for i, p in enumerate(chat.people)
    ]  # fmt: skip
    authors = [json.dumps(u, indent=2, ensure_ascii=False).replace("\n", "\n    ") for u in users]
    head = {
        "guild": {"id": "0", "name": "Direct Messages", "iconUrl": ""},
        "channel": {"id": "99", "type": "DirectTextChat", "categoryId": None,
                    "category": "Private", "name": chat.people[1], "topic": None},
        "dateRange": {"after": None, "before": None},
        "exportedAt": "2025-01-01T00:00:00+01:00",
    }  # fmt: skip
    count = 0
    buffer: list[str] = []
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps(head, indent=2, ensure_ascii=False)[:-2] + ',\n  "messages": [\n')
        for e in plan:
            moment = (EPOCH + timedelta(seconds=e.t + 3600)).isoformat() + "+01:00"
            kind = "Call" if e.kind == "call" else ("Reply" if e.reply >= 0 else "Default")
            content = "" if e.kind in ("media", "deleted", "call") else e.text
            attachments = "[]"
            if e.kind == "media":
                attachments = (
                    f'[\n      {{\n        "id": "{count}", "url": "x", '
                    f'"fileName": "{e.text}.jpg", "fileSizeBytes": 1024\n      }}\n    ]'
                )
            ended = "null"
            if e.kind == "call":
                end = EPOCH + timedelta(seconds=e.t + 3600 + int(e.text or 0))
                ended = f'"{end.isoformat()}+01:00"'
            reference = ""
            if e.reply >= 0:
                reference = (
                    f',\n    "reference": {{\n      "messageId": "{10**17 + e.reply}"\n    }}'
                )
            buffer.append(
                f'    {{\n    "id": "{10**17 + count}",\n    "type": "{kind}",\n'
                f'    "timestamp": "{moment}",\n    "timestampEdited": null,\n'
                f'    "callEndedTimestamp": {ended},\n    "isPinned": false,\n'
                f'    "content": {json.dumps(content, ensure_ascii=False)},\n'
                f'    "author": {authors[e.who]},\n    "attachments": {attachments},\n'
                f'    "embeds": [],\n    "stickers": [],\n    "reactions": [],\n'
                f'    "mentions": []{reference}\n    }}'
            )
            count += 1
            if len(buffer) >= 20_000:
                fh.write((",\n" if count > len(buffer) else "") + ",\n".join(buffer))
                buffer.clear()
        if buffer:
            fh.write((",\n" if count > len(buffer) else "") + ",\n".join(buffer))
        fh.write(f'\n  ],\n  "messageCount": {count}\n}}\n')
    return count
