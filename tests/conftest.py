"""Fixtures shared by every test folder."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

# Another program writing: takes the write lock, writes, holds it, then commits.
_HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO settings (key, value) VALUES ('held', 'yes') "
             "ON CONFLICT (key) DO UPDATE SET value = value || '.'")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""

Holder = Callable[[Path, float], AbstractContextManager[subprocess.Popen[str]]]


@contextmanager
def _held(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        holder.wait(timeout=60)
        if holder.stdout is not None:
            holder.stdout.close()


@pytest.fixture
def hold_write_lock() -> Holder:
    """``with hold_write_lock(path, seconds):`` another process holds the write lock of the
    SQLite database at ``path`` for ``seconds`` from the start of the block (it writes a
    setting and commits at the end), as a second ``reciprocity import`` would."""
    return _held
