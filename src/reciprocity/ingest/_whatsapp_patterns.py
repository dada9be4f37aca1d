"""What WhatsApp's text exports look like: the line header, placeholders, file names.

Data only, so a new locale's wording is added here without touching the parser. Every
pattern is written in the subset that Python's :mod:`re` and Polars' (Rust) regex engine
read the same way, because :func:`~reciprocity.ingest.whatsapp.detect` checks a file's
head with :mod:`re` while the parser runs the same pattern over whole columns in Polars.

The layouts, as the phone apps write them::

    Android  12/03/2024, 21:15 - Alex: text         system lines have no "sender: "
             3/12/24, 9:15 PM - Alex: text          US locale: month first, 12-hour clock
             12.03.24, 21:15 - Alex: text           German: dots, 2-digit year
             03/08/2021 à 12:30 - Alex: texte       French: "à" between date and time
             02.01.21, 3:00 nachm. - Alex: Hallo    German 12-hour clock: vorm./nachm.
    iOS      [12/03/2024, 21:15:03] Alex: text      seconds, square brackets
             ‎[12/03/2024, 21:16:40] Alex: ‎image omitted
             [12/03/2024, 21:15:03] Alex: ‎Messages and calls are end-to-end encrypted. ...

iOS puts a left-to-right mark (U+200E) before lines that carry an attachment and before
the text of events it writes itself; those events carry the chat's name as their sender,
so the mark is what tells them from a message. Newer Android and iOS releases put a
narrow no-break space (U+202F) before AM/PM; Spanish writes ``p. m.``.
"""

from __future__ import annotations

import re

from reciprocity.ingest._whatsapp_locales import (
    AFTERNOON,
    MORNING,
    POLLS,
    SHARED,
    alternatives,
    cased,
    every,
)

LRM = "\u200e"

# The header opening every message. Groups: whole header, then either p1/p2/year
# (day and month in an order the file decides) or a year-first date, then the clock.
# Digits are spelled [0-9] because \d also matches other scripts' digits in both engines.
HEADER = (
    "^(?P<hdr>[\u200e\u200f]*\\[?"
    "(?:(?P<p1>[0-9]{1,2})[./-] ?(?P<p2>[0-9]{1,2})[./-] ?(?P<yy>[0-9]{4}|[0-9]{2})"
    "|(?P<ymd_y>[0-9]{4})[./-] ?(?P<ymd_m>[0-9]{1,2})[./-] ?(?P<ymd_d>[0-9]{1,2}))"
    # French Android writes "03/08/2021 à 12:30 - " (an optional part, not a choice of
    # two: the regex engines keep to one path and stay as fast as without it)
    "\\.?,?(?: à)? "
    "(?P<hh>[0-9]{1,2})[:.](?P<mi>[0-9]{2})(?:[:.](?P<ss>[0-9]{2}))?"
    # AM/PM, or a language's own words for the morning and the afternoon (German
    # "vorm.", "nachm."): one group, since each group costs the regex engines time
    "(?:[ \u202f\u00a0]?(?P<ap>[AaPp]\\.?[ \u202f\u00a0]?[Mm]\\.?"
    f"|{alternatives(MORNING + AFTERNOON)}))?"
    "(?:\\] | - ))"
)
#: No line shorter than this (in bytes) matches :data:`HEADER`: the shortest header is
#: ``1/2/24 3:45] `` (one-digit day and month, a 2-digit year, no comma, a one-digit hour,
#: the bracket's end with no bracket before it). The parser looks for headers only on
#: lines at least this long.
SHORTEST_HEADER = 13
HEADER_FIELDS = ("hdr", "p1", "p2", "yy", "ymd_y", "ymd_m", "ymd_d", "hh", "mi", "ss", "ap")

HEADER_RE = re.compile(HEADER)

# "Name: text" after the header. A colon inside the name is not supported (names with one
# are vanishingly rare, system lines with one after a name are not: 'changed the subject
# to "Re: ..."' reads better as a system line than as a message from half a sentence).
SENDER = "^([^:\n]*): "

# The placeholders, calls and markers of every language (:mod:`._whatsapp_locales`), each
# phrase in both cases of its first letter.
MEDIA = (
    f"^(?:<(?:{alternatives(cased(every('media')))})>$"
    f"|(?:{alternatives(cased(every('omitted')))})$"
    # iOS documents come after the file name: "Report.pdf • 3 pages document omitted"
    f"|(?:[^\n]* )?(?:{alternatives(cased(every('documents')))})$"
    # iOS export with media: "<attached: 00000012-PHOTO-2024-03-12-21-16-40.jpg>"
    "|<attached: [^>\n]*>"
    # a shared location or a poll, which iOS marks like its own events
    f"|(?:{alternatives(SHARED)})https?://|(?:{alternatives(POLLS)}):\n"
    # Android export "with media": "IMG-20240312-WA0001.jpg (file attached)", then a caption
    f"|[^\n]* \\((?:{alternatives(every('attached'))})\\)(?:\n|$))"
)

# Missed calls; iOS may add ", Tap to call back" (or a localized hint) on the same line.
CALL = f"^(?:{alternatives(cased(every('calls')))})(?:[,.][^\n]*)?$"

# Deleted messages keep their sender but are not something anyone said; nor are the
# notices the app writes itself (the encryption notice) in every language, which a line
# starting with one is, even under a name (iOS writes them under the chat's) and even
# when the left-to-right mark that flags them was lost. One pattern for both: one pass.
DELETED = f"^(?:{alternatives(cased(every('deleted')))})\\.?$|^(?:{alternatives(every('notices'))})"
#: A text :data:`DELETED` matches is a deleted message when at most this long (in
#: characters),
#: else a notice: every notice is longer than every deleted marker, so a length tells
#: them apart without a second pass over the texts.
LONGEST_DELETED = max(len(p) + 1 for p in every("deleted"))
if min(len(p) for p in every("notices")) <= LONGEST_DELETED:  # pragma: no cover
    raise AssertionError("a notice is no longer than a deleted marker: give it its own pattern")

# The marker newer apps append to an edited message; dropped, the text stays.
EDITED = f"[ \t]*{LRM}?<(?:{alternatives(every('edited'))})>$"

# Bidirectional marks Android wraps around phone numbers used as names (U+202A ... U+202C)
# and the marks iOS sprinkles around names; none of them is part of the name.
SENDER_MARKS = "[\u200e\u200f\u202a-\u202e\u2066-\u2069]"

# File names the apps give an export, per locale; the group is the chat's title.
TITLE = re.compile(
    f"^(?:{alternatives(every('titles'))})(?P<title>.+?)(?: \\([0-9]+\\))?$",
    re.IGNORECASE,
)

#: Name iOS gives the chat text inside its zip.
IOS_MEMBER = "_chat.txt"


def opens_with_header(head: bytes) -> bool:
    """Whether the first line of ``head`` that holds anything is a message header: how a
    WhatsApp export is told by its content, whatever its file is called."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    for line in text.split("\n"):
        if line.strip().strip(LRM):
            return HEADER_RE.match(line) is not None
    return False
