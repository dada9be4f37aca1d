"""Change around a date: the give share before and after, and the interval of the difference.

Used with a conversation record (the day the user had the open conversation): for each
ledger dimension of one relationship, the events in the ``span`` before the date and the
``span`` after it (or everything, with ``span=None``) give two Beta posteriors,
Beta(1 + given, 1 + received) as in :mod:`.balance`. The difference ``after - before`` of
the give shares is summarised by a central interval (``level``, 90% by default) from
seeded random draws, so the same data always gives the same answer. Verdicts:

- ``"too early"``: either side has less than :data:`MIN_EVENTS` of event weight;
- ``"meaningful change"``: the whole interval of the difference lies on one side of 0;
- ``"no change"``: the interval holds 0.

A negative difference means the user's share went down: the other person gives more than
before. ``estimate_before`` and ``estimate_after`` are the two posterior means, the shares
to show next to the difference (``difference = estimate_after - estimate_before``), as the
balance shows its ``estimate``; ``share_before`` and ``share_after`` are the raw ratios,
which with few events (1 of 1 is 100 %) would not add up to the difference shown.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import polars as pl

from reciprocity.ledger import DIMENSIONS

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["CHANGE_SCHEMA", "CHANGE_VERDICTS", "MIN_EVENTS", "change_around"]

MIN_EVENTS = 10.0
"""Event weight each side of the date needs before a change can be judged."""
CHANGE_VERDICTS = ("meaningful change", "no change", "too early")
"""The possible verdicts."""

CHANGE_SCHEMA: dict[str, pl.DataType] = {
    "person": pl.String(),
    "dimension": pl.String(),
    "given_before": pl.Float64(),
    "received_before": pl.Float64(),
    "share_before": pl.Float64(),
    "given_after": pl.Float64(),
    "received_after": pl.Float64(),
    "share_after": pl.Float64(),
    "difference": pl.Float64(),
    "low": pl.Float64(),
    "high": pl.Float64(),
    "verdict": pl.String(),
    "estimate_before": pl.Float64(),
    "estimate_after": pl.Float64(),
}
"""Columns of :func:`change_around`."""

_DRAWS = 20_000


def _share(given: pl.Expr, received: pl.Expr) -> pl.Expr:
    total = given + received
    return pl.when(total > 0).then(given / total).otherwise(None)


def change_around(
    ledger: pl.DataFrame,
    person: str,
    when: datetime,
    *,
    span: timedelta | None = timedelta(days=90),
    level: float = 0.9,
    dimensions: tuple[str, ...] = DIMENSIONS,
    seed: int = 0,
) -> pl.DataFrame:
    """Before vs after ``when`` for ``person`` (case-insensitive), one row per dimension
    (:data:`CHANGE_SCHEMA`). Events exactly at ``when`` count as after."""
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    # Compare in UTC like the ledger; a naive date is taken as UTC.
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    stamp = pl.col("timestamp")
    rows = ledger.filter(pl.col("person").str.to_lowercase() == person.strip().lower())
    before = stamp < when
    after = stamp >= when
    if span is not None:
        before &= stamp >= when - span
        after &= stamp < when + span
    me, weight = pl.col("giver") == "me", pl.col("weight")
    sums = rows.group_by("dimension").agg(
        weight.filter(before & me).sum().alias("given_before"),
        weight.filter(before & ~me).sum().alias("received_before"),
        weight.filter(after & me).sum().alias("given_after"),
        weight.filter(after & ~me).sum().alias("received_after"),
    )
    grid = pl.DataFrame({"dimension": list(dimensions)}, schema={"dimension": pl.String})
    frame = (
        grid.join(sums, on="dimension", how="left")
        .with_columns(pl.exclude("dimension").fill_null(0.0).cast(pl.Float64))
        .with_columns(
            _share(pl.col("given_before"), pl.col("received_before")).alias("share_before"),
            _share(pl.col("given_after"), pl.col("received_after")).alias("share_after"),
        )
    )
    low, high, mean = _difference(frame, level, seed)
    estimate = {
        side: (1 + pl.col(f"given_{side}"))
        / (2 + pl.col(f"given_{side}") + pl.col(f"received_{side}"))
        for side in ("before", "after")
    }
    enough = (pl.col("given_before") + pl.col("received_before") >= MIN_EVENTS) & (
        pl.col("given_after") + pl.col("received_after") >= MIN_EVENTS
    )
    verdict = (
        pl.when(~enough)
        .then(pl.lit("too early"))
        .when((pl.col("low") > 0) | (pl.col("high") < 0))
        .then(pl.lit("meaningful change"))
        .otherwise(pl.lit("no change"))
    )
    # Show the name as the chats spell it when there are events.
    name = rows.get_column("person")[0] if rows.height else person
    return (
        frame.with_columns(
            pl.Series("difference", mean), pl.Series("low", low), pl.Series("high", high)
        )
        .with_columns(
            verdict.alias("verdict"),
            pl.lit(name).alias("person"),
            estimate["before"].alias("estimate_before"),
            estimate["after"].alias("estimate_after"),
        )
        .select([pl.col(c).cast(t) for c, t in CHANGE_SCHEMA.items()])
    )


def _difference(
    frame: pl.DataFrame, level: float, seed: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Posterior mean and central interval of ``share_after - share_before`` per row."""
    import numpy as np  # here, not with the module: most commands never need it

    column = frame.get_column
    a0 = 1 + column("given_before").to_numpy()
    b0 = 1 + column("received_before").to_numpy()
    a1 = 1 + column("given_after").to_numpy()
    b1 = 1 + column("received_after").to_numpy()
    rng = np.random.default_rng(seed)
    size = (frame.height, _DRAWS)
    draws = rng.beta(a1[:, None], b1[:, None], size) - rng.beta(a0[:, None], b0[:, None], size)
    tail = (1 - level) / 2
    low, high = np.quantile(draws, [tail, 1 - tail], axis=1)
    mean = a1 / (a1 + b1) - a0 / (a0 + b0)
    return low, high, mean
