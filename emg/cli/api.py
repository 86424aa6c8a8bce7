"""`emg api start|stop|status|token`: the reporting API (emg/api/)."""

from __future__ import annotations

import sys

import click

from emg.cli.app import main


@main.group()
def api() -> None:
    """The reporting API: /api/reporting/... served from the marts."""


@api.command("start")
def api_start() -> None:
    """Serve the API on 127.0.0.1:EMG_API_PORT (default 8000) in the background."""
    from emg.api import server

    server.start(click.echo)


@api.command("stop")
def api_stop() -> None:
    from emg.api import server

    server.stop(click.echo)


@api.command("status")
def api_status() -> None:
    from emg.api import server

    running, line = server.status()
    click.echo(line)
    sys.exit(0 if running else 3)


@api.command("token")
def api_token() -> None:
    """Print the bearer token callers send (EMG_API_TOKEN, else the generated one)."""
    from emg.api import instance

    click.echo(instance.token())
