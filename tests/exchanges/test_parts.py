"""Exchanges built a part at a time are exactly the exchanges built in one go.

The chat has three relationships, one of them spread over two conversations, calls and
media among the texts, turns of several messages and answers that fall in the next part.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from reciprocity.exchanges import answer_texts, exchange_parts, exchanges
from reciprocity.exchanges.outcomes import SUPPORT_COLUMNS, support_times
from reciprocity.exchanges.pairing import ROWS_PER_PART, pair_answers, paired_parts

ROWS = [
    ("Alex", "me", 0, "got the job!!", "good_news", 1),
    ("Bea", "them", 1, "awful day, I feel lost", "distress support_seek", 3),
    ("Alex", "me", 2, "so happy", "", 3),
    ("Alex", "them", 3, "yay! when do you start?", "celebrate question", 0),
    ("Bea", "me", 4, "here for you", "support_emotional", 2),
    ("Alex", "them", 5, "proud of you", "celebrate", 2),
    ("Cy", "them", 6, "can you help me move?", "request", 0),
    ("Alex", "me", 7, "thanks!", "gratitude", 0),
    ("Cy", "me", 8, "sorry, can't this week", "decline", 0),
    ("Cy", "them", 9, "fine, forget it then", "contempt", 0),
    ("Bea", "them", 10, "thank you", "gratitude", 0),
    ("Alex", "them", 400, "how are you doing?", "check_in question", 0),
    ("Alex", "me", 405, "good, you?", "question", 1),
    ("Bea", "me", 406, "lift on friday?", "request", 0),
    ("Bea", "them", 407, "sure, happy to", "accept support_practical", 0),
    ("Alex", "them", 410, "all fine", "", 1),
    ("Cy", "me", 411, "big news: we won", "good_news", 1),
    ("Cy", "them", 500, "but was it fair?", "", 0),
]


def _texts_from(chat: pl.DataFrame):  # type: ignore[no-untyped-def]
    """What ``store.message_texts`` answers, from the test's own frame."""

    def texts(ids: pl.Series) -> pl.DataFrame:
        return chat.select("message_id", "text").filter(pl.col("message_id").is_in(ids.implode()))

    return texts


@pytest.fixture
def chat(chat_with_acts):  # type: ignore[no-untyped-def]
    frame = chat_with_acts(ROWS)
    # Alex's messages after the break are in a second conversation (another platform);
    # one call and one media message take part in the timeline differently.
    return frame.with_columns(
        pl.when((pl.col("person") == "Alex") & (pl.col("timestamp") > frame["timestamp"][10]))
        .then(pl.col("conversation_id") + 1)
        .otherwise(pl.col("conversation_id"))
        .alias("conversation_id"),
        pl.when(pl.col("message_id") == 8)
        .then(pl.lit("call"))
        .when(pl.col("message_id") == 12)
        .then(pl.lit("media"))
        .otherwise(pl.col("kind"))
        .alias("kind"),
    ).sort("relationship_id", "timestamp", "conversation_id", "ordinal")


@pytest.mark.parametrize("rows", [1, 2, 3, 5, 7, 1000])
def test_parts_concatenated_are_the_whole(chat: pl.DataFrame, rows: int) -> None:
    whole = exchanges(chat)
    parts = list(exchange_parts(chat, rows=rows))
    assert len(parts) == -(-whole.height // rows)
    assert all(p.height <= rows for p in parts)
    assert pl.concat(parts).equals(whole)


def test_the_whole_has_answers_follow_ups_and_outcomes(chat: pl.DataFrame) -> None:
    # The parts are only worth comparing if the rows carry what parts could get wrong.
    whole = exchanges(chat)
    assert whole.height == chat.filter(pl.col("kind") != "call").height
    texts = answer_texts(whole, whole, _texts_from(chat))["answer_text"]
    assert texts.drop_nulls().len() >= 8
    # A turn runs across the break and the change of conversation: three messages here.
    joined = "yay! when do you start? proud of you how are you doing?"
    assert texts.to_list().count(joined) == 2
    assert whole["good_news_response"].drop_nulls().to_list() == [
        "active_constructive",
        "active_destructive",
    ]
    assert whole["request_outcome"].drop_nulls().sort().to_list() == ["accepted", "declined"]
    assert whole["after_decline"].drop_nulls().to_list() == ["ultimatum"]
    assert whole["supported"].drop_nulls().to_list() == [True]
    assert whole["turn"].max() is not None


def test_rows_out_of_order_give_the_same_exchanges(chat: pl.DataFrame) -> None:
    # Unsorted input takes the sorting path; sorted input skips the sort.
    shuffled = chat.sample(fraction=1.0, shuffle=True, seed=7)
    assert not shuffled.equals(chat)
    for rows in (2, 1000):
        assert pl.concat(list(exchange_parts(shuffled, rows=rows))).equals(exchanges(chat))


def test_support_windows_reach_across_parts(chat: pl.DataFrame) -> None:
    short = timedelta(minutes=2)
    whole = exchanges(chat, support_window=short)
    parts = pl.concat(list(exchange_parts(chat, support_window=short, rows=1)))
    assert parts.equals(whole)


def test_paired_parts_are_pair_answers(chat: pl.DataFrame) -> None:
    window = timedelta(hours=6)
    whole = pair_answers(chat.lazy(), window=window).collect()
    parts = [p.collect() for p in paired_parts(chat, window=window, rows=3)]
    assert pl.concat(parts).equals(whole)
    assert ROWS_PER_PART >= 1000  # parts stay big enough that their overhead is negligible
    with pytest.raises(ValueError, match="at least 1"):
        next(paired_parts(chat, window=window, rows=0))


def test_answer_texts_rebuild_each_reply_from_the_store(chat: pl.DataFrame) -> None:
    # Exchanges carry ids, not texts: a page asks for the replies of the rows it shows.
    whole = exchanges(chat)
    for column in ("text", "answer_text", "follow_text"):
        assert column not in whole.columns
    asked: list[int] = []

    def counted(ids: pl.Series) -> pl.DataFrame:
        asked.extend(ids.to_list())
        return _texts_from(chat)(ids)

    cy = whole.filter(pl.col("person") == "Cy").reverse()  # newest first, as pages show
    replies = answer_texts(whole, cy, counted)
    assert replies["message_id"].equals(cy["message_id"])
    assert replies["answer_text"].to_list() == [
        None,  # nobody answered the last message
        "but was it fair?",
        None,  # answered after 402 minutes: outside the six-hour window
        "fine, forget it then",
        "sorry, can't this week",
    ]
    assert sorted(asked) == [9, 10, 18]  # only the answering turns' messages were read


def test_flags_are_read_only_where_asked(chat: pl.DataFrame) -> None:
    window = timedelta(hours=6)
    flags = {"but": pl.col("text").str.contains(r"\bbut\b")}
    every = pair_answers(chat.lazy(), window=window, flags=flags).collect()
    # Cy's good news was answered with a "but"; a turn has a flag when any message has.
    news = every.filter(pl.col("message_id") == 17)
    assert news["answer_but"].to_list() == [True]
    asked = pl.col("request")
    some = pl.concat(
        [
            p.collect()
            for p in paired_parts(chat, window=window, rows=3, flags=flags, flags_for=asked)
        ]
    )
    wanted = some["request"]
    for column in ("answer_but", "follow_but"):
        expected = every.select(pl.when(wanted).then(pl.col(column)).alias(column))
        assert some[column].equals(expected.to_series())
    assert some.drop("answer_but", "follow_but").equals(every.drop("answer_but", "follow_but"))


@pytest.mark.parametrize("rows", [1, 3, 1000])
def test_carried_columns_are_kept_only_where_asked(chat: pl.DataFrame, rows: int) -> None:
    window = timedelta(hours=6)
    carry = support_times()
    every = pl.concat([p.collect() for p in paired_parts(chat, window=window, carry=carry)])
    asked = pl.col("distress")
    some = pl.concat(
        [
            p.collect()
            for p in paired_parts(chat, window=window, rows=rows, carry=carry, carry_for=asked)
        ]
    )
    assert every["_support_me"].drop_nulls().len() > some["_support_me"].drop_nulls().len() > 0
    for column in SUPPORT_COLUMNS:
        expected = every.select(pl.when(pl.col("distress")).then(pl.col(column)).alias(column))
        assert some[column].equals(expected.to_series())
    assert some.drop(SUPPORT_COLUMNS).equals(every.drop(SUPPORT_COLUMNS))


def test_an_empty_frame_gives_one_empty_part(chat: pl.DataFrame) -> None:
    parts = list(exchange_parts(chat.clear()))
    assert len(parts) == 1
    assert parts[0].height == 0
    assert parts[0].schema == exchanges(chat).schema
