"""Give share per relationship, dimension and time window, with a Beta credible interval.

For each relationship and ledger dimension, ``given`` is the weight of the events I gave
and ``received`` what they gave me; the give share is ``given / (given + received)``.
Its uncertainty is the Beta(1 + given, 1 + received) posterior (a flat prior), summarised
by its central 90% interval (``level``, columns ``low`` and ``high``) and its mean,
``estimate`` = (1 + given) / (2 + given + received): the figure surfaces show as "your
share", always inside its own interval. ``share`` (given / total, the raw ratio) is kept
for readers that want it; with few events it sits at 0 % or 100 % while the interval does
not, so it is never drawn as the point of an interval.

The verdict (:data:`VERDICTS`, the one place that lists them) reads the interval only,
checked in this order:

- ``"mostly you"``: the whole interval lies above :data:`MOSTLY` (0.65);
- ``"mostly them"``: the whole interval lies below ``1 - MOSTLY`` (0.35);
- ``"balanced"``: the whole interval lies inside [0.35, 0.65];
- ``"leaning your way"``: the interval is clear of the middle (above 0.5) but not of the
  balanced band: you give more, though perhaps not much more;
- ``"leaning their way"``: the same below 0.5;
- ``"not enough data yet"``: the interval holds 0.5 and reaches out of the balanced band:
  too few events to tell which way it goes (every dimension with no events reads so).

With 0.65, five events all given by one side give Beta(6, 1), whose 90% interval starts at
0.05 ** (1/6) = 0.607: "leaning your way", never "mostly you". Seven one-sided events, or
about thirty evenly split ones, are the fewest for "mostly" or "balanced".

Windows: ``"all"`` (everything), ``"last_90_days"`` (the ``recent`` span ending at
``as_of``: the end of today, UTC, unless a caller says otherwise; :func:`window_end`) and,
from :func:`balance_series`, a rolling series for charts. ``latest`` is the time of the
relationship's latest event of the window (null without events), so a surface can say
"nothing in the last 90 days; the latest was on ...".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import polars as pl

from reciprocity.ledger import DIMENSIONS

__all__ = [
    "BALANCE_PART_SCHEMA",
    "BALANCE_SCHEMA",
    "JUDGED",
    "MOSTLY",
    "VERDICTS",
    "balance",
    "balance_part",
    "balance_series",
    "combine_balance",
    "keep_recent",
    "latest_event",
    "merge_balance_parts",
    "window_end",
    "with_interval",
]

MOSTLY = 0.65
"""An interval entirely above this reads "mostly you"; entirely below 1 - this, "mostly them"."""
VERDICTS = (
    "mostly you",
    "leaning your way",
    "balanced",
    "leaning their way",
    "mostly them",
    "not enough data yet",
)
"""The possible verdicts, from you giving most to them giving most, then "too few to
tell" (see the module docstring for what each means)."""
JUDGED = VERDICTS[:-1]
"""The verdicts that say something (all but "not enough data yet")."""

BALANCE_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "person": pl.String(),
    "dimension": pl.String(),
    "window": pl.String(),
    "events_me": pl.Int64(),
    "events_them": pl.Int64(),
    "given": pl.Float64(),
    "received": pl.Float64(),
    "share": pl.Float64(),
    "low": pl.Float64(),
    "high": pl.Float64(),
    "verdict": pl.String(),
    "estimate": pl.Float64(),
    "latest": pl.Datetime("us", "UTC"),
}
"""Columns of :func:`balance`: ``estimate`` is the share shown (the posterior mean, inside
``low``..``high``), ``share`` the raw ratio, ``latest`` the window's latest event."""

_KEYS = ("relationship_id", "person", "dimension")
_ME = pl.col("giver") == "me"


def _sums() -> list[pl.Expr]:
    return [
        _ME.sum().cast(pl.Int64).alias("events_me"),
        (~_ME).sum().cast(pl.Int64).alias("events_them"),
        pl.col("weight").filter(_ME).sum().alias("given"),
        pl.col("weight").filter(~_ME).sum().alias("received"),
    ]


def window_end(now: datetime | None = None) -> datetime:
    """The end of the ``"last_90_days"`` window for ``now`` (default: the clock): the end
    of that day in UTC, so the window holds today and the days before it, whatever the
    latest message or journal entry, and a result computed once stays right all day.

    >>> window_end(datetime(2024, 5, 1, 13, 5, tzinfo=UTC)).isoformat()
    '2024-05-02T00:00:00+00:00'
    """
    moment = datetime.now(UTC) if now is None else now
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(days=1)


def _verdict_code() -> pl.Expr:
    """The verdict's place in :data:`VERDICTS`, from ``low`` and ``high``: numbers, then
    the names looked up once (choosing among six strings row by row cost ten times as
    much on a corpus bucket's hundreds of thousands of rows)."""
    lo, hi = pl.col("low"), pl.col("high")
    code = {verdict: i for i, verdict in enumerate(VERDICTS)}
    return (
        pl.when(lo > MOSTLY)
        .then(code["mostly you"])
        .when(hi < 1 - MOSTLY)
        .then(code["mostly them"])
        .when((lo >= 1 - MOSTLY) & (hi <= MOSTLY))
        .then(code["balanced"])
        .when(lo > 0.5)
        .then(code["leaning your way"])
        .when(hi < 0.5)
        .then(code["leaning their way"])
        .otherwise(code["not enough data yet"])
        .cast(pl.UInt32)
    )


def with_interval(frame: pl.DataFrame, *, level: float = 0.9) -> pl.DataFrame:
    """Add ``share``, ``low``, ``high``, ``verdict`` and ``estimate`` to a frame with
    ``given`` and ``received`` (weights; nulls count as 0). The interval is
    Beta(1 + given, 1 + received), ``estimate`` its mean."""
    # NumPy (for the interval) is imported here, not with the module: commands that only
    # read stored results start faster without it.
    from reciprocity.metrics.beta import beta_interval

    given = frame["given"].fill_null(0.0).cast(pl.Float64)
    received = frame["received"].fill_null(0.0).cast(pl.Float64)
    low, high = beta_interval(1.0 + given.to_numpy(), 1.0 + received.to_numpy(), level)
    total = given + received
    share = pl.select(pl.when(total > 0).then(given / total)).to_series()
    estimate = (1.0 + given) / (2.0 + total)
    ends = pl.DataFrame([pl.Series("low", low), pl.Series("high", high)])
    verdict = pl.Series("verdict", VERDICTS, dtype=pl.String).gather(
        ends.select(_verdict_code()).to_series()
    )
    return frame.with_columns(
        given.alias("given"),
        received.alias("received"),
        share.alias("share"),
        ends["low"],
        ends["high"],
        verdict,
        # The mean lies inside the central interval; the clip keeps it there when the
        # bisection's last digit (1e-10) would put it a hair outside.
        estimate.clip(ends["low"], ends["high"]).alias("estimate"),
    )


BALANCE_PART_SCHEMA: dict[str, pl.DataType] = {
    "relationship_id": pl.Int64(),
    "person": pl.String(),
    "dimension": pl.String(),
    "giver": pl.String(),
    "weight": pl.Float64(),
    "events": pl.Int64(),
    "latest": pl.Datetime("us", "UTC"),
}
"""Columns of :func:`balance_part`: how many events of each weight each side gave, per
relationship and dimension, and the latest of them."""

_PART_KEYS = (*_KEYS, "giver", "weight")


def balance_part(ledger: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """What :func:`combine_balance` needs of some of the ledger's events
    (:data:`BALANCE_PART_SCHEMA`): the events counted per relationship, dimension, side
    and weight. Counts, not sums of weights, so that parts add up exactly; a few rows per
    relationship and dimension (the weights of message events take four values)."""
    return (
        ledger.lazy()
        .group_by(_PART_KEYS)
        .agg(pl.len().alias("events"), pl.col("timestamp").max().alias("latest"))
        .select([pl.col(c).cast(t) for c, t in BALANCE_PART_SCHEMA.items()])
        .collect()
    )


def merge_balance_parts(parts: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """Several :func:`balance_part` frames as one (the same schema): a caller may merge
    the parts as they come and keep only the merged one."""
    frames = list(parts)
    if not frames:
        return pl.DataFrame(schema=BALANCE_PART_SCHEMA)
    return (
        pl.concat(frames, how="vertical")
        .lazy()
        .group_by(_PART_KEYS)
        .agg(pl.col("events").sum(), pl.col("latest").max())
        .select(list(BALANCE_PART_SCHEMA))
        .collect()
    )


def latest_event(parts: pl.DataFrame) -> datetime | None:
    """The time of the latest event counted in ``parts`` (a :func:`balance_part` frame);
    None when there are none."""
    return parts["latest"].max()  # type: ignore[return-value]


def keep_recent(
    kept: pl.DataFrame | None,
    part: pl.DataFrame,
    *,
    as_of: datetime | None = None,
    recent: timedelta = timedelta(days=90),
) -> pl.DataFrame:
    """The events of ``kept`` and ``part`` (ledger events) that fall after ``as_of -
    recent`` (``as_of``: :func:`window_end` of now by default): folded over the ledger's
    parts in any order, it ends with every event :func:`combine_balance` needs for the
    ``"last_90_days"`` window ending at ``as_of``."""
    events = part if kept is None else pl.concat([kept, part], how="vertical")
    since = (window_end() if as_of is None else _utc(as_of)) - recent
    return events.filter(pl.col("timestamp") > since)


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive time is taken as UTC, like the ledger's."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _exact_sum(weights: list[float | None], counts: list[int]) -> float:
    """``sum(count * weight)`` computed exactly and rounded once to the nearest float (ties
    to even), so it is the same however the events were grouped or ordered. Null weights
    count for nothing; inf and NaN give what float sums give."""
    numerator, shift = 0, 0  # the sum so far is numerator / 2 ** shift
    special = 0.0
    for weight, count in zip(weights, counts, strict=True):
        if weight is None:
            continue
        if not math.isfinite(weight):
            special += weight
            continue
        top, bottom = weight.as_integer_ratio()  # a float's denominator is a power of two
        bits = bottom.bit_length() - 1
        if bits > shift:
            numerator <<= bits - shift
            shift = bits
        numerator += (count * top) << (shift - bits)
    if special:
        return special
    try:
        return numerator / (1 << shift)  # int / int is correctly rounded in Python
    except OverflowError:
        return math.inf if numerator > 0 else -math.inf


def _totals(part: pl.DataFrame) -> pl.DataFrame:
    """``events_me``, ``events_them``, ``given`` and ``received`` per relationship,
    person and dimension, from a :func:`balance_part` frame."""
    me = pl.col("giver") == "me"
    sides = {"me": me, "them": ~me}
    counts = [pl.col("events").filter(m).sum().alias(f"events_{s}") for s, m in sides.items()]
    scale = _units(part)
    if scale is not None:
        units, unit = scale
        summed = (
            part.with_columns(units.alias("_units"))
            .group_by(_KEYS)
            .agg(
                pl.col("latest").max(),
                *counts,
                *(pl.col("_units").filter(m).sum().alias(f"_units_{s}") for s, m in sides.items()),
            )
        )
        # An Int128 becomes the nearest Float64 (ties to even); times a power of two
        # that keeps it a normal number, it stays exact: the sum rounded once.
        return summed.select(
            *_KEYS,
            "events_me",
            "events_them",
            "latest",
            (pl.col("_units_me").cast(pl.Float64) * unit).alias("given"),
            (pl.col("_units_them").cast(pl.Float64) * unit).alias("received"),
        )
    grouped = part.group_by(_KEYS).agg(
        pl.col("latest").max(),
        *counts,
        *(pl.col("weight").filter(m).alias(f"_weight_{s}") for s, m in sides.items()),
        *(pl.col("events").filter(m).alias(f"_events_{s}") for s, m in sides.items()),
    )
    sums = {
        name: pl.Series(
            name,
            [
                _exact_sum(w, n)
                for w, n in zip(
                    grouped[f"_weight_{s}"].to_list(),
                    grouped[f"_events_{s}"].to_list(),
                    strict=True,
                )
            ],
            dtype=pl.Float64,
        )
        for name, s in (("given", "me"), ("received", "them"))
    }
    return grouped.select(*_KEYS, "events_me", "events_them", "latest").with_columns(sums.values())


def _units(part: pl.DataFrame) -> tuple[pl.Series, float] | None:
    """Each row's ``events * weight`` as a whole number of one small power of two
    (``unit``), as Int128, so that sums of them are exact and rounding once gives what
    :func:`_exact_sum` gives, without Python per group: a corpus bucket has tens of
    thousands of groups. None (use :func:`_exact_sum`) when a weight is not finite or
    the weights span too many powers of two for 127 bits."""
    import numpy as np

    weight = part["weight"].fill_null(0.0)
    if not bool(weight.is_finite().all()):
        return None
    mantissa, exponent = np.frexp(weight.to_numpy())
    # weight = top * 2 ** (exponent - 53), top a whole number below 2 ** 53
    top = (mantissa * float(1 << 53)).astype(np.int64)
    nonzero = top != 0
    if not nonzero.any():
        return pl.zeros(part.height, dtype=pl.Int128, eager=True), 1.0
    power = exponent.astype(np.int64) - 53
    lowest = int(power[nonzero].min())
    shift = np.where(nonzero, power - lowest, 0)
    events = part["events"]
    most = int(events.max() or 0)  # type: ignore[arg-type]
    bits = int(shift.max()) + 53 + most.bit_length() + part.height.bit_length()
    if bits > 125 or not -1000 <= lowest <= 880 or int(shift.max()) > 62:
        return None
    scaled = pl.Series(top, dtype=pl.Int128) * pl.Series(np.left_shift(1, shift), dtype=pl.Int128)
    return scaled * events.cast(pl.Int128), math.ldexp(1.0, lowest)


def _grid(parts: pl.DataFrame, dimensions: tuple[str, ...]) -> pl.DataFrame:
    """Every relationship with events crossed with every dimension (zero rows included),
    with the keys of the result's order as numbers: ``_person`` (the person's place
    among the names, sorted) and ``_dimension`` (the dimension's in ``dimensions``)."""
    people = parts.select("relationship_id", "person").unique().drop_nulls("person")
    people = people.with_columns(pl.col("person").rank("dense").cast(pl.Int64).alias("_person"))
    dims = pl.DataFrame(
        {"dimension": list(dimensions), "_dimension": list(range(len(dimensions)))},
        schema={"dimension": pl.String, "_dimension": pl.Int64},
    )
    return people.sort(pl.all()).join(dims, how="cross")


def combine_balance(
    parts: pl.DataFrame | Iterable[pl.DataFrame],
    recent_events: pl.DataFrame | pl.LazyFrame | None,
    *,
    as_of: datetime | None = None,
    recent: timedelta = timedelta(days=90),
    level: float = 0.9,
    dimensions: tuple[str, ...] = DIMENSIONS,
) -> pl.DataFrame:
    """:func:`balance` of a ledger seen a part at a time: exactly ``balance(ledger)``.

    ``parts``: :func:`balance_part` of each part of the ledger (or those merged by
    :func:`merge_balance_parts`); they make the ``"all"`` window. ``recent_events``: ledger
    events that include every event of the ``"last_90_days"`` window (after ``as_of -
    recent``, up to ``as_of``; others are left out here), for example :func:`keep_recent`
    folded over the parts as they come. ``as_of`` defaults to :func:`window_end` of now:
    the window ends today, not at the latest event. ``recent_events`` may be None when
    there are no events at all.
    """
    sums = merge_balance_parts([parts] if isinstance(parts, pl.DataFrame) else parts)
    as_of = window_end() if as_of is None else _utc(as_of)
    windows = [("all", sums)]
    if latest_event(sums) is not None:
        if recent_events is None:
            raise ValueError("recent_events are needed for the last_90_days window")
        stamp = pl.col("timestamp")
        # Lazily: the engine reads only the columns the counts need and filters as it
        # groups, without a copy of the recent events.
        kept = recent_events.lazy().filter((stamp > as_of - recent) & (stamp <= as_of))
        windows.append(("last_90_days", balance_part(kept)))
    grid = _grid(sums, dimensions)
    frame = pl.concat(
        [
            grid.join(_totals(part), on=list(_KEYS), how="left", nulls_equal=True).with_columns(
                pl.lit(name).alias("window"),
                pl.lit(place, pl.Int64).alias("_window"),
                pl.col("events_me", "events_them").fill_null(0),
            )
            # the windows in the order of their names, the result's order
            for place, (name, part) in enumerate(sorted(windows, key=lambda w: w[0]))
        ],
        how="vertical",
    )
    # By person, window and dimension (then relationship: a corpus has one person in
    # several dyads), all as numbers: sorting the names row by row was a third of the
    # time on a corpus bucket.
    order = ["_person", "_window", "_dimension", "relationship_id"]
    return with_interval(frame.sort(order), level=level).select(
        [pl.col(c).cast(t) for c, t in BALANCE_SCHEMA.items()]
    )


def balance(
    ledger: pl.DataFrame,
    *,
    as_of: datetime | None = None,
    recent: timedelta = timedelta(days=90),
    level: float = 0.9,
    dimensions: tuple[str, ...] = DIMENSIONS,
) -> pl.DataFrame:
    """Give share per relationship x dimension x window (:data:`BALANCE_SCHEMA`).

    ``ledger`` is :func:`reciprocity.ledger.ledger` output. Windows: ``"all"`` and
    ``"last_90_days"`` (events after ``as_of - recent`` up to ``as_of``; ``as_of``
    defaults to the end of today, :func:`window_end`). Every relationship gets a row for
    every dimension, with zero counts and "not enough data yet" where nothing happened.
    ``given`` and ``received`` are the exact sums of the weights, rounded once (as
    :func:`math.fsum`), so they do not depend on the order of the events or on how they
    were split: this is :func:`combine_balance` of :func:`balance_part` of the whole ledger.
    """
    return combine_balance(
        balance_part(ledger), ledger, as_of=as_of, recent=recent, level=level, dimensions=dimensions
    )


def balance_series(
    ledger: pl.DataFrame,
    *,
    every: str = "30d",
    period: str = "90d",
    level: float = 0.9,
) -> pl.DataFrame:
    """A rolling give share for charts: windows of ``period`` starting every ``every``
    (aligned to the calendar, the same starts for every relationship).

    Columns: ``relationship_id``, ``person``, ``dimension``, ``window_start``, the sums of
    :func:`balance` and ``share``, ``low``, ``high``, ``verdict``. Windows without events
    have no row.
    """
    rows = ledger.drop_nulls("person").sort("timestamp")
    grouped = rows.group_by_dynamic(
        "timestamp", every=every, period=period, group_by=list(_KEYS)
    ).agg(_sums())
    frame = grouped.rename({"timestamp": "window_start"}).sort(*_KEYS, "window_start")
    return with_interval(frame, level=level)
