"""Every page, every fragment and the report of the demo speak plain words: no code names
(snake_case), no research jargon, no "relationship(s)". Technical names may sit in a
tooltip (a ``title`` attribute), so attributes other than those read aloud are not scanned."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient

from reciprocity import demo, guide, journal, store
from reciprocity.ledger import DIMENSIONS
from reciprocity.report import gather, render_report
from reciprocity.web import create_app

#: Words a person should never have to read; each was on a page or in the report once.
BANNED = (
    "passive constructive",
    "passive destructive",
    "active constructive",
    "active destructive",
    "passive-constructive",
    "active-constructive",
    "self sufficiency",
    "self-sufficiency",
    "attraction to intensity",
    "support seek",
    "favours money",
    "days or hours)",
    "iso 8601",
    "(s)",
    "1 new people",
    "not seen",
    "dimension",
    "posterior",
    "credible",
    "90% interval",
)
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
#: Attributes a screen reader reads out (``title`` holds the technical names on purpose).
READ_ALOUD = ("aria-label", "alt", "placeholder")
TOPICS = ("good_news", "distress", "check_in", "disclosure", "request", "support_seek")


class _Text(HTMLParser):
    """The text a person reads or hears: text nodes (not scripts or styles) and read-aloud
    attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [value for name, value in attrs if name in READ_ALOUD and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def problems(html: str) -> list[str]:
    """The code names and jargon in what ``html`` shows."""
    text = visible_text(html)
    found = [word for word in BANNED if word in text.casefold()]
    return found + SNAKE.findall(text)


def test_the_scan_finds_what_it_looks_for() -> None:
    page = (
        "<p>favours money 1, passive constructive 4</p><p>Total self sufficiency: not seen</p>"
        '<p title="passive_constructive">warm but brief</p><p aria-label="support_seek">x</p>'
        "<style>.a_b {}</style>"
    )
    assert problems(page) == [
        "passive constructive",
        "self sufficiency",
        "favours money",
        "not seen",
        "support_seek",
    ]


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, demo_database: Path) -> Path:
    """The demo with something on every page: journal entries (money too), needs, a check-in,
    a recorded talk and a child."""
    path = tmp_path_factory.mktemp("words") / "words.sqlite"
    shutil.copy(demo_database, path)
    db = store.open_db(path)
    for day, energy in ((1, -2), (8, -1), (15, 0)):
        journal.add_entry(
            db, "Alex", giver="me", dimension="practical_help", energy=energy,
            note="helped again", when=date(2024, 3, day),
        )  # fmt: skip
    journal.add_entry(db, "Alex", kind="money", giver="me", amount=40, note="tickets")
    journal.add_entry(db, "Kai", kind="conflict", note="argument at dinner", energy=-1)
    journal.add_entry(db, "Jordan", giver="them", dimension="listening", energy=2)
    guide.add_expectation(db, "Alex", "reply", 24, "answer within a day")
    guide.add_expectation(db, "Riley", "news")
    guide.add_expectation(db, "Riley", "support", 48)
    guide.record_conversation(db, "Alex", when=date(2024, 2, 1), statement="I feel unheard.")
    guide.save_assessment(
        db, "Alex", guide.available()["checkin"],
        {"giving": 2, "energy": 2, "heard": 4, "support": 3},
    )  # fmt: skip
    kai = store.list_people(db).filter(pl.col("person") == "Kai")["person_id"][0]
    store.set_relationship_kind(db, int(kai), "child")
    db.engine.dispose()
    return path


@pytest.fixture(scope="module")
def app_client(filled: Path) -> Iterator[TestClient]:
    with TestClient(create_app(filled), base_url="http://127.0.0.1") as client:
        yield client


def _pages(client: TestClient) -> dict[str, str]:
    """Every page and fragment of the app, by address."""
    urls = [
        "/", "/journal", "/expectations", "/coach", "/assess", "/parent", "/import",
        "/settings", "/journal?person=Alex",
    ]  # fmt: skip
    board = client.get("/").text
    ids = sorted({int(i) for i in re.findall(r'href="/relationship/(\d+)"', board)})
    assert len(ids) == 4
    groups = sorted({int(i) for i in re.findall(r'href="/group/(\d+)"', board)})
    assert len(groups) == 1  # the demo's pub quiz
    urls += [f"/group/{gid}" for gid in groups]
    for rid in ids:
        urls += [f"/relationship/{rid}", f"/assess?relationship={rid}"]
        urls += [
            f"/relationship/{rid}/messages?topic={t}&sender={s}"
            for t in TOPICS
            for s in ("me", "them")
        ]
        urls += [
            f"/relationship/{rid}/evidence?dimension={d}&giver={g}"
            for d in DIMENSIONS
            for g in ("me", "them")
        ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.text
    return pages


def test_every_page_and_fragment_speaks_plain_words(app_client: TestClient) -> None:
    pages = _pages(app_client)
    assert "warm" in " ".join(pages.values())  # the good-news answers are on the pages
    found = {url: problems(html) for url, html in pages.items() if problems(html)}
    assert found == {}


def test_the_import_result_counts_people_in_words(
    app_client: TestClient, tmp_path: Path, upload: Callable[..., str]
) -> None:
    chat = tmp_path / "WhatsApp Chat with Dora.txt"
    chat.write_text(
        "01/03/2024, 10:00 - Sam: hi Dora, how are you?\n01/03/2024, 10:05 - Dora: fine!\n",
        encoding="utf-8",
    )
    result = upload(app_client, chat.name, chat.read_bytes(), status=202, me=demo.ME)
    assert "1 new person" in visible_text(result)
    assert problems(result) == []


def test_the_report_speaks_plain_words(filled: Path) -> None:
    html = render_report(gather(store.open_db(filled)))
    text = visible_text(html)
    assert "Overview" in text
    assert "Your needs from Alex, checked" in text
    assert problems(html) == []
