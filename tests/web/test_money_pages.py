"""Beside the give and take on the pages: energy as a trend (never a share), the mood
chart, money owed, last heard from, and the important toggle with its nudge list."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from reciprocity.web.security import CSRF_COOKIE


def _csrf(client: TestClient) -> str:
    if not client.cookies.get(CSRF_COOKIE):
        client.get("/import")
    return str(client.cookies.get(CSRF_COOKIE))


def _log(client: TestClient, **fields: Any) -> None:
    data = {"csrf_token": _csrf(client), "kind": "interaction", "giver": "me"} | fields
    response = client.post("/journal", data=data)
    assert response.status_code == 200, response.text


def test_energy_is_a_trend_beside_the_balance_never_a_share(
    demo_client: TestClient, relationship_id: Callable[[TestClient, str], int]
) -> None:
    for day in ("2024-03-01", "2024-03-08", "2024-04-15"):
        _log(demo_client, person="Jordan", energy="2", when=day)
    page = demo_client.get(f"/relationship/{relationship_id(demo_client, 'Jordan')}").text
    assert "Lifts you: +2.0 on average over 3 entries." in page
    # Issue 19: "+2 uplifted" read as "you gave 0, Jordan gave 1, your share 0 %".
    assert not re.search(r"<strong>Energy</strong>", page)
    assert "What you gave: energy" not in page
    assert not re.search(r'<th scope="row">energy</th>', page)
    # Month by month, with the entries it rests on.
    assert '<th scope="row">2024-03</th><td>+2.0</td><td>2</td>' in page
    assert 'class="energy-trend"' in page  # the running mean drawn over the dots


def test_mood_chart_on_the_dashboard_says_too_few_entries(demo_client: TestClient) -> None:
    empty = demo_client.get("/").text
    assert "No energy logged yet." in empty
    for day in ("2024-03-01", "2024-03-08", "2024-04-15"):
        _log(demo_client, person="Riley", energy="-2", when=day)
    _log(demo_client, person="Alex", energy="1", when="2024-03-02")
    page = demo_client.get("/").text
    assert page.count('class="chart mood"') == 1
    assert "Riley (3 entries)" in page
    assert "Alex (1 entry)" in page
    assert "too few entries" in page
    assert 'class="bar-drain"' in page
    assert 'class="bar-lift"' not in page


def test_money_on_the_relationship_page_and_dashboard(
    demo_client: TestClient, relationship_id: Callable[[TestClient, str], int]
) -> None:
    _log(demo_client, person="Alex", kind="money", amount="40", currency="EUR", when="2024-03-02")
    _log(demo_client, person="Alex", kind="repayment", giver="them", amount="15", currency="EUR")
    page = demo_client.get(f"/relationship/{relationship_id(demo_client, 'Alex')}").text
    assert "Alex owes you €25.00 since March 2024" in page
    assert "favours money" not in page.split("Beside the give and take")[1].split("</dl>")[0]
    assert "Alex owes you €25.00 since March 2024" in demo_client.get("/").text
    journal_page = demo_client.get("/journal").text
    assert "they paid back" in journal_page
    assert "€15.00" in journal_page


def test_important_toggle_and_the_quiet_list(
    demo_client: TestClient, relationship_id: Callable[[TestClient, str], int]
) -> None:
    rid = relationship_id(demo_client, "Alex")
    page = demo_client.get(f"/relationship/{rid}").text
    assert "Alex last wrote to you" in page
    assert "Mark Alex as important" in page
    assert "Mark the people you want to keep close" in demo_client.get("/").text
    refused = demo_client.post(f"/relationship/{rid}/important", data={"important": "yes"})
    assert refused.status_code == 403
    done = demo_client.post(
        f"/relationship/{rid}/important",
        data={"csrf_token": _csrf(demo_client), "important": "yes"},
        follow_redirects=True,
    )
    assert "Alex is marked as important" in done.text
    # The demo's chats end in 2024: Alex has gone quiet since, against the usual gap.
    dashboard = demo_client.get("/").text
    quiet = dashboard.split("Important people you have not heard from")[1]
    assert re.search(r"<strong>Alex</strong>: usually every [^;]+; \d+ days now", quiet)
    demo_client.post(
        f"/relationship/{rid}/important",
        data={"csrf_token": _csrf(demo_client), "important": "no"},
    )
    assert "<strong>Alex</strong>" not in demo_client.get("/").text.split("not heard from")[1]
