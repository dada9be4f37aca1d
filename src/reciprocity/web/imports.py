"""Imports from the web app: one at a time on a worker thread, off the request path.

An upload is saved to its own folder (:mod:`.uploads`) and handed to :class:`Imports`,
which runs :func:`reciprocity.pipeline.import_file` on it on its one worker thread, so
every other page keeps answering while a large chat is read (before, one import held a
request, and a zip bomb froze the whole app). A :class:`Job` says how far it got; the
import page polls it. At most :data:`WAITING` uploads wait behind the running one; more
are refused before their file is read. A job's folder is removed when it ends, done or
not.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

from reciprocity import ingest, pipeline, store, words
from reciprocity.errors import ReciprocityError
from reciprocity.web.forms import problem_text
from reciprocity.web.state import State
from reciprocity.web.uploads import Upload, UploadFolder

__all__ = ["WAITING", "Imports", "Job"]

WAITING = 2
"""Uploads that may wait behind the running import (each holds its file on disk)."""

#: Finished jobs remembered, so a page that polls late still gets the answer.
_KEPT = 20

_UNEXPECTED = (
    "Something went wrong while reading this file, and nothing was saved. "
    "Try again; if it happens again, the file may be damaged."
)

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One import: waiting, reading (with the messages read so far), analysing (its
    messages are saved; the figures are being worked out), done or failed."""

    id: str
    name: str
    state: Literal["waiting", "reading", "analysing", "done", "failed"] = "waiting"
    #: messages read so far
    messages: int = 0
    started: float = field(default_factory=time.monotonic)
    result: store.ImportResult | None = None
    format: str = ""
    seconds: float = 0.0
    error: str | None = None

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
    """The worker that runs the web app's imports, one at a time, and their jobs."""

    def __init__(self, uploads: UploadFolder, *, waiting: int = WAITING) -> None:
        self.uploads = uploads
        self.waiting = waiting
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reciprocity-import")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def running(self) -> list[Job]:
        """Jobs not finished yet, oldest first."""
        with self._lock:
            return [job for job in self._jobs.values() if not job.finished]

    def full(self) -> bool:
        """Whether a new upload would have to be refused (one running, the queue full)."""
        return len(self.running()) > self.waiting

    def get(self, job_id: str) -> Job | None:
        """The job with this id, while it is remembered."""
        with self._lock:
            return self._jobs.get(job_id)

    def submit(
        self, state: State, upload: Upload, *, me: str | None, timezone: str | None, format: str
    ) -> Job:
        """Queue the import of ``upload`` into the database ``state`` shows now."""
        job = Job(id=secrets.token_urlsafe(9), name=upload.name)
        db = state.db
        with self._lock:
            self._jobs[job.id] = job
            finished = [key for key, old in self._jobs.items() if old.finished]
            for key in finished[: max(0, len(finished) - _KEPT)]:
                del self._jobs[key]
        self._pool.submit(self._run, job, state, db, upload, me, timezone, format)
        return job

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
        try:
            outcome = pipeline.import_file(
                db,
                upload.path,
                me=me,
                format=format,
                options=ingest.Options(timezone=timezone),
                on_batch=job.read,
            )
        except ReciprocityError as problem:
            error = problem_text(problem).replace(str(upload.path), upload.name)
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
        if outcome.result.messages_added and state.db is db:
            # The figures are worked out here, while the import box says so, rather than
            # by the next page the user opens (seconds for a large chat).
            job.state = "analysing"
            try:
                state.data()
            except Exception:  # the next page tries again and shows what went wrong
                log.exception("analysis after an import failed")
        job.state = "done"

    def close(self) -> None:
        """Drop the waiting imports and remove the upload folder (the app is stopping)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.uploads.close()
