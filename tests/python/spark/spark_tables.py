"""Rows of tables on either engine, normalised so that equal data compares equal: PostgreSQL's
(psycopg2) and Spark's (PySpark) Python values differ in type for the same SQL value (Decimal
scales, naive or aware datetimes). Run as a script, it prints Spark tables' columns and
normalised rows as JSON: a process of its own, since Derby lets one process at a time open the
Spark warehouse's metastore (emg build, the loader, this).

    python spark_tables.py staging.base_crm__users staging.stg_crm__users ...
    python spark_tables.py --write < tables.json  # {table: {"columns": [[name, type]...],
                                                  #         "rows": [[text...]...]}}

`--write` replaces Spark tables with rows given as normalised text (timestamps UTC): the same
rows as a PostgreSQL table's, for data no Spark loader writes (the sales feed's history).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal


def normalize(value: object) -> str | None:
    """One SQL value as text both engines' values agree on: timestamps in UTC to the
    microsecond, numbers without trailing zeros, booleans as true/false."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def checksum(values) -> str:
    """An order-independent checksum of a multiset of values (or rows)."""
    digests = sorted(hashlib.md5(json.dumps(v).encode()).hexdigest() for v in values)
    return hashlib.md5("".join(digests).encode()).hexdigest()


def fingerprint(columns: list[str], rows: list[tuple], leave_out: set[str]) -> dict:
    """Row count, a checksum per column and one over whole rows, of `rows` with `columns`,
    less the columns in `leave_out`."""
    kept = [i for i, name in enumerate(columns) if name not in leave_out]
    normalised = [[normalize(row[i]) for i in kept] for row in rows]
    return {
        "rows": len(normalised),
        "columns": {
            columns[i]: checksum(row[position] for row in normalised)
            for position, i in enumerate(kept)
        },
        "whole_rows": checksum(normalised),
    }


def read_spark(tables: list[str]) -> dict[str, dict]:
    """Each table's columns and rows, from the profile's Spark target."""
    os.environ["TZ"] = "UTC"  # PySpark turns a TIMESTAMP into a naive datetime in this zone
    time.tzset()
    from emg.spark.session import open_session

    session = open_session()
    try:
        session.sparkContext.setLogLevel("ERROR")
        read = {}
        for table in tables:
            frame = session.table(table)
            read[table] = {
                "columns": frame.columns,
                "rows": [[normalize(value) for value in row] for row in frame.collect()],
            }
        return read
    finally:
        session.stop()


def write_spark(tables: dict[str, dict]) -> None:
    """Replace each Spark table with its rows (normalised text, cast to the columns' types)."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    from emg.spark.session import open_session

    session = open_session()
    try:
        session.sparkContext.setLogLevel("ERROR")
        for table, given in tables.items():
            columns = given["columns"]
            as_text = ", ".join(f"`{name}` string" for name, _ in columns)
            frame = session.createDataFrame(given["rows"], schema=as_text).selectExpr(
                *(f"cast(`{name}` as {kind}) as `{name}`" for name, kind in columns)
            )
            frame.write.mode("overwrite").format("parquet").saveAsTable(table)
    finally:
        session.stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_spark(json.load(sys.stdin))
    else:
        json.dump(read_spark(sys.argv[1:]), sys.stdout)
