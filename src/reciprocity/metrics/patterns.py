"""Patterns across all relationships, each with the evidence it rests on.

Reads the all-time :func:`~reciprocity.metrics.balance.balance`, act counts per relationship
and side (from the exchanges frame) and the relationship kinds. One row per pattern
(:data:`PATTERNS_SCHEMA`): ``shows`` says whether the data show it, ``summary`` says what was
seen in plain words, ``people`` and ``evidence`` name the relationships and counts so the
user can check. The rules (thresholds are the module constants):

- ``over_giving``: in at least two relationships, and in more than half of those with any
  verdict, more dimensions read "mostly you" than "mostly them".
- ``total_self_sufficiency``: others came to you for support (support asked or a hard time
  shared) at least :data:`MIN_COUNT` times, and you asked for support at most once for
  every :data:`HARDLY_EVER` times they came (145 against 9 is hardly ever; 6 against 2 is not).
- ``attraction_to_intensity``: relationships where at least :data:`VOLATILE_RATE` of the
  messages are hard moments (distress, complaint, accusation, contempt, apology) take more
  than half of the messages you write.
- ``child_cares_for_parent`` (kinds ``child`` and ``parent``): the child checked on or
  comforted the parent at least :data:`MIN_COUNT` times and at least as often as the other
  way round. With kind ``child`` the user is the parent; with ``parent``, the child.
- ``parent_support_from_children``: more than half of the support in hard times the user
  received (emotional support and presence) came from relationships of kind ``child``,
  out of at least :data:`MIN_COUNT` events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from reciprocity import words
from reciprocity.metrics.balance import balance

__all__ = [
    "HARDLY_EVER",
    "MIN_COUNT",
    "PATTERNS",
    "PATTERNS_SCHEMA",
    "VOLATILE_RATE",
    "ActCounts",
    "act_counts",
    "patterns",
    "patterns_from_counts",
    "relationship_kinds",
    "sum_act_counts",
]

MIN_COUNT = 5
HARDLY_EVER = 10
"""You "hardly ever ask" when you asked at most once for every this many times others came."""
"""Fewest events a pattern needs."""
VOLATILE_RATE = 0.15
"""Share of hard-moment messages from which a relationship counts as intense."""
PATTERNS = (
    "over_giving",
    "total_self_sufficiency",
    "attraction_to_intensity",
    "child_cares_for_parent",
    "parent_support_from_children",
)
"""Pattern names, in output order."""

PATTERNS_SCHEMA: dict[str, pl.DataType] = {
    "pattern": pl.String(),
    "shows": pl.Boolean(),
    "summary": pl.String(),
    "people": pl.List(pl.String()),
    "evidence": pl.List(pl.String()),
}
"""Columns of :func:`patterns`."""

_HARD = ("distress", "complaint_without_solution", "you_accusation", "contempt", "apology")
_COUNTED = ("check_in", "support_emotional", "support_seek", *_HARD)


def relationship_kinds(kinds: Mapping[str, str] | pl.DataFrame | None) -> dict[str, str]:
    """Person name (case-folded) -> kind, from a mapping or a frame with ``person`` and
    ``kind`` columns (such as ``reciprocity.store.list_people``)."""
    if kinds is None:
        return {}
    if isinstance(kinds, pl.DataFrame):
        pairs = zip(kinds["person"].to_list(), kinds["kind"].to_list(), strict=True)
        return {str(p).casefold(): str(k) for p, k in pairs if p is not None and k is not None}
    return {p.casefold(): k for p, k in kinds.items()}


ActCounts = dict[str, dict[str, int]]
"""``{person: {"<act>_me": n, "<act>_them": n, "messages_me": n, ...}}``, people in order
of name: what :func:`patterns` reads of the exchanges."""


def act_counts(exchanges: pl.DataFrame) -> ActCounts:
    """The act counts of the exchanges frame, or of any part of it (see
    :func:`sum_act_counts`)."""
    me = pl.col("from_me")
    hard = pl.any_horizontal(*_HARD)
    counts = exchanges.group_by("person").agg(
        me.sum().alias("messages_me"),
        (~me).sum().alias("messages_them"),
        hard.sum().alias("hard"),
        *(pl.col(a).filter(me).sum().alias(f"{a}_me") for a in _COUNTED),
        *(pl.col(a).filter(~me).sum().alias(f"{a}_them") for a in _COUNTED),
    )
    # In order of name (the group-by's order varies from run to run): people who came to
    # you equally often are listed in the same order every time, whatever the parts.
    return _by_name({row.pop("person"): row for row in counts.iter_rows(named=True)})


def _by_name(counts: ActCounts) -> ActCounts:
    return dict(sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or "")))


def sum_act_counts(parts: Iterable[ActCounts]) -> ActCounts:
    """The act counts of parts of the exchanges frame added up: those of the whole frame
    (counts of rows add up whatever rows each part has)."""
    total: ActCounts = {}
    for part in parts:
        for person, counts in part.items():
            mine = total.setdefault(person, dict.fromkeys(counts, 0))
            for name, n in counts.items():
                mine[name] += n
    return _by_name(total)


def _times(n: float) -> str:
    return "once" if n == 1 else f"{words.number(n)} times"


def _dims(names: list[str]) -> str:
    return ", ".join(words.dimension(n) for n in names)


def _row(
    pattern: str, shows: bool, summary: str, people: list[str], evidence: list[str]
) -> dict[str, Any]:
    return {
        "pattern": pattern,
        "shows": shows,
        "summary": summary,
        "people": people,
        "evidence": evidence,
    }


def _over_giving(verdicts: pl.DataFrame) -> dict[str, Any]:
    leaning = verdicts.group_by("person").agg(
        pl.col("dimension").filter(pl.col("verdict") == "mostly you").alias("you"),
        pl.col("dimension").filter(pl.col("verdict") == "mostly them").alias("them"),
        (pl.col("verdict") != "not enough data yet").any().alias("judged"),
    )
    judged = leaning.filter("judged").sort("person")
    you = judged.filter(pl.col("you").list.len() > pl.col("them").list.len())
    shows = you.height >= 2 and 2 * you.height > judged.height
    evidence = [
        f"{r['person']}: mostly you on {_dims(r['you'])}"
        + (f"; mostly them on {_dims(r['them'])}" if r["them"] else "")
        for r in you.iter_rows(named=True)
    ]
    summary = (
        f"You give more than you get in {words.number(you.height)} of the "
        f"{words.number(judged.height)} relationships "
        "with enough messages to tell."
    )
    return _row("over_giving", shows, summary, you["person"].to_list(), evidence)


def _self_sufficiency(counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    asked_me = sum(c["support_seek_me"] for c in counts.values())
    leaning = {
        p: c["support_seek_them"] + c["distress_them"]
        for p, c in counts.items()
        if c["support_seek_them"] + c["distress_them"] > 0
    }
    total = sum(leaning.values())
    shows = total >= MIN_COUNT and asked_me * HARDLY_EVER <= total
    people = sorted(leaning, key=lambda p: -leaning[p])
    evidence = [
        f"{p}: came to you {_times(leaning[p])}; you asked {_times(counts[p]['support_seek_me'])}"
        for p in people
    ]
    summary = (
        f"Others came to you for support {_times(total)}; you asked for support {_times(asked_me)}."
    )
    return _row("total_self_sufficiency", shows, summary, people, evidence)


def _intensity(counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    written = sum(c["messages_me"] for c in counts.values())
    intense = {
        p: c["hard"] / (c["messages_me"] + c["messages_them"])
        for p, c in counts.items()
        if c["hard"] >= 2 * MIN_COUNT
        and c["hard"] >= VOLATILE_RATE * (c["messages_me"] + c["messages_them"])
    }
    mine = sum(counts[p]["messages_me"] for p in intense)
    shows = bool(intense) and 2 * mine > written
    people = sorted(intense)
    evidence = [
        f"{p}: {words.number(counts[p]['hard'])} hard moments in "
        f"{words.number(counts[p]['messages_me'] + counts[p]['messages_them'])} messages "
        f"({intense[p]:.0%}); you wrote {words.number(counts[p]['messages_me'])} of them"
        for p in people
    ]
    summary = (
        f"{words.number(mine)} of the {words.number(written)} messages you wrote went to "
        f"relationships with many hard moments ({len(intense)} of {len(counts)})."
    )
    return _row("attraction_to_intensity", shows, summary, people, evidence)


def _child_cares(counts: dict[str, dict[str, int]], kinds: dict[str, str]) -> dict[str, Any]:
    people, evidence = [], []
    for person, c in sorted(counts.items()):
        kind = kinds.get(person.casefold())
        if kind not in ("child", "parent"):
            continue
        # With kind "child" they are the child ("them"); with "parent", the user is.
        child, parent = ("them", "me") if kind == "child" else ("me", "them")
        cares = c[f"check_in_{child}"] + c[f"support_emotional_{child}"]
        back = c[f"check_in_{parent}"] + c[f"support_emotional_{parent}"]
        if cares >= MIN_COUNT and cares >= back:
            people.append(person)
            who = person if child == "them" else "you"
            whom = "you" if child == "them" else person
            evidence.append(
                f"{person} ({kind}): {who} checked on {whom} {_times(c[f'check_in_{child}'])} "
                f"and comforted {whom} {_times(c[f'support_emotional_{child}'])}; the other "
                f"way round {words.number(c[f'check_in_{parent}'])} and "
                f"{words.number(c[f'support_emotional_{parent}'])}; "
                f"the parent shared a hard time {_times(c[f'distress_{parent}'])}"
            )
    if people:
        summary = (
            f"In {len(people)} parent-child relationship{'s' if len(people) != 1 else ''} the "
            "child checks on or comforts the parent at least as often as the other way round."
        )
    else:
        summary = "In no parent-child relationship does the child check on or comfort the parent "
        summary += "as often as the other way round."
    return _row("child_cares_for_parent", bool(people), summary, people, evidence)


#: What counts as support in :func:`_support_from_children`, in the order it is named.
_SUPPORT = ("emotional_support", "presence_in_hard_times")


def _support_from_children(verdicts: pl.DataFrame, kinds: dict[str, str]) -> dict[str, Any]:
    # The figures are the ones each relationship's give and take shows ("emotional
    # support" and "being there in hard times", what they gave), named as such: their sum
    # is a weight of both, not a number of times (one answer can count in both).
    received = (
        verdicts.filter(pl.col("dimension").is_in(_SUPPORT))
        .group_by("person", "dimension")
        .agg(pl.col("received").sum())
        .filter(pl.col("received") > 0)
        .sort("person")
    )
    given: dict[str, dict[str, float]] = {}
    for r in received.iter_rows(named=True):
        given.setdefault(r["person"], {})[r["dimension"]] = r["received"]
    rows = {p: sum(v.values()) for p, v in given.items()}
    children = {p: v for p, v in rows.items() if kinds.get(p.casefold()) == "child"}
    total = sum(rows.values())
    from_children = sum(children.values())
    shows = total >= MIN_COUNT and 2 * from_children > total
    evidence = [
        f"{p}{' (child)' if p in children else ''}: "
        + ", ".join(f"{words.dimension(d)} {words.number(v[d])}" for d in _SUPPORT if d in v)
        for p, v in given.items()
    ]
    summary = (
        "Of the support you received (emotional support and being there in hard times: "
        f"{words.number(total)} in the give and take), {words.number(from_children)} "
        "came from your children."
    )
    return _row("parent_support_from_children", shows, summary, sorted(children), evidence)


def patterns(
    ledger: pl.DataFrame,
    exchanges: pl.DataFrame,
    kinds: Mapping[str, str] | pl.DataFrame | None = None,
    *,
    balanced: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The cross-relationship patterns (:data:`PATTERNS_SCHEMA`, one row per :data:`PATTERNS`).

    ``ledger`` and ``exchanges`` are the ledger and exchanges frames; ``kinds`` maps a
    person's name to what they are to the user (see :func:`relationship_kinds`);
    ``balanced`` is ``balance(ledger)`` when the caller has it already (it is not
    computed twice). :func:`patterns_from_counts` of the act counts of the exchanges.
    """
    counts = act_counts(exchanges)
    return patterns_from_counts(balance(ledger) if balanced is None else balanced, counts, kinds)


def patterns_from_counts(
    balanced: pl.DataFrame,
    counts: Mapping[str, Mapping[str, int]],
    kinds: Mapping[str, str] | pl.DataFrame | None = None,
) -> pl.DataFrame:
    """:func:`patterns` from what it reads: ``balanced``, the balance of the ledger
    (:func:`~reciprocity.metrics.balance.balance`, or
    :func:`~reciprocity.metrics.balance.combine_balance` of its parts), and ``counts``,
    the act counts of the exchanges (:func:`act_counts`, or :func:`sum_act_counts` of
    those of its parts). ``kinds`` as for :func:`patterns`."""
    known = relationship_kinds(kinds)
    verdicts = balanced.filter(pl.col("window") == "all")
    ordered = _by_name({p: dict(c) for p, c in counts.items()})
    rows = [
        _over_giving(verdicts),
        _self_sufficiency(ordered),
        _intensity(ordered),
        _child_cares(ordered, known),
        _support_from_children(verdicts, known),
    ]
    return pl.DataFrame(rows, schema=PATTERNS_SCHEMA)
