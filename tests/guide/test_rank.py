"""Ranking ties by how mutual the support is and how the user feels after; thin ties apart."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reciprocity import journal
from reciprocity.guide.rank import MIN_ENTRIES, MIN_EVENTS, RANK_SCHEMA, SUGGESTIONS, rank
from reciprocity.ledger import DIMENSIONS
from reciprocity.metrics import balance

Event = tuple[str, str, str, float, float]
Ledger = Callable[[Sequence[Event]], pl.DataFrame]
BASE = datetime(2024, 3, 1, 9, tzinfo=UTC)


def _given(person: str, dimension: str, mine: int, theirs: int) -> list[Event]:
    return [(person, "me", dimension, 1.0, float(d)) for d in range(mine)] + [
        (person, "them", dimension, 1.0, float(d)) for d in range(theirs)
    ]


def _entries(*rows: tuple[str, int, float]) -> pl.DataFrame:
    """Journal entries (person, energy, days after BASE) in the journal's schema."""
    return pl.DataFrame(
        [
            {"id": i, "person": p, "timestamp": BASE + timedelta(days=d), "kind": "interaction",
             "giver": None, "dimension": None, "note": None, "energy": e, "amount": None,
             "settled": None}
            for i, (p, e, d) in enumerate(rows, start=1)
        ],
        schema=journal.ENTRIES_SCHEMA,
    )  # fmt: skip


def _rows(ledger: pl.DataFrame, entries: pl.DataFrame | None = None) -> dict[str, dict]:  # type: ignore[type-arg]
    ranked = rank(balance(ledger), entries)
    assert ranked.schema == pl.Schema(RANK_SCHEMA)
    return {r["person"]: r for r in ranked.iter_rows(named=True)}


def test_thin_ties_are_listed_apart_below_a_busy_even_tie(make_ledger: Ledger) -> None:
    # Bea: four messages, all even; Dom: two. Jordan: hundreds, even. Before, the two thin
    # ties came first with "invest, mutuality 100 %".
    ledger = make_ledger(
        _given("Bea", "attention", 2, 2) + _given("Dom", "attention", 1, 1)
        + _given("Jordan", "attention", 300, 290) + _given("Jordan", "listening", 60, 62)
        + _given("Jordan", "emotional_support", 20, 22) + _given("Jordan", "practical_help", 9, 8)
    )  # fmt: skip
    ranked = rank(balance(ledger))
    assert ranked["person"].to_list()[0] == "Jordan"
    rows = {r["person"]: r for r in ranked.iter_rows(named=True)}
    assert rows["Jordan"]["rank"] == 1
    assert rows["Jordan"]["suggestion"] == "invest"
    for thin in ("Bea", "Dom"):
        assert rows[thin]["rank"] is None
        assert rows[thin]["suggestion"] is None
        assert rows[thin]["mutuality"] is None
        assert "Too little to go on yet" in rows[thin]["why"]
    assert rows["Bea"]["rests_on"].startswith("4 moments of give and take")
    assert ranked["person"].to_list()[1:] == ["Bea", "Dom"]


def test_support_is_not_drowned_by_message_counts(make_ledger: Ledger) -> None:
    # Riley's shape: attention even over hundreds of messages, opening up mostly theirs,
    # but support almost all from me.
    ledger = make_ledger(
        _given("Riley", "attention", 84, 81) + _given("Riley", "disclosure", 37, 130)
        + _given("Riley", "listening", 86, 53) + _given("Riley", "emotional_support", 46, 5)
        + _given("Riley", "practical_help", 24, 0)
        + _given("Riley", "presence_in_hard_times", 70, 1)
    )  # fmt: skip
    riley = _rows(ledger)["Riley"]
    assert riley["suggestion"] == "talk it through"
    assert riley["give_share"] > 0.95
    assert riley["mutuality"] < 0.1
    assert riley["mutuality_low"] <= riley["mutuality"] <= riley["mutuality_high"] < 0.2
    assert riley["based_on"][:3] == [
        "being there in hard times", "practical help", "emotional support",
    ]  # fmt: skip
    # The same figure as the balance tables: the estimate, (1 + 70) / (2 + 71).
    assert "you give 97% of being there in hard times (you 70, Riley 1;" in riley["why"]
    assert "close to even" not in riley["why"].lower()


def test_every_figure_sits_inside_its_own_interval(make_ledger: Ledger) -> None:
    ledger = make_ledger(
        _given("Kai", "presence_in_hard_times", 0, 15) + _given("Sky", "practical_help", 24, 0)
        + _given("Jo", "listening", 40, 41)
    )  # fmt: skip
    for row in _rows(ledger).values():
        assert row["share_low"] <= row["give_share"] <= row["share_high"], row
        assert row["mutuality_low"] <= row["mutuality"] <= row["mutuality_high"], row


def test_a_few_one_sided_support_events_do_not_outweigh_many(make_ledger: Ledger) -> None:
    # 2 of 2 is not clear of an even split; 24 of 24 is, and it is what the reason names.
    ledger = make_ledger(
        _given("Sky", "celebration", 2, 0) + _given("Sky", "practical_help", 24, 0)
    )
    assert _rows(ledger)["Sky"]["based_on"] == ["practical help"]


def test_they_give_more(make_ledger: Ledger) -> None:
    ledger = make_ledger(_given("Kai", "presence_in_hard_times", 0, 15))
    kai = _rows(ledger)["Kai"]
    assert kai["suggestion"] == "invest"
    # The balance tables' figure: your share (1 + 0) / (2 + 15) is 6%, theirs 94%.
    assert "Kai gives 94% of being there in hard times (Kai 15, you 0;" in kai["why"]


def test_the_sentence_quotes_the_amounts_of_the_balance_table(make_ledger: Ledger) -> None:
    # Twenty answers from a group count a fifth each: 20 events weigh 4. The sentence
    # quotes the weights the balance table shows (24 and 4), not the number of events (44).
    ledger = make_ledger(
        _given("Sky", "listening", 20, 0)
        + [("Sky", "me", "listening", 0.2, float(d)) for d in range(20)]
        + [("Sky", "them", "listening", 0.2, float(d)) for d in range(20)]
    )
    table = balance(ledger).filter(pl.col("dimension") == "listening").row(0, named=True)
    assert (table["given"], table["received"]) == pytest.approx((24, 4))
    why = _rows(ledger)["Sky"]["why"]
    assert "(you 24, Sky 4;" in why, why
    assert "of 60 times" not in why


def _riley(make_ledger: Ledger) -> pl.DataFrame:
    return make_ledger(
        _given("Riley", "emotional_support", 46, 5) + _given("Alex", "attention", 40, 38)
        + _given("Alex", "listening", 30, 30) + _given("Alex", "emotional_support", 10, 10)
    )  # fmt: skip


def test_one_entry_flips_nothing(make_ledger: Ledger) -> None:
    ledger = _riley(make_ledger)
    before = _rows(ledger)
    after = _rows(ledger, _entries(("Riley", -2, 1), ("alex", -1, 1)))
    assert before["Riley"]["suggestion"] == after["Riley"]["suggestion"] == "talk it through"
    assert before["Alex"]["suggestion"] == after["Alex"]["suggestion"] == "invest"
    assert after["Riley"]["energy_reading"] is None
    assert after["Riley"]["energy"] == -2.0
    assert "1 journal entry, on 2 March 2024, and it takes 3" in after["Riley"]["why"]
    assert "does not count yet" in after["Riley"]["why"]


def test_entries_on_one_day_are_not_enough(make_ledger: Ledger) -> None:
    entries = _entries(*[("Riley", -2, 1.0)] * MIN_ENTRIES)
    assert _rows(_riley(make_ledger), entries)["Riley"]["suggestion"] == "talk it through"


def test_enough_entries_carry_the_suggestion(make_ledger: Ledger) -> None:
    entries = _entries(
        ("Riley", -2, 1), ("Riley", -1, 9), ("Riley", 1, 20), ("Riley", -2, 30), ("Riley", -1, 41),
        ("Alex", -2, 3), ("Alex", -1, 5), ("Alex", -1, 8),
    )  # fmt: skip
    rows = _rows(_riley(make_ledger), entries)
    riley, alex = rows["Riley"], rows["Alex"]
    assert riley["suggestion"] == "step back"
    assert riley["energy_reading"] == "drains you"
    assert (
        "from 5 journal entries since 2 March 2024: it drains you (-1.0 on average"
        in (riley["why"])
    )
    # Even, but draining: talk, never step back.
    assert alex["suggestion"] == "talk it through"
    assert alex["energy_entries"] == 3


def test_uplifting_ties_rank_higher(make_ledger: Ledger) -> None:
    ledger = make_ledger(_given("Ana", "listening", 40, 40) + _given("Ben", "listening", 40, 40))
    entries = _entries(("Ben", 2, 1), ("Ben", 2, 5), ("Ben", 1, 9), ("Ana", -1, 1), ("Ana", 0, 4),
                       ("Ana", -1, 7))  # fmt: skip
    ranked = rank(balance(ledger), entries)
    assert ranked["person"].to_list() == ["Ben", "Ana"]
    assert set(ranked["suggestion"].to_list()) <= set(SUGGESTIONS)


def test_journal_only_person_is_listed_apart(make_ledger: Ledger) -> None:
    ranked = rank(balance(make_ledger(_given("Jo", "listening", 40, 40))), _entries(("Eve", 1, 1)))
    eve = ranked.filter(pl.col("person") == "Eve").row(0, named=True)
    assert eve["suggestion"] is None
    assert eve["energy_entries"] == 1


def test_energy_in_the_ledger_is_not_read(make_ledger: Ledger) -> None:
    # Energy is the journal's; an "energy" dimension in the balance never moves the rank.
    ledger = make_ledger(_given("Jo", "listening", 40, 40) + _given("Jo", "energy", 0, 50))
    assert _rows(ledger)["Jo"]["give_share"] == pytest.approx(0.5)


def test_empty() -> None:
    assert rank(balance(pl.DataFrame(schema=_schema()))).height == 0


def _schema() -> dict[str, pl.DataType]:
    from reciprocity.ledger import LEDGER_SCHEMA

    return LEDGER_SCHEMA


def test_four_one_sided_questions_carry_no_suggestion(make_ledger: Ledger) -> None:
    # Clear of an even split (Beta(5, 1) starts at 55 %) but far too little to act on.
    bea = _rows(make_ledger(_given("Bea", "listening", 4, 0)))["Bea"]
    assert bea["suggestion"] is None
    assert bea["rank"] is None


_COUNTS = st.integers(0, 40)


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(
        st.tuples(st.sampled_from(DIMENSIONS), _COUNTS, _COUNTS), min_size=1, max_size=6
    ),
    energies=st.lists(st.tuples(st.integers(-2, 2), st.integers(0, 60)), max_size=6),
)
def test_any_ledger_gets_a_consistent_ranking(
    make_ledger: Ledger, counts: list[tuple[str, int, int]], energies: list[tuple[int, int]]
) -> None:
    rows: list[Event] = []
    for dimension, mine, theirs in counts:
        rows += _given("Sky", dimension, mine, theirs)
    rows += _given("Jo", "listening", 30, 30)  # never empty
    entries = _entries(*[("Sky", e, d) for e, d in energies])
    ranked = rank(balance(make_ledger(rows)), entries)
    listed = ranked.filter(pl.col("suggestion").is_not_null())
    assert listed["rank"].to_list() == list(range(1, listed.height + 1))
    for row in ranked.iter_rows(named=True):
        if row["suggestion"] is None:
            assert row["rank"] is None
            assert row["mutuality"] is None
            continue
        assert row["suggestion"] in SUGGESTIONS
        assert row["share_low"] <= row["give_share"] <= row["share_high"]
        assert row["mutuality_low"] <= row["mutuality"] <= row["mutuality_high"]
        assert row["why"]
        assert row["rests_on"]
        if row["suggestion"] == "step back":
            assert row["energy_reading"] == "drains you"
            assert row["energy_entries"] >= MIN_ENTRIES
    sky = ranked.filter(pl.col("person") == "Sky")
    given_events = sum(m + t for d, m, t in counts if d != "energy")
    if sky.height and given_events < MIN_EVENTS:
        assert sky["suggestion"][0] is None
