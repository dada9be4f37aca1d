"""The demo has the shapes :mod:`reciprocity.demo.expected` promises.

Conversation-level figures are computed straight from the written files by small readers
written here (not the project's parsers), so they check what a user's import would see.
Act-level figures come from the labels the script attached to each line.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from reciprocity.demo import JORDAN_ON_TELEGRAM, TIMEZONE, Chat, Message, build_chats
from reciprocity.demo.expected import GROUP_FILE, PARENT_CHILD, SHAPES, Range, Shape

ZONE = ZoneInfo(TIMEZONE)
SILENCE = timedelta(hours=6)
ME = "Sam"
ANDROID = re.compile(r"^(\d\d)/(\d\d)/(\d{4}), (\d\d):(\d\d) - (.*)$")
IOS = re.compile(r"^\u200e?\[(\d\d)/(\d\d)/(\d{4}), (\d\d):(\d\d):(\d\d)\] ([^:]+): (.*)$")
CHATS = {
    "Alex": ("alex",),
    "Jordan": ("jordan_whatsapp", "jordan_telegram"),
    "Riley": ("riley",),
    "Kai": ("kai",),
}


@dataclass(frozen=True)
class Row:
    at: datetime
    sender: str
    text: str


def _local(*parts: str) -> datetime:
    day, month, year, hour, minute, *second = (int(p) for p in parts)
    local = datetime(year, month, day, hour, minute, second[0] if second else 0, tzinfo=ZONE)
    return local.astimezone(UTC)


def read_android(text: str, people: set[str]) -> list[Row]:
    rows: list[Row] = []
    for line in text.splitlines():
        match = ANDROID.match(line)
        if match is None:
            rows[-1] = Row(rows[-1].at, rows[-1].sender, rows[-1].text + "\n" + line)
            continue
        sender, _, body = match.group(6).partition(": ")
        if sender in people:
            rows.append(Row(_local(*match.groups()[:5]), sender, body))
    return rows


def read_ios(text: str) -> list[Row]:
    rows: list[Row] = []
    for line in text.splitlines():
        match = IOS.match(line)
        if match is None:
            rows[-1] = Row(rows[-1].at, rows[-1].sender, rows[-1].text + "\n" + line)
        elif not match.group(8).startswith("\u200eMessages and calls are end-to-end"):
            rows.append(Row(_local(*match.groups()[:6]), match.group(7), match.group(8)))
    return rows


def _person(sender: str) -> str:
    """The person behind a sender's name: Jordan's Telegram name is Jordan (the import
    links the two)."""
    return "Jordan" if sender == JORDAN_ON_TELEGRAM else sender


def read_telegram(text: str) -> list[Row]:
    def flat(value: str | list[Any]) -> str:
        return (
            value
            if isinstance(value, str)
            else "".join(p if isinstance(p, str) else p["text"] for p in value)
        )

    return [
        Row(
            datetime.fromtimestamp(int(m["date_unixtime"]), UTC),
            _person(m.get("from") or m["actor"]),
            flat(m["text"]),
        )
        for m in json.loads(text)["messages"]
    ]


def read_csv(text: str) -> list[Row]:
    return [
        Row(datetime.fromisoformat(r["timestamp"]).astimezone(UTC), r["sender"], r["text"])
        for r in csv.DictReader(io.StringIO(text))
    ]


@pytest.fixture(scope="module")
def from_files(demo_dir: Path) -> dict[str, list[Row]]:
    """Each relationship's messages as read back from the written files."""

    def text(name: str) -> str:
        return (demo_dir / name).read_text(encoding="utf-8")

    with zipfile.ZipFile(demo_dir / "WhatsApp Chat - Riley.zip") as archive:
        riley = archive.read("_chat.txt").decode("utf-8")
    jordan = read_android(text("WhatsApp Chat with Jordan.txt"), {ME, "Jordan"})
    jordan += read_telegram(text("ChatExport_2024-06-30/result.json"))
    return {
        "Alex": read_android(text("WhatsApp Chat with Alex.txt"), {ME, "Alex"}),
        "Jordan": sorted(jordan, key=lambda r: r.at),
        "Riley": read_ios(riley),
        "Kai": read_csv(text("Messages with Kai.csv")),
    }


def _share(counts: Counter[str], person: str) -> float:
    return counts[ME] / (counts[ME] + counts[person])


@dataclass(frozen=True)
class Figures:
    messages: int
    initiation_share_me: float
    message_share_me: float
    question_share_me: float
    latency_ratio: float


def figures(rows: Sequence[Row], person: str) -> Figures:
    starts: Counter[str] = Counter()
    sent: Counter[str] = Counter()
    questions: Counter[str] = Counter()
    latency: dict[str, list[float]] = {ME: [], person: []}
    previous: Row | None = None
    for row in rows:
        if previous is None or row.at - previous.at > SILENCE:
            starts[row.sender] += 1
        elif row.sender != previous.sender:
            latency[row.sender].append((row.at - previous.at).total_seconds())
        sent[row.sender] += 1
        questions[row.sender] += "?" in row.text
        previous = row
    return Figures(
        messages=len(rows),
        initiation_share_me=_share(starts, person),
        message_share_me=_share(sent, person),
        question_share_me=_share(questions, person),
        latency_ratio=statistics.median(latency[person]) / statistics.median(latency[ME]),
    )


@pytest.mark.parametrize("person", list(SHAPES))
def test_conversation_figures_from_the_files(from_files: dict[str, list[Row]], person: str) -> None:
    shape = SHAPES[person]
    rows = from_files[person]
    assert {r.sender for r in rows} == {ME, person}
    got = figures(rows, person)
    for name in (
        "messages",
        "initiation_share_me",
        "message_share_me",
        "question_share_me",
        "latency_ratio",
    ):
        value = getattr(got, name)
        assert value in getattr(shape, name), f"{person} {name} = {value:.3f}"


def test_the_shapes_tell_the_relationships_apart(from_files: dict[str, list[Row]]) -> None:
    got = {person: figures(rows, person) for person, rows in from_files.items()}
    # Sam reaches out to Alex far more than to Jordan; Riley reaches out to Sam most.
    assert got["Alex"].initiation_share_me > got["Jordan"].initiation_share_me + 0.25
    assert got["Riley"].initiation_share_me < got["Jordan"].initiation_share_me
    assert got["Alex"].latency_ratio > 5 * got["Jordan"].latency_ratio


def _side(message: Message, person: str) -> str:
    return "me" if message.sender == ME else "them"


def _labelled(chats: dict[str, Chat], person: str) -> list[Message]:
    messages = [m for key in CHATS[person] for m in chats[key].messages if m.sender is not None]
    return sorted(messages, key=lambda m: m.at)


def answered_share(
    messages: Sequence[Message], act: str, answer: str, by: str, person: str
) -> float:
    asked = [i for i, m in enumerate(messages) if act in m.acts and _side(m, person) == by]
    hits = 0
    for i in asked:
        later = (m for m in messages[i + 1 :] if m.at - messages[i].at <= SILENCE)
        hits += any(answer in m.acts and _side(m, person) != by for m in later)
    return hits / len(asked) if asked else 0.0


@pytest.mark.parametrize("person", list(SHAPES))
def test_act_figures_from_the_labels(demo_chats: dict[str, Chat], person: str) -> None:
    shape: Shape = SHAPES[person]
    messages = _labelled(demo_chats, person)
    by_side = Counter((act, _side(m, person)) for m in messages for act in m.acts)
    for act, expected in shape.act_share_me.items():
        share = by_side[(act, "me")] / (by_side[(act, "me")] + by_side[(act, "them")])
        assert share in expected, f"{person} {act} share me = {share:.3f}"
    for (act, side), least in shape.at_least.items():
        assert by_side[(act, side)] >= least, f"{person} {act} by {side}"
    for (act, answer, by), expected in shape.answered.items():
        share = answered_share(messages, act, answer, by, person)
        assert share in expected, f"{person} {act} by {by} answered with {answer}: {share:.2f}"


def test_parent_mode_is_the_child_caring_for_the_parent(demo_chats: dict[str, Chat]) -> None:
    parent, child = PARENT_CHILD
    messages = _labelled(demo_chats, child)
    child_checks = [m for m in messages if m.sender == child and "check_in" in m.acts]
    parent_lows = [m for m in messages if m.sender == parent and "distress" in m.acts]
    assert len(child_checks) >= 20
    assert len(parent_lows) >= 20
    assert not any("distress" in m.acts for m in messages if m.sender == child)


def test_group_chat_holds_the_three_friends(demo_dir: Path) -> None:
    rows = read_android((demo_dir / GROUP_FILE).read_text("utf-8"), {ME, "Alex", "Jordan"})
    assert {r.sender for r in rows} == {ME, "Alex", "Jordan"}
    assert len(rows) >= 40


def test_range_contains() -> None:
    assert 0.5 in Range(0.4, 0.6)
    assert 0.7 not in Range(0.4, 0.6)
    assert 12 in Range(10.0)
    assert "x" not in Range(0.0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_shapes_are_structural_not_an_accident_of_the_seed(seed: int) -> None:
    chats = build_chats(seed)
    for person, shape in SHAPES.items():
        rows = [Row(m.at, _person(m.sender or ""), m.text) for m in _labelled(chats, person)]
        got = figures(rows, person)
        assert got.initiation_share_me in shape.initiation_share_me, (seed, person)
        assert got.message_share_me in shape.message_share_me, (seed, person)
        assert got.question_share_me in shape.question_share_me, (seed, person)
        assert got.latency_ratio in shape.latency_ratio, (seed, person)
