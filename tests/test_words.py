"""The display words: every code a surface shows has plain words, and they read right."""

from __future__ import annotations

import pytest

from reciprocity import words
from reciprocity.exchanges import AFTER_DECLINE, GOOD_NEWS_RESPONSES, REQUEST_OUTCOMES
from reciprocity.ledger import DIMENSIONS
from reciprocity.metrics.patterns import PATTERNS


@pytest.mark.parametrize("code", DIMENSIONS)
def test_every_dimension_has_plain_words(code: str) -> None:
    label = words.dimension(code)
    assert "_" not in label
    assert label == words.DIMENSIONS[code]


def test_the_words_people_use() -> None:
    assert words.dimension("favours_money") == "favours and money"
    assert words.outcome("good_news", "passive_constructive") == "warm but brief"
    assert words.outcome("good_news", "active_constructive") == "warm and interested"
    assert "passive-constructive" in words.term("passive_constructive")
    assert words.term("attention") == ""


@pytest.mark.parametrize(
    ("topic", "codes"),
    [("good_news", GOOD_NEWS_RESPONSES), ("request", REQUEST_OUTCOMES),
     ("after_decline", AFTER_DECLINE)],
)  # fmt: skip
def test_every_outcome_has_plain_words(topic: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        assert (topic, code) in words.OUTCOMES
        assert "_" not in words.outcome(topic, code)


def test_every_pattern_reads_as_a_question() -> None:
    for code in PATTERNS:
        assert words.pattern(code).endswith("?"), code


def test_message_kinds_read_for_you_and_for_them() -> None:
    assert words.topic("good_news") == "Your good news"
    assert words.topic("good_news", "Alex") == "Alex's good news"
    assert words.topic("support_seek", "you") == "When you asked for support"
    assert words.topic("check_in", "Riley") == "Riley's check-ins"


def test_counts_agree_with_their_noun() -> None:
    assert words.count(1, "new person", "new people") == "1 new person"
    assert words.count(3, "new person", "new people") == "3 new people"
    assert words.count(1, "relationship") == "1 relationship"
    assert words.count(0, "relationship") == "0 relationships"


def test_relationship_and_entry_kinds() -> None:
    assert words.relationship_kind("unknown") == "not said"
    assert words.relationship_kind("child") == "child"
    assert words.entry_kind("interaction") == "time together"


def test_big_counts_are_written_in_full_with_thousands_grouped() -> None:
    # A million messages once read "1e+06 new messages" on the import page.
    assert words.count(1_234_567, "new message") == "1,234,567 new messages"
    assert words.count(1_000_000, "message") == "1,000,000 messages"
    assert words.number(47_167) == "47,167"
    assert words.number(86_958.74) == "86,958.7"
    assert words.number(2.5) == "2.5"
    assert words.number(0) == "0"
    assert words.number(-0.01) == "0"
