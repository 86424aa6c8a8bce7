"""`emg sales load`: upsert a finance export CSV into sales_ext.sales, or refuse it whole.

The file is streamed: read line by line, each row checked in Python and sent on at once by
COPY into a temporary table (with its line number), so memory does not grow with the file.
Only when every row is good are the rows merged into sales_ext.sales, by sale_id, in one
statement of the same transaction; the first problem refuses the whole file with one line
naming the file, the line and the problem, and nothing already loaded changes.

What a row must be: a non-empty sale_id, seen once in the file; sale_id, pipeline_item_id
and currency at most MAX_TEXT characters, without control characters (PostgreSQL text cannot
hold NUL; a line break in an id is a quote left open); sold_at an ISO-8601 timestamp (naive
is UTC) inside the plausible window of the dbt vars `earliest_plausible_date` and
`plausible_days_ahead` (days after the load); amount written with ASCII digits, an optional
minus sign and at most two decimals (numeric(12, 2)); no line longer than MAX_LINE characters.
A file with a header and no rows is refused too. Negative amounts and unknown pipeline items
or currencies are loaded: the warehouse flags them (contract §8).

A row whose values did not change is left alone (its loaded_at too), so loading the same
file twice changes nothing. When a re-loaded sale_id changes any value, the version it
replaces (with its loaded_at) is first copied to sales_ext.sales_history with replaced_at,
the load's time, in the same statement: no earlier figure is lost.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import TextIO

import psycopg2

from emg import warehouse
from emg.errors import EmgError
from emg.project_vars import Window, plausible_window

COLUMNS = ("sale_id", "pipeline_item_id", "sold_at", "amount", "currency")
MAX_AMOUNT = Decimal("9999999999.99")  # numeric(12, 2)
MAX_TEXT = 200  # characters of sale_id, pipeline_item_id and currency (an index row's limit)
MAX_LINE = 10_000  # characters of one line: a good row needs well under 1,000
AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # NUL, line breaks, tabs...: never in an id
SALES_DDL = Path(__file__).resolve().parent / "sql" / "sales_schema.sql"
COPY_CHUNK = 1 << 16  # characters per read() of the COPY stream

_STAGING = """
create temp table incoming_sales (
    line_number bigint not null,
    sale_id text not null,
    pipeline_item_id text,
    sold_at timestamptz not null,
    amount numeric(12, 2) not null,
    currency text
) on commit drop
"""

_COPY = (
    "copy incoming_sales (line_number, sale_id, pipeline_item_id, sold_at, amount, currency) "
    "from stdin with (format csv)"
)

_FIRST_DUPLICATE = """
select line_number, sale_id, first_line_number
from (
    select
        line_number,
        sale_id,
        min(line_number) over (partition by sale_id) as first_line_number
    from incoming_sales
) as numbered
where line_number > first_line_number
order by line_number
limit 1
"""

# One statement, one snapshot: `replaced` reads the rows as they were before the upsert.
_MERGE = """
with replaced as (
    select
        sales.sale_id,
        sales.pipeline_item_id,
        sales.sold_at,
        sales.amount,
        sales.currency,
        sales.loaded_at
    from sales_ext.sales as sales
    inner join incoming_sales as incoming on sales.sale_id = incoming.sale_id
    where (sales.pipeline_item_id, sales.sold_at, sales.amount, sales.currency)
        is distinct from (incoming.pipeline_item_id, incoming.sold_at, incoming.amount,
                          incoming.currency)
),

archived as (
    insert into sales_ext.sales_history (
        sale_id, pipeline_item_id, sold_at, amount, currency, loaded_at, replaced_at
    )
    select sale_id, pipeline_item_id, sold_at, amount, currency, loaded_at, now()
    from replaced
),

upserted as (
    insert into sales_ext.sales as sales (sale_id, pipeline_item_id, sold_at, amount, currency)
    select sale_id, pipeline_item_id, sold_at, amount, currency
    from incoming_sales
    on conflict (sale_id) do update set
        pipeline_item_id = excluded.pipeline_item_id,
        sold_at = excluded.sold_at,
        amount = excluded.amount,
        currency = excluded.currency,
        loaded_at = now()
    where (sales.pipeline_item_id, sales.sold_at, sales.amount, sales.currency)
        is distinct from (excluded.pipeline_item_id, excluded.sold_at, excluded.amount,
                          excluded.currency)
    returning (xmax = 0) as is_new
)

select
    (select count(*) from incoming_sales) as read,
    count(*) filter (where is_new) as inserted,
    count(*) filter (where not is_new) as updated
from upserted
"""


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


class CopyStream:
    """A file-like object for COPY ... (format csv): read() writes rows until `size` is reached.

    psycopg2 reports an exception raised in read() only as "error in .read() call", so the
    exception is kept in `error` for the caller to raise instead.
    """

    def __init__(self, rows: Iterator[tuple]) -> None:
        self._rows = rows
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")
        self.error: BaseException | None = None

    def read(self, size: int = COPY_CHUNK) -> str:
        try:
            for row in self._rows:
                self._writer.writerow(row)
                if self._buffer.tell() >= size:
                    break
        except BaseException as err:  # a refusal, or Ctrl-C
            self.error = err
            raise
        chunk = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return chunk


def _copy_rows(sales: Iterable[tuple[int, Sale]]) -> Iterator[tuple]:
    for line, sale in sales:
        yield (
            line,
            sale.sale_id,
            sale.pipeline_item_id,
            sale.sold_at.isoformat(),
            sale.amount,
            sale.currency,
        )


def _copy_record(err: psycopg2.Error) -> int | None:
    """The record COPY names in a server error's context (1 is the first row sent)."""
    match = re.search(r"COPY incoming_sales, line (\d+)", err.diag.context or "")
    return int(match.group(1)) if match else None


def _first_line(err: psycopg2.Error) -> str:
    return (str(err).strip().splitlines() or ["unknown error"])[0]


def upsert(conn, sales: Iterable[tuple[int, Sale]], name: str) -> tuple[int, int, int]:
    """(read, inserted, updated) rows of sales_ext.sales; the caller commits or rolls back.

    An EmgError names a line of `name` where the problem is known to be one (a duplicate
    sale_id); a psycopg2.Error from the COPY or the merge is the caller's to report.
    """
    stream = CopyStream(_copy_rows(sales))
    with conn.cursor() as cur:
        cur.execute("set local lock_timeout = '60s'")
        cur.execute(SALES_DDL.read_text())
        cur.execute(_STAGING)
        try:
            cur.copy_expert(_COPY, stream, size=COPY_CHUNK)
        except psycopg2.Error:
            if stream.error is not None:
                raise stream.error from None
            raise
        cur.execute(_FIRST_DUPLICATE)
        duplicate = cur.fetchone()
        if duplicate:
            line, sale_id, first = duplicate
            raise EmgError(
                f"{name} line {line}: sale_id {sale_id!r} already appears on line {first}; "
                "nothing was loaded"
            )
        cur.execute("analyze incoming_sales")
        # Loads one at a time, so the history's old versions are the ones replaced.
        cur.execute("lock table sales_ext.sales in share row exclusive mode")
        cur.execute(_MERGE)
        read, inserted, updated = cur.fetchone()
    return read, inserted, updated


def _database_refusal(path: Path, window: Window, err: psycopg2.Error) -> EmgError:
    """The warehouse's error as one line, naming the file's line where COPY names a record."""
    record = _copy_record(err)
    if record is not None:
        for number, (line, _sale) in enumerate(read_sales(path, window), start=1):
            if number == record:
                return EmgError(
                    f"{path} line {line}: the warehouse refused it ({_first_line(err)}); "
                    "nothing was loaded"
                )
    return EmgError(f"loading {path} failed ({_first_line(err)}); nothing was loaded")


def load_csv(path: Path, now: datetime | None = None) -> str:
    """Load a finance export into sales_ext.sales; a one-line summary of what changed."""
    path = Path(path)
    window = plausible_window(now or datetime.now(UTC))
    conn = warehouse.connect()
    try:
        conn.set_client_encoding("UTF8")
        read, inserted, updated = upsert(conn, read_sales(path, window), str(path))
        conn.commit()
    except psycopg2.Error as err:
        raise _database_refusal(path, window, err) from None
    finally:
        conn.close()  # without a commit, the transaction and its temporary table are gone
    unchanged = read - inserted - updated
    return (
        f"{path}: {read:,} sales read; {inserted:,} new, {updated:,} changed, "
        f"{unchanged:,} unchanged in sales_ext.sales"
    )
