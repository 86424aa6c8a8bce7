"""The alerts asset and the run-failure sensor: thin shells over emg.alerts."""

from datetime import timedelta

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from emg import warehouse as wh
from emg.alerts.delivery import deliver, reminder_interval
from emg.alerts.message import failure_payload
from emg.alerts.office_hours import OfficeHours, from_setting
from emg.alerts.slack import SlackSettings, post, session
from emg.dbt_runner import reporting_timezone


class SlackResource(dg.ConfigurableResource):
    """Where and how alerts are posted. The webhook URL is read from the environment variable
    named here when a run needs it, so it is never part of the run's config or metadata."""

    webhook_url_env: str = "SLACK_WEBHOOK_URL"
    superset_base_url_env: str = "SUPERSET_BASE_URL"
    dagster_base_url_env: str = "DAGSTER_BASE_URL"
    office_hours_env: str = "EMG_SLACK_OFFICE_HOURS"
    reminder_hours_env: str = "EMG_ALERT_REMINDER_HOURS"
    reminder_hours: float = 24.0  # when the variable above is unset
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    attempts: int = 5
    backoff_seconds: float = 1.0

    def webhook_url(self) -> str | None:
        return dg.EnvVar(self.webhook_url_env).get_value() or None

    def superset_base_url(self) -> str | None:
        return dg.EnvVar(self.superset_base_url_env).get_value() or None

    def dagster_base_url(self) -> str:
        return dg.EnvVar(self.dagster_base_url_env).get_value() or "http://127.0.0.1:3000"

    def office_hours(self, timezone: str) -> OfficeHours:
        """When posts go out (unset: Mon-Fri 08:00-18:00), in the reporting timezone."""
        value = dg.EnvVar(self.office_hours_env).get_value() or None
        return from_setting(value, timezone, self.office_hours_env)

    def reminder_interval(self) -> timedelta:
        """Time between reminders: the variable (as `emg alerts send` reads it), else config."""
        value = dg.EnvVar(self.reminder_hours_env).get_value() or None
        default = reminder_interval(str(self.reminder_hours), source="reminder_hours")
        return reminder_interval(value, default, self.reminder_hours_env)

    def settings(self) -> SlackSettings:
        return SlackSettings(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            attempts=self.attempts,
            backoff=self.backoff_seconds,
        )


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse from the PG* variables (or the embedded one), read when a run starts."""

    def connect(self):
        return wh.connect()


def slack_alerts_asset(dbt_assets: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The alerts asset, downstream of the dbt model `alerts` among `dbt_assets`."""

    @dg.asset(
        key="slack_alerts",
        deps=[get_asset_key_for_model([dbt_assets], "alerts")],
        group_name="alerts",
        kinds={"slack", "python"},
        description=(
            "Posts marts.alerts to Slack: new alerts in full, still-firing ones in one reminder "
            "line per interval, resolved ones once; records every post in ops.alert_ledger. "
            "Posts only in office hours (EMG_SLACK_OFFICE_HOURS, default Mon-Fri 08:00-18:00 "
            "local): what falls outside is held for the first run inside them. "
            "A dry run (messages in the log, nothing recorded as posted) without SLACK_WEBHOOK_URL."
        ),
    )
    def slack_alerts(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, slack: SlackResource
    ) -> dg.MaterializeResult:
        webhook = slack.webhook_url()
        if webhook is None:
            context.log.warning("SLACK_WEBHOOK_URL is not set: a dry run, nothing is posted")
        timezone = reporting_timezone()
        hours = slack.office_hours(timezone)
        conn = warehouse.connect()
        try:
            result = deliver(
                conn,
                webhook_url=webhook,
                timezone=timezone,
                office_hours=hours,
                reminder_interval=slack.reminder_interval(),
                superset_base_url=slack.superset_base_url(),
                settings=slack.settings(),
                echo=context.log.info,
                on_posted=lambda message: context.log.info(
                    f"posted to Slack: {len(message.new_ids)} new, {len(message.reminded_ids)} "
                    f"reminded, {len(message.resolved_ids)} resolved"
                ),
            )
        finally:
            conn.close()
        context.log.info(result.summary())
        return dg.MaterializeResult(
            metadata={
                "status": result.status,
                "as_of": result.as_of.isoformat(),
                "firing": result.firing,
                "new": result.new,
                "reminded": result.reminders,
                "resolved": result.resolved,
                "came_and_went": result.came_and_went,
                "messages": len(result.messages),
                "held": result.held,
                "office_hours": hours.describe(),
                "delivery_id": result.delivery_id,
            }
        )

    return slack_alerts


@dg.run_failure_sensor(name="slack_on_run_failure", default_status=dg.DefaultSensorStatus.RUNNING)
def slack_on_run_failure(context: dg.RunFailureSensorContext, slack: SlackResource) -> None:
    """Every failed run, with its error and a link to it, in the alerts channel."""
    run = context.dagster_run
    url = f"{slack.dagster_base_url().rstrip('/')}/runs/{run.run_id}"
    payload = failure_payload(run.job_name, run.run_id, _failure_reason(context), url)
    webhook = slack.webhook_url()
    if webhook is None:
        context.log.warning(f"SLACK_WEBHOOK_URL is not set; run {run.run_id} failed: {url}")
        return
    post(session(slack.settings()), webhook, payload, slack.settings())


def _failure_reason(context: dg.RunFailureSensorContext) -> str:
    """The first failed step and its root error, else the run's own failure message."""
    for event in context.get_step_failure_events():
        error = event.step_failure_data.error
        while error is not None and error.cause is not None:
            error = error.cause
        if error is not None:
            return f"{event.step_key}: {error.message.strip()}"
    return context.failure_event.message or ""
