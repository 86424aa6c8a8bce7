"""`emg crm` and `emg sales`: the simulated CRM and the external sales feed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from emg.cli.app import main, parse_as_of


@main.group()
def crm() -> None:
    """The simulated CRM: realistic raw tables for demos, tests and benchmarks."""


@crm.command("generate")
@click.option(
    "--leads",
    default=150,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Leads at scale 1.",
)
@click.option(
    "--days-back",
    default=90,
    show_default=True,
    type=click.IntRange(1, 3660),
    help="History before --as-of (at most ten years).",
)
@click.option(
    "--days-forward",
    default=30,
    show_default=True,
    type=click.IntRange(0, 730),
    help="Future after --as-of (at most two years).",
)
@click.option("--seed", default=42, show_default=True, help="Random seed: same seed, same data.")
@click.option("--as-of", "as_of", default=None, help="ISO-8601 instant; default now (UTC).")
@click.option(
    "--scale",
    default=1,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Multiplies leads and BDRs.",
)
@click.option(
    "--bad-rows",
    default=0,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="Inject N defects of each kind.",
)
@click.option("--no-sales-feed", is_flag=True, help="Leave sales_ext.sales out entirely.")
@click.option(
    "--enum-columns",
    type=click.Choice(["enum", "text"]),
    default="enum",
    show_default=True,
    help="The CRM's enum columns as Prisma creates them (enum types) or as text.",
)
@click.option(
    "--sales-csv",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the generated sales as a finance-export CSV here.",
)
@click.option(
    "--target",
    default=None,
    help="The dbt profile's target whose engine gets the tables: PostgreSQL (the default; "
    "prod and dev share its crm schema) or spark (Spark tables, enum columns as strings).",
)
def crm_generate(**options) -> None:
    """Replace the crm (and sales_ext) tables with simulated data, in one transaction
    (on Spark, table by table)."""
    from emg.build_lock import build_lock, cli_builder
    from emg.dbt_runner import restore_views
    from emg.simulator import cli_generate
    from emg.spark.session import spark_lock, target_type

    options["as_of"] = parse_as_of(options["as_of"]) or datetime.now(UTC)
    if target_type(options["target"]) == "spark":
        # one process at a time opens the Spark warehouse's metastore; nothing cascades there
        with spark_lock(cli_builder()):
            cli_generate(**options)
        return
    # Replacing the raw tables under a running build would break it; and the replaced tables
    # take the staging views built on them along (drop ... cascade), rebuilt here at once.
    with build_lock(cli_builder()):
        cli_generate(**options)
        restored = restore_views()
    if restored:
        click.echo(f"rebuilt {len(restored)} views on the new raw tables", err=True)


@main.group()
def sales() -> None:
    """The external sales feed (sales_ext.sales)."""


@sales.command("load")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def sales_load(csv_file: Path) -> None:
    """Upsert a finance export CSV by sale_id; a bad file is refused whole."""
    from emg.sales_feed import load_csv

    result = load_csv(csv_file)
    click.echo(result)
