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

import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import polars as pl

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


def not_read_note(language: str) -> str:
    """What a user reads for a conversation whose message kinds are not read."""
    return f"message kinds not read for {NAMES.get(language, language)}"
