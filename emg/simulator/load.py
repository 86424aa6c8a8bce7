"""COPY the simulated tables into the warehouse, replacing what was there, in one transaction.

The tables are created as Prisma Migrate creates them (emg/sql/raw_schema.sql: enum
types, timestamp(3), integer), then given the shape asked for (`enum_shape_statements`).
"""

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

from emg.errors import EmgError
from emg.simulator.tables import (
    COLUMNS,
    CRM_TABLES,
    ENUM_COLUMNS,
    ENUM_SHAPES,
    QUALIFIED,
    enum_types,
)

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


def unknown_enum_values(tables: dict[str, list[tuple]]) -> dict[str, list[str]]:
    """Enum type -> the values in `tables` that it does not list (sorted), where there are any."""
    found: dict[str, set[str]] = {}
    for (table, column), type_name in ENUM_COLUMNS.items():
        position = COLUMNS[table].index(column)
        known = enum_types()[type_name]
        values = {row[position] for row in tables.get(table, ())} - {None, *known}
        if values:
            found.setdefault(type_name, set()).update(values)
    return {type_name: sorted(found[type_name]) for type_name in enum_types() if type_name in found}


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def enum_type_statements() -> list[str]:
    """`create type` for each of Prisma's enums, with the values of the dbt var crm_enums."""
    return [
        f'create type crm."{type_name}" as enum ({", ".join(_literal(v) for v in values)})'
        for type_name, values in enum_types().items()
    ]


def enum_shape_statements(tables: dict[str, list[tuple]], enum_columns: str) -> list[str]:
    """The DDL that gives raw_schema.sql's Prisma shape the enum columns' shape asked for.

    "text": every enum column becomes text and the enum types are dropped, as a replication
    tool that writes text leaves the replica. "enum": Prisma's shape as it is. An enum-typed
    column cannot hold a value its type does not list; an unknown value (the simulator's
    `unknown_enum` defects) is one the CRM added after the warehouse's models were written, so
    in the enum shape it is added to its type, as the CRM's later migration did (`alter type
    ... add value`, usable at once on a type created in the same transaction). The same rows
    then load in both shapes, and staging flags them alike.
    """
    if enum_columns not in ENUM_SHAPES:
        raise ValueError(f"enum_columns must be one of {ENUM_SHAPES}, not {enum_columns!r}")
    if enum_columns == "enum":
        return [
            f'alter type crm."{type_name}" add value {_literal(value)}'
            for type_name, values in unknown_enum_values(tables).items()
            for value in values
        ]
    by_table: dict[str, list[str]] = {}
    for table, column in ENUM_COLUMNS:
        by_table.setdefault(table, []).append(f'alter column "{column}" type text')
    types = ", ".join(f'crm."{type_name}"' for type_name in enum_types())
    return [
        *(
            f"alter table {QUALIFIED[table]} {', '.join(changes)}"
            for table, changes in by_table.items()
        ),
        f"drop type {types}",
    ]


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
    conn,
    tables: dict[str, list[tuple]],
    with_sales: bool = True,
    progress: bool = False,
    enum_columns: str = "enum",
) -> LoadStats:
    """Drop and recreate crm (and sales_ext.sales) from the DDL, then COPY every table.

    One transaction: on any failure nothing changes. Without `with_sales` the feed table is
    dropped and not recreated (the warehouse must cope with a missing feed). The history of
    the replaced feed (sales_ext.sales_history) goes with it: it described other sales.
    `enum_columns` is "enum" (Prisma's enum types) or "text" (see `enum_shape_statements`).
    """
    shape = enum_shape_statements(tables, enum_columns)
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
            cur.execute("create schema crm")
            for statement in enum_type_statements():
                cur.execute(statement)
            cur.execute((SQL_DIR / "raw_schema.sql").read_text())
            for statement in shape:
                cur.execute(statement)
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
