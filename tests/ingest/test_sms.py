"""SMS Backup & Restore XML: senders, directions, times, emoji written as surrogate pairs,
group MMS, errors with the parser's line, and the import through the pipeline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity import ingest, pipeline, store
from reciprocity.errors import ImportFailed
from reciprocity.ingest import phones, sms
from reciprocity.ingest.base import MESSAGE_SCHEMA, Options

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sms"
BACKUP = FIXTURES / "backup.xml"
MIRA = "Mira Okafor <+4915123456789>"
JONAS = "Jonas Berg <+4917699887766>"


def read(path: Path) -> pl.DataFrame:
    frames = list(sms.parse(path, Options()))
    for frame in frames:
        assert dict(frame.schema) == MESSAGE_SCHEMA
    return pl.concat(frames) if frames else pl.DataFrame(schema=MESSAGE_SCHEMA)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def backup(tmp_path: Path, body: str, name: str = "sms.xml") -> Path:
    path = tmp_path / name
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        f'<smses count="1">\n{body}\n</smses>\n',
        encoding="utf-8",
    )
    return path


def failure(path: Path) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        read(path)
    return caught.value


def test_fixture_senders_directions_times_text_and_kinds() -> None:
    df = read(BACKUP)
    assert df.drop("source", "reply_to", "source_id").rows() == [
        ("Mira Okafor", MIRA, utc("2024-06-01T08:00:00"),
         "Are you around this weekend?\nThinking of the lake", "text", 5),
        # sent (type 2), its number written without the country code: the same chat
        ("Mira Okafor", "Me", utc("2024-06-01T08:05:00"), "Yes! Saturday works 😀", "text", 6),
        ("Mira Okafor", MIRA, utc("2024-06-01T08:06:00.5"), "Great & bring snacks <3", "text", 7),
        # the draft (type 3) is skipped; an unknown sender is their number
        ("72345", "72345", utc("2024-06-01T09:00:00"), "Your code is 4411", "text", 9),
        # group MMS: the sender is the 137 address, the chat is everyone else
        ("Mira Okafor, Jonas Berg", JONAS, utc("2024-06-01T10:00:00"),
         "Lake group! Who brings the boat? 🚤", "text", 10),
        ("Mira Okafor, Jonas Berg", "Me", utc("2024-06-01T10:05:00"), "<photo>", "media", 21),
        ("Jonas Berg", JONAS, utc("2024-06-01T10:06:40"), "Here is the way", "media", 31),
    ]  # fmt: skip
    assert set(df["source"]) == {"sms"}
    assert df["reply_to"].is_null().all()


def test_detected_by_content_not_name(tmp_path: Path) -> None:
    renamed = tmp_path / "backup.txt"
    renamed.write_bytes(BACKUP.read_bytes())
    assert ingest.detect(renamed) == "sms"
    assert ingest.detect(BACKUP) == "sms"
    calls = backup(tmp_path, "", "calls.xml")
    calls.write_text('<?xml version="1.0"?>\n<calls count="0"></calls>\n')
    assert not sms.detect(calls, calls.read_bytes())


def test_numbers_in_any_notation_are_one_handle() -> None:
    assert phones.normalise("+49 (151) 2345-6789") == "+4915123456789"
    assert phones.normalise("0151 23456789", "DE") == "+4915123456789"
    assert phones.normalise("Alex@Example.com") == "alex@example.com"
    assert phones.split_handle(MIRA) == ("Mira Okafor", "+4915123456789")


def test_surrogate_pairs_and_control_references_are_repaired() -> None:
    assert sms.fix_references(b"&#55357;&#56832;") == "😀".encode()
    assert sms.fix_references(b"a&#55357;b") == "a\ufffdb".encode()
    assert sms.fix_references(b"&#10;&#38;&#x1F600;&#0;") == b"&#10;&#38;&#x1F600;"


def test_broken_xml_names_the_parser_line(tmp_path: Path) -> None:
    path = backup(
        tmp_path,
        '<sms address="+4915123456789" date="1717228800000" type="1" body="ok" />\n'
        '<sms address="+4915123456789" date="1717228800000" type="1" body="a < b" />',
    )
    error = failure(path)
    assert str(error).startswith(f"{path}:4: not valid XML")


def test_bad_date_names_its_line_and_nothing_is_yielded(tmp_path: Path) -> None:
    path = backup(
        tmp_path,
        '<sms address="+4915123456789" date="1717228800000" type="1" body="ok" />\n'
        '<sms address="+4915123456789" date="yesterday" type="1" body="x" />',
    )
    error = failure(path)
    assert [(p.line, p.message[:6]) for p in error.problems] == [(4, "date '")]


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "laughs.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE smses [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<smses><sms address="1" date="1" type="1" body="&b;" /></smses>\n'
    )
    assert "document type" in str(failure(path))


def test_not_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?>\n<notes><note/></notes>\n')
    assert "not an SMS Backup" in str(failure(path))


def test_import_twice_adds_nothing_and_bad_file_writes_nothing(tmp_path: Path) -> None:
    with store.open_db(tmp_path / "db.sqlite") as db:
        bad = backup(tmp_path, '<sms address="+491" date="x" type="1" body="a" />', "bad.xml")
        with pytest.raises(ImportFailed):
            pipeline.import_file(db, bad)
        first = pipeline.import_file(db, BACKUP)
        assert first.format == "sms"
        assert first.result.messages_added == 7
        again = pipeline.import_file(db, BACKUP, me="Sam")  # --me cannot rename the phone's user
        assert again.result.messages_added == 0
        with db.engine.connect() as conn:
            people = {r[0] for r in conn.exec_driver_sql("SELECT name FROM people WHERE is_me")}
        assert people == {"Me"}


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"),
    max_size=40,
)


def _written_like_the_app(text: str) -> str:
    """``text`` as an attribute the way the app writes it: characters outside the first
    plane as two surrogate references, newlines as ``&#10;``."""
    out = []
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"&#{0xD800 + (code >> 10)};&#{0xDC00 + (code & 0x3FF)};")
        elif char in "\n\r\t" or code < 0x20:
            out.append(f"&#{code};")
        else:
            out.append(escape(char, {'"': "&quot;"}))
    return '"' + "".join(out) + '"'


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    bodies=st.lists(st.tuples(_TEXT, st.sampled_from(["1", "2"])), min_size=1, max_size=8),
    start=st.integers(0, 4_000_000_000_000),
)
def test_any_text_round_trips(tmp_path: Path, bodies: list[tuple[str, str]], start: int) -> None:
    lines = [
        f'<sms address="+4915123456789" date="{start + i}" type="{box}" '
        f'body={_written_like_the_app(body)} contact_name="(Unknown)" />'
        for i, (body, box) in enumerate(bodies)
    ]
    df = read(backup(tmp_path, "\n".join(lines)))
    expected = ["".join(c for c in body if c in "\t\n\r" or ord(c) >= 0x20) for body, _ in bodies]
    assert df["text"].to_list() == expected
    assert df["sender"].to_list() == ["Me" if box == "2" else "+4915123456789" for _, box in bodies]
    assert df["line"].to_list() == list(range(3, 3 + len(bodies)))
    first = df["timestamp"][0]
    assert first == datetime.fromtimestamp(start / 1000, UTC)


def test_an_endless_element_is_refused_with_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sms, "MAX_ELEMENT_BYTES", 3 * 1024 * 1024)
    monkeypatch.setattr(sms, "CHUNK_BYTES", 1024 * 1024)
    path = tmp_path / "endless.xml"
    with path.open("w") as fh:
        fh.write("<?xml version='1.0'?>\n<smses>\n<sms body=\"")
        for _ in range(8):
            fh.write("a" * (1024 * 1024))
    error = failure(path)
    assert "without the end of an element" in str(error)
    assert error.problems[0].line == 3


def test_a_message_over_the_limit_names_its_line(tmp_path: Path) -> None:
    huge = "x" * (8 * 1024 * 1024 + 1)
    path = backup(tmp_path, f'<sms address="+4915123456789" date="1" type="1" body="{huge}" />')
    assert [p.line for p in failure(path).problems] == [3]


def test_a_damaged_encoding_declaration_is_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "sms.xml"
    text = BACKUP.read_text(encoding="utf-8").replace("encoding='UTF-8'", "encoding='UTF-0'")
    path.write_text(text, encoding="utf-8")
    assert read(path).height == 7


def _sms(date: int, box: str, body: str, name: str, address: str = "+49 151 23456789") -> str:
    return (
        f'<sms protocol="0" address="{address}" date="{date}" type="{box}" body="{body}" '
        f'read="1" status="-1" contact_name="{name}" />'
    )


def test_a_contact_renamed_between_two_backups_adds_nothing_twice(tmp_path: Path) -> None:
    """The number is the identity: the later backup, made after the contact was renamed,
    adds only its new message, to the same chat and the same person."""
    said = [(1717228800000, "1", "Are you around?"), (1717229100000, "2", "Yes!"),
            (1717229160500, "1", "Great")]  # fmt: skip
    first = backup(tmp_path, "\n".join(_sms(d, b, t, "Mira Okafor") for d, b, t in said), "a.xml")
    later = [*said, (1717315200000, "1", "See you at the lake")]
    renamed = "\n".join(_sms(d, b, t, "Mira O.") for d, b, t in later)
    second = backup(tmp_path, renamed, "b.xml")
    with store.open_db(tmp_path / "db.sqlite") as db:
        assert pipeline.import_file(db, first).result.messages_added == 3
        assert pipeline.import_file(db, second).result.messages_added == 1
        assert pipeline.import_file(db, second).result.messages_added == 0
        with db.engine.connect() as conn:
            chats = conn.exec_driver_sql("SELECT title FROM conversations").scalars().all()
            people = conn.exec_driver_sql("SELECT name FROM people WHERE NOT is_me").all()
        assert chats == ["Mira Okafor"]
        assert people == [("Mira Okafor",)]


def test_the_message_id_leaves_the_name_out(tmp_path: Path) -> None:
    frames = [
        read(backup(tmp_path, _sms(1717228800000, "1", "hi", name), f"{n}.xml"))
        for n, name in enumerate(("Mira Okafor", "(Unknown)"))
    ]
    assert frames[0]["sender"][0] == "Mira Okafor <+4915123456789>"
    assert frames[0]["source_id"].equals(frames[1]["source_id"])
    assert frames[0]["source_id"][0].startswith("sms:")
