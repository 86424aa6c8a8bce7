"""`emg alerts`: the hourly Slack alerts."""

from __future__ import annotations

import math

import click

from emg import settings
from emg.cli.app import main, parse_as_of
from emg.errors import EmgError


@main.group()
def alerts() -> None:
    """The hourly Slack alerts (marts.alerts, the ops.alert_ledger ledger)."""


@alerts.command("send")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="ISO-8601 instant: the delivery's clock for reminders and office hours; default the "
    "marts' as_of.",
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
@click.option(
    "--office-hours",
    "office_hours",
    default=None,
    help="When posts go out, e.g. 'Mon-Fri 08:00-18:00' or 'always' (env EMG_SLACK_OFFICE_HOURS; "
    "default Mon-Fri 08:00-18:00, in the reporting timezone).",
)
def alerts_send(
    as_of: str | None, dry_run: bool, reminder_hours: float, office_hours: str | None
) -> None:
    """Post new, due and resolved alerts to SLACK_WEBHOOK_URL (unset: a dry run); outside
    office hours, hold them for the first run inside."""
    from datetime import timedelta

    from emg import warehouse as wh
    from emg.alerts import office_hours as hours
    from emg.alerts.delivery import deliver
    from emg.dbt_runner import reporting_timezone

    if not math.isfinite(reminder_hours):  # FloatRange lets nan through
        raise EmgError(f"--reminder-hours {reminder_hours} is not a number of hours; use e.g. 24")
    timezone = reporting_timezone()
    if office_hours is not None:
        opening_hours = hours.parse(office_hours, timezone, "--office-hours")
    else:
        opening_hours = hours.from_setting(settings.get(hours.VARIABLE), timezone)
    webhook = settings.get("SLACK_WEBHOOK_URL")
    if webhook is None and not dry_run:
        click.echo("SLACK_WEBHOOK_URL is not set: a dry run, nothing is posted.", err=True)
    conn = wh.connect()
    try:
        result = deliver(
            conn,
            webhook_url=webhook,
            timezone=timezone,
            office_hours=opening_hours,
            now=parse_as_of(as_of),
            reminder_interval=timedelta(hours=reminder_hours),
            superset_base_url=settings.get("SUPERSET_BASE_URL"),
            dry_run=dry_run,
            echo=click.echo,
        )
    finally:
        conn.close()
    click.echo(result.summary(), err=True)
