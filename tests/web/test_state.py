"""The app's cache: one analysis per change of the data, shaped like the report's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reciprocity import journal, pipeline, report, store
from reciprocity.guide import expectations
from reciprocity.metrics.balance import window_end
from reciprocity.web import state as web_state
from reciprocity.web.state import State, surface


def test_surface_matches_the_reports_gather(demo_database: Path) -> None:
    db = store.open_db(demo_database)
    assert surface(db, report.analysis(db)) == report.gather(db)


def test_pages_share_one_analysis_until_the_data_changes(
    demo_client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    token: Callable[[TestClient], str],
    relationship_id: Callable[[TestClient, str], int],
) -> None:
    runs: list[int] = []
    real = report.analysis

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(report, "analysis", counted)
    # The database is asked whether the data changed every time: what the app saves
    # itself is still not a change to the analysis unless the app says so.
    monkeypatch.setattr(web_state, "LOOK_SECONDS", 0.0)
    state: State = demo_client.app.state.reciprocity  # type: ignore[attr-defined]
    state.changed()
    alex = relationship_id(demo_client, "Alex")
    for url in (
        "/",
        f"/relationship/{alex}",
        f"/relationship/{alex}/evidence?dimension=attention&giver=me",
        "/expectations",
        "/parent",
        f"/assess?relationship={alex}",
    ):
        assert demo_client.get(url).status_code == 200
    assert len(runs) == 1
    demo_client.post(
        "/expectations", data={"csrf_token": token(demo_client), "person": "Alex", "rule": "news"}
    )
    demo_client.get("/")
    assert len(runs) == 1  # a need does not change the analysis
    demo_client.post(
        "/journal",
        data={
            "csrf_token": token(demo_client),
            "person": "Alex",
            "energy": "1",
            "kind": "interaction",
        },
    )
    demo_client.get("/")
    assert len(runs) == 2  # a journal entry does


def test_the_analysis_is_made_again_when_the_day_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last 90 days end today: an app left running past midnight must not keep
    # yesterday's window.
    from datetime import UTC, datetime, timedelta

    from reciprocity.web import state as state_module

    db = store.open_db(tmp_path / "day.sqlite")
    kept = state_module.State(db)
    first = kept.result()
    assert kept.result() is first
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    monkeypatch.setattr(state_module, "window_end", lambda: window_end(tomorrow))
    assert kept.result() is not first


_CHATS = Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp"


def _app(folder: Path) -> tuple[Path, State]:
    """A database holding one chat with Alex (3 messages each way), and an app's State."""
    path = folder / "app.db"
    db = store.open_db(path)
    pipeline.import_file(db, _CHATS / "WhatsApp Chat with Alex.txt", me="Sam")
    return path, State(db)


def _messages(state: State) -> tuple[int, int]:
    row = state.result().figures.row(0, named=True)
    return row["messages_me"], row["messages_them"]


def test_the_pages_show_what_another_program_saved_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, state = _app(tmp_path)
    clock = [1e9]  # long after the analysis
    monkeypatch.setattr(web_state, "monotonic", lambda: clock[0])
    before = state.figures()
    assert _messages(state) == (3, 3)
    assert state.figures() is before  # nothing was saved: the same analysis
    # `reciprocity import` in a terminal while the app is open: another connection saves.
    pipeline.import_file(store.open_db(path), _CHATS / "android_us_12h.txt", me="Sam")
    clock[0] += web_state.LOOK_SECONDS
    after = state.figures()
    assert after is not before
    assert _messages(state) == (5, 6)  # as `analyze` says now, without a restart
    clock[0] += web_state.LOOK_SECONDS
    assert state.figures() is after


def test_the_database_is_asked_at_most_once_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, state = _app(tmp_path)
    state.figures()
    asked: list[int] = []
    real = store.data_tag

    def counted(db: store.Database) -> str:
        asked.append(1)
        return real(db)

    monkeypatch.setattr(store, "data_tag", counted)
    monkeypatch.setattr(web_state, "monotonic", lambda: 1e9)  # long after the analysis
    for _ in range(20):  # a page reads the figures many times
        state.figures()
    assert len(asked) == 1


def test_while_the_apps_own_import_runs_the_figures_from_before_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, state = _app(tmp_path)
    before = state.figures()
    monkeypatch.setattr(web_state, "LOOK_SECONDS", 0.0)
    with state.importing():
        pipeline.import_file(state.db, _CHATS / "android_us_12h.txt", me="Sam")
        assert state.figures() is before  # the import's own analysis replaces them
    assert _messages(state) == (5, 6)


@pytest.mark.parametrize("edit", ["journal", "important", "need"])
def test_the_pages_show_what_another_program_wrote_besides_messages(
    edit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, state = _app(tmp_path)
    before = state.figures()
    monkeypatch.setattr(web_state, "LOOK_SECONDS", 0.0)
    assert state.figures() is before
    other = store.open_db(path)  # `reciprocity log` or `people important` in a terminal
    if edit == "journal":
        journal.add_entry(other, "Alex", giver="them", dimension="listening", energy=2)
    elif edit == "important":
        store.set_important(other, "Alex")
    else:
        expectations.add_expectation(other, "Alex", "news")
    assert state.figures() is not before
