"""One reaction as a row, the same way for every format (the contract is in :mod:`.base`).

Parsers find reactions where their export keeps them (a list on the message in Messenger,
Discord, Telegram and Signal's JSON; a line under the message in Signal's Markdown; a row
of its own in iMessage) and turn each into a row with :func:`reaction_row`.
"""

from __future__ import annotations

from reciprocity.ingest.base import REACTION, reaction_id, target_at

__all__ = ["ReactionRow", "reaction_row"]

#: ``sender``, ``timestamp`` (µs), ``text``, ``kind``, ``reply_to``, ``source_id``, ``line``:
#: the order of the JSON parsers' rows.
ReactionRow = tuple[str, int, str, str, str, str, int]


def reaction_row(
    reactor: str,
    micros: int,
    reaction: str,
    line: int,
    *,
    target_id: str | None,
    target_sender: str | None = None,
    target_micros: int | None = None,
    own_id: str | None = None,
) -> ReactionRow:
    """The row of ``reactor``'s ``reaction`` given at ``micros``, found at ``line``, to the
    message with the platform id ``target_id`` or, without one, the message that
    ``target_sender`` sent at ``target_micros`` (``micros`` when not given). ``own_id``:
    the platform's id of the reaction itself, when it has one."""
    if target_id is not None:
        target = target_id
    else:
        target = target_at(target_sender, micros if target_micros is None else target_micros)
    source_id = own_id if own_id is not None else reaction_id(target, reactor, reaction)
    return (reactor, micros, reaction, REACTION, target, source_id, line)
