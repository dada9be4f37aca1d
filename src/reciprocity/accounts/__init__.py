"""Accounts for server mode: who may sign in, their sessions, and where each one's data lives.

Server mode (``reciprocity serve --server``) holds several people's data on one machine: a
therapist's clients, or a household. Isolation is by **a store per account**, not by a
column every query must remember to filter on: each account has a database of its own (a
SQLite file in a private folder, or a PostgreSQL schema of its own), and a request can
only reach the store its signed-in account opens (:mod:`reciprocity.web.accounts_state`).
A route that forgot a check would still only see its own account's data.

- :class:`Registry` (:mod:`.registry`): the small database of accounts (name, argon2
  password hash) and server-side sessions, so "sign out everywhere" and removing an
  account end every session at once; it also says where each account's store lives.
- :class:`LoginLimits` (:mod:`.limits`): failed sign-ins counted per account name and per
  client address, so passwords cannot be guessed at speed.
"""

from reciprocity.accounts.limits import LoginLimits
from reciprocity.accounts.registry import (
    SESSION_HOURS,
    Account,
    AccountError,
    Registry,
    default_home,
    open_registry,
)

__all__ = [
    "SESSION_HOURS",
    "Account",
    "AccountError",
    "LoginLimits",
    "Registry",
    "default_home",
    "open_registry",
]
