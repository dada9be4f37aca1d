"""Everyone with their names and handles on each app: what ``people list`` and the people
page show, so the two say the same.

A person's identities are grouped by app; each says whether it carries a phone number or
an email address (its link key, :mod:`.linking`), which is what ties it to the same person
on other apps.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from reciprocity import words
from reciprocity.store.db import Database
from reciprocity.store.models import Identity, Person, Relationship
from reciprocity.store.read import list_people

__all__ = ["people_directory"]


def _linked_by(key: str | None) -> str | None:
    if key is None:
        return None
    return "phone" if key.startswith("tel:") else "email"


def people_directory(db: Database) -> list[dict[str, Any]]:
    """The user first, then everyone else most active first: ``person_id``, ``person``,
    ``is_me``, ``kind``, ``messages`` (sent, in every chat) and ``apps``: per app
    (``platform``, ``app`` in words), its ``identities`` (``identity_id``, ``handle``,
    ``linked_by``: ``phone``, ``email`` or ``None``)."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                Identity.id, Identity.person_id, Identity.platform, Identity.handle,
                Identity.link_key,
            ).order_by(Identity.platform, Identity.handle)
        ).all()  # fmt: skip
        me = conn.execute(select(Person.id, Person.name).where(Person.is_me)).first()
        kinds = {
            int(pid): str(kind)
            for pid, kind in conn.execute(select(Relationship.person_id, Relationship.kind))
        }
    apps: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for iid, pid, platform, handle, key in rows:
        apps[int(pid)][str(platform)].append(
            {"identity_id": int(iid), "handle": str(handle), "linked_by": _linked_by(key)}
        )

    def entry(pid: int, name: str, is_me: bool, messages: int | None) -> dict[str, Any]:
        return {
            "person_id": pid,
            "person": name,
            "is_me": is_me,
            "kind": None if is_me else kinds.get(pid, "unknown"),
            "messages": messages,
            "apps": [
                {
                    "platform": platform,
                    "app": words.choice(words.app(platform)),
                    "identities": found,
                }
                for platform, found in sorted(apps[pid].items())
            ],
        }

    listed = []
    if me is not None:
        listed.append(entry(int(me.id), str(me.name), True, None))
    for row in list_people(db).iter_rows(named=True):
        listed.append(entry(int(row["person_id"]), str(row["person"]), False, row["messages"]))
    return listed
