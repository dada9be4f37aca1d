"""Files only the user can read: the data folder 0700, the database and what it writes 0600.

A chat history is as private as data gets, and the machine may have other accounts. Python
and SQLite create files 0644 (readable by everyone) under the usual umask 022, so every
file Reciprocity writes with the user's data goes through here instead:

- :func:`private_folder` creates the folders it needs 0700 (what the XDG base directory
  specification asks of a data folder); a folder that is already there keeps its mode,
  except the default data folder, which is ours alone and is tightened (:func:`tighten`).
- :func:`create_private` creates the database file empty, 0600, before SQLite opens it (an
  empty file is an empty database). SQLite gives its write-ahead log, shared-memory index
  and rollback journal the database file's own mode, so they are 0600 as well.
- :func:`private_writer` opens a report or an export 0600 from its first byte: no moment
  exists when the file is on disk with data and readable by others.

The mode is set at creation (``os.open``'s mode) rather than with a process-wide
``umask``, which other threads would see changing under them.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import IO

__all__ = [
    "COMPANIONS",
    "FILE_MODE",
    "FOLDER_MODE",
    "create_private",
    "private_folder",
    "private_writer",
    "tighten",
]

FILE_MODE = 0o600
"""Read and write for the owner, nothing for anyone else."""
FOLDER_MODE = 0o700
"""The owner may list, enter and write; nobody else may."""
COMPANIONS = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a database file, by the suffix it adds to its name."""


def private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing folder above it, each 0700. Folders already
    there are left as they are (a user's own folder is theirs to set)."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # created meanwhile by another process
        # mkdir's mode is filtered by the umask; an unusual umask (077 is fine, 002 not)
        # would otherwise leave it wider.
        os.chmod(path, FOLDER_MODE)


def tighten(path: Path, mode: int = FILE_MODE) -> None:
    """Take away what others may do with ``path`` when it exists (``mode`` is the most it
    keeps): a database or folder created before Reciprocity made them private."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if current & ~mode:
        # Best effort: a file of another account's (opened to read) is theirs to set.
        with contextlib.suppress(PermissionError):
            os.chmod(path, current & mode)


def create_private(path: Path) -> None:
    """Make sure the database file ``path`` and its companions are 0600: create the file
    empty when it does not exist yet, and tighten it and its companions when they do."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path)
    else:
        os.close(handle)
        os.chmod(path, FILE_MODE)  # whatever the umask
    for suffix in COMPANIONS:
        tighten(path.with_name(path.name + suffix))


def private_writer(path: Path) -> IO[str]:
    """``path`` opened for writing text (UTF-8) from scratch, 0600 before anything is
    written: a new file is created so, and an existing one is tightened and emptied."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        if hasattr(os, "fchmod"):  # not on Windows, where the mode means little
            os.fchmod(handle, FILE_MODE)
        return os.fdopen(handle, "w", encoding="utf-8", newline="")
    except BaseException:
        os.close(handle)
        raise
