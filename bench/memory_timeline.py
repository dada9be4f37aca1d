"""Resident memory of one ``reciprocity`` command over time, with a mark at each stage.

    .venv/bin/python bench/memory_timeline.py --db /tmp/x.db import FILE --me Sam

Runs the command in this process, samples ``VmRSS`` every 20 ms on a thread and prints,
when it ends, the samples (only those that moved by 15 MiB or more) between ``+stage`` and
``-stage`` marks (from :class:`reciprocity.pipeline.Timings`), then the peak. It is how the
memory figures per phase in ``bench/README.md`` were found: the benchmark itself gives
only each command's peak. Linux only (reads ``/proc/self/status``).
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

START = time.perf_counter()
EVENTS: list[tuple[float, str | int]] = []


def _resident_mib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def _sample() -> None:
    while True:
        EVENTS.append((time.perf_counter() - START, _resident_mib()))
        time.sleep(0.02)


def _report() -> None:
    shown: int | None = None
    peak = 0
    for at, what in sorted(EVENTS, key=lambda event: event[0]):
        if isinstance(what, str):
            print(f"{at:7.2f} {what}", file=sys.stderr)
            continue
        peak = max(peak, what)
        if shown is None or abs(what - shown) >= 15:
            print(f"{at:7.2f}   {what} MiB", file=sys.stderr)
            shown = what
    print(f"peak {peak} MiB", file=sys.stderr)


def main() -> None:
    # The CLI first: it sets the allocator's settings before Polars loads, as a command does.
    import reciprocity.cli
    from reciprocity import pipeline

    timed = pipeline.Timings.stage

    @contextmanager
    def marked(self: pipeline.Timings, name: str) -> Iterator[None]:
        EVENTS.append((time.perf_counter() - START, f"+{name}"))
        with timed(self, name):
            yield
        EVENTS.append((time.perf_counter() - START, f"-{name}"))

    pipeline.Timings.stage = marked  # type: ignore[method-assign]
    threading.Thread(target=_sample, name="memory-sampler", daemon=True).start()
    atexit.register(_report)
    sys.argv = ["reciprocity", *sys.argv[1:]]
    reciprocity.cli.main()


if __name__ == "__main__":
    main()
