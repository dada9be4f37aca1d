"""Message acts: what each message does (asks, discloses, supports, thanks ...), per message.

The stage between ``messages`` and ``exchanges`` in the pipeline. :func:`detect` runs two
layers over a column of texts and merges them (:mod:`reciprocity.acts.combine`):

* :mod:`reciprocity.acts.rules`: hand-written patterns from ``lang/<code>/*.toml``, precise
  and explainable;
* :mod:`reciprocity.acts.model`: a sparse linear model from ``lang/<code>/model/``, for acts
  whose wording varies too much for patterns. Shipped weights are fitted only on data whose
  licence allows it (see that folder's ``MODEL_CARD.md``).

Both are vectorised Polars (Rust regex, a join and a group-by): no Python runs per message.
:mod:`reciprocity.acts.evaluate` measures the result on public labelled datasets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import polars as pl

from reciprocity.acts.combine import merge
from reciprocity.acts.model import ActModel, load_model, shipped_model

ACTS: tuple[str, ...] = (
    "question",
    "check_in",
    "disclosure",
    "distress",
    "support_seek",
    "support_emotional",
    "support_practical",
    "good_news",
    "celebrate",
    "request",
    "accept",
    "decline",
    "gratitude",
    "apology",
    "gossip",
    "complaint_without_solution",
    "you_accusation",
    "i_statement",
    "contempt",
)

__all__ = ["ACTS", "LEAN_CUT", "ActModel", "detect", "schema"]

#: The comfort score from which a message *leans* to emotional support: not enough on its
#: own, enough when it answers someone's hard time (:mod:`reciprocity.acts.context`).
LEAN_CUT = 0.1


def schema() -> pl.Schema:
    """The schema of :func:`detect`'s frame."""
    columns: list[tuple[str, pl.DataType]] = [(a, pl.Boolean()) for a in ACTS]
    columns += [
        ("disclosure_depth", pl.Int8()),
        ("confidence", pl.Struct([pl.Field(a, pl.Float32()) for a in ACTS])),
        ("why", pl.List(pl.String())),
        ("leans_support", pl.Boolean()),
    ]
    return pl.Schema(columns)


def _rules_frame(texts: pl.Series, lang: str) -> pl.DataFrame | None:
    from reciprocity.acts import rules

    if lang not in rules.available_languages():
        return None
    return rules.apply_rules(texts, lang)


def _model(model: ActModel | str | Path | Literal[False] | None, lang: str) -> ActModel | None:
    if model is False:
        return None
    if model is None:
        return shipped_model(lang)
    if isinstance(model, ActModel):
        return model
    return load_model(Path(model))


def detect(
    texts: Sequence[str | None] | pl.Series,
    *,
    lang: str = "en",
    model: ActModel | str | Path | Literal[False] | None = None,
    use_rules: bool = True,
) -> pl.DataFrame:
    """The acts of each text: one row per input, in order.

    Columns: a Boolean per act in :data:`ACTS` order, ``disclosure_depth`` (Int8, 0 none,
    1 facts, 2 thoughts and opinions, 3 feelings; ``disclosure`` is depth >= 1),
    ``confidence`` (Struct of Float32, one field per act), ``why`` (List of
    ``"<act>:<rule name>"`` or ``"<act>:model"``) and ``leans_support`` (Boolean: comfort
    if it answered someone's hard time, read by :func:`reciprocity.acts.context.in_context`).
    A null text counts as empty.

    ``model``: ``None`` for the model shipped for ``lang``, a model folder (for example one
    fitted by ``reciprocity train``), an :class:`ActModel`, or ``False`` for rules only.

    >>> out = detect(["thank you so much!", "are you free tomorrow?"])
    >>> out["gratitude"].to_list(), out["question"].to_list()
    ([True, False], [False, True])
    """
    series = texts if isinstance(texts, pl.Series) else pl.Series(list(texts), dtype=pl.String)
    series = series.cast(pl.String).alias("text")
    rule_frame = _rules_frame(series, lang) if use_rules else None
    fitted = _model(model, lang)
    scores = fitted.scores(series) if fitted is not None else None
    if rule_frame is None and scores is None and series.len() > 0 and use_rules:
        from reciprocity.acts.rules import RulesError

        raise RulesError(f"no act rules and no model for language {lang!r}")
    thresholds = fitted.thresholds if fitted is not None else None
    words = _words_where_asked(series, scores, thresholds)
    frame = merge(ACTS, rule_frame, scores, thresholds, height=series.len(), words=words)
    # (a phrase list for "that sounds hard" cost as much time as all the rules together,
    # for .02 F1 on ESConv's "failed" dialogues: the model's comfort score alone is used)
    leans = pl.col("confidence").struct.field("support_emotional") >= LEAN_CUT
    frame = frame.with_columns(
        (leans & ~pl.col("support_emotional") & ~pl.col("question")).alias("leans_support")
    )
    return frame.cast(schema())


def _words_where_asked(
    series: pl.Series, scores: pl.DataFrame | None, thresholds: Mapping[str, float] | None
) -> pl.Series | None:
    """Words per text, counted only where the practical-help head passed its threshold (the
    only place a gate reads them; others read 0): counting every text cost about a tenth
    of ``detect``'s time."""
    head = "support_practical"
    if scores is None or thresholds is None or head not in scores.columns:
        return None
    asked = (scores[head] >= thresholds[head]).arg_true()
    counted = series.gather(asked).str.count_matches(r"\S+").fill_null(0)
    return pl.zeros(series.len(), dtype=counted.dtype, eager=True).scatter(asked, counted)
