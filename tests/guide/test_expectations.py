"""Expectations: saved with a rule kind, checked against hand-written chats."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl
import pytest

from reciprocity import store
from reciprocity.errors import NotFound
from reciprocity.guide.expectations import (
    RULES,
    _news,
    add_expectation,
    check_expectations,
    delete_expectation,
    list_expectations,
)
from reciprocity.journal import JournalError

Chat = Callable[[Sequence[tuple[str, str, float, str]]], pl.DataFrame]


def _one(person: str, rule: str, value: float) -> pl.DataFrame:
    return pl.DataFrame(
        {"id": [1], "person": [person], "rule": [rule], "value": [value], "note": [None]},
        schema={"id": pl.Int64, "person": pl.String, "rule": pl.String, "value": pl.Float64,
                "note": pl.String},
    )  # fmt: skip


def test_saved_and_listed_with_the_need_in_words(db: store.Database) -> None:
    first = add_expectation(db, "Alex", "check_in", 7, note="a call every week")
    add_expectation(db, "Alex", "news")
    listed = list_expectations(db)
    assert listed["rule"].to_list() == ["check_in", "news"]
    assert listed["need"][0] == "reaches out at least every 7 days"
    delete_expectation(db, first)
    assert list_expectations(db).height == 1
    with pytest.raises(NotFound):
        delete_expectation(db, first)


def test_defaults_and_bad_rules(db: store.Database) -> None:
    add_expectation(db, "Alex", "reply")
    assert list_expectations(db)["value"].to_list() == [RULES["reply"].default]
    with pytest.raises(JournalError, match="rule kind"):
        add_expectation(db, "Alex", "hugs", 1)
    with pytest.raises(JournalError, match="more than 0"):
        add_expectation(db, "Alex", "reply", 0)


def test_reply_within_hours(make_chat: Chat) -> None:
    # Four of my messages: three answered within 2 hours, one after 30 hours.
    rows = [
        ("Alex", "me", 0, ""), ("Alex", "them", 1, ""),
        ("Alex", "me", 24, ""), ("Alex", "them", 25.5, ""),
        ("Alex", "me", 48, ""), ("Alex", "them", 49, ""),
        ("Alex", "me", 72, ""), ("Alex", "them", 102, ""),
    ]  # fmt: skip
    exchanges = make_chat(rows)
    met = check_expectations(_one("alex", "reply", 2), exchanges).row(0, named=True)
    assert (met["status"], met["chances"], met["kept"]) == ("met", 4, 3)
    strict = check_expectations(_one("Alex", "reply", 1), exchanges).row(0, named=True)
    assert strict["status"] == "not met"
    assert "2 of 4" in strict["evidence"]


def test_check_in_every_n_days(make_chat: Chat) -> None:
    # They reach out on days 0, 7, 14, 21 (in the first hours), I write on day 28.
    rows = [("Alex", "them", 24.0 * d, "check_in") for d in (0, 7, 14, 21)]
    rows.append(("Alex", "me", 24.0 * 28, ""))
    exchanges = make_chat(rows)
    weekly = check_expectations(_one("Alex", "check_in", 7), exchanges).row(0, named=True)
    assert (weekly["status"], weekly["chances"], weekly["kept"]) == ("met", 4, 4)
    daily = check_expectations(_one("Alex", "check_in", 2), exchanges).row(0, named=True)
    assert daily["status"] == "not met"


def test_support_after_something_hard(make_chat: Chat) -> None:
    rows = [
        ("Riley", "me", 0, "distress"), ("Riley", "them", 3, "support_emotional"),
        ("Riley", "me", 50, "distress"), ("Riley", "them", 51, "question"),
        ("Riley", "me", 100, "support_seek"), ("Riley", "them", 130, "support_practical"),
    ]  # fmt: skip
    result = check_expectations(_one("Riley", "support", 48), make_chat(rows)).row(0, named=True)
    # The second hard moment gets support only 80 hours later.
    assert (result["chances"], result["kept"], result["status"]) == (3, 2, "not met")


def test_news_answered_with_a_warm_emoji_is_warm_and_said_apart(make_chat: Chat) -> None:
    rows = [
        ("Jordan", "me", 0, "good_news"), ("Jordan", "them", 0.1, "celebrate question"),
        ("Jordan", "me", 30, "good_news"), ("Jordan", "me", 60, "good_news"),
        ("Jordan", "me", 90, "good_news"),
    ]  # fmt: skip
    chat = make_chat(rows)
    # Jordan tapped 🎉 on two pieces of news and wrote nothing (see exchanges/reactions.py).
    tapped = pl.col("message_id").is_in([3, 4])
    chat = chat.with_columns(
        pl.when(tapped)
        .then(pl.lit("warm_reaction"))
        .otherwise(pl.col("good_news_response"))
        .alias("good_news_response")
    )
    result = check_expectations(_one("Jordan", "news", 0), chat).row(0, named=True)
    assert (result["chances"], result["kept"], result["status"]) == (4, 3, "met")
    assert result["evidence"] == (
        "they responded warmly to 3 of 4 pieces of good news "
        "(1 with interest, 0 briefly, 2 with only an emoji)"
    )


def test_news_and_not_enough_data(make_chat: Chat) -> None:
    rows = [
        ("Jordan", "me", 0, "good_news"), ("Jordan", "them", 0.1, "celebrate question"),
        ("Jordan", "me", 30, "good_news"), ("Jordan", "them", 30.1, "celebrate question"),
    ]  # fmt: skip
    result = check_expectations(_one("Jordan", "news", 0), make_chat(rows)).row(0, named=True)
    assert result["status"] == "not enough data"
    assert result["chances"] == 2
    nobody = check_expectations(_one("Sky", "news", 0), make_chat(rows)).row(0, named=True)
    assert nobody["status"] == "not enough data"
    assert "no messages" in nobody["evidence"]


def test_one_piece_of_good_news_is_said_in_the_singular() -> None:
    rows = pl.DataFrame(
        {"from_me": [True], "good_news": [True], "good_news_response": ["active_constructive"]}
    )
    assert "1 of 1 piece of good news" in _news(rows)[2]
