"""The evaluation: scoring arithmetic, targets, and a run on small slices of the datasets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console

from reciprocity.acts import evaluate as ev
from reciprocity.acts.evaluate_render import render
from reciprocity.acts.mapping import EVAL_TARGETS, Target

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("RECIPROCITY_SHARED", REPO.parent / "shared"))
DATASETS = SHARED / "datasets"
needs_shared = pytest.mark.skipif(
    not DATASETS.is_dir(), reason=f"shared datasets not found at {DATASETS}"
)


def test_prf_counts_the_positive_class_and_macro() -> None:
    truth = pl.Series([True, True, True, False, False, False])
    pred = pl.Series([True, True, False, True, False, False])
    p, r, f1, macro = ev.prf(truth, pred)
    assert (p, r) == pytest.approx((2 / 3, 2 / 3))
    assert f1 == pytest.approx(2 / 3)
    assert macro == pytest.approx(2 / 3)  # the negative class is 2/3 too here


def test_prf_with_nothing_predicted_is_zero_not_an_error() -> None:
    assert ev.prf(pl.Series([True, False]), pl.Series([False, False]))[:3] == (0.0, 0.0, 0.0)


def test_score_targets_on_a_small_frame_of_our_own() -> None:
    frame = pl.DataFrame(
        {
            "text": ["thank you so much!", "thanks a lot", "see you at six", "where are you?"],
            "label": ["thanks", "thanks", "other", "question"],
        }
    )
    targets = [
        Target("gratitude", pl.col("label") == "thanks", pl.col("gratitude"), "thanks"),
        Target(
            "question", pl.col("label") == "question", pl.col("question"), "question",
            rows=pl.col("label") != "thanks", goal=0.9,
        ),
    ]  # fmt: skip
    scores = ev.score_targets("mini", "test", frame, targets)
    grat, quest = scores
    assert (grat.n, grat.positives) == (4, 2)
    assert grat.f1 == pytest.approx(1.0)
    assert quest.n == 2  # the rows filter applied
    assert quest.f1 == pytest.approx(1.0)
    assert quest.goal == 0.9


def test_every_dataset_with_targets_is_a_known_dataset() -> None:
    from reciprocity.acts.datasets import DATASETS as KNOWN

    assert set(EVAL_TARGETS) <= set(KNOWN)
    for targets in EVAL_TARGETS.values():
        assert all(t.kind in {"exact", "proxy"} for t in targets)


def test_throughput_reports_a_rate_and_the_conditions() -> None:
    texts = pl.Series(["hey how are you?", "thanks!!", "I got the job"] * 200)
    tp = ev.throughput(texts, runs=2, sample="test")
    assert tp.messages == 600
    assert tp.per_second > 0
    assert len(tp.seconds) == 2
    assert tp.cpus >= 1


@needs_shared
def test_evaluate_small_slices_of_every_dataset() -> None:
    result = ev.evaluate(DATASETS, limit=60, throughput_messages=500)
    got = {s.dataset for s in result.scores}
    assert {"swda", "dailydialog", "claff_offmychest", "goemotions", "advice", "esconv"} <= got
    assert not {k for k in result.skipped if k != "handlabelled"}
    claff = [s for s in result.scores if s.dataset == "claff_offmychest"]
    assert {s.variant for s in claff} == {"corrected", "SharedTask"}
    assert all(s.published is not None for s in claff if s.variant == "SharedTask")
    for s in result.scores:
        assert 0.0 <= s.precision <= 1.0
        assert 0.0 <= s.f1 <= 1.0
        assert s.n <= 60
    assert result.throughput is not None
    assert result.throughput.messages == 500
    assert result.end_to_end is not None
    assert result.end_to_end.dialogues >= 1
    assert any(s.dataset == "handlabelled-holdout" for s in result.scores)


@needs_shared
def test_main_prints_json_and_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--shared", str(SHARED), "--dataset", "swda", "--limit", "40", "--throughput", "0"]
    assert ev.main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {s["dataset"] for s in doc["scores"]} <= {"swda", "handlabelled", "handlabelled-holdout"}
    assert doc["throughput"] is None
    result = ev.evaluate(DATASETS, ["swda"], limit=40, throughput_messages=0)
    console = Console(record=True, width=200)
    render(result, console)
    text = console.export_text()
    assert "swda" in text
    assert "question" in text


def test_handlabelled_loader_reads_our_csv_format(tmp_path: Path) -> None:
    from reciprocity.acts.handlabelled import handlabelled_targets, load_handlabelled

    csv = tmp_path / "en.csv"
    csv.write_text(
        "id,split,text,context,gratitude,apology,disclosure_depth\n"
        "x-1,test,thanks!,,1,0,0\n"
        "x-2,dev,sorry,,0,1,0\n"
        "x-3,test,i feel awful,,0,0,3\n"
    )
    frame = load_handlabelled(csv, split="test")
    assert frame["text"].to_list() == ["thanks!", "i feel awful"]
    assert frame["gratitude"].to_list() == [True, False]
    names = [t.name for t in handlabelled_targets(frame)]
    assert names == ["gratitude", "disclosure (feelings)"]  # apology has no positive in test
    with pytest.raises(FileNotFoundError):
        load_handlabelled(tmp_path / "missing.csv")
