"""The guide commands, driven through Typer's runner against a temporary database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from reciprocity import guide, journal, store
from reciprocity.cli import guide_commands

FIXTURES = Path(__file__).parent.parent / "fixtures"
ALEX = FIXTURES / "whatsapp" / "WhatsApp Chat with Alex.txt"

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.callback()
    def root(db: Annotated[str | None, typer.Option("--db")] = None) -> None:
        """The root with the --db option, as in the real app."""

    guide_commands.register(app)
    return app


APP = _app()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at 80 columns when not on a terminal; keep lines whole for asserts."""
    from rich.console import Console

    monkeypatch.setattr(guide_commands, "out", Console(width=250))
    monkeypatch.setattr(guide_commands, "err", Console(stderr=True, width=250))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cli.sqlite"


def run(db_path: Path, *args: str, given: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(APP, ["--db", str(db_path), *args], input=given)
    return result.exit_code, result.stdout, result.stderr


def test_log_one_line_then_list_edit_delete(db_path: Path) -> None:
    code, out, _ = run(
        db_path, "log", "Alex", "--new", "--gave", "practical_help", "--energy", "-1", "--note",
        "helped <b>move</b>", "--date", "2024-05-01",
    )  # fmt: skip
    assert code == 0, out
    assert "Saved entry #1 about Alex" in out
    code, out, _ = run(db_path, "journal")
    assert "you gave practical help" in out
    assert "helped <b>move</b>" in out  # shown as text, never as markup
    assert run(db_path, "journal", "edit", "1", "--energy", "2")[0] == 0
    with store.open_db(db_path) as db:
        assert journal.get_entry(db, 1).energy == 2
    code, out, _ = run(db_path, "journal", "delete", "1", "--yes")
    assert "Deleted entry #1" in out
    code, _, err = run(db_path, "journal", "delete", "1", "--yes")
    assert code == 1
    assert "no journal entry 1" in err


def test_log_money_task_and_conflict(db_path: Path) -> None:
    assert run(db_path, "log", "Alex", "--new", "--lent", "40", "--note", "tickets")[0] == 0
    assert run(db_path, "log", "Robin", "--new", "--task", "school run", "--by", "them")[0] == 0
    assert run(db_path, "log", "Kai", "--new", "--conflict", "--settled")[0] == 0
    with store.open_db(db_path) as db:
        frame = journal.entries_frame(db)
    assert frame["kind"].to_list() == ["money", "task", "conflict"]
    assert frame["settled"].to_list() == [False, None, True]
    code, _, _ = run(db_path, "journal", "edit", "1", "--settled")
    assert code == 0


def test_log_asks_for_what_is_missing(db_path: Path) -> None:
    code, out, _ = run(db_path, "log", "--new", given="Jordan\nlistening\nthem\n2\n")
    assert code == 0, out
    with store.open_db(db_path) as db:
        entry = journal.get_entry(db, 1)
    assert (entry.person, entry.giver, entry.dimension, entry.energy) == (
        "Jordan", "them", "listening", 2,
    )  # fmt: skip


def test_log_refuses_bad_input(db_path: Path) -> None:
    code, _, err = run(db_path, "log", "Alex", "--new", "--gave", "hugs")
    assert code == 1
    assert "not something one can give" in err
    assert run(db_path, "log", "Alex", "--energy", "5")[0] == 2  # outside -2..+2


def test_coach_flags_proposes_and_records(db_path: Path) -> None:
    code, out, _ = run(db_path, "coach", "you never ask how I am")
    assert code == 0
    assert "accusation" in out
    assert "I feel unheard when you don't ask how I am." in out
    code, out, _ = run(db_path, "coach", "Can we talk on Sunday?")
    assert "already speaks from your side" in out
    code, out, _ = run(
        db_path, "coach", "you never ask how I am", "--person", "Alex", "--new", "--record",
        "--date", "2024-04-14",
    )  # fmt: skip
    assert code == 0, out
    assert "Recorded the conversation with Alex" in out
    with store.open_db(db_path) as db:
        records = guide.conversation_records(db)
    assert records["person"].to_list() == ["Alex"]
    assert records["statement"][0].startswith("I feel")


def test_coach_refuses_what_it_cannot_read(db_path: Path) -> None:
    for draft in ("", "   ", "!!! ..."):
        code, out, err = run(db_path, "coach", draft)
        assert code == 1, draft
        assert "There is nothing to check yet" in out + err
        assert "already speaks from your side" not in out + err
    code, out, err = run(db_path, "coach", "Tu ne m'écoutes jamais")
    assert code == 1
    assert "The coach reads English only, and this looks like French" in out + err
    assert "already speaks from your side" not in out + err


def test_expect_add_list_check(db_path: Path) -> None:
    with store.open_db(db_path) as db:
        from reciprocity import pipeline

        pipeline.import_file(db, ALEX, me="Sam", options=None)
    assert run(db_path, "expect", "add", "Alex", "reply", "24")[0] == 0
    code, out, _ = run(db_path, "expect", "list")
    assert "Alex" in out
    assert "answers my messages within 24 hours" in out
    code, out, _ = run(db_path, "expect", "check")
    assert code == 0, out
    assert any(s in out for s in ("met", "not met", "not enough data"))
    code, _, err = run(db_path, "expect", "add", "Alex", "hugs")
    assert code == 2
    assert "not a kind of need" in err


def test_assess_rank_protect_parent(db_path: Path) -> None:
    with store.open_db(db_path) as db:
        from reciprocity import pipeline

        pipeline.import_file(db, ALEX, me="Sam", options=None)
    code, out, _ = run(db_path, "assess", "Alex", given="4\n2\n3\n3\n")
    assert code == 0, out
    assert "Saved your check-in." in out
    assert "giving: you said you give a bit more" in out
    code, out, _ = run(db_path, "assess", "Alex", "--answer", "giving=3", "--answer", "energy=3",
                       "--answer", "heard=3", "--answer", "support=3")  # fmt: skip
    assert "Your scores over time: 2.7, 3.0" in out
    code, out, _ = run(db_path, "rank")
    assert code == 0
    # The small fixture chat is too little to go on: listed apart, with no suggestion.
    assert "1. Alex" not in out
    assert "Too little to go on yet (no suggestion):" in out
    assert "  Alex: 4 moments of give and take counted so far, 1 of them support;" in out
    code, out, _ = run(db_path, "protect")
    assert "No conversation recorded yet" in out
    code, out, _ = run(db_path, "parent")
    assert "No one is marked as your child" in out


def test_assess_with_a_questionnaire_plugin(db_path: Path) -> None:
    folder = FIXTURES / "guide" / "good"
    code, out, _ = run(
        db_path, "assess", "Alex", "--new", "--questionnaire", "mood", "--questionnaires",
        str(folder),
        "--answer", "calm=3", "--answer", "tense=1",
    )  # fmt: skip
    assert code == 0, out
    with store.open_db(db_path) as db:
        saved = guide.assessments_frame(db)
    assert saved["questionnaire"].to_list() == ["mood"]
    assert saved["score"].to_list() == [6.0]
    code, _, _ = run(db_path, "assess", "Alex", "--questionnaire", "nope", "--answer", "a=1")
    assert code == 2


def test_journal_delete_asks_first_and_undo_brings_the_same_entry_back(db_path: Path) -> None:
    run(db_path, "log", "Alex", "--new", "--energy", "1", "--note", "walk", "--date", "2024-05-01")
    run(db_path, "log", "Jordan", "--new", "--energy", "-1", "--date", "2024-05-02")
    code, out, _ = run(db_path, "journal", "delete", "2", given="n\n")
    assert "Delete entry #2 of 2024-05-02 about Jordan? [y/N]" in out
    assert "Nothing deleted" in out
    with store.open_db(db_path) as db:
        assert journal.get_entry(db, 2).person == "Jordan"
    code, out, _ = run(db_path, "journal", "delete", "2", given="y\n")
    assert code == 0
    assert "Deleted entry #2" in out
    assert "#2" not in run(db_path, "journal")[1]
    code, out, _ = run(db_path, "journal", "undo")
    assert code == 0, out
    assert "Brought back entry #2 of 2024-05-02 about Jordan" in out
    assert "#2" in run(db_path, "journal")[1]
    # Deleting the newest entry never frees its number: the next entry gets a new one.
    run(db_path, "journal", "delete", "2", "--yes")
    code, out, _ = run(db_path, "log", "Riley", "--new", "--energy", "2")
    assert "Saved entry #3 about Riley" in out
    code, out, _ = run(db_path, "journal", "restore", "2")
    assert code == 0, out
    with store.open_db(db_path) as db:
        assert journal.entries_frame(db)["id"].to_list() == [1, 2, 3]
    code, _, err = run(db_path, "journal", "undo")
    assert code == 1
    assert "no deleted journal entry" in err


def test_a_deleted_need_is_brought_back_with_its_number(db_path: Path) -> None:
    run(db_path, "expect", "add", "Alex", "check_in", "7", "--new")
    _, out, _ = run(db_path, "expect", "delete", "1")
    assert "reciprocity expect restore 1" in out
    assert "No expectations yet" in run(db_path, "expect", "list")[1]
    assert run(db_path, "expect", "restore", "1")[0] == 0
    listed = run(db_path, "expect", "list")[1]
    assert "Alex" in listed
    assert "reaches out at least every 7 days" in listed
