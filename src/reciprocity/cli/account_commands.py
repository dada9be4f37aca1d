"""``reciprocity accounts``: the accounts of a server (``serve --server``).

A thin layer over :mod:`reciprocity.accounts`: ``add``, ``remove``, ``reset`` (a new
password; every session of the account ends) and ``list``. Passwords are typed twice
without being shown, or read from the standard input with ``--password-stdin`` (one line,
for scripts). Where the accounts live: ``--accounts`` (a folder or a ``postgresql://``
URL), else ``$RECIPROCITY_SERVER``, else ``server`` in the user data folder.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from reciprocity.errors import ReciprocityError

out = Console()
err = Console(stderr=True)

accounts_app = typer.Typer(
    help="Accounts of a server that several people sign in to (serve --server): add, "
    "remove, reset a password, list.",
    no_args_is_help=True,
)

Location = Annotated[
    str | None,
    typer.Option(
        "--accounts",
        help="Where the accounts live: a folder or a postgresql:// URL "
        "(default: $RECIPROCITY_SERVER, else a folder in your data folder).",
    ),
]
FromStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    text: str = typer.prompt("Password", hide_input=True, confirmation_prompt="The same again")
    return text


def _fail(problem: ReciprocityError) -> typer.Exit:
    err.print(f"[red]Error:[/] {escape(str(problem))}", highlight=False)
    return typer.Exit(1)


@accounts_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The account's name, as its owner signs in.")],
    accounts: Location = None,
    password_stdin: FromStdin = False,
) -> None:
    """Add an account with a store of its own; the password is asked twice."""
    from reciprocity.accounts import open_registry

    try:
        registry = open_registry(accounts)
        account = registry.add(name, _password(password_stdin))
    except ReciprocityError as problem:
        raise _fail(problem) from problem
    out.print(f"Added the account “{escape(account.name)}”. It can sign in now.")


@accounts_app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The account to remove.")],
    accounts: Location = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask; remove the account and all its data.")
    ] = False,
) -> None:
    """Remove an account and delete all its data; its sessions end at once."""
    from reciprocity.accounts import open_registry

    if not yes and not typer.confirm(
        f"Remove the account “{name}” and delete all its data? This cannot be undone"
    ):
        raise typer.Exit(1)
    try:
        account = open_registry(accounts).remove(name)
    except ReciprocityError as problem:
        raise _fail(problem) from problem
    out.print(f"Removed the account “{escape(account.name)}” and its data.")


@accounts_app.command("reset")
def reset(
    name: Annotated[str, typer.Argument(help="The account that needs a new password.")],
    accounts: Location = None,
    password_stdin: FromStdin = False,
) -> None:
    """Give an account a new password; every browser signed in to it must sign in again."""
    from reciprocity.accounts import open_registry

    try:
        registry = open_registry(accounts)
        account = registry.reset(name, _password(password_stdin))
    except ReciprocityError as problem:
        raise _fail(problem) from problem
    out.print(f"New password set for “{escape(account.name)}”; its sessions have ended.")


@accounts_app.command("list")
def list_accounts(accounts: Location = None) -> None:
    """List the accounts, when each was made and how many sessions each has open."""
    from reciprocity.accounts import open_registry

    try:
        rows = open_registry(accounts).accounts()
    except ReciprocityError as problem:
        raise _fail(problem) from problem
    if not rows:
        out.print("No accounts yet. Add one with: reciprocity accounts add NAME")
        return
    for account, sessions in rows:
        made = datetime.fromtimestamp(account.created, UTC).strftime("%Y-%m-%d")
        out.print(
            f"{escape(account.name)}  (since {made}; signed in on {sessions} "
            f"browser{'s' if sessions != 1 else ''})",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add ``accounts`` to ``app``."""
    app.add_typer(accounts_app, name="accounts")
