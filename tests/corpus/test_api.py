"""The Python front door: every promised name is there, documented, and its examples run."""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

import reciprocity
from reciprocity import api

# Modules whose docstring examples are part of the tests (doctest).
DOCTESTED = [
    "reciprocity.api",
    "reciprocity.corpora.convokit",
    "reciprocity.corpora.dyads",
    "reciprocity.corpora.engine",
    "reciprocity.corpora.schema",
    "reciprocity.corpora.source",
]


def test_all_names_resolve_and_are_reexported() -> None:
    assert set(api.__all__) == {
        *("CORPUS_TABLES", "Analysis", "CorpusRun", "Database", "ImportOutcome", "Timings"),
        *("analyze", "corpus", "corpus_table", "import_file", "open_db", "write_convokit"),
    }
    for name in api.__all__:
        assert getattr(reciprocity, name) is getattr(api, name), name
    assert set(reciprocity.__all__) == {*api.__all__, "__version__"}


def test_public_functions_exist_only_in_all() -> None:
    public = {
        name
        for name, value in vars(api).items()
        if inspect.isfunction(value) and value.__module__ == api.__name__ and name[0] != "_"
    }
    assert public <= set(api.__all__)


@pytest.mark.parametrize("name", [n for n in api.__all__ if callable(getattr(api, n))])
def test_every_callable_has_a_docstring(name: str) -> None:
    doc = inspect.getdoc(getattr(api, name)) or ""
    assert doc.strip(), name
    if inspect.isfunction(getattr(api, name)):
        assert ">>>" in doc, f"{name} has no example"


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = reciprocity.no_such_thing  # type: ignore[attr-defined]


@pytest.mark.parametrize("module", DOCTESTED)
def test_docstring_examples_run(module: str) -> None:
    found = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert found.attempted > 0, f"{module} has no examples"
    assert found.failed == 0
