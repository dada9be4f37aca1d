"""A group chat in a language the act detector cannot read claims no acts, as a one-to-one
chat in that language does (``reciprocity.acts.language.unread_blanked``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from reciprocity import pipeline, store
from reciprocity.pipeline import detect_acts

COMFORT = "I'm here for you, call me any time"

LINES = [
    "01/02/2024, 10:00 - Kim: mir geht es heute richtig schlecht, ich bin so traurig",
    f"01/02/2024, 10:01 - Me: oh nein, das tut mir so leid. {COMFORT}",
    "01/02/2024, 10:02 - Lea: ich bin auch für dich da, wir können morgen zusammen essen",
    "01/02/2024, 10:03 - Kim: danke euch beiden, ihr seid wirklich die besten freunde",
    "01/02/2024, 10:05 - Me: ruf mich an, wenn du reden willst, jederzeit, ich höre zu",
    "01/02/2024, 10:06 - Lea: hat jemand am wochenende zeit für einen spaziergang im park",
]


def _support(ledger: pl.DataFrame) -> pl.DataFrame:
    return ledger.filter(
        (pl.col("source") == "group") & (pl.col("dimension") == "emotional_support")
    )


def test_a_group_in_an_unread_language_claims_no_acts(tmp_path: Path) -> None:
    # The English comfort line alone is read as support: blanking is what removes it.
    assert detect_acts(pl.Series([COMFORT]))["support_emotional"][0]
    chat = tmp_path / "WhatsApp Chat with Wanderfreunde.txt"
    chat.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    with store.open_db(tmp_path / "db.sqlite") as db:
        pipeline.import_file(db, chat, me="Me")
        langs = pipeline.group_languages(db)
        assert langs["language"].to_list() == ["de"]
        assert not langs["acts_read"][0]
        result = pipeline.analyze(db)
        ledger = result.ledger
        assert isinstance(ledger, pl.DataFrame)
        assert (ledger["source"] == "group").any()  # the group is analysed
        assert _support(ledger).is_empty()


def test_a_group_in_english_keeps_its_acts(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Hikers.txt"
    lines = [
        "01/02/2024, 10:00 - Kim: I'm having an awful week, everything is going wrong",
        f"01/02/2024, 10:01 - Me: oh no, I'm so sorry. {COMFORT}",
        "01/02/2024, 10:02 - Lea: same here, we could have dinner together tomorrow",
        "01/02/2024, 10:03 - Kim: thank you both, you really are the best friends",
    ]
    chat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with store.open_db(tmp_path / "db.sqlite") as db:
        pipeline.import_file(db, chat, me="Me")
        assert pipeline.group_languages(db)["acts_read"].all()
        ledger = pipeline.analyze(db).ledger
        assert isinstance(ledger, pl.DataFrame)
        assert not _support(ledger).is_empty()
