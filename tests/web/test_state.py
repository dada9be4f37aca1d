"""The app's cache: one analysis per change of the data, shaped like the report's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reciprocity import report, store
from reciprocity.metrics.balance import window_end
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
