"""A Telegram group export: the replies the app recorded decide who answered whom."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reciprocity import pipeline, store
from reciprocity.exchanges.attribution import EXPLICIT


def _message(
    mid: int, minute: int, who: str, uid: str, text: str, reply: int | None = None
) -> dict[str, object]:
    row: dict[str, object] = {
        "id": mid,
        "type": "message",
        "date": f"2024-03-01T18:{minute:02d}:00",
        "date_unixtime": str(1709316000 + 60 * minute),
        "from": who,
        "from_id": uid,
        "text": text,
        "text_entities": [{"type": "plain", "text": text}],
    }
    if reply is not None:
        row["reply_to_message_id"] = reply
    return row


def test_a_recorded_reply_pairs_across_other_speakers(tmp_path: Path) -> None:
    sam, alex, dana = ("Sam Lee", "user1"), ("Alex Rivera", "user2"), ("Dana Cole", "user3")
    chat = {
        "name": "Climbing",
        "type": "private_group",
        "id": 777,
        "messages": [
            _message(1, 0, *sam, "anyone free to climb on Sunday?"),
            _message(2, 1, *alex, "what time were you thinking"),
            _message(3, 2, *alex, "I could do the morning"),
            _message(4, 3, *dana, "yes! count me in", reply=1),
        ],
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(chat), encoding="utf-8")
    with store.open_db(tmp_path / "db.sqlite") as db:
        pipeline.import_file(db, path, me="Sam Lee")
        result = pipeline.analyze(db)
    (climbing,) = result.group_records
    members = {m["name"]: m for m in climbing.members}
    # Dana's reply went to Sam's question although Alex spoke in between.
    assert members["Dana Cole"]["answers_to_me"] == pytest.approx(EXPLICIT)
    # The next speaker, a minute after: a thirtieth of a half-life less sure.
    assert members["Alex Rivera"]["answers_to_me"] == pytest.approx(0.6 * 0.5 ** (1 / 30))
    dana_record = next(r for r in result.records if r.person == "Dana Cole")
    assert dana_record.group_only
    assert [s.source for s in dana_record.sources] == ["Climbing"]
