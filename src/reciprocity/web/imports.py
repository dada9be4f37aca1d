"""Imports from the web app: on a bounded pool of workers, off the request path.

An upload is saved to its own folder (:mod:`.uploads`) and handed to :class:`Imports`,
which runs :func:`reciprocity.web.import_worker.run` on it on a worker thread, so every
other page keeps answering while a large chat is read (before, one import held a request,
and a zip bomb froze the whole app). In server mode (``processes``) each worker thread
hands the import, and the analysis after it, to a worker process at a lower priority, so
that many people's pages never queue behind an import for Python's lock or the cores; the
app then only reads the finished figures back. While an account's import runs its pages
show the figures from before, marked as being updated (:meth:`.state.State.importing`).
A :class:`Job` says how far it got; the import page polls it. A job's folder is removed
when it ends, done or not.

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
import multiprocessing
import secrets
import shutil
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Literal

from reciprocity import store, words
from reciprocity.web import import_worker
from reciprocity.web.import_worker import Part
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

#: How often a worker process's progress is read back (seconds).
_POLL_S = 0.5

log = logging.getLogger(__name__)


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
        processes: bool = False,
    ) -> None:
        self.uploads = uploads
        self.waiting = waiting
        self.workers = workers
        self.waiting_in_all = waiting_in_all
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="reciprocity-import"
        )
        # With ``processes``, each of those threads hands its import to a worker process
        # (see :mod:`.import_worker`) and waits for it.
        self.processes = processes
        self._processes: ProcessPoolExecutor | None = None  # started at the first import
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
        location = str(db.path) if db.path is not None else _location(db)
        task = import_worker.Task(location, upload.path, upload.folder, me, timezone, format)
        # The figures shown meanwhile are from before the import, and the pages say so.
        with state.importing():
            try:
                if self.processes:
                    done = self._in_process(job, task)
                else:
                    done = import_worker.run(task, _progress(job), analyse=False, db=db)
            finally:
                # Before the job says it is over: by then its file is gone.
                shutil.rmtree(upload.folder, ignore_errors=True)
            if done.error is not None:
                job.error = _named(done.error, upload)
                job.state = "failed"
                return
            job.result = done.result
            job.format = words.app(done.format) if done.format else ""
            job.seconds = done.seconds
            job.notes = tuple(_named(note, upload) for note in done.notes)
            job.parts = [
                Part(
                    part.label,
                    words.app(part.format),
                    part.result,
                    _named(part.error, upload) if part.error else None,
                    tuple(_named(note, upload) for note in part.notes),
                )
                for part in done.parts
            ]
            job.skipped = done.skipped
            _analyse(job, state, db, saved=not done.parts or any(p.result for p in done.parts))
        job.state = "done"

    def _in_process(self, job: Job, task: import_worker.Task) -> import_worker.Finished:
        """Run ``task`` in a worker process, copying its progress into ``job`` meanwhile."""
        with self._lock:
            if self._processes is None:
                self._processes = _process_pool(self.workers)
            pool = self._processes
        try:
            future = pool.submit(import_worker.run_in_process, task)
        except BrokenProcessPool:  # a worker died (killed for its memory): a new pool
            with self._lock:
                if self._processes is pool:
                    self._processes = _process_pool(self.workers)
                pool = self._processes
            future = pool.submit(import_worker.run_in_process, task)
        while True:
            try:
                return future.result(timeout=_POLL_S)
            except TimeoutError:
                seen = import_worker.read_progress(task)
                if seen is not None:
                    job.messages, job.reading, stage = seen
                    if stage == "analysing":
                        job.state = "analysing"
            except BrokenProcessPool:
                log.error("an import's worker process died")
                return import_worker.Finished(error=import_worker.UNEXPECTED)

    def close(self) -> None:
        """Drop the waiting imports and remove the upload folder (the app is stopping)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._processes is not None:
            # Waits for a running import's process (not waiting is racy in Python 3.11's
            # pool when its workers are replaced after each task).
            self._processes.shutdown(wait=True, cancel_futures=True)
        self.uploads.close()


def _analyse(job: Job, state: State, db: store.Database, *, saved: bool) -> None:
    """Work out the figures after an import that added messages, while the import box
    says so and the pages still show the figures from before (:meth:`State.renew`),
    rather than on the next page the user opens (seconds for a large chat)."""
    if not saved or state.db is not db:
        return  # nothing saved, or the pages show the demo (its figures are unchanged)
    if job.result is None or not (job.result.messages_added or job.result.reactions_added):
        state.changed()
        return
    job.state = "analysing"
    try:
        state.renew()
    except Exception:  # the next page tries again and shows what went wrong
        log.exception("analysis after an import failed")
        state.changed()


def _progress(job: Job) -> import_worker.Progress:
    """Progress told straight to ``job`` (an import on a thread of the app)."""

    def told(messages: int, reading: str, stage: str) -> None:
        job.messages, job.reading = messages, reading
        if stage == "analysing":
            job.state = "analysing"

    return told


def _location(db: store.Database) -> str:
    """Where a worker process opens ``db``: its URL, password included (it stays on this
    machine, passed to a child process)."""
    return db.engine.url.render_as_string(hide_password=False)


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes for imports, each below the app's priority, each used for one
    import (its memory goes back when the import ends). Started fresh, not forked: the
    app has threads."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=import_worker.lower_priority,
        max_tasks_per_child=1,
    )


def _named(text: str, upload: Upload) -> str:
    """``text`` naming the upload as its sender named it, not as the app saved it."""
    return text.replace(str(upload.path), upload.name)
