"""The outcome rules: good news, disclosure, distress, requests and what follows a "no"."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from reciprocity.exchanges import exchanges


def _outcome(chat_with_acts, answer: tuple[str, str, int], column: str, asked: str = "good_news"):  # type: ignore[no-untyped-def]
    text, acts, depth = answer
    first_depth = 2 if asked == "disclosure" else 0
    rows = [("A", "them", 0, "first", asked, first_depth), ("A", "me", 5, text, acts, depth)]
    return exchanges(chat_with_acts(rows))[column][0]


@pytest.mark.parametrize(
    ("text", "acts", "expected"),
    [
        ("amazing!! how did it go?", "celebrate question", "active_constructive"),
        ("so proud of you", "celebrate", "passive_constructive"),
        # Issue 19: an enthusiastic reply that says more than a short phrase is active.
        ("congrats!! we have to celebrate", "celebrate", "active_constructive"),
        ("congrats!", "celebrate", "passive_constructive"),
        ("nice one", "", "passive_constructive"),
        ("but can you afford it", "question", "active_destructive"),
        ("you never finish anything", "you_accusation", "active_destructive"),
        ("did you see the match last night", "question", "passive_destructive"),
        (
            "nice, anyway the thing I wanted to tell you about work is long",
            "",
            "passive_destructive",
        ),
    ],
)
def test_good_news_responses(chat_with_acts, text, acts, expected):  # type: ignore[no-untyped-def]
    assert _outcome(chat_with_acts, (text, acts, 0), "good_news_response") == expected


def test_good_news_ignored_and_only_on_good_news(chat_with_acts):  # type: ignore[no-untyped-def]
    out = exchanges(
        chat_with_acts([("A", "me", 0, "got the job", "good_news", 1), ("A", "me", 1, "x", "", 0)])
    )
    assert out["good_news_response"].to_list() == ["ignored", None]


def test_disclosure_depth_matched(chat_with_acts):  # type: ignore[no-untyped-def]
    assert _outcome(chat_with_acts, ("me too, scared", "", 3), "depth_matched", "disclosure")
    assert not _outcome(chat_with_acts, ("ok", "", 1), "depth_matched", "disclosure")
    assert _outcome(chat_with_acts, ("ok", "", 1), "depth_matched", "question") is None


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (("me too, I get scared as well", "", 3), "matched"),
        # Support or interest takes a disclosure up without sharing back: not a failure.
        (("that sounds so hard, I'm here", "support_emotional", 0), "responded"),
        (("what happened?", "question", 0), "responded"),
        (("ok", "", 1), "not_matched"),
        (("did you watch the match", "", 0), "not_matched"),
    ],
)
def test_disclosure_responses(chat_with_acts, answer, expected):  # type: ignore[no-untyped-def]
    found = _outcome(chat_with_acts, answer, "disclosure_response", "disclosure")
    assert found == expected
    assert _outcome(chat_with_acts, answer, "disclosure_response", "question") is None


def test_distress_support_within_the_support_window(chat_with_acts):  # type: ignore[no-untyped-def]
    rows = [
        ("A", "them", 0, "awful day", "distress", 3),
        ("A", "me", 5, "oh no", "question", 0),
        ("A", "them", 6, "yeah", "", 0),
        ("A", "me", 60, "I'm here for you", "support_emotional", 0),
        ("A", "me", 2000, "still sad", "distress", 3),
        ("A", "them", 2001, "hugs", "support_emotional", 0),
    ]
    out = exchanges(chat_with_acts(rows))
    assert out["supported"].to_list() == [True, None, None, None, True, None]
    short = exchanges(chat_with_acts(rows), support_window=timedelta(minutes=30))
    assert short["supported"][0] is False
    # my own support never counts as support for my own distress
    mine = exchanges(chat_with_acts([("A", "me", 0, "sad", "distress support_emotional", 3)]))
    assert mine["supported"][0] is False


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("sure", "accepted"),
        ("can't, sorry", "declined"),
        ("lol", "ignored"),
    ],
)
def test_request_outcomes(chat_with_acts, reply, expected):  # type: ignore[no-untyped-def]
    acts = {"sure": "accept", "can't, sorry": "decline apology", "lol": ""}[reply]
    assert _outcome(chat_with_acts, (reply, acts, 0), "request_outcome", "request") == expected


@pytest.mark.parametrize(
    ("follow", "acts", "expected"),
    [
        ("please, just this once?", "request question", "re_ask"),
        ("fine, forget it then", "", "ultimatum"),
        ("you never help me", "you_accusation", "ultimatum"),
        ("no worries!", "", "accepted_no"),
    ],
)
def test_after_a_decline(chat_with_acts, follow, acts, expected):  # type: ignore[no-untyped-def]
    rows = [
        ("A", "me", 0, "can you help me move?", "request", 0),
        ("A", "them", 10, "sorry, can't", "decline", 0),
        ("A", "me", 12, follow, acts, 0),
    ]
    out = exchanges(chat_with_acts(rows))
    assert out["request_outcome"][0] == "declined"
    assert out["after_decline"].to_list() == [expected, None, None]


def test_no_follow_up_means_the_no_was_accepted(chat_with_acts):  # type: ignore[no-untyped-def]
    rows = [("A", "me", 0, "lift?", "request", 0), ("A", "them", 10, "no", "decline", 0)]
    out = exchanges(chat_with_acts(rows))
    assert out.filter(pl.col("request"))["after_decline"].to_list() == ["accepted_no"]
