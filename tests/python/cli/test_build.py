"""`emg build`: one build at a time per warehouse, selections that are safe and must match."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from conftest import EMG, REPO, query, run_emg

from emg.build_lock import BUILD, NAMESPACE

AS_OF = "2026-11-25T15:00:00Z"
VIEWS = (
    "select table_schema || '.' || table_name from information_schema.views "
    "where table_schema in ('staging', 'intermediate', 'marts', 'audit') order by 1"
)


@pytest.fixture(scope="module")
def built(warehouse):
    run_emg("crm", "generate", "--as-of", AS_OF)
    run_emg("build", "--as-of", AS_OF)


def _one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[-1]


def test_a_build_refuses_in_one_line_naming_the_build_that_holds_the_warehouse(warehouse, db):
    from emg import warehouse as wh

    holder = wh.connect(warehouse, application_name="emg build lock: Dagster run 1a2b3c4d")
    holder.autocommit = True
    try:
        query(holder, "select pg_advisory_lock(%s, %s)", (NAMESPACE, BUILD))
        started = time.monotonic()
        result = run_emg("build", "--wait", "3", check=False)
        waited = time.monotonic() - started
    finally:
        holder.close()
    line = _one_line(result)
    assert "another build is running" in line and "Dagster run 1a2b3c4d" in line, line
    assert waited >= 3
    assert "waiting for the build that holds the warehouse" in result.stderr


def test_two_real_builds_at_once_the_second_refuses_and_the_first_succeeds(built, db):
    first = subprocess.Popen(
        [EMG, "build", "--as-of", AS_OF, "--select", "stg_crm__users"],
        cwd=REPO,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            holders = query(
                db,
                "select application_name from pg_stat_activity "
                "where application_name like 'emg build lock: %%'",
            )
            if holders:
                break
            time.sleep(0.2)
        assert holders, "the first build never took the lock"
        second = run_emg("build", "--as-of", AS_OF, check=False)
    finally:
        out, err = first.communicate(timeout=900)
    assert first.returncode == 0, err[-3000:]
    line = _one_line(second)
    assert f"pid {first.pid}" in line and "another build is running" in line, line


def test_a_selection_keeps_every_view_its_tables_would_drop(built, db):
    before = query(db, VIEWS)
    result = run_emg("build", "--as-of", AS_OF, "--select", "base_crm__users base_crm__kpi_targets")
    assert query(db, VIEWS) == before
    assert "rebuilt" in result.stderr  # the stg_ views read those base tables


def test_a_selection_that_matches_nothing_is_an_error(built):
    result = run_emg("build", "--as-of", AS_OF, "--select", "stg_crm__userz", check=False)
    line = _one_line(result)
    assert "matches no node" in line and "stg_crm__userz" in line, line


def test_a_failing_build_names_its_failing_nodes_in_one_line(built, db):
    query(db, 'alter table crm."User" rename column "team" to "squad"')
    try:
        result = run_emg("build", "--as-of", AS_OF, "--select", "base_crm__users", check=False)
    finally:
        query(db, 'alter table crm."User" rename column "squad" to "team"')
        run_emg("build", "--as-of", AS_OF, "--select", "base_crm__users")
    line = _one_line(result)
    assert "nodes failed" in line and "base_crm__users" in line, line


def test_generating_a_new_crm_keeps_the_staging_views_built_on_it(built, db):
    before = query(db, VIEWS)
    result = run_emg("crm", "generate", "--as-of", AS_OF)
    assert query(db, VIEWS) == before
    assert "rebuilt" in result.stderr


PUBLIC_MARTS = ("fct_calls", "bdr_weekly_performance", "alerts")


def _last_writes(db) -> dict[str, tuple]:
    """Each mart's row count and newest writing transaction: a build that rewrites a row moves
    the second, even where it writes the same values."""
    return {
        mart: query(db, f"select count(*), max(xmin::text::bigint) from marts.{mart}")[0]
        for mart in PUBLIC_MARTS
    }


DROP_DEV_SCHEMAS = (
    "do $$ declare s text; begin for s in select nspname from pg_namespace "
    "where nspname like 'dev_alice%' loop execute format('drop schema %I cascade', s); "
    "end loop; end $$"
)


def test_a_developers_build_writes_schemas_of_its_own_and_leaves_prod_alone(built, db):
    before = _last_writes(db)
    try:
        run_emg("build", "--target", "dev", "--as-of", AS_OF, env={"USER": "Alice"})

        assert _last_writes(db) == before  # prod's marts: not a row written
        for mart in PUBLIC_MARTS:
            [(dev_rows,)] = query(db, f"select count(*) from dev_alice_marts.{mart}")
            assert dev_rows == before[mart][0]  # the same data, the same figures
        readable = query(
            db,
            "select nspname from pg_namespace where nspname like 'dev_%' "
            "and has_schema_privilege('reporting_reader', oid, 'usage')",
        )
        assert readable == []  # analysts read prod's marts only
    finally:
        query(db, DROP_DEV_SCHEMAS)


def test_emg_docs_serves_dbt_docs_with_the_catalogue_on_localhost_until_ctrl_c(built):
    import signal
    import socket

    import requests

    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [EMG, "docs", "--port", str(port)],
        cwd=REPO,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                page = requests.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "emg docs never answered"
                time.sleep(1)
        assert page.status_code == 200 and "dbt" in page.text
        catalog = requests.get(f"http://127.0.0.1:{port}/catalog.json", timeout=10).json()
        assert "model.emg.fct_calls" in catalog["nodes"]  # read from the warehouse itself
        manifest = requests.get(f"http://127.0.0.1:{port}/manifest.json", timeout=10).json()
        assert "exposure.emg.overview_dashboard" in manifest["exposures"]
    finally:
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=30)
    assert code == 0 and "Traceback" not in server.stderr.read()


def test_a_seed_whose_columns_changed_fails_in_one_line_that_says_how_to_reload_it(built, db):
    # the table of an older release, without the column this one's seed has
    query(db, "alter table seeds.alert_rules drop column dashboard_slug")
    result = run_emg("build", "--as-of", AS_OF, "--select", "alert_rules", check=False)
    line = _one_line(result)
    assert "emg build --full-refresh --select alert_rules" in line, line
    run_emg("build", "--as-of", AS_OF, "--full-refresh", "--select", "alert_rules")
    [(slugs,)] = query(db, "select count(dashboard_slug) from seeds.alert_rules")
    assert slugs == 4  # reloaded whole
