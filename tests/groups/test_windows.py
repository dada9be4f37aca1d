"""The group stage a window at a time gives what it gives over whole group chats.

Random Telegram group exports (replies, "@name" and plain-name mentions, gaps on either
side of the attribution's two hours and of the silence, system lines) are imported, then
the group stage runs three ways: the plain whole-chat composition of its steps, and
``group_frames`` cut as finely as it may (windows of one message) or in windows of a few.
Events, roles, the split by source and the act counts must be the same.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import polars as pl
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity import pipeline, store
from reciprocity.acts import ACTS
from reciprocity.exchanges.attribution import attribute
from reciprocity.ledger.groups import group_events
from reciprocity.metrics.groups import group_act_counts, group_roles, source_split
from reciprocity.pipeline import detect_acts
from reciprocity.pipeline_groups import group_frames
from reciprocity.store.groups import group_members, group_messages, group_windows
from reciprocity.store.models import FrameCache
from reciprocity.store.read import KEYS_CACHE_NAME

START = datetime(2024, 3, 1, 18, 0, tzinfo=UTC)
SILENCE = timedelta(hours=3)
PEOPLE = [("Sam Lee", "user1"), ("Alex Rivera", "user2"), ("Dana Cole", "user3"),
          ("Jordan Park", "user4")]  # fmt: skip
TEXTS = [
    "anyone free on Sunday?", "@Alex can you help me move?", "thanks Dana, that means a lot",
    "I got the job!!", "congratulations!", "I'm so stressed about tomorrow", "sure, I can do that",
    "how are you doing?", "@Sam @Jordan are you coming?", "ok", "I'm here for you", "haha",
]  # fmt: skip
# Minutes: ties, short answers, either side of the two-hour window and of the silence.
GAPS = st.sampled_from([0, 1, 4, 30, 119, 120, 121, 179, 180, 181, 600, 3000])
MESSAGE = st.tuples(
    st.integers(0, len(PEOPLE) - 1),
    GAPS,
    st.integers(0, len(TEXTS) - 1),
    st.one_of(st.none(), st.integers(1, 6)),  # replies to the message this many back
    st.booleans(),  # a service line instead (joins, pins)
)


def _export(rows: list[tuple[int, int, int, int | None, bool]], path: Path) -> None:
    messages: list[dict[str, object]] = []
    minute = 0
    rows = [(0, 0, 0, None, False), *rows]  # the user writes first (the import needs it)
    for mid, (who, gap, text, back, service) in enumerate(rows, start=1):
        minute += gap
        at = START + timedelta(minutes=minute)
        name, uid = PEOPLE[who]
        row: dict[str, object] = {
            "id": mid,
            "type": "message",
            "date": at.strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": str(int(at.timestamp())),
        }
        if service:
            row |= {"type": "service", "actor": name, "actor_id": uid, "action": "pin_message",
                    "text": ""}  # fmt: skip
        else:
            row |= {"from": name, "from_id": uid, "text": TEXTS[text],
                    "text_entities": [{"type": "plain", "text": TEXTS[text]}]}  # fmt: skip
            if back is not None and mid - back >= 1:
                row["reply_to_message_id"] = mid - back
        messages.append(row)
    chat = {"name": "Climbing", "type": "private_group", "id": 777, "messages": messages}
    path.write_text(json.dumps(chat), encoding="utf-8")


def _whole(db: store.Database) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, object]:
    """The group stage over whole chats, step by step (what it was before windows)."""
    messages = group_messages(db)
    found = detect_acts(messages["text"]).select(*ACTS, "disclosure_depth")
    pairs = attribute(messages, group_members(db, messages))
    with_acts = pl.concat([messages.drop("text"), found], how="horizontal")
    events = group_events(with_acts, pairs)
    roles = group_roles(with_acts, pairs, silence=SILENCE)
    return events, roles, source_split(events), group_act_counts(with_acts, pairs)


def _forget_saved_keys(db: store.Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.delete(FrameCache).where(FrameCache.name.startswith(KEYS_CACHE_NAME)))


def _events(frame: pl.DataFrame) -> pl.DataFrame:
    # Events of one person, moment and dimension come in the order the joins give them,
    # with the whole chats as with windows.
    return frame.sort(frame.columns, nulls_last=True)


def _roles(frame: pl.DataFrame) -> pl.DataFrame:
    # Members with as many messages may come in either order.
    return frame.sort("conversation_id", "relationship_id", nulls_last=True)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(MESSAGE, min_size=1, max_size=40))
def test_windows_of_the_group_stage_add_up_to_the_whole(
    rows: list[tuple[int, int, int, int | None, bool]],
) -> None:
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.json"
        _export(rows, path)
        with store.open_db(Path(tmp) / "db.sqlite") as db:
            pipeline.import_file(db, path, me="Sam Lee")
            if group_windows(db) is None:
                return
            events, roles, sources, counts = _whole(db)
            # Planned from the key columns the import left, then (size 2) read back.
            for size in (1, 3, 10**9, 2):
                if size == 2:
                    _forget_saved_keys(db)
                got = group_frames(db, silence=SILENCE, detect=detect_acts, window_rows=size)
                assert _events(got.events).equals(_events(events)), size
                assert _roles(got.roles).equals(_roles(roles)), size
                assert got.sources.equals(sources), size
                assert got.counts == counts, size


def test_the_windows_cut_only_at_a_quiet_change_of_speaker_no_reply_crosses(
    tmp_path: Path,
) -> None:
    # Sam, then 3 h later Alex (a cut may fall here), then Dana 3 h later answering
    # Alex's message (no cut may fall between them), then Sam 5 h later.
    rows = [(1, 180, 4, None, False), (2, 180, 5, 1, False), (0, 300, 7, None, False)]
    path = tmp_path / "result.json"
    _export(rows, path)
    with store.open_db(tmp_path / "db.sqlite") as db:
        pipeline.import_file(db, path, me="Sam Lee")
        plan = group_windows(db, rows=1)
        assert plan is not None
        assert plan.bounds == [(0, 1), (1, 3), (3, 4)]
        sizes = [w.height for w, _ in plan.windows()]
        assert sizes == [1, 2, 1]
