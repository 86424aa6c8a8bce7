"""Loading the checked rows: streamed by COPY into a temporary table, then merged into
sales_ext.sales in one statement, the replaced versions kept in sales_history."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg2

from emg import warehouse
from emg.errors import EmgError
from emg.project_vars import Window, plausible_window
from emg.sales_feed.csv_file import COPY_CHUNK, Sale, read_sales

SALES_DDL = Path(__file__).resolve().parents[1] / "sql" / "sales_schema.sql"

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
