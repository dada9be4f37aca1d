"""The group stage of the pipeline: group chats from the store to ledger events and
summaries, in order (each step in its own module)::

    group messages, a window at a time (store.groups) -> acts (the detector, as for
      one-to-one chats) -> who answered whom (exchanges.attribution) -> events between
      me and each member (ledger.groups) -> who carries each group, the split by source, act counts
      (metrics.groups)
    then the groups' reactions (store.groups), once: each names the message it answers, so
      it is an answer in the group tables and, between me and a member, attention in the
      ledger (ledger.reactions), counted in that group's part of the give and take

:mod:`reciprocity.pipeline` runs it beside the one-to-one windows and adds its events to
the ledger (after the one-to-one and journal events), so the balance, the records and the
patterns include them, weighted below one-to-one messages.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import polars as pl

from reciprocity.acts import ACTS
from reciprocity.acts.language import unread_blanked
from reciprocity.exchanges.attribution import WINDOW, attribute
from reciprocity.ledger import LEDGER_SCHEMA, coded_events
from reciprocity.ledger.groups import GROUP_EVENTS_SCHEMA, active_members, group_events
from reciprocity.ledger.reactions import group_reaction_events
from reciprocity.metrics.groups import (
    ROLES_SCHEMA,
    SOURCES_SCHEMA,
    RoleParts,
    group_act_counts,
    role_parts,
    roles_from_parts,
    source_parts,
    sources_from_parts,
)
from reciprocity.metrics.patterns import ActCounts, sum_act_counts
from reciprocity.store import Database
from reciprocity.store.groups import (
    WINDOW_ROWS,
    between_user_and_member,
    group_members,
    group_reaction_pairs,
    group_windows,
)

__all__ = ["GroupFrames", "group_frames", "ledger_part", "with_group_events"]


Window = tuple[pl.DataFrame, pl.DataFrame]
"""A window of the group messages and the time before it
(:meth:`reciprocity.store.groups.GroupWindows.windows`)."""


@dataclass
class GroupFrames:
    """What the group stage gives the rest of the analysis."""

    events: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=GROUP_EVENTS_SCHEMA))
    roles: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ROLES_SCHEMA))
    sources: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SOURCES_SCHEMA))
    counts: ActCounts = field(default_factory=dict)


def group_frames(
    db: Database,
    *,
    silence: timedelta,
    detect: Callable[[pl.Series], pl.DataFrame],
    stored: Callable[[], pl.DataFrame | None] | None = None,
    window_rows: int = WINDOW_ROWS,
    keep: Callable[[pl.DataFrame], None] | None = None,
    ahead: Callable[[Iterator[Window]], Generator[Window, None, None]] | None = None,
    languages: pl.DataFrame | None = None,
) -> GroupFrames:
    """Run the group stage over every group chat of ``db``; ``detect`` finds the acts of
    a series of texts (``reciprocity.pipeline.detect_acts``); ``stored`` gives the acts an
    import stored for every message (``message_id`` and the act columns), when there are
    any: those are read instead of detecting the acts again.

    The group chats are taken a window of at least ``window_rows`` messages at a time
    (:func:`reciprocity.store.groups.group_windows`: cut only where nothing the stage
    reads looks across), so memory does not grow with the groups' length; the sums
    behind the roles and the split by source and the act counts of the windows are
    added up, with the same results as the whole groups at once. The events come a
    window at a time, each window's sorted by relationship, time and dimension: handed
    to ``keep`` as they come (and not kept) when it is given, else one after the other
    in :attr:`GroupFrames.events`. ``ahead`` wraps the windows' reader (to read the next
    window on a thread while this one is analysed). ``languages`` (``conversation_id``,
    ``acts_read``: :func:`reciprocity.acts.language.conversation_languages` of the group
    chats) blanks the acts of group chats in a language that is not read, as the
    one-to-one chats' are."""
    plan = group_windows(db, rows=window_rows, quiet=WINDOW)
    if plan is None:
        return GroupFrames()
    members = group_members(db, plan.writers)
    kept = None if stored is None else _by_id(stored())
    crowd = active_members(plan.monthly.lazy()).collect()
    names = (
        plan.writers.filter(pl.col("relationship_id").is_not_null())
        .group_by("relationship_id")
        .agg(pl.col("person").first())
    )
    events: list[pl.DataFrame] = []
    sources: list[pl.DataFrame] = []
    roles: list[RoleParts] = []
    counts: list[ActCounts] = []
    read = plan.windows() if ahead is None else ahead(plan.windows())
    try:
        for messages, before in read:
            found = _stored_acts(messages, kept)
            if found is None:
                found = detect(messages["text"]).select(*ACTS, "disclosure_depth")
            pairs = attribute(messages, members)
            with_acts = unread_blanked(
                pl.concat([messages.drop("text"), found], how="horizontal"),
                languages,
                by="conversation_id",
            )
            del messages, found
            window = group_events(with_acts, pairs, crowd=crowd, names=names)
            sources.append(source_parts(window))
            if keep is None:
                events.append(window)
            elif not window.is_empty():
                keep(window)
            del window
            roles.append(role_parts(with_acts, pairs, silence=silence, before=before))
            counts.append(group_act_counts(with_acts, pairs, names=names))
            del with_acts, pairs
    finally:
        if isinstance(read, Generator):
            read.close()  # a reading thread ends with its generator
    del kept
    # The reactions come once, after every window, as the last part of the group events.
    reacted = group_reaction_pairs(db)
    tapped = group_reaction_events(between_user_and_member(reacted))
    if not tapped.is_empty():
        sources.append(source_parts(tapped))
        if keep is None:
            events.append(tapped)
        else:
            keep(tapped)
    return GroupFrames(
        events=(
            pl.concat(events, how="vertical")
            if events
            else pl.DataFrame(schema=GROUP_EVENTS_SCHEMA)
        ),
        roles=roles_from_parts(roles, reactions=reacted),
        sources=sources_from_parts(sources),
        counts=sum_act_counts(counts),
    )


def _by_id(found: pl.DataFrame | None) -> pl.DataFrame | None:
    """The stored acts (``message_id`` and the act columns) sorted by message id, so that
    each window looks up only its own id range."""
    if found is None:
        return None
    columns = ["message_id", *ACTS, "disclosure_depth"]
    if not set(columns) <= set(found.columns):
        return None
    found = found.select(columns)
    if not found["message_id"].is_sorted():
        found = found.sort("message_id")
    return found.with_columns(pl.col("message_id").set_sorted())


def _stored_acts(messages: pl.DataFrame, kept: pl.DataFrame | None) -> pl.DataFrame | None:
    """The acts of ``messages`` in ``kept`` (stored acts, :func:`_by_id`), in their order,
    or ``None`` unless all are there."""
    if kept is None or messages.is_empty():
        return None
    ids = kept["message_id"]
    # Only the window's id range of the stored acts (a window's ids are close together):
    # joining every window with all of them took 2 s of processor time at 1M messages.
    window = messages.select(pl.col("message_id").min().alias("low"), pl.col("message_id").max())
    low = ids.search_sorted(int(window["low"][0]), side="left")
    high = ids.search_sorted(int(window["message_id"][0]), side="right")
    found = messages.select("message_id").join(
        kept.slice(low, high - low), on="message_id", how="left", maintain_order="left"
    )
    if found[ACTS[0]].null_count():
        return None
    return found.drop("message_id")


def ledger_part(events: pl.DataFrame) -> pl.DataFrame:
    """The group events as a part of the coded ledger (``ledger(..., coded=True)``)."""
    return coded_events(events.lazy().select(list(LEDGER_SCHEMA))).collect()


def with_group_events(coded: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """The coded ledger ``coded`` with the group ``events`` after its own."""
    if events.is_empty():
        return coded
    return pl.concat([coded, ledger_part(events)], how="vertical")
