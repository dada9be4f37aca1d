"""People, their identities on each platform, "me", and the user's corrections.

During an import every sender becomes an identity (platform, handle) linked to a person:
the user's own handle to the single "me" person, a handle already seen to its person, a new
handle that is the same phone number or email address as a known one (in any notation, see
:mod:`.linking`) to that one's person, and a new handle whose name matches an existing
person's name (ignoring case and emoji, :func:`name_key`) to that person, so "Jordan" on
WhatsApp and "Jordan 🌻" on Telegram are one relationship. Everyone else is a new person
with a relationship of kind ``unknown``. Similar names are only suggested
(:mod:`.suggestions`). The user corrects the
guesses with :func:`link_identity`, :func:`merge_people`, :func:`split_identity` and
:func:`set_relationship_kind`; each is one transaction that marks the analysis stale.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlalchemy import Connection, delete, insert, select, update

from reciprocity.errors import NotFound, ReciprocityError, StoreError
from reciprocity.ingest.phones import OWN_SENDER
from reciprocity.store.cache import touch, touch_edits
from reciprocity.store.db import Database
from reciprocity.store.linking import display_name, link_key, region_of
from reciprocity.store.models import Identity, KeptApart, Person, Relationship

#: What a relationship can be; ``unknown`` until the user says.
RELATIONSHIP_KINDS = (
    "unknown",
    "friend",
    "partner",
    "parent",
    "child",
    "sibling",
    "family",
    "colleague",
    "other",
)


class MeUnknown(ReciprocityError):
    """Which sender in a file is the user cannot be told; the person names themselves."""

    setting = "me"


def _fold(name: str) -> str:
    return name.strip().casefold()


# Emoji and other pictographs, their modifiers (skin tones), joiners and variation
# selectors: decoration people add to a display name on one app and not another.
_DECORATION = frozenset({"So", "Sk", "Cf"})


def name_key(name: str) -> str:
    """A display name as imports compare it: case folded, spaces collapsed, and emoji and
    other decoration left out, so "Jordan 🌻" on Telegram is "Jordan" on WhatsApp. Letters,
    marks, digits and punctuation all count ("J. K." is not "JK"); a name that is only
    decoration keeps it.

    >>> name_key("  Jordan  🌻 "), name_key("ALEX ❤️"), name_key("🌻")
    ('jordan', 'alex', '🌻')
    """
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in unicodedata.normalize("NFC", name)
        if unicodedata.category(ch) not in _DECORATION and not 0xFE00 <= ord(ch) <= 0xFE0F
    )
    folded = " ".join(kept.split()).casefold()
    return folded or _fold(name)


class Directory:
    """Turns (platform, handle) pairs into identity ids for one import, creating as needed.

    ``me`` is the user's handle in the file being imported, or ``None`` to recognise the
    user by the handles and name already linked to "me".
    """

    def __init__(self, conn: Connection, me: str | None) -> None:
        self.conn = conn
        self.me_handle = me
        self.people_added = 0
        #: identities this import created (each changes who is who in derived frames)
        self.identities_added = 0
        #: identity id -> person id, for every identity this import touched
        self.person_of: dict[int, int] = {}
        self._ids: dict[tuple[str, str], int] = {}
        self._by_name: dict[str, int] | None = None
        #: link key -> the people whose identities carry it (see :mod:`.linking`)
        self._by_key: dict[str, set[int]] = {}
        self.region = region_of(conn).code
        row = conn.execute(select(Person.id, Person.name).where(Person.is_me)).first()
        self.me_id: int | None = None if row is None else row.id
        self._me_name: str | None = None if row is None else row.name
        self._me_names: set[str] = set()
        if row is not None:
            handles = conn.scalars(select(Identity.handle).where(Identity.person_id == row.id))
            self._me_names = {name_key(row.name), *(name_key(h) for h in handles)}

    def knows(self, pairs: Iterable[tuple[str, str]]) -> bool:
        """Whether :meth:`identities` can answer for all ``pairs`` without the database."""
        return all(pair in self._ids for pair in pairs)

    def identities(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Identity id for each (platform, handle); unknown ones are created."""
        wanted = set(pairs)
        missing = wanted - self._ids.keys()
        for platform in {p for p, _ in missing}:
            handles = [h for p, h in missing if p == platform]
            found = self.conn.execute(
                select(Identity.id, Identity.handle, Identity.person_id).where(
                    Identity.platform == platform, Identity.handle.in_(handles)
                )
            )
            for identity_id, handle, person_id in found:
                self._check_me(platform, handle, person_id)
                self._ids[(platform, handle)] = identity_id
                self.person_of[identity_id] = person_id
        for platform, handle in sorted(wanted - self._ids.keys()):
            self._ids[(platform, handle)] = self._create(platform, handle)
        return {pair: self._ids[pair] for pair in wanted}

    def _check_me(self, platform: str, handle: str, person_id: int) -> None:
        if handle == self.me_handle and person_id != self.me_id:
            raise MeUnknown(
                f"{handle!r} on {platform} already belongs to someone else in this database, "
                "so it cannot be you."
            )

    def _is_me(self, handle: str) -> bool:
        if self.me_handle is not None:
            return handle == self.me_handle
        return name_key(handle) in self._me_names

    def _create(self, platform: str, handle: str) -> int:
        key = link_key(platform, handle, self.region)
        # The user, else the one person with the same phone number or address, else by name.
        person_id = self._me() if self._is_me(handle) else self._linked(key) or self._named(handle)
        self.identities_added += 1
        identity_id = self.conn.execute(
            insert(Identity).values(
                platform=platform, handle=handle, person_id=person_id, link_key=key
            )
        ).inserted_primary_key
        assert identity_id is not None
        self.person_of[identity_id[0]] = person_id
        if key is not None:
            self._by_key.setdefault(key, set()).add(person_id)
        return int(identity_id[0])

    def _linked(self, key: str | None) -> int | None:
        """The one person already known by the phone number or address ``key``; ``None``
        when nobody is, or several people are (the user split them apart)."""
        if key is None:
            return None
        if key not in self._by_key:
            self._by_key[key] = set(
                self.conn.scalars(select(Identity.person_id).where(Identity.link_key == key))
            )
        owners = self._by_key[key]
        return next(iter(owners)) if len(owners) == 1 else None

    def _me(self) -> int:
        if self.me_id is None:
            assert self.me_handle is not None
            self.me_id = _new_person(self.conn, self.me_handle, is_me=True)
            self._me_name = self.me_handle
        elif self._me_name == OWN_SENDER and self.me_handle not in (None, OWN_SENDER):
            # The user was known only by the word the SMS, iMessage and Signal exports put
            # on their messages; an export that names them gives their name.
            self._me_name = display_name(self.me_handle)
            self.conn.execute(
                update(Person).where(Person.id == self.me_id).values(name=self._me_name)
            )
        return self.me_id

    def _named(self, handle: str) -> int:
        if self._by_name is None:
            rows = self.conn.execute(
                select(Person.id, Person.name).where(~Person.is_me).order_by(Person.id.desc())
            )
            # Descending, so the oldest person wins when two share a name.
            self._by_name = {name_key(name): person_id for person_id, name in rows}
        name = display_name(handle)
        key = name_key(name)
        if key not in self._by_name:
            self._by_name[key] = _new_person(self.conn, name, is_me=False)
            self.people_added += 1
        return self._by_name[key]


def _new_person(conn: Connection, name: str, *, is_me: bool) -> int:
    key = conn.execute(insert(Person).values(name=name, is_me=is_me)).inserted_primary_key
    assert key is not None
    person_id = int(key[0])
    if not is_me:
        conn.execute(insert(Relationship).values(person_id=person_id))
    return person_id


def find_person(conn: Connection, who: int | str) -> tuple[int, str, bool]:
    """(id, name, is_me) of the person with id ``who`` or named ``who`` (ignoring case).

    A name also matches any of the person's handles. Raises :class:`NotFound`, or
    :class:`StoreError` when several people answer to the name.
    """
    people = [
        (int(pid), str(name), bool(is_me))
        for pid, name, is_me in conn.execute(select(Person.id, Person.name, Person.is_me))
    ]
    if isinstance(who, int):
        ids = {who}
    else:
        key = _fold(who)
        ids = {pid for pid, name, _ in people if _fold(name) == key}
        if not ids:
            handles = conn.execute(select(Identity.person_id, Identity.handle))
            ids = {pid for pid, handle in handles if _fold(handle) == key}
    found = [person for person in people if person[0] in ids]
    if not found:
        raise NotFound(f"no person {who!r} in the database (names are as the exports write them)")
    if len(found) > 1:
        listed = ", ".join(f"{name} (id {pid})" for pid, name, _ in found)
        raise StoreError(f"several people answer to {who!r}: {listed}; name one by its id")
    return found[0]


def _forget_if_unlinked(conn: Connection, person_id: int) -> None:
    """Delete a person (and their relationship) left without any identity."""
    left = conn.execute(select(Identity.id).where(Identity.person_id == person_id)).first()
    is_me = conn.scalar(select(Person.is_me).where(Person.id == person_id))
    if left is None and not is_me:
        conn.execute(delete(Relationship).where(Relationship.person_id == person_id))
        conn.execute(delete(Person).where(Person.id == person_id))


def link_identity(db: Database, platform: str, handle: str, person: int | str) -> None:
    """Say that ``handle`` on ``platform`` is ``person`` (an id or a name).

    An identity that belonged to someone else moves over; a person left with no identity
    at all is removed. Creates the identity if no import has seen it yet.
    """
    with db.write() as conn:
        touch(conn)
        person_id, _, _ = find_person(conn, person)
        current = conn.execute(
            select(Identity.id, Identity.person_id).where(
                Identity.platform == platform, Identity.handle == handle
            )
        ).first()
        if current is None:
            key = link_key(platform, handle, region_of(conn).code)
            conn.execute(
                insert(Identity).values(
                    platform=platform, handle=handle, person_id=person_id, link_key=key
                )
            )
            return
        conn.execute(update(Identity).where(Identity.id == current.id).values(person_id=person_id))
        if current.person_id != person_id:
            _forget_if_unlinked(conn, current.person_id)


def merge_people(db: Database, keep: int | str, merge: int | str) -> None:
    """Make ``merge`` and ``keep`` one person: ``merge``'s identities move to ``keep``.

    ``keep`` may be the user (when a handle of theirs was taken for someone else); the
    user cannot be merged away. ``keep``'s relationship kind wins unless it is ``unknown``;
    either one marked important makes the person important. What the user wrote about
    ``merge`` by name (journal entries, needs, conversation records, check-ins) is now
    about ``keep``, so it counts with the merged chats; a later split moves chats, not
    those notes. One transaction, which marks the analysis stale.
    """
    with db.write() as conn:
        touch(conn)
        keep_id, keep_name, _ = find_person(conn, keep)
        merge_id, merge_name, merge_is_me = find_person(conn, merge)
        if keep_id == merge_id:
            raise StoreError(f"{keep_name!r} and {merge_name!r} are already the same person")
        if merge_is_me:
            raise StoreError(
                f"{merge_name!r} is you; merge the other way round (keep yourself, "
                f"merge {keep_name!r})"
            )
        kinds = dict(
            conn.execute(
                select(Relationship.person_id, Relationship.kind).where(
                    Relationship.person_id.in_([keep_id, merge_id])
                )
            ).all()
        )
        # The user now says they are one: what kept their names apart goes.
        _unkeep(conn, _identities_of(conn, keep_id), _identities_of(conn, merge_id))
        conn.execute(
            update(Identity).where(Identity.person_id == merge_id).values(person_id=keep_id)
        )
        if kinds.get(keep_id) == "unknown" and kinds.get(merge_id, "unknown") != "unknown":
            conn.execute(
                update(Relationship)
                .where(Relationship.person_id == keep_id)
                .values(kind=kinds[merge_id])
            )
        important = conn.scalar(select(Person.important).where(Person.id == merge_id))
        if important:
            conn.execute(update(Person).where(Person.id == keep_id).values(important=True))
        _rename_written(conn, merge_name, keep_name)
        conn.execute(delete(Relationship).where(Relationship.person_id == merge_id))
        conn.execute(delete(Person).where(Person.id == merge_id))


def _rename_written(conn: Connection, old: str, new: str) -> None:
    """What the user wrote about ``old`` (by name, ignoring case) is now about ``new``."""
    from reciprocity.store.models_guide import (
        Assessment,
        ConversationRecord,
        Expectation,
        JournalEntry,
    )

    key = _fold(old)
    for model in (JournalEntry, Expectation, ConversationRecord, Assessment):
        ids = [
            rid for rid, name in conn.execute(select(model.id, model.person)) if _fold(name) == key
        ]
        if ids:
            conn.execute(update(model).where(model.id.in_(ids)).values(person=new))


def set_relationship_kind(db: Database, person: int | str, kind: str) -> None:
    """Set what ``person`` is to the user: one of :data:`RELATIONSHIP_KINDS`."""
    wanted = kind.strip().lower()
    if wanted not in RELATIONSHIP_KINDS:
        raise StoreError(
            f"{kind!r} is not a relationship kind; use one of: " + ", ".join(RELATIONSHIP_KINDS)
        )
    with db.write() as conn:
        touch(conn)
        person_id, name, is_me = find_person(conn, person)
        if is_me:
            raise StoreError(f"{name!r} is you; a relationship is with someone else")
        changed = conn.execute(
            update(Relationship).where(Relationship.person_id == person_id).values(kind=wanted)
        ).rowcount
        if not changed:
            conn.execute(insert(Relationship).values(person_id=person_id, kind=wanted))


def set_important(db: Database, person: int | str, important: bool = True) -> str:
    """Mark ``person`` (id or name) as a tie the user wants to hear from, or unmark them;
    returns their name. The "gone quiet" list reads the mark."""
    with db.write() as conn:
        person_id, name, is_me = find_person(conn, person)
        if is_me:
            raise StoreError("you cannot mark yourself as important here; pick someone else")
        conn.execute(update(Person).where(Person.id == person_id).values(important=important))
        touch_edits(conn)
    return name


def important_people(db: Database) -> list[str]:
    """The names of everyone marked as important, alphabetically."""
    with db.engine.connect() as conn:
        names = conn.scalars(select(Person.name).where(Person.important & ~Person.is_me)).all()
    return sorted(names, key=str.casefold)


def list_identities(db: Database) -> list[dict[str, object]]:
    """Every name or handle, with its person: ``identity_id``, ``platform``, ``handle``,
    ``person_id``, ``person``, ``is_me``; the user's first, then by person and platform."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                Identity.id,
                Identity.platform,
                Identity.handle,
                Person.id,
                Person.name,
                Person.is_me,
            ).join(Person, Person.id == Identity.person_id)
        ).all()
    found = [
        {
            "identity_id": int(identity_id),
            "platform": platform,
            "handle": handle,
            "person_id": int(person_id),
            "person": name,
            "is_me": bool(is_me),
        }
        for identity_id, platform, handle, person_id, name, is_me in rows
    ]
    return sorted(found, key=lambda r: (not r["is_me"], _fold(str(r["person"])), r["platform"]))


def split_identity(db: Database, identity_id: int) -> int:
    """Move one name or handle out of its person into a person of its own (undoing a merge,
    or saying that a name taken for the user is someone else). Returns the new person's id.

    Refused when the name is already its person's only one (nothing to split).
    """
    with db.write() as conn:
        touch(conn)
        row = conn.execute(
            select(Identity.handle, Identity.person_id, Person.is_me)
            .join(Person, Person.id == Identity.person_id)
            .where(Identity.id == identity_id)
        ).first()
        if row is None:
            raise NotFound(f"there is no name or handle {identity_id}")
        others = [i for i in _identities_of(conn, row.person_id) if i != identity_id]
        if not others and not row.is_me:
            raise StoreError(f"{row.handle!r} is already a person of their own")
        person_id = _new_person(conn, display_name(row.handle), is_me=False)
        conn.execute(update(Identity).where(Identity.id == identity_id).values(person_id=person_id))
        # Remembered, so the two are not suggested as one person again (a merge forgets it).
        _keep(conn, [identity_id], others)
    return person_id


def _identities_of(conn: Connection, person_id: int) -> list[int]:
    return [
        int(i) for i in conn.scalars(select(Identity.id).where(Identity.person_id == person_id))
    ]


def _pairs(ours: Iterable[int], theirs: Iterable[int]) -> set[tuple[int, int]]:
    return {(min(a, b), max(a, b)) for a in ours for b in theirs if a != b}


def _keep(conn: Connection, ours: Iterable[int], theirs: Iterable[int]) -> None:
    """Record every pair of ``ours`` and ``theirs`` as two people (once each)."""
    pairs = _pairs(ours, theirs)
    if not pairs:
        return
    known = {
        (int(a), int(b)) for a, b in conn.execute(select(KeptApart.identity_id, KeptApart.other_id))
    }
    new = sorted(pairs - known)
    if new:
        conn.execute(insert(KeptApart), [{"identity_id": a, "other_id": b} for a, b in new])


def _unkeep(conn: Connection, ours: list[int], theirs: list[int]) -> None:
    for a, b in _pairs(ours, theirs):
        conn.execute(delete(KeptApart).where(KeptApart.identity_id == a, KeptApart.other_id == b))


def keep_apart(db: Database, person: int | str, other: int | str) -> None:
    """Say that ``person`` and ``other`` are two people: they are not suggested as one
    again (a later merge of the two undoes this). Changes no figure."""
    with db.write() as conn:
        first, first_name, _ = find_person(conn, person)
        second, second_name, _ = find_person(conn, other)
        if first == second:
            raise StoreError(f"{first_name!r} and {second_name!r} are the same person")
        _keep(conn, _identities_of(conn, first), _identities_of(conn, second))


def identity_of(db: Database, person: int | str, handle: str) -> int:
    """The id of the name or handle ``handle`` (ignoring case, or an identity id) among
    ``person``'s; what ``people split PERSON IDENTITY`` moves out. Raises
    :class:`NotFound`, or :class:`StoreError` when it is on several platforms."""
    with db.engine.connect() as conn:
        person_id, name, _ = find_person(conn, person)
        rows = conn.execute(
            select(Identity.id, Identity.platform, Identity.handle).where(
                Identity.person_id == person_id
            )
        ).all()
    key = _fold(handle)
    found = [r for r in rows if _fold(r.handle) == key or str(r.id) == handle.strip()]
    if not found:
        listed = ", ".join(f"{r.handle} ({r.platform})" for r in rows)
        raise NotFound(f"{name} has no name or handle {handle!r}; theirs: {listed}")
    if len(found) > 1:
        where = ", ".join(f"{r.platform} (id {r.id})" for r in found)
        raise StoreError(f"{name} is {handle!r} on several apps: {where}; name one by its id")
    return int(found[0].id)


def find_identity(db: Database, handle: str, platform: str | None = None) -> int:
    """The id of the name or handle ``handle`` (ignoring case), on ``platform`` when given.

    Raises :class:`NotFound`, or :class:`StoreError` when it is on several platforms.
    """
    key = _fold(handle)
    found = [
        r
        for r in list_identities(db)
        if _fold(str(r["handle"])) == key and platform in (None, r["platform"])
    ]
    if not found:
        raise NotFound(f"no name or handle {handle!r} in the database")
    if len(found) > 1:
        where = ", ".join(str(r["platform"]) for r in found)
        raise StoreError(f"{handle!r} is on several apps ({where}); say which with --platform")
    return int(str(found[0]["identity_id"]))


def rename_person(db: Database, who: int | str, name: str) -> str:
    """Give a person (the user too) the name the pages show; returns the old name."""
    new = name.strip()
    if not new:
        raise StoreError("a name cannot be empty")
    with db.write() as conn:
        touch(conn)
        person_id, old, _ = find_person(conn, who)
        conn.execute(update(Person).where(Person.id == person_id).values(name=new))
    return old
