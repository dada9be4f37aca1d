"""The demo's group chat comes out with its two shapes on every surface, and a person
known only from a group gets a thin relationship of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reciprocity import pipeline, store
from reciprocity.cli import app
from reciprocity.demo.expected import GROUP_SILENT, GROUP_TITLE, GROUP_WARM
from reciprocity.metrics.record import find
from reciprocity.web.app import create_app

BOOK_CLUB = """timestamp,sender,text,conversation
2024-05-01T18:00:00+00:00,Sam,who's read chapter three?,Book club
2024-05-01T18:02:00+00:00,Morgan,me! loved it. thanks for picking it Sam,Book club
2024-05-01T18:03:00+00:00,Sam,so glad Morgan,Book club
2024-05-01T18:05:00+00:00,Alex,not yet,Book club
2024-05-08T18:00:00+00:00,Sam,next week at mine?,Book club
2024-05-08T18:01:00+00:00,Morgan,yes please Sam!,Book club
"""


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo imported, with a small book-club group where Morgan (no chat of their
    own) answers Sam."""
    from reciprocity import demo

    folder = tmp_path_factory.mktemp("groups")
    path = folder / "demo.sqlite"
    club = folder / "book club.csv"
    club.write_text(BOOK_CLUB, encoding="utf-8")
    with store.open_db(path) as db:
        for file in [*demo.write_demo(folder / "exports"), club]:
            pipeline.import_file(db, file, me="Sam")
    return path


@pytest.fixture(scope="module")
def analysis(demo_file: Path) -> Iterator[pipeline.Analysis]:
    with store.open_db(demo_file) as db:
        yield pipeline.analyze(db)


def test_the_warm_member_answers_and_the_silent_one_never_does(
    analysis: pipeline.Analysis,
) -> None:
    quiz = next(g for g in analysis.group_records if g.title == GROUP_TITLE)
    names = {m["name"]: m for m in quiz.members}
    assert set(names) == {"You", GROUP_WARM, GROUP_SILENT}
    warm, silent = names[GROUP_WARM], names[GROUP_SILENT]
    assert warm["answers_to_me"] >= 10
    assert silent["answers_to_me"] == 0
    assert silent["messages"] >= 5  # they do write in the group
    assert silent["answers_from_me"] > 0  # and Sam asks them
    assert quiz.never_answered == [GROUP_SILENT]
    assert quiz.answered_you[0]["name"] == GROUP_WARM


def test_group_evidence_joins_each_members_relationship_below_one_to_one(
    analysis: pipeline.Analysis,
) -> None:
    warm = find(analysis.records, GROUP_WARM)
    silent = find(analysis.records, GROUP_SILENT)
    assert warm is not None
    assert silent is not None
    quiz = {s.source: s for s in warm.sources}
    assert quiz[GROUP_TITLE].group
    assert quiz[GROUP_TITLE].received > 0
    assert quiz[GROUP_TITLE].received < quiz["one-to-one"].received / 5
    silent_quiz = {s.source: s for s in silent.sources}[GROUP_TITLE]
    assert silent_quiz.events_them == 0
    assert silent_quiz.given > 0
    # The balance includes the group's events, warm celebration among them.
    events = analysis.ledger.filter(pl.col("source") == "group")
    celebrated = events.filter(
        (pl.col("person") == GROUP_WARM) & (pl.col("dimension") == "celebration")
    )
    assert celebrated.height > 0
    assert (celebrated["giver"] == "them").all()
    assert (events["weight"] <= 0.5).all()
    reading = warm.reading("celebration")
    assert reading is not None
    assert reading.received == pytest.approx(
        analysis.ledger.filter(
            (pl.col("person") == GROUP_WARM)
            & (pl.col("dimension") == "celebration")
            & (pl.col("giver") == "them")
        )["weight"].sum()
    )


def test_a_person_known_only_from_a_group_gets_a_thin_relationship(
    analysis: pipeline.Analysis,
) -> None:
    morgan = find(analysis.records, "Morgan")
    assert morgan is not None
    assert morgan.group_only
    assert morgan.messages.me == morgan.messages.them == 0
    assert [s.source for s in morgan.sources] == ["Book club"]
    attention = morgan.reading("attention")
    assert attention is not None
    assert attention.verdict == "not enough data yet"
    # One-to-one people are not group-only.
    assert not find(analysis.records, GROUP_WARM).group_only  # type: ignore[union-attr]


def test_the_cli_shows_groups_and_the_split(demo_file: Path) -> None:
    runner = CliRunner()
    env = {"RECIPROCITY_DB": str(demo_file), "COLUMNS": "120"}
    shown = runner.invoke(app, ["analyze", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    quiz = next(g for g in data["groups"] if g["title"] == GROUP_TITLE)
    assert quiz["never_answered"] == [GROUP_SILENT]
    people = {r["person"]: r for r in data["relationships"]}
    assert people["Morgan"]["group_only"] is True
    assert {s["source"] for s in people[GROUP_WARM]["sources"]} == {"one-to-one", GROUP_TITLE}
    overview = runner.invoke(app, ["analyze"], env=env)
    assert f"never answered or reacted to you: {GROUP_SILENT}" in overview.stdout
    person = runner.invoke(app, ["analyze", "--person", "Morgan"], env=env)
    assert person.exit_code == 0, person.output
    assert "only from group chats" in person.stdout
    assert "Book club (group)" in person.stdout


def test_the_web_app_has_a_group_page_and_the_split(demo_file: Path) -> None:
    client = TestClient(create_app(demo_file), base_url="http://127.0.0.1")
    board = client.get("/")
    assert GROUP_TITLE in board.text
    with store.open_db(demo_file) as db:
        data = pipeline.analyze(db).group_records
    quiz = next(g for g in data if g.title == GROUP_TITLE)
    page = client.get(f"/group/{quiz.conversation_id}")
    assert page.status_code == 200
    assert "Who carries the group" in page.text
    assert f"never answered or reacted to you: {GROUP_SILENT}" in page.text
    assert client.get("/group/999999").status_code == 404
    morgan = next(r for r in analysis_records(demo_file) if r.person == "Morgan")
    morgan_page = client.get(f"/relationship/{morgan.relationship_id}")
    assert "only from group chats" in morgan_page.text
    assert "Where this comes from" in morgan_page.text
    report = client.get("/report")
    assert "Group chats" in report.text
    assert GROUP_TITLE in report.text


def analysis_records(path: Path) -> list:  # type: ignore[type-arg]
    with store.open_db(path) as db:
        return pipeline.analyze(db).records


def test_the_evidence_behind_a_reading_shows_group_messages(demo_file: Path) -> None:
    client = TestClient(create_app(demo_file), base_url="http://127.0.0.1")
    warm = next(r for r in analysis_records(demo_file) if r.person == GROUP_WARM)
    shown = client.get(
        f"/relationship/{warm.relationship_id}/evidence",
        params={"dimension": "celebration", "giver": "them"},
    )
    assert shown.status_code == 200
    assert "(in a group)" in shown.text
    assert "journal entr" not in shown.text  # group messages are not journal entries
