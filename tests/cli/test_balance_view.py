"""The analyze renderers: overview, give and take per person, one person in depth, JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import polars as pl
from rich.console import Console

from reciprocity.cli.balance_view import (
    balance_table,
    figures_table,
    person_view,
    records_to_json,
)
from reciprocity.metrics import with_interval
from reciprocity.metrics.change import change_around
from reciprocity.metrics.record import RelationshipRecord, relationship_records

HOSTILE = "[bold red]Eve[/]"
LATEST = datetime(2024, 6, 29, 18, tzinfo=UTC)


def _balance() -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "relationship_id": [1, 1, 2, 2],
            "person": ["Alex", "Alex", HOSTILE, HOSTILE],
            "dimension": ["attention", "energy", "listening", "listening"],
            "window": ["all", "all", "all", "last_90_days"],
            "events_me": [45, 0, 2, 0],
            "events_them": [5, 0, 1, 0],
            "given": [45.0, 0.0, 2.0, 0.0],
            "received": [5.0, 0.0, 1.0, 0.0],
            "latest": [LATEST, None, LATEST, None],
        }
    )
    return with_interval(frame)


def _figures() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "relationship_id": [1, 2],
            "person": ["Alex", HOSTILE],
            **{f"{n}_{s}": [3, 4] for n in ("messages", "words", "turns", "calls",
                                             "initiations", "questions") for s in ("me", "them")},
            "conversations": [2, 2],
            "reply_rate_me": [0.5, None],
            "reply_rate_them": [1.0, 0.25],
            "first_message": [LATEST, LATEST],
            "last_message": [LATEST, LATEST],
        }
    )  # fmt: skip


def _records(outcomes: pl.DataFrame | None = None) -> list[RelationshipRecord]:
    speed = pl.DataFrame(
        {
            "relationship_id": [1],
            "person": ["Alex"],
            "latency_median_s_me": [180.0],
            "latency_median_s_them": [6180.0],
            "latency_norm_s": [3000.0],
        }
    )
    return relationship_records(_figures(), _balance(), outcomes, speed)


def _text(renderable: object, width: int = 140) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_table_shows_weighted_amounts_estimate_interval_and_verdict() -> None:
    alex = _records()[0]
    out = _text(balance_table(alex))
    assert "Alex" in out
    assert "45" in out
    assert "88%" in out  # the estimate, (1 + 45) / (2 + 50), inside 80%-94%
    assert "mostly you" in out
    assert "energy" not in out  # nothing happened there


def test_an_empty_window_says_so_and_when_the_latest_was() -> None:
    eve = _records()[1]
    out = _text(balance_table(eve, "last_90_days"))
    assert "nothing in this time" in out
    assert "2024-06-29" in out


def test_names_are_never_markup() -> None:
    out = _text(balance_table(_records()[1]))
    assert HOSTILE in out


def test_person_view_shows_both_windows_and_exchanges() -> None:
    figures = pl.DataFrame(
        {
            "relationship_id": [2, 2],
            "person": [HOSTILE, HOSTILE],
            "sender": ["me", "me"],
            "topic": ["good_news", "good_news"],
            "outcome": ["ignored", "active_constructive"],
            "count": [3, 1],
        }
    )
    out = _text(person_view(_records(figures)[1]))
    assert "all time" in out
    assert "last 90 days" in out
    assert "Your good news (4): no reply 3, warm and interested 1" in out
    assert "Alex" not in out
    assert "constructive" not in out


def test_the_person_is_named_once_not_on_every_row() -> None:
    out = _text(person_view(_records()[0]), width=80)
    rows = [line for line in out.splitlines() if "attention" in line]
    assert rows
    assert all("Alex" not in line for line in rows)


def test_tables_fit_80_columns_without_cutting_words() -> None:
    # Issue 19: "convers…", "celebrat…", "disclosu…" at 80 columns.
    long = pl.DataFrame(
        {
            "relationship_id": [1] * 3,
            "person": ["Alex"] * 3,
            "dimension": ["presence_in_hard_times", "celebration", "emotional_support"],
            "window": ["all"] * 3,
            "events_me": [70, 1, 46],
            "events_them": [1, 2, 5],
            "given": [70.0, 0.5, 46.0],
            "received": [1.0, 2.0, 5.0],
            "latest": [LATEST] * 3,
        }
    )
    records = relationship_records(_figures(), with_interval(long))
    for renderable in (figures_table(records, "6 h"), balance_table(records[0]),
                       person_view(records[0])):  # fmt: skip
        out = _text(renderable, width=80)
        assert "…" not in out
        assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
    out = _text(balance_table(records[0]), width=80)
    assert "being there in hard times" in out
    assert "leaning their way" not in out or "celebration" in out


def test_before_and_after_shows_the_shares_the_difference_is_made_of() -> None:
    # Issue 19: "100% -> 75%" read "+0 pts": the shares shown were the raw ones, the
    # difference that of the posterior means. Shown now: the means, which add up.
    base = datetime(2024, 3, 1, tzinfo=UTC)
    rows = [("me", -5), ("me", 2), ("me", 3), ("me", 4), ("them", 5)]
    ledger = pl.DataFrame(
        {
            "relationship_id": [1] * len(rows),
            "person": ["Alex"] * len(rows),
            "giver": [g for g, _ in rows],
            "receiver": ["them" if g == "me" else "me" for g, _ in rows],
            "dimension": ["attention"] * len(rows),
            "weight": [1.0] * len(rows),
            "timestamp": [base + timedelta(days=d) for _, d in rows],
            "source": ["messages"] * len(rows),
            "message_id": list(range(len(rows))),
        }
    )
    change = change_around(ledger, "Alex", base).filter(pl.col("dimension") == "attention")
    assert (change["share_before"][0], change["share_after"][0]) == (1.0, 0.75)
    out = _text(person_view(_records()[0], change=change), width=80)
    line = next(x for x in out.splitlines() if x.strip().startswith("attention") and "pts" in x)
    before, after = change["estimate_before"][0], change["estimate_after"][0]
    assert f"{100 * before:.0f}%" in line
    assert f"{100 * after:.0f}%" in line
    shown = round(100 * after) - round(100 * before)
    assert abs(round(100 * change["difference"][0]) - shown) <= 1
    assert "+0 pts" not in out


def test_json_holds_every_figure_from_the_records() -> None:
    data = records_to_json(_records())
    text = json.dumps(data)  # plain JSON types only
    first = json.loads(text)["balance"][0]
    assert first["person"] == "Alex"
    assert first["events"] == {"me": 45, "them": 5}
    assert first["share"] == 0.9
    low, high = first["interval"]
    assert low <= first["estimate"] <= high
    assert first["verdict"] == "mostly you"
    assert data["relationships"][0]["reply_latency_median_s"] == {"me": 180.0, "them": 6180.0}
    assert data["exchanges"] == []
