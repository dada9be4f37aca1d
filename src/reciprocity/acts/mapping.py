"""The one place that maps each dataset's own labels to our acts.

Two tables:

* :data:`TRAIN_HEADS`: what the shipped model's heads are fitted on. Only datasets whose
  licence allows redistributing a derived model (``casino``, ``goemotions``, ``advice``, see
  ``../shared/datasets/README.md``) may appear here; :func:`training_targets` refuses others.
  A head is left unlabelled (null) on a dataset that does not cover it, so it is fitted
  only where its labels mean something.
* :data:`EVAL_TARGETS`: what each dataset's test split can tell us about our acts. ``exact``
  targets are the same construct as our act; ``proxy`` targets are related but not the same
  (read their scores as a signal, not a verdict). Each carries the published score where the
  datasets README gives one, and the issue's goal.

The predicted side of a target is an expression over :func:`reciprocity.acts.detect`'s frame
(usually the act's column; depth targets look at ``disclosure_depth``).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from reciprocity.acts.datasets import DATASETS
from reciprocity.errors import ReciprocityError


def _any(*columns: str) -> pl.Expr:
    return pl.any_horizontal(pl.col(c) for c in columns)


def _casino(*labels: str) -> pl.Expr:
    return pl.any_horizontal(pl.col("labels").list.contains(pl.lit(x)) for x in labels)


# GoEmotions groups (the official splits' labels, see datasets._goemotions_official)
_DISTRESS = ("sadness", "grief", "fear", "nervousness", "disappointment")
# feelings of one's own: not amusement (laughing along), nor the other-directed admiration,
# caring and gratitude (their acts are celebrate, support and thanks, not disclosure)
_FEELINGS = (
    "anger", "annoyance", "desire", "disappointment", "disgust", "embarrassment", "excitement",
    "fear", "grief", "joy", "love", "nervousness", "optimism", "pride", "relief", "remorse",
    "sadness", "surprise",
)  # fmt: skip

# head -> {dataset: Boolean expression over that dataset's own columns}
TRAIN_HEADS: dict[str, dict[str, pl.Expr]] = {
    # a hard time: sadness, grief, fear, nervousness, disappointment
    "distress": {"goemotions": _any(*_DISTRESS)},
    "gratitude": {"goemotions": pl.col("gratitude")},
    # remorse is the feeling behind most apologies ("sorry, my bad")
    "apology": {"goemotions": pl.col("remorse")},
    # caring and hopeful comments ("hope you feel better soon") and CaSiNo's showing-empathy
    "support_emotional": {
        "goemotions": _any("caring", "optimism"),
        "casino": _casino("showing-empathy"),
    },
    # advice and suggestions in Reddit replies (advice dataset, MIT): practical support
    "support_practical": {"advice": pl.col("advice")},
    # good news is told with joy, pride, relief or excitement; rules and first person sharpen it
    "good_news": {"goemotions": _any("joy", "pride", "relief", "excitement")},
    # praise of someone else's doing is the core of celebrating ("amazing, well done")
    "celebrate": {"goemotions": pl.col("admiration")},
    # voiced annoyance: the raw material of complaints
    "complaint_without_solution": {
        "goemotions": _any("annoyance", "anger", "disgust", "disapproval")
    },
    # auxiliary heads for disclosure depth (combined with first-person words in combine.py):
    # a feeling of one's own (see _FEELINGS) -> depth 3 candidate
    "feeling": {"goemotions": _any(*_FEELINGS)},
    # opinions and realisations -> depth 2 candidate
    "opinion": {"goemotions": _any("approval", "disapproval", "realization")},
    # CaSiNo's self-need / other-need: telling personal circumstances -> depth 1 candidate
    "personal": {"casino": _casino("self-need", "other-need")},
}

HEADS: tuple[str, ...] = tuple(TRAIN_HEADS)
AUX_HEADS: tuple[str, ...] = ("feeling", "opinion", "personal")  # feed the depth, not an act

# Count heads scored with the model (language data: English words after tokenisation,
# apostrophes dropped). Disclosure is about oneself, so the depth heads need the first person.
LEXICONS: dict[str, tuple[str, ...]] = {
    # the speaker as subject or owner ("call me", "count us in" are not about oneself);
    # not "ill" / "were" (I'll, we're): with apostrophes dropped they are other words
    "first_person": ("i", "im", "ive", "id", "my", "mine", "myself", "we", "weve", "our", "ours"),
    "second_person": ("you", "your", "youre", "youve", "youll", "yours", "yourself", "u", "ur"),
}


def training_targets(dataset: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``text`` plus one Boolean column per head for a shippable dataset (null: not covered).

    Raises for a dataset whose licence forbids fitting shipped weights on it.
    """
    info = DATASETS.get(dataset)
    if info is None or not info.shippable:
        raise ReciprocityError(
            f"{dataset}: its licence does not allow fitting shipped weights on it "
            "(see ../shared/datasets/README.md); use it to measure only"
        )
    exprs = [
        (spec[dataset] if dataset in spec else pl.lit(None, pl.Boolean)).alias(head)
        for head, spec in TRAIN_HEADS.items()
    ]
    return frame.select(pl.col("text"), *exprs)


@dataclass(frozen=True)
class Target:
    """One thing a dataset's test split measures about one of our acts."""

    name: str  # the act, or a derived name such as "disclosure (feelings)"
    truth: pl.Expr  # Boolean over the dataset's own columns
    predicted: pl.Expr  # Boolean over detect()'s frame
    source: str  # the dataset labels, in words
    kind: str = "exact"  # "exact" or "proxy"
    rows: pl.Expr | None = None  # restrict to these rows of the split (None: all)
    published: float | None = None
    goal: float | None = None
    variant: str = ""  # e.g. which label set (CL-Aff corrected vs SharedTask)
    goal_on: str = "f1"  # which figure the goal is about: "f1" or "recall"
    max_flagged: float | None = None  # goal: at most this share of negatives predicted


def _t(act: str, truth: pl.Expr, source: str, **kw: object) -> Target:
    predicted = kw.pop("predicted", pl.col(act))
    return Target(act, truth, predicted, source, **kw)  # type: ignore[arg-type]


_SWDA_QUESTIONS = ["qy", "qw", "qo", "qrr", "qy^d", "qw^d", "^g", "bh"]
_DEPTH3 = pl.col("disclosure_depth") >= 3
_SUPPORTER = pl.col("role") == "supporter"
_THERAPIST = pl.col("role") == "therapist"


def _claff(variant: str, prefix: str, published: bool) -> list[Target]:
    def p(x: float) -> float | None:
        return x if published else None

    return [
        _t("disclosure", pl.col(f"{prefix}Information_disclosure"), "Information_disclosure",
           published=p(0.65), goal=0.65, variant=variant),
        _t("disclosure (feelings)", pl.col(f"{prefix}Emotional_disclosure"),
           "Emotional_disclosure", predicted=_DEPTH3, published=p(0.64), goal=0.64,
           variant=variant),
        _t("support_emotional", pl.col(f"{prefix}Emo_support"), "Emo_support",
           published=p(0.79), goal=0.79 if published else 0.60, variant=variant),
        _t("support_practical", pl.col(f"{prefix}Info_support"), "Info_support",
           published=p(0.73), goal=0.73 if published else 0.50, variant=variant),
    ]  # fmt: skip


EVAL_TARGETS: dict[str, list[Target]] = {
    "swda": [
        # qh (rhetorical) expects no answer: counted as not a question
        _t(
            "question",
            pl.col("tag").is_in(_SWDA_QUESTIONS),
            "qy qw qo qrr qy^d qw^d ^g bh",
            goal=0.90,
        ),
        _t("request", pl.col("tag") == "ad", "ad (action-directive)", kind="proxy"),
        _t("gratitude", pl.col("tag") == "ft", "ft (thanking)", goal=0.85),
        _t("apology", pl.col("tag") == "fa", "fa (apology)", goal=0.85),
    ],
    "dailydialog": [
        # one act per turn: a polite request in question form ("could you pass the salt?")
        # is a directive there, while we call it a question *and* a request; so a turn we
        # also call a request counts as our "no, not a plain question" (SwDA, by contrast,
        # tags "could you tell me ...?" as a question, so it keeps the plain column)
        _t(
            "question",
            pl.col("act") == 2,
            "act 2 question (ours: question, not request)",
            goal=0.90,
            predicted=pl.col("question") & ~pl.col("request"),
        ),
        # directives are requests, instructions, advice and suggestions alike: our request
        # alone, and our request or practical support (advice, suggestions) together
        _t("request", pl.col("act") == 3, "act 3 directive", kind="proxy", goal=0.50),
        _t(
            "request or support_practical",
            pl.col("act") == 3,
            "act 3 directive",
            kind="proxy",
            predicted=pl.col("request") | pl.col("support_practical"),
            goal=0.50,
        ),
        _t("distress", pl.col("emotion").is_in([3, 5]), "emotion fear or sadness", kind="proxy"),
    ],
    "claff_offmychest": [
        *_claff("corrected", "", published=False),
        # the published scores were computed on the older labels
        *_claff("SharedTask", "SharedTask_", published=True),
    ],
    "goemotions": [
        _t("gratitude", pl.col("gratitude"), "gratitude", goal=0.85),
        # remorse is the feeling of most apologies; the goal counts it as apology
        _t("apology", pl.col("remorse"), "remorse", kind="proxy", goal=0.60),
        _t(
            "distress",
            _any(*_DISTRESS),
            "sadness grief fear nervousness disappointment",
            kind="proxy",
        ),
        _t("support_emotional", pl.col("caring"), "caring", kind="proxy"),
        _t("celebrate", pl.col("admiration"), "admiration", kind="proxy"),
        _t("question", pl.col("curiosity"), "curiosity", kind="proxy"),
    ],
    "advice": [
        _t("support_practical", pl.col("advice"), "advice (majority label)", goal=0.75),
    ],
    "casino": [
        _t("support_emotional", _casino("showing-empathy"), "showing-empathy", kind="proxy"),
        _t("disclosure", _casino("self-need", "other-need"), "self-need other-need", kind="proxy"),
    ],
    "esconv": [
        _t("question", pl.col("strategy") == "Questions", "Questions", rows=_SUPPORTER),
        _t(
            "support_emotional",
            pl.col("strategy").is_in(["Reflection of feelings", "Affirmation and Reassurance"]),
            "Reflection of feelings, Affirmation and Reassurance",
            rows=_SUPPORTER,
            goal=0.55,
        ),
        _t(
            "support_practical",
            pl.col("strategy").is_in(["Providing Suggestions", "Information"]),
            "Providing Suggestions, Information",
            rows=_SUPPORTER,
            goal=0.55,
        ),
        _t(
            "disclosure",
            pl.col("strategy") == "Self-disclosure",
            "Self-disclosure",
            kind="proxy",
            rows=_SUPPORTER,
        ),
        # the seeker's turns are the hard time and the asking; the supporter's are not:
        # recall on seeker turns, and the share of supporter turns flagged (false positives)
        _t(
            "distress or support_seek",
            pl.col("role") == "seeker",
            "seeker turn (vs supporter turn)",
            kind="proxy",
            predicted=pl.col("distress") | pl.col("support_seek"),
            goal=0.80,
            goal_on="recall",
            max_flagged=0.03,
        ),
    ],
    "annomi": [
        # measured (and rules tuned on) only: its licence is unclear
        _t(
            "support_practical",
            pl.col("input").is_in(["advice", "information", "options"]),
            "therapist input: advice, information, options",
            kind="proxy",
            rows=_THERAPIST,
        ),
        _t(
            "support_emotional",
            pl.col("reflection"),
            "therapist reflection",
            kind="proxy",
            rows=_THERAPIST,
        ),
        _t("question", pl.col("question"), "therapist question", rows=_THERAPIST),
        _t(
            "distress or support_seek",
            pl.col("role") == "client",
            "client turn (vs therapist turn)",
            kind="proxy",
            predicted=pl.col("distress") | pl.col("support_seek"),
        ),
    ],
    "empathetic_intents": [
        _t("question", pl.col("intent") == "questioning", "questioning"),
        _t(
            "support_emotional",
            pl.col("intent").is_in(["consoling", "sympathizing", "encouraging"]),
            "consoling sympathizing encouraging",
            kind="proxy",
        ),
        _t("support_practical", pl.col("intent") == "suggesting", "suggesting", kind="proxy"),
        _t(
            "celebrate",
            pl.col("intent") == "wishing",
            "wishing (congratulations, good luck)",
            kind="proxy",
            goal=0.75,
        ),
    ],
    "complaints_twitter": [
        # complaints to companies usually do want a fix: related to, not the same as, ours
        _t(
            "complaint_without_solution",
            pl.col("complaint"),
            "complaint",
            kind="proxy",
            published=0.79,
        ),
    ],
}
