"""A big export parsed in a process of its own, beside the save.

An import parses on one thread while the save (fingerprints, act detection, SQLite) runs on
others. Where the parser's work is mostly Python (the JSON exports: Messenger, Instagram,
Discord), the two take turns holding the interpreter lock, and on two cores a 1M-message
import took about twice as long as the save alone. A file of :data:`MIN_BYTES` or more of
such a format is therefore parsed by a separate process: its batches come back as Arrow IPC
bytes through a pipe, one at a time (the parsing process waits while the pipe is full, so
memory stays bounded), and so do the notes it made (:meth:`.ingest.Options.note`) and the
problem that stopped it. Smaller files are parsed on a thread as before: starting a process
and importing Polars in it costs about a second.

Half of that second need not be waited for. ``reciprocity import BIG_FILE`` starts the
parsing process as the command starts (:func:`start_early`, before the command itself has
loaded its libraries), so the two load side by side on two cores, and the first batch
comes half a second sooner. A process started early and never given a file (the file was
parsed here after all) reads the end of its input and stops. This module loads nothing
heavy until a batch is asked for, so that it can be the first thing the command loads.
"""

from __future__ import annotations

import atexit
import io
import os
import pickle
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from reciprocity.errors import ImportFailed

if TYPE_CHECKING:
    import polars as pl

    from reciprocity import ingest

__all__ = ["EARLY_BYTES", "MIN_BYTES", "batches_apart", "start_early", "worth_it"]

#: Files (all of one export's files together) at least this big are parsed apart, unless
#: their format's parser sets its own ``PARSE_APART_BYTES`` (a parser slow for its size
#: gains from a process of its own on smaller files).
MIN_BYTES = 128 * 1024 * 1024
_STOPPED = (
    "the process reading this file stopped before the end (it may have run out of memory); "
    "nothing was saved. Try again, with fewer programs open"
)

#: The smallest file that some format parses apart (Signal's ``PARSE_APART_BYTES``):
#: ``reciprocity import`` starts a parsing process early for a file of this size or more.
EARLY_BYTES = 64 * 1024 * 1024

Make = Callable[..., Iterator["pl.DataFrame"]]
#: The process :func:`start_early` started and no import has taken yet.
_early: subprocess.Popen[bytes] | None = None


def worth_it(format: str, paths: list[Path]) -> bool:
    """True when ``paths`` in ``format`` are big enough, and parsed by enough Python, to be
    parsed in a process of their own."""
    from reciprocity import ingest

    module = ingest.FORMATS.get(format)
    if not getattr(module, "PARSE_APART", False):
        return False
    least = getattr(module, "PARSE_APART_BYTES", MIN_BYTES)
    try:
        return sum(path.stat().st_size for path in paths) >= least
    except OSError:
        return False  # the parser says what is wrong with the file


def start_early(argv: list[str]) -> None:
    """Start the parsing process now when ``argv`` (the command line) imports a file of
    :data:`EARLY_BYTES` or more, for :func:`batches_apart` to take; else do nothing.

    Only a look at the words and the files' sizes: the command's own parsing of its
    arguments, its format detection and its errors come later, as for any import. A
    process left untaken is ended when this one exits.
    """
    global _early
    if _early is not None or "import" not in argv[1:]:
        return
    words = argv[argv.index("import", 1) + 1 :]
    try:
        big = any(os.path.isfile(w) and os.path.getsize(w) >= EARLY_BYTES for w in words)
    except (OSError, ValueError):
        return
    if big:
        _early = _start()
        if _early is not None:
            atexit.register(_end_early)


def _start() -> subprocess.Popen[bytes] | None:
    """A fresh interpreter running :func:`_child`, with this one's module path; ``None``
    where one cannot be started."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        return subprocess.Popen(
            [sys.executable, "-c", "from reciprocity.parse_apart import _child; _child()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=environment,
        )
    except OSError:
        return None


def _take_early() -> subprocess.Popen[bytes] | None:
    """The process :func:`start_early` started, once, if it is still waiting for a file."""
    global _early
    child, _early = _early, None
    if child is not None and child.poll() is not None:
        child.wait()
        return None
    return child


def _end_early() -> None:
    """Let an untaken early process read the end of its input and stop."""
    child = _take_early()
    if child is None:
        return
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            stream.close()
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def batches_apart(
    make: Make, args: tuple[Any, ...], options: ingest.Options, source: str
) -> Iterator[pl.DataFrame]:
    """``make(*args)``'s batches (``args`` ending with ``options``), made by a process of
    their own; the notes that process makes are added to ``options``. A problem it finds
    is raised here, where the batch would have come; so is its stopping before the end
    (killed for its memory, say), as a problem of ``source``.

    The process is a fresh interpreter running :func:`_child` (not :mod:`multiprocessing`,
    which would run the calling script again in it when that script does not guard its
    code with ``if __name__ == "__main__"``), with this one's module path: the one
    :func:`start_early` started, if any. Where none can be started, the batches are made
    here instead."""
    import polars as pl

    child = _take_early() or _start()
    if child is None:
        yield from make(*args)
        return
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        with child.stdin:
            pickle.dump((make, args), child.stdin)
        while True:
            try:
                kind, payload = _receive(child.stdout)
            except EOFError:
                raise ImportFailed.one(source, None, _STOPPED) from None
            if kind == "batch":
                yield pl.read_ipc(io.BytesIO(payload))
            elif kind == "end":
                notes, groups = payload
                for note in notes:
                    options.note(note)
                for source_, conversation in groups:
                    options.group(source_, conversation)
                return
            else:
                raise payload
    finally:
        child.stdout.close()
        if child.poll() is None:
            child.terminate()
        child.wait()


def _child() -> None:
    """The parsing process: make the batches asked for on standard input and write each,
    then the notes and the chats it found to be groups, or the problem, to standard output."""
    out = sys.stdout.buffer
    try:
        # Loaded before the file is asked for: a process started early does it meanwhile.
        from reciprocity import ingest  # noqa: F401

        make, args = pickle.load(sys.stdin.buffer)
    except (EOFError, KeyboardInterrupt):
        return  # started early and not needed, or the import was stopped
    options = args[-1]
    try:
        for batch in make(*args):
            buffer = io.BytesIO()
            batch.write_ipc(buffer, compression="uncompressed")
            _send(out, ("batch", buffer.getvalue()))
        _send(out, ("end", (list(options.notes or ()), list(options.groups or ()))))
    except Exception as exc:  # raised in the importing process
        _send(out, ("error", exc))
    except KeyboardInterrupt:  # the import was stopped: so is this
        pass


_LENGTH = struct.Struct("<Q")


def _send(out: IO[bytes], message: tuple[str, Any]) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_LENGTH.pack(len(data)))
    out.write(data)
    out.flush()


def _receive(stream: IO[bytes]) -> tuple[str, Any]:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    kind, payload = pickle.loads(data)
    return str(kind), payload
