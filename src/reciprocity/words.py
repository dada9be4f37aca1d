"""The words a person reads for the codes inside: one place, so no two surfaces disagree.

The data keep their codes (``favours_money``, ``passive_constructive``,
``total_self_sufficiency``): they are stable names for scripts, the JSON output and the
database. Whatever a person reads (the CLI, the web pages, the report) goes through the
functions here. Where a research term helps someone who wants to look it up, :func:`term`
gives it, for a tooltip or the docs, never as the main text.

>>> dimension("presence_in_hard_times")
'being there in hard times'
>>> outcome("good_news", "passive_constructive")
'warm but brief'
>>> topic("support_seek", "Alex")
'When Alex asked for support'
"""

from __future__ import annotations

__all__ = [
    "APPS",
    "DIMENSIONS",
    "ENTRY_KINDS",
    "OUTCOMES",
    "PATTERNS",
    "RELATIONSHIP_KINDS",
    "TERMS",
    "app",
    "choice",
    "count",
    "dimension",
    "entry_kind",
    "outcome",
    "pattern",
    "pattern_answer",
    "relationship_kind",
    "term",
    "topic",
]

DIMENSIONS: dict[str, str] = {
    "attention": "attention",
    "listening": "listening",
    "emotional_support": "emotional support",
    "practical_help": "practical help",
    "celebration": "celebrating good news",
    "presence_in_hard_times": "being there in hard times",
    "disclosure": "opening up",
    "favours_money": "favours and money",
    "energy": "energy afterwards",
}
"""What each kind of giving (a ledger dimension) is called."""

OUTCOMES: dict[tuple[str, str], str] = {
    ("message", "answered"): "answered",
    ("message", "unanswered"): "no answer",
    ("check_in", "answered"): "answered",
    ("check_in", "unanswered"): "no answer",
    ("disclosure", "matched"): "shared back as deeply",
    ("disclosure", "responded"): "answered with support or interest",
    ("disclosure", "not_matched"): "not taken up",
    ("distress", "supported"): "supported",
    ("distress", "not_supported"): "no support",
    ("good_news", "active_constructive"): "warm and interested",
    ("good_news", "passive_constructive"): "warm but brief",
    ("good_news", "warm_reaction"): "reacted warmly without words",
    ("good_news", "other_reaction"): "reacted without celebrating",
    ("good_news", "active_destructive"): "played it down",
    ("good_news", "passive_destructive"): "changed the subject",
    ("good_news", "ignored"): "no reply",
    ("request", "accepted"): "said yes",
    ("request", "declined"): "said no",
    ("request", "ignored"): "no answer",
    ("after_decline", "re_ask"): "asked again",
    ("after_decline", "ultimatum"): "pushed with an ultimatum",
    ("after_decline", "accepted_no"): "took the no",
    ("support_seek", "sent"): "asked",
}
"""How each answer reads, by (what was answered, what the answer did)."""

TERMS: dict[str, str] = {
    "active_constructive": "Research term: active-constructive response",
    "passive_constructive": "Research term: passive-constructive response",
    "warm_reaction": "Research term: passive-constructive response (an emoji, no words)",
    "active_destructive": "Research term: active-destructive response",
    "passive_destructive": "Research term: passive-destructive response",
    "over_giving": "Research term: over-giving",
    "total_self_sufficiency": "Research term: total self-sufficiency",
    "attraction_to_intensity": "Research term: attraction to intensity",
    "child_cares_for_parent": "Research term: parentification (a child caring for a parent)",
    "disclosure": "Research term: self-disclosure",
    "presence_in_hard_times": "Support in the hours after someone shares something hard",
}
"""The technical name behind a plain label, for a tooltip; codes without one have none."""

# Each message kind as a heading, with {who} ("you" or a name) and {whose} ("Your", "Alex's").
_TOPICS: dict[str, str] = {
    "good_news": "{Whose} good news",
    "distress": "{Whose} hard moments",
    "check_in": "{Whose} check-ins",
    "disclosure": "When {who} opened up",
    "request": "Favours {who} asked",
    "support_seek": "When {who} asked for support",
    "message": "{Whose} messages",
    "after_decline": "After a no to {whose_lower} favour",
}

PATTERNS: dict[str, str] = {
    "over_giving": "Do you give more than you get in most relationships?",
    "total_self_sufficiency": "Do others lean on you while you hardly ever ask for support?",
    "attraction_to_intensity": "Do most of your messages go to stormy relationships?",
    "child_cares_for_parent": "Does a child look after a parent's mood?",
    "parent_support_from_children": "Does your support in hard times come mostly from "
    "your children?",
}
"""Each pattern across relationships, as the question it answers."""

ENTRY_KINDS: dict[str, str] = {
    "interaction": "time together",
    "money": "money",
    "favour": "a favour",
    "task": "a task",
    "conflict": "a conflict",
}
"""Journal entry kinds."""

RELATIONSHIP_KINDS: dict[str, str] = {"unknown": "not said"}
"""Relationship kinds whose code is not already the word (``friend`` reads "friend")."""


def _plain(code: str) -> str:
    return code.replace("_", " ")


def dimension(code: str) -> str:
    """A kind of giving, as a person says it: ``favours_money`` -> "favours and money"."""
    return DIMENSIONS.get(code, _plain(code))


def outcome(topic_code: str, code: str) -> str:
    """What an answer did, for a message of kind ``topic_code``."""
    return OUTCOMES.get((topic_code, code), _plain(code))


def topic(code: str, who: str = "you") -> str:
    """A kind of message sent by ``who`` ("you" or a name), as a heading.

    >>> topic("good_news", "you"), topic("request", "Alex")
    ('Your good news', 'Favours Alex asked')
    """
    whose = "Your" if who == "you" else f"{who}'s"
    template = _TOPICS.get(code, "{Whose} " + _plain(code))
    return template.format(who=who, Whose=whose, whose_lower="your" if who == "you" else whose)


def pattern(code: str) -> str:
    """A cross-relationship pattern, as the question it answers."""
    return PATTERNS.get(code, _plain(code).capitalize())


def pattern_answer(shows: bool) -> str:
    """The short answer to :func:`pattern`'s question."""
    return "Yes" if shows else "No"


def entry_kind(code: str) -> str:
    """A journal entry's kind: ``interaction`` -> "time together"."""
    return ENTRY_KINDS.get(code, _plain(code))


def relationship_kind(code: str) -> str:
    """What someone is to the user: ``unknown`` -> "not said"."""
    return RELATIONSHIP_KINDS.get(code, _plain(code))


def term(code: str) -> str:
    """The technical name behind a code, for a tooltip; empty when there is none."""
    return TERMS.get(code, "")


def number(n: float) -> str:
    """A count or a weight as people write it, the same on every surface: thousands
    grouped, one decimal at most.

    >>> number(1204), number(2.5), number(1_000_000), number(86958.74), number(0.25)
    ('1,204', '2.5', '1,000,000', '86,958.7', '0.2')
    """
    text = f"{n:,.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def count(n: float, one: str, many: str | None = None) -> str:
    """``n`` with the right form of the noun: ``count(1, "person", "people")`` -> "1 person".

    >>> count(2, "relationship"), count(1_204_000, "message")
    ('2 relationships', '1,204,000 messages')
    """
    return f"{number(n)} {one if n == 1 else (many or one + 's')}"


APPS = {
    "whatsapp": "WhatsApp",
    "signal": "Signal",
    "telegram": "Telegram",
    "csv": "a CSV table",
    "sms": "SMS",
    "imessage": "iMessage",
    "email": "email",
    "messenger": "Messenger",
    "instagram": "Instagram",
    "discord": "Discord",
}
"""How each format an export came from reads on a page (others are shown as stored)."""


def app(code: str) -> str:
    """The app or file kind an export came from, in words.

    >>> app("whatsapp"), app("csv"), app("pager")
    ('WhatsApp', 'a CSV table', 'pager')
    """
    return APPS.get(code, code)


def choice(phrase: str) -> str:
    """A phrase as a label (an item of a list, a row's name): without its leading
    article, its first letter capitalised.

    >>> choice("a CSV table"), choice("WhatsApp"), choice("email")
    ('CSV table', 'WhatsApp', 'Email')
    """
    for article in ("a ", "an "):
        if phrase.startswith(article):
            phrase = phrase[len(article) :]
    return phrase[:1].upper() + phrase[1:]
