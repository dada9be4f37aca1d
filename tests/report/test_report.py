"""The HTML report: self-contained, escaped, with a chart and a table per figure."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from markupsafe import escape

from reciprocity import guide, ingest, journal, pipeline, store
from reciprocity.report import gather, render_report, write_report

HOSTILE = Path(__file__).parent.parent / "fixtures" / "web" / "WhatsApp Chat with Mallory.txt"


def test_report_has_every_relationship_with_charts_and_tables(
    demo_db: store.Database, tmp_path: Path
) -> None:
    path = write_report(demo_db, tmp_path / "report.html")
    html = path.read_text("utf-8")
    data = gather(demo_db)
    assert {r.person for r in data.relationships} == {"Alex", "Jordan", "Riley", "Kai"}
    for r in data.relationships:
        assert f'id="rel-{r.relationship_id}"' in html
    # Two balance windows and one monthly chart per relationship, each an accessible image.
    # The last 90 days end today: a relationship quiet since then says so instead.
    recent = [
        r for r in data.relationships
        if any(x["events_me"] + x["events_them"] for x in r.balance.get("last_90_days", []))
    ]  # fmt: skip
    assert html.count('role="img"') == 2 * len(data.relationships) + len(recent)
    assert html.count('class="muted window-empty"') == len(data.relationships) - len(recent)
    assert html.count("<title>") == 1 + 2 * len(data.relationships) + len(recent)
    assert "Likely range" in html
    assert "9 chances in 10" in html
    assert "Patterns across your relationships" in html


def test_ranking_puts_the_balanced_friend_before_the_one_sided_one(
    demo_db: store.Database,
) -> None:
    order = [r.person for r in gather(demo_db).relationships]
    # The demo's Jordan is written balanced, Alex one-sided (Sam does the reaching out).
    assert order.index("Jordan") < order.index("Alex")
    alex = next(r for r in gather(demo_db).relationships if r.person == "Alex")
    assert alex.mostly_you > alex.mostly_them


def test_report_loads_nothing_from_anywhere(demo_db: store.Database) -> None:
    html = render_report(gather(demo_db))
    assert "default-src 'none'" in html
    assert "<script" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html
    # Only in-page anchors are links.
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', html))


def test_hostile_names_and_messages_are_text(hostile_db: store.Database) -> None:
    html = render_report(gather(hostile_db))
    assert "<img src=x" not in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html


def test_written_report_shows_energy_from_the_journal(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "energy.sqlite")
    pipeline.import_file(db, HOSTILE, me="Sam", options=ingest.Options(timezone="UTC"))
    person = gather(db).relationships[0].person
    journal.add_entry(db, person, energy=-2, note="<b>tired</b>", when=date(2024, 2, 5))
    journal.add_entry(db, person, energy=1, when=date(2024, 2, 9))
    html = write_report(db, tmp_path / "r.html").read_text("utf-8")
    assert "How you felt afterwards" in html
    assert html.count('class="chart energy"') == 1
    assert "2024-02-05: -2 — &lt;b&gt;tired&lt;/b&gt;" in html
    assert "2024-02-09: +1" in html


def test_report_shows_each_need_as_expect_check_found_it(tmp_path: Path) -> None:
    """The README promises expectations in the report: each one, with the status and the
    evidence of ``expect check`` (the same library call, not a second computation)."""
    db = store.open_db(tmp_path / "needs.sqlite")
    pipeline.import_file(db, HOSTILE, me="Sam", options=ingest.Options(timezone="UTC"))
    person = gather(db).relationships[0].person
    guide.add_expectation(db, person, "reply", 24, "<i>quick</i> answers")
    guide.add_expectation(db, "Nobody Here", "check_in", 7)
    checked = guide.check_expectations(
        guide.list_expectations(db), pipeline.analyze(db, narrow=True).exchanges
    )
    html = write_report(db, tmp_path / "r.html").read_text("utf-8")
    assert "Your needs from" in html
    assert "Needs about people with no chats here" in html
    for row in checked.iter_rows(named=True):
        assert f'<span class="badge">{row["status"]}</span>' in html
        assert str(escape(row["evidence"][:1].upper() + row["evidence"][1:])) in html
    assert "&lt;i&gt;quick&lt;/i&gt; answers" in html


def test_the_report_is_readable_by_its_owner_alone(demo_db: store.Database, tmp_path: Path) -> None:
    import os
    import stat

    before = os.umask(0o022)
    try:
        path = write_report(demo_db, tmp_path / "private.html")
    finally:
        os.umask(before)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_person_on_two_apps_shows_each_apps_part(demo_db: store.Database, tmp_path: Path) -> None:
    html = write_report(demo_db, tmp_path / "apps.html").read_text("utf-8")
    jordan = next(r for r in gather(demo_db).relationships if r.person == "Jordan")
    assert {a["platform"] for a in jordan.platforms} == {"telegram", "whatsapp"}
    assert sum(a["messages_me"] for a in jordan.platforms) == jordan.messages_me
    assert html.count("On each app") == 1  # only Jordan is on more than one
    # Each app's part says what it counts: messages, from whom.
    for app in jordan.platforms:
        said = f"{app['app']}: {app['messages_me']} messages from you, {app['messages_them']} from"
        assert said in html
