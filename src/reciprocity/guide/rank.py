"""Seek mutual ties: relationships ranked by how mutual they are and how the user feels after.

From the ledger (``reciprocity.ledger.ledger``), per person:

- ``give_share``: my part of everything given both ways;
- ``mutuality``: 1 when the give and take is even, 0 when it is all one way
  (``1 - 2 * |give_share - 0.5|``);
- ``energy``: the average energy after time with them from the journal (-2 ... +2), null
  without entries; it is not in the ledger (nobody gives it), so it comes in as its own
  frame, :func:`reciprocity.journal.energy_frame`.

The score is the mean of ``mutuality`` and the energy on a 0..1 scale (mutuality alone
without entries). One suggestion each (:data:`SUGGESTIONS`), with the reason:
``invest`` (mutual and not draining), ``step back`` (you give most and feel drained),
``talk`` (anything in between: one side gives more, or it is even but drains you).
"""

from __future__ import annotations

import polars as pl

__all__ = ["MIN_EVENTS", "MUTUAL", "RANK_SCHEMA", "SUGGESTIONS", "rank"]

SUGGESTIONS = ("invest", "talk", "step back")
MUTUAL = 0.6
"""Mutuality from which a tie counts as mutual (a give share between 0.35 and 0.65...)."""
MIN_EVENTS = 10.0
"""Event weight below which the reason says the picture is still thin."""

RANK_SCHEMA: dict[str, pl.DataType] = {
    "rank": pl.Int64(),
    "person": pl.String(),
    "give_share": pl.Float64(),
    "mutuality": pl.Float64(),
    "energy": pl.Float64(),
    "events": pl.Float64(),
    "score": pl.Float64(),
    "suggestion": pl.String(),
    "why": pl.String(),
}
"""Columns of :func:`rank`."""


def _why(row: dict[str, object]) -> tuple[str, str]:
    share = float(row["give_share"] or 0.5)  # type: ignore[arg-type]
    mutual = float(row["mutuality"] or 0)  # type: ignore[arg-type]
    energy = row["energy"]
    felt = (
        "you have not logged how you feel after seeing them"
        if energy is None
        else f"you feel {float(energy):+.1f} on average afterwards (-2 drained, +2 uplifted)"  # type: ignore[arg-type]
    )
    side = f"You give {share:.0%} of what goes back and forth"
    drained = energy is not None and float(energy) < 0  # type: ignore[arg-type]
    if mutual >= MUTUAL and not drained:
        choice, reason = "invest", f"{side}, close to even, and {felt}. This tie gives back."
    elif share > 0.5 and drained:
        choice = "step back"
        reason = f"{side} and {felt}. Giving less here leaves more for ties that give back."
    else:
        choice = "talk"
        reason = f"{side} and {felt}. Saying what you need may change things."
    if float(row["events"] or 0) < MIN_EVENTS:  # type: ignore[arg-type]
        reason += " There is still little to go on."
    return choice, reason


def rank(ledger: pl.DataFrame, energy: pl.DataFrame | None = None) -> pl.DataFrame:
    """Relationships ranked, best score first (:data:`RANK_SCHEMA`).

    ``energy`` has ``person`` and ``mean`` (:func:`reciprocity.journal.energy_frame`),
    matched by name case-insensitively; without it no tie has an energy.
    """
    me = pl.col("giver") == "me"
    weight = pl.col("weight")
    sums = (
        ledger.drop_nulls("person")
        .group_by("person")
        .agg(
            weight.filter(me).sum().alias("_g"),
            weight.filter(~me).sum().alias("_r"),
        )
    )
    key = pl.col("person").str.strip_chars().str.to_lowercase().alias("_key")
    felt = (
        energy.select(key, pl.col("mean").cast(pl.Float64).alias("energy"))
        if energy is not None
        else pl.DataFrame(schema={"_key": pl.String(), "energy": pl.Float64()})
    )
    sums = sums.with_columns(key).join(felt, on="_key", how="left").drop("_key")
    total = pl.col("_g") + pl.col("_r")
    share = pl.when(total > 0).then(pl.col("_g") / total)
    frame = (
        sums.with_columns(
            share.alias("give_share"),
            total.alias("events"),
        )
        .with_columns(
            (1 - 2 * (pl.col("give_share") - 0.5).abs()).alias("mutuality"),
        )
        .with_columns(
            pl.when(pl.col("energy").is_null())
            .then(pl.col("mutuality"))
            .otherwise((pl.col("mutuality") + (pl.col("energy") + 2) / 4) / 2)
            .alias("score")
        )
    )
    rows = frame.sort("score", "person", descending=[True, False], nulls_last=True).to_dicts()
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
        row["suggestion"], row["why"] = _why(row)
    return pl.DataFrame(rows, schema=RANK_SCHEMA) if rows else pl.DataFrame(schema=RANK_SCHEMA)
