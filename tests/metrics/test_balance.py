"""Give share, interval and verdict per relationship, dimension and window."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from itertools import pairwise, product
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reciprocity.ledger import DIMENSIONS, LEDGER_SCHEMA
from reciprocity.metrics import balance, balance_series, with_interval
from reciprocity.metrics.balance import (
    BALANCE_PART_SCHEMA,
    JUDGED,
    VERDICTS,
    _exact_sum,
    _totals,
    _units,
    _verdict_code,
    balance_part,
    combine_balance,
    keep_recent,
    latest_event,
    merge_balance_parts,
    window_end,
)

START = datetime(2024, 1, 1, tzinfo=UTC)


def events(rows: list[tuple[str, str, str, float, int]]) -> pl.DataFrame:
    """A ledger from (person, giver, dimension, weight, day) rows."""
    ids = {p: i + 1 for i, p in enumerate(dict.fromkeys(r[0] for r in rows))}
    return pl.DataFrame(
        {
            "relationship_id": [ids[r[0]] for r in rows],
            "person": [r[0] for r in rows],
            "giver": [r[1] for r in rows],
            "receiver": ["them" if r[1] == "me" else "me" for r in rows],
            "dimension": [r[2] for r in rows],
            "weight": [r[3] for r in rows],
            "timestamp": [START + timedelta(days=r[4]) for r in rows],
            "source": ["messages"] * len(rows),
            "message_id": list(range(len(rows))),
        },
        schema=LEDGER_SCHEMA,
    )


def _row(frame: pl.DataFrame, person: str, dimension: str, window: str = "all") -> dict:  # type: ignore[type-arg]
    hit = frame.filter(
        (pl.col("person") == person)
        & (pl.col("dimension") == dimension)
        & (pl.col("window") == window)
    )
    assert hit.height == 1
    return hit.row(0, named=True)


@pytest.mark.parametrize("given", range(6))
def test_five_events_never_give_a_confident_verdict(given: int) -> None:
    frame = pl.DataFrame({"given": [float(given)], "received": [float(5 - given)]})
    verdict = with_interval(frame)["verdict"][0]
    assert verdict not in ("mostly you", "mostly them", "balanced")
    # All five one way is a lean, never "mostly"; a split of five cannot be told.
    expected = {0: "leaning their way", 5: "leaning your way"}.get(given, "not enough data yet")
    assert verdict == expected


@pytest.mark.parametrize(
    ("given", "received", "verdict"),
    [(500, 0, "mostly you"), (450, 50, "mostly you"), (0, 500, "mostly them"),
     (250, 250, "balanced"), (260, 240, "balanced")],
)  # fmt: skip
def test_five_hundred_consistent_events_do(given: int, received: int, verdict: str) -> None:
    frame = pl.DataFrame({"given": [float(given)], "received": [float(received)]})
    assert with_interval(frame)["verdict"][0] == verdict


def test_an_interval_across_a_band_edge_leans() -> None:
    # 66% of 500: the interval (about 0.625-0.695) straddles 0.65 but is clear of 0.5.
    frame = pl.DataFrame({"given": [330.0], "received": [170.0]})
    assert with_interval(frame)["verdict"][0] == "leaning your way"
    frame = pl.DataFrame({"given": [170.0], "received": [330.0]})
    assert with_interval(frame)["verdict"][0] == "leaning their way"


def test_rileys_listening_is_not_hidden() -> None:
    # Issue 19: 86 vs 53 over 139 events, interval about 55%-68%, read "not enough data".
    frame = with_interval(pl.DataFrame({"given": [86.0], "received": [53.0]}))
    assert 0.54 < frame["low"][0] < 0.56
    assert 0.67 < frame["high"][0] < 0.69
    assert frame["verdict"][0] == "leaning your way"


def test_an_interval_across_the_middle_and_out_of_the_band_cannot_tell() -> None:
    frame = with_interval(pl.DataFrame({"given": [4.0, 8.0], "received": [1.0, 12.0]}))
    assert frame["low"][0] < 0.5 < frame["high"][0]
    assert frame["verdict"].to_list() == ["not enough data yet", "not enough data yet"]


@given(st.floats(0, 2000, allow_nan=False), st.floats(0, 2000, allow_nan=False))
@settings(max_examples=300, deadline=None)
def test_the_estimate_lies_inside_its_own_interval(given: float, received: float) -> None:
    # Issue 19: "0% with interval 2%-63%". The posterior mean, unclipped, is inside.
    frame = with_interval(pl.DataFrame({"given": [given], "received": [received]}))
    mean = (1 + given) / (2 + given + received)
    assert frame["low"][0] - 1e-9 <= mean <= frame["high"][0] + 1e-9
    assert frame["low"][0] <= frame["estimate"][0] <= frame["high"][0]
    assert frame["verdict"][0] in VERDICTS


def test_every_verdict_is_documented_and_reachable() -> None:
    cases = {(500, 0), (0, 500), (250, 250), (330, 170), (170, 330), (1, 1)}
    seen = set(with_interval(pl.DataFrame(
        {"given": [float(g) for g, _ in cases], "received": [float(r) for _, r in cases]}
    ))["verdict"])  # fmt: skip
    assert seen == set(VERDICTS)
    assert set(JUDGED) == set(VERDICTS) - {"not enough data yet"}


def test_balance_by_hand() -> None:
    rows = [("Alex", "me", "attention", 1.0, d) for d in range(12)]
    rows += [("Alex", "them", "attention", 1.0, 100), ("Alex", "me", "listening", 0.5, 100)]
    out = balance(events(rows), as_of=START + timedelta(days=100))
    assert out.height == 2 * len(DIMENSIONS)
    everything = _row(out, "Alex", "attention")
    assert (everything["events_me"], everything["events_them"]) == (12, 1)
    assert everything["share"] == pytest.approx(12 / 13)
    # Beta(13, 2) has CDF x**13 * (14 - 13 x): the interval's ends sit at 5% and 95%.
    for end, p in (("low", 0.05), ("high", 0.95)):
        x = everything[end]
        assert x**13 * (14 - 13 * x) == pytest.approx(p, abs=1e-7)
    assert everything["low"] > 0.65
    assert everything["verdict"] == "mostly you"
    recent = _row(out, "Alex", "attention", "last_90_days")
    # the 90 days up to day 100 start after day 10: only day 11 of mine is in
    assert (recent["events_me"], recent["events_them"]) == (1, 1)
    assert _row(out, "Alex", "listening")["given"] == 0.5
    empty = _row(out, "Alex", "favours_money")
    assert empty["share"] is None
    assert empty["verdict"] == "not enough data yet"


def test_as_of_moves_the_recent_window() -> None:
    rows = [("A", "me", "attention", 1.0, d) for d in range(10)]
    out = balance(events(rows), as_of=datetime(2024, 1, 5, 12))  # naive = UTC
    assert _row(out, "A", "attention", "last_90_days")["events_me"] == 5


def test_series_rolls_per_relationship_and_dimension() -> None:
    rows = [("A", "me", "attention", 1.0, d) for d in range(0, 120, 2)]
    rows += [("B", "them", "attention", 1.0, d) for d in range(0, 120, 3)]
    series = balance_series(events(rows), every="30d", period="60d")
    assert set(series["person"]) == {"A", "B"}
    a = series.filter(pl.col("person") == "A")
    assert a["window_start"].is_sorted()
    assert (a["given"] <= 30).all()
    assert a["received"].sum() == 0
    assert (series.filter(pl.col("person") == "B")["share"] == 0).all()


def test_every_split_of_five_over_the_whole_pipeline() -> None:
    for split in product(("me", "them"), repeat=5):
        rows = [("A", who, "attention", 1.0, i) for i, who in enumerate(split)]
        verdict = _row(balance(events(rows)), "A", "attention")["verdict"]
        one_way = {"me": "leaning your way", "them": "leaning their way"}
        expected = one_way[split[0]] if len(set(split)) == 1 else "not enough data yet"
        assert verdict == expected


# The balance of a ledger seen a part at a time (balance_part, merge, combine).

WEIGHTS = st.sampled_from([1.0, 0.5, 1 / 3, 2 / 3, 0.25, 0.75, 0.1, 2.0, 1e-9, 123.456])
EVENT = st.tuples(
    st.sampled_from(["Ana", "Bo", "Cy"]),
    st.sampled_from(["me", "them"]),
    st.sampled_from(["attention", "disclosure", "favours_money"]),
    WEIGHTS,
    st.integers(0, 400),  # day
)


def _unmatched(frame: pl.DataFrame) -> pl.DataFrame:
    """Cy as someone from the journal with no chat: a null relationship."""
    return frame.with_columns(
        pl.when(pl.col("person") == "Cy")
        .then(None)
        .otherwise("relationship_id")
        .alias("relationship_id")
    )


def _combined(parts: list[pl.DataFrame], **options: Any) -> pl.DataFrame:
    """Balance from the parts as a streaming caller gets it: the counts merged and the
    recent events kept as the parts come."""
    merged, kept = merge_balance_parts([]), None
    for part in parts:
        merged = merge_balance_parts([merged, balance_part(part)])
        kept = keep_recent(kept, part)
    return combine_balance(merged, kept, **options)


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(EVENT, max_size=60), data=st.data())
def test_balance_from_any_parts_is_the_whole_balance(
    rows: list[tuple[str, str, str, float, int]], data: st.DataObject
) -> None:
    whole = _unmatched(events(rows))
    # Any split of the events, in any order: the sums are of counts, and exact.
    order = data.draw(st.permutations(range(whole.height)))
    shuffled = whole[list(order)] if order else whole
    cuts = sorted(data.draw(st.sets(st.integers(0, whole.height), max_size=4)))
    edges = [0, *cuts, whole.height]
    parts = [shuffled[a:b] for a, b in pairwise(edges)]
    assert _combined(parts).equals(balance(whole))
    # With a fixed as_of and fewer dimensions too (the caller keeps the window's events).
    as_of = START + timedelta(days=data.draw(st.integers(0, 400)))
    recent = whole.filter(pl.col("timestamp") > as_of - timedelta(days=90))
    options: dict[str, Any] = {"as_of": as_of, "dimensions": ("favours_money", "attention")}
    combined = combine_balance([balance_part(p) for p in parts], recent, **options)
    assert combined.equals(balance(whole, **options))


def test_float_sums_of_parts_would_not_add_up() -> None:
    # Why the parts hold counts and the sums are exact: summed a part at a time, floats
    # give a different total from the whole (here in the last bit).
    weights = [0.1, 0.1, 2 / 3, 0.3]
    rows = [("A", "me", "disclosure", w, day) for day, w in enumerate(weights)]
    whole = events(rows)
    by_part = whole[:2]["weight"].sum() + whole[2:]["weight"].sum()
    assert by_part != whole["weight"].sum()
    expected = math.fsum(weights)
    assert _row(balance(whole), "A", "disclosure")["given"] == expected
    assert _row(_combined([whole[:2], whole[2:]]), "A", "disclosure")["given"] == expected


@given(st.lists(st.tuples(st.floats(0, 1e6, allow_nan=False), st.integers(1, 5))))
def test_exact_sums_are_fsum(pairs: list[tuple[float, int]]) -> None:
    weights, counts = [w for w, _ in pairs], [n for _, n in pairs]
    flat = [w for w, n in pairs for _ in range(n)]
    assert _exact_sum([*weights, None], [*counts, 3]) == math.fsum(flat)


def test_without_the_recent_events_the_recent_window_is_wrong() -> None:
    rows = [("A", "me", "attention", 1.0, d) for d in range(0, 200, 10)]
    whole = events(rows)
    parts = [whole[:15], whole[15:]]
    sums = [balance_part(p) for p in parts]
    with pytest.raises(ValueError, match="recent_events"):
        combine_balance(sums, None)
    # Only the last part's events: the recent window (days 110-190) misses days 110-140.
    day = START + timedelta(days=190)
    short = combine_balance(sums, parts[1], as_of=day)
    assert not short.equals(balance(whole, as_of=day))
    assert _row(short, "A", "attention", "last_90_days")["events_me"] == 5
    assert _row(balance(whole, as_of=day), "A", "attention", "last_90_days")["events_me"] == 9
    assert latest_event(merge_balance_parts(sums)) == START + timedelta(days=190)


def test_the_recent_window_ends_today_not_at_the_latest_entry() -> None:
    # Issue 19: one journal entry logged today emptied the chat figures, because the
    # window counted back from the newest event. It ends today now.
    today = datetime(2026, 12, 7, 15, tzinfo=UTC)
    rows = [("Alex", "me", "attention", 1.0, d) for d in range(0, 150, 5)]
    rows += [("Jordan", "them", "attention", 1.0, d) for d in range(0, 150, 5)]
    old = events(rows)
    entry = events([("Alex", "me", "energy", 1.0, 0)]).with_columns(
        pl.lit(today).alias("timestamp"), pl.lit("journal").alias("source")
    )
    now = START + timedelta(days=160)
    before = balance(old, as_of=now)
    after = balance(pl.concat([old, entry]), as_of=now)
    for frame in (before, after):
        assert _row(frame, "Jordan", "attention", "last_90_days")["events_them"] == 15
    # Seen today, the chats of 2024 are all outside the window, and say when they ended.
    late = balance(pl.concat([old, entry]), as_of=today)
    recent = _row(late, "Jordan", "attention", "last_90_days")
    assert recent["events_them"] == 0
    assert _row(late, "Jordan", "attention")["latest"] == START + timedelta(days=145)


def test_the_default_window_ends_today() -> None:
    rows = [("A", "me", "attention", 1.0, d) for d in range(10)]
    out = balance(events(rows))  # 2024: long before today
    assert _row(out, "A", "attention", "last_90_days")["events_me"] == 0
    assert _row(out, "A", "attention")["events_me"] == 10
    assert window_end() > datetime.now(UTC)


def test_keep_recent_keeps_the_last_period_of_the_latest() -> None:
    whole = events([("A", "me", "attention", 1.0, d) for d in (300, 5, 250, 100, 211)])
    kept = None
    for part in (whole[:1], whole[1:3], whole[3:]):
        kept = keep_recent(kept, part, as_of=START + timedelta(days=300))
    assert kept is not None
    # The window ends on day 300: days after 210 are kept, whatever order they came in.
    assert sorted(kept["timestamp"].dt.day().to_list()) == sorted(
        (START + timedelta(days=d)).day for d in (300, 250, 211)
    )


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["me", "them"]),
            st.one_of(
                st.sampled_from([1.0, 0.5, 1 / 3, 2 / 3, 0.0, None]),
                st.floats(-1e6, 1e6, allow_nan=False),
                st.floats(allow_nan=False, allow_infinity=False),
            ),
            st.integers(1, 2**40),
            st.integers(0, 2),
        ),
        max_size=12,
    )
)
def test_sums_of_whole_groups_are_each_groups_exact_sum(
    rows: list[tuple[str, float | None, int, int]],
) -> None:
    # The vectorised sums (whole numbers of a power of two, as Int128) and the Python
    # ones must agree to the last bit, whichever way _totals takes.
    part = pl.DataFrame(
        {
            "relationship_id": [r[3] for r in rows],
            "person": [f"p{r[3]}" for r in rows],
            "dimension": ["attention"] * len(rows),
            "giver": [r[0] for r in rows],
            "weight": [r[1] for r in rows],
            "events": [r[2] for r in rows],
            "latest": [START] * len(rows),
        },
        schema=BALANCE_PART_SCHEMA,
    )
    got = _totals(part).sort("relationship_id")
    for found in got.iter_rows(named=True):
        group = [r for r in rows if r[3] == found["relationship_id"]]
        for column, side in (("given", "me"), ("received", "them")):
            mine = [r for r in group if r[0] == side]
            expected = _exact_sum([r[1] for r in mine], [r[2] for r in mine])
            assert found[column] == expected
            assert math.copysign(1, found[column]) == math.copysign(1, expected)


def test_the_ledgers_own_weights_are_summed_without_python_per_group() -> None:
    weights = [1.0, 0.5, 1 / 3, 2 / 3, None]
    part = pl.DataFrame(
        {
            "relationship_id": [1] * 5,
            "person": ["A"] * 5,
            "dimension": ["attention"] * 5,
            "giver": ["me", "them", "me", "me", "them"],
            "weight": weights,
            "events": [3, 1, 7, 2, 4],
            "latest": [START] * 5,
        },
        schema=BALANCE_PART_SCHEMA,
    )
    assert _units(part) is not None
    row = _totals(part).row(0, named=True)
    assert (
        row["given"]
        == _exact_sum([1.0, 1 / 3, 2 / 3], [3, 7, 2])
        == math.fsum([1.0] * 3 + [1 / 3] * 7 + [2 / 3] * 2)
    )
    assert row["received"] == 0.5


def test_rows_by_person_window_dimension_then_relationship() -> None:
    # A corpus names a dyad's other side by speaker: one person in several relationships.
    frame = events(
        [
            ("zoe", "me", "attention", 1.0, 100),
            ("al", "them", "listening", 1.0, 1),
            ("zoe", "them", "attention", 0.5, 2),
        ]
    ).with_columns(
        relationship_id=pl.Series([7, 3, 2], dtype=pl.Int64),
        person=pl.Series(["zoe", "al", "zoe"]),
    )
    out = balance(frame, as_of=START + timedelta(days=100))
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    expected = (
        out.with_columns(pl.col("dimension").replace_strict(order).alias("_d"))
        .sort("person", "window", "_d", "relationship_id")
        .drop("_d")
    )
    assert out.equals(expected)
    assert out["relationship_id"].unique(maintain_order=True).to_list() == [3, 2, 7]
    assert out.height == 3 * 2 * len(DIMENSIONS)


def test_verdicts_read_the_interval_in_the_documented_order() -> None:
    cases = [
        (0.7, 0.9, "mostly you"),
        (0.1, 0.3, "mostly them"),
        (0.4, 0.6, "balanced"),
        (0.55, 0.8, "leaning your way"),
        (0.2, 0.45, "leaning their way"),
        (0.2, 0.8, "not enough data yet"),
        (0.66, 0.9, "mostly you"),  # also above 0.5: "mostly" is read first
    ]
    ends = pl.DataFrame({"low": [c[0] for c in cases], "high": [c[1] for c in cases]})
    codes = ends.select(_verdict_code()).to_series()
    assert [VERDICTS[c] for c in codes] == [c[2] for c in cases]
