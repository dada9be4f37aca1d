"""WhatsApp dates: which number is the day, and wall-clock times to UTC.

Exports write dates in the phone's locale without saying which (``03/04/24`` is 3 April in
London and March 4 in New York). :class:`DateOrder` collects evidence as the file is read
(up to :data:`~reciprocity.ingest.whatsapp.DATE_SAMPLE_BYTES` when nothing settles it):
a first number above 12 can only be a day, a second number above 12 only a day too. When
no number ever goes above 12, the number that changes more often between messages is the
day (days turn over faster than months); when even that is level, day-first, the more
common order worldwide. ``Options.dayfirst`` overrides all of it.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from reciprocity.errors import ImportFailed

#: Years read as written. Before 1970 no phone clock goes, not even one reset after its
#: battery ran flat; a 2-digit year ends at 2099. A year outside (``0001``) is refused with
#: its line rather than read as something else.
FIRST_YEAR = 1970
LAST_YEAR = 2099

# Shifts tried, in order, for wall-clock times a DST change skipped: the time is read with
# the offset in force just before the gap (as Python's zoneinfo does with fold=0).
_GAP_SHIFTS = (timedelta(hours=1), timedelta(hours=2), timedelta(hours=3))


class DateOrder:
    """Evidence, piece by piece, for day-first or month-first dates."""

    def __init__(self) -> None:
        self.max_first = 0
        self.max_second = 0
        self.change_first = 0
        self.change_second = 0
        self._last: tuple[int, int] | None = None

    def add(self, frame: pl.DataFrame) -> None:
        """Take in the date parts of one frame of raw messages (year-first dates excluded)."""
        parts = frame.filter(~pl.col("ymd")).select("p1", "p2")
        if not parts.height:
            return
        if self._last is not None:
            parts = pl.concat(
                [pl.DataFrame([self._last], schema=parts.schema, orient="row"), parts]
            )
        stats = parts.select(
            max_first=pl.col("p1").max(),
            max_second=pl.col("p2").max(),
            change_first=pl.col("p1").diff().abs().sum(),
            change_second=pl.col("p2").diff().abs().sum(),
        ).row(0, named=True)
        self.max_first = max(self.max_first, int(stats["max_first"]))
        self.max_second = max(self.max_second, int(stats["max_second"]))
        self.change_first += int(stats["change_first"])
        self.change_second += int(stats["change_second"])
        self._last = (int(parts["p1"][-1]), int(parts["p2"][-1]))

    def decided(self) -> bool | None:
        """True (day-first) or False (month-first) once a number above 12 settled it."""
        if self.max_first > 12:
            return True
        if self.max_second > 12:
            return False
        return None

    def best_guess(self) -> bool:
        """The order to use when the whole file never settled it."""
        decided = self.decided()
        if decided is not None:
            return decided
        return self.change_first >= self.change_second


def _days_in_month(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )


def _problem(row: dict[str, object], *, dayfirst: bool, forced: bool) -> str:
    p1, p2, year = row["p1"], row["p2"], row["year"]
    if not row["year_ok"]:
        return (
            f"the year {int(str(year)):04} cannot be a message's: dates from {FIRST_YEAR} to "
            f"{LAST_YEAR} are read; correct the line"
        )
    if not row["date_ok"]:
        if row["ymd"]:
            return (
                f"the date {year}-{p1}-{p2} (year-month-day) does not exist; "
                "correct the line or export the chat again"
            )
        order = "day-first" if dayfirst else "month-first"
        other = "month-first" if dayfirst else "day-first"
        why = "as the date-order option asks" if forced else "the order the file's dates show"
        first, second, whole_year = (int(str(value)) for value in (p1, p2, year))
        try:  # would the other order make it a date?
            date(whole_year, *((first, second) if dayfirst else (second, first)))
        except ValueError:
            return f"the date {p1}/{p2}/{year} does not exist; correct the line"
        return (
            f"the date {p1}/{p2}/{year} does not exist when read {order}, {why}; if the export "
            f"writes dates {other}, say so with the date-order option, else correct the line"
        )
    suffix = {None: "", True: " PM", False: " AM"}[row["pm"]]  # type: ignore[index]
    return (
        f"the time {row['hour']}:{row['minute']:02}{suffix} on this line does not exist; "
        "correct the line"
    )


def to_messages(
    frame: pl.DataFrame, *, dayfirst: bool, forced: bool, timezone: str, source: str
) -> pl.DataFrame:
    """Resolve raw date parts into UTC timestamps; returns ``frame`` with ``timestamp``.

    ``forced`` says the order came from the caller rather than the file (for the message).
    Raises :class:`ImportFailed` naming the first line whose date or time does not exist
    under the chosen order. Wall-clock times that fall twice in a DST change take the
    earlier moment; times that a DST change skipped are read with the earlier offset.
    """
    ymd = pl.col("ymd")
    if dayfirst:
        month = pl.when(ymd).then(pl.col("p1")).otherwise(pl.col("p2"))
        day = pl.when(ymd).then(pl.col("p2")).otherwise(pl.col("p1"))
    else:
        month, day = pl.col("p1"), pl.col("p2")
    hour = pl.col("hour")
    hour24 = pl.when(pl.col("pm").is_null()).then(hour).otherwise(hour % 12 + 12 * pl.col("pm"))
    frame = frame.with_columns(month=month, day=day, hour24=hour24)
    year_ok = pl.col("year").is_between(FIRST_YEAR, LAST_YEAR)
    date_ok = (
        year_ok
        & pl.col("month").is_between(1, 12)
        & pl.col("day").is_between(1, _days_in_month(pl.col("year"), pl.col("month")))
    )
    time_ok = (
        pl.when(pl.col("pm").is_null()).then(hour.is_between(0, 23)).otherwise(hour <= 12)
        & pl.col("minute").is_between(0, 59)
        & pl.col("second").is_between(0, 59)
    )
    checked = frame.with_columns(year_ok=year_ok, date_ok=date_ok, ok=date_ok & time_ok)
    bad = checked.filter(~pl.col("ok"))
    if bad.height:
        row = bad.row(0, named=True)
        raise ImportFailed.one(
            source, int(row["line"]), _problem(row, dayfirst=dayfirst, forced=forced)
        )
    wall = pl.datetime("year", "month", "day", "hour24", "minute", "second")
    naive = frame.select(wall=wall)["wall"]
    return frame.drop("month", "day", "hour24").with_columns(
        timestamp=localize(naive, timezone).dt.convert_time_zone("UTC")
    )


def localize(naive: pl.Series, timezone: str) -> pl.Series:
    """Wall-clock times ``naive`` read in ``timezone``: a time a DST change repeats is the
    earlier moment, one it skipped is read with the offset before the gap."""
    local = naive.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
    for shift in _GAP_SHIFTS:
        missing = local.is_null() & naive.is_not_null()
        if not missing.any():
            break
        shifted = (naive - shift).dt.replace_time_zone(
            timezone, ambiguous="earliest", non_existent="null"
        ) + shift
        local = local.zip_with(~missing, shifted)
    return local.fill_null(naive.dt.replace_time_zone("UTC").dt.convert_time_zone(timezone))
