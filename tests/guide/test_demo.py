"""The guided steps on the demo data, whose shapes are known (reciprocity.demo.expected)."""

from __future__ import annotations

from datetime import UTC, datetime

from reciprocity import guide, journal, pipeline, store
from reciprocity.demo.expected import CONVERSATION_RECORD


def test_conversation_record_feeds_protect_energy(demo_db: store.Database) -> None:
    person, when = CONVERSATION_RECORD
    guide.record_conversation(demo_db, person, when=when)
    analysis = pipeline.analyze(demo_db)
    records = guide.conversation_records(demo_db)
    (advice,) = guide.protect_energy(analysis.ledger, records)
    # The demo was written so that nothing changes after Sam's talk with Alex.
    assert advice.person == "Alex"
    assert advice.status == "no change"
    assert advice.limits


def test_coach_uses_alex_measured_imbalance(demo_db: store.Database) -> None:
    figures = pipeline.analyze(demo_db).figures
    phrases = guide.imbalance_phrases(figures, "Alex")
    assert "I'm the one who starts most of our conversations" in phrases
    assert guide.imbalance_phrases(figures, "Jordan") == []


def _ranked(db: store.Database) -> dict[str, dict]:  # type: ignore[type-arg]
    ranked = guide.rank(pipeline.analyze(db).balance, journal.entries_frame(db))
    return {r["person"]: r for r in ranked.iter_rows(named=True)}


def test_the_demo_ranking_reads_support(demo_db: store.Database) -> None:
    rows = _ranked(demo_db)
    assert rows["Jordan"]["rank"] == 1
    assert rows["Jordan"]["suggestion"] == "invest"
    riley = rows["Riley"]
    # Sam gives 90 % of emotional support, 100 % of practical help, 99 % of presence in
    # hard times: not "close to even", whatever the message counts say.
    assert riley["suggestion"] == "talk it through"
    assert riley["mutuality"] < 0.2
    assert "close to even" not in riley["why"].lower()
    assert "being there in hard times" in riley["based_on"]
    assert rows["Alex"]["suggestion"] == "talk it through"


def test_journal_energy_reaches_the_ranking_once_it_rests_on_enough(
    demo_db: store.Database,
) -> None:
    # One entry is not a pattern: Riley and Alex keep their suggestion.
    journal.add_entry(demo_db, "riley", energy=-2, when=datetime(2024, 6, 1, tzinfo=UTC))
    journal.add_entry(demo_db, "Alex", energy=-1, when=datetime(2024, 6, 1, tzinfo=UTC))
    rows = _ranked(demo_db)
    assert rows["Riley"]["suggestion"] == "talk it through"
    assert rows["Riley"]["energy"] == -2.0
    assert rows["Riley"]["energy_reading"] is None
    assert rows["Alex"]["suggestion"] == "talk it through"
    for day in (8, 15):
        journal.add_entry(demo_db, "riley", energy=-2, when=datetime(2024, 6, day, tzinfo=UTC))
    riley = _ranked(demo_db)["Riley"]
    assert riley["suggestion"] == "step back"
    assert "from 3 journal entries since 1 June 2024: it drains you" in riley["why"]


def test_parent_mode_sees_kai(demo_db: store.Database) -> None:
    analysis = pipeline.analyze(demo_db)
    sections = guide.parent_mode(
        analysis.ledger, analysis.exchanges, analysis.patterns,
        journal.entries_frame(demo_db), store.list_people(demo_db),
    )  # fmt: skip
    care = next(s for s in sections if s.name == "care")
    assert care.shows
    assert any("Kai" in line for line in care.lines)


def test_a_child_who_comforts_the_parent_is_not_a_tie_to_invest_in(
    demo_db: store.Database,
) -> None:
    store.set_relationship_kind(demo_db, "Kai", "child")
    ranked = guide.rank(
        pipeline.analyze(demo_db).balance,
        journal.entries_frame(demo_db),
        store.list_people(demo_db),
    )
    kai = {r["person"]: r for r in ranked.iter_rows(named=True)}["Kai"]
    assert kai["suggestion"] == "lean on adults"
    assert "Your child gives more support than you" in kai["why"]
    assert "Parent mode" in kai["why"]
