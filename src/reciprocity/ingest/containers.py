"""Folders and archives that hold several exports: find each one, by its content.

A person's exports rarely come one file at a time: Facebook's "Download your information"
is a zip of folders of ``message_1.json`` files, Telegram Desktop writes a folder with
``result.json`` beside the photos, and a phone's exports pile up as a folder of WhatsApp
zips. :func:`open_container` walks a folder, or a zip it unpacks into a private temporary
folder, asks every file's content which format it is (:func:`reciprocity.ingest.detect`),
and gives back :class:`Contents`:

- one :class:`Export` per file of a format that reads one file at a time (a WhatsApp
  ``.txt`` or ``.zip``, a Telegram ``result.json``, a CSV);
- one :class:`Export` per format whose module has ``parse_files(paths, options)`` (an
  export made of many files, such as Messenger's), holding all its files, in path order;
- a :class:`Skipped` entry, with the reason, for every file no format reads.

A zip that a format reads as it is (a WhatsApp export zip) is one export, not a
container, unless the format's ``holds_several(path)`` says it holds several of its
exports (a zip of several WhatsApp chats): then each is imported on its own. A zip
inside a folder or a zip that no format reads is walked in turn, up to
:data:`MAX_DEPTH` archives deep.

Unpacking is bounded like the WhatsApp reader's zips (:mod:`._whatsapp_source`): each
member at most :data:`~._whatsapp_source.MAX_CHAT_BYTES`, no member more than
:data:`~._whatsapp_source.MAX_RATIO` times its packed size past the grace, all members
together at most :data:`MAX_UNPACKED_BYTES` and :data:`MAX_MEMBERS`; the caps are
checked on the declared sizes and again on the bytes that come out. Member names are
never trusted as paths: each part is checked (no ``..``, no drive, no absolute path)
and the file is created inside the temporary folder only, never over another.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import ModuleType

from reciprocity.errors import ImportFailed, ReciprocityError
from reciprocity.ingest._whatsapp_source import (
    MAX_CHAT_BYTES,
    MAX_RATIO,
    RATIO_GRACE_BYTES,
    ZIP_MAGIC,
    member_files,
)

#: All members of one archive together, unpacked, at most (a whole Facebook archive with
#: photos runs to a few GB; the messages in it to far less).
MAX_UNPACKED_BYTES = 8 * 1024 * 1024 * 1024
#: Members of one archive, at most.
MAX_MEMBERS = 200_000
#: Archives inside archives walked, at most.
MAX_DEPTH = 3
# Bytes copied at a time while unpacking.
_CHUNK = 1024 * 1024
# Made by the system, never an export.
_IGNORED_FOLDERS = frozenset({"__MACOSX", ".git", ".Trash", "$RECYCLE.BIN"})
_IGNORED_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


@dataclass(frozen=True, slots=True)
class Export:
    """One export found in a container: its format and its files.

    ``label`` names it for people: the path inside the container of its one file, or
    of the folder its files share. ``paths`` are real files to read (inside the
    temporary folder when the container is a zip).
    """

    format: str
    paths: tuple[Path, ...]
    label: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file in the container that nothing imports, and why (in plain words)."""

    label: str
    reason: str


@dataclass
class Contents:
    """What a container holds: the exports to import, and what was skipped.

    ``unpacked`` maps each folder a zip was unpacked into to the zip's place in the
    container (``""`` for the container itself), for :meth:`place`.
    """

    exports: list[Export] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unpacked: dict[str, str] = field(default_factory=dict)

    def place(self, source: str) -> str | None:
        """The place inside the container of ``source``, a path in an unpacking folder
        (or a problem's source that starts with one), else None."""
        for folder, label in self.unpacked.items():
            if source.startswith(folder + os.sep):
                return _join(label, source[len(folder) + 1 :].replace(os.sep, "/"))
        return None

    def named(self, text: str, container: Path) -> str:
        """``text`` with every unpacking folder in it named as its place in ``container``
        (for messages that quote a path: ``fb.zip/messages/...`` rather than ``/tmp/...``)."""
        # the deepest folders first: a nested zip's folder is not inside its parent's
        for folder, label in sorted(self.unpacked.items(), key=lambda item: -len(item[0])):
            text = text.replace(folder + os.sep, display(label, container) + "/")
        return text


def is_container(path: Path, formats: dict[str, ModuleType]) -> bool:
    """Whether ``path`` holds exports rather than being one: a folder, or a zip that no
    format in ``formats`` reads as it is."""
    path = Path(path)
    if path.is_dir():
        return True
    if not path.is_file() or not _is_zip(path):
        return False
    head = _head(path)
    claimed = next((module for module in formats.values() if module.detect(path, head)), None)
    return claimed is None or _holds_several(claimed, path)


def _holds_several(module: ModuleType, path: Path) -> bool:
    """Whether the format says the archive it claims holds several of its exports (a zip
    of several WhatsApp chats), each to be imported on its own."""
    several = getattr(module, "holds_several", None)
    return bool(several is not None and several(path))


@contextlib.contextmanager
def open_container(
    path: Path, formats: dict[str, ModuleType], unpack_in: Path | None = None
) -> Iterator[Contents]:
    """The exports in the folder or zip at ``path``, found by content with ``formats``.

    A zip is unpacked into a private temporary folder (inside ``unpack_in`` when given,
    else the system's) that is removed on leaving the ``with`` block, so the exports'
    paths are readable only inside it. Raises
    :class:`ImportFailed` naming the container when it cannot be read at all (a damaged
    zip, one over the caps).
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="reciprocity-unpacked-", dir=unpack_in) as scratch:
        os.chmod(scratch, stat.S_IRWXU)
        walker = _Walker(formats, Path(scratch))
        found: list[tuple[str, Path, str]] = []
        if path.is_dir():
            walker.folder(path, "", found, depth=0)
        else:
            walker.archive(path, "", found, depth=0)
        contents = _grouped(found, walker.skipped, formats)
        contents.unpacked = walker.unpacked
        yield contents


def display(label: str, container: Path) -> str:
    """How a file inside ``container`` is named to people: ``Downloads/fb.zip/messages/...``.

    ``label`` is the path inside the container (:attr:`Export.label`, :attr:`Skipped.label`).
    """
    return f"{container}/{label}" if label else str(container)


class _Walker:
    def __init__(self, formats: dict[str, ModuleType], scratch: Path) -> None:
        self.formats = formats
        self.scratch = scratch
        self.skipped: list[Skipped] = []
        self.unpacked: dict[str, str] = {}
        self._archives = 0

    def folder(
        self, root: Path, prefix: str, found: list[tuple[str, Path, str]], depth: int
    ) -> None:
        # os.walk does not follow links to folders; links to files are skipped below.
        for top, folders, files in os.walk(root):
            folders[:] = sorted(f for f in folders if f not in _IGNORED_FOLDERS)
            for name in sorted(files):
                file = Path(top) / name
                label = _join(prefix, file.relative_to(root).as_posix())
                if name in _IGNORED_FILES or name.startswith("._"):
                    continue
                if file.is_symlink() or not file.is_file():
                    self.skipped.append(Skipped(label, "a link or a special file, not read"))
                    continue
                self.file(file, label, found, depth)

    def file(self, file: Path, label: str, found: list[tuple[str, Path, str]], depth: int) -> None:
        try:
            start = _head(file, len(max(_MEDIA_MAGIC, key=len)) + 8)
            if start and _is_media(start):
                # photos and videos fill these archives: told by their first bytes
                self.skipped.append(Skipped(label, "a photo, video, sound or document"))
                return
            head = _head(file)
        except OSError as error:
            self.skipped.append(Skipped(label, f"cannot be read ({error.strerror})"))
            return
        if not head:
            self.skipped.append(Skipped(label, "empty"))
            return
        for name, module in self.formats.items():
            try:
                if not module.detect(file, head):
                    continue
                if head.startswith(ZIP_MAGIC) and _holds_several(module, file):
                    break  # walked below, each export on its own
            except ReciprocityError:
                continue
            found.append((name, file, label))
            return
        if head.startswith(ZIP_MAGIC):
            self.archive(file, label, found, depth + 1)
            return
        self.skipped.append(Skipped(label, "not an export Reciprocity reads"))

    def archive(
        self, file: Path, label: str, found: list[tuple[str, Path, str]], depth: int
    ) -> None:
        if depth > MAX_DEPTH:
            self.skipped.append(Skipped(label, f"a zip inside {MAX_DEPTH} other zips, not opened"))
            return
        self._archives += 1
        into = self.scratch / str(self._archives)
        into.mkdir(mode=0o700)
        self.unpacked[str(into)] = label
        try:
            _unpack(file, into, label or str(file))
        except ImportFailed:
            if depth == 0:
                raise
            self.skipped.append(Skipped(label, "a damaged zip, or one too large to open"))
            shutil.rmtree(into, ignore_errors=True)
            return
        self.folder(into, label, found, depth)


def _grouped(
    found: list[tuple[str, Path, str]], skipped: list[Skipped], formats: dict[str, ModuleType]
) -> Contents:
    # Files an export is read together with (chat.db's chat.db-wal) are not skipped.
    companions = {
        label + suffix
        for name, _, label in found
        for suffix in getattr(formats[name], "COMPANIONS", ())
    }
    contents = Contents(skipped=[s for s in skipped if s.label not in companions])
    groups: dict[str, list[tuple[Path, str]]] = {}
    for name, file, label in found:
        if hasattr(formats[name], "parse_files"):
            groups.setdefault(name, []).append((file, label))
        else:
            contents.exports.append(Export(name, (file,), label))
    for name, members in groups.items():
        members.sort(key=lambda member: member[1])
        labels = [PurePosixPath(label) for _, label in members]
        common = os.path.commonpath([str(label.parent) for label in labels]) if labels else ""
        shown = common if len(members) > 1 else str(labels[0])
        contents.exports.append(Export(name, tuple(file for file, _ in members), shown))
    return contents


def _join(prefix: str, rest: str) -> str:
    return f"{prefix}/{rest}" if prefix else rest


def _head(path: Path, size: int | None = None) -> bytes:
    from reciprocity.ingest import HEAD_BYTES

    with path.open("rb") as fh:
        return fh.read(HEAD_BYTES if size is None else size)


# How media files begin: JPEG, PNG, GIF, WebP/WAV (RIFF), MP4/MOV/HEIC (ftyp at 4),
# Ogg/Opus, PDF, MP3 (ID3), Matroska/WebM. None is how any export's text begins.
_MEDIA_MAGIC = (
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"RIFF",
    b"OggS",
    b"%PDF-",
    b"ID3",
    b"\x1a\x45\xdf\xa3",
)


def _is_media(start: bytes) -> bool:
    """Whether a file's first bytes are a photo's, a video's, a sound's or a PDF's, so
    that the 64 KiB the formats' detection reads need not be read from it."""
    return start.startswith(_MEDIA_MAGIC) or start[4:8] == b"ftyp"


def _is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(ZIP_MAGIC)) == ZIP_MAGIC
    except OSError:
        return False


def _safe_parts(name: str) -> list[str] | None:
    """The parts of a member's name as a relative path, or None when it is not a plain
    relative path (``..``, absolute, a drive, empty parts only)."""
    parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts or any(part == ".." or ":" in part or "\x00" in part for part in parts):
        return None
    if name.startswith(("/", "\\")):
        return None
    return parts


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its maker meant it: zips made on a Mac or by Info-ZIP write
    UTF-8 names without the flag that says so, which :mod:`zipfile` then reads as CP437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _too_big(source: str, why: str) -> ImportFailed:
    return ImportFailed.one(
        source,
        None,
        f"{why}: more than an archive of exports holds (the limits are "
        f"{MAX_UNPACKED_BYTES // 1024**3} GB unpacked, {MAX_MEMBERS:,} files, "
        f"{MAX_CHAT_BYTES // 1024**3} GB per file and {MAX_RATIO} times its packed size); "
        "the zip is damaged or built to exhaust the disk. Unzip it yourself and import "
        "the folder",
    )


def _unpack(file: Path, into: Path, source: str) -> None:
    """Unpack the zip ``file`` into the empty folder ``into``, within the caps."""
    try:
        with zipfile.ZipFile(file) as archive:
            infos = member_files(archive)
            if len(infos) > MAX_MEMBERS:
                raise _too_big(source, f"the zip holds {len(infos):,} files")
            declared = sum(info.file_size for info in infos)
            if declared > MAX_UNPACKED_BYTES:
                raise _too_big(source, f"the zip unpacks to {declared / 1e9:,.1f} GB")
            total = 0
            for info in infos:
                total += _unpack_member(archive, info, into, source, MAX_UNPACKED_BYTES - total)
    except ImportFailed:
        raise
    except _ZIP_ERRORS as error:
        raise ImportFailed.one(
            source,
            None,
            f"the zip is damaged, incomplete or password-protected ({error}); download or "
            "export it again, or unzip it yourself and import the folder",
        ) from None


def _unpack_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path, source: str, room: int
) -> int:
    """Copy one member out, refusing it past its caps; returns the bytes written."""
    parts = _safe_parts(_member_name(info))
    if parts is None or parts[0] in _IGNORED_FOLDERS:
        return 0
    target = into.joinpath(*parts)
    if into not in target.parents:
        return 0
    if info.file_size > MAX_CHAT_BYTES:
        raise _too_big(source, f"{info.filename} unpacks to {info.file_size / 1e9:,.1f} GB")
    packed = max(1, info.compress_size)
    limit = min(MAX_CHAT_BYTES, room, max(RATIO_GRACE_BYTES, MAX_RATIO * packed))
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = 0
    try:
        out = target.open("xb")
    except (FileExistsError, IsADirectoryError, NotADirectoryError):
        return 0  # a second member of the same name: the first one stays
    with out, archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                raise _too_big(source, f"{info.filename} unpacks to more than it declared")
            out.write(chunk)
    return written
