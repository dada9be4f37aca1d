"""Input a person gets wrong, on the command line: unknown names, future days, numbers
and choices typed wrong, a report with nowhere to go, a busy port. Each gets one plain
line naming an option that exists, and a non-zero exit."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import click
import pytest
import typer.main
from typer.testing import CliRunner

from reciprocity import guide, journal, pipeline, store
from reciprocity.cli import app, messages

FIXTURES = Path(__file__).parent.parent / "fixtures"
ALEX = FIXTURES / "whatsapp" / "WhatsApp Chat with Alex.txt"

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep each message on one line for the asserts."""
    from rich.console import Console

    import reciprocity.cli.commands as commands
    import reciprocity.cli.guide_commands as guide_commands
    import reciprocity.cli.surface_commands as surface_commands

    for module in (commands, guide_commands, surface_commands):
        monkeypatch.setattr(module, "out", Console(width=250))
        monkeypatch.setattr(module, "err", Console(stderr=True, width=250))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database with a chat with Alex and a journal entry about Bea."""
    path = tmp_path / "input.sqlite"
    with store.open_db(path) as db:
        pipeline.import_file(db, ALEX, me="Sam")
        journal.add_entry(db, "Bea", giver="me", dimension="listening")
    return path


def run(db_path: Path, *args: str, given: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db_path), *args], input=given)
    return result.exit_code, result.stdout, result.stderr


def entries(db_path: Path) -> list[str]:
    with store.open_db(db_path) as db:
        return journal.entries_frame(db)["person"].to_list()


def test_log_about_an_unknown_name_is_refused_with_the_closest(db_path: Path) -> None:
    code, out, err = run(db_path, "log", "Bob", "--gave", "listening")
    assert code == 1
    assert "No one called Bob. Did you mean Bea?" in err
    assert "--new" in err
    assert entries(db_path) == ["Bea"]  # nothing saved, no new person
    code, out, _ = run(db_path, "log", "Bob", "--new", "--gave", "listening")
    assert code == 0, out
    assert entries(db_path) == ["Bea", "Bob"]


def test_log_takes_the_known_spelling(db_path: Path) -> None:
    code, out, _ = run(db_path, "log", "alex", "--energy", "1")
    assert code == 0, out
    assert "about Alex" in out
    assert entries(db_path) == ["Bea", "Alex"]


def test_expect_assess_coach_and_edit_refuse_unknown_names(db_path: Path) -> None:
    code, _, err = run(db_path, "expect", "add", "Bob", "reply", "24")
    assert code == 1
    assert "Did you mean Bea?" in err
    assert run(db_path, "expect", "add", "Bob", "check-in", "7", "--new")[0] == 0
    code, _, err = run(db_path, "assess", "Alx", "--answer", "giving=3")
    assert code == 1
    assert "Did you mean Alex?" in err
    code, _, err = run(db_path, "coach", "you never call", "--person", "Aelx", "--record")
    assert code == 1
    assert "Did you mean Alex?" in err
    code, _, err = run(db_path, "journal", "edit", "1", "--person", "Baa")
    assert code == 1
    assert "Did you mean Bea?" in err
    with store.open_db(db_path) as db:
        assert guide.list_expectations(db)["person"].to_list() == ["Bob"]
        assert guide.conversation_records(db).height == 0


def test_a_day_in_the_future_is_refused(db_path: Path) -> None:
    code, _, err = run(db_path, "log", "Alex", "--energy", "1", "--date", "2999-01-01")
    assert code == 1
    assert "2999-01-01 is in the future" in err
    code, _, err = run(db_path, "journal", "edit", "1", "--date", "2999-01-01")
    assert code == 1
    assert "in the future" in err
    code, _, err = run(
        db_path, "coach", "I miss you", "--person", "Alex", "--record", "--date", "2999-01-01"
    )
    assert code == 1
    assert "in the future" in err
    assert entries(db_path) == ["Bea"]


def test_numbers_and_choices_typed_wrong_get_plain_words(db_path: Path) -> None:
    code, _, err = run(db_path, "log", "Alex", "--lent", "ten")
    assert code == 2
    assert "--lent takes an amount" in err
    assert "float" not in err
    code, _, err = run(db_path, "log", "Alex", "--energy", "5")
    assert code == 2
    assert "-2 (drained) to +2 (uplifted)" in err
    assert "<=x<=" not in err
    code, _, err = run(db_path, "log", "Alex", "--task", "dishes", "--by", "Bea")
    assert code == 2
    assert "--by" in err  # the error names the option that was wrong
    code, _, err = run(db_path, "expect", "add", "Alex", "reply", "soon")
    assert code == 2
    assert "not a number" in err
    assert run(db_path, "log", "Alex", "--lent", "12,50")[0] == 0  # a comma works too


def _options() -> set[str]:
    """Every option of every command."""
    found: set[str] = {"--help"}

    def walk(command: click.Command) -> None:
        for param in command.params:
            found.update(o for o in [*param.opts, *param.secondary_opts] if o.startswith("--"))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    # `reciprocity eval` hands its arguments to the evaluation's own parser.
    evaluate = Path(__file__).parents[2] / "src" / "reciprocity" / "acts" / "evaluate.py"
    found.update(re.findall(r"add_argument\(\s*\"(--[a-z-]+)\"", evaluate.read_text("utf-8")))
    return found


def test_every_option_an_error_names_exists() -> None:
    options = _options()
    named = {o for hint in messages.HINTS.values() for o in re.findall(r"--[a-z][a-z-]*", hint)}
    assert named, "the hints name options"
    assert named <= options, named - options
    # And in every message the command line can print, in the library and the CLI alike.
    source = Path(__file__).parents[2] / "src" / "reciprocity"
    skip = {"evaluate.py", "evaluate_render.py", "migrate.py"}  # own argparse; pip's options
    for path in source.rglob("*.py"):
        if path.name in skip:
            continue
        for option in re.findall(r"[\"' ](--[a-z][a-z-]+)\b", path.read_text("utf-8")):
            assert option in options, f"{path.name} names {option}, which no command has"


def test_unknown_format_and_me_name_their_options(db_path: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.bin"
    notes.write_bytes(b"\x00\x01 nothing like a chat")
    code, _, err = run(db_path, "import", str(notes))
    assert code == 1
    assert "Pass --format" in err
    other = tmp_path / "other.sqlite"
    code, _, err = run(other, "import", str(ALEX))
    assert code == 1
    assert "Pass --me" in err


def test_report_to_a_missing_folder_or_a_folder_is_one_line(db_path: Path, tmp_path: Path) -> None:
    code, out, err = run(db_path, "report", "-o", str(tmp_path / "missing" / "dir" / "x.html"))
    assert code == 1
    assert "there is no folder" in err
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1
    code, out, err = run(db_path, "report", "-o", str(tmp_path))
    assert code == 1
    assert "it is a folder" in err
    assert "IsADirectoryError" not in out + err


def test_serve_on_a_busy_port_says_so_before_announcing(db_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(db_path, "serve", "--port", str(port), "--no-browser")
    assert code == 1
    assert "Serving on" not in out
    assert f"127.0.0.1:{port}" in err
    assert "--port" in err
    assert "Errno" not in out + err


def _command_paths() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "reciprocity")
def test_help_speaks_plainly(path: list[str]) -> None:
    if path == ["eval"]:
        return  # its --help is the evaluation's own parser, for developers
    result = runner.invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = result.stdout
    for code_word in ("``", "(s)", "<str>", "<int>", "<float>", "ISO 8601", "float"):
        assert code_word not in text, f"{' '.join(path)} help says {code_word!r}"
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text), "snake_case names in the help"


def test_import_counts_in_the_right_number(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.sqlite"
    code, out, _ = run(fresh, "import", str(ALEX), "--me", "Sam")
    assert code == 0
    assert "from 1 conversation (WhatsApp)" in out
    assert "(s)" not in out
