"""CSV files with very long headers, fields, lines and numbers: long messages import, what is
over the caps is refused with its line, and nothing ends in a raw traceback."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from tests.ingest.hostile import MB, read_in_child, repeat, write_chunks

from reciprocity.errors import ImportFailed
from reciprocity.ingest import csvfile
from reciprocity.ingest.base import Options

FLAT = 400 * MB
ROW = "2024-03-01 10:00,Alex,hi\n"


def read(path: Path) -> pl.DataFrame:
    return pl.concat(list(csvfile.parse(path, Options(timezone="UTC"))))


def failure(path: Path) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        list(csvfile.parse(path, Options(timezone="UTC")))
    return caught.value


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "chat.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_a_header_over_128_kib_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, f"timestamp,sender,text,{'note' * 50_000}\n2024-03-01 10:00,Alex,hi,\n")
    assert read(path)["text"].to_list() == ["hi"]


@pytest.mark.parametrize("size", [131_073, 1024 * 1024])
def test_long_legitimate_messages_import_whole(tmp_path: Path, size: int) -> None:
    one_line = "x" * size
    many_lines = "\n".join(["y" * 999] * (size // 1000))
    path = write(
        tmp_path,
        f'timestamp,sender,text\n{ROW}2024-03-01 10:01,Sam,"{one_line}"\n'
        f'2024-03-01 10:02,Alex,"{many_lines}"\n',
    )
    assert read(path)["text"].to_list() == ["hi", one_line, many_lines]


def test_the_field_limit_is_raised_only_upwards(tmp_path: Path) -> None:
    before = csv.field_size_limit()
    read(write(tmp_path, f"timestamp,sender,text\n{ROW}"))
    assert csv.field_size_limit() >= max(before, 8 * MB)


def test_a_field_over_the_cap_is_refused_at_the_line_it_starts(tmp_path: Path) -> None:
    text = "\n".join(["z" * 999] * (9 * 1024))
    path = write(tmp_path, f'timestamp,sender,text\n{ROW}2024-03-01 10:01,Sam,"{text}"\n{ROW}')
    [problem] = failure(path).problems
    assert problem.line == 3
    assert problem.message.startswith("a field that starts on this line is longer than 8 MB")


def test_a_quote_left_open_stops_at_the_cap_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, f'timestamp,sender,text\n{ROW}2024-03-01 10:01,Sam,"oops\n' + ROW * 400_000
    )
    [problem] = failure(path).problems
    assert problem.line == 3
    assert "a double quote may be left open" in problem.message


@pytest.mark.parametrize("stamp", ["9" * 5000, "1" * 5000 + ".5", "-" + "7" * 4301])
def test_a_timestamp_of_thousands_of_digits_is_a_problem_at_its_line(
    tmp_path: Path, stamp: str
) -> None:
    path = write(tmp_path, f"timestamp,sender,text\n{ROW}{stamp},Sam,hi\n")
    [problem] = failure(path).problems
    assert problem.line == 3
    assert "is not a time" in problem.message
    assert len(problem.message) < 300


def test_a_single_huge_line_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = write_chunks(
        tmp_path / "chat.csv",
        [
            b"timestamp,sender,text\n",
            ROW.encode(),
            b"2024-03-01 10:01,Sam,",
            *repeat(b"a" * MB, 200 * MB),
        ],
    )
    outcome = read_in_child(path)
    assert outcome.error is not None
    assert outcome.error.startswith(f"{path}:3: this line is longer than 8 MB")
    assert outcome.peak < FLAT


def test_a_huge_header_line_is_refused_at_line_one(tmp_path: Path) -> None:
    path = write_chunks(
        tmp_path / "chat.csv", [b"timestamp,sender,text,", *repeat(b"n" * MB, 20 * MB)]
    )
    outcome = read_in_child(path)
    assert outcome.error is not None
    assert outcome.error.startswith(f"{path}:1: this line is longer than 8 MB")
    assert outcome.peak < FLAT


def test_a_bad_byte_far_into_a_file_names_its_line(tmp_path: Path) -> None:
    rows = ROW.encode() * 100_000  # 2.5 MB: the line is found across several blocks
    path = write_chunks(
        tmp_path / "chat.csv",
        [b"timestamp,sender,text\n", rows, "2024-03-01 10:00,Zo\u00eb,".encode()[:-2] + b"\xff,\n"],
    )
    [problem] = failure(path).problems
    assert problem.line == 100_002
    assert "UTF-8" in problem.message
