"""`emg dagster` and `emg superset`: the services that run in the background, Dagster's UI and
daemon and Superset with the dashboards of superset/."""

from __future__ import annotations

import sys

import click

from emg.cli.app import main


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


@superset.group("user")
def superset_user() -> None:
    """Logins for the dashboards' readers: role leader or bdr (superset/roles.yml)."""


@superset_user.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["leader", "bdr"]),
    required=True,
    help="leader: every row; bdr: the BDR's own rows (row-level security).",
)
@click.option("--bdr-id", help="With --role bdr: the BDR's bdr_id in marts.dim_bdrs.")
@click.option(
    "--password",
    help="The login's password; without it one is generated and printed once.",
)
def superset_user_add(name: str, role: str, bdr_id: str | None, password: str | None) -> None:
    """Add the login NAME with a role (an existing login gets the role and password anew)."""
    from emg.superset import server, users

    label = users.check(name, role, bdr_id)
    added = users.add_user(server.client(), name, role, bdr_id, password, label)
    for line in users.describe(added):
        click.echo(line)


@superset_user.command("list")
def superset_user_list() -> None:
    """Every Superset login with its roles and last login."""
    from emg.superset import server, users

    for line in users.list_users(server.client()):
        click.echo(line)
