"""End-to-end fixtures: Debian's Chromium driven by Playwright, and the app on a free port.

Skips with the reason when ``/usr/bin/chromium`` or the ``playwright`` package is missing
(``.ci/run`` installs Chromium with apt). Screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
HOSTILE = Path(__file__).parent.parent / "fixtures" / "web" / "WhatsApp Chat with Mallory.txt"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium, or a skip saying what is missing."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder screenshots are written to (emptied once per session)."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _serve(db_path: Path) -> Iterator[str]:
    """The app over ``db_path``, served by uvicorn in a thread; yields its base URL."""
    import uvicorn

    from reciprocity.web import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(db_path), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        if time.monotonic() > deadline:  # pragma: no cover - only when the machine is stuck
            pytest.fail("the test server did not start within 10 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The app over a new, empty database; yields its base URL."""
    with _serve(tmp_path / "e2e.sqlite") as url:
        yield url


@pytest.fixture(scope="session")
def filled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a database where every page has something to show: the demo and the
    hostile chat, journal entries, a need, a check-in, a recorded talk and a child."""
    from reciprocity import demo, guide, ingest, journal, pipeline, store

    folder = tmp_path_factory.mktemp("filled")
    db = store.open_db(folder / "filled.sqlite")
    zone = ingest.Options(timezone=demo.TIMEZONE)
    for path in [*demo.write_demo(folder / "exports"), HOSTILE]:
        pipeline.import_file(db, path, me=demo.ME, options=zone)
    for day, energy in ((1, -2), (8, -1), (15, 0), (22, -1)):
        journal.add_entry(
            db, "Alex", giver="me", dimension="practical_help", energy=energy,
            note="helped again", when=date(2024, 3, day),
        )  # fmt: skip
    journal.add_entry(db, "Jordan", giver="them", dimension="listening", energy=2)
    journal.add_entry(db, "Kai", kind="conflict", note="argument at dinner", energy=-1)
    guide.add_expectation(db, "Alex", "reply", 24, "answer within a day")
    guide.record_conversation(db, "Alex", when=date(2024, 2, 1), statement="I feel unheard.")
    guide.save_assessment(
        db, "Alex", guide.available()["checkin"],
        {"giving": 2, "energy": 2, "heard": 4, "support": 3},
    )  # fmt: skip
    kai = store.list_people(db).filter(pl.col("person") == "Kai")["person_id"][0]
    store.set_relationship_kind(db, int(kai), "child")
    db.engine.dispose()
    with _serve(folder / "filled.sqlite") as url:
        yield url
