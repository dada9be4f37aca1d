"""Fixtures shared by every test folder."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

# Another program writing: takes the write lock, writes, holds it until told (a line on
# its input) or for at most the seconds given, then commits.
_HOLD = """
import select, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO settings (key, value) VALUES ('held', 'yes') "
             "ON CONFLICT (key) DO UPDATE SET value = value || '.'")
print("holding", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]))
conn.execute("COMMIT")
"""

Holder = Callable[[Path, float], AbstractContextManager[subprocess.Popen[str]]]


@contextmanager
def _held(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path), str(seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None
    assert holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        with contextlib.suppress(OSError):
            holder.stdin.write("done\n")
            holder.stdin.close()
        holder.wait(timeout=60)
        holder.stdout.close()


@pytest.fixture
def hold_write_lock() -> Holder:
    """``with hold_write_lock(path, seconds):`` another process holds the write lock of the
    SQLite database at ``path`` (it writes a setting and commits) as a second ``reciprocity
    import`` would: for ``seconds`` from the start of the block, or until the block ends,
    whichever comes first."""
    return _held
