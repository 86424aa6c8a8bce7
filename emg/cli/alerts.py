"""`emg alerts`: the hourly Slack alerts."""

from __future__ import annotations

import click

from emg import settings
from emg.cli.app import main, parse_as_of


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
    default=None,
    envvar="EMG_ALERT_REMINDER_HOURS",
    help="Hours between reminders of still-firing alerts (env EMG_ALERT_REMINDER_HOURS; "
    "default 24).",
)
@click.option(
    "--office-hours",
    "office_hours",
    default=None,
    help="When posts go out, e.g. 'Mon-Fri 08:00-18:00' or 'always' (env EMG_SLACK_OFFICE_HOURS; "
    "default Mon-Fri 08:00-18:00, in the reporting timezone).",
)
def alerts_send(
    as_of: str | None, dry_run: bool, reminder_hours: str | None, office_hours: str | None
) -> None:
    """Post new, due and resolved alerts to SLACK_WEBHOOK_URL (unset: a dry run); outside
    office hours, hold them for the first run inside."""

    from emg import warehouse as wh
    from emg.alerts import office_hours as hours
    from emg.alerts.delivery import deliver, reminder_interval
    from emg.dbt_runner import reporting_timezone

    between_reminders = reminder_interval(reminder_hours, source="--reminder-hours")
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
            reminder_interval=between_reminders,
            superset_base_url=settings.get("SUPERSET_BASE_URL"),
            dry_run=dry_run,
            echo=click.echo,
        )
    finally:
        conn.close()
    click.echo(result.summary(), err=True)
