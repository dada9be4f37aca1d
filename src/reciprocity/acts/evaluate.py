"""How well :func:`reciprocity.acts.detect` works, measured on public labelled data.

For each dataset in ``../shared/datasets`` that maps to our acts
(:data:`reciprocity.acts.mapping.EVAL_TARGETS`), on that dataset's own test or held-out split:
precision, recall and F1 per act for the full detector, F1 for the rules alone and the model
alone, next to the published score and the issue's goal; then the project's hand-labelled
set (``eval/handlabelled/en.csv``, test rows) and the throughput of ``detect``.

Nothing is fitted here, except by the opt-in ``--reference`` (a local CL-Aff model that
shows how much of the gap is the training data; never saved or shipped). The shipped model
is fitted only on CaSiNo train/valid, official GoEmotions train and advice train, so their
test splits are held out; ``complaints_twitter`` is scored whole (plain scoring of a
detector not fitted on it, rather than 10-fold CV). Dialogue datasets (:data:`DIALOGUES`)
are read in context by the full detector; ESConv also gives the end-to-end figure
(:class:`EndToEnd`), and the held-out hand-labelled chat set is its own block
(``handlabelled-holdout``).

``reciprocity eval`` and ``make eval`` call :func:`main`; ``--json`` prints the result as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console

from reciprocity.acts import ACTS, detect
from reciprocity.acts import datasets as ds
from reciprocity.acts.context import in_context
from reciprocity.acts.handlabelled import handlabelled_targets, holdout_path, load_handlabelled
from reciprocity.acts.mapping import EVAL_TARGETS, Target
from reciprocity.acts.model import shipped_model


@dataclass
class Score:
    """Precision, recall and F1 of one act on one dataset split."""

    dataset: str
    split: str
    act: str
    source: str
    kind: str
    variant: str
    n: int
    positives: int
    predicted: int
    precision: float
    recall: float
    f1: float
    macro_f1: float
    f1_rules: float | None
    f1_model: float | None
    published: float | None
    goal: float | None
    goal_on: str = "f1"  # the figure the goal is about: "f1" or "recall"
    flagged: float | None = None  # share of the negatives predicted (false-positive rate)
    max_flagged: float | None = None  # goal: at most this share flagged

    @property
    def met(self) -> bool | None:
        """Whether the goal is met (``None``: no goal)."""
        if self.goal is None:
            return None
        figure = self.recall if self.goal_on == "recall" else self.f1
        under = self.max_flagged is None or (self.flagged or 0.0) <= self.max_flagged
        return figure >= self.goal and under


@dataclass
class Throughput:
    """Messages per second of ``detect`` (rules + model) on a chat-like sample."""

    messages: int
    mean_chars: float
    seconds: list[float]
    per_second: float  # from the median run
    cpus: int
    load_average: list[float]
    sample: str


@dataclass
class EndToEnd:
    """ESConv dialogues imported as chats, the help-seeker as "me" (issue 20's goal).

    Counted as the ledger and the patterns count them: an ``emotional_support`` event per
    message with ``support_emotional``, and "others came to you for support" per message of
    the other side with ``distress`` or ``support_seek``, after the context rules.
    """

    dialogues: int
    with_figure: int  # dialogues where either side gave emotional support at least once
    helper_gives_more: int  # of those, where the supporter gave more than the seeker
    share: float
    supporter_turns: int
    supporter_turns_seeking: int  # supporter turns counted as coming to "me" for support
    goal: float = 0.95


@dataclass
class EvalResult:
    """Everything one evaluation run measured."""

    model: str | None
    scores: list[Score] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    throughput: Throughput | None = None
    end_to_end: EndToEnd | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return asdict(self)


def _counts(truth: pl.Series, pred: pl.Series) -> tuple[int, int, int, int]:
    frame = pl.DataFrame({"t": truth.fill_null(False), "p": pred.fill_null(False)})
    row = frame.select(
        tp=(pl.col("t") & pl.col("p")).sum(),
        fp=(~pl.col("t") & pl.col("p")).sum(),
        fn=(pl.col("t") & ~pl.col("p")).sum(),
        tn=(~pl.col("t") & ~pl.col("p")).sum(),
    ).row(0)
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def prf(truth: pl.Series, pred: pl.Series) -> tuple[float, float, float, float]:
    """Precision, recall, F1 of the positive class, and macro-F1 over both classes.

    >>> prf(pl.Series([True, True, False, False]), pl.Series([True, False, True, False]))
    (0.5, 0.5, 0.5, 0.5)
    """
    tp, fp, fn, tn = _counts(truth, pred)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    macro = (_f1(tp, fp, fn) + _f1(tn, fn, fp)) / 2
    return precision, recall, _f1(tp, fp, fn), macro


#: Datasets of whole dialogues: (conversation column, speaker expression). Their turns are
#: read in context (:func:`reciprocity.acts.context.in_context`) by the full detector.
DIALOGUES: dict[str, tuple[str, pl.Expr]] = {
    "esconv": ("dialogue", pl.col("role")),
    "annomi": ("transcript", pl.col("role")),
    "dailydialog": ("dialogue", pl.col("turn") % 2),
}


def detect_in_dialogues(frame: pl.DataFrame, conversation: str, speaker: pl.Expr) -> pl.DataFrame:
    """``detect`` on a dialogue dataset's turns (in order), then read in context."""
    found = detect(frame["text"])
    keys = frame.select(pl.col(conversation).alias("_c"), speaker.alias("_s"))
    return in_context(
        pl.concat([found, keys], how="horizontal"), conversation="_c", speaker="_s"
    ).drop("_c", "_s")


def score_targets(
    dataset: str,
    split: str,
    frame: pl.DataFrame,
    targets: Sequence[Target],
    *,
    dialogue: tuple[str, pl.Expr] | None = None,
) -> list[Score]:
    """Score ``detect`` (full, rules only, model only) on ``frame`` for each target; the full
    detector reads a ``dialogue`` dataset's turns in context."""
    texts = frame["text"]
    full = detect(texts) if dialogue is None else detect_in_dialogues(frame, *dialogue)
    rules_only = detect(texts, model=False)
    model_only = detect(texts, use_rules=False) if shipped_model() is not None else None
    scores = []
    for t in targets:
        keep = frame.select(t.rows if t.rows is not None else pl.lit(True))
        mask = keep.to_series().fill_null(False)
        truth = frame.filter(mask).select(t.truth).to_series()
        pred = full.filter(mask).select(t.predicted).to_series()
        p, r, f1, macro = prf(truth, pred)
        _tp, fp, _fn, tn = _counts(truth, pred)
        flagged = fp / (fp + tn) if fp + tn else None
        f1_rules = prf(truth, rules_only.filter(mask).select(t.predicted).to_series())[2]
        f1_model = (
            prf(truth, model_only.filter(mask).select(t.predicted).to_series())[2]
            if model_only is not None
            else None
        )
        scores.append(
            Score(dataset, split, t.name, t.source, t.kind, t.variant, truth.len(),
                  int(truth.fill_null(False).sum()), int(pred.fill_null(False).sum()),
                  round(p, 4), round(r, 4), round(f1, 4), round(macro, 4),
                  round(f1_rules, 4), None if f1_model is None else round(f1_model, 4),
                  t.published, t.goal, t.goal_on,
                  None if flagged is None else round(flagged, 4), t.max_flagged)
        )  # fmt: skip
    return scores


def end_to_end(frame: pl.DataFrame) -> EndToEnd:
    """:class:`EndToEnd` on ESConv turns (``dialogue``, ``role``, ``text``, in order)."""
    acts = detect_in_dialogues(frame, "dialogue", pl.col("role"))
    rows = pl.concat([frame.select("dialogue", "role"), acts], how="horizontal")
    helper = pl.col("role") == "supporter"
    per = rows.group_by("dialogue").agg(
        (pl.col("support_emotional") & helper).sum().alias("given"),
        (pl.col("support_emotional") & ~helper).sum().alias("received"),
    )
    shown = per.filter((pl.col("given") + pl.col("received")) > 0)
    more = int((shown["given"] > shown["received"]).sum())
    seeking = rows.filter(helper).select((pl.col("distress") | pl.col("support_seek")).sum()).item()
    return EndToEnd(
        dialogues=per.height,
        with_figure=shown.height,
        helper_gives_more=more,
        share=round(more / shown.height, 4) if shown.height else 0.0,
        supporter_turns=int(rows.filter(helper).height),
        supporter_turns_seeking=int(seeking),
    )


def _limit(frame: pl.DataFrame, limit: int | None) -> pl.DataFrame:
    # a deterministic spread of rows, not the first few (files are often sorted by label)
    if limit is None or frame.height <= limit:
        return frame
    return frame.gather_every(max(1, frame.height // limit)).head(limit)


def throughput(texts: pl.Series, runs: int = 3, sample: str = "") -> Throughput:
    """Time ``detect`` on ``texts`` (after one warm-up on a slice), median of ``runs``."""
    detect(texts.head(1000))
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        detect(texts)
        seconds.append(round(time.perf_counter() - start, 4))
    median = sorted(seconds)[len(seconds) // 2]
    load = list(os.getloadavg()) if hasattr(os, "getloadavg") else []
    return Throughput(
        texts.len(),
        round(float(pl.select(pl.lit(texts).str.len_chars().mean()).item() or 0.0), 1),
        seconds,
        round(texts.len() / median),
        os.cpu_count() or 0,
        [round(x, 2) for x in load],
        sample,
    )


def chat_sample(n: int, root: Path | None = None) -> tuple[pl.Series, str]:
    """``n`` chat-like messages: turns of the conversational datasets, repeated and shuffled
    deterministically; our own short messages when the datasets are absent."""
    pool: list[pl.Series] = []
    used = []
    for name in ("dailydialog", "casino", "esconv", "swda"):
        try:
            pool.append(ds.load(name, None, root)["text"])
            used.append(name)
        except ds.DatasetMissing:
            continue
    if not pool:
        pool = [pl.Series(_FALLBACK)]
        used = ["built-in sample"]
    texts = pl.concat(pool)
    texts = texts.sample(n, with_replacement=True, seed=7)
    return texts, "turns of " + ", ".join(used)


_FALLBACK = [
    "hey how are you doing?", "running late, be there in 10", "thanks so much for yesterday!",
    "I got the job!!", "ugh my day was awful, I'm so tired", "can you pick up milk on the way?",
    "sorry I missed your call", "congrats!! so proud of you", "ok", "lol", "see you tomorrow",
    "did you talk to your mum?", "I feel like nobody listens to me", "that sounds really hard",
]  # fmt: skip


def evaluate(
    root: Path | None = None,
    names: Sequence[str] | None = None,
    *,
    limit: int | None = None,
    throughput_messages: int = 250_000,
    handlabelled: Path | None = None,
) -> EvalResult:
    """Run the whole evaluation (see the module docstring)."""
    start = time.perf_counter()
    model = shipped_model()
    result = EvalResult(model=model.name if model is not None else None)
    for name in names or list(EVAL_TARGETS):
        info = ds.DATASETS[name]
        try:
            frame = ds.load(name, info.test_split, root)
        except ds.DatasetMissing as exc:
            result.skipped[name] = str(exc)
            continue
        dialogue = DIALOGUES.get(name)
        result.scores += score_targets(
            name,
            info.test_split,
            # whole turns in order for dialogues (the context needs them): the first rows
            _limit(frame, limit) if dialogue is None else frame.head(limit or frame.height),
            EVAL_TARGETS[name],
            dialogue=dialogue,
        )
        if name == "esconv":
            result.end_to_end = end_to_end(frame.head(limit or frame.height))
    try:
        frame = load_handlabelled(handlabelled, split="test")
        result.scores += score_targets("handlabelled", "test", _limit(frame, limit),
                                       handlabelled_targets(frame))  # fmt: skip
    except FileNotFoundError as exc:
        result.skipped["handlabelled"] = str(exc)
    holdout = (
        holdout_path()
        if handlabelled is None
        else handlabelled.with_name(handlabelled.stem + "-holdout.csv")
    )
    if holdout.is_file():
        frame = load_handlabelled(holdout, split="test")
        result.scores += score_targets("handlabelled-holdout", "test", _limit(frame, limit),
                                       handlabelled_targets(frame))  # fmt: skip
    if throughput_messages > 0:
        texts, sample = chat_sample(throughput_messages, root)
        result.throughput = throughput(texts, sample=sample)
    result.seconds = round(time.perf_counter() - start, 1)
    return result


# CL-Aff label -> the head name a reference model gets, and how it is scored
_REFERENCE = {
    "Information_disclosure": "disclosure",
    "Emotional_disclosure": "disclosure (feelings)",
    "Emo_support": "support_emotional",
    "Info_support": "support_practical",
}


def reference_claff(root: Path | None = None) -> list[Score]:
    """A local model fitted on CL-Aff *train* and scored on its test split (needs the train
    extra). Never shipped (the licence forbids it): it measures how much of the gap to the
    published scores is the training data rather than the linear model."""
    from reciprocity.acts.train import fit_heads

    train = ds.load("claff_offmychest", "train", root)
    test = ds.load("claff_offmychest", "test", root)
    targets = train.select(pl.col(c).alias(h) for c, h in _REFERENCE.items())
    fitted = fit_heads(train["text"], targets, c_grid=(0.3, 1.0))
    from reciprocity.acts.model import ActModel

    weights = {
        f: dict(zip(fitted.bias, row, strict=True)) for f, *row in fitted.weights.iter_rows()
    }
    model = ActModel.from_tables("claff-reference", weights, bias=fitted.bias,
                                 thresholds=fitted.thresholds)  # fmt: skip
    decided = model.decide(model.scores(test["text"]))
    scores = []
    for label, head in _REFERENCE.items():
        for variant, prefix in (("corrected", ""), ("SharedTask", "SharedTask_")):
            truth = test[prefix + label]
            p, r, f1, macro = prf(truth, decided[head])
            scores.append(
                Score("claff_offmychest", "test", head, label, "reference", variant,
                      truth.len(), int(truth.sum()), int(decided[head].sum()), round(p, 4),
                      round(r, 4), round(f1, 4), round(macro, 4), None, round(f1, 4),
                      None, None)
            )  # fmt: skip
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    """``reciprocity eval``: print the evaluation as a table (or JSON with ``--json``)."""
    from reciprocity.acts.evaluate_render import goals_markdown, markdown, render

    parser = argparse.ArgumentParser(prog="reciprocity eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--goals", action="store_true", help="print the goals as Markdown")
    parser.add_argument("--shared", type=Path, default=None, help="folder with the datasets")
    parser.add_argument("--dataset", action="append", choices=list(EVAL_TARGETS), default=None,
                        help="only this dataset (repeatable)")  # fmt: skip
    parser.add_argument("--limit", type=int, default=None, help="at most N rows per dataset")
    parser.add_argument("--throughput", type=int, default=250_000, metavar="N",
                        help="messages for the speed test (0: skip)")  # fmt: skip
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also fit a local, unshipped model on CL-Aff train (train extra)",
    )
    args = parser.parse_args(argv)
    root = (
        args.shared / "datasets"
        if args.shared and (args.shared / "datasets").is_dir()
        else args.shared
    )
    result = evaluate(root, args.dataset, limit=args.limit, throughput_messages=args.throughput)
    if args.reference:  # next to the CL-Aff rows of the shipped detector
        at = max((i + 1 for i, s in enumerate(result.scores) if s.dataset.startswith("claff")),
                 default=len(result.scores))  # fmt: skip
        result.scores[at:at] = reference_claff(root)
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=1) + "\n")
    elif args.goals:
        sys.stdout.write(goals_markdown(result))
    elif args.markdown:
        sys.stdout.write(markdown(result))
    else:
        render(result, Console())
    return 0


__all__ = ["ACTS", "EvalResult", "Score", "Throughput", "evaluate", "main", "prf"]


if __name__ == "__main__":
    sys.exit(main())
