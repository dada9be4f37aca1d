"""The privacy commands: backup, restore, forget one person, encrypt and decrypt."""

from __future__ import annotations

import gc
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reciprocity import journal, store
from reciprocity.cli import app
from reciprocity.store import cipher

FIXTURES = Path(__file__).parent.parent / "fixtures"
ALEX = FIXTURES / "whatsapp" / "WhatsApp Chat with Alex.txt"

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Lines kept whole for asserts; no passphrase or key left from another test."""
    from rich.console import Console

    from reciprocity.cli import privacy_commands

    monkeypatch.setattr(privacy_commands, "out", Console(width=250))
    monkeypatch.setattr(privacy_commands, "err", Console(stderr=True, width=250))
    monkeypatch.delenv(cipher.ENV_VAR, raising=False)
    cipher.forget_keys()
    yield
    cipher.set_asker(None)
    cipher.forget_keys()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "mine.sqlite"
    result = runner.invoke(app, ["--db", str(path), "import", str(ALEX), "--me", "Sam"])
    assert result.exit_code == 0, result.output
    return path


def run(db_path: Path, *args: str, given: str | None = None, **env: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db_path), *args], input=given, env=env or None)
    return result.exit_code, result.stdout + result.stderr


def _messages(db_path: Path) -> int:
    with store.open_db(db_path) as db:
        return int(store.list_people(db)["messages"].sum())


def test_backup_then_restore_after_a_change(db_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup.sqlite"
    code, out = run(db_path, "backup", str(copy))
    assert code == 0, out
    assert f"Backup written to {copy}" in out
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    before = _messages(db_path)
    with store.open_db(db_path) as db:
        journal.add_entry(db, "Alex", energy=2, note="after the backup")

    code, out = run(db_path, "restore", str(copy), given="n\n")
    assert code == 0
    assert "Nothing changed." in out
    code, out = run(db_path, "restore", str(copy), given="y\n")
    assert code == 0, out
    assert "Restored" in out
    with store.open_db(db_path) as db:
        assert journal.entries_frame(db).height == 0
    assert _messages(db_path) == before

    code, out = run(db_path, "restore", str(ALEX), "--yes")
    assert code == 1
    assert "is not a Reciprocity database" in " ".join(out.split())


def test_backup_and_restore_json(db_path: Path, tmp_path: Path) -> None:
    code, out = run(db_path, "backup", str(tmp_path), "--json")
    assert code == 0, out
    made = json.loads(out)
    assert set(made) == {"backup", "bytes", "encrypted"}
    assert made["encrypted"] is False
    assert Path(made["backup"]).parent == tmp_path
    code, out = run(db_path, "restore", made["backup"], "--yes", "--json")
    assert code == 0, out
    assert json.loads(out)["schema"] == store.migrate.HEAD


def test_forget_asks_with_what_it_removes_then_removes_it(db_path: Path) -> None:
    with store.open_db(db_path) as db:
        journal.add_entry(db, "Alex", energy=-1, note="moved the sofa")
    code, out = run(db_path, "forget", "alx")
    assert code == 1
    assert "Did you mean Alex?" in out
    code, out = run(db_path, "forget", "alex", given="n\n")
    assert "Forget Alex? This removes" in out
    assert "1 journal entry" in out
    assert "Nothing removed." in out
    code, out = run(db_path, "forget", "alex", "--yes", "--json")
    assert code == 0, out
    done = json.loads(out)
    assert done["forgotten"] == "Alex"
    assert done["removed"]["journal_entries"] == 1
    assert done["removed"]["messages"] > 0
    with store.open_db(db_path) as db:
        assert store.list_people(db).height == 0
        assert journal.entries_frame(db).height == 0
    code, out = run(db_path, "analyze", "--json")
    assert code == 0, out
    assert "Alex" not in out


def test_encrypt_asks_for_a_passphrase_then_every_command_needs_it(db_path: Path) -> None:
    code, out = run(db_path, "encrypt", given="blue heron\nblue heron\n")
    assert code == 0, out
    assert "is now encrypted" in out
    assert cipher.is_encrypted(db_path)
    assert b"Alex" not in db_path.read_bytes()
    cipher.forget_keys()

    code, out = run(db_path, "people")
    assert code == 1
    assert "is protected by a passphrase" in " ".join(out.split())
    assert "RECIPROCITY_PASSPHRASE" in out
    code, out = run(db_path, "people", RECIPROCITY_PASSPHRASE="grey heron")
    assert code == 1
    assert "The passphrase does not open" in " ".join(out.split())
    code, out = run(db_path, "people", "--json", RECIPROCITY_PASSPHRASE="blue heron")
    assert code == 0, out
    assert json.loads(out)["people"][0]["person"] == "Alex"

    code, out = run(db_path, "settings", RECIPROCITY_PASSPHRASE="blue heron")
    assert code == 0, out
    assert "protected by a passphrase)" in " ".join(out.split())
    code, out = run(db_path, "encrypt", RECIPROCITY_PASSPHRASE="blue heron")
    assert "already protected" in out
    gc.collect()  # the commands above, run in this process, leave their connections behind
    code, out = run(db_path, "decrypt", "--yes", RECIPROCITY_PASSPHRASE="blue heron")
    assert code == 0, out
    assert not cipher.is_encrypted(db_path)
    cipher.forget_keys()
    code, out = run(db_path, "settings")
    assert code == 0, out
    assert "passphrase)" not in out


def test_a_new_passphrase_typed_differently_twice_is_asked_again(db_path: Path) -> None:
    code, out = run(db_path, "encrypt", given="one\ntwo\nthree\nthree\n")
    assert code == 0, out
    cipher.forget_keys()
    code, out = run(db_path, "people", RECIPROCITY_PASSPHRASE="three")
    assert code == 0, out
