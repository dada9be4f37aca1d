"""Commands that keep the data safe: ``backup``, ``restore``, ``forget`` one person, and
``encrypt`` / ``decrypt`` (protection by a passphrase).

A thin layer over :mod:`reciprocity.store.backup`, :mod:`.forget` and :mod:`.cipher`: it
reads arguments, asks before anything it cannot undo, asks for passphrases without
showing them, and prints what the library returns. :func:`register` adds the commands
to an app whose root has the ``--db`` option; :func:`ask_in_terminal` is installed by the
root so that any command opening an encrypted database asks for its passphrase.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from reciprocity import store
from reciprocity.cli.render import json_text
from reciprocity.errors import StoreError
from reciprocity.store import backup as backups
from reciprocity.store import cipher
from reciprocity.store import forget as forgetting
from reciprocity.store.db import resolve

out = Console()
err = Console(stderr=True)

AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")]

_WORDS = {
    "messages": ("message", "messages"),
    "reactions": ("reaction", "reactions"),
    "conversations": ("chat", "chats"),
    "identities": ("name in the chats", "names in the chats"),
    "journal_entries": ("journal entry", "journal entries"),
    "expectations": ("need", "needs"),
    "conversation_records": ("conversation record", "conversation records"),
    "assessments": ("questionnaire", "questionnaires"),
    "imports": ("import", "imports"),
}
"""How the confirmation names what ``forget`` removes, one and many."""


def _db_path(ctx: typer.Context) -> str | None:
    path = ctx.find_root().params.get("db")
    return path if isinstance(path, str) else None


def _db(ctx: typer.Context) -> store.Database:
    """The database named by the root ``--db`` option (or the default)."""
    return store.open_db(_db_path(ctx))


def _file(ctx: typer.Context) -> Path:
    """The database file (a server database has none: :class:`StoreError`)."""
    url, path = resolve(_db_path(ctx))
    if path is None:
        raise StoreError(f"{url.render_as_string(hide_password=True)} is not a file.")
    return path


def _json(value: Any) -> None:
    sys.stdout.write(json_text(value))


def ask_in_terminal(where: str) -> str:
    """Ask for the passphrase of ``where`` without showing what is typed."""
    return getpass.getpass(f"Passphrase for {where}: ")


def _new_passphrase() -> str:
    """A new passphrase: typed twice without showing it, or from RECIPROCITY_PASSPHRASE
    when not in a terminal (for scripts)."""
    given = os.environ.get(cipher.ENV_VAR)
    if given is not None and not sys.stdin.isatty():
        return given
    text: str = typer.prompt(
        "New passphrase (it cannot be recovered if lost)",
        hide_input=True,
        confirmation_prompt="The same passphrase again",
    )
    return text


def _counts(removed: dict[str, int]) -> str:
    parts = []
    for table, count in removed.items():
        if count and table in _WORDS:
            one, many = _WORDS[table]
            parts.append(f"{count:,} {one if count == 1 else many}")
    return ", ".join(parts) if parts else "nothing but the name"


def backup(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help="The file to write (a folder gets a dated file in it).")
    ],
    as_json: AsJson = False,
) -> None:
    """Copy all your data into one file, safely even while the app or an import runs."""
    db = _db(ctx)
    written = backups.backup(db, path)
    encrypted = cipher.is_encrypted(written)
    if as_json:
        _json({"backup": str(written), "bytes": written.stat().st_size, "encrypted": encrypted})
        return
    lock = " It is protected by the same passphrase." if encrypted else ""
    out.print(
        f"Backup written to {escape(str(written))}.{lock} To put it back: "
        f"reciprocity restore {escape(str(written))}",
        highlight=False,
    )


def restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A backup made by 'reciprocity backup'.")],
    yes: Yes = False,
    as_json: AsJson = False,
) -> None:
    """Replace all your data with a backup (it checks the backup first, and asks)."""
    db = _db(ctx)
    where = store.location(db).shown
    if not yes and not typer.confirm(
        f"Replace everything in {where} with the backup {path}? What is there now is lost",
        default=False,
        err=as_json,
    ):
        out.print("Nothing changed.")
        return
    revision = backups.restore(db, path)
    if as_json:
        _json({"restored": str(path), "into": where, "schema": revision})
        return
    out.print(f"Restored {escape(str(path))} into {escape(where)}.", highlight=False)


def forget(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who to forget, as named in your chats.")],
    yes: Yes = False,
    as_json: AsJson = False,
) -> None:
    """Remove one person from everything: chats, names, journal, money, needs, figures."""
    db = _db(ctx)
    planned = forgetting.plan(db, person)
    if not yes and not typer.confirm(
        f"Forget {planned.person}? This removes {_counts(planned.removed)}, and every "
        "figure counting them. It cannot be undone",
        default=False,
        err=as_json,
    ):
        out.print("Nothing removed.")
        return
    done = forgetting.forget(db, planned.person)
    if as_json:
        _json({"forgotten": done.person, "removed": done.removed})
        return
    out.print(f"Forgot {escape(done.person)}: removed {_counts(done.removed)}.", highlight=False)


def encrypt(
    ctx: typer.Context,
    change: Annotated[
        bool, typer.Option("--change", help="Change the passphrase of a protected database.")
    ] = False,
) -> None:
    """Protect your data with a passphrase: the file is encrypted, unreadable without it."""
    path = _file(ctx)
    store.open_db(_db_path(ctx)).close()  # created and up to date (and the passphrase known)
    if cipher.is_encrypted(path) and not change:
        out.print(
            f"{escape(str(path))} is already protected. To change the passphrase: "
            "reciprocity encrypt --change",
            highlight=False,
        )
        return
    if change and not cipher.is_encrypted(path):
        raise StoreError(f"{path} is not protected yet: reciprocity encrypt")
    passphrase = _new_passphrase()
    if change:
        cipher.change_passphrase(path, passphrase)
        out.print(f"The passphrase of {escape(str(path))} is changed.", highlight=False)
        return
    cipher.encrypt_file(path, passphrase)
    out.print(
        f"{escape(str(path))} is now encrypted. Every command asks for the passphrase "
        f"(or reads it from {cipher.ENV_VAR}); without it the data cannot be read, by "
        "anyone. Keep it somewhere safe.",
        highlight=False,
    )


def decrypt(ctx: typer.Context, yes: Yes = False) -> None:
    """Remove the passphrase: the file is stored unencrypted again."""
    path = _file(ctx)
    store.open_db(_db_path(ctx)).close()
    if not yes and not typer.confirm(
        f"Store {path} unencrypted, readable without a passphrase?", default=False
    ):
        out.print("Nothing changed.")
        return
    cipher.decrypt_file(path)
    out.print(f"{escape(str(path))} is no longer encrypted.", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("forget")(forget)
    app.command("encrypt")(encrypt)
    app.command("decrypt")(decrypt)
