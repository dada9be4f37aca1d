"""Helpers for the tests that feed parsers hostile files: writing the files in a streaming
way, and reading them in a child process under a memory limit.

The child's address space is capped with ``RLIMIT_AS`` (:data:`MEMORY_LIMIT`), so a parser
that tries to hold gigabytes dies there instead of taking the machine's memory; the child
reports what it read, the error it raised, and its peak resident memory, which the tests
hold to a few hundred megabytes. (The cap on address space is looser than that: Polars and
the allocator reserve far more address space than they touch, so a 1 GiB cap fails even
while resident memory stays near 150 MB.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 4 * 1024 * 1024 * 1024
MB = 1024 * 1024

_CHILD = """
import json, resource, sys
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import reciprocity.cli  # sets up the allocators as the command line does, before Polars
from reciprocity import ingest
from reciprocity.errors import ReciprocityError
rows, conversations, error = 0, set(), None
try:
    options = ingest.Options(timezone="UTC")
    for batch in ingest.batches(sys.argv[1], sys.argv[2], options):
        rows += batch.height
        conversations.update(batch["conversation"].unique().to_list())
except ReciprocityError as exc:
    error = str(exc)
# The peak of this process's own memory (VmHWM). Not ru_maxrss: Linux carries the forking
# parent's peak over into it at exec, so under a large test run it reads the runner's size.
try:
    with open("/proc/self/status") as status:
        hwm = [line for line in status if line.startswith("VmHWM:")][0]
    peak = int(hwm.split()[1]) * 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(
    {"rows": rows, "conversations": sorted(conversations), "error": error, "peak": peak}
))
"""


@dataclass(frozen=True)
class Outcome:
    """What a child process read from a file: rows, conversations, or the error's text."""

    rows: int
    conversations: list[str]
    error: str | None
    peak: int  # bytes of resident memory at the child's peak


def read_in_child(path: Path, format: str = "auto", limit: int = MEMORY_LIMIT) -> Outcome:
    """Read ``path`` with :func:`reciprocity.ingest.batches` in a child process whose memory
    is capped at ``limit`` bytes; a crash (a traceback, running out of memory) fails the
    test with the child's output."""
    # Polars writes its allocator's settings into the environment when it loads (in this
    # process, by now): the child must not inherit them, or freed memory is kept for seconds.
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    env["POLARS_MAX_THREADS"] = "2"
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), format, str(limit)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, f"the child failed:\n{done.stderr[-3000:]}"
    return Outcome(**json.loads(done.stdout.strip().splitlines()[-1]))


def write_chunks(path: Path, chunks: Iterable[bytes]) -> Path:
    """Write ``chunks`` to ``path`` one after the other (never the whole file in memory)."""
    with path.open("wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
    return path


def zip_chunks(path: Path, member: str, chunks: Iterable[bytes]) -> Path:
    """A zip of one deflated member written from ``chunks``."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(member, "w", force_zip64=True) as fh,
    ):
        for chunk in chunks:
            fh.write(chunk)
    return path


def repeat(block: bytes, total: int) -> Iterable[bytes]:
    """``block`` repeated until ``total`` bytes (the last one cut)."""
    left = total
    while left > 0:
        yield block[:left]
        left -= len(block)


def declare_size(path: Path, size: int) -> None:
    """Rewrite the unpacked size that a zip of one small member declares, in both of its
    headers, as a hostile zip would; the packed data is left as it is."""
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    central = data.rfind(b"PK\x01\x02")
    assert local == 0, "one member, written without zip64"
    assert central > 0
    for start, at in ((local, 22), (central, 24)):
        data[start + at : start + at + 4] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))
