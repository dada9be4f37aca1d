"""The command line, driven through Typer's runner against a temporary database."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reciprocity import store
from reciprocity.cli import app

FIXTURES = Path(__file__).parent.parent / "fixtures"
ALEX = FIXTURES / "whatsapp" / "WhatsApp Chat with Alex.txt"
TRUNCATED = FIXTURES / "telegram" / "truncated.json"

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at 80 columns when not on a terminal; keep names whole for asserts."""
    from rich.console import Console

    import reciprocity.cli.commands as app_module

    monkeypatch.setattr(app_module, "out", Console(width=250))
    monkeypatch.setattr(app_module, "err", Console(stderr=True, width=250))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.sqlite"


def run(db_path: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db_path), *args])
    return result.exit_code, result.stdout, result.stderr


def message_count(db_path: Path) -> int:
    return store.messages_frame(store.open_db(db_path)).height


def test_import_then_reimport_adds_nothing(db_path: Path) -> None:
    code, out, _ = run(db_path, "import", str(ALEX), "--me", "Sam", "--tz", "Europe/London")
    assert code == 0
    assert "imported 10 new messages" in out  # 12 lines of headers, 2 of them system notes
    first = message_count(db_path)
    code, out, _ = run(db_path, "import", str(ALEX))
    assert code == 0
    assert "nothing new" in out
    assert message_count(db_path) == first


def test_import_line_counts_reactions_apart(db_path: Path) -> None:
    jose = FIXTURES / "messenger" / "inbox" / "joseramirez_10158" / "message_2.json"
    code, out, _ = run(db_path, "import", str(jose), "--me", "Sam Lee")
    assert code == 0
    assert "imported 4 new messages and 1 new reaction (0 already there)" in out
    code, out, _ = run(db_path, "import", str(jose))
    assert "nothing new" in out


def test_reimport_remembers_the_zone_of_the_first_import(db_path: Path) -> None:
    """Without the remembered zone, a re-import read in another zone would duplicate."""
    run(db_path, "import", str(ALEX), "--me", "Sam", "--tz", "Asia/Tokyo")
    code, out, _ = run(db_path, "import", str(ALEX))
    assert code == 0
    assert "nothing new" in out


def test_bad_file_names_file_and_line_and_writes_nothing(db_path: Path) -> None:
    run(db_path, "import", str(ALEX), "--me", "Sam")
    before = message_count(db_path)
    code, _, err = run(db_path, "import", str(TRUNCATED), "--me", "Sam Lee")
    assert code == 1
    assert "Nothing was written" in err
    assert f"{TRUNCATED}:" in err.replace("\n", "")
    assert message_count(db_path) == before


def test_a_failed_first_import_leaves_no_database_file(db_path: Path) -> None:
    code, _, err = run(db_path, "import", str(TRUNCATED), "--me", "Sam Lee")
    assert code == 1
    assert "Nothing was written" in err
    assert list(db_path.parent.glob(db_path.name + "*")) == []
    # An existing database stays, even when it holds no import yet.
    run(db_path, "log", "Alex", "--gave", "listening", "--energy", "1", "--new")
    assert db_path.exists()
    code, _, _ = run(db_path, "import", str(TRUNCATED), "--me", "Sam Lee")
    assert code == 1
    assert db_path.exists()


def test_first_import_without_me_asks_for_it(db_path: Path) -> None:
    code, _, err = run(db_path, "import", str(ALEX))
    assert code == 1
    assert "--me" in err
    assert "Alex" in err
    assert message_count(db_path) == 0


def test_analyze_json_has_the_documented_shape(db_path: Path) -> None:
    run(db_path, "import", str(ALEX), "--me", "Sam")
    code, out, _ = run(db_path, "analyze", "--json")
    assert code == 0
    data = json.loads(out)
    (alex,) = data["relationships"]
    assert alex["person"] == "Alex"
    for key in ("messages", "initiations", "reply_latency_median_s", "reply_rate", "questions"):
        assert set(alex[key]) == {"me", "them"}
    # text and media count as messages; the missed call, the deleted message and the
    # two WhatsApp notices do not
    assert alex["messages"] == {"me": 3, "them": 3}
    assert alex["calls"] == {"me": 0, "them": 1}
    # 2 March 09:01-09:20, then 13 March (calls and system lines start no conversation)
    assert alex["conversations"] == 2


def test_analyze_table_and_silence_option(db_path: Path) -> None:
    run(db_path, "import", str(ALEX), "--me", "Sam")
    code, out, _ = run(db_path, "analyze", "--silence", "90m")
    assert code == 0
    assert "Alex" in out
    assert "1 h 30 min" in " ".join(out.split())
    code, _, err = run(db_path, "analyze", "--silence", "soon")
    assert code != 0
    assert "duration" in err


def test_analyze_on_empty_database_explains_what_to_do(db_path: Path) -> None:
    code, out, _ = run(db_path, "analyze")
    assert code == 0
    assert "reciprocity import" in out


def test_db_from_environment(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECIPROCITY_DB", str(db_path))
    result = runner.invoke(app, ["import", str(ALEX), "--me", "Sam"])
    assert result.exit_code == 0
    assert db_path.exists()
    assert message_count(db_path) > 0


def test_people_kind_and_unknown_person(db_path: Path) -> None:
    run(db_path, "import", str(ALEX), "--me", "Sam")
    code, out, _ = run(db_path, "people", "kind", "Alex", "friend")
    assert code == 0
    code, out, _ = run(db_path, "people")
    assert "friend" in out
    assert "WhatsApp" in out  # the app in words, not its code
    assert "whatsapp" not in out
    code, _, err = run(db_path, "people", "kind", "Nobody", "friend")
    assert code == 1
    assert "Nobody" in err


def test_names_from_exports_are_not_rich_markup(db_path: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "chat.csv"
    hostile.write_text(
        "timestamp,sender,text\n"
        "2024-03-01T10:00:00Z,Sam,hi\n"
        "2024-03-01T10:05:00Z,[bold red]Mallory[/],hello <script>alert(1)</script>\n",
        encoding="utf-8",
    )
    code, _, _ = run(db_path, "import", str(hostile), "--me", "Sam")
    assert code == 0
    code, out, _ = run(db_path, "analyze")
    assert "[bold red]Mallory[/]" in out


def test_unknown_file_type_is_explained(db_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "notes.pdf"
    other.write_bytes(b"%PDF-1.4 not a chat")
    code, _, err = run(db_path, "import", str(other), "--me", "Sam")
    assert code == 1
    assert "--format" in err


def test_demo_shows_every_relationship(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    report = tmp_path / "demo.html"
    result = runner.invoke(
        app,
        [
            *("--db", str(tmp_path / "unused.sqlite"), "demo"),
            *("--dir", str(folder), "--report", str(report)),
        ],
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    for name in ("Alex", "Jordan", "Riley", "Kai"):
        assert name in result.stdout
    assert any(folder.iterdir())
    html = report.read_text(encoding="utf-8")
    assert all(name in html for name in ("Alex", "Jordan", "Riley", "Kai"))
    assert not (tmp_path / "unused.sqlite").exists()  # the demo never touches your database
    # It ends by saying how to open what it made in the app, and that database is there.
    made = folder / "reciprocity-demo.sqlite"
    assert f"reciprocity --db {made} serve" in result.stdout
    _hint_parses(result.stdout, "serve")
    with store.open_db(made) as db:
        assert store.get_me(db) == "Sam"
        assert len(store.list_people(db)) >= 4


def _hint_parses(stdout: str, command: str) -> None:
    """The command the output suggests is one the CLI accepts as written (its options in
    the right places), checked by asking it for its help."""
    line = next(
        line
        for line in stdout.splitlines()
        if line.strip().startswith("reciprocity ") and f" {command}" in line
    )
    words = shlex.split(line.strip())[1:]
    checked = runner.invoke(app, [*words, "--help"])
    assert checked.exit_code == 0, f"{line!r} does not parse: {checked.stdout}"


def test_demo_without_a_folder_puts_its_database_beside_yours(tmp_path: Path) -> None:
    own = tmp_path / "mine.sqlite"
    result = runner.invoke(app, ["--db", str(own), "demo"])
    assert result.exit_code == 0, result.stdout + result.stderr
    made = tmp_path / "mine-demo.sqlite"
    assert f"reciprocity --db {made} serve" in result.stdout
    _hint_parses(result.stdout, "serve")
    assert made.exists()
    assert not own.exists()


def test_every_command_has_help() -> None:
    for command in (["import"], ["analyze"], ["demo"], ["people"], ["people", "kind"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert len(result.stdout) > 100


SCRIPT = Path(sys.executable).parent / "reciprocity"


@pytest.mark.skipif(not SCRIPT.exists(), reason="console script not installed (pip install -e .)")
def test_console_script_is_installed() -> None:
    done = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "import" in done.stdout


def test_analyze_json_includes_balance_and_patterns(db_path: Path) -> None:
    run(db_path, "import", str(ALEX), "--me", "Sam")
    code, out, _ = run(db_path, "analyze", "--json")
    assert code == 0
    data = json.loads(out)
    dimensions = {row["dimension"] for row in data["balance"] if row["person"] == "Alex"}
    assert "attention" in dimensions
    for row in data["balance"]:
        low, high = row["interval"]
        assert 0 <= low <= high <= 1
        # a dozen messages never make a confident verdict
        assert row["verdict"] == "not enough data yet"
    assert {p["pattern"] for p in data["patterns"]} >= {"over_giving"}


def test_analyze_one_person_in_depth(db_path: Path) -> None:
    run(db_path, "import", str(ALEX), "--me", "Sam")
    code, out, _ = run(db_path, "analyze", "--person", "alex")
    assert code == 0
    assert "Alex" in out
    code, _, err = run(db_path, "analyze", "--person", "Nobody")
    assert code == 1
    assert "Nobody" in err
    assert "Alex" in err  # says who there is
    assert "Before and after the conversation" not in out  # no conversation recorded yet
    run(
        db_path,
        "coach",
        "Can we plan more?",
        "--person",
        "Alex",
        "--record",
        "--date",
        "2024-03-10",
    )
    code, out, _ = run(db_path, "analyze", "--person", "Alex")
    assert code == 0
    assert "Before and after the conversation" in out
    assert "too early" in out  # ten messages: nothing to read yet, and it says so


def test_one_bad_file_does_not_stop_the_others(db_path: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = run(db_path, "import", str(tmp_path), str(empty), str(ALEX), "--me", "Sam")
    assert code == 1  # something failed, and says so
    assert "none of the files in it is an export" in err  # the folder holds no export
    assert "empty" in err
    assert "imported 10 new messages" in out  # the good file still went in
    assert message_count(db_path) > 0


def test_a_folder_of_exports_imports_each_and_lists_what_it_skipped(
    db_path: Path, tmp_path: Path
) -> None:
    import zipfile

    box = tmp_path / "exports"
    (box / "phone").mkdir(parents=True)
    with zipfile.ZipFile(box / "phone" / "WhatsApp Chat with Alex.zip", "w") as archive:
        archive.write(ALEX, ALEX.name)
    german = ALEX.parent / "locales" / "WhatsApp Chat mit Jonas.txt"
    (box / "phone" / "chat.txt").write_bytes(german.read_bytes().replace(b"Mira", b"Sam"))
    (box / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    code, out, err = run(db_path, "import", str(box), "--me", "Sam", "--tz", "UTC")
    assert code == 0, err
    out = " ".join(out.split())  # the console wraps long lines
    assert "exports/phone/WhatsApp Chat with Alex.zip: imported 10 new messages" in out
    assert "exports/phone/chat.txt: imported 6 new messages" in out
    assert "read day first (31/12), as German exports write them" in out
    assert "exports: skipped 1 file: photo.jpg (a photo, video, sound or document)" in out
    code, out, err = run(db_path, "import", str(box))
    assert code == 0
    assert out.count("nothing new") == 2
