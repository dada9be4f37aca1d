"""A fresh database for the journal tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reciprocity import store


@pytest.fixture
def db(tmp_path: Path) -> Iterator[store.Database]:
    """A fresh, migrated database file."""
    with store.open_db(tmp_path / "journal.sqlite") as database:
        yield database
