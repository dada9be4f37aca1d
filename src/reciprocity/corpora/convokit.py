"""Corpus results back into ConvoKit: a copy of the corpus folder whose metadata carries
them, so a ConvoKit user loads them with ``Corpus(filename=...)``.

- each utterance's ``meta`` gains ``reciprocity_acts`` (the names of the acts found in its
  text) and ``reciprocity_disclosure_depth`` (0-3);
- each conversation's ``meta`` gains ``reciprocity_dyads``: one entry per pair of speakers
  who reply to each other in it, with the balance per dimension over all its utterances
  (``given``/``received`` by ``speaker_a``, ``estimate``, ``low``, ``high``, ``verdict``);
- ``index.json`` names the new fields' types, as ConvoKit writes them.

The original folder is not touched; the copy is written beside its final place and moved
there at the end. ``utterances.jsonl`` is rewritten a block of lines at a time.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from reciprocity import acts
from reciprocity.corpora.run import OutputExists, scan_table

__all__ = ["write_convokit"]

#: Lines of ``utterances.jsonl`` rewritten at a time.
BLOCK_LINES = 100_000

_UTTERANCE_FIELDS = {
    "reciprocity_acts": ["<class 'list'>"],
    "reciprocity_disclosure_depth": ["<class 'int'>"],
}
_CONVERSATION_FIELDS = {"reciprocity_dyads": ["<class 'list'>"]}


def write_convokit(corpus: str | Path, results: str | Path, target: str | Path) -> Path:
    """Copy the ConvoKit folder ``corpus`` to ``target`` (new) with the results of its
    corpus run (the folder ``results``) in the utterances' and conversations' metadata.
    Returns ``target``.

    >>> import json, tempfile, pathlib
    >>> from reciprocity.corpora.run import run_corpus
    >>> tiny = pathlib.Path("tests/fixtures/convokit/tiny")
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = run_corpus(tiny, folder / "results", language="en")
    >>> copy = write_convokit(tiny, folder / "results", folder / "tiny-with-results")
    >>> first = json.loads((copy / "utterances.jsonl").read_text().splitlines()[0])
    >>> first["meta"]["reciprocity_acts"]
    ['disclosure', 'distress']
    """
    corpus, results, target = Path(corpus), Path(results), Path(target)
    if target.exists():
        raise OutputExists(f"{target} already exists; choose a new folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for item in corpus.iterdir():
            if item.name not in ("utterances.jsonl", "conversations.json", "index.json"):
                copy = shutil.copytree if item.is_dir() else shutil.copy2
                copy(item, work / item.name)
        _utterances(corpus / "utterances.jsonl", results, work / "utterances.jsonl")
        _conversations(corpus / "conversations.json", results, work / "conversations.json")
        _index(corpus / "index.json", work / "index.json")
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def _utterances(source: Path, results: Path, target: Path) -> None:
    found = scan_table(results, "acts").select(
        "id",
        pl.concat_list([pl.when(pl.col(a)).then(pl.lit(a)).otherwise(None) for a in acts.ACTS])
        .list.drop_nulls()
        .alias("acts"),
        pl.col("disclosure_depth").cast(pl.Int64),
    )
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        while True:
            block = [json.loads(line) for _, line in zip(range(BLOCK_LINES), lines, strict=False)]
            if not block:
                return
            ids = pl.Series([str(u["id"]) for u in block], dtype=pl.String)
            of = {
                row[0]: (row[1], row[2])
                for row in found.filter(pl.col("id").is_in(ids.implode())).collect().iter_rows()
            }
            for utterance in block:
                got = of.get(str(utterance["id"]))
                meta = utterance.get("meta")
                meta = dict(meta) if isinstance(meta, dict) else {}
                meta["reciprocity_acts"] = got[0] if got else []
                meta["reciprocity_disclosure_depth"] = got[1] if got else 0
                utterance["meta"] = meta
                out.write(json.dumps(utterance, ensure_ascii=False) + "\n")


def _conversations(source: Path, results: Path, target: Path) -> None:
    data: dict[str, Any] = (
        json.loads(source.read_text(encoding="utf-8")) if source.is_file() else {}
    )
    balance = (
        scan_table(results, "balance")
        .filter(pl.col("window") == "all")
        .select(
            "conversation_id",
            "speaker_a",
            "speaker_b",
            "dimension",
            "events_me",
            "events_them",
            "given",
            "received",
            "estimate",
            "low",
            "high",
            "verdict",
        )
        .sort("conversation_id", "speaker_a", "speaker_b", "dimension")
        .collect()
    )
    dyads: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for row in balance.iter_rows(named=True):
        pair = (row["speaker_a"], row["speaker_b"])
        entry = dyads.setdefault(row["conversation_id"], {}).setdefault(
            pair, {"speaker_a": pair[0], "speaker_b": pair[1], "balance": {}}
        )
        entry["balance"][row["dimension"]] = {
            key: row[key]
            for key in (
                "events_me",
                "events_them",
                "given",
                "received",
                "estimate",
                "low",
                "high",
                "verdict",
            )
        }
    for conversation, pairs in dyads.items():
        record = data.setdefault(conversation, {"meta": {}, "vectors": []})
        meta = record.setdefault("meta", {})
        meta["reciprocity_dyads"] = list(pairs.values())
    for record in data.values():
        record.setdefault("meta", {}).setdefault("reciprocity_dyads", [])
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _index(source: Path, target: Path) -> None:
    index: dict[str, Any] = (
        json.loads(source.read_text(encoding="utf-8"))
        if source.is_file()
        else {
            "utterances-index": {},
            "speakers-index": {},
            "conversations-index": {},
            "overall-index": {},
            "version": 0,
            "vectors": [],
        }
    )
    index.setdefault("utterances-index", {}).update(_UTTERANCE_FIELDS)
    index.setdefault("conversations-index", {}).update(_CONVERSATION_FIELDS)
    target.write_text(json.dumps(index), encoding="utf-8")
