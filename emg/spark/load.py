"""The simulated CRM written into Spark tables: the same rows `emg crm generate` COPYs into
PostgreSQL, in databases named like its schemas (crm, sales_ext), so both engines build from
identical data.

Spark has no enum types: the enum columns are strings, the shape most replication tools write.
Timestamps are Spark TIMESTAMPs holding the same UTC instants (the session's time zone is UTC,
profiles.yml.example), read back as the same wall-clock values as PostgreSQL's `timestamp(3)`.
Spark has no transactions either: each table is replaced in turn.
"""

from __future__ import annotations

from datetime import UTC, datetime
from time import perf_counter

from emg.errors import EmgError
from emg.simulator.load import LoadStats
from emg.simulator.tables import COLUMNS, CRM_TABLES

# The Spark type of each raw column that is not a string: emg/sql/raw_schema.sql's and
# sales_schema.sql's types (timestamp(3) and timestamptz are both Spark TIMESTAMPs).
TYPES: dict[str, dict[str, str]] = {
    "User": {"isActive": "boolean", "createdAt": "timestamp", "updatedAt": "timestamp"},
    "PipelineItem": {
        **dict.fromkeys(
            (
                "callDate",
                "agreementDate",
                "partnerListDueDate",
                "partnerListSentDate",
                "firstSaleDate",
                "createdAt",
                "updatedAt",
                "deletedAt",
            ),
            "timestamp",
        ),
        "partnerListSize": "int",
        "totalSalesFromList": "int",
    },  # fmt: skip
    "Sublist": {"createdAt": "timestamp"},
    "ActivityLog": dict.fromkeys(
        ("scheduledDate", "completedDate", "createdAt", "updatedAt"), "timestamp"
    ),
    "KpiTarget": {"targetValue": "int", "effectiveFrom": "date", "effectiveTo": "date"},
    "sales": {"sold_at": "timestamp", "amount": "decimal(12,2)", "loaded_at": "timestamp"},
}

# Spark database and table of each generated table.
SPARK_TABLES: dict[str, tuple[str, str]] = {name: ("crm", name) for name in CRM_TABLES} | {
    "sales": ("sales_ext", "sales")
}


def spark_schema(table: str) -> str:
    """The table's columns as a Spark DDL schema string, in raw_schema.sql's order."""
    types = TYPES[table]
    return ", ".join(f"`{column}` {types.get(column, 'string')}" for column in COLUMNS[table])


# Rows given to Spark at a time, each table written in batches of this many.
BATCH_ROWS = 200_000


def spark_value(value: object) -> object:
    """A generated value as PySpark must be given it: a naive datetime (UTC, as the simulator
    writes them) made aware, since PySpark reads a naive one in the machine's local zone."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def replace_spark_tables(
    session, tables: dict[str, list[tuple]], with_sales: bool = True
) -> LoadStats:
    """Replace crm's tables (and sales_ext.sales) in the Spark session's warehouse with
    `tables`. Without `with_sales` the feed's tables are dropped, as on PostgreSQL."""
    names = [*CRM_TABLES, "sales"] if with_sales else list(CRM_TABLES)
    started = perf_counter()
    current = None
    try:
        for database in ("crm", "sales_ext"):
            session.sql(f"create database if not exists {database}")
        session.sql("drop table if exists sales_ext.sales_history")
        if not with_sales:
            session.sql("drop table if exists sales_ext.sales")
        for current in names:
            database, table = SPARK_TABLES[current]
            rows = tables[current]
            # in batches: createDataFrame hands its rows to the JVM whole, and the driver has the
            # profile's 1 GB (a scale-1000 activity log in one batch ended the JVM)
            for start in range(0, max(len(rows), 1), BATCH_ROWS):
                batch = [
                    tuple(spark_value(value) for value in row)
                    for row in rows[start : start + BATCH_ROWS]
                ]
                frame = session.createDataFrame(batch, schema=spark_schema(current))
                frame.write.mode("overwrite" if start == 0 else "append").format(
                    "parquet"
                ).saveAsTable(f"{database}.`{table}`")
    except Exception as err:  # py4j and pyspark raise many kinds; each is one line here
        where = f"writing {'.'.join(SPARK_TABLES[current])}" if current else "creating databases"
        first_line = (str(err).strip().splitlines() or ["unknown error"])[0]
        raise EmgError(f"{where} on Spark failed ({first_line}); run it again") from None
    rows = sum(len(tables[name]) for name in names)
    return LoadStats(rows=rows, tables=len(names), seconds=perf_counter() - started)
