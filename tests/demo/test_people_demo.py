"""The demo's person on two apps: Jordan's chat moves from WhatsApp to Telegram, and the
two exports are one relationship, with each app's part of it."""

from __future__ import annotations

from pathlib import Path

from reciprocity import demo, ingest, pipeline, store


def test_jordan_on_two_apps_is_one_relationship(demo_paths: list[Path], tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "demo.sqlite")
    for path in demo_paths:
        pipeline.import_file(db, path, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
    jordan = [p for p in store.people_directory(db) if p["person"] == "Jordan"]
    assert len(jordan) == 1
    assert [a["platform"] for a in jordan[0]["apps"]] == ["telegram", "whatsapp"]
    assert store.suggestions(db) == []  # nothing left for the user to confirm
    analysis = pipeline.analyze(db)
    split = analysis.platforms
    record = next(r for r in analysis.records if r.person == "Jordan")
    assert {p.platform for p in record.platforms} == {"whatsapp", "telegram"}
    assert sum(p.total for p in record.platforms) == record.messages.me + record.messages.them
    assert sum(int(p.calls.me) + int(p.calls.them) for p in record.platforms) == (
        record.calls.me + record.calls.them
    )
    # Everyone else is on one app: one row each.
    others = split.filter(split["relationship_id"] != record.relationship_id)
    assert others["relationship_id"].is_unique().all()


def test_the_split_is_the_same_window_by_window(demo_paths: list[Path], tmp_path: Path) -> None:
    jordan = [p for p in demo_paths if "Jordan" in p.name or p.suffix == ".json"]
    found = []
    for name, windows in (("whole", None), ("windows", 300)):
        db = store.open_db(tmp_path / f"{name}.sqlite")
        for path in jordan:
            pipeline.import_file(
                db, path, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE)
            )
        if windows is not None:
            pipeline.prepare(db, rows=windows)  # a window of about 300 messages at a time
        found.append(pipeline.analyze(db).platforms)
    whole, windowed = found
    assert whole.height == 2
    assert whole.equals(windowed)
