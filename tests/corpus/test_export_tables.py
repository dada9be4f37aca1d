"""``reciprocity export DIR --parquet``: one person's analysis as Parquet tables, the same
figures the commands show, readable by the owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from reciprocity import pipeline, store
from reciprocity.analysis_tables import TABLES
from reciprocity.cli import app

CHAT = (
    "timestamp,sender,text\n"
    "2024-05-01T10:00:00+00:00,Sam,I had an awful day and I feel terrible.\n"
    "2024-05-01T10:05:00+00:00,Alex,Oh no I'm so sorry! Want to talk about it?\n"
    "2024-05-01T10:09:00+00:00,Sam,Thank you. How are you?\n"
)


def test_export_parquet_writes_the_analysis(tmp_path: Path) -> None:
    (tmp_path / "chat.csv").write_text(CHAT)
    db = str(tmp_path / "r.sqlite")
    runner = CliRunner()
    done = runner.invoke(app, ["--db", db, "import", str(tmp_path / "chat.csv"), "--me", "Sam"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["--db", db, "export", str(tmp_path / "tables"), "--parquet"])
    assert done.exit_code == 0, done.output
    assert "acts 3" in " ".join(done.output.split())
    folder = tmp_path / "tables"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for file in folder.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    with store.open_db(db) as database:
        shown = pipeline.analyze(database).balance
    written = pl.read_parquet(folder / "balance.parquet")
    assert written.equals(shown)
    acts = pl.read_parquet(folder / "acts.parquet")
    assert acts.filter(pl.col("from_me"))["distress"].to_list()[0]
    assert "text" not in acts.columns
    ledger = pl.read_parquet(folder / "ledger.parquet")
    support = ledger.filter(pl.col("dimension") == "emotional_support")
    assert support.select("person", "giver").rows() == [("Alex", "them")]
