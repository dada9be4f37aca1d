"""People who are likely one person: what ``reciprocity people suggestions`` and the people
page offer to merge.

An import links identities only where it is sure (the same handle, the same phone number
or email address, the same full name; see :mod:`.people`). Everything likely but not sure
is a :class:`Suggestion` for the user to confirm or turn down:

- **the same phone number or address** on two people: only after the user split them
  apart, or from before the database knew link keys (its upgrade does not merge anyone);
- **similar names** on different apps: "Alex" on WhatsApp and "Alex Kim" on Telegram
  (RapidFuzz's token-set ratio of the names and handles, at least :data:`NAME_SCORE` of
  100). Two people on the same app are two people to that app, so they are not offered;
  nor are two whose chats are more than :data:`ACTIVE_GAP` apart (from the first to the
  last message of the chats each wrote in). "Alex Kim" and "Alex
  Moreno" share a first name and score 67: not suggested, and never linked.

Pairs the user turned down or split apart (``kept_apart``) are not offered again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations

from rapidfuzz import fuzz, process, utils
from sqlalchemy import Connection, func, select

from reciprocity.store.db import Database
from reciprocity.store.linking import display_name
from reciprocity.store.models import Identity, KeptApart, Message, Participant, Person
from reciprocity.store.read import list_people

__all__ = ["ACTIVE_GAP", "NAME_SCORE", "Suggestion", "suggestions"]

#: The least name similarity (0-100, RapidFuzz token-set ratio) offered as one person.
NAME_SCORE = 80.0
#: Two people whose messages are further apart than this are not offered on names alone.
ACTIVE_GAP = timedelta(days=365)
_IDS_PER_QUERY = 900
# Shorter names say too little ("J" is in "J Smith" and in "J Brown").
_MIN_NAME = 3


@dataclass(frozen=True)
class Suggestion:
    """Two people who are likely one: ``keep`` (the one with more messages, or the user)
    and ``other``, why (``reason``: ``phone``, ``email`` or ``name``) and how sure
    (``score``, 0-100), with the apps each is on and a sentence saying why."""

    keep_id: int
    keep: str
    other_id: int
    other: str
    reason: str
    score: float
    why: str
    keep_platforms: tuple[str, ...]
    other_platforms: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        """The suggestion as plain JSON-ready data."""
        return {
            "keep": {"id": self.keep_id, "name": self.keep, "platforms": list(self.keep_platforms)},
            "other": {
                "id": self.other_id,
                "name": self.other,
                "platforms": list(self.other_platforms),
            },
            "reason": self.reason,
            "score": round(self.score, 1),
            "why": self.why,
        }


@dataclass
class _Person:
    id: int
    name: str
    is_me: bool
    identities: list[int]
    platforms: set[str]
    names: set[str]
    first: int | None = None
    last: int | None = None
    messages: int = 0


def _people(conn: Connection) -> tuple[dict[int, _Person], dict[str, set[int]]]:
    """Everyone with their identities, and link key -> the people carrying it."""
    people = {
        int(pid): _Person(int(pid), str(name), bool(me), [], set(), {str(name)})
        for pid, name, me in conn.execute(select(Person.id, Person.name, Person.is_me))
    }
    keys: dict[str, set[int]] = defaultdict(set)
    rows = conn.execute(
        select(
            Identity.id, Identity.person_id, Identity.platform, Identity.handle, Identity.link_key
        )
    )
    owner: dict[int, int] = {}
    for iid, pid, platform, handle, key in rows:
        person = people.get(int(pid))
        if person is None:  # pragma: no cover - rows edited by hand
            continue
        owner[int(iid)] = person.id
        person.identities.append(int(iid))
        person.platforms.add(str(platform))
        if key is None:
            person.names.add(str(handle))
        else:
            keys[str(key)].add(person.id)
            if (name := display_name(str(handle))) != handle:
                person.names.add(name)  # the name of "Name <address>"
    return people, keys


def _spans(conn: Connection, people: dict[int, _Person], wanted: set[int]) -> None:
    """Set ``first`` and ``last`` of the ``wanted`` people: from the first to the last
    message of the chats they wrote in. Each chat's ends are two seeks in the messages'
    key index, so this costs the same at a million messages as at a hundred."""
    owner = {iid: pid for pid in wanted for iid in people[pid].identities}
    chats: dict[int, set[int]] = defaultdict(set)
    ids = sorted(owner)
    for at in range(0, len(ids), _IDS_PER_QUERY):
        rows = conn.execute(
            select(Participant.conversation_id, Participant.identity_id).where(
                Participant.identity_id.in_(ids[at : at + _IDS_PER_QUERY])
            )
        )
        for chat, identity in rows:
            chats[owner[int(identity)]].add(int(chat))
    ends: dict[int, tuple[int | None, int | None]] = {}
    for chat in sorted(set().union(*chats.values()) if chats else ()):
        in_chat = Message.conversation_id == chat
        ends[chat] = (
            conn.scalar(select(func.min(Message.timestamp_us)).where(in_chat)),
            conn.scalar(select(func.max(Message.timestamp_us)).where(in_chat)),
        )
    for pid, theirs in chats.items():
        firsts = [lo for lo, _ in (ends[c] for c in theirs) if lo is not None]
        lasts = [hi for _, hi in (ends[c] for c in theirs) if hi is not None]
        people[pid].first = min(firsts, default=None)
        people[pid].last = max(lasts, default=None)


def _apart(conn: Connection, people: dict[int, _Person]) -> set[tuple[int, int]]:
    """Pairs of people (lower id first) the user said are two."""
    owner = {iid: p.id for p in people.values() for iid in p.identities}
    found = set()
    for a, b in conn.execute(select(KeptApart.identity_id, KeptApart.other_id)):
        if a in owner and b in owner and owner[a] != owner[b]:
            found.add((min(owner[a], owner[b]), max(owner[a], owner[b])))
    return found


def _gap(a: _Person, b: _Person) -> timedelta | None:
    """Time between the two's writing (zero when it overlaps); ``None`` when unknown."""
    if a.first is None or a.last is None or b.first is None or b.last is None:
        return None
    apart = max(a.first, b.first) - min(a.last, b.last)
    return timedelta(microseconds=max(0, apart))


def _month(micros: int) -> str:
    return datetime.fromtimestamp(micros / 1e6, UTC).strftime("%b %Y")


def _when(a: _Person, b: _Person) -> str:
    gap = _gap(a, b)
    if gap is None:
        return ""
    if gap == timedelta(0):
        return "; both wrote in the same period"
    if gap < timedelta(days=31):
        return "; both wrote within weeks of each other"
    early, late = (a, b) if (a.last or 0) <= (b.last or 0) else (b, a)
    assert early.last is not None
    assert late.first is not None
    return f"; one stops writing ({_month(early.last)}) as the other starts ({_month(late.first)})"


def _ordered(a: _Person, b: _Person) -> tuple[_Person, _Person]:
    """(keep, other): the user first, then the one with more messages, then the older."""
    rank = sorted((a, b), key=lambda p: (not p.is_me, -p.messages, p.id))
    return rank[0], rank[1]


def _suggestion(a: _Person, b: _Person, reason: str, score: float, why: str) -> Suggestion:
    keep, other = _ordered(a, b)
    return Suggestion(
        keep.id, keep.name, other.id, other.name, reason, score, why,
        tuple(sorted(keep.platforms)), tuple(sorted(other.platforms)),
    )  # fmt: skip


def suggestions(db: Database) -> list[Suggestion]:
    """Every pair of people likely to be one person, surest first (see the module notes)."""
    with db.engine.connect() as conn:
        people, keys = _people(conn)
        apart = _apart(conn, people)
        shared: dict[tuple[int, int], str] = {}
        for key, owners in sorted(keys.items()):
            for a, b in combinations(sorted(owners), 2):
                if (a, b) not in apart:
                    shared.setdefault((a, b), key)
        named = _by_name(people, apart, set(shared))
        _spans(conn, people, {pid for pair in named for pid in pair})
    # Messages sent, for which of the two to keep: the counts every listing reads (cached).
    sent = list_people(db)
    for pid, count in zip(sent["person_id"], sent["messages"], strict=True):
        if pid in people:
            people[pid].messages = int(count)
    found: dict[tuple[int, int], Suggestion] = {}
    for (a, b), key in shared.items():
        kind = "phone" if key.startswith("tel:") else "email"
        said = "phone number" if kind == "phone" else "email address"
        why = f"the same {said} ({key.split(':', 1)[1]})"
        found[(a, b)] = _suggestion(people[a], people[b], kind, 100.0, why)
    for (a, b), (score, name_a, name_b) in named.items():
        first, second = people[a], people[b]
        gap = _gap(first, second)
        if gap is not None and gap > ACTIVE_GAP:
            continue
        why = f"similar names ({name_a!r} and {name_b!r}) on different apps" + _when(first, second)
        found[(a, b)] = _suggestion(first, second, "name", score, why)
    return sorted(found.values(), key=lambda s: (s.reason == "name", -s.score, s.keep, s.other))


def _by_name(
    people: dict[int, _Person], apart: set[tuple[int, int]], done: set[tuple[int, int]]
) -> dict[tuple[int, int], tuple[float, str, str]]:
    """Pairs of people with similar names on different apps, with the score and the two
    names (the user is left out: a name like theirs is usually someone else)."""
    entries = [
        (p.id, name)
        for p in people.values()
        if not p.is_me and p.identities
        for name in sorted(p.names)
        if len(utils.default_process(name)) >= _MIN_NAME
    ]
    if len(entries) < 2:
        return {}
    texts = [name for _, name in entries]
    scores = process.cdist(
        texts,
        texts,
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=NAME_SCORE,
        dtype="float32",
        workers=1,
    )
    best: dict[tuple[int, int], tuple[float, str, str]] = {}
    rows, cols = (scores >= NAME_SCORE).nonzero()
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        a, b = entries[i][0], entries[j][0]
        if a >= b:
            continue
        score = float(scores[i, j])
        if score > best.get((a, b), (-1.0, "", ""))[0]:
            best[(a, b)] = (score, entries[i][1], entries[j][1])
    return {
        pair: found
        for pair, found in best.items()
        if pair not in apart
        and pair not in done
        and not people[pair[0]].platforms & people[pair[1]].platforms
    }
