"""The rule layer: each English rule on examples and hard negatives, the engine's loading of
language folders, its output contract, and its fast path against a plain reference."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest

from reciprocity.acts import ACTS
from reciprocity.acts.rules import (
    KNOWN_ACTS,
    RulesError,
    RuleSet,
    apply_rules,
    available_languages,
    load_rules,
    load_rules_from,
    normalise,
    output_schema,
)

HANDLABELLED = Path(__file__).resolve().parents[2] / "eval" / "handlabelled" / "en.csv"

# (text, act, the rule that should decide it)
POSITIVES = [
    ("are you coming tonight?", "question", "question_mark"),
    ("did you get my email", "question", "inverted_start"),
    ("whats the plan for tomorrow", "question", "wh_start"),
    ("u ok", "question", "you_state"),
    ("nice weather today, innit", "question", "tag_question"),
    ("hey how are you doing", "check_in", "how_are_you"),
    ("how did the interview go", "check_in", "how_did_it_go"),
    ("everything ok?", "check_in", "are_you_ok"),
    ("thinking of you today", "check_in", "thinking_of_you"),
    ("hope the op went well", "check_in", "hope_you_are_well"),
    ("just checking in x", "check_in", "checking_in"),
    ("i feel so lonely", "disclosure", "feelings"),
    ("i've never told anyone this", "disclosure", "vulnerability"),
    ("i think i want to move abroad", "disclosure", "thoughts"),
    ("i grew up by the sea", "disclosure", "facts"),
    ("i honestly can't cope", "distress", "cant_cope"),
    ("feeling so overwhelmed lately", "distress", "feel_bad"),
    ("worst week of my life", "distress", "bad_day"),
    ("i've been crying all night", "distress", "crying"),
    ("got made redundant today", "distress", "bad_event"),
    ("can we talk tonight?", "support_seek", "can_we_talk"),
    ("what should i do", "support_seek", "advice"),
    ("i'm always here for you", "support_emotional", "here_for_you"),
    ("that sounds really tough", "support_emotional", "that_sounds_hard"),
    ("you've got this!", "support_emotional", "encourage"),
    ("it's not your fault", "support_emotional", "validate"),
    ("i can pick you up from the station", "support_practical", "offer"),
    ("have you tried talking to her?", "support_practical", "advice"),
    ("i got the job!!", "good_news", "got_it"),
    ("we're engaged 💍", "good_news", "life_event"),
    ("good news, the scan was fine", "good_news", "announce"),
    ("congrats!!", "celebrate", "congratulate"),
    ("good luck tomorrow!!", "celebrate", "good_wishes"),
    ("happy birthday mate", "celebrate", "good_wishes"),
    ("that's amazing news", "celebrate", "delight"),
    ("could you grab some bread", "request", "could_you"),
    ("would you mind feeding the cat", "request", "would_you_mind"),
    ("please call me back", "request", "please_do"),
    ("i need you to sign this", "request", "need_you_to"),
    ("I'd like to book a table for two", "request", "asking_for_service"),
    ("fill in the form before friday", "request", "asking_for_service"),
    ("don't forget to lock the door", "request", "asking_for_service"),
    ("text me when you land", "request", "let_me_know"),
    ("have you got a minute to look at this", "request", "time_to_help"),
    ("count me in!", "accept", "agree"),
    ("sure, what time?", "accept", "sure"),
    ("no thanks i'm fine", "decline", "no_thanks"),
    ("sorry i cant make it", "decline", "cant_make_it"),
    ("i'll pass this time", "decline", "pass"),
    ("thanks so much!", "gratitude", "thanks"),
    ("cheers mate", "gratitude", "cheers"),
    ("really appreciate it", "gratitude", "appreciate"),
    ("sorry i'm late", "apology", "sorry"),
    ("my bad, wrong chat", "apology", "my_fault"),
    ("don't tell anyone but they split up", "gossip", "secret"),
    ("did you hear what she said to him", "gossip", "did_you_hear"),
    ("his girlfriend is so fake", "gossip", "bad_word_about_them"),
    ("ugh bus is late again", "complaint_without_solution", "venting"),
    ("you never listen to me", "you_accusation", "always_never"),
    ("why can't you just listen", "you_accusation", "why_do_you"),
    ("it's all your fault", "you_accusation", "blame"),
    ("i feel ignored when you're on your phone", "i_statement", "feel_when"),
    ("i need some space this week", "i_statement", "i_need"),
    ("🙄", "contempt", "eye_roll"),
    ("you're such an idiot", "contempt", "insult"),
    ("what is wrong with you", "contempt", "whats_wrong_with_you"),
    ("get a life", "contempt", "dismiss"),
    # questions after a short opener, and yes/no questions joined by "or"
    ("ok, where are we meeting", "question", "wh_start"),
    ("or do they both work late", "question", "inverted_start"),
    ("which one do you want", "question", "wh_start"),
    # asking for something, or for a service
    ("could i have the spare key back", "request", "may_i_have"),
    ("can you tell me what time it starts", "request", "could_you_tell"),
    ("the blue one, please?", "request", "please_question"),
    # sympathy and good wishes
    ("i hope things work out with the flat", "support_emotional", "wish_well"),
    ("you're stronger than you think", "support_emotional", "you_are_strong"),
    ("so sorry you're dealing with all this", "support_emotional", "that_sounds_hard"),
    # advice aimed at the reader
    ("you might want to wait a week first", "support_practical", "you_should"),
    ("find someone who actually listens to you", "support_practical", "try_this"),
    ("it might be worth seeing a therapist", "support_practical", "get_help"),
    ("you aren't alone in this", "support_emotional", "here_for_you"),
    ("you'll get through this", "support_emotional", "encourage"),
    ("i know exactly how you feel", "support_emotional", "validate"),
]

# (text, act that must not fire)
HARD_NEGATIVES = [
    ("i wonder if it's open", "question"),
    ("https://example.org/watch?v=abc", "question"),
    ("how are you getting to the party", "check_in"),
    ("are you ok with pizza", "check_in"),
    ("dying of laughter 😂", "distress"),
    ("not stressed at all", "distress"),
    ("my laptop died again", "distress"),
    ("can you believe this weather", "request"),
    ("what would you do in my shoes", "request"),
    ("i can't wait for friday", "decline"),
    ("i can't believe it", "decline"),
    ("thank god it's friday", "gratitude"),
    ("thanks to the rain we stayed in", "gratitude"),
    ("thanks for nothing", "gratitude"),
    ("no thanks", "gratitude"),
    ("so sorry to hear about your nan", "apology"),
    ("sorry not sorry", "apology"),
    ("i felt sorry for him", "apology"),
    ("did you get the job?", "good_news"),
    ("i didn't get the job", "good_news"),
    ("whatever happens i'm proud of you for trying", "celebrate"),
    ("he's so sweet", "gossip"),
    ("he's so annoying 😂 love him", "gossip"),
    ("train cancelled, i'll cycle instead", "complaint_without_solution"),
    ("you always make me laugh", "you_accusation"),
    ("you never know", "you_accusation"),
    ("never mind", "you_accusation"),
    ("it's not your fault", "you_accusation"),
    ("i feel like pizza", "i_statement"),
    ("i need a coffee", "i_statement"),
    ("i feel like you never listen", "i_statement"),
    ("haha you idiot, love you", "contempt"),
    ("whatever you prefer", "contempt"),
    ("i'd love to learn to sail one day", "accept"),
    # relative clauses and clauses after a comma are not questions
    ("we bought the green sofa, which is fine", "question"),
    ("that's the cafe where we met", "question"),
    ("i don't know, how long it lasts is up to them", "question"),
    ("we stayed in, which was nice", "question"),
    ("how do you do", "question"),
    ("how things have changed!", "question"),
    ("uh, no", "question"),
    ("why not.", "question"),
    # offers and leads to a question are not requests
    ("can i help you with the bags", "request"),
    ("can we talk later?", "request"),
    ("can i ask you something", "request"),
    # sympathy is not an apology
    ("so sorry you're going through this", "apology"),
    ("i'm so sorry, that sounds rough", "apology"),
    ("that sucks, i'm sorry. sending hugs", "apology"),
    ("sorry for what happened to you", "apology"),
    ("she is so lucky to have you", "gratitude"),
    ("none of this is your fault", "you_accusation"),
    # praise and blame are not advice
    ("you should be proud of yourself", "support_practical"),
    ("you shouldn't have to go alone", "support_practical"),
    ("you should have told me", "support_practical"),
    ("good luck with that lol", "support_emotional"),
    ("try me", "support_practical"),
    ("i know how you feel about olives", "support_emotional"),
]


@pytest.fixture(scope="module")
def english() -> RuleSet:
    """The shipped English rules."""
    return load_rules("en")


@pytest.mark.parametrize(("text", "act", "rule"), POSITIVES)
def test_rule_fires_on_its_examples(text: str, act: str, rule: str) -> None:
    out = apply_rules(pl.Series([text]))
    assert out[act][0], f"{act} did not fire on {text!r}: {out['why'][0].to_list()}"
    assert f"{act}:{rule}" in out["why"][0].to_list()


@pytest.mark.parametrize(("text", "act"), HARD_NEGATIVES)
def test_rule_stays_quiet_on_hard_negatives(text: str, act: str) -> None:
    out = apply_rules(pl.Series([text]))
    assert not out[act][0], f"{act} fired on {text!r}: {out['why'][0].to_list()}"


def test_every_english_rule_has_an_example(english: RuleSet) -> None:
    covered = {f"{act}:{rule}" for _, act, rule in POSITIVES}
    # rules gated on other acts are exercised through those acts
    untested = {r.label for r in english.rules if not r.requires_acts} - covered
    assert not untested


def test_apostrophes_and_case_do_not_matter() -> None:
    out = apply_rules(pl.Series(["I CAN’T COPE", "i cant cope", "i can't cope"]))
    assert out["distress"].to_list() == [True, True, True]


def test_disclosure_depth_is_the_deepest_rule() -> None:
    out = apply_rules(
        pl.Series(["i grew up in leeds", "i think i should quit", "i'm scared i'll fail", "ok"])
    )
    assert out["disclosure_depth_rule"].to_list() == [1, 2, 3, 0]
    assert out["disclosure"].to_list() == [True, True, True, False]


def test_acts_gated_on_other_acts() -> None:
    out = apply_rules(pl.Series(["I GOT THE JOB", "sounds good but i cant make it"]))
    # good news tells a fact about me; a decline is not an accept
    assert out["disclosure_depth_rule"][0] == 1
    assert "disclosure:own_news" in out["why"][0].to_list()
    assert out["decline"][1]
    assert not out["accept"][1]


# --- output contract ------------------------------------------------------------------


def test_output_schema_and_order(english: RuleSet) -> None:
    texts = ["thanks!", None, "", "you never call", "how are you?"]
    out = apply_rules(pl.Series(texts))
    assert out.schema == output_schema(english)
    assert out.columns[: len(ACTS)] == list(ACTS)
    assert out.columns[len(ACTS) :] == ["disclosure_depth_rule", "confidence", "why"]
    assert out.height == len(texts)
    assert out["gratitude"].to_list() == [True, False, False, False, False]
    assert out["you_accusation"].to_list() == [False, False, False, True, False]
    assert out["why"].to_list()[1:3] == [[], []]


def test_list_input_and_empty_input(english: RuleSet) -> None:
    assert apply_rules(["sorry!"])["apology"].to_list() == [True]
    empty = apply_rules(pl.Series([], dtype=pl.String))
    assert empty.height == 0
    assert empty.schema == output_schema(english)


def test_confidence_comes_from_the_deciding_rule(english: RuleSet) -> None:
    table = english.table()
    conf = dict(zip(table["label"], table["confidence"], strict=True))
    out = apply_rules(pl.Series(["thanks so much", "cheers", "hello"]))
    got = out["confidence"].struct.field("gratitude").to_list()
    assert got == pytest.approx([conf["gratitude:thanks"], conf["gratitude:cheers"], 0.0])


def test_why_lists_acts_in_act_order() -> None:
    why = apply_rules(["sorry, thanks, can you call me?"])["why"][0].to_list()
    acts = [w.split(":")[0] for w in why]
    assert acts == sorted(acts, key=KNOWN_ACTS.index)
    assert {"question", "request", "gratitude", "apology"} <= set(acts)


def test_known_acts_match_the_public_list() -> None:
    assert KNOWN_ACTS == ACTS
    assert "en" in available_languages()


def test_fast_path_matches_a_plain_evaluation(english: RuleSet) -> None:
    """The engine finds candidates in grouped passes and lets the strongest rule decide;
    evaluating every rule on every row must give the same acts, depths and confidences."""
    texts = pl.read_csv(HANDLABELLED, infer_schema=False)["text"]
    expected = _reference(texts, english)
    got = apply_rules(texts, rules=english)
    for act in english.acts:
        assert got[act].to_list() == expected[act].to_list(), act
        conf = got["confidence"].struct.field(act).to_list()
        assert conf == pytest.approx(expected[f"conf_{act}"].to_list()), act
    assert got["disclosure_depth_rule"].to_list() == expected["depth"].to_list()
    # and the grouping of passes is speed only
    ungrouped = dataclasses.replace(english, passes=())
    assert apply_rules(texts, rules=ungrouped).equals(got)


def _reference(texts: pl.Series, rules: RuleSet) -> pl.DataFrame:
    """Every rule on every row, acts in dependency order, no shortcuts."""
    frame = pl.DataFrame({"_t": normalise(texts, rules)})
    done: set[str] = set()
    while len(done) < len(rules.acts):
        for act in rules.acts:
            own = [r for r in rules.rules if r.act == act]
            refs = {a for r in own for a in r.unless_acts + r.requires_acts}
            if act in done or not refs <= done:
                continue
            hits = []
            for r in own:
                hit = pl.col("_t").str.contains(r.pattern)
                if r.also:
                    hit &= pl.col("_t").str.contains(r.also)
                if r.unless:
                    hit &= ~pl.col("_t").str.contains(r.unless)
                for a in r.unless_acts:
                    hit &= ~pl.col(a)
                for a in r.requires_acts:
                    hit &= pl.col(a)
                hits.append((hit, r))
            frame = frame.with_columns(
                pl.any_horizontal(h for h, _ in hits).alias(act),
                pl.max_horizontal(pl.when(h).then(r.depth).otherwise(0) for h, r in hits).alias(
                    f"depth_{act}"
                ),
            )
            deepest = pl.col(f"depth_{act}")
            frame = frame.with_columns(
                pl.max_horizontal(
                    pl.when(h & (pl.lit(r.depth) == deepest)).then(r.confidence) for h, r in hits
                )
                .fill_null(0.0)
                .alias(f"conf_{act}")
            )
            done.add(act)
    return frame.with_columns(pl.col("depth_disclosure").cast(pl.Int8).alias("depth"))


# --- language folders -----------------------------------------------------------------

FAKE_SETTINGS = """
[language]
code = "xx"
ascii_classes = true
drop_apostrophes = true
normalise = [["’", "'"]]
passes = [["gratitude", "apology"]]
[language.macros]
you = 'you|u'
"""

FAKE_RULES = """
[[rule]]
act = "gratitude"
name = "danke"
confidence = 0.9
match = ['\\bdanke\\b', '\\bmerci <you>\\b']
unless = ['\\bnein,? danke\\b']

[[rule]]
act = "apology"
name = "sorry"
confidence = 0.8
match = ['\\bpardon\\b']
also = ['!']

[[rule]]
act = "decline"
name = "nein"
confidence = 0.7
match = ['\\bnein\\b']

[[rule]]
act = "accept"
name = "ja"
confidence = 0.6
match = ['\\bja\\b']
unless_acts = ["decline"]

[[rule]]
act = "disclosure"
name = "ich_bin"
depth = 2
confidence = 0.5
match = ['\\bich bin\\b']
"""


def _fake_language(root: Path, rules: str = FAKE_RULES, settings: str = FAKE_SETTINGS) -> Path:
    folder = root / "xx"
    folder.mkdir()
    (folder / "language.toml").write_text(settings, encoding="utf-8")
    (folder / "rules.toml").write_text(rules, encoding="utf-8")
    return folder


def test_engine_reads_any_language_folder(tmp_path: Path) -> None:
    rules = load_rules_from(_fake_language(tmp_path))
    assert rules.lang == "xx"
    assert rules.acts == ("disclosure", "accept", "decline", "gratitude", "apology")
    assert available_languages(tmp_path) == ["xx"]
    out = apply_rules(
        ["DANKE!", "nein danke", "merci u", "pardon", "pardon!", "ja nein", "ja", "Ich bin da"],
        rules=rules,
    )
    assert out["gratitude"].to_list() == [True, False, True, False, False, False, False, False]
    assert out["apology"].to_list() == [False, False, False, False, True, False, False, False]
    assert out["accept"].to_list() == [False, False, False, False, False, False, True, False]
    assert out["disclosure_depth_rule"].to_list() == [0, 0, 0, 0, 0, 0, 0, 2]
    assert out["why"][0].to_list() == ["gratitude:danke"]
    assert out.schema == output_schema(rules)


def test_table_lists_rules_with_confidence(tmp_path: Path) -> None:
    table = load_rules_from(_fake_language(tmp_path)).table()
    row = table.filter(pl.col("label") == "gratitude:danke").row(0, named=True)
    assert row["confidence"] == pytest.approx(0.9)
    assert row["depth"] == 0
    assert "merci (?:you|u)" in row["pattern"]  # the macro expanded


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ('[[rule]]\nact = "hugging"\nname = "x"\nconfidence = 0.5\nmatch = "x"', "unknown act"),
        ('[[rule]]\nact = "question"\nname = "x"\nconfidence = 0.5', "missing match"),
        ('[[rule]]\nact = "question"\nname = "x"\nconfidence = 2\nmatch = "x"', "confidence"),
        ('[[rule]]\nact = "question"\nname = "x"\nconfidence = 0.5\nmatch = "("', "not a valid"),
        (
            '[[rule]]\nact = "question"\nname = "x"\nconfidence = 0.5\nmatch = "(?<=a)b"',
            "not a valid",
        ),
        (
            '[[rule]]\nact = "question"\nname = "x"\nconfidence = 0.5\nmatch = "x"\nmtach = 1',
            "mtach",
        ),
        ('[[rule]]\nact = "disclosure"\nname = "x"\nconfidence = 0.5\nmatch = "x"', "depth"),
        (
            '[[rule]]\nact = "accept"\nname = "x"\nconfidence = 0.5\nmatch = "x"\n'
            'unless_acts = ["decline"]',
            "no rule covers",
        ),
        (
            '[[rule]]\nact = "accept"\nname = "a"\nconfidence = 0.5\nmatch = "x"\n'
            'unless_acts = ["decline"]\n'
            '[[rule]]\nact = "decline"\nname = "d"\nconfidence = 0.5\nmatch = "x"\n'
            'unless_acts = ["accept"]',
            "loop",
        ),
        (
            '[[rule]]\nact = "question"\nname = "x"\nconfidence = 0.5\nmatch = "x"\n'
            '[[rule]]\nact = "question"\nname = "x"\nconfidence = 0.5\nmatch = "y"',
            "also defined",
        ),
        ("[[rule]\n", "not valid TOML"),
        ("", "no [[rule]]"),
    ],
)
def test_bad_language_data_names_file_and_rule(tmp_path: Path, rules: str, message: str) -> None:
    folder = _fake_language(tmp_path, rules=rules)
    with pytest.raises(RulesError, match="xx/") as caught:
        load_rules_from(folder)
    assert message in str(caught.value)


def test_unknown_language(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="available"):
        load_rules("zz")
    with pytest.raises(RulesError, match=r"no \.toml"):
        load_rules_from(tmp_path)
