"""Where the corpus's tasks run: in this process, or on Dask (``dask.distributed``).

A corpus run is two maps of plain functions over lists (stage each input chunk, then
analyse each bucket); :class:`Engine` runs a map and nothing more. ``local`` calls the
function in turn here; ``dask`` hands the same calls to a Dask cluster, a local one of
``workers`` processes or an existing one at ``scheduler``, and takes the results back in
the order of the inputs. Dask does the scheduling, the retries and the data movement.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

from reciprocity.errors import ReciprocityError

__all__ = ["Engine", "open_engine"]

T = TypeVar("T")

EngineName = Literal["local", "dask"]


class Engine:
    """Runs ``fn`` over inputs, here or on a Dask client; results in input order."""

    def __init__(self, client: Any | None = None) -> None:
        self.client = client

    @property
    def name(self) -> str:
        """``"local"`` or ``"dask"``."""
        return "local" if self.client is None else "dask"

    def map(
        self,
        fn: Callable[..., T],
        items: Sequence[Any],
        *args: Any,
        on_done: Callable[[], None] | None = None,
    ) -> list[T]:
        """``[fn(item, *args) for item in items]``, each call a task of its own.

        >>> Engine().map(pow, [1, 2, 3], 2)
        [1, 4, 9]
        """
        if self.client is None:
            results = []
            for item in items:
                results.append(fn(item, *args))
                if on_done is not None:
                    on_done()
            return results
        from distributed import as_completed

        futures = [self.client.submit(fn, item, *args, pure=False) for item in items]
        for _ in as_completed(futures):  # type: ignore[no-untyped-call]
            if on_done is not None:
                on_done()
        return list(self.client.gather(futures))


#: Polars' allocator in the workers, as the command line sets it for itself
#: (:func:`reciprocity.cli.allocator.set_up_polars`): freed memory given back within a
#: tenth of a second, so a worker's memory is what its current task needs.
_POLARS_ALLOCATOR = "dirty_decay_ms:100,muzzy_decay_ms:0,background_thread:true,narenas:1"


def _worker_env(threads: int) -> dict[str, str]:
    return {
        "POLARS_MAX_THREADS": str(threads),
        "_RJEM_MALLOC_CONF": os.environ.get("_RJEM_MALLOC_CONF", _POLARS_ALLOCATOR),
    }


def _spawn_config(threads: int) -> dict[str, Any]:
    """Dask settings for the local cluster's workers.

    The variables go in Dask's *pre-spawn* environment: a worker process is started
    with them. (Its ``env`` is applied only once the process runs, after Polars, which
    the worker imports on start, has read its allocator's settings: those then did
    nothing, and a worker kept freed memory.) Dask's own statistical profiler is off:
    it samples the task thread a hundred times a second, to draw a dashboard page that
    nobody reads here, and keeps a history of it."""
    import dask

    spawn = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    return {
        "distributed.nanny.pre-spawn-environ": {**spawn, **_worker_env(threads)},
        "distributed.worker.profile.enabled": False,
    }


@contextmanager
def open_engine(
    engine: EngineName = "local",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    processes: bool = True,
    threads: int | None = None,
) -> Iterator[Engine]:
    """An :class:`Engine`: ``local``, or ``dask`` on the cluster at ``scheduler`` (an address
    implies ``dask``) or, without one, on a local cluster of ``workers`` processes
    (default: one per core), each with one task at a time and Polars' threads shared out
    among them, or ``threads`` each (``processes=False``: threads of this process instead,
    quicker to start, for tests). Closed on exit."""
    if engine == "local" and scheduler is None:  # an address means Dask
        yield Engine()
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - installed with the dev set-up
        raise ReciprocityError(
            "running on Dask needs the corpus add-on: pip install 'reciprocity[corpus]'"
        ) from exc
    if scheduler is not None:
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            yield Engine(client)
        return
    import dask

    cores = os.cpu_count() or 1
    count = workers or cores
    threads = threads or max(1, cores // count)
    with (
        # Each worker's Polars gets its share of the cores (not all of them), and its
        # allocator's settings, from the start.
        dask.config.set(_spawn_config(threads) if processes else {}),
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=count,
            threads_per_worker=1,
            processes=processes,
            # Only this machine may talk to it: its web page on 127.0.0.1 (a random port,
            # so that several runs can coexist), and the scheduler and worker processes
            # too (threads talk in memory).
            dashboard_address="127.0.0.1:0",
            **({"host": "127.0.0.1"} if processes else {}),
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield Engine(client)
