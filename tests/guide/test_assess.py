"""Check-ins stored over time, and set next to the data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import polars as pl
import pytest

from reciprocity import store
from reciprocity.guide.assess import assessments_frame, compare, save_assessment
from reciprocity.guide.questionnaire import available
from reciprocity.journal import JournalError

Ledger = Callable[[Sequence[tuple[str, str, str, float, float]]], pl.DataFrame]
Chat = Callable[[Sequence[tuple[str, str, float, str]]], pl.DataFrame]
ANSWERS = {"giving": 3, "energy": 2, "heard": 4, "support": 4}


def test_saved_over_time(db: store.Database) -> None:
    checkin = available()["checkin"]
    save_assessment(db, "Alex", checkin, ANSWERS, when=date(2024, 1, 1))
    save_assessment(db, "Alex", checkin, {**ANSWERS, "heard": 1}, when=date(2024, 2, 1))
    frame = assessments_frame(db, "alex")
    assert frame["score"].to_list() == pytest.approx([10 / 3, 7 / 3])
    assert frame["date"].dt.month().to_list() == [1, 2]
    with pytest.raises(JournalError, match="no answer"):
        save_assessment(db, "Alex", checkin, {"giving": 3})


def test_compare_agrees_and_differs(make_ledger: Ledger, make_chat: Chat) -> None:
    # The data: I give 90%, the journal averages -1.5, they ask few questions.
    ledger = make_ledger(
        [("Alex", "me", "attention", 1.0, d) for d in range(18)]
        + [("Alex", "them", "attention", 1.0, d) for d in range(2)]
    )
    felt = pl.DataFrame({"person": ["alex"], "mean": [-1.5]})
    chat = make_chat(
        [("Alex", "me", h, "question") for h in range(0, 120, 12)]
        + [("Alex", "them", 1, "question")]
    )
    found = {c.item: c for c in compare(ANSWERS, "Alex", ledger, chat, felt)}
    assert found["giving"].agree is False  # "about even" vs 90% mine
    assert "90%" in found["giving"].data_says
    assert found["energy"].agree is True  # said -1, the journal averages -1.5
    uplifted = {c.item: c for c in compare({"energy": 5}, "Alex", ledger, chat, felt)}
    unlogged = {c.item: c for c in compare({"energy": 5}, "Alex", ledger, chat)}
    assert unlogged["energy"].agree is None
    assert uplifted["energy"].agree is False  # said +2
    assert found["heard"].agree is False  # said 4 of 5, they asked 1 of 11
    assert found["support"].agree is None  # no hard times shared
