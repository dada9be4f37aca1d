"""Parent mode: for a user who is a parent, where care flows between them and their child.

Relationships of kind ``child`` (the user is the parent). Sections (:class:`Section`), each
with its evidence and a gentle prompt, never a verdict on the person:

- ``care``: whether the child checks on or comforts the parent (the metrics pattern
  ``child_cares_for_parent``);
- ``support_sources``: where the parent's support in hard times comes from, adults vs
  children, as shares of the ledger's emotional support and presence;
- ``conflicts``: conflicts the child saw and how many were repaired (journal, kind
  ``conflict``);
- ``complaints``: the parent's complaints without a way forward in messages to the child;
- ``tasks``: the split of household and parenting tasks with a partner (journal, kind
  ``task``), as shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from reciprocity import words
from reciprocity.metrics import relationship_kinds

__all__ = ["Section", "children", "parent_mode"]


@dataclass(frozen=True)
class Section:
    """One part of parent mode: a title, what the data show, and a gentle prompt."""

    name: str
    title: str
    lines: tuple[str, ...]
    prompt: str
    shows: bool = False


def children(kinds: Mapping[str, str] | pl.DataFrame | None) -> list[str]:
    """The names (case-folded) of people marked as the user's children."""
    return sorted(p for p, k in relationship_kinds(kinds).items() if k == "child")


def _person(column: str, names: list[str]) -> pl.Expr:
    return pl.col(column).str.to_lowercase().is_in(names)


def _care(patterns: pl.DataFrame) -> Section:
    row = patterns.filter(pl.col("pattern") == "child_cares_for_parent")
    shows = bool(row.height and row["shows"][0])
    lines = tuple(row["evidence"][0]) if row.height else ()
    prompt = (
        "Children often notice a parent's mood and try to help. You can thank them, and let "
        "them know that looking after you is not their job; the adults around you can do that."
        if shows
        else "Your child does not seem to carry your moods. Keep asking how they are."
    )
    return Section("care", "Who looks after whom", lines, prompt, shows)


def _support_sources(ledger: pl.DataFrame, kids: list[str]) -> Section:
    support = ledger.filter(
        (pl.col("receiver") == "me")
        & pl.col("dimension").is_in(["emotional_support", "presence_in_hard_times"])
        & pl.col("person").is_not_null()
    )
    total = float(support["weight"].sum() or 0)
    from_kids = float(support.filter(_person("person", kids))["weight"].sum() or 0)
    if total == 0:
        lines: tuple[str, ...] = ("No support in hard times shows in your messages yet.",)
        share = 0.0
    else:
        share = from_kids / total
        lines = (
            f"{share:.0%} of the support you received (emotional support and being there in "
            f"hard times) came from your children ({words.number(from_kids)} of "
            f"{words.number(total)} in the give and take); {1 - share:.0%} from adults.",
        )
    shows = total > 0 and share > 0.5
    prompt = (
        "It may help to lean a little more on a friend, a partner or a counsellor, so your "
        "child can lean on you."
        if shows
        else "Most of your support comes from adults. That leaves your child free to be a child."
    )
    return Section("support_sources", "Where your support comes from", lines, prompt, shows)


def _conflicts(entries: pl.DataFrame, kids: list[str]) -> Section:
    seen = entries.filter((pl.col("kind") == "conflict") & _person("person", kids))
    repaired = int(seen["settled"].fill_null(False).sum())
    lines = (
        f"You logged {words.count(seen.height, 'conflict')} your children saw; "
        f"{repaired} of them repaired.",
    )
    shows = seen.height > 0 and repaired < seen.height
    prompt = (
        "When a child sees an argument, seeing the repair matters too. A short 'we disagreed, "
        "we talked, we're fine' helps."
        if shows
        else "When a conflict happens in front of your children, log it in the journal."
        if not seen.height
        else "Every conflict you logged was repaired. That is good for them to see."
    )
    return Section("conflicts", "Conflicts and repairs", lines, prompt, shows)


def _complaints(exchanges: pl.DataFrame, kids: list[str]) -> Section:
    mine = exchanges.filter(pl.col("from_me") & _person("person", kids))
    count = int(mine["complaint_without_solution"].sum()) if mine.height else 0
    lines = (
        f"{words.number(count)} of your {words.number(mine.height)} messages to your children "
        f"{'was a complaint' if count == 1 else 'were complaints'} without a way forward.",
    )
    shows = count >= 3
    prompt = (
        "Children can feel they must fix what they hear. When you share a worry with them, "
        "you could add what you plan to do about it."
        if shows
        else "Few complaints without a way forward. Nothing to change here."
    )
    return Section("complaints", "Complaints without a way forward", lines, prompt, shows)


def _tasks(entries: pl.DataFrame) -> Section:
    tasks = entries.filter(pl.col("kind") == "task")
    if not tasks.height:
        return Section(
            "tasks",
            "Household and parenting tasks",
            ("No tasks logged yet.",),
            "Log who did a household or parenting task (the school run, say) in the journal.",
        )
    split = (
        tasks.group_by("person")
        .agg((pl.col("giver") == "me").sum().alias("me"), pl.len().alias("all"))
        .sort("person")
    )
    lines = tuple(
        f"With {r['person']}: you did {r['me']} of {r['all']} tasks ({r['me'] / r['all']:.0%})."
        for r in split.iter_rows(named=True)
    )
    shows = any(r["me"] / r["all"] > 0.65 for r in split.iter_rows(named=True))
    prompt = (
        "You carry most of the tasks. A calm talk about a fairer split could help you both."
        if shows
        else "The tasks are shared fairly evenly."
    )
    return Section("tasks", "Household and parenting tasks", lines, prompt, shows)


def parent_mode(
    ledger: pl.DataFrame,
    exchanges: pl.DataFrame,
    patterns: pl.DataFrame,
    entries: pl.DataFrame,
    kinds: Mapping[str, str] | pl.DataFrame | None,
) -> list[Section]:
    """The parent-mode sections (empty when no relationship is marked ``child``).

    ``entries`` is :func:`reciprocity.journal.entries_frame`; ``kinds`` maps people to
    relationship kinds (``reciprocity.store.list_people`` works).
    """
    kids = children(kinds)
    if not kids:
        return []
    return [
        _care(patterns),
        _support_sources(ledger, kids),
        _conflicts(entries, kids),
        _complaints(exchanges, kids),
        _tasks(entries),
    ]
