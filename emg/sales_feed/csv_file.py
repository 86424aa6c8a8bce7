"""Reading a finance export: each line checked and parsed into a Sale, or the file refused
with the line and the problem (the rules are in the package's docstring)."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import TextIO

from emg.errors import EmgError
from emg.project_vars import Window

COLUMNS = ("sale_id", "pipeline_item_id", "sold_at", "amount", "currency")
MAX_AMOUNT = Decimal("9999999999.99")  # numeric(12, 2)
MAX_TEXT = 200  # characters of sale_id, pipeline_item_id and currency (an index row's limit)
COPY_CHUNK = 1 << 16  # characters per read() of a file (and of the COPY stream)
MAX_LINE = 10_000  # characters of one line: a good row needs well under 1,000
AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # NUL, line breaks, tabs...: never in an id


@dataclass(frozen=True, slots=True)
class Sale:
    sale_id: str
    pipeline_item_id: str | None
    sold_at: datetime  # aware
    amount: Decimal
    currency: str | None


class _Refusal(Exception):
    """A problem on one line; `parse_sales` turns it into the user's one-line EmgError."""


def _header(fields: list[str]) -> itemgetter:
    """What picks a row's fields in COLUMNS order; a _Refusal unless the header is right."""
    names = [field.strip().lower() for field in fields]
    repeated = sorted({name for name in names if names.count(name) > 1})
    missing = [name for name in COLUMNS if name not in names]
    extra = [name or "(blank)" for name in names if name not in COLUMNS]
    expected = f"the header must be exactly {','.join(COLUMNS)}"
    if repeated:
        raise _Refusal(f"column {repeated[0]!r} appears more than once; {expected}")
    if missing:
        raise _Refusal(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; {expected}"
        )
    if extra:
        raise _Refusal(
            f"unexpected column{'s' if len(extra) > 1 else ''} {', '.join(extra)}; {expected}"
        )
    return itemgetter(*(names.index(name) for name in COLUMNS))


def _text(column: str, value: str) -> str | None:
    control = CONTROL.search(value)
    if control and control.group() == "\x00":
        raise _Refusal(
            f"{column} contains a NUL character (\\x00), which the warehouse cannot hold"
        )
    if control:
        raise _Refusal(f"{column} contains the control character {control.group()!r}")
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise _Refusal(f"{column} is {len(text):,} characters long (at most {MAX_TEXT})")
    return text or None


def _timestamp(value: str, window: Window) -> datetime:
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise _Refusal(f"sold_at {value!r} is not an ISO-8601 timestamp") from None
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
    if parsed < window.earliest:
        raise _Refusal(
            f"sold_at {value!r} is before {window.earliest.date()} "
            "(the dbt var earliest_plausible_date)"
        )
    if parsed > window.latest:
        raise _Refusal(
            f"sold_at {value!r} is more than {window.days_ahead} days after this load "
            "(the dbt var plausible_days_ahead)"
        )
    return parsed


def _amount(value: str) -> Decimal:
    text = value.strip()
    if not AMOUNT.fullmatch(text):
        if re.fullmatch(r"-?[0-9]+\.[0-9]{3,}", text):
            raise _Refusal(f"amount {value!r} has more than two decimals")
        raise _Refusal(
            f"amount {value!r} is not a number written with digits 0-9, an optional minus "
            "sign and at most two decimals (like -1234.50)"
        )
    amount = Decimal(text)
    if abs(amount) > MAX_AMOUNT:
        raise _Refusal(f"amount {value!r} is too large (at most {MAX_AMOUNT:,})")
    return amount


def parse_sale(values: Sequence[str], window: Window) -> Sale:
    """The sale of one row's values (in COLUMNS order); a _Refusal says what is wrong."""
    sale_id, pipeline_item_id, sold_at, amount, currency = values
    checked_id = _text("sale_id", sale_id)
    if checked_id is None:
        raise _Refusal("sale_id is empty")
    return Sale(
        sale_id=checked_id,
        pipeline_item_id=_text("pipeline_item_id", pipeline_item_id),
        sold_at=_timestamp(sold_at, window),
        amount=_amount(amount),
        currency=_text("currency", currency),
    )


def _problem(err: Exception, line: int, last_line: int) -> str:
    """What is wrong with the row starting on `line` and ending on `last_line`."""
    message = str(err)
    if message == "unexpected end of data":  # csv's strict mode, at the end of the file
        return f"unterminated quoted field starting on line {line} (no closing quote)"
    if message.startswith("',' expected after '\"'"):
        message = "a closing quote must be followed by a comma or the end of the line"
    if last_line > line:
        message += f" (this row runs on to line {last_line}: is a quote not closed?)"
    return message


def parse_sales(lines: Iterable[str], name: str, window: Window) -> Iterator[tuple[int, Sale]]:
    """Each sale of a finance export's lines with its line, as they are read.

    The first problem raises an EmgError naming `name`, the line (where a row that spans
    lines starts) and the problem; so does a file without a header or without a sale.
    Duplicate sale_ids are the caller's to find: that needs every id.
    """
    reader = csv.reader(lines, strict=True)
    columns: itemgetter | None = None
    count = 0
    line = 1
    try:
        while True:
            line = reader.line_num + 1
            fields = next(reader, None)
            if fields is None:
                break
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line
            if columns is None:
                columns = _header(fields)
                continue
            if len(fields) != len(COLUMNS):
                raise _Refusal(f"expected {len(COLUMNS)} fields, found {len(fields)}")
            count += 1
            yield line, parse_sale(columns(fields), window)
    except (_Refusal, csv.Error) as err:
        problem = _problem(err, line, reader.line_num)
        raise EmgError(f"{name} line {line}: {problem}; nothing was loaded") from None
    if columns is None:
        raise EmgError(
            f"{name} is empty (expected a header {','.join(COLUMNS)}); nothing was loaded"
        )
    if count == 0:
        raise EmgError(f"no sales in {name} (only a header); nothing was loaded")


def _bounded_lines(handle: TextIO, name: str) -> Iterator[str]:
    """The file's lines, refusing one longer than MAX_LINE (memory stays bounded)."""
    number = 0
    while line := handle.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise EmgError(
                f"{name} line {number}: longer than {MAX_LINE:,} characters; nothing was loaded"
            )
        yield line


def _first_non_utf8_line(path: Path) -> int:
    """The line of the file's first byte that is not UTF-8, read in blocks (not lines)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while block := handle.read(COPY_CHUNK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as err:
                return line + err.object[: err.start].count(b"\n")
            line += block.count(b"\n")
    return line  # a sequence cut short at the end of the file


def read_sales(path: Path, window: Window) -> Iterator[tuple[int, Sale]]:
    """Each sale of a finance export file with its line, streamed; EmgError on a problem."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as err:
        raise EmgError(f"cannot read {path} ({err.strerror}); nothing was loaded") from None
    with handle:
        try:
            yield from parse_sales(_bounded_lines(handle, str(path)), str(path), window)
        except UnicodeDecodeError:
            line = _first_non_utf8_line(path)
            raise EmgError(f"{path} line {line}: not UTF-8 text; nothing was loaded") from None
