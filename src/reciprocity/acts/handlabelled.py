"""The project's own hand-labelled messages (``eval/handlabelled/<lang>.csv``).

Written for the project, labelled with our acts, for what no public dataset covers (gossip,
"I" statements versus accusations, check-ins, celebrating, complaints without a solution).
Columns: ``id``, ``split`` (``dev`` to look at while writing rules, ``test`` to report),
``text``, ``context``, one 0/1 column per act, ``disclosure_depth`` and extra notes columns.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from reciprocity.acts.mapping import Target


def default_path(lang: str = "en") -> Path:
    """``<repo>/eval/handlabelled/<lang>.csv`` (exists in a source checkout only)."""
    return Path(__file__).resolve().parents[3] / "eval" / "handlabelled" / f"{lang}.csv"


def holdout_path(lang: str = "en") -> Path:
    """``<repo>/eval/handlabelled/<lang>-holdout.csv``: the set written before issue 20's
    tuning and never tuned on (all ``test``)."""
    return default_path(lang).with_name(f"{lang}-holdout.csv")


def load_handlabelled(path: Path | None = None, *, split: str | None = "test") -> pl.DataFrame:
    """Rows of the hand-labelled set (one split, or all with ``split=None``).

    Act columns become Boolean; ``disclosure_depth`` Int8. Raises ``FileNotFoundError``
    when the file is absent (an installed package has no ``eval/`` folder).
    """
    from reciprocity.acts import ACTS

    file = path or default_path()
    if not file.is_file():
        raise FileNotFoundError(f"{file}: hand-labelled set not found")
    # lines starting with "#" are notes about the file (the held-out set says so there)
    frame = pl.read_csv(file, infer_schema=False, comment_prefix="#")
    if split is not None and "split" in frame.columns:
        frame = frame.filter(pl.col("split") == split)
    acts = [a for a in ACTS if a in frame.columns]
    casts = [pl.col(a).fill_null("0").str.strip_chars().is_in(["1", "true", "yes"]) for a in acts]
    if "disclosure_depth" in frame.columns:
        casts.append(pl.col("disclosure_depth").fill_null("0").cast(pl.Int8))
    return frame.with_columns(casts)


def handlabelled_targets(frame: pl.DataFrame) -> list[Target]:
    """One exact target per act column with at least one positive row, plus depth 3."""
    from reciprocity.acts import ACTS

    targets = [
        Target(a, pl.col(a), pl.col(a), a)
        for a in ACTS
        if a in frame.columns and frame[a].dtype == pl.Boolean and frame[a].any()
    ]
    if "disclosure_depth" in frame.columns and (frame["disclosure_depth"] >= 3).any():
        deep = pl.col("disclosure_depth") >= 3
        targets.append(Target("disclosure (feelings)", deep, deep, "disclosure_depth = 3"))
    return targets
