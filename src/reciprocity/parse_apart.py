"""A big export parsed in a process of its own, beside the save.

An import parses on one thread while the save (fingerprints, act detection, SQLite) runs on
others. Where the parser's work is mostly Python (the JSON exports: Messenger, Instagram,
Discord), the two take turns holding the interpreter lock, and on two cores a 1M-message
import took about twice as long as the save alone. A file of :data:`MIN_BYTES` or more of
such a format is therefore parsed by a separate process: its batches come back as Arrow IPC
bytes through a pipe, one at a time (the pipe holds no more than one batch, so memory stays
bounded), and so do the notes it made (:meth:`~reciprocity.ingest.Options.note`) and the
problem that stopped it. Smaller files are parsed on a thread as before: starting a process
and importing Polars in it costs about a second.
"""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import polars as pl

from reciprocity import ingest

__all__ = ["MIN_BYTES", "batches_apart", "worth_it"]

#: Files (all of one export's files together) at least this big are parsed apart.
MIN_BYTES = 128 * 1024 * 1024

Make = Callable[..., Iterator[pl.DataFrame]]


def worth_it(format: str, paths: list[Path]) -> bool:
    """True when ``paths`` in ``format`` are big enough, and parsed by enough Python, to be
    parsed in a process of their own."""
    module = ingest.FORMATS.get(format)
    if not getattr(module, "PARSE_APART", False):
        return False
    try:
        return sum(path.stat().st_size for path in paths) >= MIN_BYTES
    except OSError:
        return False  # the parser says what is wrong with the file


def batches_apart(
    make: Make, args: tuple[Any, ...], options: ingest.Options
) -> Iterator[pl.DataFrame]:
    """``make(*args)``'s batches (``args`` ending with ``options``), made by a process of
    their own; the notes that process makes are added to ``options``. A problem it finds
    is raised here, where the batch would have come.

    Where no process can be started (a daemonic worker process cannot have children), the
    batches are made here instead."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_produce, args=(sender, make, args), name="reciprocity-parse", daemon=True
    )
    try:
        child.start()
    except (AssertionError, OSError):
        receiver.close()
        sender.close()
        yield from make(*args)
        return
    sender.close()
    try:
        while True:
            kind, payload = receiver.recv()
            if kind == "batch":
                yield pl.read_ipc(io.BytesIO(payload))
            elif kind == "end":
                for note in payload:
                    options.note(note)
                return
            else:
                raise payload
    except EOFError:
        raise RuntimeError("the process reading the file stopped unexpectedly") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _produce(sender: Connection, make: Make, args: tuple[Any, ...]) -> None:
    """In the parsing process: send each batch, then the notes, or the problem."""
    options = args[-1]
    try:
        for batch in make(*args):
            buffer = io.BytesIO()
            batch.write_ipc(buffer, compression="uncompressed")
            sender.send(("batch", buffer.getvalue()))
        sender.send(("end", list(options.notes or ())))
    except Exception as exc:  # sent to the importing process, which raises it
        sender.send(("error", exc))
    finally:
        sender.close()
