"""Fixtures shared by every test folder."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
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


# -- A throwaway PostgreSQL ----------------------------------------------------------------
# A throwaway PostgreSQL for the tests: started on a Unix socket when its programs exist.
#
# The store tests and the server-mode web tests run against SQLite and PostgreSQL. The
# server is found in this order: ``$RECIPROCITY_TEST_POSTGRES`` (a URL of a scratch database
# someone runs), else ``initdb`` and ``pg_ctl`` on the ``PATH`` or in Debian's
# ``/usr/lib/postgresql/*/bin`` (``.ci/run`` installs the ``postgresql`` package), started
# once per test run in a temporary folder, listening on a Unix socket only (no TCP port, so
# nothing else on the machine can reach it), with fsync off (a test server's data need not
# survive a power cut), and stopped at the end. PostgreSQL refuses to run as root; as root
# it runs as the ``postgres`` user Debian's package makes. Without any of this the
# PostgreSQL cases skip, saying why.

POSTGRES_ENV = "RECIPROCITY_TEST_POSTGRES"


def _programs() -> tuple[str, str] | None:
    """``initdb`` and ``pg_ctl``, from the PATH or Debian's versioned folders."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(f"{folder}/initdb", os.X_OK) and os.access(f"{folder}/pg_ctl", os.X_OK):
            return f"{folder}/initdb", f"{folder}/pg_ctl"
    return None


def _user() -> str | None:
    """Who runs the server: ourselves, or ``postgres`` when we are root (None: nobody)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    return "postgres" if shutil.which("runuser") else None


def postgres_unavailable() -> str | None:
    """Why no PostgreSQL can be had for the tests, or ``None`` when one can."""
    if os.environ.get(POSTGRES_ENV):
        return None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "PostgreSQL cases need psycopg (pip install -e '.[dev]')"
    if _programs() is None:
        return (
            "PostgreSQL cases need initdb and pg_ctl (Debian: apt-get install postgresql) "
            f"or {POSTGRES_ENV} set to a scratch database's URL"
        )
    if _user() is None:
        return "PostgreSQL will not run as root, and there is no postgres user to run it as"
    return None


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """The URL of a PostgreSQL superuser connection for the tests (see the module)."""
    given = os.environ.get(POSTGRES_ENV)
    if given:
        yield given
        return
    programs, user = _programs(), _user()
    assert programs is not None, postgres_unavailable()
    assert user is not None, postgres_unavailable()
    initdb, pg_ctl = programs
    # Short path: a Unix socket's path must fit in about 100 bytes.
    folder = Path(tempfile.mkdtemp(prefix="rpg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, user=user)
        prefix = ["runuser", "-u", user, "--"]
    else:
        prefix = []
    log = folder / "log"
    try:
        subprocess.run(
            [
                *prefix,
                initdb,
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ],
            check=True,
            capture_output=True,
        )
        options = f"-k {folder} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
            check=True,
            capture_output=True,
        )
        try:
            yield f"postgresql+psycopg://postgres@/postgres?host={folder}"
        finally:
            subprocess.run(
                [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                check=False,
                capture_output=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a throwaway PostgreSQL for this test run (see above); the test skips,
    saying why, where none can be had."""
    reason = postgres_unavailable()
    if reason is not None:
        pytest.skip(reason)
    with throwaway_postgres() as url:
        yield url
