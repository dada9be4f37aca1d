"""Dataset readers and the label mapping (readers need ../shared; mapping rules do not)."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from reciprocity.acts import datasets as ds
from reciprocity.acts import mapping
from reciprocity.errors import ReciprocityError

REPO = Path(__file__).resolve().parents[2]
DATASETS = Path(os.environ.get("RECIPROCITY_SHARED", REPO.parent / "shared")) / "datasets"
needs_shared = pytest.mark.skipif(
    not DATASETS.is_dir(), reason=f"shared datasets not found at {DATASETS}"
)


def test_only_the_licensed_datasets_may_fit_shipped_weights() -> None:
    shippable = {n for n, d in ds.DATASETS.items() if d.shippable}
    assert shippable == {"casino", "goemotions_raw_subset", "goemotions", "advice"}
    for spec in mapping.TRAIN_HEADS.values():
        assert set(spec) <= shippable
    with pytest.raises(ReciprocityError, match="licence"):
        mapping.training_targets("claff_offmychest", pl.DataFrame({"text": ["x"]}))


def test_training_targets_leave_uncovered_heads_null() -> None:
    frame = pl.DataFrame(
        {
            "text": ["sorry to hear that", "I need water"],
            "labels": [["showing-empathy"], ["self-need"]],
        }
    )
    out = mapping.training_targets("casino", frame)
    assert out["support_emotional"].to_list() == [True, False]
    assert out["personal"].to_list() == [False, True]
    assert out["gratitude"].null_count() == 2  # CaSiNo says nothing about thanks


def test_unknown_dataset_or_split_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ds.DatasetMissing, match="unknown dataset"):
        ds.load("nope", root=tmp_path)
    with pytest.raises(ds.DatasetMissing, match="no split"):
        ds.load("swda", "dev", root=tmp_path)
    with pytest.raises(ds.DatasetMissing, match="not found"):
        ds.load("swda", root=tmp_path)


@needs_shared
def test_goemotions_test_drops_the_ids_shared_with_dev() -> None:
    dev = ds.load("goemotions_raw_subset", "dev", DATASETS)
    test = ds.load("goemotions_raw_subset", "test", DATASETS)
    assert test["id"].is_in(dev["id"].implode()).sum() == 0
    assert test["id"].n_unique() == test.height  # one row per comment
    assert test["gratitude"].dtype == pl.Boolean


@needs_shared
@pytest.mark.parametrize(
    ("name", "rows", "columns"),
    [
        ("swda", 4078, {"tag", "speaker"}),
        ("dailydialog", 7740, {"act", "emotion"}),
        ("claff_offmychest", 5000, {"Emo_support", "SharedTask_Emo_support"}),
        ("casino", 492, {"labels"}),
        ("complaints_twitter", 3449, {"complaint"}),
        ("empathetic_intents", 4675, {"intent"}),
    ],
)
def test_test_splits_have_their_documented_size(name: str, rows: int, columns: set[str]) -> None:
    frame = ds.load(name, root=DATASETS)
    assert frame.height == rows
    assert {"text"} | columns <= set(frame.columns)
    assert frame["text"].null_count() == 0


@needs_shared
def test_dailydialog_is_glued_back_to_chat_text() -> None:
    frame = ds.load("dailydialog", root=DATASETS)
    assert not frame["text"].str.contains(" ?", literal=True).any()
    assert frame["act"].is_in([1, 2, 3, 4]).all()


@needs_shared
def test_every_eval_target_evaluates_on_its_dataset() -> None:
    for name, targets in mapping.EVAL_TARGETS.items():
        frame = ds.load(name, root=DATASETS).head(50)
        for t in targets:
            assert frame.select(t.truth).to_series().dtype == pl.Boolean, (name, t.name)


def test_advice_sentences_are_detokenised() -> None:
    frame = pl.DataFrame(
        {"s": ["I 'd try it , but you ca n't wait .", "Do n’t worry ( really ) !"]}
    )
    out = frame.select(ds._detokenise_spacy(pl.col("s")))["s"].to_list()
    assert out == ["I'd try it, but you can't wait.", "Don’t worry (really)!"]


@needs_shared
def test_official_goemotions_and_advice_splits() -> None:
    train = ds.load("goemotions", "train", DATASETS)
    test = ds.load("goemotions", "test", DATASETS)
    assert train.height > 40_000
    assert test.height > 5_000
    assert not test["id"].is_in(train["id"].implode()).any()
    assert train["gratitude"].dtype == pl.Boolean
    assert train["gratitude"].sum() > 2_000
    advice = ds.load("advice", "test", DATASETS)
    assert advice["advice"].dtype == pl.Boolean
    assert not advice["text"].str.contains(" n't ", literal=True).any()
    targets = mapping.training_targets("advice", ds.load("advice", "train", DATASETS))
    assert targets["support_practical"].sum() > 3_000
    assert targets["gratitude"].null_count() == targets.height


@needs_shared
def test_esconv_dialogues_are_rebuilt_in_order_with_the_previous_turn() -> None:
    dev = ds.load("esconv", "dev", DATASETS)
    assert dev["dialogue"].n_unique() > 150
    assert set(dev["role"].unique()) == {"seeker", "supporter"}
    first = dev.filter(pl.col("dialogue") == 0)
    assert first["turn"].is_sorted()
    assert first["prev_text"][1] == first["text"][0]
    assert dev.filter(pl.col("role") == "supporter")["strategy"].null_count() == 0
    failed = ds.load("esconv", "failed", DATASETS)  # the tuning set: not the test split
    assert failed["dialogue"].n_unique() == 196
