"""The cast and calendar of the demo: who Sam talks to, where, when, how fast, in what voice.

:func:`build_chats` runs every relationship's script (:mod:`reciprocity.demo.scenes`) through
the engine (:mod:`reciprocity.demo.simulate`) and returns one :class:`Chat` per export file.
The same seed always gives the same chats: every random draw comes from a
:class:`random.Random` seeded with the seed and the relationship's name.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from reciprocity.demo.banks import BANKS, PAIRS
from reciprocity.demo.banks_family import FAMILY_BANKS, FAMILY_PAIRS
from reciprocity.demo.phrases import Style
from reciprocity.demo.scenes import ME, Balanced, Leaning, OneSided, ParentChild, QuizGroup
from reciprocity.demo.simulate import Chat, Message, Pace, Scene, run, schedule

#: The exports' wall clocks are in this zone (pass it as the import's timezone).
TIMEZONE = "Europe/London"
ZONE = ZoneInfo(TIMEZONE)
#: The demo covers these days, inclusive: about six months, ending on a fixed date.
FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2024, 6, 30)
#: Jordan's chat moves from WhatsApp to Telegram in the session pinned at this moment.
JORDAN_MOVES = datetime(2024, 1, 27, 19, 40, tzinfo=ZONE)
#: Sam tells Alex how the one-sidedness feels (a conversation record for later stages).
#: Jordan's display name on Telegram: the same name with an emoji, as people often set one
#: on one app and not another. The import links it to "Jordan" on WhatsApp by itself.
JORDAN_ON_TELEGRAM = "Jordan 🌻"
ALEX_TALK = datetime(2024, 4, 14, 20, 5, tzinfo=ZONE)
DEFAULT_SEED = 2024

ALL_BANKS = {**BANKS, **FAMILY_BANKS}
ALL_PAIRS = {**PAIRS, **FAMILY_PAIRS}

# Local-hour weights, 0h..23h: when sessions start.
DAYTIME = (0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 4, 4, 2, 2, 2, 3, 5, 6, 6, 5, 3, 1)
LATE = (3, 2, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 1, 1, 2, 2, 3, 4, 5, 6, 6, 5)
FAMILY = (0, 0, 0, 0, 0, 0, 0, 4, 3, 1, 1, 1, 2, 2, 1, 4, 5, 4, 3, 3, 3, 2, 1, 0)
THURSDAY_EVENING = (0,) * 17 + (4, 3, 1, 0, 0, 0, 0)

SAM = Style(lowercase=0.1, emoji=0.08, emojis=("🙂", "😂", "🙈", "🎉"), drop_full_stop=0.7)
SAM_PARENT = replace(SAM, kiss=0.15, emojis=("❤️", "🙂"))
STYLES: dict[str, Style] = {
    "Alex": Style(lowercase=0.85, emoji=0.03, emojis=("👍",), drop_full_stop=1.0),
    "Jordan": Style(
        lowercase=0.2, emoji=0.3, emojis=("😂", "🙌", "❤️", "😅", "🎉"), sad_emojis=("😔", "❤️")
    ),
    "Riley": Style(
        lowercase=0.5, emoji=0.15, emojis=("😂", "🙈", "✨"), sad_emojis=("😭", "🥺", "💔", "😩")
    ),
    "Kai": Style(lowercase=0.95, emoji=0.15, emojis=("🙄", "😂", "👍"), sad_emojis=("❤️",)),
}


@dataclass(frozen=True, slots=True)
class Cast:
    """One relationship's settings for the engine."""

    name: str
    per_day: float
    hours: Sequence[float]
    paces: Mapping[str, Pace]
    sam: Style = SAM
    weekend: float = 1.0
    quotes: float = 0.0


CASTS: dict[str, Cast] = {
    "Alex": Cast(
        "Alex",
        per_day=0.75,
        hours=DAYTIME,
        paces={ME: Pace(150), "Alex": Pace(5400, 0.7, reply_max_s=5 * 3600)},
    ),
    "Jordan": Cast(
        "Jordan",
        per_day=1.0,
        hours=DAYTIME,
        paces={ME: Pace(420, 1.1, 3 * 3600), "Jordan": Pace(420, 1.1, 3 * 3600)},
        weekend=1.4,
        quotes=0.3,
    ),
    "Riley": Cast(
        "Riley",
        per_day=1.0,
        hours=LATE,
        paces={ME: Pace(150, 0.9), "Riley": Pace(1500, 1.0)},
    ),
    "Kai": Cast(
        "Kai",
        per_day=1.2,
        hours=FAMILY,
        paces={ME: Pace(240, 1.0, 2 * 3600), "Kai": Pace(600, 1.0, 3 * 3600)},
        sam=SAM_PARENT,
        weekend=0.7,
    ),
}


def build_chats(seed: int = DEFAULT_SEED) -> dict[str, Chat]:
    """Every demo chat, keyed by a short name (``alex``, ``jordan_whatsapp`` ...)."""
    one_sided = OneSided()
    alex = _relationship(seed, CASTS["Alex"], one_sided, pins=[(ALEX_TALK, one_sided.talk)])
    balanced = Balanced(calls_from=JORDAN_MOVES.astimezone(UTC) + timedelta(days=1))
    jordan = _relationship(seed, CASTS["Jordan"], balanced, pins=[(JORDAN_MOVES, balanced.move)])
    moved = next(i for i, m in enumerate(jordan) if m.bank == "moving_to_telegram")
    split = moved + 2  # the request and Sam's yes stay on WhatsApp
    riley = _relationship(seed, CASTS["Riley"], Leaning())
    kai = _relationship(seed, CASTS["Kai"], ParentChild())
    return {
        "alex": _chat("Alex", alex, encrypted=True),
        "jordan_whatsapp": _chat(
            "Jordan", [replace(m, reply_to=None) for m in jordan[:split]], encrypted=True
        ),
        "jordan_telegram": _renamed(
            _chat("Jordan", _reindex(jordan[split:], split)), "Jordan", JORDAN_ON_TELEGRAM
        ),
        "riley": _chat("Riley", riley, encrypted=True),
        "kai": _chat("Kai", kai),
        "quiz": _group(seed),
    }


def _relationship(
    seed: int,
    cast: Cast,
    script: OneSided | Balanced | Leaning | ParentChild,
    pins: Sequence[tuple[datetime, Callable[[Scene, datetime], None]]] = (),
) -> list[Message]:
    rng = random.Random(f"{seed}:{cast.name}")
    styles = {ME: cast.sam, cast.name: STYLES[cast.name]}

    def make_scene() -> Scene:
        return Scene(rng, ALL_BANKS, ALL_PAIRS, styles, quotes=cast.quotes)

    starts = schedule(rng, FIRST_DAY, LAST_DAY, cast.per_day, cast.hours, ZONE, cast.weekend)
    pinned = [(at.astimezone(UTC), write) for at, write in pins]
    return run(starts, script.write, make_scene, cast.paces, rng, pinned=pinned)


def _group(seed: int) -> Chat:
    rng = random.Random(f"{seed}:quiz")
    members = ("Alex", "Jordan")
    styles = {ME: SAM, **{name: STYLES[name] for name in members}}
    paces = {ME: Pace(300), "Alex": Pace(3600, 0.8), "Jordan": Pace(400)}
    thursdays = (
        datetime.combine(FIRST_DAY + timedelta(days=d), time(), ZONE)
        for d in range((LAST_DAY - FIRST_DAY).days + 1)
        if (FIRST_DAY + timedelta(days=d)).weekday() == 3
    )
    created = datetime.combine(date(2024, 1, 9), time(18, 2, 11), ZONE).astimezone(UTC)
    intro = [
        Message(created, None, 'You created group "Pub quiz"', kind="system"),
        Message(created + timedelta(seconds=1), None, "You added Alex", kind="system"),
        Message(created + timedelta(seconds=2), None, "You added Jordan", kind="system"),
    ]
    starts = (
        day.replace(
            hour=rng.choices(range(24), THURSDAY_EVENING)[0], minute=rng.randrange(60)
        ).astimezone(UTC)
        for day in thursdays
        if day.astimezone(UTC) > created and rng.random() < 0.85
    )
    script = QuizGroup(members)
    played = run(starts, script.write, lambda: Scene(rng, ALL_BANKS, ALL_PAIRS, styles), paces, rng)
    return Chat("Pub quiz", ME, members, (*_encryption(intro[0].at), *intro, *played))


def _chat(title: str, messages: Sequence[Message], *, encrypted: bool = False) -> Chat:
    head = _encryption(messages[0].at) if encrypted else ()
    if head:
        messages = _reindex(messages, -len(head))
    return Chat(title, ME, (title,), (*head, *messages))


def _encryption(first: datetime) -> tuple[Message, ...]:
    # WhatsApp puts its end-to-end notice at the top of every chat, just before the first
    # message; the writers spell it the way each platform does.
    return (Message(first - timedelta(minutes=3), None, "", kind="system", bank="encryption"),)


def _renamed(chat: Chat, old: str, new: str) -> Chat:
    """``chat`` with ``old`` called ``new`` (title, members and senders)."""

    def name(who: str) -> str:
        return new if who == old else who

    return Chat(
        name(chat.title),
        chat.me,
        tuple(name(m) for m in chat.members),
        tuple(m if m.sender != old else replace(m, sender=new) for m in chat.messages),
    )


def _reindex(messages: Sequence[Message], offset: int) -> list[Message]:
    """Shift ``reply_to`` indexes after ``offset`` messages were cut from (or added to) the front.

    A negative ``offset`` means messages were added in front.
    """
    out = []
    for m in messages:
        if m.reply_to is None:
            out.append(m)
            continue
        target = m.reply_to - offset
        out.append(replace(m, reply_to=target if target >= 0 else None))
    return out
