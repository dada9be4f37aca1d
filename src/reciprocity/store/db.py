"""Opening the database: where it lives, how SQLite is tuned, and the schema check.

The default is one SQLite file in the user's data folder; ``RECIPROCITY_DB`` or an explicit
path or URL overrides it. PostgreSQL (server mode) goes through the same models.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import URL, Connection, Engine, RootTransaction, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from reciprocity.errors import StoreBusy, StoreError
from reciprocity.store import cipher, migrate, private

ENV_VAR = "RECIPROCITY_DB"
FILE_NAME = "reciprocity.sqlite"

# Applied to every SQLite connection. WAL lets the web side read while an import writes;
# synchronous=NORMAL is safe with WAL (a power cut can lose the last commit, never corrupt
# the file) and makes commits much cheaper. The page cache counts in peak memory, once per
# open connection (the analysis of an import has three): SQLite's default 2 MiB. At a
# million messages the import was no faster with 16 MiB and peaked ~28 MB higher.
SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "foreign_keys=ON",
    "temp_store=MEMORY",
    "busy_timeout=10000",
    "cache_size=-2048",
)


def shares_threads(engine: Engine) -> bool:
    """Whether ``engine``'s connections may be used from several threads at once: file
    databases (SQLAlchemy opens them with check_same_thread=False) and PostgreSQL, not an
    in-memory SQLite database (each thread would get one of its own)."""
    if engine.dialect.name == "sqlite":
        url = engine.url
        return url.database not in (None, "", ":memory:") and "mode=memory" not in str(url)
    return engine.dialect.name == "postgresql"


@dataclass(frozen=True)
class Database:
    """An open Reciprocity database.

    ``engine`` is the SQLAlchemy engine; ``path`` the SQLite file (``None`` for PostgreSQL
    or an in-memory database); ``url`` the address with any password hidden, for messages.
    Usable as a context manager that disposes of the engine's connections on exit.
    """

    engine: Engine
    path: Path | None
    url: str
    # Checkpoints running on threads (see :meth:`checkpoint_later`), joined by :meth:`close`.
    _checkpoints: list[threading.Thread] = field(default_factory=list, repr=False)

    @property
    def is_sqlite(self) -> bool:
        """True for SQLite, where the store uses its faster SQLite-only paths."""
        return self.engine.dialect.name == "sqlite"

    @property
    def threads_share(self) -> bool:
        """Whether connections may be used from several threads (:func:`shares_threads`)."""
        return shares_threads(self.engine)

    @contextlib.contextmanager
    def write(
        self, *, patience: float | None = None, on_wait: Callable[[], None] | None = None
    ) -> Iterator[Connection]:
        """A connection in a write transaction, committed when the block ends (rolled back
        on an exception): the one way to write (see :func:`begin_write`).

        >>> with db.write() as conn:  # doctest: +SKIP
        ...     conn.execute(insert(Setting).values(key="k", value="v"))
        """
        with self.engine.connect() as conn, begin_write(conn, patience=patience, on_wait=on_wait):
            yield conn

    @contextlib.contextmanager
    def big_write(self, raw_connection: Any) -> Iterator[None]:
        """Around one large write transaction on ``raw_connection`` (the driver's
        connection): on a SQLite file, its commit does not copy the write-ahead log into
        the database, as it would for the tens of MB an import of a long chat writes.
        :meth:`checkpoint_later` does that afterwards, on a thread, while the caller goes on
        (the analysis of what was imported). Elsewhere this does nothing."""
        if self.path is None or not self.is_sqlite:
            yield
            return
        with pragma(raw_connection, "wal_autocheckpoint", 0):
            yield

    def checkpoint_later(self) -> None:
        """Copy the write-ahead log into a SQLite file on a thread of its own (readers and
        writers go on meanwhile); :meth:`close` and the end of the process wait for it."""
        if self.path is None or not self.is_sqlite:
            return

        def checkpoint() -> None:
            # Best effort: a busy database keeps its log until the next checkpoint.
            with contextlib.suppress(SQLAlchemyError), self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

        thread = threading.Thread(target=checkpoint, name="reciprocity-checkpoint")
        thread.start()
        self._checkpoints.append(thread)

    def close(self) -> None:
        """Close every pooled connection (the file can then be moved or deleted)."""
        while self._checkpoints:
            self._checkpoints.pop().join()
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __str__(self) -> str:
        return str(self.path) if self.path is not None else self.url


@contextlib.contextmanager
def pragma(raw_connection: Any, name: str, value: int) -> Iterator[None]:
    """A SQLite connection's integer setting ``name`` at ``value`` (the driver's
    connection), as it was again afterwards."""
    (before,) = raw_connection.execute(f"PRAGMA {name}").fetchone()
    raw_connection.execute(f"PRAGMA {name}={int(value)}")
    try:
        yield
    finally:
        raw_connection.execute(f"PRAGMA {name}={int(before)}")


def default_path() -> Path:
    """``reciprocity.sqlite`` in the platform's user data folder."""
    from platformdirs import user_data_path

    return user_data_path("reciprocity", appauthor=False) / FILE_NAME


def resolve(location: str | Path | None = None) -> tuple[URL, Path | None]:
    """The database URL and file for ``location``, ``$RECIPROCITY_DB`` or the default."""
    if location is None or (isinstance(location, str) and not location.strip()):
        location = os.environ.get(ENV_VAR, "").strip() or default_path()
    if isinstance(location, str) and "://" in location:
        try:
            url = make_url(location)
        except ArgumentError as exc:
            raise StoreError(f"{location!r} is not a database URL or file path") from exc
        backend = url.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise StoreError(
                f"Reciprocity stores data in SQLite or PostgreSQL, not {backend}; "
                "pass a file path, a sqlite:/// URL or a postgresql:// URL"
            )
        if backend == "sqlite" and url.database not in (None, "", ":memory:"):
            return url, _prepare_file(Path(str(url.database)))
        return url, None
    path = _prepare_file(Path(location))
    return URL.create("sqlite+pysqlite", database=str(path)), path


def _prepare_file(path: Path) -> Path:
    path = path.expanduser()
    if path.is_dir():
        raise StoreError(f"{path} is a folder; give the path of a database file inside it")
    try:
        private.private_folder(path.parent)
        if path.parent == default_path().parent:
            private.tighten(path.parent, private.FOLDER_MODE)  # ours alone, even if older
    except OSError as exc:
        raise StoreError(f"cannot create the folder for {path}: {exc.strerror}") from exc
    return path


def open_db(path: str | Path | None = None) -> Database:
    """Open (creating if needed) the database and bring its schema up to date.

    ``path`` is a file path or a ``sqlite:///`` / ``postgresql://`` URL; when ``None`` the
    ``RECIPROCITY_DB`` environment variable is used, else ``reciprocity.sqlite`` in the user
    data folder (see :func:`default_path`).

    >>> db = open_db("/tmp/example.sqlite")  # doctest: +SKIP
    >>> db.path  # doctest: +SKIP
    PosixPath('/tmp/example.sqlite')

    Raises :class:`~reciprocity.errors.StoreError` saying what to do when the database
    cannot be opened, is not a Reciprocity database, or was written by a newer version.
    """
    url, file = resolve(path)
    shown = str(file) if file is not None else url.render_as_string(hide_password=True)
    if file is not None:
        try:
            private.create_private(file)  # 0600 before SQLite writes a byte to it
        except OSError as exc:
            raise StoreError(f"cannot create {file}: {exc.strerror or exc}") from exc
    try:
        if file is not None and cipher.is_encrypted(file):
            engine = cipher.engine(url, file, cipher.key_for(file))
        else:
            engine = create_engine(url)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"the database driver for {url.drivername} is not installed ({exc.name}); "
            "for PostgreSQL: pip install 'psycopg[binary]' and use a postgresql+psycopg:// URL"
        ) from exc
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)
    try:
        migrate.upgrade(engine, shown)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = getattr(exc, "orig", None) or exc
        raise StoreError(
            f"cannot open {shown}: {reason}. Check the path and that the file is a "
            "Reciprocity database that no other program is holding."
        ) from exc
    except BaseException:
        engine.dispose()
        raise
    return Database(engine=engine, path=file, url=url.render_as_string(hide_password=True))


#: Seconds a write waits for another program's write to finish, unless told otherwise: a
#: journal entry or a setting waits out most imports instead of being lost.
WRITE_PATIENCE = 120.0
# Execution options of a connection about to begin a write transaction (see begin_write).
_WRITE = "reciprocity_write"
_PATIENCE = "reciprocity_patience"
_ON_WAIT = "reciprocity_on_wait"
# Each try to take the write lock waits this long in SQLite's busy handler (milliseconds).
_TRY_MS = 1000


def begin_write(
    conn: Connection,
    *,
    patience: float | None = None,
    on_wait: Callable[[], None] | None = None,
) -> RootTransaction:
    """Begin a write transaction on ``conn`` (use as ``with begin_write(conn):``).

    On SQLite it is ``BEGIN IMMEDIATE``: the write lock is taken before anything is read.
    A deferred transaction that reads first and then writes cannot wait for another writer
    (SQLite answers "database is locked" at once when the data it read has changed since),
    so writers would fail instead of queueing. While another program writes, this waits up
    to ``patience`` seconds (:data:`WRITE_PATIENCE` by default), calling ``on_wait`` once
    after the first second so a surface can say so, then raises
    :class:`~reciprocity.errors.StoreBusy` with nothing written. Elsewhere (PostgreSQL,
    whose writers wait for each other row by row) a plain transaction.
    """
    conn.execution_options(
        **{
            _WRITE: True,
            _PATIENCE: WRITE_PATIENCE if patience is None else patience,
            _ON_WAIT: on_wait,
        }
    )
    return conn.begin()


def _begin_immediate(
    connection: Connection, patience: float, on_wait: Callable[[], None] | None
) -> None:
    """``BEGIN IMMEDIATE`` on ``connection``, waiting as :func:`begin_write` says."""
    raw = connection.connection.dbapi_connection
    deadline = time.monotonic() + patience
    waited = False
    while True:
        left = max(0.0, deadline - time.monotonic())
        try:
            with pragma(raw, "busy_timeout", min(_TRY_MS, int(left * 1000))):
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if not any(word in str(exc.orig) for word in ("locked", "busy")):
                raise
        if time.monotonic() >= deadline:
            raise StoreBusy(
                "Another Reciprocity (an import, most likely) was still saving to this "
                f"database after {_duration(patience)} of waiting, so nothing was written. "
                "Try again when it has finished."
            )
        if not waited and on_wait is not None:
            waited = True
            on_wait()


def _duration(seconds: float) -> str:
    """``seconds`` as people say it: "a moment", "30 seconds", "2 minutes"."""
    if seconds < 2:
        return "a moment"
    if seconds < 120:
        return f"{round(seconds)} seconds"
    return f"{round(seconds / 60)} minutes"


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module, whose legacy mode does not
        # BEGIN before DDL or SELECT: every SQLAlchemy transaction then really is one
        # (migrations and imports roll back completely).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(_WRITE):
            _begin_immediate(connection, options[_PATIENCE], options.get(_ON_WAIT))
        else:
            connection.exec_driver_sql("BEGIN")
