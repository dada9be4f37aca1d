"""Acts read in context (:mod:`reciprocity.acts.context`): support as a reply, the
helper's own story not taken for a plea, the one going through it still telling it."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from reciprocity.acts import detect
from reciprocity.acts.context import in_chat, in_context


def _read(turns: list[tuple[str, str]]) -> pl.DataFrame:
    found = detect([text for _, text in turns])
    keys = pl.DataFrame({"c": [1] * len(turns), "who": [who for who, _ in turns]})
    return in_context(pl.concat([found, keys], how="horizontal"), conversation="c", speaker="who")


def test_a_reflection_after_distress_is_comfort_but_not_on_its_own() -> None:
    alone = detect(["I can understand why you would feel that"])
    assert not alone["support_emotional"][0]
    assert alone["leans_support"][0]
    out = _read(
        [
            ("a", "I lost my job today and I'm so stressed"),
            ("b", "I can understand why you would feel that"),
        ]
    )
    assert out["support_emotional"].to_list() == [False, True]
    assert "support_emotional:after-distress" in out["why"][1].to_list()
    # the same words after small talk stay what they were
    out = _read([("a", "the new series is out"), ("b", "I can understand why you would feel that")])
    assert out["support_emotional"].to_list() == [False, False]


def test_the_helpers_own_story_is_not_a_plea_for_support() -> None:
    turns = [
        ("seeker", "I feel so alone since the breakup, I can't stop crying"),
        ("helper", "I'm so sorry, that sounds really painful"),
        ("helper", "I felt so lonely and depressed after my divorce too"),
    ]
    raw = detect([t for _, t in turns])
    assert raw["distress"][2]  # read alone, the helper's story looks like a hard time
    out = _read(turns)
    assert out["distress"].to_list() == [True, False, False]
    assert "distress:supporting" in out["why"][2].to_list()


def test_the_one_going_through_it_keeps_telling_it() -> None:
    turns = [
        ("seeker", "I'm so stressed, my landlord is evicting us"),
        ("helper", "oh no, I'm sorry. what happened?"),
        ("seeker", "I have lived there for ten years and my kids go to the school next door"),
    ]
    out = _read(turns)
    assert out["distress"].to_list() == [True, False, True]
    assert "distress:still-telling" in out["why"][2].to_list()
    # without the opening hard time the same story is a plain disclosure
    plain = _read([("seeker", "hi"), ("helper", "hey"), turns[2]])
    assert not plain["distress"][2]


def test_episodes_end_at_a_long_silence() -> None:
    start = datetime(2024, 1, 1, 20, 0)
    texts = [
        "I'm so stressed about everything",
        "that sounds rough, I'm here for you",
        "my landlord wants to sell the flat",
    ]
    found = detect(texts)
    frame = pl.concat(
        [
            found,
            pl.DataFrame(
                {
                    "relationship_id": [1, 1, 1],
                    "from_me": [False, True, False],
                    "timestamp": [start, start + timedelta(minutes=2), start + timedelta(days=3)],
                }
            ),
        ],
        how="horizontal",
    )
    out = in_chat(frame)
    assert "leans_support" not in out.columns
    assert out["distress"].to_list() == [True, False, False]  # days later: a new episode
