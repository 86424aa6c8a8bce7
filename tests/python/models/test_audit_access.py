"""The data-quality dashboard's access, kept apart from analysts': the build creates the NOLOGIN
role `audit_reader` if it is missing and lets it read every audit view and nothing else;
analysts' `reporting_reader` still reads the marts alone (test_marts_access.py), and a member of
reporting_reader alone is still denied the audit views. Superset's login is a member of both
(`emg superset start`; tests/python/dashboards/test_superset_import.py). Here a login user made
in the test stands for it.

One generate + build for the module; the tests then connect as that user.
"""

from __future__ import annotations

import psycopg2
import pytest
from conftest import drop_login, is_denied, login_member, query, run_emg

from emg import warehouse as wh

AS_OF = "2026-11-25T15:00:00Z"
ROLE = "audit_reader"
READER = "emg_test_audit_reader"
ANALYST = "emg_test_audit_analyst"
# What the data-quality dashboard reads.
AUDIT_VIEWS = (
    "source_freshness",
    "rejected_rows_summary",
    "leads_missing_milestone_dates",
    "sales_without_rate",
    "crm_sales_reconciliation",
)
# A relation of each other layer the role must not read.
PRIVATE = (
    'crm."User"',
    "sales_ext.sales",
    "staging.stg_crm__users",
    "intermediate.int_leads_milestones",
    "seeds.alert_rules",
    "marts.fct_sales",
)


@pytest.fixture(scope="module")
def admin(warehouse):
    run_emg("crm", "generate", "--as-of", AS_OF)
    run_emg("build", "--as-of", AS_OF)
    conn = wh.connect(warehouse)
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def reader(admin, warehouse):
    conn = login_member(admin, warehouse, READER, ROLE, "audit-test-password")
    yield conn
    conn.close()
    drop_login(admin, READER)


@pytest.fixture(scope="module")
def analyst(admin, warehouse):
    conn = login_member(admin, warehouse, ANALYST, "reporting_reader", "audit-test-password")
    yield conn
    conn.close()
    drop_login(admin, ANALYST)


def test_build_creates_audit_reader_as_a_nologin_role_apart_from_reporting_reader(admin):
    rows = query(admin, "select rolcanlogin, rolsuper from pg_roles where rolname = %s", (ROLE,))
    assert rows == [(False, False)]
    assert query(
        admin,
        "select pg_has_role('reporting_reader', 'audit_reader', 'member'), "
        "pg_has_role('audit_reader', 'reporting_reader', 'member')",
    ) == [(False, False)]


def test_audit_reader_selects_from_every_audit_view(admin, reader):
    views = {
        name for (name,) in query(admin, "select viewname from pg_views where schemaname = 'audit'")
    }
    assert set(AUDIT_VIEWS) <= views, set(AUDIT_VIEWS) - views
    unreadable = []
    for name in sorted(views):
        try:
            query(reader, f"select count(*) from audit.{name}")
        except psycopg2.Error as err:
            unreadable.append((name, type(err).__name__))
    assert unreadable == []


def test_audit_reader_is_denied_raw_staging_intermediate_seed_and_mart_relations(reader):
    allowed = [name for name in PRIVATE if not is_denied(reader, f"select 1 from {name} limit 1")]
    assert allowed == []


def test_audit_reader_cannot_create_or_change_anything_in_audit(admin, reader):
    attempts = {
        "create view": "create view audit.reader_view as select 1 as x",
        "drop": "drop view audit.source_freshness",
    }
    allowed = [what for what, statement in attempts.items() if not is_denied(reader, statement)]
    assert allowed == []
    # the views are not updatable anyway; the role holds no write privilege on them either
    writable = query(
        admin,
        "select viewname, privilege from pg_views, "
        "unnest(array['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) as privilege "
        "where schemaname = 'audit' "
        "and has_table_privilege(%s, format('audit.%%I', viewname), privilege)",
        (ROLE,),
    )
    assert writable == []


def test_analysts_reporting_reader_is_still_denied_every_audit_view(analyst):
    allowed = [
        name
        for name in AUDIT_VIEWS
        if not is_denied(analyst, f"select 1 from audit.{name} limit 1")
    ]
    assert allowed == []
    assert query(analyst, "select count(*) > 0 from marts.dim_bdrs") == [(True,)]


def test_a_rebuilt_audit_view_keeps_its_grant(reader):
    """dbt replaces a view on every build that selects it; its grant comes with it."""
    run_emg("build", "--as-of", AS_OF, "--select", "source_freshness")
    assert query(reader, "select count(*) > 0 from audit.source_freshness") == [(True,)]
    assert is_denied(reader, 'select 1 from crm."User" limit 1')
