"""Analysts' read-only access (contract §1): the build creates the NOLOGIN role `reporting_reader`
if it is missing, lets it read every mart and nothing else. Analysts log in as their own users,
made members of it (`grant reporting_reader to <user>`); here a login user made in the test
stands for one, logging in with its password as any analyst would.

One generate + build for the module; the tests then connect as the analyst.
"""

from __future__ import annotations

import re

import psycopg2
import pytest
from conftest import drop_login, is_denied, login_member, query, run_emg

from emg import warehouse as wh

AS_OF = "2026-11-25T15:00:00Z"
ROLE = "reporting_reader"
ANALYST = "emg_test_analyst"

# Contract §7's public marts and this project's others: each must be readable.
MARTS = (
    "dim_bdrs",
    "dim_dates",
    "fct_calls",
    "fct_agreements",
    "fct_lists_out",
    "fct_sales",
    "bdr_weekly_performance",
    "bdr_monthly_performance",
    "team_monthly_kpis",
    "conversion_rates_monthly",
    "call_heatmap",
    "pipeline_health",
    "alerts",
    "kpi_scorecard",
    "monthly_forecast",
    "monthly_forecast_daily",
    "as_of_metrics",
)
# A relation of each layer the role must not read.
PRIVATE = (
    'crm."User"',
    'crm."ActivityLog"',
    "sales_ext.sales",
    "audit.rejected_rows",
    "staging.stg_crm__users",
    "intermediate.int_leads_milestones",
    "seeds.alert_rules",
)


@pytest.fixture(scope="module")
def built(warehouse):
    """Default data, one build; the build's output for the assertions on it."""
    run_emg("crm", "generate", "--as-of", AS_OF)
    return run_emg("build", "--as-of", AS_OF)


@pytest.fixture(scope="module")
def admin(built, warehouse):
    conn = wh.connect(warehouse)
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def analyst(admin, warehouse):
    """A connection as a login user who is a member of reporting_reader, and nothing more."""
    conn = login_member(admin, warehouse, ANALYST, ROLE, "analyst-test-password")
    yield conn
    conn.close()
    drop_login(admin, ANALYST)


def test_build_creates_reporting_reader_as_a_nologin_role(admin):
    rows = query(admin, "select rolcanlogin, rolsuper from pg_roles where rolname = %s", (ROLE,))
    assert rows == [(False, False)]


def test_analyst_selects_from_every_mart(admin, analyst):
    tables = query(admin, "select tablename from pg_tables where schemaname = 'marts'")
    built = {name for (name,) in tables}
    assert set(MARTS) <= built, set(MARTS) - built
    unreadable = []
    for name in sorted(built):
        try:
            query(analyst, f"select count(*) from marts.{name}")
        except psycopg2.Error as err:
            unreadable.append((name, type(err).__name__))
    assert unreadable == []


def test_analyst_is_denied_raw_staging_intermediate_seed_and_audit_relations(analyst):
    allowed = [name for name in PRIVATE if not is_denied(analyst, f"select 1 from {name} limit 1")]
    assert allowed == []


def test_analyst_cannot_create_or_change_anything_in_marts(analyst):
    attempts = {
        "create table": "create table marts.analyst_scratch (x int)",
        "create view": "create view marts.analyst_view as select 1 as x",
        "insert": "insert into marts.alerts (alert_id) values ('x')",
        "delete": "delete from marts.kpi_scorecard",
        "truncate": "truncate marts.fct_calls",
        "drop": "drop table marts.dim_bdrs",
    }
    allowed = [what for what, statement in attempts.items() if not is_denied(analyst, statement)]
    assert allowed == []


def test_a_second_build_keeps_the_role_and_its_access(admin, analyst, built):
    # the hooks ran on the first build, and run again on a build of a single mart
    assert re.search(r"OK hook: emg\.on-run-start\.0", built.stdout)
    again = run_emg("build", "--as-of", AS_OF, "--select", "dim_dates")
    assert re.search(r"OK hook: emg\.on-run-start\.0", again.stdout)
    assert query(admin, "select count(*) from pg_roles where rolname = %s", (ROLE,)) == [(1,)]
    # dim_dates is a new table now: its grant came with it
    assert query(analyst, "select count(*) > 0 from marts.dim_dates") == [(True,)]
    assert is_denied(analyst, 'select 1 from crm."User" limit 1')


def test_an_analysts_view_grant_and_index_on_a_mart_survive_every_build(admin, analyst, built):
    """Marts are replaced in place (macros/materializations/table_in_place.sql; the incremental
    fct_events and fct_calls take a full refresh in place too), never dropped: what analysts
    and DBAs build on them stays, through incremental and full builds."""
    query(admin, "drop schema if exists analyst_own cascade")
    query(admin, "create schema analyst_own")
    query(
        admin,
        "create view analyst_own.calls_by_month as "
        "select month_start, calls_completed from marts.team_monthly_kpis",
    )
    query(
        admin,
        "create view analyst_own.events_by_type as "
        "select event_type, count(*) as events from marts.fct_events group by 1",
    )
    query(
        admin,
        "create view analyst_own.calls_by_status as "
        "select call_status, count(*) as calls from marts.fct_calls group by 1",
    )
    event_types = query(admin, "select count(distinct event_type) from marts.fct_events")
    call_statuses = query(admin, "select count(distinct call_status) from marts.fct_calls")
    query(admin, f"grant select on marts.kpi_scorecard to {ANALYST}")
    query(admin, "drop index if exists marts.analyst_bdrs_by_team")
    query(admin, "create index analyst_bdrs_by_team on marts.dim_bdrs (team)")
    rows = query(admin, "select count(*) from marts.team_monthly_kpis")

    run_emg("build", "--as-of", AS_OF)
    run_emg("build", "--as-of", AS_OF, "--full-refresh")

    assert query(admin, "select count(*) from analyst_own.calls_by_month") == rows
    assert query(admin, "select count(*) from analyst_own.events_by_type") == event_types
    assert query(admin, "select count(*) from analyst_own.calls_by_status") == call_statuses
    privileges = query(
        admin,
        "select grantee from information_schema.role_table_grants "
        "where table_schema = 'marts' and table_name = 'kpi_scorecard' "
        "and privilege_type = 'SELECT' order by 1",
    )
    assert (ANALYST,) in privileges and (ROLE,) in privileges
    assert query(
        admin, "select count(*) from pg_indexes where indexname = 'analyst_bdrs_by_team'"
    ) == [(1,)]
    query(admin, "drop schema analyst_own cascade")
