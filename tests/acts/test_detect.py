"""The public detector: its frame contract, and how rules and model are merged."""

from __future__ import annotations

import polars as pl
import pytest

from reciprocity.acts import ACTS, ActModel, detect, schema
from reciprocity.acts.combine import merge
from reciprocity.acts.rules import KNOWN_ACTS


def test_acts_follow_the_design_order_shared_with_the_rules() -> None:
    assert ACTS == KNOWN_ACTS
    assert ACTS[0] == "question"
    assert ACTS[-1] == "contempt"
    assert len(ACTS) == 19


def test_detect_frame_has_exactly_the_contract_schema() -> None:
    out = detect(["hi", "thank you!"])
    assert out.schema == schema()
    assert out.columns == [*ACTS, "disclosure_depth", "confidence", "why", "leans_support"]
    assert out["confidence"].dtype == pl.Struct(dict.fromkeys(ACTS, pl.Float32))


def test_detect_keeps_order_and_accepts_lists_series_nulls_and_empty() -> None:
    texts = ["thank you so much!", None, "", "are you free tomorrow?"]
    from_list = detect(texts)
    from_series = detect(pl.Series(texts))
    assert from_list.equals(from_series)
    assert from_list.height == 4
    assert from_list["gratitude"].to_list() == [True, False, False, False]
    assert from_list["question"].to_list() == [False, False, False, True]
    assert detect([]).schema == schema()
    assert detect([]).height == 0


def test_why_names_what_fired_and_disclosure_agrees_with_depth() -> None:
    out = detect(["thanks so much!!", "I feel so alone and scared about tomorrow"])
    assert any(w.startswith("gratitude:") for w in out["why"][0].to_list())
    assert (out["disclosure"] == (out["disclosure_depth"] >= 1)).all()
    assert out["disclosure_depth"][1] >= 2
    for acts_fired, why in zip(out.select(ACTS).rows(), out["why"].to_list(), strict=True):
        named = {w.split(":")[0] for w in why}
        fired = {a for a, hit in zip(ACTS, acts_fired, strict=True) if hit}
        assert named <= fired  # every reason belongs to an act that holds


def test_confidence_is_high_where_an_act_fired() -> None:
    out = detect(["thank you, I really appreciate it"])
    assert out["confidence"].struct.field("gratitude")[0] >= 0.5


def test_rules_only_and_model_only_both_work() -> None:
    rules_only = detect(["thank you!"], model=False)
    assert rules_only["gratitude"][0]
    assert all(not w.endswith(":model") for w in rules_only["why"][0].to_list())
    nothing = detect(["thank you!"], model=False, use_rules=False)
    assert not any(nothing.select(ACTS).row(0))


# --- merge() with a stub rule frame and a toy model: no dependence on the shipped data


def stub_rules(rows: list[dict[str, bool]], depth: list[int]) -> pl.DataFrame:
    """A frame in the rules contract covering question, gratitude, disclosure, celebrate."""
    covered = ["question", "disclosure", "celebrate", "gratitude"]
    data: dict[str, object] = {a: [r.get(a, False) for r in rows] for a in covered}
    data["disclosure"] = [d >= 1 for d in depth]
    return pl.DataFrame(data).with_columns(
        pl.Series("disclosure_depth_rule", depth, dtype=pl.Int8),
        pl.struct(
            pl.when(pl.col(a)).then(0.9).otherwise(0.0).cast(pl.Float32).alias(a) for a in covered
        ).alias("confidence"),
        pl.Series(
            "why",
            [[f"{a}:stub" for a in covered if r.get(a) or (a == "disclosure" and d)]
             for r, d in zip(rows, depth, strict=True)],
            dtype=pl.List(pl.String),
        ),
    )  # fmt: skip


TOY = ActModel.from_tables(
    "toy",
    {
        "amazing": {"celebrate": 5.0},
        "thanks": {"gratitude": 5.0},
        "scared": {"distress": 5.0, "feeling": 5.0},
    },
    bias={"celebrate": -3.0, "gratitude": -3.0, "distress": -3.0, "feeling": -3.0},
    thresholds={"celebrate": 0.5, "gratitude": 0.5, "distress": 0.5, "feeling": 0.5},
    lexicons={"first_person": ["i", "im", "my"], "second_person": ["you"]},
)


def run(texts: list[str], rows: list[dict[str, bool]], depth: list[int]) -> pl.DataFrame:
    return merge(ACTS, stub_rules(rows, depth), TOY.scores(texts), TOY.thresholds)


def test_merge_is_rules_or_model() -> None:
    out = run(["thanks", "cheers mate", "hello"], [{}, {"gratitude": True}, {}], [0, 0, 0])
    assert out["gratitude"].to_list() == [True, True, False]
    assert out["why"].to_list() == [["gratitude:model"], ["gratitude:stub"], []]


def test_gate_keeps_celebrate_to_messages_aimed_at_you() -> None:
    out = run(["you were amazing", "the food was amazing"], [{}, {}], [0, 0])
    assert out["celebrate"].to_list() == [True, False]


def test_model_depth_needs_first_person_and_no_question() -> None:
    texts = ["im scared", "my sister is scared", "are you scared", "she was scared"]
    out = run(texts, [{}, {}, {"question": True}, {}], [0, 0, 0, 0])
    assert out["disclosure_depth"].to_list() == [3, 3, 0, 0]
    assert out["distress"].to_list() == [True, True, True, True]  # distress has no gate
    assert "disclosure:model" in out["why"][0].to_list()


def test_depth_is_the_deeper_of_rules_and_model() -> None:
    out = run(["im scared", "i live in leeds"], [{}, {}], [1, 1])
    assert out["disclosure_depth"].to_list() == [3, 1]
    assert out["disclosure"].to_list() == [True, True]
    assert out["why"][1].to_list() == ["disclosure:stub"]


def test_confidence_takes_the_larger_of_rule_and_model() -> None:
    out = run(["thanks", "hello"], [{"gratitude": True}, {}], [0, 0])
    grat = out["confidence"].struct.field("gratitude").to_list()
    assert grat[0] == pytest.approx(0.9, abs=1e-6)  # rule 0.9 > model sigmoid(2) = 0.88
    assert grat[1] == pytest.approx(1 / (1 + 2.718281828**3), abs=1e-4)  # model only


def test_merge_without_any_layer_gives_all_false_rows() -> None:
    out = merge(ACTS, None, None, None, height=3)
    assert out.height == 3
    assert not any(any(r) for r in out.select(ACTS).rows())


def test_short_chat_lines_and_favours_asked_are_not_practical_help() -> None:
    # Seen on the demo: the advice-trained head read these as Alex helping.
    lines = [
        "maybe",
        "yes please",
        "might go to my sister's",
        "watched one episode, not sure about it",
        "any chance you could look over my CV?",
        "could you look at my essay?",
    ]
    assert not any(detect(lines)["support_practical"].to_list())
    helping = ["you should talk to her about it", "have you tried calling the landlord?"]
    assert all(detect(helping)["support_practical"].to_list())
