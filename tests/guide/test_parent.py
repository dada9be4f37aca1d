"""Parent mode: the sections, from hand-made frames."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import polars as pl

from reciprocity.guide.parent import children, parent_mode
from reciprocity.journal import ENTRIES_SCHEMA
from reciprocity.metrics import PATTERNS_SCHEMA

Ledger = Callable[[Sequence[tuple[str, str, str, float, float]]], pl.DataFrame]
Chat = Callable[[Sequence[tuple[str, str, float, str]]], pl.DataFrame]
WHEN = datetime(2024, 5, 1, tzinfo=UTC)


def _entries(*rows: tuple[str, str, str | None, bool | None]) -> pl.DataFrame:
    """(person, kind, giver, settled)."""
    return pl.DataFrame(
        [{"id": i, "person": p, "timestamp": WHEN, "kind": k, "giver": g, "dimension": None,
          "note": None, "energy": None, "amount": None, "settled": s}
         for i, (p, k, g, s) in enumerate(rows)],
        schema=ENTRIES_SCHEMA,
    )  # fmt: skip


def _patterns(shows: bool) -> pl.DataFrame:
    return pl.DataFrame(
        [{"pattern": "child_cares_for_parent", "shows": shows, "summary": "",
          "people": ["Kai"], "evidence": ["Kai (child): checked on you 9 times"]}],
        schema=PATTERNS_SCHEMA,
    )  # fmt: skip


def test_no_children_no_sections(make_ledger: Ledger, make_chat: Chat) -> None:
    assert children({"Alex": "friend"}) == []
    sections = parent_mode(
        make_ledger([]), make_chat([("Alex", "me", 0, "")]), _patterns(False), _entries(), {}
    )
    assert sections == []


def test_sections(make_ledger: Ledger, make_chat: Chat) -> None:
    ledger = make_ledger(
        [("Kai", "them", "emotional_support", 1.0, d) for d in range(6)]
        + [("Alex", "them", "emotional_support", 1.0, d) for d in range(2)]
    )
    chat = make_chat(
        [("Kai", "me", h * 10, "complaint_without_solution") for h in range(4)]
        + [("Kai", "them", 5, "")]
    )
    entries = _entries(
        ("Kai", "conflict", None, True), ("Kai", "conflict", None, False),
        ("Robin", "task", "me", None), ("Robin", "task", "me", None),
        ("Robin", "task", "them", None),
    )  # fmt: skip
    kinds = {"Kai": "child", "Alex": "friend", "Robin": "partner"}
    found = {s.name: s for s in parent_mode(ledger, chat, _patterns(True), entries, kinds)}
    assert list(found) == ["care", "support_sources", "conflicts", "complaints", "tasks"]
    assert found["care"].shows
    assert found["support_sources"].shows
    assert "75%" in found["support_sources"].lines[0]
    assert found["conflicts"].shows
    assert "2 conflicts your children saw; 1 of them repaired" in found["conflicts"].lines[0]
    assert found["complaints"].shows
    assert "2 of 3 tasks" in found["tasks"].lines[0]
    assert found["tasks"].shows
    # Gentle prompts: no blaming words.
    for section in found.values():
        assert not any(w in section.prompt.lower() for w in ("fault", "bad parent", "wrong"))
