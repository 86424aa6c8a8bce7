"""`emg crm generate`: generate, inject defects, load; a thin shell over the pure parts."""

from __future__ import annotations

import logging
import sys
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter

import click
from rich.console import Console

from emg import warehouse
from emg.errors import EmgError
from emg.simulator.dataset import Dataset, SimConfig
from emg.simulator.defects import Defect, describe, inject
from emg.simulator.export import write_sales_csv
from emg.simulator.generate import generate
from emg.simulator.load import LoadStats, replace_tables, unknown_enum_values
from emg.simulator.tables import ENUM_SHAPES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerateResult:
    dataset: Dataset
    manifest: list[Defect]
    stats: LoadStats


def _check(name: str, value: int, minimum: int) -> None:
    if value < minimum:
        raise EmgError(f"--{name} must be at least {minimum}, not {value}")


def _counts(dataset: Dataset) -> str:
    tables = dataset.tables
    leads = sum(1 for row in tables["PipelineItem"] if row[5] is None)
    bdrs = sum(1 for row in tables["User"] if row[3] == "BDR")
    return (
        f"{len(tables['User']):,} users ({bdrs:,} BDRs), {leads:,} leads, "
        f"{len(tables['PipelineItem']):,} pipeline items, {len(tables['Sublist']):,} sublists, "
        f"{len(tables['ActivityLog']):,} activity logs, {len(tables['KpiTarget']):,} KPI targets, "
        f"{len(tables['sales']):,} sales"
    )


def cli_generate(
    leads: int,
    days_back: int,
    days_forward: int,
    seed: int,
    as_of: datetime,
    scale: int,
    bad_rows: int,
    no_sales_feed: bool,
    sales_csv: Path | None,
    enum_columns: str = "enum",
    target: str | None = None,
) -> GenerateResult:
    """Replace the crm and sales_ext tables with simulated data; print what was done.

    `enum_columns`: "enum" creates the CRM's enum columns as Prisma does (PostgreSQL enum
    types), "text" as most replication tools write them. `target`: the dbt profile's target
    whose engine gets the tables: PostgreSQL (None, prod, dev: the one crm schema they share)
    or Spark (a Spark session target, emg/spark/load.py: enum columns are strings there).
    """
    from emg.spark.session import target_type

    on_spark = target_type(target) == "spark"
    for name, value, minimum in (
        ("leads", leads, 1),
        ("days-back", days_back, 1),
        ("days-forward", days_forward, 0),
        ("scale", scale, 1),
        ("bad-rows", bad_rows, 0),
    ):
        _check(name, value, minimum)
    if enum_columns not in ENUM_SHAPES:
        raise EmgError(
            f"--enum-columns must be one of {', '.join(ENUM_SHAPES)}, not {enum_columns}"
        )
    if sales_csv is not None and not sales_csv.parent.is_dir():
        raise EmgError(f"--sales-csv {sales_csv}: folder {sales_csv.parent} does not exist")
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    config = SimConfig(
        as_of=as_of,
        seed=seed,
        leads=leads,
        days_back=days_back,
        days_forward=days_forward,
        scale=scale,
    )
    started = perf_counter()
    on_terminal = sys.stderr.isatty()
    with Console(stderr=True).status("generating…") if on_terminal else nullcontext():
        dataset = generate(config)
        clean_sales, counts = list(dataset.tables["sales"]), _counts(dataset)
        manifest = inject(dataset, bad_rows, seed, with_sales=not no_sales_feed)
    shape = "enum types" if enum_columns == "enum" and not on_spark else "text"
    click.echo(
        f"generated {counts} in {perf_counter() - started:.1f} s "
        f"(seed {seed}, as of {dataset.as_of.isoformat(timespec='milliseconds')}Z, "
        f"enum columns as {shape})"
    )
    if manifest:
        click.echo(f"injected {bad_rows} bad rows of each kind: {describe(manifest)}")
    unknown = unknown_enum_values(dataset.tables) if shape == "enum types" else {}
    if unknown:
        added = "; ".join(f"{name} + {', '.join(values)}" for name, values in unknown.items())
        click.echo(
            f"unknown enum values added to their types, as a later CRM migration would: {added}"
        )
    if on_spark:
        stats = _load_into_spark(dataset, target, with_sales=not no_sales_feed)
    else:
        conn = warehouse.connect()
        try:
            stats = replace_tables(
                conn,
                dataset.tables,
                with_sales=not no_sales_feed,
                progress=on_terminal,
                enum_columns=enum_columns,
            )
        finally:
            conn.close()
    if no_sales_feed:
        click.echo("no sales feed: sales_ext.sales was dropped")
    if sales_csv is not None:
        try:
            written = write_sales_csv(sales_csv, clean_sales)
        except OSError as err:
            raise EmgError(
                f"the warehouse is loaded, but {sales_csv} could not be written ({err.strerror})"
            ) from None
        click.echo(f"wrote {written:,} sales (without injected defects) to {sales_csv}")
    click.echo(stats.describe())
    log.info("%s", stats.describe())
    return GenerateResult(dataset=dataset, manifest=manifest, stats=stats)


def _load_into_spark(dataset: Dataset, target: str, with_sales: bool) -> LoadStats:
    """The dataset into the Spark target's tables, in a session of this process (stopped
    after, so that dbt's next build can open the metastore)."""
    from emg.spark.load import replace_spark_tables
    from emg.spark.session import open_session

    session = open_session(target)
    try:
        session.sparkContext.setLogLevel("ERROR")
        return replace_spark_tables(session, dataset.tables, with_sales=with_sales)
    finally:
        session.stop()
