"""The Dagster code location: assets, checks, jobs, schedules, the failure sensor, resources.

`dagster dev -m orchestration.definitions` (`emg dagster` sets DAGSTER_HOME and starts it).

- hourly_refresh (every hour at :00, reporting timezone): observe the raw tables, then an
  incremental `dbt build` (incremental models merge what changed; tables and views are
  rebuilt; the data tests not tagged `nightly` run as asset checks; the nightly ones, which
  read the whole history, and dbt's unit tests, which test the SQL rather than the data, are
  left to the nightly build and CI), then post the alerts.
- nightly_full_build (02:30 reporting time): the same with `--full-refresh`, so the
  incremental models are rebuilt from scratch once a day.
The hourly build selects the whole project on purpose: rebuilding a table or view in
PostgreSQL drops the views on top of it (dbt swaps relations with `drop ... cascade`), so a
partial selection such as `+alerts` silently removes intermediate views it does not rebuild.
Both jobs carry the tag `emg/warehouse`, limited to one run at a time by the run queue
(orchestration/dagster.yaml), so builds never overlap: a run that finds another in
progress waits in the queue.

Importing this module does nothing: `defs` is a `@dg.definitions` function, which Dagster calls
when it loads the code location (the dbt project is prepared and its manifest read then).
"""

import dagster as dg
from dagster_dbt import DbtCliResource

from emg.dbt_runner import dbt_executable, reporting_timezone
from orchestration.defs.alerts import (
    SlackResource,
    WarehouseResource,
    slack_alerts_asset,
    slack_on_run_failure,
)
from orchestration.defs.dbt import dbt_build_assets, prepared_project, source_observations

WAREHOUSE_TAG = {"emg/warehouse": "build"}

hourly_refresh = dg.define_asset_job(
    "hourly_refresh",
    selection=dg.AssetSelection.all(include_sources=True),
    tags=WAREHOUSE_TAG,
    config={"ops": {"emg_dbt_assets": {"config": {"unit_tests": False, "nightly_tests": False}}}},
    description="Observe the raw tables, an incremental dbt build, then the Slack alerts.",
)

nightly_full_build = dg.define_asset_job(
    "nightly_full_build",
    selection=dg.AssetSelection.all(include_sources=True),
    tags=WAREHOUSE_TAG,
    config={"ops": {"emg_dbt_assets": {"config": {"full_refresh": True}}}},
    description="Observe the raw tables, dbt build --full-refresh, then the Slack alerts.",
)


def schedules() -> list[dg.ScheduleDefinition]:
    """The hourly and nightly jobs, on the clock of the reporting timezone."""
    timezone = reporting_timezone()
    return [
        dg.ScheduleDefinition(
            job=hourly_refresh,
            cron_schedule="0 * * * *",
            execution_timezone=timezone,
            default_status=dg.DefaultScheduleStatus.RUNNING,
        ),
        dg.ScheduleDefinition(
            job=nightly_full_build,
            cron_schedule="30 2 * * *",
            execution_timezone=timezone,
            default_status=dg.DefaultScheduleStatus.RUNNING,
        ),
    ]


@dg.definitions
def defs() -> dg.Definitions:
    project = prepared_project()
    dbt_assets = dbt_build_assets(project)
    return dg.Definitions(
        assets=[source_observations(project), dbt_assets, slack_alerts_asset(dbt_assets)],
        jobs=[hourly_refresh, nightly_full_build],
        schedules=schedules(),
        sensors=[slack_on_run_failure],
        resources={
            "dbt": DbtCliResource(
                project_dir=project, dbt_executable=dbt_executable(), target="prod"
            ),
            "warehouse": WarehouseResource(),
            "slack": SlackResource(),
        },
    )
