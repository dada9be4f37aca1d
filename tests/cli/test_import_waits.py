"""``import`` beside another writer: it waits its turn and says so, and an analysis that
cannot finish after a good save is a note, not a failure."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from reciprocity import pipeline, store
from reciprocity.cli import app, commands
from reciprocity.errors import StoreError

ALEX = Path(__file__).parent.parent / "fixtures" / "whatsapp" / "WhatsApp Chat with Alex.txt"
Holder = Callable[[Path, float], AbstractContextManager[subprocess.Popen[str]]]

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at 80 columns when not on a terminal; keep lines whole for asserts."""
    from rich.console import Console

    import reciprocity.cli.commands as app_module

    monkeypatch.setattr(app_module, "out", Console(width=250))
    monkeypatch.setattr(app_module, "err", Console(stderr=True, width=250))


class _Releasing(Console):
    """A console that lets the other writer finish once told that the import waits."""

    def __init__(self, holder: subprocess.Popen[str], **options: Any) -> None:
        super().__init__(**options)
        self.holder = holder

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*objects, **options)
        if "waiting for it to finish" in " ".join(map(str, objects)):
            assert self.holder.stdin is not None
            self.holder.stdin.write("done\n")
            self.holder.stdin.flush()


def test_an_import_waits_for_another_import_and_says_so(
    tmp_path: Path, hold_write_lock: Holder, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.sqlite"
    store.open_db(db).close()
    with hold_write_lock(db, 60) as holder:
        # The other import finishes once this one has said it waits.
        monkeypatch.setattr(commands, "err", _Releasing(holder, width=250, stderr=True))
        result = runner.invoke(app, ["--db", str(db), "import", str(ALEX), "--me", "Sam"])
    assert result.exit_code == 0, result.stderr
    assert "another import is saving to this database; waiting" in result.stderr
    assert "imported 10 new messages" in result.stdout


def test_a_failed_analysis_after_a_good_save_is_not_a_failed_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def changed(*args: object, **kwargs: object) -> None:
        raise StoreError("the data changed during the analysis; run it again")

    monkeypatch.setattr(pipeline, "prepare", changed)
    db = tmp_path / "db.sqlite"
    result = runner.invoke(app, ["--db", str(db), "import", str(ALEX), "--me", "Sam"])
    assert result.exit_code == 0
    assert "imported 10 new messages" in result.stdout
    assert "Your messages are saved" in result.stderr
    with store.open_db(db) as opened, opened.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM messages").scalar() == 10
