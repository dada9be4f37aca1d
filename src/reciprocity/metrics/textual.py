"""What the later stages read of a message's text, as narrow columns computed once.

The text is most of the analysis frame's memory on a long chat, yet the stages after act
detection only count its words, ask whether it reads as a question (the figures) and look
for a few phrases in answers (pairing's *flags*). :func:`text_features` gives those as
columns; a stage reads them when its frame has them and the text otherwise, so the
pipeline can let go of the texts as soon as the acts are found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from reciprocity.metrics.questions import question_expr

__all__ = [
    "FLAG_PREFIX",
    "QUESTION",
    "WORDS",
    "feature_names",
    "flag_columns",
    "text_features",
    "words",
]

WORDS = "words"
"""Whitespace-separated words of the text (0 without text), UInt32."""
QUESTION = "text_question"
"""Whether the text reads as a question (:func:`.questions.question_expr`; False without text)."""
FLAG_PREFIX = "flag_"
"""Prefix of a flag's column: ``flag_<name>`` holds flag ``name`` of the message's text."""


def words(text: pl.Expr) -> pl.Expr:
    """Whitespace-separated words of ``text`` (0 when null)."""
    return text.fill_null("").str.count_matches(r"\S+")


def feature_names(flags: Sequence[str] = ()) -> tuple[str, ...]:
    """The columns :func:`text_features` adds for flags named ``flags``."""
    return (WORDS, QUESTION, *(FLAG_PREFIX + name for name in flags))


def flag_columns(flags: Mapping[str, pl.Expr]) -> list[pl.Expr]:
    """``flag_<name>`` for each of ``flags`` (Boolean expressions over ``text``; null
    counts as False)."""
    return [expr.fill_null(False).alias(FLAG_PREFIX + name) for name, expr in flags.items()]


def text_features(flags: Mapping[str, pl.Expr] | None = None) -> list[pl.Expr]:
    """Expressions over a ``text`` column giving :func:`feature_names`' columns."""
    text = pl.col("text")
    return [
        words(text).alias(WORDS),
        question_expr(text).alias(QUESTION),
        *flag_columns(flags or {}),
    ]
