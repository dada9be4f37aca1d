"""Ingest: export files in, normalised messages out.

One module per export format (:mod:`.whatsapp`, :mod:`.signal`, :mod:`.telegram`,
:mod:`.messenger`, :mod:`.instagram`, :mod:`.discord`, :mod:`.csvfile`), each
implementing the small contract in :mod:`.base`. :func:`load` is the front door; importers
never touch the database (the store saves what they return). Folders and archives that
hold several exports are walked by :mod:`.containers`; :func:`export_batches` reads one
export it found.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import polars as pl

from reciprocity.errors import ImportFailed, UnknownFormat
from reciprocity.ingest import (
    containers,
    csvfile,
    discord,
    instagram,
    messenger,
    signal,
    telegram,
    whatsapp,
)
from reciprocity.ingest.base import (
    KINDS,
    MESSAGE_SCHEMA,
    Options,
    empty_messages,
    local_timezone_name,
)

__all__ = [
    "FORMATS",
    "KINDS",
    "MESSAGE_SCHEMA",
    "Options",
    "batches",
    "containers",
    "detect",
    "export_batches",
    "load",
    "local_timezone_name",
]

HEAD_BYTES = 64 * 1024

#: Registry of formats, tried in this order by :func:`detect`.
FORMATS: dict[str, ModuleType] = {
    whatsapp.NAME: whatsapp,
    # before the other .json formats: a Signal data.json's first line is a whole message
    signal.NAME: signal,
    # Instagram before Messenger: the same layout, told apart by folder or an Instagram key
    instagram.NAME: instagram,
    messenger.NAME: messenger,
    discord.NAME: discord,
    telegram.NAME: telegram,
    csvfile.NAME: csvfile,
}


def detect(path: Path) -> str:
    """Name of the format that recognises ``path``, or raise :class:`UnknownFormat`."""
    path = Path(path)
    _check_readable(path)
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        raise ImportFailed.one(str(path), None, "the file is empty; export the chat again")
    for name, module in FORMATS.items():
        if module.detect(path, head):
            return name
    known = ", ".join(FORMATS)
    raise UnknownFormat(f"{path}: not a format Reciprocity knows ({known}).")


def _check_readable(path: Path) -> None:
    if path.is_dir():
        raise ImportFailed.one(
            str(path),
            None,
            "is a folder; a folder of exports is read with reciprocity.ingest.containers "
            "(the import command does it), one export at a time",
        )
    if not path.is_file():
        raise ImportFailed.one(str(path), None, "no such file (check the path)")


def batches(
    path: str | Path, format: str = "auto", options: Options | None = None
) -> Iterator[pl.DataFrame]:
    """Stream normalised message batches from ``path`` (see :func:`load`)."""
    path = Path(path)
    name = detect(path) if format == "auto" else format
    if name not in FORMATS:
        raise UnknownFormat(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}")
    _check_readable(path)
    yield from FORMATS[name].parse(path, options or Options())


def export_batches(
    export: containers.Export, options: Options | None = None
) -> Iterator[pl.DataFrame]:
    """Stream the batches of one export a container holds (:mod:`.containers`): its files
    all at once through the format's ``parse_files`` when it has one, else its one file."""
    module = FORMATS[export.format]
    parse_files = getattr(module, "parse_files", None)
    if parse_files is not None:
        yield from parse_files(list(export.paths), options or Options())
        return
    (path,) = export.paths
    yield from batches(path, export.format, options)


def load(
    path: str | Path,
    format: str = "auto",
    *,
    timezone: str | None = None,
    dayfirst: bool | None = None,
    conversation: str | None = None,
) -> pl.DataFrame:
    """Read one export file into a frame of normalised messages.

    Columns are :data:`MESSAGE_SCHEMA`: ``source``, ``conversation``, ``sender``,
    ``timestamp`` (UTC), ``text``, ``kind``, ``reply_to``, ``source_id``, ``line``.

    >>> df = load("WhatsApp Chat with Alex.zip", timezone="Europe/Berlin")  # doctest: +SKIP
    >>> df.select("sender", "timestamp", "text").head(2)  # doctest: +SKIP

    Raises :class:`~reciprocity.errors.ImportFailed` (with ``file:line`` for every problem)
    or :class:`~reciprocity.errors.UnknownFormat`.
    """
    options = Options(timezone=timezone, dayfirst=dayfirst, conversation=conversation)
    parts = list(batches(path, format, options))
    if not parts:
        return empty_messages()
    return pl.concat(parts, how="vertical")
