"""The parser fuzz tests again, with huge tokens (MBs), in a process whose address space
is capped: memory stays bounded. Any allocation past the cap fails (a ``MemoryError``,
or Polars aborting the process), so the run fails rather than the machine swapping.

The cap: the child's address space at rest is about 1.1 GB (the Polars and Python
runtimes reserve much more than they use), so :data:`ADDRESS_SPACE` leaves about 1.9 GB
for the work; the resident peak is checked against :data:`PEAK_RSS` (measured: about
0.3 GB with 9 MB tokens in files of up to 24 MB).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.fuzz

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
ADDRESS_SPACE = 3 * 1024**3
PEAK_RSS = 1024**3
#: Examples per test in the capped run, as a percentage of the default counts (scaled
#: again by ``RECIPROCITY_FUZZ_EXAMPLES``).
SHARE = 10

# The child's resident peak in KB. Not getrusage's ru_maxrss: Linux carries the parent's
# peak into a child over fork and exec, so a child of a large pytest process would start
# with the parent's peak and hide its own.
PEAK = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"

CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from reciprocity.cli import allocator  # the allocators set up as the commands do
import pytest
code = pytest.main({args!r})
peak_kb = {peak}
with open({report!r}, "w") as fh:
    json.dump({{"code": int(code), "peak_kb": peak_kb}}, fh)
sys.exit(int(code))
"""


def run_capped(tmp_path: Path, limit: int, *selection: str) -> tuple[dict[str, int], str]:
    """Run the parser fuzz tests (``selection``: extra pytest arguments) under ``limit``
    bytes of address space; returns the child's report and its output."""
    report = tmp_path / "report.json"
    args = [
        str(HERE / "test_fuzz_parsers.py"),
        *("-q", "-x", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "t")),
        *selection,
    ]
    scale = int(os.environ.get("RECIPROCITY_FUZZ_EXAMPLES", "100") or "100")
    env = {
        **os.environ,
        "RECIPROCITY_FUZZ_HUGE": "1",
        "RECIPROCITY_FUZZ_EXAMPLES": str(max(1, SHARE * scale // 100)),
        "POLARS_MAX_THREADS": "2",
    }
    script = CHILD.format(limit=limit, args=args, report=str(report), peak=PEAK)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    output = done.stdout[-6000:] + done.stderr[-3000:]
    if not report.exists():
        return {"code": done.returncode, "peak_kb": -1}, output
    return json.loads(report.read_text()), output


def test_huge_tokens_stay_under_the_memory_cap(tmp_path: Path) -> None:
    report, output = run_capped(tmp_path, ADDRESS_SPACE, "-k", "broken or generated or forced")
    assert report["code"] == 0, output
    peak = report["peak_kb"] * 1024
    assert 0 < peak < PEAK_RSS, f"peak {peak / 1e6:.0f} MB\n{output}"


def test_the_cap_is_real(tmp_path: Path) -> None:
    """The cap binds the child the way the run above sets it: an allocation past it fails."""
    script = CHILD.format(
        limit=ADDRESS_SPACE, args=["--version"], report=str(tmp_path / "r"), peak=PEAK
    )
    grab = script.replace("import pytest", f"bytearray({ADDRESS_SPACE})\nimport pytest")
    done = subprocess.run(
        [sys.executable, "-c", grab], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode != 0
    assert "MemoryError" in done.stderr


ONE_MESSAGE = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from pathlib import Path
from reciprocity.cli import allocator  # the allocators set up as the commands do
from reciprocity import ingest
path = Path(sys.argv[1])
body = {body}
path.write_bytes(b"12/03/2024, 21:15 - Alex: hi\\n" + body + b"12/03/2024, 21:16 - Sam: ok\\n")
before = {peak}
start = time.perf_counter()
assert ingest.load(path, timezone="UTC").height == 2
print(({peak} - before) // 1024, time.perf_counter() - start)
"""


NEWLINE = b"\n"


def read_one_message(tmp_path: Path, line: bytes, count: int) -> tuple[int, float]:
    """Import a chat of two messages, the first going on with ``count`` times ``line``, in
    a capped child; returns the MB its peak grew by and the seconds the import took."""
    body = f"{line + NEWLINE!r} * {count}"
    script = ONE_MESSAGE.format(limit=ADDRESS_SPACE, body=body, peak=PEAK)
    chat = tmp_path / "WhatsApp Chat with Alex.txt"
    done = subprocess.run(
        [sys.executable, "-c", script, str(chat)],
        cwd=ROOT,
        env={**os.environ, "POLARS_MAX_THREADS": "2"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    grown_mb, seconds = done.stdout.split()[-2:]
    return int(grown_mb), float(seconds)


@pytest.mark.parametrize(
    ("line", "count"),
    [(b"", 1_500_000), (b"ok", 1_000_000)],
    ids=["blank", "short"],
)
def test_a_message_of_many_lines_stays_bounded(tmp_path: Path, line: bytes, count: int) -> None:
    """Found by the capped fuzz run: memory grew with the number of lines of one message,
    about 290 bytes a line (1.5 million blank lines: 470 MB; a million lines of "ok": 360
    MB), as each line got a row of date columns. Bounded is near what a chat of normal
    lines of the same size costs (measured: 8 MB of chat lines, about 70 MB above the
    runtimes; these messages of 1.5 and 3 MB now 60 and 80 MB)."""
    grown_mb, _ = read_one_message(tmp_path, line, count)
    assert grown_mb < 150, f"{grown_mb} MB for a message of {count:,} lines"
