"""Instagram "Download your information" JSON: the same layout as Messenger's older export.

Instagram writes ``your_instagram_activity/messages/inbox/<user>_<id>/message_1.json`` …,
newest first, with the same keys as Messenger (``participants``, ``messages`` of
``sender_name``, ``timestamp_ms``, ``content``, ``share``, ``photos`` …, ``title``,
``thread_path``) and the same mojibake, so :mod:`.messenger` reads it; only the platform
the messages are saved under differs. A file alone cannot always tell which app wrote it,
so this format claims a Messenger-shaped file when its path runs through Instagram's
export folder or when it holds a key only Instagram writes (``original_content_owner`` on
a shared post); choose it with ``--format instagram`` otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from reciprocity.ingest import messenger
from reciprocity.ingest.base import Options

NAME = "instagram"
#: A big file is parsed in a process of its own (:mod:`reciprocity.parse_apart`): the
#: parse is mostly Python, which would take turns with the save for the interpreter lock.
PARSE_APART = True
APP = "Instagram (Settings → Your activity → Download your information, JSON format)"

_FOLDER_HINTS = ("your_instagram_activity", "instagram")


def detect(path: Path, head: bytes) -> bool:
    """True for a Messenger-shaped ``.json`` file that Instagram wrote (see the module)."""
    path = Path(path)
    if not messenger.detect(path, head):
        return False
    folders = [part.lower() for part in path.parts[:-1]]
    if any(hint in part for part in folders for hint in _FOLDER_HINTS):
        return True
    return b'"original_content_owner"' in head


def parse(path: Path, options: Options) -> Iterator[pl.DataFrame]:
    """Yield message frames from one Instagram file, oldest message first."""
    return parse_files([Path(path)], options)


def parse_files(paths: list[Path], options: Options) -> Iterator[pl.DataFrame]:
    """Yield one conversation's ``message_1.json``, ``message_2.json`` … as one import."""
    return messenger.read_files(paths, options, NAME, APP)
