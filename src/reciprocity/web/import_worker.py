"""One web import's work: read the upload into the store, then analyse it.

:func:`run` is what :class:`~.imports.Imports` has done for each upload, on a worker thread
of the app (the one-person app) or in a worker process at a lower priority (server mode:
:func:`lower_priority`), so that reading a large chat, which holds Python's lock most of
the time, never slows the pages other people are reading. It returns plain data
(:class:`Finished`) and says how far it got through ``progress``: a function in a thread,
a small file (:func:`progress_file`) across processes, which the app reads back
(:func:`read_progress`).

In a process, the analysis is run here too (:func:`reciprocity.pipeline.prepare`, whose
results the store keeps), so the app only reads the finished figures back afterwards.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reciprocity import ingest, pipeline, store
from reciprocity.errors import ReciprocityError
from reciprocity.web.forms import problem_text

__all__ = [
    "NICE",
    "UNEXPECTED",
    "Finished",
    "Part",
    "Task",
    "lower_priority",
    "progress_file",
    "read_progress",
    "run",
    "run_in_process",
]

NICE = 10
"""How much lower than the app's the worker processes' priority is: when the cores are
busy, the pages' work goes first (a page needs milliseconds, an import seconds)."""

UNEXPECTED = (
    "Something went wrong while reading this file, and nothing was saved. "
    "Try again; if it happens again, the file may be damaged."
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Part:
    """One export of an uploaded zip that held several: its place in the zip, and what
    its import saved or why it saved nothing."""

    label: str
    format: str = ""
    result: store.ImportResult | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Task:
    """What to import: the upload's file into the store at ``location`` (a file path or a
    URL), with the form's choices."""

    location: str
    path: Path
    folder: Path
    me: str | None
    timezone: str | None
    format: str


@dataclass
class Finished:
    """What an import did: its result (``None``: it failed, ``error`` says why), the app's
    name (``format``, as the pipeline names it), seconds, notes, and for a zip of several
    exports, each one's :class:`Part` and the files nothing reads (``skipped``). Names
    the saved upload by its path; the app puts the sender's name back."""

    result: store.ImportResult | None = None
    format: str = ""
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    error: str | None = None
    parts: list[Part] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    analysed: bool = False


Progress = Callable[[int, str, str], None]
"""Told (messages read so far, the export being read, "reading"), then (messages saved,
the export, "analysing")."""


def run(
    task: Task, progress: Progress, *, analyse: bool, db: store.Database | None = None
) -> Finished:
    """Import ``task`` into ``db`` (default: the store at ``task.location``, opened here
    and closed after); with ``analyse``, also work the figures out when it added
    messages. Never raises: a problem is the returned ``error``."""
    counted = 0
    reading = ""

    def on_batch(messages: int) -> None:
        nonlocal counted
        counted += messages
        progress(counted, reading, "reading")

    def on_export(number: int, count: int, label: str) -> None:
        nonlocal reading
        reading = f"{label} ({number} of {count})"
        progress(counted, reading, "reading")

    options = ingest.Options(timezone=task.timezone)
    try:
        with contextlib.ExitStack() as stack:
            if db is None:
                db = stack.enter_context(store.open_db(task.location))
            if pipeline.is_container(task.path):
                done = _container(db, task, options, on_batch, on_export)
            else:
                outcome = pipeline.import_file(
                    db,
                    task.path,
                    me=task.me,
                    format=task.format,
                    options=options,
                    on_batch=on_batch,
                )
                done = Finished(
                    outcome.result, outcome.format, outcome.timings.total, outcome.notes
                )
            added = done.result is not None and (
                done.result.messages_added or done.result.reactions_added
            )
            if analyse and added and done.result is not None:
                progress(done.result.messages_added, reading, "analysing")
                try:
                    pipeline.prepare(db)
                    done.analysed = True
                except Exception:  # the app analyses again, and says what went wrong
                    log.exception("analysis after an import failed")
            return done
    except ReciprocityError as problem:
        return Finished(error=problem_text(problem))
    except Exception:  # a bug: said in plain words here, the details in the log
        log.exception("import of an uploaded file failed")
        return Finished(error=UNEXPECTED)


def _container(
    db: store.Database,
    task: Task,
    options: ingest.Options,
    on_batch: Callable[[int], None],
    on_export: Callable[[int, int, str], None],
) -> Finished:
    """Every export of an uploaded zip that holds several; raises what
    :func:`~reciprocity.pipeline.import_container` raises when it cannot be read."""
    result = pipeline.import_container(
        db,
        task.path,
        me=task.me,
        format=task.format,
        options=options,
        on_batch=on_batch,
        on_export=on_export,
        unpack_in=task.folder,
    )
    done = Finished(format="")
    for export in result.exports:
        label = export.label or task.path.name  # an export made of the whole upload
        if export.outcome is not None:
            done.parts.append(
                Part(label, export.format, export.outcome.result, notes=export.outcome.notes)
            )
            done.seconds += export.outcome.timings.total
        else:
            text = problem_text(export.error) if export.error else UNEXPECTED
            done.parts.append(Part(label, export.format, error=text))
    done.skipped = [(item.label, item.reason) for item in result.skipped]
    results = [part.result for part in done.parts if part.result is not None]
    done.result = _summed(results)
    return done


def _summed(results: list[store.ImportResult]) -> store.ImportResult:
    """The imports of one upload's exports, added up, for the summary line."""
    return store.ImportResult(
        messages_seen=sum(r.messages_seen for r in results),
        messages_added=sum(r.messages_added for r in results),
        duplicates=sum(r.duplicates for r in results),
        conversations=sum(r.conversations for r in results),
        people_added=sum(r.people_added for r in results),
        me=next((r.me for r in results if r.me), None),
        reactions_seen=sum(r.reactions_seen for r in results),
        reactions_added=sum(r.reactions_added for r in results),
    )


def lower_priority() -> None:
    """Start of a worker process: below the app's priority (see :data:`NICE`)."""
    os.nice(NICE)


def progress_file(task: Task) -> Path:
    """Where a worker process writes how far ``task`` got."""
    return task.folder / "progress.json"


def run_in_process(task: Task) -> Finished:
    """:func:`run` in a worker process, analysing too, its progress written to
    :func:`progress_file` (replaced whole each time, so a reader never sees half)."""
    target = progress_file(task)
    part = target.with_suffix(".part")

    def progress(messages: int, reading: str, stage: str) -> None:
        part.write_text(json.dumps([messages, reading, stage]), "utf-8")
        part.replace(target)

    return run(task, progress, analyse=True)


def read_progress(task: Task) -> tuple[int, str, str] | None:
    """What :func:`run_in_process` last wrote of ``task`` (``None``: nothing yet)."""
    try:
        messages, reading, stage = json.loads(progress_file(task).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return int(messages), str(reading), str(stage)
