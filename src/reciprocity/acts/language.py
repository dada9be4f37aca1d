"""Which language a conversation is written in, and whether its message kinds can be read.

Acts are claimed only for languages that have both hand-written rules and a shipped model
(:func:`read_languages`; today English). A conversation in another language is marked
"message kinds not read for <language>", and its support figures are "not measured", never
zero: a German chat full of comfort must not read as a chat where nobody comforts anyone.

The language is found by ``py3langid`` (BSD-3-Clause, a maintained fork of langid.py that
ships its model inside the wheel: nothing is downloaded at run time), restricted to
:data:`CANDIDATES` so that short chat messages are not read as some rare language. Its model
loads once per process, lazily (about half a second on a quiet machine, measured); a whole
conversation is classified from a sample of its longer messages joined together, which is
far more reliable than message by message.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import polars as pl

from reciprocity.acts import ACTS

#: Languages the detector chooses among: the languages most chat exports we meet are in.
CANDIDATES: tuple[str, ...] = (
    "en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs", "tr",
    "ru", "uk", "el", "ro", "hu", "id", "ar", "he", "hi", "ja", "zh", "ko", "vi", "ca",
)  # fmt: skip

#: Names of the languages in plain words, for what a user reads.
NAMES: dict[str, str] = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "da": "Danish", "no": "Norwegian",
    "fi": "Finnish", "pl": "Polish", "cs": "Czech", "tr": "Turkish", "ru": "Russian",
    "uk": "Ukrainian", "el": "Greek", "ro": "Romanian", "hu": "Hungarian",
    "id": "Indonesian", "ar": "Arabic", "he": "Hebrew", "hi": "Hindi", "ja": "Japanese",
    "zh": "Chinese", "ko": "Korean", "vi": "Vietnamese", "ca": "Catalan",
}  # fmt: skip

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
"""Everyday English words; a text made mostly of them is read as English
(by the coach for a draft, here for a chat) without asking the model."""
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
PLAIN_ENGLISH = 0.5
"""Share of everyday English words above which a text is English without the model: most
chats are, and the model takes most of a second to load."""


def plain_english(text: str) -> bool:
    """Whether more than :data:`PLAIN_ENGLISH` of ``text``'s words are everyday English.

    >>> plain_english("are we still on for dinner tomorrow?"), plain_english("Wie geht es dir?")
    (True, False)
    """
    found = [w.lower() for w in _WORD.findall(text.replace("\u2019", "'"))]
    return bool(found) and sum(w in ENGLISH_WORDS for w in found) / len(found) > PLAIN_ENGLISH


UNKNOWN = "und"
"""The code for "not enough text to tell" (too few words): acts are read as usual then."""

#: Words needed before a language is named; below it the conversation counts as unknown.
MIN_WORDS = 8
#: Messages sampled per conversation (the longest ones, up to this many).
SAMPLE = 200

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def identifier() -> Any:
    """py3langid's identifier limited to :data:`CANDIDATES`, loaded once per process and
    shared by everything that asks (conversations here, the coach's drafts)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    with _LOCK:
        found = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        found.set_languages(list(CANDIDATES))
    return found


def read_languages() -> frozenset[str]:
    """Languages whose message kinds are read: rules and a shipped model both exist."""
    from reciprocity.acts.model import shipped_model_folder
    from reciprocity.acts.rules import available_languages

    return frozenset(
        lang
        for lang in available_languages()
        if shipped_model_folder(lang).joinpath("model.json").is_file()
    )


def language_of(text: str) -> tuple[str, float]:
    """The language code of ``text`` and the detector's confidence (0-1); :data:`UNKNOWN`
    when the text has fewer than :data:`MIN_WORDS` words.

    >>> language_of("hey how are you doing, are we still on for dinner tomorrow night?")[0]
    'en'
    >>> language_of("ok")[0]
    'und'
    """
    if len(text.split()) < MIN_WORDS:
        return UNKNOWN, 0.0
    if plain_english(text):
        return "en", 1.0
    code, confidence = identifier().classify(text)
    return str(code), round(float(confidence), 3)


def conversation_languages(
    frame: pl.DataFrame | pl.LazyFrame, *, by: str | Iterable[str] = "relationship_id"
) -> pl.DataFrame:
    """One row per conversation: ``by``, ``language`` (code), ``language_name``,
    ``confidence`` and ``acts_read`` (False: message kinds are not read for it).

    ``frame`` has ``text`` and the ``by`` column(s). Each conversation is judged on a sample
    of its longest messages (at most :data:`SAMPLE`) joined together.
    """
    keys = [by] if isinstance(by, str) else list(by)
    sample = (
        frame.lazy()
        .select(*keys, pl.col("text").cast(pl.String))
        .filter(pl.col("text").str.len_chars() > 0)
        .sort(pl.col("text").str.len_chars(), descending=True)
        .group_by(keys, maintain_order=True)
        .agg(pl.col("text").head(SAMPLE).str.join(" \n ").alias("_joined"))
        .collect()
    )
    found = [language_of(text) for text in sample["_joined"].to_list()]
    readable = read_languages()
    codes = [code for code, _ in found]
    return sample.select(keys).with_columns(
        pl.Series("language", codes, dtype=pl.String),
        pl.Series("language_name", [NAMES.get(c, c) for c in codes], dtype=pl.String),
        pl.Series("confidence", [c for _, c in found], dtype=pl.Float32),
        pl.Series("acts_read", [c == UNKNOWN or c in readable for c in codes], dtype=pl.Boolean),
    )


def unread_blanked(
    frame: pl.DataFrame, langs: pl.DataFrame | None, *, by: str = "relationship_id"
) -> pl.DataFrame:
    """``frame`` (messages with act columns) with no act claimed where ``by`` (the
    relationship, or the group chat) is in a language that is not read (``acts_read``
    False in ``langs``, from :func:`conversation_languages`): every act False, depth 0.
    English rules say nothing true about a German chat."""
    if langs is None or langs.is_empty() or bool(langs["acts_read"].all()):
        return frame
    unread = langs.filter(~pl.col("acts_read"))[by]
    off = pl.col(by).is_in(unread.implode())
    present = [a for a in ACTS if a in frame.columns]
    blanked = [pl.when(off).then(False).otherwise(pl.col(a)).alias(a) for a in present]
    if "disclosure_depth" in frame.columns:
        zero = pl.lit(0).cast(frame.schema["disclosure_depth"])
        blanked.append(pl.when(off).then(zero).otherwise(pl.col("disclosure_depth")))
    return frame.with_columns(blanked)


def not_read_note(language: str) -> str:
    """What a user reads for a conversation whose message kinds are not read."""
    return f"message kinds not read for {NAMES.get(language, language)}"
