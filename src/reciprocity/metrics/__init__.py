"""Metrics stage: figures per relationship, computed with Polars from the analysis frame.

The front door is :func:`relationship_figures` (one row per relationship) and
:func:`figures_to_json` (the same figures as plain JSON data for ``analyze --json``).
Modules: :mod:`.sessions` builds each relationship's timeline (sessions, turns, replies),
:mod:`.questions` is the simple question rule, :mod:`.basic` aggregates the figures.
Give and take: :mod:`.balance` (give share per dimension and window, with a Beta interval and
a verdict; intervals from :mod:`.beta`), :mod:`.change` (before vs after a date) and
:mod:`.patterns` (across all relationships); they read the ledger (``reciprocity.ledger``).
"""

from typing import TYPE_CHECKING, Any

from reciprocity.metrics.balance import (
    BALANCE_SCHEMA,
    MOSTLY,
    VERDICTS,
    balance,
    balance_series,
    with_interval,
)
from reciprocity.metrics.basic import (
    FIGURES_SCHEMA,
    REQUIRED_COLUMNS,
    figures_to_json,
    relationship_figures,
)
from reciprocity.metrics.change import CHANGE_SCHEMA, CHANGE_VERDICTS, MIN_EVENTS, change_around
from reciprocity.metrics.patterns import PATTERNS, PATTERNS_SCHEMA, patterns, relationship_kinds
from reciprocity.metrics.questions import is_question, question_expr
from reciprocity.metrics.sessions import timeline

if TYPE_CHECKING:
    from reciprocity.metrics.beta import beta_cdf, beta_interval, beta_quantile

__all__ = [
    "BALANCE_SCHEMA",
    "CHANGE_SCHEMA",
    "CHANGE_VERDICTS",
    "FIGURES_SCHEMA",
    "MIN_EVENTS",
    "MOSTLY",
    "PATTERNS",
    "PATTERNS_SCHEMA",
    "REQUIRED_COLUMNS",
    "VERDICTS",
    "balance",
    "balance_series",
    "beta_cdf",
    "beta_interval",
    "beta_quantile",
    "change_around",
    "figures_to_json",
    "is_question",
    "patterns",
    "question_expr",
    "relationship_figures",
    "relationship_kinds",
    "timeline",
    "with_interval",
]


def __getattr__(name: str) -> Any:
    # The Beta functions need NumPy, which takes a noticeable part of a command's start-up;
    # they are loaded on first use.
    if name in ("beta_cdf", "beta_interval", "beta_quantile"):
        from reciprocity.metrics import beta

        return getattr(beta, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
