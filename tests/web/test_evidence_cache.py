"""The lists behind each reading, made once per analysis: the same lists the page made per
request, and never stale: a journal entry or an import shows on the evidence page at once.
While an import runs, pages show the figures from before it, saying so."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient

from reciprocity import demo, exchanges, pipeline, store
from reciprocity.exchanges.examples import EXAMPLES_LIMIT, latest_examples
from reciprocity.ledger import DIMENSIONS
from reciprocity.ledger.evidence import EVIDENCE_LIMIT, latest_evidence
from reciprocity.web.state import State

UPDATING = "New messages are being added"


def _one_reading(
    db: store.Database, result: pipeline.Analysis, rid: int, dimension: str, giver: str
) -> tuple[list[dict[str, Any]], int, int, int]:
    """One reading's list worked out on its own, straight from the ledger (as the page did
    per request before the lists were made once): the reference."""
    events = result.ledger.filter(
        (pl.col("relationship_id") == rid)
        & (pl.col("dimension") == dimension)
        & (pl.col("giver") == giver)
    )
    from_messages = events.filter(
        pl.col("source").is_in(["messages", "group", "reactions", "group_reactions"])
    ).drop_nulls("message_id")
    is_reaction = pl.col("source").is_in(["reactions", "group_reactions"])
    latest = (
        from_messages.select(
            "message_id",
            "timestamp",
            "weight",
            pl.col("source").is_in(["group", "group_reactions"]).alias("in_group"),
            is_reaction.alias("reaction"),
            (pl.col("giver") == "me").alias("_by_me"),
        )
        .sort("timestamp", descending=True, maintain_order=True)
        .unique("message_id", keep="first", maintain_order=True)
        .head(EVIDENCE_LIMIT)
    )
    rows = result.exchanges.filter(pl.col("message_id").is_in(latest["message_id"].implode()))
    shown = latest.join(rows, on="message_id", how="left", maintain_order="left")

    def texts(ids: pl.Series) -> pl.DataFrame:
        return store.message_texts(db, ids)

    replies = exchanges.answer_texts(result.exchanges, shown, texts)
    shown = (
        shown.join(texts(shown["message_id"]), on="message_id", how="left", maintain_order="left")
        .join(replies, on="message_id", how="left", maintain_order="left")
        .select(
            "message_id",
            "timestamp",
            "weight",
            "text",
            pl.coalesce("from_me", "_by_me").alias("from_me"),
            "latency_s",
            "answer_text",
            "good_news_reaction",
            "in_group",
            "reaction",
        )
    )
    journal_count = events.filter(pl.col("source") == "journal").height
    reacted = from_messages.filter(is_reaction)["message_id"].n_unique()
    said = from_messages["message_id"].n_unique() - reacted
    return shown.to_dicts(), said, journal_count, reacted


def test_every_list_is_the_one_worked_out_on_its_own(demo_database: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demo.sqlite"
    copy.write_bytes(demo_database.read_bytes())
    db = store.open_db(copy)
    result = State(db).result()
    made = latest_evidence(
        result.ledger, result.exchanges, lambda ids: store.message_texts(db, ids)
    )
    ids = result.ledger["relationship_id"].drop_nulls().unique().to_list()
    seen = 0
    for rid in ids:
        for dimension in DIMENSIONS:
            for giver in ("me", "them"):
                expected = _one_reading(db, result, rid, dimension, giver)
                assert made.get(rid, dimension, giver) == expected, (rid, dimension, giver)
                seen += bool(expected[0])
    assert seen > 10  # the demo has many readings with messages behind them
    db.close()


def test_every_show_me_list_is_the_one_worked_out_on_its_own(
    demo_database: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "demo.sqlite"
    copy.write_bytes(demo_database.read_bytes())
    db = store.open_db(copy)
    everyone = State(db).result().exchanges

    def texts(ids: pl.Series) -> pl.DataFrame:
        return store.message_texts(db, ids)

    topics = ("good_news", "distress", "check_in", "disclosure", "request", "support_seek")
    made = latest_examples(everyone, topics, texts)
    seen = 0
    for rid in everyone["relationship_id"].unique().to_list():
        for topic in topics:
            for from_me in (True, False):
                # The reference: one list on its own, as the page made it per request.
                shown = (
                    everyone.filter(
                        (pl.col("relationship_id") == rid)
                        & pl.col(topic)
                        & (pl.col("from_me") == from_me)
                    )
                    .sort("timestamp", descending=True, maintain_order=True)
                    .head(EXAMPLES_LIMIT)
                )
                replies = exchanges.answer_texts(everyone, shown, texts)
                expected = (
                    shown.join(texts(shown["message_id"]), on="message_id", how="left")
                    .join(replies, on="message_id", how="left", maintain_order="left")
                    .to_dicts()
                )
                assert made.get(rid, topic, from_me=from_me) == expected, (rid, topic)
                seen += bool(expected)
    assert seen > 10
    db.close()


def _evidence(client: TestClient, rid: int, dimension: str, giver: str) -> str:
    return client.get(
        f"/relationship/{rid}/evidence?dimension={dimension}&giver={giver}",
        headers={"HX-Request": "true"},
    ).text


def test_a_journal_entry_shows_on_the_evidence_page_at_once(
    demo_client: TestClient,
    token: Callable[[TestClient], str],
    relationship_id: Callable[[TestClient, str], int],
) -> None:
    alex = relationship_id(demo_client, "Alex")
    before = _evidence(demo_client, alex, "practical_help", "them")  # now in the cache
    assert "journal entr" not in before
    answer = demo_client.post(
        "/journal",
        data={
            "csrf_token": token(demo_client),
            "person": "Alex",
            "kind": "interaction",
            "giver": "them",
            "dimension": "practical_help",
        },
        follow_redirects=False,
    )
    assert answer.status_code in (200, 303), answer.text
    after = _evidence(demo_client, alex, "practical_help", "them")
    assert "and 1 journal entry" in after


def _chat_line(when: str, who: str, text: str) -> str:
    return f"{when} - {who}: {text}\n"


def test_an_import_shows_on_the_evidence_page_at_once(
    demo_client: TestClient,
    upload: Callable[..., str],
    relationship_id: Callable[[TestClient, str], int],
) -> None:
    alex = relationship_id(demo_client, "Alex")
    before = _evidence(demo_client, alex, "listening", "them")
    words = "Did the new bike light arrive in time for your ride?"
    assert words not in before
    # Alex asks a question tomorrow: the newest "listening" Alex gave.
    day = time.strftime("%d/%m/%Y", time.gmtime(time.time() + 86400))
    chat = _chat_line(f"{day}, 09:00", "Alex", words) + _chat_line(
        f"{day}, 09:05", demo.ME, "Yes, thanks for asking!"
    )
    done = upload(
        demo_client,
        "WhatsApp Chat with Alex.txt",
        chat.encode(),
        me=demo.ME,
        timezone=demo.TIMEZONE,
    )
    assert 'class="done"' in done, done
    after = _evidence(demo_client, alex, "listening", "them")
    assert words in after
    found = re.search(r"from (\d+) messages", after)
    previous = re.search(r"from (\d+) messages", before)
    assert found
    assert previous
    assert int(found.group(1)) == int(previous.group(1)) + 1


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Imports wait until the event is set, then run for real."""
    go = threading.Event()
    real = pipeline.import_file

    def slow(*args: Any, **kwargs: Any) -> Any:
        assert go.wait(30), "the test never let the import go on"
        return real(*args, **kwargs)

    monkeypatch.setattr("reciprocity.web.import_worker.pipeline.import_file", slow)
    yield go
    go.set()


def _main(html: str) -> str:
    found = re.search(r"<main.*</main>", html, re.S)
    assert found
    return re.sub(r'value="[^"]{40,}"', "TOKEN", found.group(0))


def test_pages_show_the_figures_from_before_while_an_import_runs(
    demo_client: TestClient,
    upload: Callable[..., str],
    token: Callable[[TestClient], str],
    demo_files: list[Path],
    held: threading.Event,
    relationship_id: Callable[[TestClient, str], int],
) -> None:
    alex = relationship_id(demo_client, "Alex")
    dashboard = demo_client.get("/").text
    evidence = _evidence(demo_client, alex, "attention", "me")
    assert UPDATING not in dashboard
    chat = demo_files[0]
    started = demo_client.post(
        "/import",
        params={"csrf_token": token(demo_client)},
        data={"me": demo.ME, "timezone": demo.TIMEZONE},
        files={"export": ("again " + chat.name, chat.read_bytes() + b"")},
        headers={"HX-Request": "true"},
    )
    assert started.status_code == 202
    during = demo_client.get("/").text
    assert UPDATING in during  # said plainly, above the figures
    assert _main(during) == _main(dashboard)  # the figures from before, not a wait
    assert _evidence(demo_client, alex, "attention", "me") == evidence
    held.set()
    job = re.search(r"/import/jobs/([\w-]+)", started.text)
    assert job
    deadline = time.monotonic() + 60
    while (
        'hx-trigger="every'
        in demo_client.get(f"/import/jobs/{job.group(1)}", headers={"HX-Request": "true"}).text
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert UPDATING not in demo_client.get("/").text


def test_a_need_saved_or_deleted_shows_on_the_relationship_page_at_once(
    demo_client: TestClient,
    token: Callable[[TestClient], str],
    relationship_id: Callable[[TestClient, str], int],
) -> None:
    """What the relationship page keeps of the user's needs is made again after a form."""
    page = f"/relationship/{relationship_id(demo_client, 'Alex')}"
    need = "answers my messages within 24 hours"
    assert need not in demo_client.get(page).text  # kept now, without the need
    saved = demo_client.post(
        "/expectations",
        data={"csrf_token": token(demo_client), "person": "Alex", "rule": "reply", "value": "24"},
    )
    assert saved.status_code == 200
    assert need in demo_client.get(page).text
    key = re.search(r"/expectations/(\d+)/delete", saved.text)
    assert key
    gone = demo_client.post(
        f"/expectations/{key.group(1)}/delete", data={"csrf_token": token(demo_client)}
    )
    assert gone.status_code == 200
    assert need not in demo_client.get(page).text
