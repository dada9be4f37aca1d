"""The ``reciprocity`` command and its subcommands."""

from __future__ import annotations

import copy
import json
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text
from typer.core import TyperGroup

from reciprocity import ingest, metrics, pipeline, store, words
from reciprocity.cli import (
    account_commands,
    balance_view,
    corpus_commands,
    guide_commands,
    money_commands,
    people_commands,
    privacy_commands,
    render,
    settings_commands,
    surface_commands,
)
from reciprocity.cli.messages import error_text
from reciprocity.errors import NotFound, ReciprocityError
from reciprocity.metrics.beside import beside_figures
from reciprocity.metrics.record import find, say_duration
from reciprocity.store import cipher
from reciprocity.store.db import resolve

_VALUE_WORDS = {"str": "text", "text": "text", "int": "number", "integer": "number"}
"""How the help names a kind of value: ``<text>``, not Python's ``<str>``."""


def _plain_value_names(command: Any) -> None:
    """Name every option's and argument's value in plain words in ``command``'s help and
    its subcommands' (Typer shows Python's type names, ``<str>``, ``<int>``, ``<_number>``).
    Each parameter gets its own copy of its type, so no other program's help changes."""
    for param in command.params:
        name = str(getattr(param.type, "name", ""))
        word = _VALUE_WORDS.get(name, name.lstrip("_"))
        if word != name:
            param.type = copy.copy(param.type)
            param.type.name = word
    for sub in getattr(command, "commands", {}).values():
        _plain_value_names(sub)


class _Group(TyperGroup):
    """Turns the library's domain errors into a short message and exit code 1."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_value_names(self)

    def invoke(self, ctx: Any) -> Any:  # typer vendors click; its Context is private
        try:
            return super().invoke(ctx)
        except ReciprocityError as exc:
            err.print(f"[red]Error:[/] {_escape(error_text(exc))}", highlight=False)
            raise typer.Exit(1) from exc


app = typer.Typer(
    name="reciprocity",
    cls=_Group,
    help="See the give-and-take in your relationships, from the chats you already have. "
    "Everything stays on this machine.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)
out = Console()
err = Console(stderr=True)


class State:
    """Options shared by every command."""

    db_path: str | None = None


state = State()


@app.callback()
def _root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="RECIPROCITY_DB",
            help="Database file (or sqlite:// / postgresql:// URL). "
            "Default: reciprocity.sqlite in your user data folder.",
            show_default=False,
        ),
    ] = None,
) -> None:
    state.db_path = db
    if sys.stdin.isatty():  # an encrypted database's passphrase is asked for when opened
        cipher.set_asker(privacy_commands.ask_in_terminal)


def _open() -> store.Database:
    return store.open_db(state.db_path)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 3600, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str) -> timedelta:
    """``"6h"``, ``"90m"``, ``"2d"``, ``"45s"`` or a bare number of hours."""
    match = _DURATION.match(value.lower())
    if not match:
        raise typer.BadParameter(f"{value!r} is not a duration; write it like 6h, 90m or 2d")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


@app.command("import")
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Export files (WhatsApp .txt/.zip, Telegram result.json, CSV ...), or "
            "folders and zips holding several: every export in them is found by its content."
        ),
    ],
    me: Annotated[
        str | None,
        typer.Option(
            "--me",
            help="Your own name as it appears in the export. Needed the first time; "
            "remembered after that. For email, all your addresses, separated by commas; "
            "SMS and iMessage know your messages without it.",
        ),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help=f"auto, or one of: {', '.join(ingest.FORMATS)}.")
    ] = "auto",
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            help="Time zone the export's clock times are in (e.g. Europe/Berlin). "
            "Default: this machine's zone.",
        ),
    ] = None,
    dayfirst: Annotated[
        bool | None,
        typer.Option(
            "--dayfirst/--monthfirst",
            help=(
                "Force the date order of WhatsApp and Discord CSV exports. Default: worked "
                "out from the file."
            ),
            show_default=False,
        ),
    ] = None,
    conversation: Annotated[
        str | None,
        typer.Option("--conversation", help="Name for the conversation, instead of the file's."),
    ] = None,
) -> None:
    """Import chat exports. Safe to repeat: messages already imported are skipped.

    A folder or a zip holding several exports (a whole Facebook download, a Telegram
    export folder, a folder of WhatsApp zips) imports every export in it, each on its
    own, and lists the files it skipped.

    After saving, the analysis runs once and is kept, so later commands and the web
    pages open quickly."""
    options = ingest.Options(timezone=tz, dayfirst=dayfirst, conversation=conversation)
    # A database file this command creates stays only if something was imported into it.
    _, file = resolve(state.db_path)
    created = file is not None and not file.exists()
    db = _open()
    failed = 0
    added = 0
    for path in paths:
        if pipeline.is_container(path):
            container_added, container_failed = _import_container(db, path, me, format, options)
            added += container_added
            failed += container_failed
            continue
        who = me
        if who is None and path.suffix.lower() == ".json":
            from reciprocity.ingest import telegram

            who = telegram.account_owner(path)
        try:
            with _import_progress() as progress:
                task = progress.add_task(f"Reading {path.name}", total=None)
                outcome = pipeline.import_file(
                    db,
                    path,
                    me=who,
                    format=format,
                    options=options,
                    on_batch=lambda n, task=task: progress.advance(task, n),  # type: ignore[misc]
                    on_wait=lambda path=path: _say_waiting(path.name),  # type: ignore[misc]
                )
        except ReciprocityError as exc:
            # One bad file must not stop the others; each import is its own transaction.
            failed += 1
            _say_failed(str(path), exc)
            continue
        # New reactions alone change the analysis too (attention given).
        added += outcome.result.messages_added + outcome.result.reactions_added
        _say_imported(path.name, outcome)
    if added:
        try:
            _prepare(db)
        except ReciprocityError as exc:
            # The messages are saved; the analysis runs again whenever results are shown.
            err.print(
                "[yellow]Your messages are saved[/], but the analysis could not be finished "
                f"now ({_escape(error_text(exc))}). It runs again the next time you look at "
                "the results.",
                highlight=False,
            )
    if failed:
        if created and not added:
            _remove_database(db)
        raise typer.Exit(1)


def _import_progress() -> Progress:
    """The one progress bar of an import: messages read so far, time spent."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} messages"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _say_waiting(name: str) -> None:
    err.print(
        f"{_escape(name)}: another import is saving to this database; waiting for it to finish..."
    )


def _say_failed(name: str, exc: ReciprocityError, *, part: bool = False) -> None:
    """Why ``name`` was not imported; ``part``: it is one export of a folder or archive."""
    nothing = "Nothing of it was written" if part else "Nothing was written"
    err.print(f"[red]Could not import[/] {_escape(name)}. {nothing}.")
    for line in error_text(exc).splitlines():
        err.print(f"  {_escape(line)}", highlight=False)


def _say_imported(name: str, outcome: pipeline.ImportOutcome) -> None:
    """What one export's import added, and what the reader chose for it."""
    r = outcome.result
    if r.messages_added == 0 and r.reactions_added == 0 and r.messages_seen > 0:
        already = "its one message was" if r.messages_seen == 1 else f"all {r.messages_seen:,} were"
        out.print(f"{_escape(name)}: nothing new; {already} already imported.")
    else:
        # Reactions (a 👍 put on a message) are counted apart: they are not messages.
        reactions = (
            f" and {words.count(r.reactions_added, 'new reaction')}" if r.reactions_added else ""
        )
        out.print(
            f"{_escape(name)}: imported "
            f"{words.count(r.messages_added, 'new message')}{reactions} "
            f"({r.duplicates:,} already there) from "
            f"{words.count(r.conversations, 'conversation')} ({words.app(outcome.format)})."
        )
    for note in outcome.notes:
        out.print(Text(f"  Note: {note}"))


#: Skipped files named one by one, at most; the rest are counted by kind.
_SKIPPED_SHOWN = 10


def _import_container(
    db: store.Database, path: Path, me: str | None, format: str, options: ingest.Options
) -> tuple[int, int]:
    """Import every export in a folder or archive under one progress bar; returns the
    messages added and the exports that failed."""
    try:
        with _import_progress() as progress:
            task = progress.add_task(f"Looking through {path.name}", total=None)

            def on_export(number: int, count: int, label: str) -> None:
                progress.update(task, description=f"Reading {number} of {count}: {label}")

            result = pipeline.import_container(
                db,
                path,
                me=me,
                format=format,
                options=options,
                on_batch=lambda n: progress.advance(task, n),
                on_wait=lambda: _say_waiting(path.name),
                on_export=on_export,
            )
    except ReciprocityError as exc:
        _say_failed(str(path), exc)
        return 0, 1
    failed = 0
    for export in result.exports:
        name = f"{path.name}/{export.label}" if export.label else path.name
        if export.outcome is not None:
            _say_imported(name, export.outcome)
        elif export.error is not None:
            failed += 1
            _say_failed(name, export.error, part=True)
    _say_skipped(path, result.skipped)
    if not result.exports:
        err.print(
            f"[red]Could not import[/] {_escape(str(path))}: none of the files in it is an "
            "export Reciprocity reads."
        )
        failed += 1
    return result.messages_added + result.reactions_added, failed


def _say_skipped(path: Path, skipped: tuple[ingest.containers.Skipped, ...]) -> None:
    if not skipped:
        return
    out.print(f"{_escape(path.name)}: skipped {words.count(len(skipped), 'file')}:")
    for item in skipped[:_SKIPPED_SHOWN]:
        out.print(Text(f"  {item.label} ({item.reason})"))
    rest = skipped[_SKIPPED_SHOWN:]
    if rest:
        kinds: dict[str, int] = {}
        for item in rest:
            suffix = Path(item.label).suffix.lower() or "no extension"
            kinds[suffix] = kinds.get(suffix, 0) + 1
        counted = ", ".join(
            f"{n:,} {kind}" for kind, n in sorted(kinds.items(), key=lambda k: -k[1])
        )
        out.print(Text(f"  ... and {len(rest):,} more ({counted})"))


def _remove_database(db: store.Database) -> None:
    """Delete an empty database file (with what SQLite keeps beside it) that this
    command created: a failed first import leaves nothing behind."""
    assert db.path is not None
    db.close()
    for leftover in (db.path, *db.path.parent.glob(db.path.name + "-*")):
        leftover.unlink(missing_ok=True)


def _prepare(db: store.Database) -> None:
    """Run the analysis now (acts, exchanges, ledger ...) and store it, with a spinner."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        progress.add_task("Analysing what was imported", total=None)
        pipeline.prepare(db)


@app.command()
def analyze(
    as_json: Annotated[bool, typer.Option("--json", help="Print every figure as JSON.")] = False,
    person: Annotated[
        str | None,
        typer.Option("--person", help="Show one relationship in depth (the name as listed)."),
    ] = None,
    silence: Annotated[
        str,
        typer.Option(
            "--silence",
            help="How long a quiet gap must be before the next message starts a new conversation.",
        ),
    ] = "6h",
) -> None:
    """Show who gives and who receives in each relationship, and how sure each reading is.

    Who writes, starts, answers, asks, supports and celebrates, one-to-one and in groups.
    """
    gap = parse_duration(silence)
    db = _open()
    analysis = pipeline.analyze(db, silence=gap)
    if as_json:
        data = balance_view.records_to_json(analysis.records, analysis.patterns)
        data["groups"] = balance_view.groups_to_json(analysis.group_records)
        across = beside_figures(db, analysis.contacts, silence=gap)
        data.update(money_commands.beside_json(across))
        data["not_read"] = analysis.unread().drop("relationship_id").to_dicts()
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    if not analysis.records:
        out.print(
            "No conversations yet. Import an export first, e.g.\n"
            '  reciprocity import "WhatsApp Chat with Alex.zip" --me "Your Name"'
        )
        return
    if person is not None:
        found = find(analysis.records, person)
        if found is None:
            known = [r.person for r in analysis.records]
            raise NotFound(f"no chat with {person!r}; people with chats: " + ", ".join(known))
        out.print(
            balance_view.person_view(found, change=_change_since_talk(db, analysis, found.person))
        )
        for line in money_commands.person_beside(db, analysis, found.person, gap):
            out.print(line)
        _say_unread(analysis, found.person)
        return
    _show_overview(analysis, say_duration(gap.total_seconds()))


def _change_since_talk(
    db: store.Database, analysis: pipeline.Analysis, person: str
) -> pl.DataFrame | None:
    """Before and after the latest recorded conversation with ``person``, if there is one."""
    from reciprocity import guide

    records = guide.conversation_records(db).filter(
        pl.col("person").str.to_lowercase() == person.lower()
    )
    if records.is_empty():
        return None
    return metrics.change_around(analysis.ledger, person, records["date"].max())  # type: ignore[arg-type]


def _say_unread(analysis: pipeline.Analysis, person: str | None = None) -> None:
    """A line per chat in a language whose message kinds are not read."""
    for row in analysis.unread().iter_rows(named=True):
        if person is None or row["person"] == person:
            out.print(
                Text(
                    f"{row['person']}: {row['note']}. Support, requests and the like are not "
                    f"measured for {row['person']}: read any zero for them as not measured."
                )
            )


def _show_overview(analysis: pipeline.Analysis, silence_label: str) -> None:
    out.print(balance_view.figures_table(analysis.records, silence_label))
    for record in analysis.records:
        out.print(balance_view.balance_table(record, "all"))
    out.print(Text(balance_view.BALANCE_KEY, style="dim"))
    for part in balance_view.group_tables(analysis.group_records):
        out.print(part)
    _say_unread(analysis)
    shown = analysis.patterns.filter(pl.col("shows"))
    for row in shown.iter_rows(named=True):
        out.print(Text("• " + row["summary"]))
    out.print("For one person in depth:  reciprocity analyze --person NAME")


people_app = typer.Typer(
    help="The people in your chats: list them, say who they are to you, link, merge, "
    "split or rename them.",
    no_args_is_help=False,
    invoke_without_command=True,
)
app.add_typer(people_app, name="people")


@people_app.callback()
def people_list(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the list as JSON instead of a table.")
    ] = False,
) -> None:
    """List everyone you have chatted with, most active first."""
    if ctx.invoked_subcommand is not None:
        return
    db = _open()
    people = store.list_people(db)
    if as_json:
        sys.stdout.write(render.json_text({"me": store.get_me(db), "people": people}))
        return
    if people.is_empty():
        out.print("No one yet. Import an export first: reciprocity import <file> --me <your name>")
        return
    out.print(render.people_table(people.to_dicts(), me=store.get_me(db)))


@people_app.command("kind")
def people_kind(
    person: Annotated[str, typer.Argument(help="Their name as listed by `reciprocity people`.")],
    kind: Annotated[
        str, typer.Argument(help="One of: " + ", ".join(store.RELATIONSHIP_KINDS) + ".")
    ],
) -> None:
    """Say what someone is to you (friend, partner, parent, child ...)."""
    store.set_relationship_kind(_open(), person, kind)
    out.print(f"{_escape(person)} is now marked as: {_escape(kind.lower())}.")


@people_app.command("link")
def people_link(
    platform: Annotated[str, typer.Argument(help="whatsapp, telegram, csv ...")],
    handle: Annotated[str, typer.Argument(help="The name or handle as that export writes it.")],
    person: Annotated[str, typer.Argument(help="The person it belongs to.")],
) -> None:
    """Attach one platform's name or handle to a person."""
    store.link_identity(_open(), platform, handle, person)
    out.print(f"{_escape(handle)} on {_escape(platform)} now belongs to {_escape(person)}.")


@app.command(
    "eval",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def eval_(ctx: typer.Context) -> None:
    """Measure the message-act detector on the labelled datasets in ../shared/datasets.

    Prints precision, recall and F1 per act and dataset, next to published scores, and the
    detector's speed. Options: --json, --markdown, --dataset NAME, --limit N, --shared DIR,
    --throughput N, --reference (run `reciprocity eval --help` for all).
    """
    from reciprocity.acts import evaluate

    raise typer.Exit(evaluate.main(list(ctx.args)))


@app.command()
def train(
    labelled: Annotated[
        Path,
        typer.Argument(help="CSV with a text column and one 0/1 column per act name."),
    ],
    name: Annotated[str, typer.Option("--name", help="Name to save the model under.")] = "local",
    text_column: Annotated[
        str, typer.Option("--text-column", help="Column holding the message text.")
    ] = "text",
) -> None:
    """Fit a message-act model on your own labelled messages. It stays on this machine.

    Needs the training extra: pip install 'reciprocity\\[train]'.
    """
    from reciprocity.acts import train as training

    folder = training.fit_local(labelled, name=name, text_column=text_column)
    out.print(f"Model saved in {_escape(str(folder))}. It is used only on this machine.")


@app.command()
def demo(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            metavar="FOLDER",
            help="Write the demo exports and the demo database here "
            "(default: exports in a temporary folder, the database beside your own).",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the demo's HTML report to this file."),
    ] = None,
) -> None:
    """Try Reciprocity on made-up chats of a made-up person (Sam).

    Writes demo exports, imports them into a demo database of its own and shows the
    analysis. Your own database is not touched."""
    from reciprocity.demo import load

    if directory is not None:
        target = directory.expanduser() / ("reciprocity" + load.DEMO_SUFFIX)
    else:
        target = load.demo_path(store.db.resolve(state.db_path)[1])
    db, done = load.build_demo(target, directory)
    where = "" if directory else " (a temporary folder; pass --dir to keep the files)"
    folder = directory if directory is not None else done[0].path.parent if done else target
    out.print(f"Demo exports written to {_escape(str(folder))}{where}:")
    for imported in done:
        out.print(
            f"  {_escape(imported.path.name):<34} {imported.format:<9} "
            f"{imported.messages_added:>6,} messages"
        )
    out.print()
    _show_overview(pipeline.analyze(db), "6h")
    if report is not None:
        from reciprocity.report import write_report

        written = write_report(db, report)
        out.print(f"HTML report: {_escape(str(written))} (open it in any browser)")
    db.close()
    out.print(f"The demo database is {_escape(str(target))}. Open it in the app with:")
    out.print(f"  reciprocity --db {_escape(_shell_quote(str(target)))} serve", soft_wrap=True)
    out.print(
        "Try it on your own chats:  reciprocity import <export> --me <your name>  "
        "then  reciprocity analyze"
    )


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


guide_commands.register(app)
money_commands.register(app, people_app)
surface_commands.register(app)
settings_commands.register(app, people_app)
people_commands.register(people_app)
privacy_commands.register(app)
account_commands.register(app)
corpus_commands.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
