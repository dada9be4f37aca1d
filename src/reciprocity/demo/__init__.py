"""Demo data: realistic chat exports written for this project, the same on every run.

:func:`write_demo` writes one export per relationship of "me" (**Sam**), each in a format
Reciprocity reads, each with its own shape (see :mod:`reciprocity.demo.expected`):

- Alex, WhatsApp Android ``.txt``: Sam does the reaching out; Alex answers late, briefly.
- Jordan, a short WhatsApp stretch then Telegram Desktop ``result.json``: balanced. On
  Telegram Jordan's display name carries an emoji ("Jordan 🌻"); the import links the two
  as one person, one relationship across both apps.
- Riley, WhatsApp iOS ``.zip``: Riley leans on Sam for emotional support, rarely gives it back.
- Kai, generic CSV: Sam is Kai's **parent**; Sam confides worries, Kai checks on and comforts
  Sam (the parent-mode signal).
- "Pub quiz", a WhatsApp group of Sam, Alex and Jordan: Jordan answers Sam warmly, Alex
  writes only to Jordan and never answers Sam.

Import them with ``--me Sam`` and the timezone :data:`TIMEZONE`. The chats behind the files
(with the acts each line was written to carry) are :func:`build_chats`; a fast generator of
large exports for benchmarks is :mod:`reciprocity.demo.large`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reciprocity.demo import writers
from reciprocity.demo.script import (
    DEFAULT_SEED,
    JORDAN_ON_TELEGRAM,
    LAST_DAY,
    TIMEZONE,
    ZONE,
    build_chats,
)
from reciprocity.demo.simulate import Chat, Message

__all__ = [
    "DEMO_FILES",
    "JORDAN_ON_TELEGRAM",
    "ME",
    "TELEGRAM_IDS",
    "TIMEZONE",
    "Chat",
    "DemoFile",
    "Message",
    "build_chats",
    "write_demo",
]

#: The user's own name in every demo export.
ME = "Sam"
#: Telegram user ids of the demo's people (``from_id`` is ``"user<id>"``).
TELEGRAM_IDS = {"Sam": 6_120_450_987, "Jordan": 5_987_601_234, JORDAN_ON_TELEGRAM: 5_987_601_234}


@dataclass(frozen=True, slots=True)
class DemoFile:
    """One demo export: where it goes, its format name, and the chat it holds."""

    name: str
    format: str
    chat: str
    render: Callable[[Chat], str]


DEMO_FILES: tuple[DemoFile, ...] = (
    DemoFile(
        "WhatsApp Chat with Alex.txt",
        "whatsapp",
        "alex",
        lambda c: writers.whatsapp_android(c, ZONE),
    ),
    DemoFile(
        "WhatsApp Chat with Jordan.txt",
        "whatsapp",
        "jordan_whatsapp",
        lambda c: writers.whatsapp_android(c, ZONE),
    ),
    DemoFile(
        f"ChatExport_{LAST_DAY.isoformat()}/result.json",
        "telegram",
        "jordan_telegram",
        lambda c: writers.telegram_json(c, ZONE, TELEGRAM_IDS),
    ),
    DemoFile(
        "WhatsApp Chat - Riley.zip",
        "whatsapp",
        "riley",
        lambda c: writers.whatsapp_ios(c, ZONE),
    ),
    DemoFile("Messages with Kai.csv", "csv", "kai", lambda c: writers.generic_csv(c, ZONE)),
    DemoFile(
        "WhatsApp Chat with Pub quiz.txt",
        "whatsapp",
        "quiz",
        lambda c: writers.whatsapp_android(c, ZONE),
    ),
)


def write_demo(directory: Path, *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write every demo export under ``directory`` and return their paths, in import order.

    The same ``seed`` always writes byte-identical files, whatever the date, machine zone or
    locale.

    >>> paths = write_demo(Path("demo"))  # doctest: +SKIP
    >>> [p.name for p in paths][:2]  # doctest: +SKIP
    ['WhatsApp Chat with Alex.txt', 'WhatsApp Chat with Jordan.txt']
    """
    directory = Path(directory)
    chats = build_chats(seed)
    paths = []
    for spec in DEMO_FILES:
        path = directory / spec.name
        text = spec.render(chats[spec.chat])
        if path.suffix == ".zip":
            paths.append(writers.write_zip(path, [("_chat.txt", text)]))
        else:
            paths.append(writers.write_text(path, text))
    return paths
