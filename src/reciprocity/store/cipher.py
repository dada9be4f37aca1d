"""Encryption at rest (optional): the SQLite file encrypted with SQLCipher, keyed by a passphrase.

The file is a standard SQLCipher 4 database: every page (and the write-ahead log) is
AES-256 encrypted and authenticated, and nothing of the data is readable on disk. The
binding is ``sqlcipher3`` (the maintained DB-API module, a self-contained wheel with
SQLCipher built in), installed with the ``encrypt`` extra; SQLAlchemy uses it as its
driver module, so every query, migration and import works as on a plain file.

The key is what SQLCipher itself derives from a passphrase (PBKDF2-HMAC-SHA512, 256,000
rounds, with the 16 random bytes of salt SQLCipher keeps at the start of the file), so the
``sqlcipher`` tool opens the file with the same passphrase (``PRAGMA key = '...'``). The
derivation is done here, once per file and process (about 0.2 s), and each connection is
keyed with the raw key: an analysis opens several connections, and paying the
derivation on each would add seconds.

Where the passphrase comes from, in order: the ``RECIPROCITY_PASSPHRASE`` environment
variable, else the asker the surface installed with :func:`set_asker` (the command line
asks in the terminal without echo), else :class:`PassphraseNeeded`. A wrong one is
:class:`WrongPassphrase`. :func:`encrypt`, :func:`decrypt` and :func:`change_passphrase`
turn protection on and off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event

from reciprocity.errors import StoreError
from reciprocity.store import private

__all__ = [
    "ENV_VAR",
    "KDF_ROUNDS",
    "Key",
    "PassphraseNeeded",
    "WrongPassphrase",
    "connect",
    "derive",
    "driver",
    "engine",
    "is_encrypted",
    "key_for",
    "set_asker",
]

ENV_VAR = "RECIPROCITY_PASSPHRASE"
KDF_ROUNDS = 256_000
"""PBKDF2-HMAC-SHA512 rounds: SQLCipher 4's own default, above OWASP's 210,000 for SHA-512."""
_SALT = 16
_HEADER = b"SQLite format 3\x00"
_TRIES = 3
"""How many times the asker is asked before a wrong passphrase stops the command."""


class PassphraseNeeded(StoreError):
    """The file is encrypted and no passphrase was given."""

    setting = "passphrase"


class WrongPassphrase(StoreError):
    """The passphrase given does not open the file."""


@dataclass(frozen=True)
class Key:
    """A file's raw 256-bit key and its salt (both kept out of ``repr``)."""

    raw: bytes = field(repr=False)
    salt: bytes = field(repr=False)

    @property
    def pragma(self) -> str:
        """The ``PRAGMA key`` statement keying a connection (a raw key with its salt)."""
        return f"PRAGMA key = \"x'{self.raw.hex()}{self.salt.hex()}'\""


def derive(passphrase: str, salt: bytes) -> Key:
    """The key SQLCipher 4 derives from ``passphrase`` for a file with ``salt``.

    >>> len(derive("correct horse", bytes(16)).raw)
    32
    """
    raw = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ROUNDS, 32)
    return Key(raw, salt)


def new_key(passphrase: str) -> Key:
    """A key for a file not encrypted yet, with a fresh random salt."""
    return derive(passphrase, secrets.token_bytes(_SALT))


def is_encrypted(path: Path) -> bool:
    """Whether ``path`` looks like an encrypted database: whole pages (SQLCipher writes
    pages of 4 KiB; any SQLite page is a multiple of 512 bytes) that do not start with
    SQLite's plain header. A text file or an empty one is not."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(len(_HEADER))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return False
    return size >= 512 and size % 512 == 0 and head != _HEADER


def driver(where: str = "this database") -> ModuleType:
    """The SQLCipher DB-API module; :class:`StoreError` saying how to install it."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError as exc:
        raise StoreError(
            f"{where} is encrypted, and reading it needs Reciprocity's encryption add-on: "
            "pip install 'reciprocity[encrypt]'"
        ) from exc
    module: ModuleType = dbapi2
    return module


def connect(path: Path, key: Key | None) -> Any:
    """A SQLCipher connection to ``path`` keyed with ``key`` (plain when ``None``), in
    autocommit mode like the engine's, SQLCipher's own log to the terminal silenced (a
    wrong key is reported by :func:`check` instead)."""
    conn = driver(str(path)).connect(str(path), check_same_thread=False)
    conn.isolation_level = None
    _key(conn, key)
    return conn


def _key(conn: Any, key: Key | None) -> None:
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        conn.execute(key.pragma)


def check(conn: Any) -> bool:
    """Whether the keyed connection ``conn`` reads its file (the key fits)."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception:  # the driver's DatabaseError: "file is not a database"
        return False
    return True


_asker: Callable[[str], str] | None = None
_known: dict[Path, Key] = {}
_lock = threading.Lock()


def set_asker(asker: Callable[[str], str] | None) -> None:
    """Install how this process asks for a passphrase: ``asker(where)`` returns it (the
    command line asks in the terminal); ``None`` asks nobody."""
    global _asker
    _asker = asker


def forget_keys() -> None:
    """Drop the keys this process remembers (after a passphrase changed, and in tests)."""
    with _lock:
        _known.clear()


def key_for(path: Path, passphrase: str | None = None) -> Key:
    """The key of the encrypted file ``path``, checked against the file: from
    ``passphrase``, else remembered from an earlier opening in this process, else from
    :data:`ENV_VAR` or the asker (asked up to three times)."""
    path = path.resolve()
    with _lock:
        if passphrase is None and path in _known:
            return _known[path]
        with path.open("rb") as handle:
            salt = handle.read(_SALT)
        given = passphrase if passphrase is not None else os.environ.get(ENV_VAR)
        tries = 1 if given is not None or _asker is None else _TRIES
        for _ in range(tries):
            if given is None:
                if _asker is None:
                    raise PassphraseNeeded(f"{path} is protected by a passphrase.")
                given = _asker(str(path))
            key = derive(given, salt)
            conn = connect(path, key)
            try:
                if check(conn):
                    _known[path] = key
                    return key
            finally:
                conn.close()
            given = None
        raise WrongPassphrase(
            f"The passphrase does not open {path} (or it is not a Reciprocity database)."
        )


def remember(path: Path, key: Key) -> None:
    """Remember ``key`` for ``path`` in this process (after encrypting it)."""
    with _lock:
        _known[path.resolve()] = key


def engine(url: URL, path: Path, key: Key) -> Engine:
    """A SQLAlchemy engine on the encrypted file ``path``: SQLCipher as the driver module,
    every connection keyed before anything else runs on it."""
    made = create_engine(url, module=driver(str(path)))

    @event.listens_for(made, "connect", insert=True)  # before the engine's own settings
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        _key(dbapi_connection, key)

    return made


def export(source: Any, target: Path, key: Key | None) -> None:
    """Write the database open on SQLCipher connection ``source`` to a new file
    ``target`` (0600), encrypted with ``key`` or plain when ``None`` (SQLCipher's
    ``sqlcipher_export``: the way between a plain and an encrypted file)."""
    target.unlink(missing_ok=True)
    private.create_private(target)
    secret = f"x'{key.raw.hex()}{key.salt.hex()}'" if key is not None else ""
    source.execute("ATTACH DATABASE ? AS target KEY ?", (str(target), secret))
    try:
        source.execute("SELECT sqlcipher_export('target')")
    finally:
        source.execute("DETACH DATABASE target")


def rewrite(path: Path, old: Key | None, new: Key | None) -> None:
    """Rewrite the database file ``path`` from encrypted with ``old`` (plain: ``None``) to
    encrypted with ``new`` (plain: ``None``), through a temporary file renamed over it.
    No connection may be open on ``path`` meanwhile (the caller closed its own)."""
    partial = path.with_name(path.name + ".rewrite")
    source = connect(path, old)
    try:
        _alone(source, path)
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        export(source, partial, new)
    except BaseException:
        source.close()
        partial.unlink(missing_ok=True)
        raise
    source.close()
    for suffix in private.COMPANIONS:
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()
    os.replace(partial, path)
    forget_keys()
    if new is not None:
        remember(path, new)


def _alone(conn: Any, path: Path) -> None:
    """Hold ``path`` for ``conn`` alone until it closes; :class:`StoreError` when another
    connection has it open (the app, another command): the file is about to be replaced
    under it. In exclusive locking mode the lock is kept after the transaction ends."""
    conn.execute("PRAGMA busy_timeout = 2000")
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    try:
        conn.execute("BEGIN EXCLUSIVE")
    except Exception as exc:  # the driver's OperationalError: "database is locked"
        raise StoreError(
            f"{path} is open in another program (the app, or another Reciprocity command). "
            "Close it, then try again."
        ) from exc
    conn.execute("ROLLBACK")


def encrypt_file(path: Path, passphrase: str) -> None:
    """Protect the plain database file ``path`` with ``passphrase`` (see :func:`rewrite`)."""
    if is_encrypted(path):
        raise StoreError(f"{path} is already protected by a passphrase.")
    _usable(passphrase)
    rewrite(path, None, new_key(passphrase))


def change_passphrase(path: Path, passphrase: str) -> None:
    """Give the encrypted file ``path`` a new passphrase (and a new salt); the current
    one comes as for any opening (:func:`key_for`)."""
    _usable(passphrase)
    rewrite(path, key_for(path), new_key(passphrase))


def decrypt_file(path: Path) -> None:
    """Store the encrypted file ``path`` plain again (its passphrase as for any opening)."""
    if not is_encrypted(path):
        raise StoreError(f"{path} is not protected by a passphrase.")
    rewrite(path, key_for(path), None)


def _usable(passphrase: str) -> None:
    if not passphrase.strip():
        raise StoreError("An empty passphrase protects nothing; choose one.")
