"""Language per conversation (:mod:`reciprocity.acts.language`): acts are claimed only for
languages with rules and a model."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from reciprocity.acts.language import (
    UNKNOWN,
    conversation_languages,
    language_of,
    not_read_note,
    read_languages,
)


@pytest.fixture
def german_chat(tmp_path: Path) -> Path:
    """A short WhatsApp chat in German, as each surface test imports it."""
    chat = tmp_path / "chat.txt"
    lines = [
        "[01/02/2024, 10:00:00] Kim: mir geht es heute richtig schlecht, ich bin so traurig",
        "[01/02/2024, 10:01:00] Me: oh nein, das tut mir so leid. ich bin für dich da",
        "[01/02/2024, 10:02:00] Kim: danke, du bist die beste, wirklich, ich weiß das sehr",
    ]
    chat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return chat


def test_english_is_read_and_short_texts_are_unknown() -> None:
    assert "en" in read_languages()
    assert language_of("are we still on for dinner tomorrow? I can bring dessert")[0] == "en"
    assert language_of("ok")[0] == UNKNOWN


def test_each_conversation_gets_its_language() -> None:
    frame = pl.DataFrame(
        {
            "relationship_id": [1, 1, 2, 2, 3],
            "text": [
                "hey how was the interview, did they say when you will hear back?",
                "thanks so much for picking up the kids yesterday, you are a star",
                "hallo, wie geht es dir? ich habe heute den ganzen tag gearbeitet",
                "können wir morgen zusammen essen gehen, ich vermisse dich sehr",
                "ok",
            ],
        }
    )
    out = conversation_languages(frame).sort("relationship_id")
    assert out["language"].to_list() == ["en", "de", UNKNOWN]
    assert out["acts_read"].to_list() == [True, False, True]
    assert out["language_name"][1] == "German"
    assert not_read_note("de") == "message kinds not read for German"


def test_a_chat_in_an_unread_language_claims_no_acts(tmp_path: Path) -> None:
    from reciprocity import pipeline, store

    chat = tmp_path / "chat.txt"
    lines = [
        "[01/02/2024, 10:00:00] Kim: mir geht es heute richtig schlecht, ich bin so traurig",
        "[01/02/2024, 10:01:00] Me: oh nein, das tut mir so leid. ich bin für dich da",
        "[01/02/2024, 10:02:00] Kim: danke, du bist die beste. thank you so much",
        "[01/02/2024, 10:03:00] Me: ruf mich an, wenn du reden willst, jederzeit",
    ]
    chat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with store.open_db(tmp_path / "db.sqlite") as db:
        pipeline.import_file(db, chat, me="Me")
        langs = pipeline.languages(db)
        assert langs["language"].to_list() == ["de"]
        frame = pipeline.acts_frame(db)
        assert not frame["gratitude"].any()  # "thank you so much" is not claimed here
        result = pipeline.analyze(db)
        rel = int(langs["relationship_id"][0])
        assert not result.acts_read(rel)
        assert result.language_note(rel) == "message kinds not read for German"


def test_analyze_says_which_chats_are_not_read(tmp_path: Path, german_chat: Path) -> None:
    import json

    from typer.testing import CliRunner

    from reciprocity.cli.commands import app

    env = {"RECIPROCITY_DB": str(tmp_path / "db.sqlite")}
    runner = CliRunner()
    done = runner.invoke(app, ["import", str(german_chat), "--me", "Me"], env=env)
    assert done.exit_code == 0, done.output
    shown = runner.invoke(app, ["analyze"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "message kinds not read for German" in " ".join(shown.output.split())
    as_json = runner.invoke(app, ["analyze", "--json"], env=env)
    assert json.loads(as_json.output)["not_read"][0]["language_name"] == "German"


def test_the_report_says_the_chat_is_not_read(tmp_path: Path, german_chat: Path) -> None:
    from reciprocity import pipeline, report, store

    with store.open_db(tmp_path / "db.sqlite") as db:
        pipeline.import_file(db, german_chat, me="Me")
        html = report.render_report(report.gather(db))
    assert "message kinds not read for German" in html


def test_plain_english_is_read_without_the_model() -> None:
    from reciprocity.acts.language import language_of, plain_english

    assert plain_english("are we still on for dinner tomorrow night? let me know")
    assert not plain_english("Hast du morgen Abend Zeit für ein Abendessen mit uns?")
    assert language_of("are we still on for dinner tomorrow night? let me know") == ("en", 1.0)


def test_the_relationship_page_says_the_chat_is_not_read(tmp_path: Path, german_chat: Path) -> None:
    from fastapi.testclient import TestClient

    from reciprocity import pipeline, store
    from reciprocity.web.app import create_app

    with store.open_db(tmp_path / "db.sqlite") as db:
        pipeline.import_file(db, german_chat, me="Me")
    with TestClient(create_app(tmp_path / "db.sqlite"), base_url="http://127.0.0.1") as client:
        page = client.get("/relationship/1").text
    assert "message kinds not read for German" in page
