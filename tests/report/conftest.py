"""Databases for the report tests: the demo exports, and a chat written to attack the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from reciprocity import demo, ingest, pipeline, store

HOSTILE = Path(__file__).parent.parent / "fixtures" / "web" / "WhatsApp Chat with Mallory.txt"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> store.Database:
    """The demo exports imported as Sam (shared: tests only read it)."""
    folder = tmp_path_factory.mktemp("demo")
    db = store.open_db(folder / "demo.sqlite")
    for path in demo.write_demo(folder):
        pipeline.import_file(db, path, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
    return db


@pytest.fixture
def hostile_db(tmp_path: Path) -> store.Database:
    """One chat whose person name and messages are HTML and script injections."""
    db = store.open_db(tmp_path / "hostile.sqlite")
    pipeline.import_file(db, HOSTILE, me="Sam", options=ingest.Options(timezone="UTC"))
    return db
