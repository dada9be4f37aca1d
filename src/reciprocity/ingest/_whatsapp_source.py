"""Getting a WhatsApp chat's text out of a ``.txt`` or the ``.zip`` the app exports.

The zip is read as a stream from its members: nothing is extracted to disk and member paths
are only ever compared by their components, never used to open anything. What a member may
unpack to is capped (:data:`MAX_CHAT_BYTES`, :data:`MAX_RATIO`) on the sizes the zip
declares and again on the bytes that come out. Text comes out
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
from reciprocity.ingest._whatsapp_patterns import (
    IOS_MEMBER,
    TITLE,
    opens_with_header,
)

ZIP_MAGIC = b"PK\x03\x04"
# The unit separator never shows up in a chat in practice; Polars' CSV reader splits lines
# on it much faster than anything else available. A piece that holds one takes the slow path.
_NO_SEPARATOR = "\x1f"
# What a damaged archive raises while being listed or decompressed.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


#: Caps on a chat text inside a zip, checked on the sizes the zip declares before anything is
#: read, and again on the bytes as they come out, since declared sizes can lie.
#: 1 GiB of text is about ten million messages (WhatsApp itself exports at most 40,000).
MAX_CHAT_BYTES = 1024 * 1024 * 1024
#: Text deflates about 3 times, the bench's generated chat (built from a short phrase list)
#: 9 times; a zip bomb up to 1,000 times. Past :data:`RATIO_GRACE_BYTES` of text, more
#: than this many bytes out per byte in is refused.
MAX_RATIO = 100
RATIO_GRACE_BYTES = 16 * 1024 * 1024
#: How many ``.txt`` members without a chat's name are opened to see whether they hold one,
#: and how much of each is read for that.
_SNIFF_MEMBERS = 100
_SNIFF_BYTES = 4096
# What macOS adds to a zip it makes; never a chat.
_MAC_FOLDER = "__MACOSX/"


@dataclass(frozen=True, slots=True)
class ChatText:
    """An open chat text: where problems point (``source``) and the bytes (``stream``).

    ``path`` is the file the user named; ``member`` is the zip member's file name (last
    path component), ``None`` for a ``.txt``. ``limit`` is how many bytes the stream may
    give before it is refused as a zip bomb (``None``: no cap, a plain file).
    """

    path: Path
    source: str
    member: str | None
    stream: IO[bytes]
    limit: int | None = None


def is_zip(path: Path, head: bytes) -> bool:
    """Whether ``path`` should be read as a zip: by its name, or by its first bytes."""
    return path.suffix.lower() == ".zip" or head.startswith(ZIP_MAGIC)


def member_name(name: str) -> str:
    """The last component of a zip member's path, whichever slash the zip used."""
    return PurePosixPath(name.replace("\\", "/")).name


def member_files(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members of ``archive`` that are files, not folders, in the zip's order."""
    # Not ZipInfo.is_dir(): a damaged zip can name a member "", which it cannot read.
    return [info for info in archive.infolist() if not info.filename.endswith("/")]


def member_folder(name: str) -> str:
    """The folder a zip member sits in (its last component), ``""`` at the zip's root."""
    return PurePosixPath(name.replace("\\", "/")).parent.name


def _named_like_a_chat(name: str) -> bool:
    short = member_name(name)
    return short == IOS_MEMBER or bool(TITLE.match(short[:-4]))


def _starts_like_a_chat(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    try:
        with archive.open(info) as member:
            head = member.read(_SNIFF_BYTES)
    except (*_ZIP_ERRORS, RuntimeError):
        return False
    return opens_with_header(head)


def chat_members(
    archive: zipfile.ZipFile, zip_title: str | None = None, *, fallback: bool = False
) -> list[zipfile.ZipInfo]:
    """The chat texts in a zip, in the zip's order; empty when there is none.

    A chat text is named ``_chat.txt`` (iOS) or like ``WhatsApp Chat with Alex.txt``
    (Android, localized). When several are and one has the zip's own title
    (``zip_title``), the others are documents sent in that chat. When no member has a
    chat's name, ``.txt`` members whose first line is a WhatsApp message header are the
    chats. With ``fallback``, a zip holding exactly one ``.txt`` gives that one, so that a
    damaged chat text gets a message about its lines rather than "no chat".
    """
    texts = [
        info
        for info in member_files(archive)
        if member_name(info.filename).lower().endswith(".txt")
        and not info.filename.replace("\\", "/").startswith(_MAC_FOLDER)
        and not member_name(info.filename).startswith("._")
    ]
    named = [info for info in texts if _named_like_a_chat(info.filename)]
    if len(named) > 1 and zip_title is not None:
        own = [info for info in named if _member_title(info.filename) == zip_title]
        if len(own) == 1:
            return own
    if named:
        return named
    chats = [info for info in texts[:_SNIFF_MEMBERS] if _starts_like_a_chat(archive, info)]
    if chats:
        return chats
    return texts if fallback and len(texts) == 1 else []


def _member_title(name: str) -> str | None:
    found = TITLE.match(member_name(name)[:-4])
    return found.group("title").strip() if found else None


def _damaged(path: Path, error: BaseException) -> ImportFailed:
    return ImportFailed.one(
        str(path),
        None,
        f"the zip file is damaged or incomplete ({error}); export the chat from WhatsApp "
        "again, or unzip it yourself and import the .txt inside",
    )


def _too_big(source: str, why: str) -> ImportFailed:
    return ImportFailed.one(
        source,
        None,
        f"{why}, more than any WhatsApp chat holds "
        f"(the limits are {MAX_CHAT_BYTES // 1024**3} GB of text, and {MAX_RATIO} times "
        "the packed size): the zip is damaged or built to exhaust memory. Export the chat "
        "again, or unzip it yourself and import the .txt inside",
    )


def _limit(info: zipfile.ZipInfo, source: str, archive_bytes: int) -> int:
    """Bytes the member may give; refuses at once when its declared sizes are over a cap."""
    packed = max(1, min(info.compress_size, archive_bytes))
    if info.file_size > MAX_CHAT_BYTES:
        raise _too_big(source, f"the chat text unpacks to {_megabytes(info.file_size)}")
    if info.file_size > RATIO_GRACE_BYTES and info.file_size > MAX_RATIO * packed:
        raise _too_big(
            source,
            f"the chat text unpacks to {_megabytes(info.file_size)} from "
            f"{_megabytes(packed)}, {info.file_size // packed} times its packed size",
        )
    return min(MAX_CHAT_BYTES, max(RATIO_GRACE_BYTES, MAX_RATIO * packed))


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB" if size >= 1_000_000 else f"{size:,} bytes"


class Export:
    """An open export file: a ``.txt`` (one chat) or a zip holding one chat text or more.

    ``members`` are the chat texts' paths inside the zip (empty for a ``.txt``); open one
    with :meth:`chat`.
    """

    def __init__(
        self,
        path: Path,
        fh: IO[bytes],
        archive: zipfile.ZipFile | None,
        infos: list[zipfile.ZipInfo],
        size: int,
    ) -> None:
        self.path = path
        self._fh = fh
        self._archive = archive
        self._infos = infos
        self._size = size

    @property
    def members(self) -> list[str]:
        return [info.filename for info in self._infos]

    @contextmanager
    def chat(self, index: int = 0) -> Iterator[ChatText]:
        """The chat text: the file itself, or the zip's ``index``-th chat member."""
        path = self.path
        if self._archive is None:
            self._fh.seek(0)
            yield ChatText(path, str(path), None, self._fh)
            return
        info = self._infos[index]
        short = member_name(info.filename)
        source = f"{path} ({short})"
        limit = _limit(info, source, self._size)
        try:
            member = self._archive.open(info)
        except RuntimeError:
            raise ImportFailed.one(
                str(path), None, "the zip is password-protected; unzip it and import the .txt"
            ) from None
        except _ZIP_ERRORS as error:
            raise _damaged(path, error) from None
        with member:
            yield ChatText(path, source, short, member, limit)


@contextmanager
def open_export(path: Path, zip_title: str | None = None) -> Iterator[Export]:
    """Open a WhatsApp export, a ``.txt`` or a ``.zip``; ``zip_title`` is the chat's title
    as the zip's name gives it (see :func:`chat_members`).

    Raises :class:`ImportFailed` naming the file when a zip is damaged or holds no chat
    text; opening a member may raise for a password, damage, or sizes over the caps.
    """
    try:
        fh = path.open("rb")
    except OSError as error:
        raise ImportFailed.one(
            str(path), None, f"cannot read the file ({error.strerror}); check the path"
        ) from None
    with fh:
        if not is_zip(path, fh.read(len(ZIP_MAGIC))):
            yield Export(path, fh, None, [], 0)
            return
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(0)
        try:
            archive = zipfile.ZipFile(fh)
        except _ZIP_ERRORS as error:
            raise _damaged(path, error) from None
        with archive:
            try:
                infos = chat_members(archive, zip_title, fallback=True)
            except _ZIP_ERRORS as error:
                raise _damaged(path, error) from None
            if not infos:
                raise ImportFailed.one(
                    str(path),
                    None,
                    "the zip holds no WhatsApp chat text (_chat.txt or 'WhatsApp Chat "
                    "with ....txt'); export the chat again with 'Export chat'",
                )
            yield Export(path, fh, archive, infos, size)


def read_pieces(chat: ChatText, size: int) -> Iterator[bytes]:
    """Read the chat text in blocks of about ``size`` bytes (the last one may be empty).

    Errors while decompressing a zip member become :class:`ImportFailed`, and so does a
    member that gives more than its ``limit`` (the zip understated its size).
    """
    total = 0
    while True:
        try:
            block = chat.stream.read(size)
        except (*_ZIP_ERRORS, RuntimeError) as error:
            raise _damaged(chat.path, error) from None
        total += len(block)
        if chat.limit is not None and total > chat.limit:
            raise _too_big(chat.source, f"the chat text unpacks to more than {_megabytes(total)}")
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


def split_lines(data: bytes, source: str, first_line: int, breaks: int | None = None) -> pl.Series:
    """The lines of ``data`` (split at ``\\n``, a ``\\r`` before it dropped) as a column.

    ``first_line`` is the 1-based number of the first line, for the error raised when the
    bytes are not UTF-8; ``breaks``, the number of line breaks in ``data`` when the caller
    has counted them already.
    """
    breaks = data.count(b"\n") if breaks is None else breaks
    expected = breaks + (0 if data.endswith(b"\n") or not data else 1)
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
