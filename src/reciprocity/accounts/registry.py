"""The registry of a server's accounts: names, password hashes, sessions, and their stores.

Where it lives (its *home*): a folder (default: ``server`` in the user data folder, or
``$RECIPROCITY_SERVER``), holding ``accounts.sqlite`` and one private folder (0700) per
account under ``stores/`` with that account's own ``reciprocity.sqlite``; or a
``postgresql://`` URL, where the registry is the schema ``reciprocity_accounts`` and each
account's store a schema of its own, chosen by the connection's ``search_path``, so the
store's models and migrations run unchanged. A store is named by a random key, never by the
account's name (a name is not safe in a path, and says who is a client).

Passwords are hashed with argon2id (``argon2-cffi``, its RFC 9106 defaults); a sign-in for
a name that does not exist still costs one hash, so the time taken does not say which
names exist. A session is a random token; the cookie carries it with an HMAC under a
secret kept in the registry (so sessions outlive a restart), and the registry keeps only
its SHA-256 digest with the account and an expiry: ending a session, all of an account's
sessions ("sign out everywhere"), resetting a password or removing the account takes
effect on the next request. An account may share a read-only view of its data with
another (a client with their therapist): only the owner shares or stops sharing, and a
session looking at another's data checks the share on every request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError

from reciprocity import store
from reciprocity.errors import ReciprocityError
from reciprocity.store import private

__all__ = [
    "ENV_VAR",
    "HASH_OPTIONS",
    "MIN_PASSWORD",
    "SESSION_HOURS",
    "Account",
    "AccountError",
    "Registry",
    "default_home",
    "open_registry",
]

ENV_VAR = "RECIPROCITY_SERVER"
"""Where the server's accounts live when no ``--accounts`` option says: a folder or a URL."""

SESSION_HOURS = 12
"""How long a sign-in lasts: a working day, so a shared computer does not stay signed in."""

MIN_PASSWORD = 10
"""The shortest password accepted (a few words are easier to remember than symbols)."""

VERSION = 1
"""The registry's layout; a later one adds its changes as steps keyed on this number."""

_REGISTRY_SCHEMA = "reciprocity_accounts"
_STORE_FILE = "reciprocity.sqlite"
_NAME_LIMIT = 100
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")

_metadata = MetaData()
_accounts = Table(
    "accounts",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(_NAME_LIMIT), nullable=False),
    # the name as compared: spaces collapsed, case folded ("Ana" and " ana" are one)
    Column("key", String(_NAME_LIMIT), nullable=False, unique=True),
    Column("store", String(32), nullable=False, unique=True),
    Column("password", String(200), nullable=False),
    Column("created", Float, nullable=False),
)
_sessions = Table(
    "sessions",
    _metadata,
    Column("digest", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
    # whose data this session looks at, read-only, while a share allows it (None: its own)
    Column("viewing", Integer, ForeignKey("accounts.id"), nullable=True),
)
# Read-only views an owner gave: the viewer may look at the owner's data until unshared.
_shares = Table(
    "shares",
    _metadata,
    Column("owner_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("viewer_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("created", Float, nullable=False),
)
_settings = Table(
    "server_settings",
    _metadata,
    Column("key", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)


class AccountError(ReciprocityError):
    """An account cannot be added, found or changed as asked (the message says why)."""

    setting = "account"


@dataclass(frozen=True)
class Account:
    """One account: its number, its name as typed, its store's key and when it was made."""

    id: int
    name: str
    store: str
    created: float


def default_home() -> Path:
    """The folder of a server's accounts when nothing else is said."""
    from platformdirs import user_data_path

    return user_data_path("reciprocity", appauthor=False) / "server"


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


HASH_OPTIONS: dict[str, Any] = {}
"""Options of argon2's ``PasswordHasher`` (none: the library's RFC 9106 defaults, 64 MiB
and three passes). Tests set cheap ones; a server never needs to."""


def _hasher() -> Any:
    from argon2 import PasswordHasher  # imported here: only server mode needs it

    return PasswordHasher(**HASH_OPTIONS)


class Registry:
    """The accounts and sessions of one server (see the module's text). Thread-safe."""

    def __init__(self, engine: Engine, *, home: Path | None, postgres: URL | None) -> None:
        self.engine = engine
        self.home = home
        self.postgres = postgres
        self._hasher = _hasher()
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        self._check_version()
        self._secret = self._cookie_secret()
        self._lock = threading.Lock()

    # -- accounts -------------------------------------------------------------------

    def add(self, name: str, password: str) -> Account:
        """Add an account named ``name`` with an empty store of its own."""
        shown = " ".join(name.split())
        if not shown or len(shown) > _NAME_LIMIT or _UNPRINTABLE.search(shown):
            raise AccountError(f"An account name is 1 to {_NAME_LIMIT} printable characters.")
        _check_password(password)
        account_store = secrets.token_hex(8)
        values = {
            "name": shown,
            "key": _key(shown),
            "store": account_store,
            "password": self._hasher.hash(password),
            "created": time.time(),
        }
        try:
            with self.engine.begin() as conn:
                new_id = conn.execute(
                    insert(_accounts).values(**values).returning(_accounts.c.id)
                ).scalar_one()
        except IntegrityError as exc:
            raise AccountError(f"There is already an account named “{shown}”.") from exc
        account = Account(int(new_id), shown, account_store, float(values["created"]))
        self.open_store(account).close()  # made now, so a broken store shows at once
        return account

    def find(self, name: str) -> Account | None:
        """The account named ``name`` (spaces and case aside), or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(select(_accounts).where(_accounts.c.key == _key(name))).first()
        return _account(row) if row is not None else None

    def get(self, account_id: int) -> Account | None:
        """The account with this number, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(select(_accounts).where(_accounts.c.id == account_id)).first()
        return _account(row) if row is not None else None

    def accounts(self) -> list[tuple[Account, int]]:
        """Every account, by name, with how many sessions it has open now."""
        now = time.time()
        open_sessions = (
            select(func.count())
            .where(_sessions.c.account_id == _accounts.c.id, _sessions.c.expires > now)
            .scalar_subquery()
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_accounts, open_sessions.label("sessions")).order_by(_accounts.c.key)
            ).all()
        return [(_account(row), int(row.sessions)) for row in rows]

    def _existing(self, name: str) -> Account:
        account = self.find(name)
        if account is None:
            raise AccountError(f"There is no account named “{' '.join(name.split())}”.")
        return account

    def remove(self, name: str) -> Account:
        """Remove the account ``name``: its sessions end and its store is deleted."""
        account = self._existing(name)
        with self.engine.begin() as conn:
            conn.execute(
                delete(_sessions).where(
                    (_sessions.c.account_id == account.id) | (_sessions.c.viewing == account.id)
                )
            )
            conn.execute(
                delete(_shares).where(
                    (_shares.c.owner_id == account.id) | (_shares.c.viewer_id == account.id)
                )
            )
            conn.execute(delete(_accounts).where(_accounts.c.id == account.id))
        if self.postgres is not None:
            with self.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{_schema(account)}" CASCADE'))
        elif self.home is not None:
            shutil.rmtree(self._folder(account), ignore_errors=True)
        return account

    def reset(self, name: str, password: str) -> Account:
        """Give ``name`` a new password; every session of the account ends."""
        _check_password(password)
        account = self._existing(name)
        with self.engine.begin() as conn:
            conn.execute(
                update(_accounts)
                .where(_accounts.c.id == account.id)
                .values(password=self._hasher.hash(password))
            )
            conn.execute(delete(_sessions).where(_sessions.c.account_id == account.id))
        return account

    def verify(self, name: str, password: str) -> Account | None:
        """The account when ``password`` is its password, else ``None`` (same cost either
        way: an unknown name is checked against a hash made up for the purpose)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        with self.engine.connect() as conn:
            row = conn.execute(select(_accounts).where(_accounts.c.key == _key(name))).first()
        stored = row.password if row is not None else self._dummy
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if self._hasher.check_needs_rehash(stored):
            with self.engine.begin() as conn:
                conn.execute(
                    update(_accounts)
                    .where(_accounts.c.id == row.id)
                    .values(password=self._hasher.hash(password))
                )
        return _account(row)

    # -- sessions -------------------------------------------------------------------

    def open_session(self, account: Account, *, hours: float = SESSION_HOURS) -> str:
        """A new session for ``account``: the value its cookie carries."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.engine.begin() as conn:
            # Expired sessions are cleared as new ones open, so the table stays small.
            conn.execute(delete(_sessions).where(_sessions.c.expires <= now))
            conn.execute(
                insert(_sessions).values(
                    digest=_digest(token),
                    account_id=account.id,
                    created=now,
                    expires=now + hours * 3600,
                )
            )
        return f"{token}.{self._sign(token)}"

    def session(self, cookie: str) -> Account | None:
        """The account whose session ``cookie`` is, while it lasts; else ``None``."""
        token = self._token(cookie)
        if token is None:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(_accounts)
                .join(_sessions, _sessions.c.account_id == _accounts.c.id)
                .where(_sessions.c.digest == _digest(token), _sessions.c.expires > time.time())
            ).first()
        return _account(row) if row is not None else None

    def signed_in(self, cookie: str) -> tuple[Account, Account | None] | None:
        """The account whose session ``cookie`` is, with the account whose data it looks
        at read-only (``None``: its own), while the session lasts; else ``None``. A look
        at another's data lasts only while its owner shares it."""
        token = self._token(cookie)
        if token is None:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(_accounts, _sessions.c.viewing)
                .join(_sessions, _sessions.c.account_id == _accounts.c.id)
                .where(_sessions.c.digest == _digest(token), _sessions.c.expires > time.time())
            ).first()
            if row is None:
                return None
            owner = None
            if row.viewing is not None:
                found = conn.execute(
                    select(_accounts)
                    .join(_shares, _shares.c.owner_id == _accounts.c.id)
                    .where(_shares.c.owner_id == row.viewing, _shares.c.viewer_id == row.id)
                ).first()
                owner = _account(found) if found is not None else None
        return _account(row), owner

    def share(self, owner: Account, viewer_name: str) -> Account:
        """Let the account ``viewer_name`` look at ``owner``'s data, read-only."""
        viewer = self.find(viewer_name)
        if viewer is None:
            raise AccountError(f"There is no account named “{' '.join(viewer_name.split())}”.")
        if viewer.id == owner.id:
            raise AccountError("That is your own account.")
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(_shares.c.owner_id).where(
                    _shares.c.owner_id == owner.id, _shares.c.viewer_id == viewer.id
                )
            ).first()
            if exists is None:
                conn.execute(
                    insert(_shares).values(
                        owner_id=owner.id, viewer_id=viewer.id, created=time.time()
                    )
                )
        return viewer

    def unshare(self, owner: Account, viewer_id: int) -> None:
        """Stop letting ``viewer_id`` look at ``owner``'s data (at its next request)."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(_shares).where(
                    _shares.c.owner_id == owner.id, _shares.c.viewer_id == viewer_id
                )
            )
            conn.execute(
                update(_sessions)
                .where(_sessions.c.account_id == viewer_id, _sessions.c.viewing == owner.id)
                .values(viewing=None)
            )

    def viewers(self, owner: Account) -> list[Account]:
        """The accounts ``owner`` shares a read-only view with."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_accounts)
                .join(_shares, _shares.c.viewer_id == _accounts.c.id)
                .where(_shares.c.owner_id == owner.id)
                .order_by(_accounts.c.key)
            ).all()
        return [_account(row) for row in rows]

    def owners(self, viewer: Account) -> list[Account]:
        """The accounts that share a read-only view with ``viewer``."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_accounts)
                .join(_shares, _shares.c.owner_id == _accounts.c.id)
                .where(_shares.c.viewer_id == viewer.id)
                .order_by(_accounts.c.key)
            ).all()
        return [_account(row) for row in rows]

    def view(self, cookie: str, owner_id: int | None) -> bool:
        """Make the session ``cookie`` look at ``owner_id``'s data (``None``: its own);
        False, and nothing changed, when that owner shares nothing with it."""
        found = self.signed_in(cookie)
        token = self._token(cookie)
        if found is None or token is None:
            return False
        account, _ = found
        with self.engine.begin() as conn:
            if owner_id is not None:
                shared = conn.execute(
                    select(_shares.c.owner_id).where(
                        _shares.c.owner_id == owner_id, _shares.c.viewer_id == account.id
                    )
                ).first()
                if shared is None:
                    return False
            conn.execute(
                update(_sessions)
                .where(_sessions.c.digest == _digest(token))
                .values(viewing=owner_id)
            )
        return True

    def end_session(self, cookie: str) -> None:
        """End the session ``cookie`` is (signing out on this browser)."""
        token = self._token(cookie)
        if token is not None:
            with self.engine.begin() as conn:
                conn.execute(delete(_sessions).where(_sessions.c.digest == _digest(token)))

    def end_sessions(self, account: Account) -> int:
        """End every session of ``account`` (signing out everywhere); how many ended."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(_sessions).where(_sessions.c.account_id == account.id))
        return int(result.rowcount or 0)

    def _sign(self, token: str) -> str:
        mac = hmac.new(self._secret, token.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def _token(self, cookie: str) -> str | None:
        token, dot, mac = cookie.partition(".")
        if not token or not dot or len(cookie) > 200:
            return None
        return token if hmac.compare_digest(mac.encode(), self._sign(token).encode()) else None

    def _check_version(self) -> None:
        """Refuse a registry written by a newer Reciprocity; mark a new one with ours."""
        with self.engine.begin() as conn:
            found = conn.execute(
                select(_settings.c.value).where(_settings.c.key == "registry_version")
            ).scalar()
            if found is None:
                conn.execute(insert(_settings).values(key="registry_version", value=str(VERSION)))
            elif int(found) > VERSION:
                raise AccountError(
                    "These accounts were written by a newer Reciprocity; update it to serve them."
                )

    def _cookie_secret(self) -> bytes:
        with self.engine.begin() as conn:
            found = conn.execute(
                select(_settings.c.value).where(_settings.c.key == "cookie_secret")
            ).scalar()
            if found is None:
                found = secrets.token_urlsafe(32)
                conn.execute(insert(_settings).values(key="cookie_secret", value=found))
        return str(found).encode()

    # -- stores ---------------------------------------------------------------------

    def _folder(self, account: Account) -> Path:
        assert self.home is not None
        return self.home / "stores" / account.store

    def store_location(self, account: Account) -> str:
        """Where ``account``'s store is: a file path, or a URL naming its own schema."""
        if self.postgres is not None:
            url = self.postgres.update_query_dict({"options": f"-csearch_path={_schema(account)}"})
            return url.render_as_string(hide_password=False)
        return str(self._folder(account) / _STORE_FILE)

    def open_store(self, account: Account) -> store.Database:
        """Open ``account``'s own database (made and migrated when new)."""
        if self.postgres is not None:
            with self.engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{_schema(account)}"'))
        else:
            folder = self._folder(account)
            private.private_folder(folder)
            private.tighten(folder, private.FOLDER_MODE)
        return store.open_db(self.store_location(account))

    def close(self) -> None:
        """Close the registry's connections."""
        self.engine.dispose()


def _schema(account: Account) -> str:
    # The key is 16 hex digits made here, so it is safe inside the quoted name.
    assert re.fullmatch(r"[0-9a-f]{16}", account.store)
    return f"reciprocity_{account.store}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _account(row: Any) -> Account:
    return Account(int(row.id), str(row.name), str(row.store), float(row.created))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"A password needs at least {MIN_PASSWORD} characters; a few words you will "
            "remember are a good one."
        )


def open_registry(location: str | Path | None = None) -> Registry:
    """The registry at ``location`` (a folder or a ``postgresql://`` URL), else at
    ``$RECIPROCITY_SERVER``, else in :func:`default_home`; made when new."""
    if location is None or not str(location).strip():
        location = os.environ.get(ENV_VAR, "").strip() or default_home()
    if isinstance(location, str) and "://" in location:
        url = make_url(location)
        if url.get_backend_name() != "postgresql":
            raise AccountError("Accounts live in a folder or a postgresql:// database.")
        base = create_engine(url)
        with base.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{_REGISTRY_SCHEMA}"'))
        translated = base.execution_options(schema_translate_map={None: _REGISTRY_SCHEMA})
        _metadata.create_all(translated)
        return Registry(translated, home=None, postgres=url)
    home = Path(location).expanduser()
    try:
        private.private_folder(home)
        private.tighten(home, private.FOLDER_MODE)
        file = home / "accounts.sqlite"
        private.create_private(file)
    except OSError as exc:
        raise AccountError(f"Cannot make the accounts folder {home}: {exc.strerror}") from exc
    engine = create_engine(URL.create("sqlite+pysqlite", database=str(file)))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    _metadata.create_all(engine)
    return Registry(engine, home=home, postgres=None)
