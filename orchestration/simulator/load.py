"""COPY the simulated tables into the warehouse, replacing what was there, in one transaction."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

import psycopg2
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orchestration.errors import EmgError
from orchestration.simulator.tables import COLUMNS, CRM_TABLES, QUALIFIED

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class LoadStats:
    rows: int
    tables: int
    seconds: float

    def describe(self) -> str:
        rate = self.rows / self.seconds if self.seconds > 0 else float(self.rows)
        return (
            f"loaded {self.rows:,} rows into {self.tables} tables in {self.seconds:.1f} s "
            f"({rate:,.0f} rows/s)"
        )


def csv_chunks(rows: list[tuple], size: int = CHUNK_ROWS) -> Iterator[tuple[int, io.StringIO]]:
    """(row count, CSV buffer) per chunk: None is an empty field, COPY's NULL in CSV format.

    The simulator never writes an empty string, so an empty field is always a null.
    """
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(chunk)
        buffer.seek(0)
        yield len(chunk), buffer


def copy_statement(table: str) -> str:
    columns = ", ".join(f'"{column}"' for column in COLUMNS[table])
    return f"COPY {QUALIFIED[table]} ({columns}) FROM STDIN WITH (FORMAT csv)"


@contextmanager
def _progress(enabled: bool):
    """A rich bar per table on a terminal; nothing otherwise."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        yield bar


def replace_tables(
    conn, tables: dict[str, list[tuple]], with_sales: bool = True, progress: bool = False
) -> LoadStats:
    """Drop and recreate crm (and sales_ext.sales) from the DDL, then COPY every table.

    One transaction: on any failure nothing changes. Without `with_sales` the feed table is
    dropped and not recreated (the warehouse must cope with a missing feed). The history of
    the replaced feed (sales_ext.sales_history) goes with it: it described other sales.
    """
    names = [*CRM_TABLES, "sales"] if with_sales else list(CRM_TABLES)
    started = perf_counter()
    current = None
    try:
        with conn.cursor() as cur, _progress(progress) as bar:
            tasks = {
                name: bar.add_task(QUALIFIED[name], total=len(tables[name])) if bar else None
                for name in names
            }
            cur.execute("set local lock_timeout = '60s'")
            cur.execute("drop schema if exists crm cascade")
            cur.execute((SQL_DIR / "raw_schema.sql").read_text())
            cur.execute("drop table if exists sales_ext.sales, sales_ext.sales_history cascade")
            if with_sales:
                cur.execute((SQL_DIR / "sales_schema.sql").read_text())
            for current in names:
                statement = copy_statement(current)
                for count, buffer in csv_chunks(tables[current]):
                    cur.copy_expert(statement, buffer)
                    if bar:
                        bar.advance(tasks[current], count)
        conn.commit()
    except psycopg2.Error as err:
        if not conn.closed:
            conn.rollback()
        where = f"loading {QUALIFIED[current]}" if current else "replacing the crm schema"
        first_line = (str(err).strip().splitlines() or ["unknown error"])[0]
        raise EmgError(f"{where} failed ({first_line}); the previous data is unchanged") from None
    rows = sum(len(tables[name]) for name in names)
    return LoadStats(rows=rows, tables=len(names), seconds=perf_counter() - started)
