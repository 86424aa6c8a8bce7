"""`emg warehouse`: the embedded PostgreSQL, or yours through PG* variables."""

from __future__ import annotations

import sys

import click

from emg.cli.app import main


@main.group()
def warehouse() -> None:
    """The PostgreSQL warehouse: embedded by default, yours through PG* variables."""


@warehouse.command("start")
def warehouse_start() -> None:
    """Start the embedded warehouse (does nothing if it runs, or if PG* names another)."""
    from emg import warehouse as wh

    click.echo(wh.start())


@warehouse.command("stop")
def warehouse_stop() -> None:
    """Stop the embedded warehouse."""
    from emg import warehouse as wh

    click.echo(wh.stop())


@warehouse.command("status")
def warehouse_status() -> None:
    """Say whether the warehouse runs and where (exit 3 when it does not)."""
    from emg import warehouse as wh

    running, line = wh.status()
    click.echo(line)
    if not running:
        sys.exit(3)


@warehouse.command("env")
def warehouse_env() -> None:
    """Print `export PG...` lines: eval "$(emg warehouse env)"."""
    from emg import warehouse as wh

    click.echo("\n".join(wh.env_lines()))


@warehouse.command("summary")
@click.option(
    "--schema",
    "schemas",
    multiple=True,
    default=("crm", "sales_ext", "staging", "intermediate", "marts", "audit"),
    show_default=True,
    help="Schemas to count (repeat the option for several).",
)
def warehouse_summary(schemas: tuple[str, ...]) -> None:
    """Print the row count of every table and view in the warehouse's schemas."""
    from rich.console import Console
    from rich.table import Table

    from emg import warehouse as wh

    table = Table(title=f"warehouse {wh.settings().describe()}")
    for column in ("schema", "relation", "rows"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    for schema, name, rows in wh.table_counts(schemas):
        table.add_row(schema, name, f"{rows:,}")
    Console().print(table)
