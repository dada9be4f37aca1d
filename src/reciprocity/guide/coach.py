"""The "I" statement coach: reads a draft, names what may land as an attack, offers a
calmer form that keeps what the draft is about.

A draft is checked for four things (:data:`FLAG_KINDS`): an **accusation** (a sentence that
starts from "you ..." with a fault, or a label for the person), an **absolute** ("always",
"never", "every time"), **blame** ("your fault", "you made me") and **sarcasm**. When any
is found, :func:`coach` proposes ``"I feel <feeling> when <situation>. I need <need>."``:

- the situation is the draft's own subject with the absolute taken out ("you never ask how
  I am" -> "you don't ask how I am"), and, when the figures show one, the measured
  imbalance ("I'm the one who starts most of our conversations", :func:`imbalance_phrases`);
- the feeling is the one the draft names ("you make me feel invisible"), else one guessed
  from the subject (:data:`FEELINGS`), else "hurt";
- the need turns the subject into a request ("I need you to ask how I am more often").

A draft with nothing flagged is left as it is. The proposal keeps the coach's own rules:
it is checked like a draft (and for any "always" or "never" left in it), and when it
would be flagged a plainer form is taken instead, down to one that always passes
("I feel hurt when things between us feel one-sided. ..."). Rules are plain regular
expressions over English: a draft with no words in it, or in another language
(:mod:`.language`), is refused with a :class:`DraftError` that says so, never approved.
Words shown to the user are ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from reciprocity.errors import ReciprocityError
from reciprocity.guide.language import foreign_language, has_words

__all__ = [
    "FEELINGS",
    "FLAG_KINDS",
    "Coaching",
    "DraftError",
    "Flag",
    "coach",
    "imbalance_phrases",
    "passes",
]

FLAG_KINDS = ("accusation", "absolute", "blame", "sarcasm")
"""What the coach looks for."""

_WHY = {
    "accusation": "starts from what the other person does wrong, which tends to invite defence",
    "absolute": "an 'always' or 'never' is easy to argue with, and the real point gets lost",
    "blame": "puts the cause of your feelings on them, rather than saying what you feel",
    "sarcasm": "sarcasm hides what you mean and usually stings more than it tells",
}

_I = re.IGNORECASE
_ABSOLUTE = re.compile(r"\b(always|never|every (?:single )?time|constantly|not once)\b", _I)
_BLAME = re.compile(
    r"\b(your fault|because of you|thanks to you|you made me|you make me|blame you)\b", _I
)
_SARCASM = re.compile(
    r"(\b(?:oh|wow),? (?:great|thanks|wonderful|sure|nice)\b|\bthanks for nothing\b"
    r"|\bthanks a lot\b|\bmust be nice\b|\bnice of you to (?:finally )?\b|\bsure,? whatever\b"
    r"|\bglad you (?:finally )?(?:remembered|noticed)\b|\bas usual\b|/s\b|\bso nice of you\b"
    r"|\bhow kind of you\b|\bbig surprise\b)",
    _I,
)
_LABELS = (
    "selfish|lazy|useless|pathetic|ridiculous|impossible|toxic|fake|a terrible friend"
    "|a bad friend|the worst|so cold|unbelievable|inconsiderate|careless|rude"
)
_LABEL = re.compile(
    rf"\byou(?:'re| are)\s+(?:so\s+|such\s+an?\s+|being\s+|really\s+|just\s+)?({_LABELS})\b", _I
)
# "you ..." at the start of a sentence (or after a comma / "and" / "but"), with a fault.
_LEAD = r"(?:^|[.!?,;]\s*|\band\s+|\bbut\s+|\bwhy\s+(?:do|don't|can't)\s+)"
_NEVER = re.compile(
    _LEAD + r"you\s+(?:never\s+once|never\s+ever|never|don'?t\s+ever|do\s+not\s+ever"
    r"|hardly\s+ever|rarely|not\s+once)\s+(?:even\s+)?(?P<x>[^.!?;]+)",
    _I,
)
_ALWAYS = re.compile(
    _LEAD + r"you(?P<be>'re|\s+are)?\s+(?:always|constantly|forever)\s+(?P<x>[^.!?;]+)", _I
)
# "you only call me when you need something": a pattern stated as the whole truth.
_ONLY = re.compile(_LEAD + r"you\s+only\s+(?:ever\s+)?(?P<x>[^.!?;]+)", _I)
# "why can't you ever just be happy for me": a reproach dressed as a question.
_WHY_NOT = re.compile(
    r"\bwhy\s+(?:can't|cannot|can\s+not|won't|couldn't|wouldn't)\s+you\s+"
    r"(?:ever\s+|even\s+|just\s+|once\s+)*(?P<x>[^.!?;]+)",
    _I,
)
_DONT = re.compile(
    _LEAD + r"you\s+(?:don'?t|do\s+not|didn'?t|did\s+not|won'?t|can'?t|cannot)\s+(?:even\s+)?"
    r"(?P<x>[^.!?;]+)",
    _I,
)
_DID = re.compile(
    _LEAD + r"you\s+(?P<x>(?:forgot|ignored|cancell?ed|missed|left|ditched|bailed|stood me up"
    r"|blew me off|ghosted)[^.!?;]*)",
    _I,
)
_FEEL = re.compile(
    r"\byou make me feel\s+(?:so\s+|really\s+)?(?!like\b|as\b|that\b|it\b)(?P<f>[a-z-]+)", _I
)
_FAULT = re.compile(r"\b(?:it's|it is)\s+(?:all\s+)?your fault\s+(?:that\s+)?(?P<x>[^.!?;]+)", _I)
_SOFTEN = {"never": "rarely", "always": "often", "constantly": "often", "every time": "often"}
_SOFTER = re.compile(r"\b(never|always|constantly|every time)\b", _I)
_TRAIL = re.compile(
    r"[\s,]*(?:again|anymore|any more|anyway|ever|at all|lol|\.\.\.)*[\s,.!?]*$", _I
)

FEELINGS: tuple[tuple[str, str], ...] = (
    (r"\b(ask|listen|hear|interest|curious|care|notice)", "unheard"),
    (r"\b(happy for|proud of|celebrat|my news|excited for)", "unseen"),
    (r"\b(phone|distracted|attention|screen)", "unimportant"),
    (r"\b(reply|replie|answer|text|respond|call|get back|write|ghost|ignor)", "unimportant"),
    (r"\b(cancel|late|forg[oe]t|show up|promise|plan|stood|bail|ditch)", "let down"),
    (r"\b(help|support|there for me|hard time|struggl)", "alone"),
    (r"\b(start|reach out|message first|first|make time|effort)", "unsure where I stand"),
)
"""(pattern over the subject, feeling): the first match names the feeling."""


class DraftError(ReciprocityError):
    """The coach cannot read this draft (nothing in it, or not in English); the message
    says what to do."""


@dataclass(frozen=True)
class Flag:
    """One thing found in a draft: its kind, the words, and why it may not land well."""

    kind: str
    words: str
    why: str


@dataclass(frozen=True)
class Coaching:
    """The coach's answer: the flags and, when there were any, a proposed statement."""

    draft: str
    flags: tuple[Flag, ...] = ()
    statement: str | None = None
    subject: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def fine(self) -> bool:
        """True when nothing was flagged and the draft can be used as it is."""
        return not self.flags


def _flags(draft: str) -> list[Flag]:
    found: list[Flag] = []
    taken: list[tuple[int, int]] = []  # spans already flagged as accusations
    for kind, patterns in (
        ("accusation", (_NEVER, _WHY_NOT, _ALWAYS, _ONLY, _DONT, _DID, _LABEL)),
        ("blame", (_BLAME,)),
        ("sarcasm", (_SARCASM,)),
        ("absolute", (_ABSOLUTE,)),
    ):
        for pattern in patterns:
            for match in pattern.finditer(draft):
                begin, end = match.span()
                if kind == "accusation":
                    # One clause per flag: "you never listen to me and you always ..." is
                    # two accusations, each named by its own words.
                    if "x" in pattern.groupindex and (cut := _CUT.search(match.group("x"))):
                        end = match.start("x") + cut.start()
                    # The accusation patterns overlap ("you never" is also "you ... ");
                    # one flag per stretch of the draft.
                    if any(begin < stop and start < end for start, stop in taken):
                        continue
                    taken.append((begin, end))
                elif kind == "absolute" and _in_i_sentence(draft, begin):
                    continue  # "I never know ..." speaks for oneself
                words = _JOINER.sub("", draft[begin:end].strip(" ,.;!?"))
                found.append(Flag(kind, words, _WHY[kind]))
    return found


_JOINER = re.compile(r"^(?:and|but)\s+", _I)


def _in_i_sentence(draft: str, at: int) -> bool:
    """True when the word at ``at`` belongs to a clause whose subject is "I" or "we"."""
    start = max(draft.rfind(c, 0, at) for c in ".!?,;")
    clause = draft[start + 1 : at].strip().lower()
    return bool(re.match(r"^(i|we|i'm|i've)\b", clause)) and "you" not in clause


_CUT = re.compile(
    r",|\s+(?:but|so|and then|and I|because|or|while)\s+"
    r"|\s+and\s+(?=(?:it|that|this|you|your)(?:'s|'re)?\b)",
    _I,
)
# Judgements tacked on after the subject ("so rude", "really annoying") add heat, not facts.
_JUDGED = re.compile(r"\s+(?:which|and)\s+(?:is|it's)\s+(?:so\s+|really\s+)?\w+$", _I)


def _clean(text: str) -> str:
    """The subject alone: up to the first comma or joining word, without trailing fillers."""
    text = _CUT.split(text.strip(), maxsplit=1)[0]
    text = _TRAIL.sub("", text.strip())
    text = _JUDGED.sub("", text)
    return re.sub(r"\s+", " ", text)


def _base(verb_phrase: str) -> str:
    """The first word in its plain form, for "I need you to <x>" ("asked" -> "ask")."""
    first, _, rest = verb_phrase.partition(" ")
    word = first.lower()
    irregular = {
        "forgot": "remember", "was": "be", "did": "do", "had": "have", "said": "say",
        "made": "make", "went": "go", "took": "take", "gave": "give", "came": "come",
        "left": "leave", "told": "tell", "thought": "think",
    }  # fmt: skip
    if word in irregular:
        word = irregular[word]
    elif word.endswith("ied"):
        word = word[:-3] + "y"
    elif word.endswith(("cked", "sked", "lled", "ened", "ted")) or (
        word.endswith("ed") and len(word) > 4
    ):
        word = word[:-2]
        # "cared" -> "care", "noticed" -> "notice", "loved" -> "love"; "offered" stays "offer".
        if word.endswith(("c", "v", "z")) or (word.endswith("r") and word[-2:-1] in "aiou"):
            word += "e"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    return f"{word} {rest}".strip()


def _subject(draft: str) -> tuple[str | None, str | None, str | None]:
    """(situation, need, subject words) from the draft's first accusation, if any."""
    if match := _NEVER.search(draft) or _WHY_NOT.search(draft) or _DONT.search(draft):
        x = _clean(match.group("x"))
        verb = _base(x)
        if verb.split(" ")[0] == "be":  # "you don't be happy for me" reads wrong
            return f"you don't seem {verb[3:]}", f"you to be {verb[3:]} more often", x
        return f"you don't {verb}", f"you to {verb} more often", x
    if match := _ALWAYS.search(draft):
        x = _clean(match.group("x"))
        if match.group("be"):
            return f"you're {x}", None, x
        keep = x.split(" ")[0].lower().endswith("ing")
        return f"you keep {x}" if keep else f"you {x}", None, x
    if match := _ONLY.search(draft):
        x = _clean(match.group("x"))
        head, sep, tail = x.partition(" when ")
        return (f"you {head} mostly when {tail}" if sep else f"you mostly {x}"), None, x
    if match := _DID.search(draft):
        x = _clean(match.group("x"))
        return f"you {x}", None, x
    if match := _FAULT.search(draft):
        x = _clean(match.group("x"))
        return x, None, x
    return None, None, None


def _feeling(draft: str, subject: str | None) -> str:
    if match := _FEEL.search(draft):
        return match.group("f").lower()
    for pattern, feeling in FEELINGS:
        if subject and re.search(pattern, subject, _I):
            return feeling
    return "hurt"


def passes(statement: str) -> bool:
    """True when ``statement`` passes the coach's own checks: nothing flagged, and no
    "always" or "never" anywhere (not even in an "I" clause)."""
    return not _flags(statement) and not _ABSOLUTE.search(statement)


def _readable(draft: str) -> str:
    """The draft, stripped; :class:`DraftError` when the coach cannot read it."""
    text = draft.strip()
    if not has_words(text):
        raise DraftError(
            "There is nothing to check yet: write what you would like to say, "
            "a sentence or two is enough."
        )
    language = foreign_language(text)
    if language is not None:
        raise DraftError(
            f"The coach reads English only, and this looks like {language}, so it cannot "
            "check it. Write the draft in English to have it checked."
        )
    return text


def coach(draft: str, *, imbalance: list[str] | None = None) -> Coaching:
    """Check ``draft`` and, when something is flagged, propose an "I" statement that
    itself passes the checks (:func:`passes`).

    ``imbalance`` are phrases from :func:`imbalance_phrases` for the person the draft is
    for; the first one joins the situation. Raises :class:`DraftError` for a draft with
    no words or not in English.

    >>> coach("you never ask how I am").statement
    "I feel unheard when you don't ask how I am. I need you to ask how I am more often."
    """
    text = _readable(draft)
    flags = _flags(text)
    if not flags:
        return Coaching(draft=text, notes=("This already speaks from your side. Go gently.",))
    situation, need, subject = _subject(text)
    measured = imbalance[0] if imbalance else None
    feeling = _feeling(text, subject or measured)
    # From the fullest proposal to the plainest: the first that passes the checks.
    candidates = [
        (situation, measured, need),
        (situation, None, need),
        (situation, None, None),
        (None, measured, None),
        (None, None, None),
    ]
    statement = ""
    for where, figure, wanted in candidates:
        statement = _statement(feeling, where, figure, wanted)
        if passes(statement):
            break
    else:  # the feeling word itself is the trouble ("you make me feel always ...")
        statement = _statement("hurt", None, None, None)
    notes = ["Swap in the feeling word that fits you best; only you know it."]
    if measured and measured in statement:
        notes.append(f"From your messages: {measured}.")
    return Coaching(
        draft=text, flags=tuple(flags), statement=statement, subject=subject, notes=tuple(notes)
    )


def _statement(feeling: str, situation: str | None, measured: str | None, need: str | None) -> str:
    """ "I feel <feeling> when <situation and measured>. I need <need>." """
    parts = [p for p in (situation, measured) if p]
    when = " and ".join(parts) if parts else "things between us feel one-sided"
    # The absolutes go: "we never see each other" -> "we rarely see each other".
    when = _SOFTER.sub(lambda m: _SOFTEN[m.group(0).lower()], when)
    need_text = need or (
        "us to find a way that works for both of us"
        if situation
        else "more give and take between us"
    )
    return f"I feel {feeling} when {when}. I need {need_text}."


# (figure, threshold, phrase): shares are mine out of both, checked with enough events.
_SHARES = (
    ("initiations", "I'm the one who starts most of our conversations"),
    ("questions", "I'm the one asking most of the questions"),
    ("messages", "I'm the one writing most of our messages"),
)
_SHARE = 0.65
_MIN = 10
_SLOW = 4.0


def imbalance_phrases(figures: pl.DataFrame, person: str) -> list[str]:
    """What the first figures show as one-sided for ``person`` (case-insensitive), as
    phrases that fit after "when": most one-sided first; empty when nothing is clear.

    ``figures`` is :func:`reciprocity.metrics.relationship_figures` output.
    """
    rows = figures.filter(pl.col("person").str.to_lowercase() == person.strip().lower())
    if not rows.height:
        return []
    row: dict[str, Any] = rows.row(0, named=True)
    found: list[tuple[float, str]] = []
    for name, phrase in _SHARES:
        total = (row.get(f"{name}_me") or 0) + (row.get(f"{name}_them") or 0)
        share = row.get(f"{name}_share_me")
        if share is not None and total >= _MIN and share >= _SHARE:
            found.append((share, phrase))
    mine, theirs = row.get("reply_latency_median_s_me"), row.get("reply_latency_median_s_them")
    if mine and theirs and (row.get("replies_them") or 0) >= _MIN and theirs >= _SLOW * mine:
        found.append((0.6, "my messages wait a long time for an answer"))
    return [phrase for _, phrase in sorted(found, key=lambda f: -f[0])]
