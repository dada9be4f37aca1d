"""Reactions answer good news end to end: a Messenger export imported, analysed both ways
(window by window as the import does, and whole), and read on the CLI."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from reciprocity import pipeline, store
from reciprocity.cli import app

#: A one-to-one Messenger export (Facebook's layout, newest first, its mojibake): Rio's news
#: gets Sam's 🎉 and no words, Sam's news gets Rio's 😮 and no words, and a later piece of
#: Rio's news gets words and a ❤️.
RIO = (
    Path(__file__).parent.parent
    / "fixtures"
    / "messenger"
    / "good_news"
    / "riotanaka_31337"
    / "message_1.json"
)


@pytest.fixture
def rio_db(tmp_path: Path) -> Path:
    path = tmp_path / "r.sqlite"
    db = store.open_db(path)
    pipeline.import_file(db, RIO, me="Sam Lee")
    db.engine.dispose()
    return path


def _outcomes(db: store.Database) -> dict[tuple[str, str], int]:
    figures = pipeline.analyze(db).exchange_figures.filter(pl.col("topic") == "good_news")
    return {(s, o): c for s, o, c in figures.select("sender", "outcome", "count").iter_rows()}


def test_reactions_answer_good_news_in_the_stored_analysis(rio_db: Path) -> None:
    db = store.open_db(rio_db)
    expected = {
        ("them", "warm_reaction"): 1,  # Rio's job: Sam's 🎉, no words
        ("me", "other_reaction"): 1,  # Sam's test: Rio's 😮 is not a celebration
        ("them", "active_constructive"): 1,  # Rio's flat: words decide, not the ❤️
    }
    assert _outcomes(db) == expected
    rows = pipeline.analyze(db).exchanges.filter(pl.col("good_news_reaction").is_not_null())
    assert sorted(rows["good_news_reaction"].to_list()) == ["🎉", "😮"]
    # The analysis made whole (nothing stored) reads the same.
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM frame_cache")
    assert _outcomes(db) == expected
    celebration = pipeline.analyze(db).ledger.filter(
        (pl.col("dimension") == "celebration") & (pl.col("source") == "messages")
    )
    assert sorted(celebration.select("giver", "weight").rows()) == [("me", 0.25), ("me", 1.0)]


def test_the_cli_says_reacted_not_answered(rio_db: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--db", str(rio_db), "analyze", "--person", "Rio Tanaka"],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    # Counts alike: in the order of the codes (active_constructive first).
    said = "Rio Tanaka's good news (2): warm and interested 1, reacted warmly without words 1"
    assert said in flat
    assert "Your good news (1): reacted without celebrating 1" in flat
