"""`emg sales load`: upsert a finance export CSV into sales_ext.sales, or refuse it whole.

The whole file is checked in Python first; any problem refuses it with one line naming the
file, the line and the problem. A good file is loaded in one transaction through a temporary
table filled by COPY, upserting by sale_id; a row whose values did not change is left alone
(its loaded_at too), so loading the same file twice changes nothing. Negative amounts and
unknown pipeline items or currencies are loaded: the warehouse flags them (SPEC §8).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import psycopg2

from orchestration import warehouse
from orchestration.errors import EmgError

COLUMNS = ("sale_id", "pipeline_item_id", "sold_at", "amount", "currency")
MAX_AMOUNT = Decimal("9999999999.99")  # numeric(12, 2)
SALES_DDL = Path(__file__).resolve().parent / "sql" / "sales_schema.sql"

_UPSERT = """
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
returning (xmax = 0) as inserted
"""


@dataclass(frozen=True)
class Sale:
    sale_id: str
    pipeline_item_id: str | None
    sold_at: datetime  # aware
    amount: Decimal
    currency: str | None


class _Refusal(Exception):
    """A problem on one line; `parse_sales` turns it into the user's one-line EmgError."""


def _header(fields: list[str]) -> dict[str, int]:
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
    return {name: names.index(name) for name in COLUMNS}


def _timestamp(value: str) -> datetime:
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise _Refusal(f"sold_at {value!r} is not an ISO-8601 timestamp") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _amount(value: str) -> Decimal:
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise _Refusal(f"amount {value!r} is not a number") from None
    if not amount.is_finite():
        raise _Refusal(f"amount {value!r} is not a number")
    if abs(amount) > MAX_AMOUNT:
        raise _Refusal(f"amount {value!r} is too large (at most {MAX_AMOUNT:,})")
    return amount


def parse_sales(text: str, name: str) -> list[Sale]:
    """Every sale in a finance export's text, or an EmgError naming `name`, line and problem."""
    reader = csv.reader(io.StringIO(text, newline=""))
    sales: list[Sale] = []
    seen: dict[str, int] = {}
    columns: dict[str, int] | None = None
    try:
        for fields in reader:
            line = reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line
            if columns is None:
                columns = _header(fields)
                continue
            if len(fields) != len(COLUMNS):
                raise _Refusal(f"expected {len(COLUMNS)} fields, found {len(fields)}")
            value = {column: fields[position] for column, position in columns.items()}
            sale_id = value["sale_id"].strip()
            if not sale_id:
                raise _Refusal("sale_id is empty")
            if sale_id in seen:
                raise _Refusal(f"sale_id {sale_id!r} already appears on line {seen[sale_id]}")
            seen[sale_id] = line
            sales.append(
                Sale(
                    sale_id=sale_id,
                    pipeline_item_id=value["pipeline_item_id"].strip() or None,
                    sold_at=_timestamp(value["sold_at"]),
                    amount=_amount(value["amount"]),
                    currency=value["currency"].strip() or None,
                )
            )
    except _Refusal as problem:
        raise EmgError(f"{name} line {reader.line_num}: {problem}; nothing was loaded") from None
    except csv.Error as err:
        raise EmgError(f"{name} line {reader.line_num}: {err}; nothing was loaded") from None
    if columns is None:
        raise EmgError(
            f"{name} is empty (expected a header {','.join(COLUMNS)}); nothing was loaded"
        )
    return sales


def read_sales(path: Path) -> list[Sale]:
    """Read and check a finance export file; an EmgError says what is wrong with it."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise EmgError(f"cannot read {path} ({err.strerror}); nothing was loaded") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise EmgError(f"{path} line {line}: not UTF-8 text; nothing was loaded") from None
    return parse_sales(text, str(path))


def _csv_buffer(sales: list[Sale]) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for sale in sales:
        writer.writerow(
            (
                sale.sale_id,
                sale.pipeline_item_id,
                sale.sold_at.isoformat(),
                sale.amount,
                sale.currency,
            )
        )
    buffer.seek(0)
    return buffer


def upsert(conn, sales: list[Sale]) -> tuple[int, int]:
    """(inserted, updated) rows of sales_ext.sales, in one transaction."""
    with conn.cursor() as cur:
        cur.execute("set local lock_timeout = '60s'")
        cur.execute(SALES_DDL.read_text())
        cur.execute(
            "create temp table incoming_sales (sale_id text, pipeline_item_id text, "
            "sold_at timestamptz, amount numeric(12, 2), currency text) on commit drop"
        )
        cur.copy_expert("COPY incoming_sales FROM STDIN WITH (FORMAT csv)", _csv_buffer(sales))
        cur.execute(_UPSERT)
        flags = [row[0] for row in cur.fetchall()]
    conn.commit()
    inserted = sum(flags)
    return inserted, len(flags) - inserted


def load_csv(path: Path) -> str:
    """Load a finance export into sales_ext.sales; a one-line summary of what changed."""
    path = Path(path)
    sales = read_sales(path)
    conn = warehouse.connect()
    try:
        inserted, updated = upsert(conn, sales)
    except psycopg2.Error as err:
        if not conn.closed:
            conn.rollback()
        first_line = (str(err).strip().splitlines() or ["unknown error"])[0]
        raise EmgError(f"loading {path} failed ({first_line}); nothing was loaded") from None
    finally:
        conn.close()
    unchanged = len(sales) - inserted - updated
    return (
        f"{path}: {len(sales):,} sales read; {inserted:,} new, {updated:,} changed, "
        f"{unchanged:,} unchanged in sales_ext.sales"
    )
