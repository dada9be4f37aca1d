"""Commands for self-report and the guided steps: ``log``, ``journal``, ``expect``,
``coach``, ``assess``, ``rank``, ``protect``, ``parent``.

A thin layer like the rest of the CLI: it reads arguments (asking for what is missing),
calls ``reciprocity.journal`` and ``reciprocity.guide``, and prints their results.
:func:`register` adds everything to an app; the database is the root ``--db`` option.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape

from reciprocity import guide, journal, pipeline, store
from reciprocity.cli import tables
from reciprocity.cli.messages import error_text
from reciprocity.cli.render import json_text
from reciprocity.errors import ReciprocityError
from reciprocity.ledger import DIMENSIONS
from reciprocity.metrics.record import find as find_record

out = Console()
err = Console(stderr=True)

journal_app = typer.Typer(
    help="List, change, delete or bring back journal entries.", no_args_is_help=False
)
expect_app = typer.Typer(help="Name what you need from someone, and check it.")


@contextmanager
def _friendly() -> Iterator[None]:
    """Show the library's domain errors as one plain line and exit 1."""
    try:
        yield
    except ReciprocityError as exc:
        err.print(f"[red]Error:[/] {escape(error_text(exc))}", highlight=False)
        raise typer.Exit(1) from exc


def _json(value: Any) -> None:
    """Print a library result as JSON (see :func:`reciprocity.cli.render.plain`)."""
    sys.stdout.write(json_text(value))


def _who(db: store.Database, name: str, new: bool) -> str:
    """The stored spelling of ``name``; refused (with the closest names) unless known or
    ``new`` (the ``--new`` option)."""
    return store.resolve_person(db, name, new=new)


def _db(ctx: typer.Context) -> store.Database:
    """The database named by the root ``--db`` option (or the default)."""
    path = ctx.find_root().params.get("db")
    return store.open_db(path if isinstance(path, str) else None)


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{value!r} is not a date; write it as year-month-day, like 2024-05-01"
        ) from exc


Person = Annotated[str | None, typer.Argument(help="Who it is about, as named in your chats.")]
When = Annotated[
    str | None,
    typer.Option("--date", help="The day, like 2024-05-01 (today or earlier). Default: now."),
]
New = Annotated[
    bool,
    typer.Option(
        "--new",
        help="Add them as someone new. Without it, a name no one in your chats or "
        "journal has is refused, with the closest names.",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _number(value: str) -> float:
    """A number as a person types it (``12.50``, ``12,50``), for Typer's ``parser=``:
    Typer's own message ("not a valid float") is a programmer's word."""
    try:
        return float(value.strip().replace(",", "."))
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a number; write it like 12.50") from exc


def _energy(value: str) -> int:
    """An energy from -2 to +2, for Typer's ``parser=``."""
    text = value.strip().replace("−", "-")
    if text.lstrip("+-").isdigit() and -2 <= int(text) <= 2:
        return int(text)
    raise typer.BadParameter(
        f"{value!r} is not an energy; use a whole number from -2 (drained) to +2 (uplifted)"
    )


def _side(value: str) -> str:
    """``me`` or ``them``, for Typer's ``parser=``."""
    side = value.strip().lower()
    if side not in ("me", "them"):
        raise typer.BadParameter(f"{value!r}: write me or them")
    return side


Energy = Annotated[
    int | None,
    typer.Option(
        "--energy",
        parser=_energy,
        metavar="-2…2",
        help="How you felt afterwards: -2 drained, 0 neither, +2 uplifted.",
    ),
]
_GIVABLE = ", ".join(d.replace("_", " ") for d in DIMENSIONS if d != "energy")


def log(
    ctx: typer.Context,
    person: Person = None,
    gave: Annotated[
        str | None,
        typer.Option("--gave", help=f'What you gave them, e.g. "practical help" ({_GIVABLE}).'),
    ] = None,
    got: Annotated[
        str | None,
        typer.Option("--got", help='What they gave you, e.g. "emotional support".'),
    ] = None,
    energy: Energy = None,
    note: Annotated[
        str | None, typer.Option("--note", help="A few words to remember it by.")
    ] = None,
    lent: Annotated[
        str | None,
        typer.Option(
            "--lent", metavar="AMOUNT", help="Money you paid for them or lent them, e.g. 40."
        ),
    ] = None,
    borrowed: Annotated[
        str | None,
        typer.Option("--borrowed", metavar="AMOUNT", help="Money they paid for you or lent you."),
    ] = None,
    paid_back: Annotated[
        str | None,
        typer.Option(
            "--paid-back",
            metavar="AMOUNT",
            help="Money paid back; by whoever owes, or say who with --by.",
        ),
    ] = None,
    settle: Annotated[
        bool,
        typer.Option("--settle", help="Everything owed between you was paid back (settle up)."),
    ] = False,
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            metavar="CODE",
            help="The money's currency, e.g. EUR or GBP. Default: your usual one.",
        ),
    ] = None,
    task: Annotated[
        str | None, typer.Option("--task", help="A household or parenting task (with --by).")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="me|them", help="Who did the task or paid back: me or them."),
    ] = None,
    conflict: Annotated[
        bool, typer.Option("--conflict", help="A conflict this person (your child) saw.")
    ] = False,
    settled: Annotated[
        bool, typer.Option("--settled", help="Already paid back, returned or repaired.")
    ] = False,
    when: When = None,
    new: New = False,
) -> None:
    """Log a moment in one line, or answer a few questions when you leave things out.

    Example: reciprocity log Alex --gave "practical help" --energy -1 --note "helped move"
    """
    with _friendly():
        if person is None:
            person = typer.prompt("Who was it with?")
        day = _day(when)
        journal.not_in_future(day)
        db = _db(ctx)
        money = _money_option(lent=lent, borrowed=borrowed, paid_back=paid_back)
        if by is not None and by not in ("me", "them"):
            raise typer.BadParameter(f"--by is 'me' or 'them', not {by!r}")
        person = _who(db, person, new)
        if settle:
            entry = journal.settle(db, person, currency, note=note, when=day)
        elif money is not None and money[0] == "--paid-back":
            payer = by or _who_owes(db, person, currency)
            entry = journal.add_entry(
                db,
                person,
                kind="repayment",
                giver=payer,
                amount=money[1],
                currency=currency,
                note=note,
                energy=energy,
                when=day,
            )
        elif money is not None:
            entry = journal.add_entry(
                db,
                person,
                giver="me" if money[0] == "--lent" else "them",
                amount=money[1],
                currency=currency,
                note=note,
                energy=energy,
                settled=settled,
                when=day,
            )
        elif task is not None:
            entry = journal.add_entry(
                db, person, kind="task", giver=by or "me", note=task, energy=energy, when=day
            )
        elif conflict:
            entry = journal.add_entry(
                db, person, kind="conflict", note=note, settled=settled, energy=energy, when=day
            )
        else:
            if gave is None and got is None and energy is None:
                gave, got, energy = _ask()
            giver = "me" if gave is not None else "them" if got is not None else None
            entry = journal.add_entry(
                db,
                person,
                giver=giver,
                dimension=gave or got,
                note=note,
                energy=energy,
                when=day,
            )
        out.print(f"Saved entry #{entry.id} about {escape(entry.person)}.", highlight=False)
        if entry.kind in ("money", "repayment"):
            found = journal.balances(journal.entries_frame(db, entry.person))
            for balance in found.get(entry.person.casefold(), []):
                if balance.currency == entry.currency:
                    out.print(escape(balance.sentence) + ".")


_MONEY_OPTIONS = ("--lent", "--borrowed", "--paid-back")


def _money_option(**given: str | None) -> tuple[str, str] | None:
    """The one money option given (its name and amount), checked: more than zero, a number.

    Errors name the options that exist, so a minus sign never leads to a made-up one.
    """
    named = [(f"--{k.replace('_', '-')}", v) for k, v in given.items() if v is not None]
    if len(named) > 1:
        raise typer.BadParameter(f"use one of {', '.join(n for n, _ in named)} at a time")
    if not named:
        return None
    option, text = named[0]
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise typer.BadParameter(f"{option} takes an amount, like {option} 40 or 12.50") from exc
    if not value.is_finite() or value <= 0:
        others = {
            "--lent": " (money they lent you or paid for you is --borrowed)",
            "--borrowed": " (money you lent them or paid for them is --lent)",
            "--paid-back": " (say who paid back with --by me or --by them)",
        }.get(option, "")
        raise typer.BadParameter(f"{option} takes an amount above zero, like {option} 40{others}")
    return option, text


def _who_owes(db: store.Database, person: str, currency: str | None) -> str:
    """Who pays back when ``--by`` is left out: whoever owes in that currency."""
    code = currency.strip().upper() if currency else journal.default_currency(db)
    found = journal.balances(journal.entries_frame(db, person)).get(person.strip().casefold(), [])
    owed = next((b.owed for b in found if b.currency == code), 0)
    if owed == 0:
        raise typer.BadParameter(
            f"nothing is owed between you and {person} in {code}; "
            "say who paid back with --by me or --by them"
        )
    return "them" if owed > 0 else "me"


def _ask() -> tuple[str | None, str | None, int | None]:
    """The interactive part of ``log``: what was given, by whom, and how it felt."""
    what = typer.prompt(
        f"What was given? ({_GIVABLE}; Enter to skip)", default="", show_default=False
    ).strip()
    gave = got = None
    if what:
        who = typer.prompt("Who gave it, me or them?", default="me").strip().lower()
        gave, got = (what, None) if who == "me" else (None, what)
    felt = typer.prompt(
        "How did you feel afterwards, -2 drained to +2 uplifted? (Enter to skip)",
        default="",
        show_default=False,
    ).strip()
    energy = _energy(felt) if felt else None
    return gave, got, energy


@journal_app.callback(invoke_without_command=True)
def journal_list(
    ctx: typer.Context,
    person: Annotated[str | None, typer.Option("--person", help="Only entries about them.")] = None,
    as_json: AsJson = False,
) -> None:
    """List journal entries, oldest first."""
    if ctx.invoked_subcommand is not None:
        return
    with _friendly():
        frame = journal.entries_frame(_db(ctx), person)
        if as_json:
            _json({"entries": frame})
            return
        if not frame.height:
            out.print("No journal entries yet. Add one with: reciprocity log <name>")
            return
        out.print(tables.journal_table(frame))


@journal_app.command("edit")
def journal_edit(
    ctx: typer.Context,
    entry_id: Annotated[
        int,
        typer.Argument(metavar="NUMBER", help="The entry's number, from 'reciprocity journal'."),
    ],
    person: Annotated[str | None, typer.Option("--person", help="Who it is about.")] = None,
    energy: Energy = None,
    note: Annotated[str | None, typer.Option("--note", help="A few words.")] = None,
    dimension: Annotated[
        str | None, typer.Option("--dimension", help=f"What was given: {_GIVABLE}.")
    ] = None,
    giver: Annotated[
        str | None,
        typer.Option("--giver", parser=_side, metavar="me|them", help="Who gave it."),
    ] = None,
    amount: Annotated[
        str | None,
        typer.Option("--amount", metavar="AMOUNT", help="The amount of money, e.g. 40 or 12.50."),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option("--currency", metavar="CODE", help="The money's currency, e.g. EUR."),
    ] = None,
    settled: Annotated[
        bool | None, typer.Option("--settled/--unsettled", help="Paid back, returned, repaired.")
    ] = None,
    when: When = None,
    new: New = False,
) -> None:
    """Change an entry; only the options you give change."""
    with _friendly():
        db = _db(ctx)
        changes = {
            k: v
            for k, v in {
                "person": None if person is None else _who(db, person, new),
                "energy": energy,
                "note": note,
                "dimension": dimension,
                "giver": giver,
                "amount": amount,
                "currency": currency,
                "settled": settled,
                "when": _day(when),
            }.items()
            if v is not None
        }
        if amount is not None:
            _money_option(amount=amount)
        entry = journal.edit_entry(db, entry_id, **changes)
        out.print(f"Updated entry #{entry.id}.", highlight=False)


@journal_app.command("delete")
def journal_delete(
    ctx: typer.Context,
    entry_id: Annotated[
        int,
        typer.Argument(metavar="NUMBER", help="The entry's number, from 'reciprocity journal'."),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
) -> None:
    """Delete an entry (it asks first; 'reciprocity journal undo' brings it back)."""
    with _friendly():
        db = _db(ctx)
        entry = journal.get_entry(db, entry_id)
        if not yes and not typer.confirm(f"Delete {describe_entry(entry)}?", default=False):
            out.print("Nothing deleted.")
            return
        journal.delete_entry(db, entry_id)
        out.print(
            f"Deleted entry #{entry_id}. To bring it back: reciprocity journal undo",
            highlight=False,
        )


@journal_app.command("undo")
def journal_undo(ctx: typer.Context) -> None:
    """Bring back the entry deleted last, with the same number."""
    with _friendly():
        entry = journal.undo_delete(_db(ctx))
        out.print(f"Brought back {describe_entry(entry)}.", highlight=False)


@journal_app.command("restore")
def journal_restore(
    ctx: typer.Context,
    entry_id: Annotated[int, typer.Argument(metavar="NUMBER", help="The deleted entry's number.")],
) -> None:
    """Bring back a deleted entry by its number."""
    with _friendly():
        entry = journal.restore_entry(_db(ctx), entry_id)
        out.print(f"Brought back {describe_entry(entry)}.", highlight=False)


def describe_entry(entry: journal.Entry) -> str:
    """One line naming an entry: its number, day, person and note (markup escaped)."""
    note = f' ("{entry.note}")' if entry.note else ""
    return escape(
        f"entry #{entry.id} of {entry.when.date().isoformat()} about {entry.person}{note}"
    )


@expect_app.command("add")
def expect_add(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who the need is about.")],
    rule: Annotated[str, typer.Argument(help=f"What you need: {_rule_names()}.")],
    value: Annotated[
        float | None,
        typer.Argument(
            parser=_number,
            metavar="NUMBER",
            help="For check-in: every how many days; for reply and support: within how "
            "many hours. Leave out for the usual.",
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="The need in your own words.")] = None,
    new: New = False,
) -> None:
    """Save a need, e.g. 'expect add Alex check-in 7' (they reach out at least weekly)."""
    with _friendly():
        db = _db(ctx)
        key = guide.add_expectation(db, _who(db, person, new), _rule(rule), value, note)
        out.print(f"Saved expectation {key}.")


def _rule_names() -> str:
    """The rule kinds as a person writes them (``check-in``, not ``check_in``)."""
    return ", ".join(name.replace("_", "-") for name in guide.RULES)


def _rule(typed: str) -> str:
    """The rule kind named by ``typed`` (``check-in``, ``check in``, ``Check_In``)."""
    key = "_".join(typed.strip().lower().replace("-", " ").replace("_", " ").split())
    if key not in guide.RULES:
        raise typer.BadParameter(f"{typed!r} is not a kind of need; use one of: {_rule_names()}")
    return key


@expect_app.command("list")
def expect_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List saved needs."""
    with _friendly():
        frame = guide.list_expectations(_db(ctx))
        if as_json:
            _json({"expectations": frame})
            return
        if not frame.height:
            out.print("No expectations yet. Add one with: reciprocity expect add <name> <need>")
            return
        out.print(tables.expectations_table(frame))


@expect_app.command("delete")
def expect_delete(
    ctx: typer.Context,
    expectation_id: Annotated[
        int,
        typer.Argument(metavar="NUMBER", help="The need's number, from 'reciprocity expect list'."),
    ],
) -> None:
    """Delete a saved need."""
    with _friendly():
        guide.delete_expectation(_db(ctx), expectation_id)
        out.print(
            f"Deleted expectation {expectation_id}. To bring it back: "
            f"reciprocity expect restore {expectation_id}",
            highlight=False,
        )


@expect_app.command("restore")
def expect_restore(
    ctx: typer.Context,
    expectation_id: Annotated[
        int, typer.Argument(metavar="NUMBER", help="The deleted need's number.")
    ],
) -> None:
    """Bring back a deleted need, with the same number."""
    with _friendly():
        guide.restore_expectation(_db(ctx), expectation_id)
        out.print(f"Brought back expectation {expectation_id}.", highlight=False)


@expect_app.command("check")
def expect_check(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Check every saved need against your messages: met, not met, or not enough data."""
    with _friendly():
        db = _db(ctx)
        saved = guide.list_expectations(db)
        if not saved.height:
            if as_json:
                _json({"expectations": saved})
                return
            out.print("No expectations yet. Add one with: reciprocity expect add <name> <need>")
            return
        checked = guide.check_expectations(saved, pipeline.analyze(db, narrow=True).exchanges)
        if as_json:
            _json({"expectations": checked})
            return
        out.print(tables.checked_table(checked))


def coach(
    ctx: typer.Context,
    draft: Annotated[str, typer.Argument(help="What you would like to say, in your words.")],
    person: Annotated[
        str | None, typer.Option("--person", help="Who it is for: adds what the messages show.")
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Note that you had the conversation (needs --person).")
    ] = False,
    when: When = None,
    new: New = False,
    as_json: AsJson = False,
) -> None:
    """Check a draft for accusations, absolutes, blame and sarcasm, and get a calmer form."""
    with _friendly():
        if record and person is None:
            raise typer.BadParameter("--record needs --person")
        imbalance: list[str] = []
        db = _db(ctx) if person else None
        if db is not None and person:
            person = _who(db, person, new)
            imbalance = guide.imbalance_phrases(pipeline.analyze(db).figures, person)
        result = guide.coach(draft, imbalance=imbalance)
        key: int | None = None
        if record and db is not None and person is not None:
            key = guide.record_conversation(
                db, person, when=_day(when), draft=draft, statement=result.statement
            )
        if as_json:
            _json({"coaching": result, "record": key})
            return
        for flag in result.flags:
            out.print(f"• [bold]{flag.kind}[/] “{escape(flag.words)}”: {flag.why}", highlight=False)
        if result.statement:
            out.print(f"\nYou could say:\n  [green]{escape(result.statement)}[/]", highlight=False)
        for note in result.notes:
            out.print(escape(note), highlight=False)
        if key is not None and person is not None:
            out.print(f"Recorded the conversation with {escape(person)} (record {key}).")


def assess(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who the check-in is about.")],
    questionnaire: Annotated[
        str, typer.Option("--questionnaire", help="Which questionnaire to fill in.")
    ] = "checkin",
    answer: Annotated[
        list[str] | None,
        typer.Option("--answer", help="item=number, to answer without questions; repeatable."),
    ] = None,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--questionnaires",
            metavar="FOLDER",
            help="A folder of questionnaire files to add (.toml).",
        ),
    ] = None,
    new: New = False,
    as_json: AsJson = False,
) -> None:
    """A short check-in about one relationship, set next to what the data says."""
    with _friendly():
        forms = guide.available(*([folder] if folder else []))
        if questionnaire not in forms:
            raise typer.BadParameter(
                f"there is no questionnaire called {questionnaire!r}; there is: " + ", ".join(forms)
            )
        form = forms[questionnaire]
        db = _db(ctx)
        person = _who(db, person, new)
        given: dict[str, int] = {}
        for pair in answer or []:
            key, _, value = pair.partition("=")
            if not value.strip().lstrip("-").isdigit():
                raise typer.BadParameter(f"{pair!r}: write it as question=number, like giving=3")
            given[key.strip()] = int(value)
        if not answer:
            # With --json the questions go to the error stream, so the output stays JSON.
            (err if as_json else out).print(escape(form.intro or form.title))
            for item in form.items:
                scale = " / ".join(f"{form.low + i} {label}" for i, label in enumerate(item.labels))
                given[item.id] = typer.prompt(
                    f"{item.text} ({scale or f'{form.low}-{form.high}'})", type=int, err=as_json
                )
        saved = guide.save_assessment(db, person, form, given)
        compared: list[guide.Comparison] = []
        if questionnaire == "checkin":
            result = pipeline.analyze(db, narrow=True)
            felt = journal.energy_frame(journal.entries_frame(db))
            compared = guide.compare(given, person, find_record(result.records, person), felt)
        history = guide.assessments_frame(db, person).filter(
            pl.col("questionnaire") == questionnaire
        )
        scores = history["score"].drop_nulls().to_list()
        if as_json:
            _json(
                {
                    "id": saved,
                    "person": person,
                    "questionnaire": questionnaire,
                    "answers": given,
                    "compared": compared,
                    "scores": scores,
                }
            )
            return
        out.print("Saved your check-in.")
        for c in compared:
            mark = {True: "agrees", False: "differs", None: "can't tell"}[c.agree]
            out.print(
                f"{c.item}: you said {c.you_said}; the data: {escape(c.data_says)} ({mark})",
                highlight=False,
            )
        if len(scores) > 1:
            out.print("Your scores over time: " + ", ".join(f"{s:.1f}" for s in scores))


def rank(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Your relationships ranked by how mutual the support is and how you feel after."""
    with _friendly():
        db = _db(ctx)
        ranked = guide.rank(
            pipeline.analyze(db).balance, journal.entries_frame(db), store.list_people(db)
        )
        if as_json:
            _json({"ranked": ranked})
            return
        if not ranked.height:
            out.print("Nothing to rank yet. Import a chat first.")
            return
        thin = ranked.filter(pl.col("suggestion").is_null())
        for r in ranked.filter(pl.col("suggestion").is_not_null()).iter_rows(named=True):
            out.print(
                f"{r['rank']}. {escape(r['person'])}: [bold]{r['suggestion']}[/] "
                f"(mutuality {r['mutuality']:.0%})\n   {escape(r['why'])}",
                highlight=False,
            )
        if thin.height:
            out.print(f"\n[bold]{guide.THIN.capitalize()}[/] (no suggestion):")
            for r in thin.iter_rows(named=True):
                out.print(f"  {escape(r['person'])}: {escape(r['rests_on'])}", highlight=False)


def protect(ctx: typer.Context, as_json: AsJson = False) -> None:
    """After a recorded conversation: did anything change, and what limits could help."""
    with _friendly():
        db = _db(ctx)
        records = guide.conversation_records(db)
        if as_json:
            ledger = pipeline.analyze(db).ledger
            _json({"advice": guide.protect_energy(ledger, records) if records.height else []})
            return
        if not records.height:
            out.print(
                'No conversation recorded yet. Record one with: reciprocity coach "..." '
                "--person <name> --record"
            )
            return
        for advice in guide.protect_energy(pipeline.analyze(db).ledger, records):
            out.print(f"[bold]{escape(advice.person)}[/] ({advice.status})", highlight=False)
            out.print(escape(advice.summary), highlight=False)
            for line in advice.evidence:
                out.print(f"  · {escape(line)}", highlight=False)
            for limit in advice.limits:
                out.print(f"  → {escape(limit)}", highlight=False)


def parent(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Parent mode: how care flows between you and your children (mark them with kind child)."""
    with _friendly():
        db = _db(ctx)
        result = pipeline.analyze(db, narrow=True)
        sections = guide.parent_mode(
            result.ledger,
            result.exchanges,
            result.patterns,
            journal.entries_frame(db),
            store.list_people(db),
        )
        if as_json:
            _json({"sections": sections})
            return
        if not sections:
            out.print(
                "No one is marked as your child yet. Mark them with: "
                "reciprocity people kind <name> child"
            )
            return
        for s in sections:
            out.print(f"[bold]{s.title}[/]")
            for line in s.lines:
                out.print(f"  {escape(line)}", highlight=False)
            out.print(f"  {escape(s.prompt)}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add every command of this module to ``app`` (whose root has the ``--db`` option)."""
    app.command("log")(log)
    app.add_typer(journal_app, name="journal")
    app.add_typer(expect_app, name="expect")
    app.command("coach")(coach)
    app.command("assess")(assess)
    app.command("rank")(rank)
    app.command("protect")(protect)
    app.command("parent")(parent)
