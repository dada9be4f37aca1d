"""Small group chats written as frames of ``reciprocity.store.groups.GROUP_SCHEMA``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from reciprocity.acts import ACTS
from reciprocity.store.groups import GROUP_SCHEMA

T0 = datetime(2024, 3, 1, 18, 0, tzinfo=UTC)
NAMES = {10: "Jordan", 11: "Alex", 12: "Morgan"}

#: (message id, sender relationship id or None for me, minutes after T0, text, reply to)
Row = tuple[int, int | None, float, str, int | None]


def _group(rows: Sequence[Row], conversation: int = 1, title: str = "Quiz") -> pl.DataFrame:
    """A group chat in the store's group frame."""
    return pl.DataFrame(
        [
            (conversation, title, mid, rel, NAMES.get(rel) if rel else None, rel is None,
             T0 + timedelta(minutes=minutes), 0, "text", text, reply)
            for mid, rel, minutes, text, reply in rows
        ],
        schema=GROUP_SCHEMA,
        orient="row",
    )  # fmt: skip


def _members(conversation: int = 1) -> pl.DataFrame:
    """Everyone's names as aliases (the user is "Sam")."""
    rows = [(conversation, rel, name, name.lower()) for rel, name in NAMES.items()]
    rows.append((conversation, None, None, "sam"))
    return pl.DataFrame(
        rows,
        schema={"conversation_id": pl.Int64, "relationship_id": pl.Int64, "person": pl.String,
                "alias": pl.String},
        orient="row",
    )  # fmt: skip


def _with_acts(frame: pl.DataFrame, acts: dict[int, Sequence[str]]) -> pl.DataFrame:
    """``frame`` with act columns: the acts listed per message id, others False."""
    ids = frame["message_id"].to_list()
    columns = {a: [a in acts.get(i, ()) for i in ids] for a in ACTS}
    depth = [3 if "disclosure" in acts.get(i, ()) else 0 for i in ids]
    extra = pl.DataFrame(columns).with_columns(pl.Series("disclosure_depth", depth, dtype=pl.Int8))
    return pl.concat([frame.drop("text"), extra], how="horizontal")


@pytest.fixture
def group() -> object:
    """:func:`_group`: a group chat from rows."""
    return _group


@pytest.fixture
def members() -> object:
    """:func:`_members`: everyone's names as aliases."""
    return _members


@pytest.fixture
def with_acts() -> object:
    """:func:`_with_acts`: a group chat with act columns."""
    return _with_acts
