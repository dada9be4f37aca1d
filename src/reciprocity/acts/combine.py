"""Merging the rule layer and the learned layer into the public act frame.

Rules are precise and say exactly why they fired; the model adds recall where wording is too
varied for patterns (distress, emotional support, good news, disclosure depth). An act holds
when a rule fired *or* the model's head passed its threshold and the act's gate (below) holds.
Gates are hand-written: they keep a head to the sense of the act we mean, for example an
admiring message only counts as celebrating when it speaks to "you".

Confidence per act is the larger of the rule's confidence (when it fired) and the model's
probability; ``why`` lists the rules that fired, then ``"<act>:model"`` for acts the model
added or confirmed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

_DEPTH_HEADS = {"feeling": 3, "opinion": 2, "personal": 1}
# acts (from the rules) that keep the model from adding a disclosure depth on its own
_NOT_DISCLOSURE = (
    "question", "check_in", "request", "accept", "decline", "gratitude", "apology",
    "support_emotional", "support_practical", "celebrate", "you_accusation", "contempt",
)  # fmt: skip

MODEL_LABEL = "model"


def _first_person() -> pl.Expr:
    return pl.col("m:first_person") > 0


def _second_person() -> pl.Expr:
    return pl.col("m:second_person") > 0


def _rule(act: str, covered: set[str]) -> pl.Expr:
    return pl.col(f"r:{act}") if act in covered else pl.lit(False)


PRACTICAL_MIN_WORDS = 4
"""Words a message needs before the model alone may call it practical help. The head is
fitted on advice sentences, a third of which are advice, so its resting score sits close
to its threshold, and a chat reply of a word or two ("maybe", "yes please") would pass it
on next to no evidence; a rule still reads short help ("I'll drive you")."""
PRACTICAL_SENTENCE_WORDS = 12
"""From this many words a message is as long as the advice sentences the head learnt on,
and the head's own threshold applies."""
PRACTICAL_SHORT_CUT = 0.6
"""The score a shorter message needs. Chosen on the first hand-labelled chat set (its
development rows; the held-out set was not looked at): .4 reads "watched one episode, not
sure about it" as help (precision .45 there), .6 keeps .82 of its hits right."""


def gates(
    covered: set[str], lexicons: Sequence[str], words: pl.Series | None = None
) -> dict[str, pl.Expr]:
    """Extra conditions a model head needs before it may assert its act (hand-written).
    ``words`` is the number of words of each text, when known."""
    has = set(lexicons)
    first = _first_person() if "first_person" in has else pl.lit(True)
    second = _second_person() if "second_person" in has else pl.lit(True)
    asking = _rule("question", covered) | _rule("request", covered) | _rule("support_seek", covered)
    return {
        # your own news, told rather than asked about
        "good_news": first & ~_rule("question", covered),
        # praise aimed at the other person, not at a song or a meal
        "celebrate": second,
        # a complaint that asks for nothing (a question or a request looks for a way out)
        "complaint_without_solution": ~asking,
        # help given, not asked for, said in more than a word or two, and a short chat line
        # held to a stricter score than a sentence the length of those the head learnt on
        "support_practical": ~asking
        & (
            pl.lit(True)
            if words is None
            else (pl.lit(words) >= PRACTICAL_MIN_WORDS)
            & (
                (pl.lit(words) >= PRACTICAL_SENTENCE_WORDS)
                | (pl.col("m:support_practical") >= PRACTICAL_SHORT_CUT)
            )
        ),
    }


def merge(
    acts: Sequence[str],
    rules: pl.DataFrame | None,
    scores: pl.DataFrame | None,
    thresholds: Mapping[str, float] | None = None,
    *,
    height: int | None = None,
    words: pl.Series | None = None,
) -> pl.DataFrame:
    """The public act frame from a rule frame and model scores (either may be ``None``).

    ``rules`` follows the contract of :func:`reciprocity.acts.rules.apply_rules`; ``scores``
    is :meth:`reciprocity.acts.model.ActModel.scores` output, with the model's thresholds.
    ``height`` (the number of texts) is needed only when both are ``None``; ``words``,
    the number of words of each text, lets the gates read how long a message is.
    """
    if rules is not None:
        height = rules.height
    elif scores is not None:
        height = scores.height
    parts: list[pl.DataFrame] = []
    covered: set[str] = set()
    if rules is not None:
        covered = {a for a in acts if a in rules.columns}
        given = rules["confidence"].struct.unnest() if "confidence" in rules.columns else None
        cols = [rules[a].alias(f"r:{a}") for a in covered]
        if given is not None:
            cols += [given[a].alias(f"rc:{a}") for a in covered if a in given.columns]
        if "disclosure_depth_rule" in rules.columns:
            cols.append(rules["disclosure_depth_rule"].alias("r:depth"))
        cols.append(rules["why"].alias("r:why"))
        parts.append(pl.DataFrame(cols))
    heads: list[str] = []
    lexicons: list[str] = []
    if scores is not None:
        thresholds = thresholds or {}
        heads = [c for c in scores.columns if c in thresholds]
        lexicons = [c for c in scores.columns if c not in thresholds]
        parts.append(scores.select(pl.all().name.prefix("m:")))
    if not parts:  # nothing ran: every act false
        parts.append(pl.DataFrame({"_": pl.repeat(0, height or 0, dtype=pl.Int8, eager=True)}))
    frame = pl.concat(parts, how="horizontal")
    gate = gates(covered, lexicons, words)
    out: list[pl.Expr] = []
    conf_fields: list[pl.Expr] = []
    model_why: list[pl.Expr] = []
    for act in acts:
        rule_hit = _rule(act, covered)
        rule_conf = (
            pl.col(f"rc:{act}") if f"rc:{act}" in frame.columns else rule_hit.cast(pl.Float32)
        )
        if act in heads and thresholds is not None:
            prob = pl.col(f"m:{act}")
            model_hit = (prob >= thresholds[act]) & gate.get(act, pl.lit(True))
            conf = pl.max_horizontal(pl.when(rule_hit).then(rule_conf).otherwise(0.0), prob)
            model_why.append(pl.when(model_hit).then(pl.lit(f"{act}:{MODEL_LABEL}")))
        else:
            model_hit = pl.lit(False)
            conf = pl.when(rule_hit).then(rule_conf).otherwise(0.0)
        if act == "disclosure":
            continue  # from the depth, below
        out.append((rule_hit | model_hit).fill_null(False).alias(act))
        conf_fields.append(conf.cast(pl.Float32).alias(act))
    depth, depth_conf, depth_why = _depth(frame, heads, thresholds or {}, lexicons)
    frame = frame.with_columns(depth.alias("disclosure_depth"))
    out.insert(
        list(acts).index("disclosure"), (pl.col("disclosure_depth") >= 1).alias("disclosure")
    )
    conf_fields.insert(
        list(acts).index("disclosure"), depth_conf.cast(pl.Float32).alias("disclosure")
    )
    model_text = pl.concat_str([*model_why, depth_why], separator=",", ignore_nulls=True)
    result = frame.with_columns(model_text.alias("_mw")).select(
        *out,
        pl.col("disclosure_depth"),
        pl.struct(conf_fields).alias("confidence"),
        pl.col("_mw"),
        (pl.col("r:why") if "r:why" in frame.columns else pl.lit([], pl.List(pl.String))).alias(
            "why"
        ),
    )
    return _append_why(result)


def _append_why(frame: pl.DataFrame) -> pl.DataFrame:
    """Append the model's ``why`` entries (``_mw``, comma-joined) to the rules' lists.

    Building lists is the slow part of the merge, so only rows the model spoke on are
    rebuilt (typically a small minority) and then put back in place.
    """
    parts = frame.select(pl.col("_mw"), pl.col("why")).with_row_index("_i")
    touched = parts.filter(pl.col("_mw") != "").select(
        "_i", pl.concat_list("why", pl.col("_mw").str.split(",")).alias("_new")
    )
    if touched.is_empty():
        return frame.drop("_mw")
    # sorted row numbers on both sides: a cheap merge, and the rows keep their order
    why = parts.join(touched, on="_i", how="left", maintain_order="left").select(
        pl.coalesce("_new", "why").cast(pl.List(pl.String))
    )
    return frame.drop("_mw").with_columns(why.to_series().alias("why"))


def _depth(
    frame: pl.DataFrame,
    heads: Sequence[str],
    thresholds: Mapping[str, float],
    lexicons: Sequence[str],
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Disclosure depth 0-3: the deeper of the rules' depth and the model's.

    The model's depth needs the first person (disclosure is about oneself) and no rule act
    that gives the message another job (:data:`_NOT_DISCLOSURE`); then the deepest depth
    head past its threshold wins: feelings 3, opinions 2, personal circumstances 1.
    """
    rule_depth = pl.col("r:depth") if "r:depth" in frame.columns else pl.lit(0, pl.Int8)
    rule_conf = pl.col("rc:disclosure") if "rc:disclosure" in frame.columns else pl.lit(0.0)
    usable = [h for h in _DEPTH_HEADS if h in heads]
    if not usable or "first_person" not in lexicons:
        return rule_depth.cast(pl.Int8), rule_conf, pl.lit(None, pl.String)
    # a message whose job the rules already know to be something else (asking, thanking,
    # apologising, answering an invitation, comforting, blaming ...) is not taken for a
    # disclosure just because it says "I" with some feeling: "sorry I missed your call"
    busy = [pl.col(f"r:{a}") for a in _NOT_DISCLOSURE if f"r:{a}" in frame.columns]
    other_job = pl.any_horizontal(busy) if busy else pl.lit(False)
    about_me = _first_person() & ~other_job
    model_depth = pl.max_horizontal(
        pl.when(about_me & (pl.col(f"m:{h}") >= thresholds[h])).then(d).otherwise(0)
        for h, d in _DEPTH_HEADS.items()
        if h in usable
    )
    depth = pl.max_horizontal(rule_depth.cast(pl.Int8), model_depth.cast(pl.Int8))
    model_conf = pl.max_horizontal(
        pl.when(about_me).then(pl.col(f"m:{h}")).otherwise(0.0) for h in usable
    )
    conf = pl.when(depth > 0).then(pl.max_horizontal(rule_conf, model_conf)).otherwise(0.0)
    why = pl.when(model_depth > rule_depth).then(pl.lit(f"disclosure:{MODEL_LABEL}"))
    return depth.cast(pl.Int8), conf, why
