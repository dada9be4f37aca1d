"""Exchanges: pairing each message with its answer and classifying what the answer did."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from reciprocity.acts import ACTS
from reciprocity.exchanges import exchanges, with_acts


def _by_text(out: pl.DataFrame, chat: pl.DataFrame, text: str) -> dict[str, object]:
    """The exchange row of the message whose text is ``text`` (exchanges carry ids)."""
    (message_id,) = chat.filter(pl.col("text") == text)["message_id"]
    return out.filter(pl.col("message_id") == message_id).row(0, named=True)


def test_with_acts_appends_detected_acts(chat_with_acts):  # type: ignore[no-untyped-def]
    frame = chat_with_acts([("A", "me", 0, "x", "", 0)]).select(
        "relationship_id", "person", "conversation_id", "message_id", "from_me",
        "timestamp", "ordinal", "text", "kind", "reply_to_message_id",
    )  # fmt: skip
    frame = frame.with_columns(pl.lit("thank you so much!").alias("text"))
    out = with_acts(frame)
    assert out.columns[: frame.width] == frame.columns
    assert set(ACTS) <= set(out.columns)
    assert out["gratitude"].to_list() == [True]
    assert "confidence" not in out.columns


def test_answer_is_the_other_sides_next_turn(chat_with_acts):  # type: ignore[no-untyped-def]
    chat = chat_with_acts(
        [
            ("A", "me", 0, "hi", "", 0),
            ("A", "me", 1, "you there?", "question", 0),
            ("A", "them", 11, "yes", "", 0),
            ("A", "them", 12, "sorry", "apology", 0),
            ("A", "me", 300, "ok", "", 0),  # 288 min after "sorry": inside 6 h
            ("A", "them", 700, "late", "", 0),  # 400 min after "ok": over 6 h
        ]
    )
    out = exchanges(chat)
    assert "text" not in out.columns  # ids only: the store has the texts
    first, second = _by_text(out, chat, "hi"), _by_text(out, chat, "you there?")
    assert first["latency_s"] == 660.0
    assert second["latency_s"] == 600.0
    assert second["answer_message_id"] == 3
    assert second["answer_apology"] is True  # acts of the whole answer turn
    assert second["answer_words"] == 2
    assert _by_text(out, chat, "sorry")["latency_s"] == 288 * 60.0
    assert _by_text(out, chat, "ok")["answered"] is False
    assert _by_text(out, chat, "ok")["latency_s"] is None
    assert _by_text(out, chat, "late")["answered"] is False


def test_window_is_a_setting(chat_with_acts):  # type: ignore[no-untyped-def]
    frame = chat_with_acts([("A", "me", 0, "q", "", 0), ("A", "them", 30, "a", "", 0)])
    assert exchanges(frame, window=timedelta(minutes=30))["answered"][0] is True
    assert exchanges(frame, window=timedelta(minutes=29))["answered"][0] is False
    with pytest.raises(ValueError, match="positive"):
        exchanges(frame, window=timedelta(0))


def test_relationships_do_not_answer_each_other(chat_with_acts):  # type: ignore[no-untyped-def]
    out = exchanges(
        chat_with_acts([("A", "me", 0, "to A", "", 0), ("B", "them", 1, "from B", "", 0)])
    )
    assert out["answered"].to_list() == [False, False]


def test_missing_act_columns_are_named(chat_with_acts):  # type: ignore[no-untyped-def]
    frame = chat_with_acts([("A", "me", 0, "x", "", 0)]).drop("celebrate")
    with pytest.raises(ValueError, match="celebrate"):
        exchanges(frame)


def test_an_empty_frame_gives_empty_results() -> None:
    from reciprocity.store import FRAME_SCHEMA

    assert exchanges(with_acts(pl.DataFrame(schema=FRAME_SCHEMA))).height == 0


def test_partitions_by_relationship_give_the_same_rows(chat_with_acts):  # type: ignore[no-untyped-def]
    rows = [
        ("A", "me", 0, "good news!", "good_news", 1),
        ("B", "them", 1, "awful day", "distress", 3),
        ("A", "them", 2, "yay! how?", "celebrate question", 0),
        ("B", "me", 3, "here for you", "support_emotional", 0),
        ("A", "me", 4, "lift?", "request", 0),
    ]
    frame = chat_with_acts(rows)
    whole = exchanges(frame)
    parts = pl.concat([exchanges(frame.filter(pl.col("person") == p)) for p in ("A", "B")]).sort(
        "relationship_id", "timestamp"
    )
    assert whole.equals(parts)
    assert whole["good_news_response"].drop_nulls().to_list() == ["active_constructive"]
