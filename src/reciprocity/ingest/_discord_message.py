"""The fields read from each DiscordChatExporter message (:mod:`.discord`), as msgspec
structs: every other field of its large message objects (embeds, roles, avatars …) is
skipped by the decoder, and a message the typed decoding refuses is rebuilt loosely
(:func:`loose`) so that the parser can say what is wrong with it in its own words.
"""

from __future__ import annotations

from typing import Any

import msgspec

from reciprocity.ingest._json_items import Shape


# The fields read from each message, decoded straight into these (every other field of
# DiscordChatExporter's large message objects is skipped). Values are ``Any`` because a
# field of an unexpected type is reported by the parser's checks, in words, not by the decoder;
# ``gc=False``: they hold no cycles, so the collector need not walk a channel's worth.
class Author(msgspec.Struct, gc=False, frozen=True):
    """Who wrote or reacted. Frozen, so that equal authors are one key of a dict: a
    channel's million messages have a handful of authors, each named once."""

    id: Any = None
    name: Any = None
    nickname: Any = None


class Named(msgspec.Struct, gc=False):
    """An attachment (``fileName``, ``url``) or a sticker (``name``)."""

    fileName: Any = None
    url: Any = None
    name: Any = None


class Reference(msgspec.Struct, gc=False):
    messageId: Any = None
    type: Any = None


class Emoji(msgspec.Struct, gc=False):
    id: Any = None
    name: Any = None


class Reaction(msgspec.Struct, gc=False):
    """One emoji on a message and who put it there (``users``: newer exporter versions)."""

    emoji: Emoji | None = None
    users: tuple[Author, ...] | None = None


class Message(msgspec.Struct, gc=False):
    id: Any = None
    type: Any = None
    timestamp: Any = None
    callEndedTimestamp: Any = None
    content: Any = None
    author: Author | None = None
    attachments: tuple[Named, ...] | None = None
    stickers: tuple[Named, ...] | None = None
    reference: Reference | None = None
    reactions: tuple[Reaction, ...] | None = None


def loose(value: Any) -> Any:
    """A :class:`Message` from a message the typed decoding refused (a part of an
    unexpected type is left out), or ``value`` itself when it is not an object."""
    if not isinstance(value, dict):
        return value

    def part(kind: type[msgspec.Struct], found: Any) -> Any:
        if not isinstance(found, dict):
            return None
        return kind(**{f: found.get(f) for f in kind.__struct_fields__})

    def parts(found: Any) -> tuple[Named, ...] | None:
        if not isinstance(found, list):
            return None
        return tuple(part(Named, one) or Named() for one in found)

    return Message(
        id=value.get("id"),
        type=value.get("type"),
        timestamp=value.get("timestamp"),
        callEndedTimestamp=value.get("callEndedTimestamp"),
        content=value.get("content"),
        author=part(Author, value.get("author")),
        attachments=parts(value.get("attachments")),
        stickers=parts(value.get("stickers")),
        reference=part(Reference, value.get("reference")),
        reactions=_loose_reactions(value.get("reactions"), part),
    )


def _loose_reactions(found: Any, part: Any) -> tuple[Reaction, ...] | None:
    """The reactions of a message decoded loosely (see :func:`loose`): a part of an
    unexpected type is left out."""
    if not isinstance(found, list):
        return None
    reactions = []
    for one in found:
        if isinstance(one, dict):
            users = one.get("users")
            people = [part(Author, u) for u in users] if isinstance(users, list) else []
            reactions.append(
                Reaction(
                    emoji=part(Emoji, one.get("emoji")),
                    users=tuple(p for p in people if p is not None),
                )
            )
    return tuple(reactions)


SHAPE = Shape(list[Message], loose)
