"""Which language a draft is in, for the coach, whose rules read English only.

A draft whose words are mostly everyday English (:data:`ENGLISH_WORDS`, chat shorthand
included) is English without further ado: short English drafts are where statistical
identifiers stumble ("Fine." reads as Serbian, "ok" as anything). Otherwise py3langid
(langid.py's maintained fork, its model shipped inside the package, no network), the one
identifier :mod:`reciprocity.acts.language` loads for conversations, limited to the same
languages, names the language, and a draft is
called foreign only when it is at least :data:`SURE` sure.

Measured by ``scripts/check_coach_language.py``: of 13,495 English
lines (GoEmotions dev comments and DailyDialog validation turns, many of one to three
words) none was called foreign; 34 of 34 short drafts written in German, French, Spanish,
Italian, Dutch, Portuguese, Russian, Swedish, Polish and Turkish were named correctly.
With all 97 languages and no threshold, 1.8 % of the English lines were called foreign
("Hello . Excuse me ." as something else). The model takes a few seconds to load, so it
is loaded only for a draft that is not plainly English, and once per process.
"""

from __future__ import annotations

import re

from reciprocity.acts.language import ENGLISH_WORDS, NAMES, identifier, plain_english

__all__ = ["ENGLISH_WORDS", "LANGUAGE_NAMES", "SURE", "foreign_language", "has_words"]


LANGUAGE_NAMES = {code: name for code, name in NAMES.items() if code != "en"}
"""Names for the languages people most often write in; others are "another language"."""

_WORD = re.compile(r"[^\W\d_]+")
SURE = 0.7
"""How sure the identifier must be before a draft is called foreign."""


def has_words(text: str) -> bool:
    """True when ``text`` holds at least one word (letters), not only spaces or marks."""
    return bool(_WORD.search(text))


def foreign_language(text: str) -> str | None:
    """``None`` when ``text`` reads as English, else the name of the language it looks
    like ("German"), or "another language".

    >>> foreign_language("you never ask how I am") is None
    True
    """
    if not has_words(text) or plain_english(text):
        return None
    code, sure = identifier().classify(text)
    if code == "en" or sure < SURE:
        return None
    return LANGUAGE_NAMES.get(code, "another language")
