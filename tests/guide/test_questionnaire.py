"""Questionnaires as data files: the built-in one, a plugin folder, and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from reciprocity.errors import ImportFailed
from reciprocity.guide.questionnaire import BUILTIN, available, load_questionnaire

FIXTURES = Path(__file__).parent.parent / "fixtures" / "guide"


def test_builtin_checkin() -> None:
    checkin = load_questionnaire(BUILTIN / "checkin.toml")
    assert [i.id for i in checkin.items] == ["giving", "energy", "heard", "support"]
    assert all(len(i.labels) == 5 for i in checkin.items)
    # "giving" is compared with the data, not scored.
    assert checkin.score({"giving": 5, "energy": 1, "heard": 2, "support": 3}) == 2.0


def test_plugin_folder_adds_and_scores() -> None:
    forms = available(FIXTURES / "good")
    assert "checkin" in forms
    mood = load_questionnaire(FIXTURES / "mood.toml")
    assert mood.score({"calm": 4, "tense": 0}) == 8.0  # 4 + (0 + 4 - 0)
    assert mood.score({"calm": 0, "tense": 4}) == 0.0
    with pytest.raises(ValueError, match="no answer"):
        mood.score({"calm": 1})
    with pytest.raises(ValueError, match="from 0 to 4"):
        mood.score({"calm": 5, "tense": 1})


def test_toml_mistake_names_the_line() -> None:
    with pytest.raises(ImportFailed) as caught:
        load_questionnaire(FIXTURES / "broken.toml")
    assert caught.value.problems[0].line == 4
    assert "broken.toml:4" in str(caught.value)


def test_every_problem_is_listed_with_its_line() -> None:
    with pytest.raises(ImportFailed) as caught:
        load_questionnaire(FIXTURES / "bad_items.toml")
    messages = {p.message: p.line for p in caught.value.problems}
    assert any("short id" in m for m in messages)
    assert messages["item 'one' needs 4 labels, one per point"] == 11
    assert messages["item id 'one' is used twice"] == 13


def test_missing_file() -> None:
    with pytest.raises(ImportFailed, match="cannot read"):
        load_questionnaire(FIXTURES / "nothing-here.toml")
