"""``scripts/train_acts.py`` enforces the licence rule before it reads anything."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train_acts.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_acts", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_training_data_is_permitted_and_not_held_out() -> None:
    script = _script()
    script.check_permitted(script.TRAINING_DATA)  # no exception
    names = {name for name, _ in script.TRAINING_DATA}
    assert names == {"casino", "goemotions", "advice"}
    assert all(split not in {"test", "dev"} for _, split in script.TRAINING_DATA)


@pytest.mark.parametrize(
    ("pair", "why"),
    [
        (("esconv", "dev"), "licence"),
        (("annomi", "all"), "licence"),
        (("claff_offmychest", "train"), "licence"),
        (("dailydialog", "validation"), "licence"),
        (("goemotions", "test"), "held out"),
        (("advice", "dev"), "held out"),
    ],
)
def test_non_permitted_data_is_refused(pair: tuple[str, str], why: str) -> None:
    with pytest.raises(SystemExit, match=why):
        _script().check_permitted((pair,))
