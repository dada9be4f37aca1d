"""The settings commands: names, where the data lives, export, delete everything, split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reciprocity import journal, store
from reciprocity.cli import app

FIXTURES = Path(__file__).parent.parent / "fixtures"
ALEX = FIXTURES / "whatsapp" / "WhatsApp Chat with Alex.txt"

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at 80 columns when not on a terminal; keep lines whole for asserts."""
    from rich.console import Console

    from reciprocity.cli import settings_commands

    monkeypatch.setattr(settings_commands, "out", Console(width=250))
    monkeypatch.setattr(settings_commands, "err", Console(stderr=True, width=250))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "mine.sqlite"
    assert (
        runner.invoke(app, ["--db", str(path), "import", str(ALEX), "--me", "Sam"]).exit_code == 0
    )
    return path


def run(db_path: Path, *args: str, given: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db_path), *args], input=given)
    return result.exit_code, result.stdout + result.stderr


def test_settings_show_my_names_and_where_the_data_lives(db_path: Path) -> None:
    code, out = run(db_path, "settings")
    assert code == 0, out
    assert "Your name: Sam" in out
    assert "Sam on whatsapp" in out
    assert f"Your data: {db_path} (" in out
    assert run(db_path, "people", "link", "telegram", "sammy", "Sam")[0] == 0
    assert "sammy on telegram" in run(db_path, "settings")[1]
    code, out = run(db_path, "people", "rename", "Sam", "Samira")
    assert code == 0, out
    assert "Your name: Samira" in run(db_path, "settings")[1]


def test_split_moves_a_name_back_out(db_path: Path) -> None:
    run(db_path, "people", "link", "telegram", "alex_t", "Alex")
    code, out = run(db_path, "people", "split", "alex_t")
    assert code == 0, out
    assert "alex_t is now a person of their own" in out
    with store.open_db(db_path) as db:
        assert {"Alex", "alex_t"} <= set(store.list_people(db)["person"])
    code, out = run(db_path, "people", "split", "nobody")
    assert code == 1
    assert "no name or handle 'nobody'" in " ".join(out.split())


def test_export_writes_everything_to_one_json_file(db_path: Path, tmp_path: Path) -> None:
    with store.open_db(db_path) as db:
        journal.add_entry(db, "Alex", energy=2, note="lunch")
    target = tmp_path / "all.json"
    code, out = run(db_path, "export", str(target))
    assert code == 0, out
    data = json.loads(target.read_text("utf-8"))
    assert len(data["tables"]["messages"]) > 5
    assert data["tables"]["journal_entries"][0]["note"] == "lunch"
    code, out = run(db_path, "export", str(tmp_path / "missing" / "x.json"))
    assert code == 1
    assert "does not exist" in " ".join(out.split())  # the error console wraps long paths


def test_delete_everything_asks_unless_yes(db_path: Path) -> None:
    code, out = run(db_path, "delete-everything", given="n\n")
    assert "Delete everything in" in out
    assert "Nothing deleted" in out
    with store.open_db(db_path) as db:
        assert not store.is_empty(db)
    code, out = run(db_path, "delete-everything", "--yes")
    assert code == 0, out
    assert "reciprocity demo" in out
    with store.open_db(db_path) as db:
        assert store.is_empty(db)
