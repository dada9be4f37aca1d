"""The process's memory allocators, set up for Reciprocity's work.

Two allocators share the process: Polars' own (jemalloc) and the C library's (glibc on
Linux), which Python, SQLite and the frame cache's bytes use. Their defaults suit neither a
command that streams a million messages through once nor a web app that stays up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

# glibc's mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8


def set_up_polars() -> None:
    """Polars' allocator: give freed memory back within a tenth of a second, from a
    background thread, with fewer arenas. By default it keeps it for ten seconds, in an
    arena per core, so each stage's working memory piled onto the next one's: at a million
    messages the import peaked ~250 MB higher than what was ever in use at once. Giving it
    back later saves processor time (memory given back is asked for again, and the system
    zeroes it each time) but costs memory where it counts: at a million messages, after
    0.3 s or 1 s instead of 0.1 s, the import + analyze took 0.1-0.4 s less processor time,
    but the first analysis for another silence gap peaked at 559-591 MiB instead of
    519-523.

    Read once, when Polars loads: call this before importing it. A value the user set wins.
    """
    os.environ.setdefault(
        "_RJEM_MALLOC_CONF",
        f"narenas:{max(1, (os.cpu_count() or 2) // 2)},background_thread:true,"
        "dirty_decay_ms:100,muzzy_decay_ms:0",
    )


def set_up_c() -> None:
    """The C allocator: two arenas, not one per thread that ever allocated (the import
    runs six); each would keep its own freed memory. glibc only: elsewhere nothing changes.
    """
    _mallopt(_M_ARENA_MAX, 2)


def return_big_blocks() -> None:
    """Serve every block of 128 KiB or more from a mapping of its own, given back to the
    system when freed. For a process that stays up (the web app): by default glibc raises
    that threshold each time such a block is freed, so after the first big read (SQLite's
    answers, the frame cache's bytes, megabytes each) they come from the heap and can leave it
    fragmented, in memory never given back. A command that runs once would rather keep
    them: each fresh mapping is pages the system must zero again (at a million messages the
    import took 0.3 s longer with this setting, and peaked 10-50 MB lower)."""
    _mallopt(_M_MMAP_THRESHOLD, 128 * 1024)


def _mallopt(parameter: int, value: int) -> None:
    mallopt = _glibc_mallopt()
    if mallopt is not None:
        mallopt(parameter, value)


def _glibc_mallopt() -> Callable[[int, int], Any] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        # The process's own symbols, libc's among them: no search for the library (which
        # ctypes.util would do by running ldconfig at every start).
        mallopt: Callable[[int, int], Any] = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # musl and others: no mallopt
        return None
    return mallopt
