"""Getting a WhatsApp chat's text out of a ``.txt`` or the ``.zip`` the app exports.

The zip is read as a stream from its member: nothing is extracted to disk and member paths
are only ever compared by their last component, never used to open anything. Text comes out
in large pieces that end at a line break, and :func:`split_lines` turns a piece into a Polars
column of lines without a Python loop.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

import polars as pl

from reciprocity.errors import ImportFailed
from reciprocity.ingest._whatsapp_patterns import IOS_MEMBER, TITLE

ZIP_MAGIC = b"PK\x03\x04"
# The unit separator never shows up in a chat in practice; Polars' CSV reader splits lines
# on it much faster than anything else available. A piece that holds one takes the slow path.
_NO_SEPARATOR = "\x1f"
# What a damaged archive raises while being listed or decompressed.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


@dataclass(frozen=True, slots=True)
class ChatText:
    """An open chat text: where problems point (``source``) and the bytes (``stream``).

    ``path`` is the file the user named; ``member`` is the zip member's file name (last
    path component), ``None`` for a ``.txt``.
    """

    path: Path
    source: str
    member: str | None
    stream: IO[bytes]


def is_zip(path: Path, head: bytes) -> bool:
    """Whether ``path`` should be read as a zip: by its name, or by its first bytes."""
    return path.suffix.lower() == ".zip" or head.startswith(ZIP_MAGIC)


def member_name(name: str) -> str:
    """The last component of a zip member's path, whichever slash the zip used."""
    return PurePosixPath(name.replace("\\", "/")).name


def pick_member(names: list[str]) -> str | None:
    """The chat text among a zip's member names, or ``None`` when there is none.

    iOS names it ``_chat.txt``; Android names it like the zip (``WhatsApp Chat with
    Alex.txt``, localized); a zip holding exactly one ``.txt`` is taken to be that text.
    """
    texts = [n for n in names if member_name(n).lower().endswith(".txt")]
    for name in texts:
        if member_name(name) == IOS_MEMBER:
            return name
    for name in texts:
        if TITLE.match(member_name(name)[:-4]):
            return name
    return texts[0] if len(texts) == 1 else None


def _damaged(path: Path, error: BaseException) -> ImportFailed:
    return ImportFailed.one(
        str(path),
        None,
        f"the zip file is damaged or incomplete ({error}); export the chat from WhatsApp "
        "again, or unzip it yourself and import the .txt inside",
    )


@contextmanager
def open_chat(path: Path) -> Iterator[ChatText]:
    """Open the chat text of a WhatsApp export, a ``.txt`` or a ``.zip``.

    Raises :class:`ImportFailed` naming the file when a zip is damaged, locked with a
    password, or holds no chat text.
    """
    try:
        fh = path.open("rb")
    except OSError as error:
        raise ImportFailed.one(
            str(path), None, f"cannot read the file ({error.strerror}); check the path"
        ) from None
    with fh:
        if not is_zip(path, fh.read(len(ZIP_MAGIC))):
            fh.seek(0)
            yield ChatText(path, str(path), None, fh)
            return
        fh.seek(0)
        try:
            archive = zipfile.ZipFile(fh)
        except _ZIP_ERRORS as error:
            raise _damaged(path, error) from None
        with archive:
            name = pick_member([i.filename for i in archive.infolist() if not i.is_dir()])
            if name is None:
                raise ImportFailed.one(
                    str(path),
                    None,
                    "the zip holds no WhatsApp chat text (_chat.txt or 'WhatsApp Chat "
                    "with ....txt'); export the chat again with 'Export chat'",
                )
            try:
                member = archive.open(name)
            except RuntimeError:
                raise ImportFailed.one(
                    str(path), None, "the zip is password-protected; unzip it and import the .txt"
                ) from None
            except _ZIP_ERRORS as error:
                raise _damaged(path, error) from None
            with member:
                short = member_name(name)
                yield ChatText(path, f"{path} ({short})", short, member)


def read_pieces(chat: ChatText, size: int) -> Iterator[bytes]:
    """Read the chat text in blocks of about ``size`` bytes (the last one may be empty).

    Errors while decompressing a zip member become :class:`ImportFailed`.
    """
    while True:
        try:
            block = chat.stream.read(size)
        except (*_ZIP_ERRORS, RuntimeError) as error:
            raise _damaged(chat.path, error) from None
        yield block
        if not block:
            return


def _decode(data: bytes, source: str, first_line: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = first_line + data.count(b"\n", 0, error.start)
        raise ImportFailed.one(
            source,
            line,
            "this line is not UTF-8 text, which WhatsApp always writes; export the chat "
            "again, or convert the file to UTF-8",
        ) from None


def split_lines(data: bytes, source: str, first_line: int) -> pl.Series:
    """The lines of ``data`` (split at ``\\n``, a ``\\r`` before it dropped) as a column.

    ``first_line`` is the 1-based number of the first line, for the error raised when the
    bytes are not UTF-8.
    """
    expected = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    if _NO_SEPARATOR.encode() not in data:
        try:
            column = pl.read_csv(
                data,
                has_header=False,
                separator=_NO_SEPARATOR,
                quote_char=None,
                schema={"line": pl.String()},
                raise_if_empty=False,
            )["line"]
        except (pl.exceptions.PolarsError, OSError):
            # Invalid UTF-8, or bytes that start like a gzip/zlib/zstd stream (the reader
            # sniffs those and fails to inflate them): the careful path decides.
            column = None
        # Trust the fast reader only when it agrees with the line count.
        if column is not None and column.len() == expected:
            return column.fill_null("")
    text = _decode(data, source, first_line)
    parts = text.split("\n")
    if len(parts) > expected:
        parts.pop()  # the empty string after the final line break
    return pl.Series("line", parts, dtype=pl.String()).str.strip_suffix("\r")
