"""The shape of the benchmark's generated chats: who talks to whom, when, and what.

A chat is a stream of :class:`Event` tuples in time order. Time is wall-clock seconds since
2013-03-01 00:00 in the exporting phone's zone (no offsets: each writer decides how to show
it). Conversations come in sessions separated by hours of quiet; inside a session people take
turns of a few messages, answering within seconds to minutes, sometimes hours.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from phrases import MEDIA_KINDS, message_pool

ME = "Sam"
EPOCH = datetime(2013, 3, 1)
POOL_SIZE = 40_000


class Event(NamedTuple):
    """One record of a chat.

    ``who`` indexes the chat's ``people`` (0 is always "me"); ``kind`` is ``text``,
    ``edited`` (text the sender changed later), ``media`` (``text`` names the media kind),
    ``deleted``, ``call`` (``text`` holds the call's length in seconds, 0 when missed) or
    ``system``; ``reply`` is the index of an earlier event in the same chat, or -1.
    """

    t: int
    who: int
    kind: str
    text: str
    reply: int


@dataclass(frozen=True)
class Chat:
    """A chat to generate: its title, people (``people[0]`` is me) and behaviour."""

    title: str
    people: tuple[str, ...]
    share: float  # share of all generated messages that fall in this chat
    me_starts: float  # how often "me" sends the first message of a session
    media: float = 0.05
    calls: bool = True
    group: bool = False
    # A crowded group: the turn passes to any other member (not back to me every time),
    # and some messages call someone by name ("@Lena ...", "Dad, ...").
    crowd: bool = False


#: The account owner's chats in multi-chat exports (Telegram, CSV); the shares sum to 1.
ACCOUNT = (
    Chat("Alex", (ME, "Alex"), 0.50, me_starts=0.5),
    Chat("Jordan", (ME, "Jordan"), 0.20, me_starts=0.78),
    Chat("Mum", (ME, "Mum"), 0.12, me_starts=0.3),
    Chat("Chris", (ME, "Chris"), 0.08, me_starts=0.55),
    Chat("Priya", (ME, "Priya"), 0.05, me_starts=0.4),
    Chat("Flat 4B", (ME, "Jordan", "Chris", "Dana"), 0.05, me_starts=0.25, group=True),
)

#: A one-to-one WhatsApp chat with a partner: the issue's million-message case.
PARTNER = Chat("Alex", (ME, "Alex"), 1.0, me_starts=0.55, calls=False)

#: A WhatsApp family group of seven (me included): the group case at the main sizes.
FAMILY = Chat(
    "Family",
    (ME, "Mum", "Dad", "Lena", "Tom", "Grandma Rose", "Uncle Ben"),
    1.0,
    me_starts=0.2,
    calls=False,
    group=True,
    crowd=True,
)
#: How talkative each member of a crowded group is (weights for who takes the turn).
_CHATTY = (1.0, 1.4, 0.7, 1.2, 0.9, 0.25, 0.4)


def events(chat: Chat, n: int, seed: int, *, notices: bool = True) -> Iterator[Event]:
    """``n`` events of ``chat`` in time order, the same for the same ``seed``.

    With ``notices`` (WhatsApp) the first event is the end-to-end encryption notice and a
    few security-code notices follow later, all ``system``; other platforms have none.
    A smaller ``n`` with the same seed gives a prefix of the larger chat.
    """
    if n <= 0:
        return
    rng = random.Random(seed)
    pool = message_pool(POOL_SIZE, seed=seed ^ 0x5EED)
    pool_n = len(pool)
    rand = rng.random
    others = len(chat.people) - 1
    log_short, log_long = math.log(3 * 3600), math.log(30 * 3600)
    t = 8 * 3600 + int(rand() * 3600)
    i = 0
    if notices:
        yield Event(t, 0, "system", "encryption", -1)
        i = 1
    while i < n:
        # A new session after hours of quiet; who breaks the silence depends on the chat.
        t += int(math.exp(log_short + rand() * (log_long - log_short)))
        who = 0 if rand() < chat.me_starts else 1 + int(rand() * others)
        session = 1 + int(rng.expovariate(1 / 150))
        end = min(n, i + session)
        while i < end:
            roll = rand()
            if notices and roll < 0.0004:
                yield Event(t, 0, "system", "security", -1)
            elif chat.calls and roll < 0.01:
                yield Event(t, who, "call", str(int(rand() * 1800)), -1)
            elif roll < 0.01 + chat.media:
                yield Event(t, who, "media", MEDIA_KINDS[int(rand() * len(MEDIA_KINDS))], -1)
            elif roll < 0.013 + chat.media:
                yield Event(t, who, "deleted", "", -1)
            else:
                kind = "edited" if rand() < 0.005 else "text"
                reply = i - 1 - int(rand() * 5) if rand() < 0.08 else -1
                text = pool[int(rand() * pool_n)]
                if chat.crowd and rand() < 0.08:
                    text = _call_by_name(chat, who, rand(), text)
                yield Event(t, who, kind, text, reply)
            i += 1
            # Turn-taking: about one message in two hands the turn to someone else.
            if rand() < 0.45:
                if chat.crowd:
                    who = _next_speaker(who, rand())
                else:
                    who = 0 if who else 1 + int(rand() * others)
                t += 60 * 60 * 2 if rand() < 0.01 else int(5 + rand() * rand() * 600)
            else:
                t += int(2 + rand() * 40)


def _next_speaker(who: int, roll: float) -> int:
    """Anyone but ``who`` takes the turn in a crowded group, the chatty ones more often."""
    weights = [0.0 if k == who else w for k, w in enumerate(_CHATTY)]
    pick = roll * sum(weights)
    for k, w in enumerate(weights):
        pick -= w
        if pick < 0:
            return k
    return len(weights) - 1


def _call_by_name(chat: Chat, who: int, roll: float, text: str) -> str:
    """``text`` addressed to someone else in the group: ``@Name`` or ``Name,`` first."""
    names = [n for k, n in enumerate(chat.people) if k != who]
    name = names[int(roll * len(names) * 2) % len(names)]
    first = name.split()[0]
    return f"@{first} {text}" if roll < 0.5 else f"{first}, {text}"


#: Texts gathered before each write of :func:`write_texts`.
FLUSH_EVERY = 20_000


def write_texts(path: Path, texts: Iterable[str], head: str = "", tail: str = "") -> int:
    """Write ``head``, ``texts`` (each a message as its export writes it) a few thousand at
    a time, then ``tail``; how many texts there were."""
    count = 0
    buffer: list[str] = []
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(head)
        for text in texts:
            buffer.append(text)
            count += 1
            if len(buffer) >= FLUSH_EVERY:
                fh.write("".join(buffer))
                buffer.clear()
        fh.write("".join(buffer) + tail)
    return count
