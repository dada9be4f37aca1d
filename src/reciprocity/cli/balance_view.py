"""Rich renderers and JSON for ``analyze``: the overview, one person in depth, ``--json``.

Only formatting happens here: every figure is a field of a
:class:`~reciprocity.metrics.record.RelationshipRecord` (the one result per relationship
that the web pages and the report format too). The tables fit 80 columns: short headers,
no column repeated on every row, one give-and-take table per person, and cells that wrap
rather than being cut. Names and texts come from imported files, so they are always put in
:class:`rich.text.Text` (never parsed as markup).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import polars as pl
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from reciprocity import words
from reciprocity.metrics.groups import GroupRecord
from reciprocity.metrics.record import (
    WINDOWS,
    Pair,
    RelationshipRecord,
    say_amount,
    say_duration,
    say_percent,
)

__all__ = [
    "balance_table",
    "exchange_lines",
    "figures_table",
    "group_tables",
    "groups_to_json",
    "person_view",
    "platforms_table",
    "records_to_json",
    "sources_table",
]

_VERDICT_STYLE = {
    "mostly you": "yellow",
    "leaning your way": "yellow",
    "mostly them": "cyan",
    "leaning their way": "cyan",
    "balanced": "green",
    "not enough data yet": "dim",
}
_SENDER_TOPIC = {
    ("me", "message"): "Your messages",
    ("them", "message"): "{p}'s messages",
    ("me", "check_in"): "Your check-ins",
    ("them", "check_in"): "{p}'s check-ins",
    ("me", "disclosure"): "What you shared about yourself",
    ("them", "disclosure"): "What {p} shared about themselves",
    ("me", "distress"): "Your hard moments",
    ("them", "distress"): "{p}'s hard moments",
    ("me", "good_news"): "Your good news",
    ("them", "good_news"): "{p}'s good news",
    ("me", "request"): "Your requests",
    ("them", "request"): "{p}'s requests",
    ("me", "after_decline"): "After {p} said no, you",
    ("them", "after_decline"): "After you said no, {p}",
    ("me", "support_seek"): "Times you asked {p} for support",
    ("them", "support_seek"): "Times {p} asked you for support",
}


def _table(title: str | None = None, caption: str | None = None) -> Table:
    # No vertical lines and no outer padding: the most room for the cells at 80 columns.
    # The title holds a name from an export: Text, never markup.
    return Table(
        title=None if title is None else Text(title, style="bold"),
        caption=caption,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        title_justify="left",
        caption_justify="left",
    )


def _pair(values: Pair, say: Any = str) -> str:
    return " / ".join("–" if v is None else say(v) for v in values)


def figures_table(records: Sequence[RelationshipRecord], silence_label: str) -> Table:
    """The overview: one row per relationship, every cell "you / them"."""
    table = _table(
        "Who writes, starts and answers",
        "Each cell reads  you / them. A conversation starts after "
        f"{silence_label} of quiet; an answer is the other's next turn in it.",
    )
    for name, justify in (
        ("Person", "left"),
        ("Messages", "right"),
        ("Started", "right"),
        ("Answered", "right"),
        ("Reply time", "right"),
        ("Questions", "right"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for record in records:
        # Text(): names from exports are never markup
        person = Text(record.person, style="bold")
        if record.group_only:
            person.append(" (groups only)", style="dim")
        table.add_row(
            person,
            _pair(record.messages, words.number),
            _pair(record.initiations, words.number),
            _pair(record.reply_rate, say_percent),
            _pair(record.reply_median_s, say_duration),
            _pair(record.questions, words.number),
        )
    return table


def balance_table(record: RelationshipRecord, window: str = "all") -> RenderableType:
    """``record``'s give and take in ``window``: a row per dimension with events.

    Columns: what, what you gave, what they gave (weighted, as the balance counts them),
    your share with its likely range, and the reading. A window without events says so,
    and when the latest was."""
    title = f"{record.person}: give and take, {WINDOWS.get(window, window)}"
    rows = record.window(window)
    if not rows:
        latest = record.latest_event()
        when = "" if latest is None else f"; the latest was on {latest.date().isoformat()}"
        return Text(f"{title}: nothing in this time{when}.", style="dim")
    table = _table(title)
    for name, justify in (
        ("What", "left"),
        ("You", "right"),
        ("Them", "right"),
        ("Share", "right"),
        ("Likely", "right"),
        ("Reading", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(
            row.label,
            say_amount(row.given),
            say_amount(row.received),
            say_percent(row.estimate),
            f"{say_percent(row.low)}–{say_percent(row.high)}",
            Text(row.verdict, style=_VERDICT_STYLE.get(row.verdict, "")),
        )
    return table


BALANCE_KEY = (
    "You / Them: what each of you gave (a brief warm answer counts half, a reaction such "
    "as a 👍 a quarter; sharing counts by how deep it goes). Share: your share, leaning "
    "toward even when there is little to go on; Likely: where it plausibly lies (90%)."
)
"""What the give-and-take columns mean, printed once under the tables."""


GROUP_ONLY = (
    "You know {p} only from group chats: there is no one-to-one chat between you, and a "
    "group message counts for less than a private one, so there is too little to go on yet "
    "for most readings."
)
"""Said of a person known only from group chats."""

SOURCES_KEY = (
    "In a group an answer is shared with everyone and who it was for is not always sure, so "
    "each counts for at most half of a one-to-one message: less in a bigger group or when "
    "the pairing is uncertain."
)
"""What the "where this comes from" table's group rows mean."""


def sources_table(record: RelationshipRecord) -> RenderableType | None:
    """Where ``record``'s give and take came from (one-to-one, each group), all time;
    ``None`` when no group added anything."""
    if not record.sources:
        return None
    table = _table(f"{record.person}: where this comes from", SOURCES_KEY)
    for name, justify in (("Where", "left"), ("You", "right"), ("Them", "right"),
                          ("Moments", "right")):  # fmt: skip
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for source in record.sources:
        where = Text(source.source + " (group)") if source.group else Text("Just the two of you")
        given, received = say_amount(source.given), say_amount(source.received)
        table.add_row(where, given, received, words.number(source.events))
    return table


def platforms_table(record: RelationshipRecord) -> RenderableType | None:
    """``record``'s one-to-one messages per app, for a person on more than one; ``None``
    otherwise (every figure above already counts all apps together)."""
    if not record.on_several_apps:
        return None
    table = _table(
        f"{record.person}: on each app",
        "Messages each of you wrote on each app, and calls. Every figure above counts all "
        "of these chats together.",
    )
    for name in ("App", "From you", "From them", "Calls", "First", "Last"):
        table.add_column(name, justify="left" if name == "App" else "right", overflow="fold")
    for app in record.platforms:
        table.add_row(
            app.label,
            words.number(app.messages.me),
            words.number(app.messages.them),
            words.number(int(app.calls.me) + int(app.calls.them)),
            _day(app.first_message),
            _day(app.last_message),
        )
    return table


def _day(when: Any) -> str:
    return "–" if when is None else f"{when:%Y-%m-%d}"


def group_tables(groups: Sequence[GroupRecord]) -> list[RenderableType]:
    """Per group chat: where you stand (a sentence), who answers you and who never does,
    and a row per member: messages, conversations started, answers given and received,
    supportive messages, answers to and from you."""
    parts: list[RenderableType] = []
    for group in groups:
        table = _table(f"{group.title} (group): who carries it", group.summary)
        for name in ("Who", "Messages", "Started", "Answers", "Answered", "Support",
                     "To you", "From you"):  # fmt: skip
            table.add_column(name, justify="left" if name == "Who" else "right", overflow="fold")
        for m in group.members:
            table.add_row(
                Text("You", style="bold") if m["is_me"] else Text(m["name"]),
                f"{words.number(m['messages'])} ({say_percent(m['message_share'])})",
                words.number(m["starts"]),
                say_amount(m["answers_given"]),
                say_amount(m["answers_received"]),
                words.number(m["supports"]),
                "–" if m["is_me"] else say_amount(m["answers_to_me"]),
                "–" if m["is_me"] else say_amount(m["answers_from_me"]),
            )
        parts.append(table)
        if group.never_answered:
            names = ", ".join(group.never_answered)
            parts.append(
                Text(f"Writes in {group.title} but never answered or reacted to you: {names}.")
            )
    if parts:
        parts.append(
            Text(
                "Answers: given to and received from anyone in the group; To you / From you: "
                "between you and that member. Each counts by how sure we are who it answered; "
                "a reaction (a ❤️ on a message) answers for sure and counts a quarter.",
                style="dim",
            )
        )
    return parts


def exchange_lines(record: RelationshipRecord) -> list[Text]:
    """One line per sender and topic: ``"Your good news (5): warm and interested 4,
    no reply 1"``, in the words the pages use (:mod:`reciprocity.words`)."""
    lines = []
    keys = sorted({(o.topic, o.sender) for o in record.outcomes})
    for topic, sender in keys:
        label = _SENDER_TOPIC.get((sender, topic))
        if label is None:
            continue
        found = record.outcome_counts(sender, topic)
        n = words.number
        detail = ", ".join(f"{words.outcome(topic, o.outcome)} {n(o.count)}" for o in found)
        total = sum(o.count for o in found)
        lines.append(Text(f"{label.format(p=record.person)} ({n(total)}): {detail}"))
    return lines


def person_view(record: RelationshipRecord, change: pl.DataFrame | None = None) -> Group:
    """One relationship in depth: its give and take in both windows, reply times, what
    happened to each kind of message each way and, when given, the change around a
    conversation record."""
    p = record.person
    parts: list[RenderableType] = [Text(p, style="bold")]
    if record.group_only:
        parts.append(Text(GROUP_ONLY.format(p=p)))
    for window in WINDOWS:
        parts.append(balance_table(record, window))
    parts.append(Text(BALANCE_KEY, style="dim"))
    sources = sources_table(record)
    if sources is not None:
        parts.append(sources)
    apps = platforms_table(record)
    if apps is not None:
        parts.append(apps)
    me, them = record.reply_median_s
    if me is not None or them is not None:
        parts.append(
            Text(
                f"Typical reply: you {say_duration(me)}, {p} {say_duration(them)}; the "
                f"usual pace between you is {say_duration(record.reply_pace_s)}."
            )
        )
    parts.extend(exchange_lines(record))
    if change is not None and change.height:
        table = _table("Before and after the conversation")
        for name in ("What", "Before", "After", "Change (likely range)", "Reading"):
            table.add_column(name, overflow="fold")
        for row in change.iter_rows(named=True):
            table.add_row(
                row["dimension"].replace("_", " "),
                say_percent(row["estimate_before"]),
                say_percent(row["estimate_after"]),
                f"{_points(row['difference'])} ({_points(row['low'])} to {_points(row['high'])})",
                row["verdict"],
            )
        parts.append(table)
    return Group(*parts)


def groups_to_json(groups: Sequence[GroupRecord]) -> list[dict[str, Any]]:
    """The group chats as plain JSON data: ``[{"title", "messages", "starts", "summary",
    "never_answered", "members": [{"person" (null for you), "you", "messages", "starts",
    "answers_given", "answers_received", "supports", "answers_to_me", "answers_from_me",
    "message_share", "start_share"}]}]``."""
    keys = ("messages", "starts", "answers_given", "answers_received", "supports",
            "answers_to_me", "answers_from_me", "message_share", "start_share")  # fmt: skip
    return [
        {
            "title": g.title,
            "messages": g.messages,
            "starts": g.starts,
            "summary": g.summary,
            "never_answered": list(g.never_answered),
            "members": [
                {"person": m["person"], "you": m["is_me"]} | {k: _plain(m[k]) for k in keys}
                for m in g.members
            ],
        }
        for g in groups
    ]


def _points(value: float) -> str:
    """A difference of shares in percentage points: ``"-25 pts"``; never ``"-0"``."""
    shown = round(100 * value)
    return f"{shown:+d} pts" if shown else "0 pts"


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _two(values: Pair) -> dict[str, Any]:
    return {"me": _plain(values.me), "them": _plain(values.them)}


def records_to_json(
    records: Sequence[RelationshipRecord], patterns: pl.DataFrame | None = None
) -> dict[str, Any]:
    """Every figure as plain JSON data, from the same records as the tables.

    Shape: ``{"relationships": [{"person", "messages", "words", "turns", "calls",
    "conversations", "initiations", "reply_rate", "reply_latency_median_s", "questions",
    "first_message", "last_message", "group_only", "sources", "platforms": [{"platform",
    "app", "chats", "messages", "calls", "first_message", "last_message"}]}], "balance":
    [{"person", "dimension", "window",
    "events": {"me", "them"}, "given", "received", "share", "estimate", "interval": [low,
    high], "verdict", "latest"}], "exchanges": [...], "reply_speed": [...], "patterns":
    [...]}``; "me"/"them" say who did it. ``estimate`` is the share the tables show (inside
    its interval); ``share`` is given / (given + received).
    """
    ordered = sorted(records, key=lambda r: (r.person, r.relationship_id))
    relationships, balance, outcomes, speed = [], [], [], []
    for r in ordered:
        relationships.append(
            {
                "person": r.person,
                "messages": _two(r.messages),
                "words": _two(r.words),
                "turns": _two(r.turns),
                "calls": _two(r.calls),
                "conversations": r.conversations,
                "initiations": _two(r.initiations),
                "reply_rate": _two(r.reply_rate),
                "reply_latency_median_s": _two(r.reply_median_s),
                "questions": _two(r.questions),
                "first_message": _plain(r.first_message),
                "last_message": _plain(r.last_message),
                "group_only": r.group_only,
                "sources": [
                    {
                        "source": src.source,
                        "group": src.group,
                        "given": src.given,
                        "received": src.received,
                        "events": {"me": src.events_me, "them": src.events_them},
                    }
                    for src in r.sources
                ],
                "platforms": [
                    {
                        "platform": app.platform,
                        "app": app.label,
                        "chats": app.chats,
                        "messages": _two(app.messages),
                        "calls": _two(app.calls),
                        "first_message": _plain(app.first_message),
                        "last_message": _plain(app.last_message),
                    }
                    for app in r.platforms
                ],
            }
        )
        for row in r.readings:
            total = row.given + row.received
            balance.append(
                {
                    "person": r.person,
                    "dimension": row.dimension,
                    "window": row.window,
                    "events": {"me": row.events_me, "them": row.events_them},
                    "given": row.given,
                    "received": row.received,
                    "share": row.given / total if total > 0 else None,
                    "estimate": row.estimate,
                    "interval": [row.low, row.high],
                    "verdict": row.verdict,
                    "latest": _plain(row.latest),
                }
            )
        for o in r.outcomes:
            outcomes.append(
                {
                    "person": r.person,
                    "sender": o.sender,
                    "topic": o.topic,
                    "outcome": o.outcome,
                    "count": o.count,
                }
            )
        speed.append(
            {
                "person": r.person,
                "latency_median_s_me": r.reply_median_s.me,
                "latency_median_s_them": r.reply_median_s.them,
                "latency_norm_s": r.reply_pace_s,
            }
        )
    rows: list[dict[str, Any]] = []
    if patterns is not None:
        rows = [{k: _plain(v) for k, v in row.items()} for row in patterns.iter_rows(named=True)]
    return {
        "relationships": relationships,
        "balance": balance,
        "exchanges": outcomes,
        "reply_speed": speed,
        "patterns": rows,
    }
