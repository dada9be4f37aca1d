"""Email (mbox and .eml): threads, the user's several addresses, quoted text, forwards and
signatures removed, HTML-only mail, errors by line, and the import through the pipeline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity import ingest, pipeline, store
from reciprocity.errors import ImportFailed
from reciprocity.ingest import email
from reciprocity.ingest._email_text import html_text, own_words
from reciprocity.ingest.base import MESSAGE_SCHEMA, Options

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "email"
MBOX = FIXTURES / "inbox.mbox"
EML = sorted((FIXTURES / "eml").iterdir())
SAM = ("sam@home.example", "sam@work.example")
ALEX = "Alex Kim <alex@example.com>"


def frames(paths: list[Path], own: tuple[str, ...] = SAM) -> pl.DataFrame:
    parts = list(email.parse_files(paths, Options(own_addresses=own)))
    for part in parts:
        assert dict(part.schema) == MESSAGE_SCHEMA
    return pl.concat(parts) if parts else pl.DataFrame(schema=MESSAGE_SCHEMA)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_mbox_threads_senders_and_own_words() -> None:
    df = frames([MBOX])
    assert df.select("conversation", "sender", "timestamp", "kind", "line").rows() == [
        ("Lunch on Friday?", ALEX, utc("2024-06-07T08:00:00"), "text", 2),
        # the user's mail, from either address, under their first address
        ("Lunch on Friday?", "sam@home.example", utc("2024-06-07T09:15:00"), "text", 18),
        ("Lunch on Friday?", ALEX, utc("2024-06-07T09:40:00"), "text", 42),
        ("Trip photos", "sam@home.example", utc("2024-06-10T07:00:00"), "media", 60),
        ("Ferry times", "Jo Park <jo@example.org>", utc("2024-06-10T08:30:00"), "media", 84),
        # "AW:" is German for "Re:"; In-Reply-To alone ties it to its thread
        ("Trip photos", ALEX, utc("2024-06-11T06:00:00"), "text", 99),
    ]
    texts = df["text"].to_list()
    assert texts[0].endswith("From what I heard it is good.\n\nAlex")
    # quoted-printable decoded, ">From" unescaped, quote and signature gone
    assert (
        texts[1] == "Yes! 12:30 works for me — see you there.\nFrom now on Fridays are ramen days."
    )
    # HTML only: text without markup, script, style or the quoted part
    assert texts[2] == "Great, & I'll book a table.\nBis dann!"
    assert texts[3] == "Here are the photos from the lake. Le meilleur week-end !"
    assert texts[4] == "<forwarded message>"
    assert texts[5] == "Wonderful, thank you!"
    assert df["reply_to"].to_list() == [
        None,
        "lunch-1@example.com",
        "lunch-2@home.example",
        None,
        None,
        "trip-1@work.example",
    ]
    assert df["source_id"][0] == "lunch-1@example.com"


def test_eml_files_are_one_import_with_threads_across_files() -> None:
    df = frames(EML)
    assert df.select("conversation", "sender", "text").rows() == [
        ("Book club 📚", "Mira Okafor <mira@example.net>",
         "Which book next month? I vote for something short 📖"),
        ("Book club 📚", "sam@home.example", "Short works. Einverstanden!"),
    ]  # fmt: skip
    assert df["timestamp"].to_list() == [utc("2024-06-12T23:00:00"), utc("2024-06-13T05:30:00")]


def test_without_own_addresses_everyone_is_named() -> None:
    senders = set(frames([MBOX], own=())["sender"])
    assert "Sam Lee <sam@home.example>" in senders
    assert "Sam Lee <sam@work.example>" in senders


def test_detected_by_content(tmp_path: Path) -> None:
    assert ingest.detect(MBOX) == "email"
    renamed = tmp_path / "mail.txt"
    renamed.write_bytes(EML[0].read_bytes())
    assert ingest.detect(renamed) == "email"
    not_mail = tmp_path / "notes.txt"
    not_mail.write_text("From: the kitchen\nTo do: buy milk\n")
    assert not email.detect(not_mail, not_mail.read_bytes())


def test_quotes_in_several_languages() -> None:
    for attribution in (
        "On Mon, 3 Jun 2024 at 10:00, Alex <a@x.org> wrote:",
        "Am Mo., 3. Juni 2024 um 10:00 Uhr schrieb Alex <a@x.org>:",
        "Le lun. 3 juin 2024 à 10:00, Alex <a@x.org> a écrit :",
        "El lun, 3 jun 2024 a las 10:00, Alex (<a@x.org>) escribió:",
        "Il giorno lun 3 giu 2024 alle ore 10:00 Alex <a@x.org> ha scritto:",
        "Op ma 3 jun. 2024 om 10:00 schreef Alex <a@x.org>:",
        "Em seg., 3 de jun. de 2024 às 10:00, Alex <a@x.org> escreveu:",
        "пн, 3 июн. 2024 г. в 10:00, Alex <a@x.org>: написал:",
    ):
        assert own_words(f"Fine.\n\n{attribution}\nold text\n> older") == ("Fine.", False)
    # a person's own "wrote:" without a date or an address stays
    assert own_words("Then she wrote:\nhello") == ("Then she wrote:\nhello", False)
    assert own_words("See below.\n---------- Forwarded message ---------\nx") == (
        "See below.",
        True,
    )


def test_html_is_only_text() -> None:
    assert html_text("<div>a<div class='gmail_quote'>q<div>in</div>q</div>b</div>") == "a\n\nb"
    assert "<" not in html_text("<p>&lt;b&gt; is shown as text</p>").replace("<b>", "")


def test_unreadable_date_falls_back_to_the_mbox_line(tmp_path: Path) -> None:
    good = MBOX.read_text(encoding="utf-8").split("\nFrom sam@home.example")[0]
    odd = (
        "\nFrom x@y.example Sat Jun  8 10:00:00 2024\nFrom: X <x@y.example>\n"
        "Subject: hi\nDate: someday\nMessage-ID: <b@y>\n\nhello\n"
    )
    path = tmp_path / "odd.mbox"
    path.write_text(good + "\n" + odd, encoding="utf-8")
    df = frames([path])
    assert df.select("timestamp", "line").rows()[-1] == (utc("2024-06-08T10:00:00"), 19)


def test_bad_date_names_the_file_and_nothing_is_yielded(tmp_path: Path) -> None:
    ok = tmp_path / "a.eml"
    ok.write_bytes(EML[0].read_bytes())
    bad = tmp_path / "b.eml"
    bad.write_text("From: X <x@y.example>\nSubject: hi\nDate: someday\n\nhello\n")
    with pytest.raises(ImportFailed) as caught:
        list(email.parse_files([ok, bad], Options()))
    assert str(caught.value).startswith(f"{bad}:1: the mail's date ('someday')")


def test_mail_without_sender_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.eml"
    path.write_text("Subject: hi\nDate: Mon, 3 Jun 2024 10:00:00 +0000\n\nhello\n")
    with pytest.raises(ImportFailed) as caught:
        frames([path])
    assert str(caught.value) == f"{path}:1: the mail has no sender address (From:)"


def test_import_twice_adds_nothing_and_me_takes_addresses(tmp_path: Path) -> None:
    with store.open_db(tmp_path / "db.sqlite") as db:
        me = "sam@home.example, sam@work.example"
        first = pipeline.import_file(db, MBOX, me=me)
        assert (first.format, first.result.messages_added) == ("email", 6)
        assert pipeline.import_file(db, MBOX, me=me).result.messages_added == 0
        with db.engine.connect() as conn:
            mine = conn.exec_driver_sql("SELECT name FROM people WHERE is_me").scalars().all()
        assert mine == ["sam@home.example"]


_WORDS = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=">"), max_size=30
).map(str.strip)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bodies=st.lists(_WORDS, min_size=1, max_size=5))
def test_mbox_of_any_bodies(tmp_path: Path, bodies: list[str]) -> None:
    mails = []
    for i, body in enumerate(bodies):
        text = "\n".join(">" + line if line.startswith("From ") else line for line in [body])
        mails.append(
            f"From a@b.example Mon Jun  3 10:00:0{i} 2024\nFrom: A <a@b.example>\n"
            f"Subject: s{i}\nDate: Mon, 3 Jun 2024 10:00:0{i} +0000\nMessage-ID: <m{i}@b>\n"
            f"Content-Type: text/plain; charset=utf-8\n\n{text}\n"
        )
    path = tmp_path / "any.mbox"
    path.write_text("\n".join(mails), encoding="utf-8")
    df = frames([path])
    assert df["source_id"].to_list() == [f"m{i}@b" for i in range(len(bodies))]
    assert df["text"].to_list() == [own_words(body)[0] for body in bodies]


def test_me_may_be_a_display_name(tmp_path: Path) -> None:
    df = frames([MBOX], own=("Sam Lee",))
    assert df.filter(pl.col("sender") == "Sam Lee").height == 2
    assert ingest._own_addresses("a@x.example b@y.example, Sam  Lee") == [
        "a@x.example",
        "b@y.example",
        "Sam Lee",
    ]


def test_a_mail_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(email, "MAX_MAIL_BYTES", 1000)
    path = tmp_path / "big.mbox"
    body = "word " * 400
    path.write_text(MBOX.read_text(encoding="utf-8").split("\nFrom sam@")[0] + "\n" + body)
    with pytest.raises(ImportFailed) as caught:
        frames([path])
    assert [p.line for p in caught.value.problems] == [2]


def test_long_lines_cost_one_pass(tmp_path: Path) -> None:
    # a body line starting "From " after a blank line, and a subject of spaces: patterns
    # with two unbounded parts would take hours on these
    path = tmp_path / "long.mbox"
    path.write_text(
        "From a@b.example Mon Jun  3 10:00:00 2024\nFrom: A <a@b.example>\n"
        f"Subject: re{' ' * 200_000}x\nDate: Mon, 3 Jun 2024 10:00:00 +0000\n\n"
        f"hello\n\nFrom {'x' * 2_000_000}\n",
        encoding="utf-8",
    )
    df = frames([path])
    assert df.height == 1
    assert df["text"][0].startswith("hello")


def test_a_damaged_charset_is_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "x.eml"
    path.write_bytes(
        b"From: A <a@b.example>\nDate: Mon, 3 Jun 2024 10:00:00 +0000\n"
        b'Content-Type: text/plain; charset="\xefutf-8"\n\nhell\xc3\xb6\n'
    )
    assert frames([path])["text"].to_list() == ["hellö"]


def test_a_damaged_encoded_word_is_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "x.eml"
    path.write_bytes(
        b"From: A <a@b.example>\nDate: Mon, 3 Jun 2024 10:00:00 +0000\n"
        b"Subject: =?\xef\xbf\xbdutf-8?q?caf=C3=A9?=\n\nhi\n"
    )
    assert frames([path])["conversation"].str.contains("caf").to_list() == [True]
