"""`emg build` and `emg docs`: dbt against the warehouse."""

from __future__ import annotations

import contextlib
import signal
import time
from datetime import UTC, datetime

import click

from emg import settings
from emg.cli.app import main, parse_as_of
from emg.errors import EmgError


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

    moment = parse_as_of(as_of) or datetime.now(UTC)
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
    # started from a script or `make`, it may have inherited an ignored SIGINT (as services.py
    # explains): Ctrl-C, or a SIGINT sent to it, must stop it all the same
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it stops
        run_dbt(["docs", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-browser"])
