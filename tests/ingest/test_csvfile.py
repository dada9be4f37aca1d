"""Generic CSV: header aliases, delimiters, timestamps with and without offsets, errors by line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reciprocity.errors import ImportFailed
from reciprocity.ingest import base, csvfile
from reciprocity.ingest.base import KINDS, MESSAGE_SCHEMA, Options

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "csv"


def read(path: Path, **options: str | None) -> pl.DataFrame:
    frames = list(csvfile.parse(path, Options(**options)))  # type: ignore[arg-type]
    for frame in frames:
        assert dict(frame.schema) == MESSAGE_SCHEMA
    return pl.concat(frames) if frames else pl.DataFrame(schema=MESSAGE_SCHEMA)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def write(tmp_path: Path, text: str, name: str = "chat.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def failure(path: Path, **options: str | None) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        list(csvfile.parse(path, Options(**options)))  # type: ignore[arg-type]
    return caught.value


def test_offsets_multiline_quotes_and_optional_columns() -> None:
    # the zone option must not move times that carry their own offset
    df = read(FIXTURES / "offsets.csv", timezone="Asia/Tokyo")
    assert df.drop("source").rows() == [
        ("Jo", "Jo", utc("2024-06-01T06:00:00"), "Morning! Did you sleep ok?", "text", None,
         "m1", 2),
        ("Jo", "Sam", utc("2024-06-01T06:05:30"),
         "Not really.\nThe neighbours had a party, until 3.\nYou?", "text", "m1", "m2", 3),
        ("Jo", "Jo", utc("2024-06-01T06:06:00"), 'Same "party" here, ha', "text", "m2", "m3", 6),
        ("Jo", None, utc("2024-06-01T07:00:00"), "Jo changed the group photo", "system", None,
         "m4", 7),
        ("Jo", "Sam", utc("2024-06-01T14:00:00"), "<photo>", "media", None, "m5", 8),
    ]  # fmt: skip
    assert set(df["source"]) == {"csv"}


def test_bom_semicolons_aliases_and_wall_clock_times() -> None:
    path = FIXTURES / "naive_semicolon.csv"
    df = read(path, timezone="Europe/Berlin")
    assert df.select("conversation", "sender", "timestamp", "text", "line").rows() == [
        ("naive_semicolon", "Ana", utc("2024-03-31T00:30:00"), "Are you still up?", 2),
        # after the spring change: +02:00
        ("naive_semicolon", "Sam", utc("2024-03-31T01:30:00"), "yes; can't sleep", 3),
        # 02:30 happens twice in the autumn; the first (summer time) is taken
        ("naive_semicolon", "Ana", utc("2024-10-27T00:30:00"),
         "the clocks go back tonight;\nso an extra hour", 4),
    ]  # fmt: skip
    assert read(path, timezone="UTC")["timestamp"][0] == utc("2024-03-31T01:30:00")
    assert set(read(path, conversation="Ana")["conversation"]) == {"Ana"}


def test_wall_clock_defaults_to_the_machine_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "local_timezone_name", lambda: "America/Sao_Paulo")
    assert read(FIXTURES / "naive_semicolon.csv")["timestamp"][0] == utc("2024-03-31T04:30:00")


def test_tabs_and_epoch_seconds_and_milliseconds() -> None:
    df = read(FIXTURES / "epoch.tsv", timezone="Europe/Berlin")
    assert df.select("conversation", "sender", "timestamp", "text", "line").rows() == [
        ("Lee", "Lee", utc("2024-06-01T08:00:00"), "first", 2),
        ("Lee", "Sam", datetime(2024, 6, 1, 8, 1, 0, 500_000, tzinfo=UTC), "second", 3),
        ("epoch", "Lee", utc("2024-06-01T08:02:00"), "third (milliseconds)", 4),
    ]


def test_missing_columns_are_named_with_what_was_found() -> None:
    error = failure(FIXTURES / "missing_column.csv")
    [problem] = error.problems
    assert problem.line == 1
    assert "missing columns timestamp, sender" in problem.message
    assert "found 'when', 'who', 'message'" in problem.message


def test_bad_timestamp_names_the_physical_line() -> None:
    # the row is the 4th record but starts on line 6: a quoted text spans lines 2-4
    [problem] = failure(FIXTURES / "bad_timestamp.csv").problems
    assert problem.line == 6
    assert "'yesterday at noon'" in problem.message


def test_all_row_problems_are_reported_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "timestamp,sender,text,kind\n"
        "2024-06-01T08:00:00Z,Jo,fine,\n"
        "2024-06-01T08:01:00Z,,nobody sent this,\n"
        "2024-06-01T08:02:00Z,Jo,hello,sticker\n"
        "2024-06-01T08:03:00Z,Jo,too,many,fields\n"
        "2024-13-01T08:04:00Z,Jo,no such month,\n"
        "99999999999999999999,Jo,too far out,\n",
    )
    problems = failure(path).problems
    assert [p.line for p in problems] == [3, 4, 5, 6, 7]
    assert "sender is empty" in problems[0].message
    assert "'sticker'" in problems[1].message
    assert "5 fields but the header has 4" in problems[2].message
    assert "'2024-13-01T08:04:00Z'" in problems[3].message
    assert "'99999999999999999999'" in problems[4].message


def test_separate_date_and_time_columns_are_joined(tmp_path: Path) -> None:
    path = write(tmp_path, "Date,Time,Name,Content\n2024-06-01,09:30,Kim,hi\n")
    assert read(path, timezone="UTC")["timestamp"].to_list() == [utc("2024-06-01T09:30:00")]


def test_blank_lines_are_skipped_and_lines_still_count(tmp_path: Path) -> None:
    path = write(tmp_path, "time,from,body\n\n2024-06-01T08:00:00Z,Jo,hi\n,,\n\n")
    assert read(path)["line"].to_list() == [3]


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"timestamp,sender,text\n2024-06-01T08:00:00Z,Jo,ok\n2024-06-01,Jos\xe9,x\n")
    [problem] = failure(path).problems
    assert problem.line == 3
    assert "UTF-8" in problem.message


def test_unbalanced_quote_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path, 'timestamp,sender,text\n2024-06-01T08:00:00Z,Jo,"oops\n2024-06-01T08:01:00Z,A,b\n'
    )
    [problem] = failure(path).problems
    assert problem.line == 2


def test_a_header_too_long_to_split_is_refused_at_line_1(tmp_path: Path) -> None:
    """Found by tests/fuzz: a first row over the csv module's 128 KiB field limit raised
    the module's own error instead of naming the file and line."""
    path = write(tmp_path, "a" * 140_000 + "timestamp,sender,text\n2024-06-01T08:00:00Z,Jo,hi\n")
    [problem] = failure(path).problems
    assert problem.line == 1
    assert "timestamp" in problem.message  # says which columns the first row must name


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ImportFailed, match="Mars/Olympus"):
        list(csvfile.parse(FIXTURES / "offsets.csv", Options(timezone="Mars/Olympus")))


def test_long_files_come_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvfile, "BATCH_ROWS", 2)
    frames = list(csvfile.parse(FIXTURES / "offsets.csv", Options()))
    assert [len(f) for f in frames] == [2, 2, 1]
    assert pl.concat(frames).equals(read(FIXTURES / "offsets.csv"))


def test_detect_goes_by_the_suffix(tmp_path: Path) -> None:
    for name in ("offsets.csv", "naive_semicolon.csv", "epoch.tsv", "bad_timestamp.csv"):
        path = FIXTURES / name
        assert csvfile.detect(path, path.read_bytes()[:65536])
    assert not csvfile.detect(tmp_path / "chat.txt", b"timestamp,sender,text\n")


def test_missing_column_is_explained_not_unknown(tmp_path: Path) -> None:
    """Auto-detection hands any .csv to the CSV parser, whose error names the columns."""
    from reciprocity import ingest

    with pytest.raises(ImportFailed, match="found"):
        ingest.load(FIXTURES / "missing_column.csv")


def check_parse(path: Path) -> None:
    """The property: frames with exactly the schema, or ImportFailed; nothing else."""
    try:
        frames = list(csvfile.parse(path, Options(timezone="UTC")))
    except ImportFailed:
        return  # ImportFailed cannot be built without a Problem
    for frame in frames:
        assert dict(frame.schema) == MESSAGE_SCHEMA
        assert set(frame["kind"]) <= set(KINDS)
        assert frame["timestamp"].null_count() == 0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".tsv"]))
def test_arbitrary_bytes_load_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"chat{suffix}"
    path.write_bytes(data)
    check_parse(path)


FIELD = (
    st.text()
    | st.sampled_from(["", "system", "media", "Jo", "2024-06-01T08:00:00Z", "1717228800"])
    | st.datetimes().map(str)
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.permutations(["timestamp", "sender", "text", "kind", "conversation", "id"]),
    rows=st.lists(st.lists(FIELD, min_size=5, max_size=7), max_size=5),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_hostile_rows_load_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str],
    rows: list[list[str]],
    delimiter: str,
) -> None:
    def quote(field: str) -> str:
        return '"' + field.replace('"', '""') + '"'

    lines = [delimiter.join(header)] + [delimiter.join(map(quote, row)) for row in rows]
    path = tmp_path_factory.mktemp("rows") / "chat.csv"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    check_parse(path)
