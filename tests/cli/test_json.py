"""Every command that shows something has ``--json``, with the same figures as its table,
and the tables fit an 80-column terminal without cutting a cell short."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from reciprocity import guide, journal, pipeline, store
from reciprocity.cli import app
from reciprocity.journal import format_money

FIXTURES = Path(__file__).parent.parent / "fixtures"
ALEX = FIXTURES / "whatsapp" / "WhatsApp Chat with Alex.txt"

runner = CliRunner()
WIDTH = {"width": 250}


@pytest.fixture(autouse=True)
def console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as wide as ``WIDTH`` says (wide for comparing cells, 80 for the layout)."""
    import reciprocity.cli.commands as commands
    import reciprocity.cli.guide_commands as guide_commands

    for module in (commands, guide_commands):
        monkeypatch.setattr(module, "out", Console(width=WIDTH["width"]))
        monkeypatch.setattr(module, "err", Console(stderr=True, width=WIDTH["width"]))


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chat with Alex (marked as a child, for parent mode), journal entries of every
    kind, two needs, a check-in and a recorded conversation."""
    path = tmp_path_factory.mktemp("json") / "json.sqlite"
    with store.open_db(path) as db:
        pipeline.import_file(db, ALEX, me="Sam")
        store.set_relationship_kind(db, "Alex", "child")
        day = date(2024, 3, 1)
        sofa = "helped move a very heavy sofa up four floors"
        journal.add_entry(
            db, "Alex", giver="me", dimension="practical_help", energy=-1, note=sofa, when=day
        )
        journal.add_entry(db, "Alex", giver="them", amount=12.5, note="concert tickets", when=day)
        journal.add_entry(db, "Alex", kind="task", giver="them", note="school run", when=day)
        journal.add_entry(db, "Alex", kind="conflict", settled=True, when=day)
        journal.add_entry(
            db, "Bartholomew-Maximilian", giver="me", dimension="listening", energy=2, when=day
        )
        guide.add_expectation(db, "Alex", "reply", 24, note="a day is fine")
        guide.add_expectation(db, "Alex", "check_in", 7)
        guide.record_conversation(db, "Alex", when=date(2024, 2, 1), statement="I feel unheard.")
    return path


def run(db_path: Path, *args: str) -> str:
    result = runner.invoke(app, ["--db", str(db_path), *args])
    assert result.exit_code == 0, result.stdout + result.stderr
    return str(result.stdout)


def both(db_path: Path, *args: str) -> tuple[Any, str]:
    """The command's JSON, and its table as printed."""
    return json.loads(run(db_path, *args, "--json")), run(db_path, *args)


def test_people(db_path: Path) -> None:
    data, table = both(db_path, "people")
    assert data["me"] == "Sam"
    assert "You are Sam." in table
    assert [p["person"] for p in data["people"]] == ["Alex"]
    for person in data["people"]:
        row = next(line for line in table.splitlines() if person["person"] in line)
        assert f"{person['messages']:,}" in row
        assert person["kind"] in row


def test_journal(db_path: Path) -> None:
    data, table = both(db_path, "journal")
    assert len(data["entries"]) == 5
    for entry in data["entries"]:
        row = next(line for line in table.splitlines() if line.split()[:1] == [f"#{entry['id']}"])
        assert entry["timestamp"][:10] in row
        assert entry["person"] in row
        if entry["energy"] is not None:
            assert f"{entry['energy']:+d}" in row
        if entry["note"]:
            assert entry["note"] in row
    money = next(e for e in data["entries"] if e["kind"] == "money")
    assert money["amount_minor"] == 1250
    assert f"they paid or lent {format_money(1250, money['currency'])} (not paid back yet)" in table


def test_journal_for_one_person(db_path: Path) -> None:
    data = json.loads(run(db_path, "journal", "--person", "alex", "--json"))
    assert {e["person"] for e in data["entries"]} == {"Alex"}


def test_expect_list(db_path: Path) -> None:
    data, table = both(db_path, "expect", "list")
    assert [e["rule"] for e in data["expectations"]] == ["reply", "check_in"]
    for need in data["expectations"]:
        row = next(line for line in table.splitlines() if line.split()[:1] == [str(need["id"])])
        assert need["person"] in row
        assert need["need"] in row
    assert "a day is fine" in table


def test_expect_check(db_path: Path) -> None:
    data, table = both(db_path, "expect", "check")
    assert len(data["expectations"]) == 2
    for need in data["expectations"]:
        row = next(line for line in table.splitlines() if need["need"] in line)
        assert need["status"] in row
        assert need["evidence"] in row
        assert {"chances", "kept"} <= need.keys()


def test_rank(db_path: Path) -> None:
    data, table = both(db_path, "rank")
    assert data["ranked"], "Alex is ranked"
    for r in data["ranked"]:
        if r["suggestion"] is None:  # too little to go on: listed apart, with what it rests on
            assert f"{r['person']}: {r['rests_on']}" in table
            continue
        assert f"{r['rank']}. {r['person']}: {r['suggestion']} (mutuality " in table
        assert f"{r['mutuality']:.0%})" in table
        assert r["why"] in table


def test_protect(db_path: Path) -> None:
    data, table = both(db_path, "protect")
    assert [a["person"] for a in data["advice"]] == ["Alex"]
    for advice in data["advice"]:
        assert f"{advice['person']} ({advice['status']})" in table
        assert advice["summary"] in table
        for line in advice["evidence"] + advice["limits"]:
            assert line in table


def test_parent(db_path: Path) -> None:
    data, table = both(db_path, "parent")
    assert data["sections"]
    for section in data["sections"]:
        assert section["title"] in table
        for line in section["lines"]:
            assert line in table


def test_coach(db_path: Path) -> None:
    draft = "you never ask how I am"
    data, table = both(db_path, "coach", draft)
    coaching = data["coaching"]
    assert coaching["flags"]
    for flag in coaching["flags"]:
        assert f"{flag['kind']} “{flag['words']}”" in table
    assert coaching["statement"] in table
    assert data["record"] is None


def test_assess(db_path: Path) -> None:
    answers = ["--answer", "giving=4", "--answer", "energy=2", "--answer", "heard=3",
               "--answer", "support=3"]  # fmt: skip
    data = json.loads(run(db_path, "assess", "Alex", *answers, "--json"))
    table = run(db_path, "assess", "Alex", *answers)
    assert data["answers"] == {"giving": 4, "energy": 2, "heard": 3, "support": 3}
    assert data["compared"]
    for c in data["compared"]:
        assert f"{c['item']}: you said {c['you_said']}; the data: {c['data_says']}" in table
    # The table run saved one more check-in: its history is the JSON's and one more score.
    later = json.loads(run(db_path, "assess", "Alex", *answers, "--json"))
    assert later["scores"][: len(data["scores"]) + 1] == later["scores"][:-1]
    assert ", ".join(f"{s:.1f}" for s in later["scores"][:-1]) in table


@pytest.mark.parametrize(
    "args",
    [("journal",), ("people",), ("expect", "list"), ("expect", "check")],
    ids=lambda a: " ".join(a),
)
def test_tables_fit_80_columns_whole(
    db_path: Path, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(WIDTH, "width", 80)
    import reciprocity.cli.commands as commands
    import reciprocity.cli.guide_commands as guide_commands

    for module in (commands, guide_commands):
        monkeypatch.setattr(module, "out", Console(width=80))
    table = run(db_path, *args)
    assert "…" not in table
    assert max(len(line) for line in table.splitlines()) <= 80
    if args == ("journal",):
        assert table.count("2024-03-01") == 5  # every date whole
        assert "interaction" not in table  # kinds read as words, not cut codes


def test_every_json_option_is_documented_and_every_showing_command_has_one() -> None:
    import typer.main

    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    with_json: list[str] = []

    def walk(command: Any, path: list[str]) -> None:
        if any("--json" in p.opts for p in command.params):
            with_json.append(" ".join(path))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    showing = {"analyze", "people", "journal", "expect list", "expect check", "rank", "protect",
               "parent", "coach", "assess"}  # fmt: skip
    assert showing <= set(with_json), showing - set(with_json)
    for path in with_json:
        assert f"| `{path} --json` |" in readme, f"README does not show {path} --json"
