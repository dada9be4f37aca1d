"""What WhatsApp's text exports look like: the line header, placeholders, file names.

Data only, so a new locale's wording is added here without touching the parser. Every
pattern is written in the subset that Python's :mod:`re` and Polars' (Rust) regex engine
read the same way, because :func:`~reciprocity.ingest.whatsapp.detect` checks a file's
head with :mod:`re` while the parser runs the same pattern over whole columns in Polars.

The layouts, as the phone apps write them::

    Android  12/03/2024, 21:15 - Alex: text         system lines have no "sender: "
             3/12/24, 9:15 PM - Alex: text          US locale: month first, 12-hour clock
             12.03.24, 21:15 - Alex: text           German: dots, 2-digit year
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

LRM = "\u200e"

# The header opening every message. Groups: whole header, then either p1/p2/year
# (day and month in an order the file decides) or a year-first date, then the clock.
# Digits are spelled [0-9] because \d also matches other scripts' digits in both engines.
HEADER = (
    "^(?P<hdr>[\u200e\u200f]*\\[?"
    "(?:(?P<p1>[0-9]{1,2})[./-] ?(?P<p2>[0-9]{1,2})[./-] ?(?P<yy>[0-9]{4}|[0-9]{2})"
    "|(?P<ymd_y>[0-9]{4})[./-] ?(?P<ymd_m>[0-9]{1,2})[./-] ?(?P<ymd_d>[0-9]{1,2}))"
    "\\.?,? "
    "(?P<hh>[0-9]{1,2})[:.](?P<mi>[0-9]{2})(?:[:.](?P<ss>[0-9]{2}))?"
    "(?:[ \u202f\u00a0]?(?P<ap>[AaPp])\\.?[ \u202f\u00a0]?[Mm]\\.?)?"
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

# Android (text-only export): <placeholder>, localized.
_ANDROID_MEDIA = (
    "Media omitted",
    "Medien ausgelassen",
    "Multimedia omitido",
    "Multimédia omitido",
    "Médias omis",
    "Mídia oculta",
    "Media weggelaten",
    "Media omessi",
    "Medya dahil edilmedi",
    "Media tidak disertakan",
    "Без медиафайлов",
)
# iOS (text-only export): "<kind> omitted", localized.
_IOS_MEDIA = (
    "image omitted",
    "video omitted",
    "audio omitted",
    "sticker omitted",
    "GIF omitted",
    "Contact card omitted",
    "live location shared",
    "Bild weggelassen",
    "Video weggelassen",
    "Audio weggelassen",
    "Sticker weggelassen",
    "GIF weggelassen",
    "Kontaktkarte weggelassen",
    "imagen omitida",
    "video omitido",
    "audio omitido",
    "sticker omitido",
)
# iOS documents come after the file name: "Report.pdf • 3 pages document omitted".
_IOS_DOCUMENT = ("document omitted", "Dokument weggelassen", "documento omitido")
# Android export "with media": "IMG-20240312-WA0001.jpg (file attached)", then a caption.
_FILE_ATTACHED = (
    "file attached",
    "Datei angehängt",
    "archivo adjunto",
    "fichier joint",
    "arquivo anexado",
    "file allegato",
    "bestand bijgevoegd",
)


def _alternatives(phrases: tuple[str, ...]) -> str:
    return "|".join(re.escape(p) for p in phrases)


MEDIA = (
    f"^(?:<(?:{_alternatives(_ANDROID_MEDIA)})>$"
    f"|(?:{_alternatives(_IOS_MEDIA)})$"
    f"|(?:[^\n]* )?(?:{_alternatives(_IOS_DOCUMENT)})$"
    # iOS export with media: "<attached: 00000012-PHOTO-2024-03-12-21-16-40.jpg>"
    "|<attached: [^>\n]*>"
    # a shared location or a poll, which iOS marks like its own events
    "|(?:Location|Standort|Ubicación): https?://|(?:POLL|UMFRAGE|ENCUESTA):\n"
    f"|[^\n]* \\((?:{_alternatives(_FILE_ATTACHED)})\\)(?:\n|$))"
)

# Missed calls; iOS may add ", Tap to call back" (or a localized hint) on the same line.
_CALLS = (
    "Missed voice call",
    "Missed video call",
    "Missed group voice call",
    "Missed group video call",
    "Verpasster Sprachanruf",
    "Verpasster Videoanruf",
    "Verpasster Gruppen-Sprachanruf",
    "Verpasster Gruppen-Videoanruf",
    "Llamada perdida",
    "Llamada de voz perdida",
    "Videollamada perdida",
    "Appel vocal manqué",
    "Appel vidéo manqué",
    "Chamada de voz perdida",
    "Chamada de vídeo perdida",
    "Chiamata vocale persa",
    "Videochiamata persa",
    "Gemiste spraakoproep",
    "Gemiste video-oproep",
)
CALL = f"^(?:{_alternatives(_CALLS)})(?:[,.][^\n]*)?$"

# Deleted messages keep their sender but are not something anyone said.
_DELETED = (
    "This message was deleted",
    "You deleted this message",
    "Diese Nachricht wurde gelöscht",
    "Du hast diese Nachricht gelöscht",
    "Se eliminó este mensaje",
    "Eliminaste este mensaje",
    "Ce message a été supprimé",
    "Vous avez supprimé ce message",
    "Mensagem apagada",
    "Você apagou esta mensagem",
    "Questo messaggio è stato eliminato",
    "Hai eliminato questo messaggio",
    "Dit bericht is verwijderd",
    "Je hebt dit bericht verwijderd",
)
DELETED = f"^(?:{_alternatives(_DELETED)})\\.?$"

# The marker newer apps append to an edited message; dropped, the text stays.
_EDITED = (
    "This message was edited",
    "Diese Nachricht wurde bearbeitet",
    "Se editó este mensaje.",
    "Ce message a été modifié",
    "Esta mensagem foi editada",
    "Questo messaggio è stato modificato",
    "Dit bericht is bewerkt",
)
EDITED = f"[ \t]*{LRM}?<(?:{_alternatives(_EDITED)})>$"

# Bidirectional marks Android wraps around phone numbers used as names (U+202A ... U+202C)
# and the marks iOS sprinkles around names; none of them is part of the name.
SENDER_MARKS = "[\u200e\u200f\u202a-\u202e\u2066-\u2069]"

# File names the apps give an export, per locale; the group is the chat's title.
TITLE = re.compile(
    r"^(?:WhatsApp[ -]Chat (?:with|mit|-|–|—) "
    r"|Chat de WhatsApp con "
    r"|Discussion WhatsApp avec "
    r"|Conversa do WhatsApp com "
    r"|Chat WhatsApp con "
    r"|WhatsApp-chat met "
    r"|WhatsApp-Chat mit )"
    r"(?P<title>.+?)(?: \([0-9]+\))?$",
    re.IGNORECASE,
)

#: Name iOS gives the chat text inside its zip.
IOS_MEMBER = "_chat.txt"
