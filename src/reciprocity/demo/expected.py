"""The shape each demo relationship was written to have, as numbers later stages can check.

Every figure is "me" = Sam, measured over one-to-one chats (the group chat only adds its
weighted give and take, :data:`GROUP_WARM` and :data:`GROUP_SILENT`), with
a conversation starting after a silence of more than six hours. Shares are Sam's part of the
total: ``initiation_share_me`` 0.9 means Sam sent the first message of 90% of conversations.
Ranges are wide enough to hold for any seed, narrow enough to tell the shapes apart.

Acts are the names of ``reciprocity.acts.ACTS``; ``act_share_me[act]`` is Sam's share of the
messages written to carry that act, and ``answered[(act, answer, by)]`` the share of ``act``
messages sent by ``by`` (``"me"`` or ``"them"``) that the other person answered with a
message carrying ``answer`` within six hours. ``gives_more`` says who gives more on a
ledger dimension: ``"me"`` (Sam; a metrics verdict of "mostly you"), ``"them"``, or
``"balanced"``.

Parent mode: **Sam is Kai's parent**; Kai is the child who checks on Sam's mood and comforts
Sam (:data:`PARENT_CHILD`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from reciprocity.demo.script import ALEX_TALK

#: (parent, child) in the demo.
PARENT_CHILD = ("Sam", "Kai")
#: What each person is to Sam, for relationship kinds.
KINDS = {"Alex": "friend", "Jordan": "friend", "Riley": "friend", "Kai": "child"}
#: When Sam told Alex how the one-sidedness feels (a conversation record); the shape of the
#: relationship does not change afterwards ("no meaningful change").
CONVERSATION_RECORD: tuple[str, datetime] = ("Alex", ALEX_TALK)


@dataclass(frozen=True, slots=True)
class Range:
    """A closed interval; ``x in Range(0.8, 1.0)``."""

    low: float
    high: float = float("inf")

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.low <= value <= self.high


@dataclass(frozen=True, slots=True)
class Shape:
    """What one relationship is meant to look like (see the module docstring for terms)."""

    person: str
    kind: str
    files: tuple[str, ...]
    summary: str
    messages: Range
    initiation_share_me: Range
    message_share_me: Range
    question_share_me: Range
    #: median reply latency of the other person divided by Sam's
    latency_ratio: Range
    act_share_me: Mapping[str, Range] = field(default_factory=dict)
    answered: Mapping[tuple[str, str, str], Range] = field(default_factory=dict)
    #: ``(act, "me" | "them") -> n``: at least n messages by that side carry the act
    at_least: Mapping[tuple[str, str], int] = field(default_factory=dict)
    gives_more: Mapping[str, str] = field(default_factory=dict)


SHAPES: dict[str, Shape] = {
    "Alex": Shape(
        person="Alex",
        kind="friend",
        files=("WhatsApp Chat with Alex.txt",),
        summary="Sam starts most conversations, writes more and asks nearly all the "
        "questions; Alex answers hours later, briefly, and rarely asks back.",
        messages=Range(250, 450),
        initiation_share_me=Range(0.80, 1.0),
        message_share_me=Range(0.56, 0.72),
        question_share_me=Range(0.80, 1.0),
        latency_ratio=Range(10.0),
        act_share_me={"check_in": Range(0.85, 1.0), "request": Range(0.6, 1.0)},
        answered={("good_news", "celebrate", "me"): Range(0.0, 0.5)},
        gives_more={"attention": "me", "listening": "me"},
    ),
    "Jordan": Shape(
        person="Jordan",
        kind="friend",
        files=(
            "WhatsApp Chat with Jordan.txt",
            "ChatExport_2024-06-30/result.json",
        ),
        summary="Balanced: either starts, both ask, reply at the same pace, and each "
        "celebrates the other's good news. The chat moves from WhatsApp to Telegram in "
        "late January, so one person appears on two platforms, under a display name with "
        "an emoji on Telegram; the import links the two as one relationship.",
        messages=Range(600, 1100),
        initiation_share_me=Range(0.40, 0.60),
        message_share_me=Range(0.44, 0.56),
        question_share_me=Range(0.40, 0.60),
        latency_ratio=Range(0.6, 1.6),
        act_share_me={
            "good_news": Range(0.4, 0.6),
            "celebrate": Range(0.4, 0.6),
            "check_in": Range(0.4, 0.6),
        },
        answered={
            ("good_news", "celebrate", "me"): Range(0.9, 1.0),
            ("good_news", "celebrate", "them"): Range(0.9, 1.0),
        },
        at_least={("good_news", "me"): 8, ("good_news", "them"): 8},
        gives_more={"attention": "balanced", "listening": "balanced", "celebration": "balanced"},
    ),
    "Riley": Shape(
        person="Riley",
        kind="friend",
        files=("WhatsApp Chat - Riley.zip",),
        summary="Riley leans on Sam: distress, venting, asking for support, often late at "
        "night; Sam answers fast and supports. When Sam shares something hard, Riley "
        "mostly changes the subject.",
        messages=Range(450, 800),
        initiation_share_me=Range(0.25, 0.45),
        message_share_me=Range(0.38, 0.50),
        question_share_me=Range(0.60, 0.90),
        latency_ratio=Range(5.0),
        act_share_me={
            "distress": Range(0.0, 0.2),
            "support_seek": Range(0.0, 0.05),
            "support_emotional": Range(0.9, 1.0),
            "support_practical": Range(0.9, 1.0),
        },
        at_least={("distress", "them"): 60, ("support_emotional", "me"): 50},
        answered={
            ("distress", "support_emotional", "them"): Range(0.75, 1.0),
            ("distress", "support_emotional", "me"): Range(0.0, 0.35),
            ("good_news", "celebrate", "them"): Range(0.9, 1.0),
            ("good_news", "celebrate", "me"): Range(0.0, 0.4),
        },
        gives_more={"emotional_support": "me", "presence_in_hard_times": "me"},
    ),
    "Kai": Shape(
        person="Kai",
        kind="child",
        files=("Messages with Kai.csv",),
        summary="Sam is Kai's parent. Alongside lifts, dinner and school, Sam confides "
        "worries and low moods to Kai, and Kai checks on Sam's mood and comforts Sam: "
        "the parent-mode signal of a child caring for a parent.",
        messages=Range(300, 600),
        initiation_share_me=Range(0.40, 0.70),
        message_share_me=Range(0.38, 0.52),
        question_share_me=Range(0.15, 0.40),
        latency_ratio=Range(1.2, 5.0),
        act_share_me={
            "distress": Range(0.95, 1.0),
            "support_emotional": Range(0.0, 0.05),
            "support_practical": Range(0.0, 0.05),
        },
        answered={("distress", "support_emotional", "me"): Range(0.8, 1.0)},
        at_least={
            ("distress", "me"): 20,
            ("check_in", "them"): 20,
            ("support_emotional", "them"): 30,
        },
        gives_more={"emotional_support": "them"},
    ),
}

#: The WhatsApp group (Sam, Alex, Jordan): no one-to-one figure (messages, starts, replies)
#: may include it; its give and take joins each member's, weighted below one-to-one.
GROUP_FILE = "WhatsApp Chat with Pub quiz.txt"
#: The group's title, the member who answers Sam warmly (by name, celebrating Sam's news)
#: and the one who writes in the group but never answers Sam.
GROUP_TITLE = "Pub quiz"
GROUP_WARM = "Jordan"
GROUP_SILENT = "Alex"
