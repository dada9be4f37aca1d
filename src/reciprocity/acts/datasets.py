"""Readers for the public labelled datasets in ``../shared/datasets`` (training and evaluation).

Each reader returns a Polars frame with a ``text`` column and the dataset's *own* labels,
untouched in meaning; :mod:`reciprocity.acts.mapping` is the one place that turns those
labels into our acts. The files are never copied into the repository: the root folder comes
from the caller, else ``RECIPROCITY_SHARED``/``datasets``, else ``<repo>/../shared/datasets``.

:data:`DATASETS` says, for each folder, its licence, whether shipped weights may be fitted on
it (the licence rule of the datasets README), its splits and which split is its own test or
held-out split.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from reciprocity.errors import ReciprocityError


class DatasetMissing(ReciprocityError):
    """A dataset folder or file is not where the shared datasets should be."""


@dataclass(frozen=True)
class DatasetInfo:
    """What we know about one dataset folder."""

    name: str
    licence: str
    shippable: bool  # may the shipped weights be fitted on it (licence rule)
    splits: tuple[str, ...]
    test_split: str  # its own test / held-out split
    note: str = ""


DATASETS: dict[str, DatasetInfo] = {
    d.name: d
    for d in (
        DatasetInfo("casino", "CC BY 4.0", True, ("train", "valid", "test"), "test"),
        DatasetInfo(
            "goemotions_raw_subset",
            "Apache-2.0 / CC BY 4.0",
            True,
            ("dev", "test"),
            "test",
            "test without the comment ids that also appear in dev",
        ),
        DatasetInfo(
            "goemotions",
            "Apache-2.0",
            True,
            ("train", "dev", "test"),
            "test",
            "the official GoEmotions splits: fit on train, tune on dev, report on test",
        ),
        DatasetInfo(
            "advice",
            "MIT",
            True,
            ("train", "dev", "test"),
            "test",
            "Reddit reply sentences (r/AskParents, r/needadvice), advice or not; detokenised",
        ),
        DatasetInfo("claff_offmychest", "none stated", False, ("train", "test"), "test"),
        DatasetInfo("swda", "CC BY-NC-SA (annotations)", False, ("train", "val", "test"), "test"),
        DatasetInfo("dailydialog", "CC BY-NC-SA 4.0", False, ("validation", "test"), "test"),
        DatasetInfo(
            "esconv",
            "CC BY-NC 4.0",
            False,
            ("dev", "failed"),
            "dev",
            "only the dev split and the 'failed' dialogues are shared; tune on 'failed'",
        ),
        DatasetInfo(
            "empathetic_intents",
            "none stated (EmpatheticDialogues CC BY-NC 4.0)",
            False,
            ("train", "validation", "test"),
            "test",
            "keyword-extended (weak) listener intents",
        ),
        DatasetInfo(
            "annomi",
            "unclear (no licence file)",
            False,
            ("all",),
            "all",
            "counselling dialogues; measure and tune rules only, never fit shipped weights",
        ),
        DatasetInfo(
            "complaints_twitter",
            "none stated",
            False,
            ("all",),
            "all",
            "no split: the paper uses 10-fold CV; we fit nothing on it, so all of it is held out",
        ),
    )
}


def shared_root() -> Path:
    """The shared folder: ``RECIPROCITY_SHARED`` or ``<repo>/../shared``."""
    env = os.environ.get("RECIPROCITY_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared"


def datasets_root(root: Path | None = None) -> Path:
    """The folder holding one sub-folder per dataset."""
    return root if root is not None else shared_root() / "datasets"


def available(root: Path | None = None) -> list[str]:
    """Names of the known datasets whose folder exists under ``root``."""
    base = datasets_root(root)
    return [n for n in DATASETS if (base / n).is_dir()]


def load(name: str, split: str | None = None, root: Path | None = None) -> pl.DataFrame:
    """Rows of ``split`` (default: the dataset's own test split) of dataset ``name``.

    Always has ``text`` (String); the other columns are the dataset's own labels.
    """
    if name not in DATASETS:
        raise DatasetMissing(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    info = DATASETS[name]
    split = split or info.test_split
    if split not in info.splits:
        raise DatasetMissing(f"{name} has no split {split!r}; splits: {', '.join(info.splits)}")
    folder = datasets_root(root) / name
    if not folder.is_dir():
        raise DatasetMissing(f"{folder}: dataset folder not found")
    return _READERS[name](folder, split)


def _need(path: Path) -> Path:
    if not path.exists():
        raise DatasetMissing(f"{path}: file not found")
    return path


def _casino(folder: Path, split: str) -> pl.DataFrame:
    """Annotated utterances only: ``labels`` is the list of strategies given to the text."""
    dialogues = json.loads(_need(folder / f"casino_{split}.json").read_text("utf-8"))
    rows = [
        (d["dialogue_id"], i, text, [x for x in labels.split(",") if x])
        for d in dialogues
        for i, (text, labels) in enumerate(d.get("annotations") or [])
    ]
    return pl.DataFrame(
        rows,
        schema={
            "dialogue_id": pl.Int64,
            "turn": pl.Int64,
            "text": pl.String,
            "labels": pl.List(pl.String),
        },
        orient="row",
    )


def _goemotions_raw(folder: Path, split: str) -> pl.DataFrame:
    frame = pl.read_csv(_need(folder / f"{split}.csv"), infer_schema=False)
    emotions = frame.columns[frame.columns.index("example_very_unclear") + 1 :]
    frame = frame.filter(pl.col("example_very_unclear").str.to_lowercase() != "true")
    # rater rows -> one row per comment: an emotion holds when at least half of the raters
    # present in this slice gave it (most comments have a single rater here)
    return (
        frame.group_by("id", maintain_order=True)
        .agg(
            pl.col("text").first(),
            pl.len().alias("raters"),
            *(pl.col(e).cast(pl.Int8).mean().ge(0.5).alias(e) for e in emotions),
        )
        .select("id", "text", "raters", *emotions)
    )


def _goemotions(folder: Path, split: str) -> pl.DataFrame:
    frame = _goemotions_raw(folder, split)
    if split == "test":
        # the README: 1,371 comment ids are in both slices; drop them from test
        dev_ids = pl.read_csv(_need(folder / "dev.csv"), columns=["id"], infer_schema=False)
        frame = frame.filter(~pl.col("id").is_in(dev_ids["id"].implode()))
    return frame


def _goemotions_official(folder: Path, split: str) -> pl.DataFrame:
    """One row per comment: ``id``, ``text`` and a Boolean per emotion of ``labels.txt``."""
    emotions = _need(folder / "labels.txt").read_text("utf-8").split()
    frame = pl.read_csv(
        _need(folder / f"{split}.tsv"),
        separator="\t",
        has_header=False,
        new_columns=["text", "labels", "id"],
        schema_overrides={"text": pl.String, "labels": pl.String, "id": pl.String},
        quote_char=None,
    )
    ids = pl.col("labels").str.split(",").cast(pl.List(pl.Int32))
    return frame.select(
        "id",
        "text",
        *(ids.list.contains(i).alias(e) for i, e in enumerate(emotions)),
    )


def _detokenise_spacy(text: pl.Expr) -> pl.Expr:
    """The advice sentences are spaCy-tokenised ("I 'd", "ca n't", "do n’t", "word ."):
    glue them back into the way people type."""
    for old, new in (
        ("ca n't", "can't"), ("ca n’t", "can’t"), ("wo n't", "won't"), ("wo n’t", "won’t"),
        (" n't", "n't"), (" n’t", "n’t"), ("gon na", "gonna"), ("wan na", "wanna"),
        ("got ta", "gotta"), (" ( ", " ("), (" )", ")"), (" %", "%"), ("$ ", "$"),
    ):  # fmt: skip
        text = text.str.replace_all(old, new, literal=True)
    # clitics and closing punctuation lose the space before them: "I 'd" -> "I'd"
    text = text.str.replace_all(r" ([’'](?:s|d|ll|re|ve|m|t)\b)", "$1")
    text = text.str.replace_all(r" ([.,;:!?]+)", "$1")
    return text.str.strip_chars()


def _advice(folder: Path, split: str) -> pl.DataFrame:
    """Both subreddits' sentences of ``split``: ``text``, ``advice`` (majority label), ``forum``."""
    parts = []
    for forum in ("askparents", "needadvice"):
        frame = pl.read_csv(
            _need(folder / f"{forum}_{split}.tsv"),
            separator="\t",
            infer_schema=False,
            quote_char=None,
        )
        parts.append(
            frame.select(
                pl.col("ID").alias("id"),
                _detokenise_spacy(pl.col("Sentence")).alias("text"),
                (pl.col("Majority_label").str.strip_chars() == "1").alias("advice"),
                pl.lit(forum).alias("forum"),
            )
        )
    return pl.concat(parts).filter(pl.col("text").str.len_chars() > 0)


_CLAFF_LABELS = (
    "Emotional_disclosure",
    "Information_disclosure",
    "Support",
    "General_support",
    "Info_support",
    "Emo_support",
)


def _claff(folder: Path, split: str) -> pl.DataFrame:
    name = "labeled_training_set.csv" if split == "train" else "labeled_test_set.csv"
    frame = pl.read_csv(_need(folder / name), infer_schema=False)
    labels = [c for c in frame.columns if c in _CLAFF_LABELS or c.removeprefix("SharedTask_") != c]
    return frame.select(
        # the export wrote cp1252 quotes as "<U+0092>"; put the apostrophe back
        pl.col("full_text").str.replace_all("<U+0092>", "'", literal=True).alias("text"),
        *(pl.col(c).cast(pl.Int8).cast(pl.Boolean) for c in labels),
    )


def _swda(folder: Path, split: str) -> pl.DataFrame:
    rows: list[tuple[str, str, str, str]] = []
    for path in sorted(_need(folder / split).glob("*.txt")):
        for line in path.read_text("utf-8").splitlines():
            speaker, _, rest = line.partition("|")
            text, _, tag = rest.rpartition("|")
            rows.append((path.stem, speaker, text, tag))
    schema = {"conversation": pl.String, "speaker": pl.String, "text": pl.String, "tag": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _detokenise(text: pl.Expr) -> pl.Expr:
    """DailyDialog is space-tokenised ("I ’ ll go ."); glue it back to chat-like text."""
    pairs = [(" ’ ", "’"), (" ' ", "'"), (" ,", ","), (" .", "."), (" ?", "?"), (" !", "!")]
    for old, new in pairs:
        text = text.str.replace_all(old, new, literal=True)
    return text.str.strip_chars()


def _dailydialog(folder: Path, split: str) -> pl.DataFrame:
    base = folder / split
    texts = _need(base / "dialogues.txt").read_text("utf-8").splitlines()
    acts = _need(base / "dialogues_act.txt").read_text("utf-8").splitlines()
    emotions = _need(base / "dialogues_emotion.txt").read_text("utf-8").splitlines()
    rows: list[tuple[int, int, str, int, int]] = []
    for d, (line, act_line, emo_line) in enumerate(zip(texts, acts, emotions, strict=True)):
        turns = [t for t in line.split("__eou__") if t.strip()]
        act_ids, emo_ids = act_line.split(), emo_line.split()
        if not len(turns) == len(act_ids) == len(emo_ids):
            raise DatasetMissing(f"{base}: dialogue {d + 1} has mismatched turns and labels")
        rows.extend(
            (d, i, t, int(a), int(e))
            for i, (t, a, e) in enumerate(zip(turns, act_ids, emo_ids, strict=True))
        )
    schema = {
        "dialogue": pl.Int64,
        "turn": pl.Int64,
        "raw": pl.String,
        "act": pl.Int8,
        "emotion": pl.Int8,
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.select(
        "dialogue", "turn", _detokenise(pl.col("raw")).alias("text"), "act", "emotion"
    )


def _esconv(folder: Path, split: str) -> pl.DataFrame:
    """Every turn of the dev dialogues, in order: ``dialogue``, ``turn``, ``role``
    (``seeker`` / ``supporter``), ``text``, ``strategy`` (supporter turns only), and the
    previous turn's ``prev_role`` and ``prev_text`` (null on a dialogue's first turn).

    The file holds one row per supporter turn with the four turns before it; the dialogues
    are rebuilt from the turn numbers (a new dialogue starts when they go back down). Seeker
    turns after a dialogue's last supporter turn are not in the file.
    """
    if split == "failed":
        return _esconv_failed(folder)
    rows = [
        json.loads(line)
        for line in _need(folder / "derived_dev_supporter_turns.jsonl")
        .read_text("utf-8")
        .splitlines()
        if line.strip()
    ]
    turns: dict[tuple[int, int], tuple[str, str, str | None]] = {}
    dialogue, last = 0, -1
    for row in rows:
        context = row["context"]
        at = context[-1]["turn"] + 1 if context else 0
        if at <= last:
            dialogue += 1
        last = at
        for c in context:
            turns.setdefault((dialogue, c["turn"]), (c["speaker"], c["text"], c["strategy"]))
        turns[(dialogue, at)] = ("supporter", row["text"], row["strategy"])
    return _dialogue_turns(
        [(d, t, who, text.strip(), strategy) for (d, t), (who, text, strategy) in turns.items()]
    )


def _dialogue_turns(rows: list[tuple[int, int, str, str, str | None]]) -> pl.DataFrame:
    """ESConv turns ``(dialogue, turn, role, text, strategy)`` in dialogue order, each with
    the turn before it (``prev_role``, ``prev_text``), empty turns left out."""
    frame = pl.DataFrame(
        rows,
        schema={
            "dialogue": pl.Int64,
            "turn": pl.Int64,
            "role": pl.String,
            "text": pl.String,
            "strategy": pl.String,
        },
        orient="row",
    ).sort("dialogue", "turn")
    return frame.with_columns(
        pl.col("role").shift(1).over("dialogue").alias("prev_role"),
        pl.col("text").shift(1).over("dialogue").alias("prev_text"),
    ).filter(pl.col("text") != "")


def _esconv_failed(folder: Path) -> pl.DataFrame:
    """The 196 dialogues the ESConv authors set aside (the same columns as the dev split):
    not the test split, so rules and gates may be tuned by looking at them."""
    dialogues = json.loads(_need(folder / "FailedESConv.json").read_text("utf-8"))
    rows = [
        (d, t, "seeker" if turn["speaker"] == "speaker" else "supporter",
         turn["content"].strip(), (turn.get("annotation") or {}).get("strategy"))
        for d, dialogue in enumerate(dialogues)
        for t, turn in enumerate(dialogue["dialog"])
    ]  # fmt: skip
    return _dialogue_turns(rows)


def _annomi(folder: Path, split: str) -> pl.DataFrame:
    """One row per utterance (the first annotator's labels): ``transcript``, ``turn``,
    ``role`` (therapist / client), ``text``, ``reflection``, ``question``, ``input``
    (advice, information, options, negotiation or null), ``prev_role``, ``prev_text``."""
    frame = pl.read_csv(_need(folder / "AnnoMI-full.csv"), infer_schema=False)
    frame = (
        frame.with_columns(
            pl.col("transcript_id").cast(pl.Int64).alias("transcript"),
            pl.col("utterance_id").cast(pl.Int64).alias("turn"),
        )
        .unique(["transcript", "turn"], keep="first", maintain_order=True)
        .sort("transcript", "turn")
        .select(
            "transcript",
            "turn",
            pl.col("interlocutor").alias("role"),
            pl.col("utterance_text").str.strip_chars().alias("text"),
            (pl.col("reflection_exists") == "True").alias("reflection"),
            (pl.col("question_exists") == "True").alias("question"),
            pl.when(pl.col("therapist_input_exists") == "True")
            .then(pl.col("therapist_input_subtype"))
            .alias("input"),
        )
    )
    return frame.with_columns(
        pl.col("role").shift(1).over("transcript").alias("prev_role"),
        pl.col("text").shift(1).over("transcript").alias("prev_text"),
    ).filter(pl.col("text").fill_null("") != "")


def _empathetic_intents(folder: Path, split: str) -> pl.DataFrame:
    base = _need(folder / "lexically_extended_intent_data" / split)
    parts = []
    for path in sorted(base.glob("*.txt")):
        lines = pl.Series("line", path.read_text("utf-8").splitlines(), dtype=pl.String)
        intent = "acknowledging" if path.stem == "acknowleding" else path.stem  # sic in the repo
        parts.append(
            pl.DataFrame({"line": lines}).select(
                pl.col("line").str.split_exact(" <SEP> ", 1).struct.field("field_1").alias("text"),
                pl.lit(intent).alias("intent"),
            )
        )
    return pl.concat(parts).drop_nulls("text")


def _complaints(folder: Path, split: str) -> pl.DataFrame:
    frame = pl.read_csv(
        _need(folder / "complaints-data.csv"),
        has_header=False,
        new_columns=["id", "text", "complaint", "domain"],
        schema_overrides={"id": pl.String, "text": pl.String, "complaint": pl.Int8},
    )
    return frame.with_columns(pl.col("complaint").cast(pl.Boolean))


_READERS: dict[str, Callable[[Path, str], pl.DataFrame]] = {
    "casino": _casino,
    "goemotions": _goemotions_official,
    "advice": _advice,
    "annomi": _annomi,
    "goemotions_raw_subset": _goemotions,
    "claff_offmychest": _claff,
    "swda": _swda,
    "dailydialog": _dailydialog,
    "esconv": _esconv,
    "empathetic_intents": _empathetic_intents,
    "complaints_twitter": _complaints,
}
