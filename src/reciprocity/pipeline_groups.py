"""The group stage of the pipeline: group chats from the store to ledger events and
summaries, in order (each step in its own module)::

    group messages (store.groups) -> acts (the detector, as for one-to-one chats)
      -> who answered whom (exchanges.attribution) -> events between me and each member
      (ledger.groups) -> who carries each group, the split by source, act counts
      (metrics.groups)

:mod:`reciprocity.pipeline` runs it beside the one-to-one windows and adds its events to
the ledger (after the one-to-one and journal events), so the balance, the records and the
patterns include them, weighted below one-to-one messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import polars as pl

from reciprocity.acts import ACTS
from reciprocity.exchanges.attribution import attribute
from reciprocity.ledger import LEDGER_SCHEMA, coded_events
from reciprocity.ledger.groups import GROUP_EVENTS_SCHEMA, group_events
from reciprocity.metrics.groups import (
    ROLES_SCHEMA,
    SOURCES_SCHEMA,
    group_act_counts,
    group_roles,
    source_split,
)
from reciprocity.metrics.patterns import ActCounts
from reciprocity.store import Database
from reciprocity.store.groups import group_members, group_messages

__all__ = ["GroupFrames", "group_frames", "ledger_part", "with_group_events"]


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
) -> GroupFrames:
    """Run the group stage over every group chat of ``db``; ``detect`` finds the acts of
    a series of texts (``reciprocity.pipeline.detect_acts``); ``stored`` gives the acts an
    import stored for every message (``message_id`` and the act columns), when there are
    any: those are read instead of detecting the acts again."""
    messages = group_messages(db)
    if messages.is_empty():
        return GroupFrames()
    found = _stored_acts(messages, stored)
    if found is None:
        found = detect(messages["text"]).select(*ACTS, "disclosure_depth")
    members = group_members(db, messages)
    pairs = attribute(messages, members)
    with_acts = pl.concat([messages.drop("text"), found], how="horizontal")
    del messages, found
    events = group_events(with_acts, pairs)
    return GroupFrames(
        events=events,
        roles=group_roles(with_acts, pairs, silence=silence),
        sources=source_split(events),
        counts=group_act_counts(with_acts, pairs),
    )


def _stored_acts(
    messages: pl.DataFrame, stored: Callable[[], pl.DataFrame | None] | None
) -> pl.DataFrame | None:
    """The stored acts of ``messages``, in their order, or ``None`` unless all are stored."""
    kept = None if stored is None else stored()
    if kept is None:
        return None
    columns = (*ACTS, "disclosure_depth")
    found = messages.select("message_id").join(
        kept.select("message_id", *columns), on="message_id", how="left", maintain_order="left"
    )
    if found[ACTS[0]].null_count():
        return None
    return found.select(columns)


def ledger_part(events: pl.DataFrame) -> pl.DataFrame:
    """The group events as a part of the coded ledger (``ledger(..., coded=True)``)."""
    return coded_events(events.lazy().select(list(LEDGER_SCHEMA))).collect()


def with_group_events(coded: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """The coded ledger ``coded`` with the group ``events`` after its own."""
    if events.is_empty():
        return coded
    return pl.concat([coded, ledger_part(events)], how="vertical")
