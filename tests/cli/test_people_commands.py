"""``reciprocity people list | suggestions | merge | split | apart | region`` and
``analyze --person`` for a person on two apps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from reciprocity import store
from reciprocity.cli import app
from reciprocity.ingest.base import MESSAGE_SCHEMA

runner = CliRunner()
T0 = datetime(2024, 5, 1, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at 80 columns when not on a terminal; keep names whole for asserts."""
    from rich.console import Console

    import reciprocity.cli.commands as commands
    import reciprocity.cli.people_commands as people

    monkeypatch.setattr(commands, "out", Console(width=250))
    monkeypatch.setattr(people, "out", Console(width=250))


def _chat(db: store.Database, platform: str, who: str, start: int) -> None:
    rows = []
    for n in range(6):
        sender = "Sam" if n % 2 == 0 else who
        rows.append(
            {"source": platform, "conversation": who, "sender": sender,
             "timestamp": T0 + timedelta(minutes=start + n), "text": f"line {n}",
             "kind": "text", "reply_to": None, "source_id": f"{platform}{n}", "line": n + 1}
        )  # fmt: skip
    frame = pl.DataFrame(rows, schema=MESSAGE_SCHEMA)
    store.import_batches(db, iter([frame]), file=f"{who}.txt", me="Sam", format=platform)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "people.sqlite"
    db = store.open_db(path)
    _chat(db, "whatsapp", "Jordan", 0)
    _chat(db, "telegram", "Jordan Reyes", 3)
    db.engine.dispose()
    return path


def run(db_path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db_path), *args])
    return result.exit_code, result.stdout + result.stderr


def test_suggest_merge_analyze_split(db_path: Path) -> None:
    code, out = run(db_path, "people", "suggestions", "--json")
    assert code == 0, out
    (offered,) = json.loads(out)["suggestions"]
    assert {offered["keep"]["name"], offered["other"]["name"]} == {"Jordan", "Jordan Reyes"}
    assert offered["reason"] == "name"
    code, out = run(db_path, "people", "suggestions")
    assert "reciprocity people merge" in out
    code, out = run(db_path, "people", "merge", "Jordan", "Jordan Reyes", "--json")
    assert code == 0, out
    merged = json.loads(out)["person"]
    assert [a["platform"] for a in merged["apps"]] == ["telegram", "whatsapp"]

    code, out = run(db_path, "analyze", "--person", "Jordan")
    assert code == 0, out
    assert "Jordan: on each app" in out
    assert "WhatsApp" in out
    assert "Telegram" in out
    code, out = run(db_path, "analyze", "--json")
    (relationship,) = json.loads(out)["relationships"]
    assert [(p["platform"], p["messages"]) for p in relationship["platforms"]] == [
        ("telegram", {"me": 3, "them": 3}),
        ("whatsapp", {"me": 3, "them": 3}),
    ]
    assert relationship["messages"] == {"me": 6, "them": 6}

    code, out = run(db_path, "people", "split", "Jordan", "Jordan Reyes", "--json")
    assert code == 0, out
    assert json.loads(out)["person"]["person"] == "Jordan Reyes"
    code, out = run(db_path, "people", "list", "--json")
    listed = {p["person"]: p for p in json.loads(out)["people"]}
    assert set(listed) == {"Sam", "Jordan", "Jordan Reyes"}
    assert listed["Sam"]["is_me"]
    code, out = run(db_path, "people", "suggestions", "--json")
    assert json.loads(out)["suggestions"] == []  # split apart: not offered again


def test_apart_and_region(db_path: Path) -> None:
    code, out = run(db_path, "people", "apart", "Jordan", "Jordan Reyes")
    assert code == 0, out
    assert "not suggested again" in out
    code, out = run(db_path, "people", "suggestions")
    assert "Nothing to suggest" in out
    code, out = run(db_path, "people", "region", "gb")
    assert code == 0, out
    assert "read as GB numbers (from your setting" in " ".join(out.split())
    code, out = run(db_path, "people", "region", "ZZ")
    assert code != 0
    assert "not a country code" in out


def test_split_one_name_alone_still_works(db_path: Path) -> None:
    run(db_path, "people", "merge", "Jordan", "Jordan Reyes")
    code, out = run(db_path, "people", "split", "Jordan Reyes")
    assert code == 0, out
    assert "is now a person of their own" in out
