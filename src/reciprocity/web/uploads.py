"""Uploaded files: a private folder of the app's own, and a form streamed into it.

Layout: ``BASE/PID-xxxx/`` (0700), one per running app, and in it one folder per upload.
An app removes its own folder when it stops and each upload's folder when its import ends;
on start it removes the folders of apps that are no longer running (a server that was
killed leaves its uploads behind, and they hold someone's messages).

The form is read from the request's stream (:func:`receive`) with python-multipart's
parser, writing the file straight into its folder: nothing goes through the system's
shared temporary folder, and the body's size was bounded before it arrived
(:mod:`.guard`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import Field, File, FormParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

__all__ = [
    "BadUpload",
    "Upload",
    "UploadFolder",
    "default_base",
    "private_folder",
    "receive",
    "safe_file_name",
]

_UNSAFE_IN_NAME = re.compile(r"[^\w .,'()&+-]")
"""What an uploaded file's name may not keep: letters of every script, digits and a few
marks stay (a WhatsApp export is named after the chat: "Chloé" stays "Chloé")."""

#: A text field of the upload form (a name, a time zone) longer than this is refused.
FIELD_LIMIT = 1000

#: On systems where another process's life cannot be asked cheaply, a folder this old is
#: taken for a leftover.
_STALE_S = 24 * 3600


def default_base() -> Path:
    """Where uploads wait for their import: the user's cache folder, not the shared /tmp."""
    from platformdirs import user_cache_path

    return user_cache_path("reciprocity", appauthor=False) / "uploads"


def safe_file_name(uploaded: str | None) -> str:
    """An uploaded file's name, safe to use as a file name in our own folder and to show.

    The folders in it are dropped, as are characters a path could misread; letters of every
    script stay. Never empty, never a dot name (``..``). Shown escaped, like any import.

    >>> safe_file_name("../../WhatsApp Chat with Chloé.txt")
    'WhatsApp Chat with Chloé.txt'
    >>> safe_file_name("..")
    'export'
    """
    base = (uploaded or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_IN_NAME.sub("_", base)[:120].lstrip(". ")
    return name or "export"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _leftover(folder: Path) -> bool:
    """Whether ``folder`` (named ``PID-...``) belongs to an app that is no longer running."""
    pid = folder.name.split("-", 1)[0]
    if os.name == "posix" and pid.isdigit():
        return not _running(int(pid))
    # Elsewhere signal 0 is not a question; go by age.
    try:
        return time.time() - folder.stat().st_mtime > _STALE_S
    except OSError:
        return False


def _private(folder: Path) -> None:
    """Make ``folder`` (and its parents) exist, owned by us and readable by us only."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        info = folder.stat()
        if info.st_uid != os.getuid():
            raise PermissionError(f"{folder} belongs to another account; not using it")
        if stat.S_IMODE(info.st_mode) != 0o700:
            folder.chmod(0o700)


class UploadFolder:
    """This app's private upload folder under ``base`` (made now, leftovers removed)."""

    def __init__(self, base: Path) -> None:
        _private(base)
        for child in base.iterdir():
            if child.is_dir() and not child.is_symlink() and _leftover(child):
                shutil.rmtree(child, ignore_errors=True)
        #: the folder of this app (0700, made by ``mkdtemp``)
        self.path = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base))

    def new(self) -> Path:
        """A new, empty folder for one upload."""
        self.path.mkdir(mode=0o700, exist_ok=True)  # in case someone removed it meanwhile
        return Path(tempfile.mkdtemp(dir=self.path))

    def close(self) -> None:
        """Remove this app's folder and every upload still in it."""
        shutil.rmtree(self.path, ignore_errors=True)


def private_folder(base: Path | None = None) -> UploadFolder:
    """The app's upload folder under ``base`` (default :func:`default_base`); when that
    cannot be made ours (a home folder that cannot be written), a new private folder in
    the system's temporary folder (0700, a name no one can guess)."""
    try:
        return UploadFolder(base if base is not None else default_base())
    except OSError:
        if base is not None:
            raise
        return UploadFolder(Path(tempfile.mkdtemp(prefix="reciprocity-uploads-")))


class BadUpload(ValueError):
    """The form did not arrive as expected; the message says what to do, in plain words."""


@dataclass
class Upload:
    """One uploaded file in its own folder, with the form's other fields."""

    folder: Path
    path: Path
    name: str
    fields: dict[str, str] = field(default_factory=dict)


async def receive(request: Request, folder: Path, *, file_field: str = "export") -> Upload:
    """Read the multipart form of ``request`` into ``folder``: the file of ``file_field``
    under its safe name (:func:`safe_file_name`), the other fields as text.

    Raises :class:`BadUpload` when the form is not one, has no file, or breaks off; a
    :class:`~reciprocity.web.guard.TooLarge` from the size check passes through. The
    caller removes ``folder`` in every case.
    """
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadUpload("The file did not arrive as a file upload. Use the form on the page.")
    files: list[File] = []
    fields: dict[str, str] = {}
    problems: list[str] = []

    def on_field(part: Field) -> None:
        value = (part.value or b"").decode("utf-8", errors="replace")
        if len(value) > FIELD_LIMIT:
            problems.append("One of the form's boxes holds far too much text.")
        name = (part.field_name or b"").decode("utf-8", errors="replace")
        fields[name] = value

    def on_file(part: File) -> None:
        files.append(part)

    parser = FormParser(
        "multipart/form-data",
        on_field,
        on_file,
        boundary=boundary,
        # Straight to our folder: nothing is kept in memory or put in the shared /tmp.
        config={"UPLOAD_DIR": str(folder), "MAX_MEMORY_FILE_SIZE": 0, "UPLOAD_DELETE_TMP": False},
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except (FormParserError, ClientDisconnect) as exc:
        raise BadUpload("The file did not arrive whole. Try again.") from exc
    finally:
        for part in files:
            with contextlib.suppress(OSError):
                part.close()
    if problems:
        raise BadUpload(problems[0])
    chosen = next((f for f in files if (f.field_name or b"").decode() == file_field), None)
    if chosen is None:
        raise BadUpload("No file came with the form. Choose the export file and try again.")
    name = safe_file_name((chosen.file_name or b"").decode("utf-8", errors="replace"))
    # Only our own name for the file: the uploaded one reduced to safe characters (it
    # carries the chat's title for WhatsApp); an export's archive is read in memory by its
    # parser, and a zip of several exports is unpacked, within caps, into a private folder
    # inside this one (reciprocity.ingest.containers), removed with it.
    target = folder / name
    if chosen.actual_file_name is None:  # an empty file stays in memory
        target.write_bytes(b"")
    else:
        os.replace(os.fsdecode(chosen.actual_file_name), target)
    return Upload(folder=folder, path=target, name=name, fields=fields)
