"""Outcome counts each way and reply speed against the pair's own pace, by hand."""

from __future__ import annotations

import polars as pl
import pytest

from reciprocity.exchanges import (
    combine_exchange_figures,
    combine_reply_speed,
    exchange_figures,
    exchange_parts,
    exchanges,
    reply_turns,
)
from reciprocity.exchanges.summary import REPLY_TURNS_SCHEMA, reply_speed

ROWS = [
    ("Alex", "me", 0, "got the job!", "good_news", 1),
    ("Alex", "them", 60, "nice", "", 0),
    ("Alex", "me", 70, "how are you doing?", "check_in question", 0),
    ("Alex", "me", 71, "can you help Sat?", "request question", 0),
    ("Alex", "them", 100, "sure", "accept", 0),
    ("Alex", "me", 110, "passed my test", "good_news", 1),
    ("Jo", "them", 0, "rough week", "distress support_seek", 3),
    ("Jo", "me", 2, "sorry, here for you", "support_emotional", 0),
]


def _count(figures: pl.DataFrame, person: str, sender: str, topic: str, outcome: str) -> int:
    hit = figures.filter(
        (pl.col("person") == person)
        & (pl.col("sender") == sender)
        & (pl.col("topic") == topic)
        & (pl.col("outcome") == outcome)
    )
    return int(hit["count"].sum())


def test_exchange_figures_by_hand(chat_with_acts):  # type: ignore[no-untyped-def]
    figures = exchange_figures(exchanges(chat_with_acts(ROWS)))
    assert _count(figures, "Alex", "me", "good_news", "passive_constructive") == 1
    assert _count(figures, "Alex", "me", "good_news", "ignored") == 1
    assert _count(figures, "Alex", "me", "request", "accepted") == 1
    assert _count(figures, "Alex", "me", "check_in", "answered") == 1
    assert _count(figures, "Alex", "me", "message", "answered") == 3
    assert _count(figures, "Alex", "me", "message", "unanswered") == 1
    assert _count(figures, "Alex", "them", "message", "answered") == 2
    assert _count(figures, "Jo", "them", "distress", "supported") == 1
    assert _count(figures, "Jo", "them", "support_seek", "sent") == 1
    assert _count(figures, "Jo", "me", "support_seek", "sent") == 0
    assert (figures["count"] > 0).all()


def test_reply_speed_against_the_pairs_norm(chat_with_acts):  # type: ignore[no-untyped-def]
    speed = reply_speed(exchanges(chat_with_acts(ROWS))).row(0, named=True)
    # Alex answered my turns after 60 min and 29 min (from my last message, 71);
    # I answered Alex after 10 min and 10 min.
    assert speed["replies_them"] == 2
    assert speed["replies_me"] == 2
    assert speed["latency_median_s_them"] == (3600 + 29 * 60) / 2
    assert speed["latency_median_s_me"] == 600.0
    assert speed["latency_norm_s"] == (600 + 1740) / 2
    assert speed["latency_vs_norm_me"] == 600.0 / 1170


@pytest.mark.parametrize("rows", [1, 3, 1000])
def test_figures_of_parts_add_up_to_the_whole(chat_with_acts, rows):  # type: ignore[no-untyped-def]
    chat = chat_with_acts(ROWS)
    parts = list(exchange_parts(chat, rows=rows))
    combined = combine_exchange_figures(exchange_figures(p) for p in parts)
    assert combined.equals(exchange_figures(exchanges(chat)))
    # Split by rows, a count is spread over several parts: the sums are what mend it.
    assert pl.concat([exchange_figures(p) for p in parts]).height >= combined.height


def test_no_parts_give_empty_figures_and_speeds(chat_with_acts):  # type: ignore[no-untyped-def]
    empty = exchanges(chat_with_acts(ROWS).clear())
    assert combine_exchange_figures([]).equals(exchange_figures(empty))
    assert combine_reply_speed([]).equals(reply_speed(empty))


def test_reply_speed_from_parts_merges_split_turns(chat_with_acts):  # type: ignore[no-untyped-def]
    chat = chat_with_acts(ROWS)
    whole = exchanges(chat)
    turns = reply_turns(whole)
    assert list(turns.schema) == list(REPLY_TURNS_SCHEMA)
    # One row per answered turn: Alex's turn of 70 and 71 minutes counts once, at 29 min.
    alex = turns.filter(pl.col("person") == "Alex").sort("turn")
    assert alex["latency_s"].to_list() == [3600.0, 600.0, 29 * 60.0, 600.0]
    assert alex["by_me"].to_list() == [False, True, False, True]
    # A part a row: that turn's two messages fall in two parts, merged again on combining.
    parts = [reply_turns(p) for p in exchange_parts(chat, rows=1)]
    assert sum(p.height for p in parts) > turns.height
    assert combine_reply_speed(parts).equals(reply_speed(whole))
    assert reply_speed(whole).equals(combine_reply_speed([turns]))


def test_reply_speed_keeps_categorical_people(chat_with_acts):  # type: ignore[no-untyped-def]
    # The pipeline holds ``person`` as a category while it builds the exchanges.
    whole = exchanges(chat_with_acts(ROWS)).with_columns(pl.col("person").cast(pl.Categorical))
    assert reply_speed(whole).schema["person"] == pl.Categorical
