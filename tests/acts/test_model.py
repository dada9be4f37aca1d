"""The learned layer: tokeniser, keyed weights, scoring, model files, local fitting."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import polars as pl
import pytest

from reciprocity.acts import mapping
from reciprocity.acts.model import (
    ActModel,
    ModelError,
    feature_frame,
    load_model,
    save_model,
    shipped_model,
    tokens,
)
from reciprocity.errors import ImportFailed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "acts"
HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None


def toks(text: str) -> list[str]:
    return [t for t in pl.select(tokens(pl.lit(text))).item().to_list() if t]


def test_tokens_lowercase_split_punctuation_and_keep_marks() -> None:
    assert toks("Hey, how ARE you?!") == ["hey", "how", "are", "you", "?", "!"]


def test_tokens_drop_apostrophes_so_spellings_agree() -> None:
    assert toks("I'm fine") == toks("Im fine") == toks("I’m fine") == ["im", "fine"]


def test_tokens_separate_emoji_and_variation_selectors() -> None:
    assert toks("love you❤️😂") == ["love", "you", "❤", "😂"]


def test_feature_frame_has_unigrams_and_in_message_bigrams_only() -> None:
    frame = feature_frame(pl.Series(["a b", "c"]))
    got = sorted(zip(frame["row"].to_list(), frame["feature"].to_list(), strict=True))
    # no "b c" bigram across the two messages
    assert got == [(0, "a"), (0, "a b"), (0, "b"), (1, "c")]


TOY = ActModel.from_tables(
    "toy",
    {"thanks": {"gratitude": 3.0}, "so much": {"gratitude": 1.0}, "sorry": {"gratitude": -2.0}},
    bias={"gratitude": -1.0},
    thresholds={"gratitude": 0.5},
    lexicons={"first_person": ["i", "my"]},
)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_scores_sum_unigram_and_bigram_weights_then_sigmoid() -> None:
    out = TOY.scores(["Thanks so much", "thanks thanks", "sorry", "hello"])
    expected = [sigmoid(-1 + 3 + 1), sigmoid(-1 + 6), sigmoid(-1 - 2), sigmoid(-1)]
    assert out["gratitude"].to_list() == pytest.approx(expected, abs=1e-6)
    assert out["gratitude"].dtype == pl.Float32


def test_scores_keep_order_and_length_with_nulls_and_empty() -> None:
    out = TOY.scores(pl.Series(["hello", None, "", "thanks"]))
    assert out.height == 4
    assert out["gratitude"].to_list()[1:3] == pytest.approx([sigmoid(-1)] * 2, abs=1e-6)
    assert out["gratitude"][3] > out["gratitude"][0]


def test_lexicon_heads_count_words() -> None:
    out = TOY.scores(["I lost my keys", "you did it"])
    assert out["first_person"].to_list() == [2, 0]


def test_decide_applies_thresholds() -> None:
    decided = TOY.decide(TOY.scores(["thanks", "sorry"]))
    assert decided["gratitude"].to_list() == [True, False]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    weights = pl.DataFrame({"feature": ["thanks", "so much"], "gratitude": [3.0, 1.0]})
    folder = save_model(
        tmp_path / "m", weights, name="rt", bias={"gratitude": -1.0},
        thresholds={"gratitude": 0.6}, lexicons={"first_person": ["i"]},
    )  # fmt: skip
    model = load_model(folder)
    assert model.name == "rt"
    assert model.thresholds == {"gratitude": 0.6}
    assert model.scores(["thanks so much"])["gratitude"][0] == pytest.approx(sigmoid(3), abs=1e-6)


def test_load_refuses_a_folder_that_is_not_a_model(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text(json.dumps({"format": "something else"}))
    (tmp_path / "weights.parquet").write_bytes(b"")
    with pytest.raises(ModelError, match="not a reciprocity-acts-linear"):
        load_model(tmp_path)
    with pytest.raises(ModelError, match="cannot read"):
        load_model(tmp_path / "missing")


def test_shipped_model_matches_the_mapping() -> None:
    model = shipped_model("en")
    if model is None:
        pytest.skip("no shipped model in this checkout")
    assert model.heads == mapping.HEADS
    assert set(model.lexicons) == set(mapping.LEXICONS)
    assert all(0.0 < t <= 1.01 for t in model.thresholds.values())
    trained = {d["dataset"] for d in model.info["trained_on"]}
    assert trained <= {"casino", "goemotions", "advice"}  # the licence rule
    assert "goemotions_raw_subset" not in trained  # spread over the official test split


def test_shipped_model_scores_obvious_messages() -> None:
    model = shipped_model("en")
    if model is None:
        pytest.skip("no shipped model in this checkout")
    out = model.scores(["thank you so much, really appreciate it", "the bus leaves at nine"])
    assert out["gratitude"][0] > 0.5 > out["gratitude"][1]


def test_read_labelled_csv_reports_every_problem_with_its_line() -> None:
    from reciprocity.acts.train import read_labelled_csv

    with pytest.raises(ImportFailed) as info:
        read_labelled_csv(FIXTURES / "bad_labels.csv", allowed=("gratitude", "apology"))
    text = str(info.value)
    assert "bad_labels.csv:1: column 'mood' is not an act" in text
    assert "bad_labels.csv:3: gratitude: 'maybe' is not 1/0" in text
    assert "bad_labels.csv:4: 2 cells, expected 3" in text


@pytest.mark.skipif(not HAS_SKLEARN, reason="fitting needs the train extra (scikit-learn)")
def test_fit_local_writes_a_model_that_detect_can_use(tmp_path: Path) -> None:
    from reciprocity.acts import detect
    from reciprocity.acts.train import fit_local

    folder = fit_local(FIXTURES / "local_labels.csv", name="mine", out_dir=tmp_path)
    assert folder == tmp_path / "mine"
    model = load_model(folder)
    assert model.heads == ("gratitude", "apology")
    assert model.info["shipped"] is False
    probs = model.scores(["thanks for the lift", "sorry I was late"])
    assert probs["gratitude"][0] > probs["gratitude"][1]
    assert probs["apology"][1] > probs["apology"][0]
    out = detect(["thanks for the flowers"], model=folder, use_rules=False)
    assert out["gratitude"][0]


def test_fit_local_refuses_odd_names(tmp_path: Path) -> None:
    from reciprocity.acts.train import fit_local
    from reciprocity.errors import ReciprocityError

    with pytest.raises(ReciprocityError, match="model name"):
        fit_local(FIXTURES / "local_labels.csv", name="../escape", out_dir=tmp_path)
