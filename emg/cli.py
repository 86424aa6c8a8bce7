"""`emg`: the project's command line. Thin shells over the modules that do the work.

Every failure a user can fix is an `EmgError`, printed as one line (no traceback) with
exit code 1.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from emg import settings
from emg.errors import EmgError


def _parse_as_of(value: str | None) -> datetime | None:
    """An ISO-8601 instant; a naive one is taken as UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EmgError(
            f"--as-of {value!r} is not an ISO-8601 instant; use e.g. 2026-11-25T09:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    from emg.project_vars import plausible_window

    window = plausible_window(datetime.now(UTC))
    if parsed not in window:
        raise EmgError(
            f"--as-of {value!r} is outside the plausible window {window.earliest:%Y-%m-%d} to "
            f"{window.latest:%Y-%m-%d} (dbt vars earliest_plausible_date, plausible_days_ahead)"
        )
    return parsed


class _OneLineErrors(click.Group):
    """Every error a user can fix is one line on stderr: ours (exit 1) and click's usage
    errors, such as a bad option value (exit 2), which click would print with a usage block."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except EmgError as err:
            click.echo(f"emg: error: {err}", err=True)
            sys.exit(1)
        except click.exceptions.Abort:
            click.echo("emg: aborted", err=True)
            sys.exit(130)
        except click.ClickException as err:
            command = err.ctx.command_path if getattr(err, "ctx", None) else "emg"
            message = " ".join(err.format_message().split())
            click.echo(f"emg: error: {message} (see `{command} --help`)", err=True)
            sys.exit(err.exit_code)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=_OneLineErrors)
def main() -> None:
    """EMG sales reporting warehouse."""
    os.umask(0o077)  # nothing emg or its children write is readable by other OS users


# --- warehouse ----------------------------------------------------------------------------


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


# --- the CRM simulator and the sales feed -------------------------------------------------


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
def crm_generate(**options) -> None:
    """Replace the crm (and sales_ext) tables with simulated data, in one transaction."""
    from emg.build_lock import build_lock, cli_builder
    from emg.dbt_runner import restore_views
    from emg.simulator import cli_generate

    options["as_of"] = _parse_as_of(options["as_of"]) or datetime.now(UTC)
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


# --- dbt ----------------------------------------------------------------------------------


@main.command()
@click.option("--as-of", "as_of", default=None, help="ISO-8601 instant; default now (UTC).")
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
@click.option("--select", "select", default=None, help="dbt node selection (must match).")
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(min=0, max=24 * 3600),
    default=0,
    show_default=True,
    help="Seconds to wait for another build (CLI or Dagster) to end; 0: refuse at once.",
)
@click.option(
    "--target",
    default=None,
    help="The profile's dbt target: prod (the default: the schemas Superset, Slack and analysts "
    "read) or dev (schemas of your own, dev_<user>_marts...).",
)
def build(
    as_of: str | None,
    full_refresh: bool,
    select: str | None,
    wait_seconds: float,
    target: str | None,
) -> None:
    """Run `dbt build` against the warehouse with the project's profile and vars.

    One build at a time per warehouse: a second one waits (--wait) or refuses, naming the
    build that runs. Views that a selection's tables drop are rebuilt at once.
    """
    from emg.dbt_runner import build as dbt_build

    moment = _parse_as_of(as_of) or datetime.now(UTC)
    if wait_seconds != wait_seconds:  # nan
        raise EmgError("--wait is a number of seconds, e.g. 600")
    dbt_build(
        as_of=moment,
        full_refresh=full_refresh,
        select=select,
        wait_seconds=wait_seconds,
        say=lambda line: click.echo(line, err=True),
        target=target,
    )


@main.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port on 127.0.0.1 (default EMG_DOCS_PORT, else 8080).",
)
def docs(port: int | None) -> None:
    """Generate dbt's docs site (every model, column, test, exposure and the lineage, with the
    warehouse's catalogue) and serve it on 127.0.0.1 until Ctrl-C."""
    from emg import services
    from emg.dbt_runner import failure_summary, run_dbt

    port = port or settings.port("EMG_DOCS_PORT", 8080)
    if not services.port_is_free("127.0.0.1", port):
        raise EmgError(f"port {port} on 127.0.0.1 is taken; use --port or set EMG_DOCS_PORT")
    started = time.time()
    code = run_dbt(["docs", "generate"])
    if code != 0:
        raise EmgError(failure_summary("dbt docs generate", code, started))
    click.echo(f"dbt docs: http://127.0.0.1:{port}/ (Ctrl-C stops)", err=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it stops
        run_dbt(["docs", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-browser"])


# --- alerts and Dagster --------------------------------------------------------------------


@main.group()
def alerts() -> None:
    """The hourly Slack alerts (marts.alerts, the ops.alert_ledger ledger)."""


@alerts.command("send")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="ISO-8601 instant: the delivery's clock for reminders; default the marts' as_of.",
)
@click.option("--dry-run", is_flag=True, help="Print the messages; post and record nothing.")
@click.option(
    "--reminder-hours",
    type=click.FloatRange(min=0, max=24 * 366),
    default=24,
    show_default=True,
    envvar="EMG_ALERT_REMINDER_HOURS",
    help="Hours between reminders of still-firing alerts (env EMG_ALERT_REMINDER_HOURS).",
)
def alerts_send(as_of: str | None, dry_run: bool, reminder_hours: float) -> None:
    """Post new, due and resolved alerts to SLACK_WEBHOOK_URL (unset: a dry run)."""
    from datetime import timedelta

    from emg import warehouse as wh
    from emg.alerts.delivery import deliver
    from emg.dbt_runner import reporting_timezone

    if not math.isfinite(reminder_hours):  # FloatRange lets nan through
        raise EmgError(f"--reminder-hours {reminder_hours} is not a number of hours; use e.g. 24")
    webhook = settings.get("SLACK_WEBHOOK_URL")
    if webhook is None and not dry_run:
        click.echo("SLACK_WEBHOOK_URL is not set: a dry run, nothing is posted.", err=True)
    conn = wh.connect()
    try:
        result = deliver(
            conn,
            webhook_url=webhook,
            timezone=reporting_timezone(),
            now=_parse_as_of(as_of),
            reminder_interval=timedelta(hours=reminder_hours),
            superset_base_url=settings.get("SUPERSET_BASE_URL"),
            dry_run=dry_run,
            echo=click.echo,
        )
    finally:
        conn.close()
    click.echo(result.summary(), err=True)


@main.group(invoke_without_command=True)
@click.pass_context
def dagster(ctx: click.Context) -> None:
    """The Dagster UI and daemon (`dagster dev` in the background); alone, it starts them."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(dagster_start)


@dagster.command("start")
def dagster_start() -> None:
    """Start `dagster dev` on 127.0.0.1:3000 (EMG_DAGSTER_PORT) and wait until it answers."""
    from emg import dagster_ui

    click.echo(dagster_ui.start())


@dagster.command("stop")
def dagster_stop() -> None:
    """Stop `dagster dev` and everything it started."""
    from emg import dagster_ui

    click.echo(dagster_ui.stop())


@dagster.command("status")
def dagster_status() -> None:
    """Say whether the Dagster UI runs (exit 3 when it does not)."""
    from emg import dagster_ui

    running, line = dagster_ui.status()
    click.echo(line)
    if not running:
        sys.exit(3)


# --- Superset -----------------------------------------------------------------------------


@main.group()
def superset() -> None:
    """Superset with the dashboards kept in superset/ (state in .emg/superset/)."""


@superset.command("start")
def superset_start() -> None:
    """Set up Superset, serve it on 127.0.0.1:EMG_SUPERSET_PORT and import the dashboards."""
    from emg.superset import server

    server.start(click.echo)


@superset.command("stop")
def superset_stop() -> None:
    """Stop the Superset server `emg superset start` started."""
    from emg.superset import server

    server.stop(click.echo)


@superset.command("status")
def superset_status() -> None:
    """Say whether Superset runs and where (exit 3 when it does not)."""
    from emg.superset import server

    running, line = server.status()
    click.echo(line)
    if not running:
        sys.exit(3)


@superset.command("import")
def superset_import() -> None:
    """Import (overwrite in place) the dashboards, charts and datasets of superset/."""
    from emg.superset import server

    server.import_dashboards(click.echo)


# --- benchmark ------------------------------------------------------------------------------


def _scales(value: str) -> list[int]:
    try:
        scales = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter("a comma-separated list of whole numbers, e.g. 1,10,100") from None
    if not scales or min(scales) < 1:
        raise click.BadParameter("scales are whole numbers of at least 1, e.g. 1,10,100")
    return scales


@main.command()
@click.option("--scales", default="1,10,100", show_default=True,
              help="Scale factors to run, comma-separated: 1 is 150 leads (about 4,900 raw "
              "rows), 1000 is 150,000 (about 5 M).")  # fmt: skip
@click.option("--repeat", default=5, show_default=True, type=click.IntRange(min=1),
              help="Runs of each query, cold and warm.")  # fmt: skip
@click.option("--out", default=Path("bench/results.json"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The JSON; the Markdown tables and PNG plot are written beside it.")  # fmt: skip
def bench(scales: str, repeat: int, out: Path) -> None:
    """Load, build and query at each scale, beside computing the KPIs live from crm.

    Replaces the warehouse's crm and sales_ext data: use the embedded warehouse or a scratch
    database.
    """
    from datetime import UTC, datetime

    from rich.console import Console

    from emg import warehouse as wh
    from emg.bench import report, runner

    report.load_pyplot()  # before the long run, not after it
    console = Console(stderr=True)
    conn = wh.connect()
    try:
        machine = runner.machine(conn)
    finally:
        conn.close()
    results = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of": runner.AS_OF.isoformat(),
        "repeat": repeat,
        "machine": machine,
        "scales": [],
    }
    with console.status("benchmark") as status:
        for scale in _scales(scales):
            results["scales"].append(runner.run_scale(scale, repeat, status.update))
            # written after every scale: a long run that fails later keeps what it measured
            written = report.write(results, out)
            console.log(f"scale {scale} done")
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(report.markdown(results))


if __name__ == "__main__":
    main()
