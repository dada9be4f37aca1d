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

from reciprocity.acts.language import NAMES, identifier

__all__ = ["ENGLISH_WORDS", "LANGUAGE_NAMES", "SURE", "foreign_language", "has_words"]

_WORDS = """
constantly interrupt ignore ignored selfish rude phone birthday text texts texted answer
busy remember show late early apologise apologize anyone everyone nobody nice mad angry
sad upset hurt tired feeling friends family mum mom dad job home party dinner lunch
tonight tomorrow weekend
a about after again all always am an and any anymore anything are aren't around as ask
asked at away back be because been before being better but by call called can can't
cancel care come could couldn't day did didn't do does doesn't don't done even ever
every everything feel feels felt fine first for forgot friend from get gets getting give
go going good got great had hard has hasn't have haven't he hear help her here him his
how i i'd i'll i'm i've if in into is isn't it it's just know last late let like listen
listened little lot love make makes me mean meet message messages miss more most much my
myself need never new no not nothing now of off oh ok okay on once one only or other our
out over plans please really reply said say see seem she should so some someone
something sorry still stop sure talk tell than thank thanks that that's the their them
then there these they thing things think this those time to today told too tried try two
up us very want wanted was wasn't way we week weeks well were weren't what when where
which while who why will with without won't word work would wouldn't yeah yes yesterday
yet you you'd you'll you're you've your yours yourself u ur r lol idk thx pls plz omg
btw tbh imo cant dont wont im ive youre
"""
ENGLISH_WORDS = frozenset(_WORDS.split())
"""Everyday English words; a draft made mostly of them is read as English."""

LANGUAGE_NAMES = {code: name for code, name in NAMES.items() if code != "en"}
"""Names for the languages people most often write in; others are "another language"."""

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_PLAIN = 0.5
"""Share of everyday English words above which a draft is English without the model."""
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
    words = [w.lower() for w in _WORD.findall(text.replace("\u2019", "'"))]
    if not words:
        return None
    plain = sum(w in ENGLISH_WORDS for w in words) / len(words)
    if plain > _PLAIN:
        return None
    code, sure = identifier().classify(text)
    if code == "en" or sure < SURE:
        return None
    return LANGUAGE_NAMES.get(code, "another language")
