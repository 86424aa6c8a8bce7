"""The Dagster code location: definitions, schedules, an in-process run of the whole graph
against the embedded warehouse with a real HTTP server playing Slack, the failure sensor,
and `emg dagster start|stop` serving the UI and stopping everything it started."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import dagster as dg
import psutil
import pytest
import requests
import yaml
from conftest import REPO, query, run_emg

from orchestration.definitions import defs as load_definitions
from orchestration.definitions import hourly_refresh, nightly_full_build
from orchestration.defs.alerts import slack_on_run_failure

# a Friday afternoon with 70 leads: three alerts fire with the thresholds pro-rated to 4/5
AS_OF = "2026-11-27T15:00:00+00:00"
SLACK_PATH = "/services/T0EMG/B0EMG/dagst3rS3cr3t"
SLACK_ALERTS = dg.AssetKey("slack_alerts")


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    """The code location as Dagster loads it: importing it prepared nothing, calling it does."""
    return load_definitions()


FAILURES_PATH = "/services/T0EMG/B0EMG/failur3s"


def test_dg_check_defs_loads_and_validates_the_code_location():
    venv_bin = Path(sys.executable).parent  # as `source .venv/bin/activate` would
    result = subprocess.run(
        [str(venv_bin / "dg"), "check", "defs"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "All definitions loaded successfully" in result.stdout + result.stderr


def test_importing_the_code_location_writes_nothing_and_runs_no_dbt(tmp_path):
    state = tmp_path / "state"
    script = "import orchestration.definitions, orchestration.defs.dbt, orchestration.defs.alerts"
    started = time.time()
    subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "EMG_STATE_DIR": str(state)},
        cwd=REPO,
        check=True,
        timeout=120,
    )
    assert not state.exists()  # no profile copied, no state folder made
    manifest = REPO / "target" / "manifest.json"
    assert not manifest.exists() or manifest.stat().st_mtime < started  # no dbt parse


def test_assets_are_grouped_by_layer_with_tests_as_checks_and_sources_observed(defs):
    graph = defs.resolve_asset_graph()
    groups = {}
    for key in graph.get_all_asset_keys():
        groups.setdefault(graph.get(key).group_name, set()).add(key.to_user_string())
    assert {"staging", "intermediate", "marts", "audit", "seeds", "sources", "alerts"} <= set(
        groups
    )
    assert "marts/fct_calls" in groups["marts"]
    assert "staging/stg_crm__activity_logs" in groups["staging"]
    assert groups["alerts"] == {"slack_alerts"}
    assert len(list(graph.asset_check_keys)) > 100  # dbt's tests, as asset checks
    checked = {key.asset_key for key in graph.asset_check_keys}
    assert dg.AssetKey(["crm", "ActivityLog"]) in checked  # the sources' tests check the sources
    activity = graph.get(dg.AssetKey(["crm", "ActivityLog"]))
    policy = activity.freshness_policy
    assert policy.fail_window.to_timedelta() == timedelta(hours=96)
    assert policy.warn_window.to_timedelta() == timedelta(hours=24)


def test_schedules_run_the_hourly_and_nightly_jobs_in_the_reporting_timezone(defs):
    schedules = {s.name: s for s in defs.get_repository_def().schedule_defs}
    hourly, nightly = schedules["hourly_refresh_schedule"], schedules["nightly_full_build_schedule"]
    assert (hourly.cron_schedule, hourly.job_name) == ("0 * * * *", "hourly_refresh")
    assert (nightly.cron_schedule, nightly.job_name) == ("30 2 * * *", "nightly_full_build")
    assert hourly.execution_timezone == nightly.execution_timezone == "Europe/London"

    graph = defs.resolve_asset_graph()
    every_asset = graph.get_all_asset_keys()
    assert hourly_refresh.selection.resolve(graph) == every_asset
    assert nightly_full_build.selection.resolve(graph) == every_asset
    nightly_config = nightly_full_build.config["ops"]["emg_dbt_assets"]["config"]
    assert nightly_config == {"full_refresh": True}
    assert hourly_refresh.config["ops"]["emg_dbt_assets"]["config"] == {
        "unit_tests": False,
        "nightly_tests": False,
    }
    assert SLACK_ALERTS in every_asset

    # builds never overlap: both jobs carry the tag the run queue limits to one run
    for job in (hourly_refresh, nightly_full_build):
        assert job.tags == {"emg/warehouse": "build"}
    instance = yaml.safe_load((REPO / "orchestration" / "dagster.yaml").read_text())
    limits = instance["concurrency"]["runs"]["tag_concurrency_limits"]
    assert {"key": "emg/warehouse", "limit": 1} in limits


@pytest.fixture(scope="module")
def crm(warehouse):
    run_emg("crm", "generate", "--as-of", AS_OF, "--leads", "70")


def test_the_hourly_job_builds_the_whole_graph_and_posts_the_alerts(
    defs, crm, db, httpserver, monkeypatch, caplog
):
    query(db, "drop schema if exists ops cascade")
    httpserver.expect_request(SLACK_PATH, method="POST").respond_with_data("ok")
    webhook = httpserver.url_for(SLACK_PATH)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", webhook)
    monkeypatch.setenv("SUPERSET_BASE_URL", "http://superset.test")
    instance = dg.DagsterInstance.ephemeral()

    result = defs.resolve_job_def("hourly_refresh").execute_in_process(
        instance=instance, tags={"dagster/scheduled_execution_time": AS_OF}
    )

    assert result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    dbt_keys = set(defs.get_assets_def(dg.AssetKey(["marts", "fct_calls"])).keys)
    assert dbt_keys <= materialized and SLACK_ALERTS in materialized
    calls = next(
        m
        for m in result.asset_materializations_for_node("emg_dbt_assets")
        if m.asset_key == dg.AssetKey(["marts", "fct_calls"])
    )
    [(rows,)] = query(db, "select count(*) from marts.fct_calls")
    assert calls.metadata["dagster/row_count"].value == rows  # counted after the build
    checks = result.get_asset_check_evaluations()
    # the hourly job runs the data tests not tagged nightly (the alerts' and the seeds')
    assert len(checks) > 50 and all(check.passed for check in checks)
    assert not any(check.check_name.startswith("unique_stg_") for check in checks)
    observed = {e.asset_key for e in result.get_asset_observation_events()}
    assert dg.AssetKey(["crm", "ActivityLog"]) in observed

    [(request, _)] = httpserver.log
    payload = json.loads(request.get_data())
    posted = "\n".join(b["text"]["text"] for b in payload["blocks"] if b["type"] == "section")
    for (message,) in query(db, "select message from marts.alerts"):
        assert message in posted
    assert "http://superset.test/superset/dashboard/" in posted
    [delivery] = result.asset_materializations_for_node("slack_alerts")
    assert delivery.metadata["status"].value == "delivered"
    assert delivery.metadata["new"].value == 3

    records = instance.get_records_for_run(result.run_id).records
    logged = "\n".join(record.event_log_entry.message or "" for record in records)
    logged += json.dumps({k: str(v) for k, v in delivery.metadata.items()})
    logged += "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert "dagst3rS3cr3t" not in logged


def test_a_failed_delivery_fails_the_run_and_the_sensor_posts_a_link_to_it(
    defs, crm, db, httpserver, monkeypatch
):
    query(db, "drop schema if exists ops cascade")
    httpserver.expect_request(SLACK_PATH).respond_with_data("no_service", status=404)
    httpserver.expect_request(FAILURES_PATH).respond_with_data("ok")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", httpserver.url_for(SLACK_PATH))
    monkeypatch.setenv("DAGSTER_BASE_URL", "http://dagster.test")
    instance = dg.DagsterInstance.ephemeral()
    resources = defs.resources

    failed = dg.materialize(
        [defs.get_assets_def(SLACK_ALERTS)],
        instance=instance,
        resources=resources,
        raise_on_error=False,
        selection=[SLACK_ALERTS],
    )
    assert not failed.success
    [failure] = [e for e in failed.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE]
    step_failure = next(e for e in failed.all_events if e.is_step_failure)
    assert "revoked or wrong" in step_failure.step_failure_data.error.to_string()
    [(status, error)] = query(db, "select status, error from ops.alert_deliveries")
    assert status == "failed" and "HTTP 404 no_service" in error

    monkeypatch.setenv("SLACK_WEBHOOK_URL", httpserver.url_for(FAILURES_PATH))
    context = dg.build_run_status_sensor_context(
        sensor_name="slack_on_run_failure",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=failed.dagster_run,
        resources={"slack": resources["slack"]},
    ).for_run_failure()
    slack_on_run_failure(context)

    posted = [json.loads(r.get_data()) for r, _ in httpserver.log if r.path == FAILURES_PATH]
    [payload] = posted
    text = json.dumps(payload)
    assert f"http://dagster.test/runs/{failed.run_id}" in text
    assert "Dagster run failed" in text
    assert "slack_alerts: emg.alerts.slack.SlackDeliveryError: Slack refused" in text


def test_outside_office_hours_the_asset_posts_nothing_and_logs_what_it_holds(
    defs, crm, db, httpserver, monkeypatch
):
    """The marts are the hourly job's, as of Friday 15:00; office hours that end on Thursday
    hold the three alerts for Monday 08:00."""
    query(db, "drop schema if exists ops cascade")
    httpserver.expect_request(SLACK_PATH, method="POST").respond_with_data("ok")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", httpserver.url_for(SLACK_PATH))
    monkeypatch.setenv("EMG_SLACK_OFFICE_HOURS", "Mon-Thu 08:00-18:00")
    instance = dg.DagsterInstance.ephemeral()

    result = dg.materialize(
        [defs.get_assets_def(SLACK_ALERTS)],
        instance=instance,
        resources=defs.resources,
        selection=[SLACK_ALERTS],
    )

    assert result.success and httpserver.log == []
    [delivery] = result.asset_materializations_for_node("slack_alerts")
    assert delivery.metadata["status"].value == "held"
    assert delivery.metadata["held"].value == 3
    assert delivery.metadata["office_hours"].value == "Mon-Thu 08:00-18:00 Europe/London"
    records = instance.get_records_for_run(result.run_id).records
    logged = [record.event_log_entry.message or "" for record in records]
    assert any(
        "outside office hours (Mon-Thu 08:00-18:00 Europe/London): 3 held for 08:00 Monday 30 Nov"
        in message
        for message in logged
    )


def _sessions_alive(sid: int) -> list[int]:
    alive = []
    for process in psutil.process_iter(["pid"]):
        try:
            if os.getsid(process.pid) == sid:
                alive.append(process.pid)
        except OSError:
            continue
    return alive


def test_emg_dagster_serves_the_ui_and_stops_everything_it_started(warehouse, tmp_path):
    port = os.environ.get("EMG_TEST_DAGSTER_PORT", "3099")  # the suite's own, not the demo's
    env = {"EMG_DAGSTER_PORT": port}
    ignoring_sigint = {"preexec_fn": lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)}
    # started as a script or `make` would start it: with SIGINT ignored
    started = subprocess.run(
        [str(Path(sys.executable).parent / "emg"), "dagster", "start"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=REPO,
        timeout=300,
        **ignoring_sigint,
    )
    assert started.returncode == 0, started.stderr
    assert f"Dagster UI at http://127.0.0.1:{port}" in started.stdout
    pid = int((Path(os.environ["EMG_STATE_DIR"]) / "dagster" / "dagster.pid").read_text())
    try:
        answer = requests.post(
            f"http://127.0.0.1:{port}/graphql",
            json={
                "query": "{ schedulesOrError(repositorySelector: {repositoryName: "
                '"__repository__", repositoryLocationName: "orchestration.definitions"}) '
                "{ ... on Schedules { results { name } } } }"
            },
            timeout=60,
        ).json()
        names = {s["name"] for s in answer["data"]["schedulesOrError"]["results"]}
        assert names == {"hourly_refresh_schedule", "nightly_full_build_schedule"}
        assert len(_sessions_alive(pid)) >= 3  # dagster dev, the webserver, the daemon
    finally:
        began = time.monotonic()
        stopped = run_emg("dagster", "stop", env=env)
    assert stopped.stdout.strip() == "Dagster stopped"
    assert time.monotonic() - began < 25  # SIGTERM worked; SIGKILL waits 30 s
    assert _sessions_alive(pid) == []
    assert run_emg("dagster", "status", env=env, check=False).returncode == 3


def test_a_run_that_finds_a_cli_build_running_fails_naming_it_and_builds_nothing(
    defs, crm, warehouse
):
    from emg import warehouse as wh
    from emg.build_lock import BUILD, NAMESPACE

    holder = wh.connect(warehouse, application_name="emg build lock: emg build by alice (pid 7)")
    holder.autocommit = True
    try:
        query(holder, "select pg_advisory_lock(%s, %s)", (NAMESPACE, BUILD))
        result = defs.resolve_job_def("hourly_refresh").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            run_config={"ops": {"emg_dbt_assets": {"config": {"lock_wait_seconds": 2}}}},
            raise_on_error=False,
        )
    finally:
        holder.close()
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert failure.step_key == "emg_dbt_assets"
    message = str(failure.event_specific_data.error)
    assert "another build is running" in message and "emg build by alice (pid 7)" in message
    assert not result.get_asset_materialization_events()


def test_the_slack_resource_reads_the_reminder_hours_as_emg_alerts_send_does(monkeypatch):
    """EMG_ALERT_REMINDER_HOURS reaches the hourly asset as it reaches `emg alerts send`; unset,
    the resource's own `reminder_hours`; a value that is no number of hours is one line."""
    from emg.errors import EmgError
    from orchestration.defs.alerts import SlackResource

    monkeypatch.delenv("EMG_ALERT_REMINDER_HOURS", raising=False)
    assert SlackResource().reminder_interval() == timedelta(hours=24)
    assert SlackResource(reminder_hours=6).reminder_interval() == timedelta(hours=6)
    monkeypatch.setenv("EMG_ALERT_REMINDER_HOURS", "2.5")
    assert SlackResource(reminder_hours=6).reminder_interval() == timedelta(hours=2.5)
    monkeypatch.setenv("EMG_ALERT_REMINDER_HOURS", "soon")
    with pytest.raises(EmgError, match="EMG_ALERT_REMINDER_HOURS='soon'"):
        SlackResource().reminder_interval()
