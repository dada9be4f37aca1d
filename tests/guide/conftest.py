"""Fixtures for the guide tests: hand-written chats run through the exchanges stage, small
ledgers, a fresh database, and the demo data imported once."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from reciprocity import exchanges, pipeline, store
from reciprocity.acts import ACTS
from reciprocity.ledger import LEDGER_SCHEMA

BASE = datetime(2024, 3, 1, 9, tzinfo=UTC)

# (person, "me" | "them", hours after BASE, "act act ...")
Row = tuple[str, str, float, str]


def chat(rows: Sequence[Row]) -> pl.DataFrame:
    """The exchanges frame of a chat given as rows with the acts each message carries."""
    ids = {person: i + 1 for i, person in enumerate(dict.fromkeys(r[0] for r in rows))}
    frame = pl.DataFrame(
        {
            "relationship_id": [ids[r[0]] for r in rows],
            "person": [r[0] for r in rows],
            "conversation_id": [10 * ids[r[0]] for r in rows],
            "message_id": list(range(1, len(rows) + 1)),
            "from_me": [r[1] == "me" for r in rows],
            "timestamp": [BASE + timedelta(hours=r[2]) for r in rows],
            "ordinal": list(range(len(rows))),
            "text": [f"message {i}" for i in range(len(rows))],
            "kind": ["text"] * len(rows),
            "reply_to_message_id": [None] * len(rows),
        },
        schema=store.FRAME_SCHEMA,
    )
    acts = frame.with_columns(
        *(pl.Series(a, [a in r[3].split() for r in rows], dtype=pl.Boolean) for a in ACTS),
        pl.Series("disclosure_depth", [0] * len(rows), dtype=pl.Int8),
    ).sort("relationship_id", "timestamp")
    return exchanges.exchanges(acts)


# (person, giver, dimension, weight, days after BASE)
Event = tuple[str, str, str, float, float]


def events(rows: Sequence[Event]) -> pl.DataFrame:
    """A ledger frame from short rows."""
    ids = {person: i + 1 for i, person in enumerate(dict.fromkeys(r[0] for r in rows))}
    return pl.DataFrame(
        {
            "relationship_id": [ids[r[0]] for r in rows],
            "person": [r[0] for r in rows],
            "giver": [r[1] for r in rows],
            "receiver": ["them" if r[1] == "me" else "me" for r in rows],
            "dimension": [r[2] for r in rows],
            "weight": [r[3] for r in rows],
            "timestamp": [BASE + timedelta(days=r[4]) for r in rows],
            "source": ["messages"] * len(rows),
            "message_id": [None] * len(rows),
        },
        schema=LEDGER_SCHEMA,
    )


@pytest.fixture(scope="session")
def make_chat() -> Callable[[Sequence[Row]], pl.DataFrame]:
    """The :func:`chat` builder."""
    return chat


@pytest.fixture(scope="session")
def make_ledger() -> Callable[[Sequence[Event]], pl.DataFrame]:
    """The :func:`events` builder."""
    return events


@pytest.fixture
def db(tmp_path: Path) -> Iterator[store.Database]:
    """A fresh, migrated database file."""
    with store.open_db(tmp_path / "guide.sqlite") as database:
        yield database


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[store.Database]:
    """The demo exports imported into a database, with the demo's relationship kinds."""
    from reciprocity import demo
    from reciprocity.demo.expected import KINDS

    folder = tmp_path_factory.mktemp("demo")
    with store.open_db(folder / "demo.sqlite") as database:
        for file in demo.write_demo(folder / "exports"):
            pipeline.import_file(database, file, me="Sam")
        for person, kind in KINDS.items():
            store.set_relationship_kind(database, person, kind)
        yield database
