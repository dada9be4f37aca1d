"""Imports from the web app: on a bounded pool of worker threads, off the request path.

An upload is saved to its own folder (:mod:`.uploads`) and handed to :class:`Imports`,
which runs :func:`reciprocity.pipeline.import_file` on it on a worker thread, so every
other page keeps answering while a large chat is read (before, one import held a request,
and a zip bomb froze the whole app). A :class:`Job` says how far it got; the import page
polls it. A job's folder is removed when it ends, done or not.

Each job belongs to an *owner* (the account in server mode; one owner, ``""``, for the
one-person app) and only its owner sees it. One owner's imports run one at a time, in
order, with at most :data:`WAITING` waiting behind the running one; the workers (one for
the one-person app, :data:`SERVER_WORKERS` in server mode) take owners in turn, so an
account that sends ten files does not keep another's one file waiting behind them. At most
:data:`WAITING_IN_ALL` uploads wait in all; more are refused before their file is read.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import shutil
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

from reciprocity import ingest, pipeline, store, words
from reciprocity.errors import ReciprocityError
from reciprocity.web.forms import problem_text
from reciprocity.web.state import State
from reciprocity.web.uploads import Upload, UploadFolder

__all__ = ["SERVER_WORKERS", "WAITING", "WAITING_IN_ALL", "Imports", "Job", "Part"]

WAITING = 2
"""Uploads of one owner that may wait behind its running import (each holds its file)."""

WAITING_IN_ALL = 16
"""Uploads that may wait in all (each holds its file on disk, up to the upload limit)."""

SERVER_WORKERS = 2
"""Imports running at once in server mode: two of the machine's cores, the rest for pages."""

#: Finished jobs remembered, so a page that polls late still gets the answer.
_KEPT = 20

_UNEXPECTED = (
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


@dataclass
class Job:
    """One import: waiting, reading (with the messages read so far), analysing (its
    messages are saved; the figures are being worked out), done or failed.

    An upload that holds several exports (a zip of them) has one :class:`Part` per
    export in ``parts`` and the files nothing reads in ``skipped`` (their places in it,
    each with why); ``reading`` names the export being read.
    """

    id: str
    name: str
    #: whose import it is: the account in server mode, "" in the one-person app
    owner: str = ""
    state: Literal["waiting", "reading", "analysing", "done", "failed"] = "waiting"
    #: messages read so far
    messages: int = 0
    started: float = field(default_factory=time.monotonic)
    result: store.ImportResult | None = None
    format: str = ""
    seconds: float = 0.0
    error: str | None = None
    notes: tuple[str, ...] = ()
    parts: list[Part] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    reading: str = ""

    @property
    def finished(self) -> bool:
        """Whether the import is over (done or failed)."""
        return self.state in ("done", "failed")

    @property
    def elapsed(self) -> float:
        """Seconds since the upload arrived."""
        return time.monotonic() - self.started

    def read(self, messages: int) -> None:
        """Count ``messages`` more messages read (the pipeline's ``on_batch``)."""
        self.messages += messages


class Imports:
    """The workers that run the web app's imports, and their jobs (see the module's text)."""

    def __init__(
        self,
        uploads: UploadFolder,
        *,
        waiting: int = WAITING,
        workers: int = 1,
        waiting_in_all: int = WAITING_IN_ALL,
    ) -> None:
        self.uploads = uploads
        self.waiting = waiting
        self.workers = workers
        self.waiting_in_all = waiting_in_all
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="reciprocity-import"
        )
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        # Per owner, the imports waiting their turn; owners in the order they are served.
        self._queues: OrderedDict[str, deque[Callable[[], None]]] = OrderedDict()
        self._busy: set[str] = set()
        # When each owner with imports waiting or running was last served (a turn number).
        self._served: dict[str, int] = {}
        self._turns = itertools.count()
        self._lock = threading.Lock()

    def running(self, owner: str = "") -> list[Job]:
        """``owner``'s jobs not finished yet, oldest first."""
        with self._lock:
            return [job for job in self._jobs.values() if job.owner == owner and not job.finished]

    def full(self, owner: str = "") -> bool:
        """Whether a new upload of ``owner`` would have to be refused (its own queue full,
        or everyone's)."""
        with self._lock:
            unfinished = [job for job in self._jobs.values() if not job.finished]
        mine = sum(job.owner == owner for job in unfinished)
        return mine > self.waiting or len(unfinished) >= self.waiting_in_all + self.workers

    def get(self, job_id: str, owner: str = "") -> Job | None:
        """``owner``'s job with this id, while it is remembered (another owner's: none)."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def submit(
        self,
        state: State,
        upload: Upload,
        *,
        me: str | None,
        timezone: str | None,
        format: str,
        owner: str = "",
    ) -> Job:
        """Queue the import of ``upload`` into the database ``state`` shows now."""
        job = Job(id=secrets.token_urlsafe(9), name=upload.name, owner=owner)
        state = state.here()  # the account's own State: the worker runs outside the request
        db = state.db
        with self._lock:
            self._jobs[job.id] = job
            finished = [key for key, old in self._jobs.items() if old.finished]
            for key in finished[: max(0, len(finished) - _KEPT)]:
                del self._jobs[key]
            queue = self._queues.setdefault(owner, deque())
            queue.append(lambda: self._run(job, state, db, upload, me, timezone, format))
        self._dispatch()
        return job

    def _dispatch(self) -> None:
        """Start the next owners' imports while workers are free: owners in turn, one
        running import per owner."""
        with self._lock:
            while len(self._busy) < self.workers:
                ready = [o for o, q in self._queues.items() if q and o not in self._busy]
                if not ready:
                    return
                # The owner served longest ago goes first (one never served, before all).
                owner = min(ready, key=lambda o: self._served.get(o, -1))
                self._served[owner] = next(self._turns)
                task = self._queues[owner].popleft()
                self._busy.add(owner)
                self._pool.submit(self._turn, owner, task)

    def _turn(self, owner: str, task: Callable[[], None]) -> None:
        try:
            task()
        finally:
            with self._lock:
                self._busy.discard(owner)
                if not self._queues.get(owner):
                    self._queues.pop(owner, None)
                    self._served.pop(owner, None)
            self._dispatch()

    def _run(
        self,
        job: Job,
        state: State,
        db: store.Database,
        upload: Upload,
        me: str | None,
        timezone: str | None,
        format: str,
    ) -> None:
        job.state = "reading"
        outcome: pipeline.ImportOutcome | None = None
        error: str | None = None
        options = ingest.Options(timezone=timezone)
        try:
            if pipeline.is_container(upload.path):
                self._run_container(job, state, db, upload, me, options, format)
                return
            outcome = pipeline.import_file(
                db, upload.path, me=me, format=format, options=options, on_batch=job.read
            )
        except ReciprocityError as problem:
            error = _named(problem_text(problem), upload)
        except Exception:  # a bug: said in plain words here, the details in the log
            log.exception("import of an uploaded file failed")
            error = _UNEXPECTED
        finally:
            # Before the job says it is over: by then its file is gone.
            shutil.rmtree(upload.folder, ignore_errors=True)
        if outcome is None:
            job.error = error or _UNEXPECTED
            job.state = "failed"
            return
        state.changed()
        job.result = outcome.result
        job.format = words.app(outcome.format)
        job.seconds = outcome.timings.total
        job.notes = tuple(_named(note, upload) for note in outcome.notes)
        _analyse(job, state, db)
        job.state = "done"

    def _run_container(
        self,
        job: Job,
        state: State,
        db: store.Database,
        upload: Upload,
        me: str | None,
        options: ingest.Options,
        format: str,
    ) -> None:
        """Import every export of an uploaded zip that holds several; raises what
        :func:`~reciprocity.pipeline.import_container` raises when it cannot be read."""

        def on_export(number: int, count: int, label: str) -> None:
            job.reading = f"{label} ({number} of {count})"

        result = pipeline.import_container(
            db,
            upload.path,
            me=me,
            format=format,
            options=options,
            on_batch=job.read,
            on_export=on_export,
            unpack_in=upload.folder,
        )
        for export in result.exports:
            app = words.app(export.format)
            label = export.label or upload.name  # an export made of the whole upload
            if export.outcome is not None:
                notes = tuple(_named(note, upload) for note in export.outcome.notes)
                job.parts.append(Part(label, app, export.outcome.result, notes=notes))
                job.seconds += export.outcome.timings.total
            else:
                text = problem_text(export.error) if export.error else _UNEXPECTED
                job.parts.append(Part(label, app, error=_named(text, upload)))
        job.skipped = [(item.label, item.reason) for item in result.skipped]
        if any(part.result is not None for part in job.parts):
            state.changed()
        job.result = _summed([part.result for part in job.parts if part.result is not None])
        _analyse(job, state, db)
        job.state = "done"

    def close(self) -> None:
        """Drop the waiting imports and remove the upload folder (the app is stopping)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.uploads.close()


def _analyse(job: Job, state: State, db: store.Database) -> None:
    """Work out the figures after an import that added messages, while the import box
    says so, rather than on the next page the user opens (seconds for a large chat)."""
    added = job.result is not None and (job.result.messages_added or job.result.reactions_added)
    if not added or state.db is not db:
        return
    job.state = "analysing"
    try:
        state.data()
    except Exception:  # the next page tries again and shows what went wrong
        log.exception("analysis after an import failed")


def _named(text: str, upload: Upload) -> str:
    """``text`` naming the upload as its sender named it, not as the app saved it."""
    return text.replace(str(upload.path), upload.name)


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
