"""``import`` recognises a chat by its messages and people, not by its file's name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reciprocity.cli import app

FIXTURES = Path(__file__).parent.parent / "fixtures" / "whatsapp"
ALEX = FIXTURES / "WhatsApp Chat with Alex.txt"

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at 80 columns when not on a terminal; keep lines whole for asserts."""
    from rich.console import Console

    import reciprocity.cli.commands as app_module

    monkeypatch.setattr(app_module, "out", Console(width=250))
    monkeypatch.setattr(app_module, "err", Console(stderr=True, width=250))


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def iphone_chat(folder: Path, friend: str, lines: list[str]) -> Path:
    """An iPhone export (``_chat.txt``, the same name for every chat) with ``friend``."""
    folder.mkdir()
    path = folder / "_chat.txt"
    text = [
        f"[02/03/2024, 09:00:12] {friend}: \u200eMessages and calls are end-to-end encrypted.",
        *(line.replace("FRIEND", friend) for line in lines),
    ]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


ALEX_LINES = [
    "[02/03/2024, 09:01:40] Sam: Hi! How was the interview?",
    "[02/03/2024, 09:03:05] FRIEND: It went well I think, they asked about the gap year",
    "[02/03/2024, 09:06:00] Sam: So proud of you",
    "[03/03/2024, 18:00:00] FRIEND: Are you free for dinner on Friday?",
    "[03/03/2024, 18:05:00] Sam: Yes! Where shall we go?",
]
JORDAN_LINES = [
    "[05/03/2024, 20:00:00] FRIEND: Can I ask you something?",
    "[05/03/2024, 20:01:00] Sam: Of course, what's up?",
    "[05/03/2024, 20:03:00] FRIEND: I'm worried about my exam tomorrow",
    "[05/03/2024, 20:04:00] Sam: You've worked so hard, you'll be fine",
]


def test_the_same_export_under_another_name_adds_nothing(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    code, out, _ = run(db, "import", str(ALEX), "--me", "Sam", "--tz", "UTC")
    assert code == 0
    assert "imported 10 new messages" in out
    backup = shutil.copy(ALEX, tmp_path / "alex-backup.txt")
    code, out, _ = run(db, "import", str(backup))
    assert code == 0
    assert "alex-backup.txt: nothing new" in out


def test_two_iphone_exports_with_the_same_file_name_are_two_relationships(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.sqlite"
    alex = iphone_chat(tmp_path / "alex", "Alex Morgan", ALEX_LINES)
    jordan = iphone_chat(tmp_path / "jordan", "Jordan Lee", JORDAN_LINES)
    code, out, err = run(db, "import", str(alex), str(jordan), "--me", "Sam", "--tz", "UTC")
    assert code == 0, err
    code, out, _ = run(db, "analyze", "--json")
    assert code == 0
    people = {r["person"] for r in json.loads(out)["relationships"]}
    assert people == {"Alex Morgan", "Jordan Lee"}
    # Imported again, each goes back to its own chat.
    code, out, _ = run(db, "import", str(jordan), str(alex))
    assert code == 0
    assert out.count("nothing new") == 2
