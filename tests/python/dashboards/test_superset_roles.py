"""The readers' roles as code (superset/roles.yml) and the row-level security they imply, read
without a server; test_superset_logins.py holds them against a real Superset."""

from __future__ import annotations

import pytest
from conftest import REPO

from emg.errors import EmgError
from emg.superset.docs import read_dataset_models
from emg.superset.roles import (
    BDR_ROLE,
    LEADER_ROLE,
    bdr_clause,
    bdr_dataset_uuids,
    bdr_role,
    load_roles,
    parse_roles,
)
from emg.superset.spec import load_spec
from emg.superset.users import check


def test_roles_yml_defines_leader_and_bdr_with_read_only_permissions():
    spec = load_roles(REPO / "superset")
    assert set(spec.roles) == {LEADER_ROLE, BDR_ROLE}
    assert len(spec.permissions) == len(set(spec.permissions))
    writes = {pair for pair in spec.permissions if pair[0] in ("can_write", "can_add", "can_edit")}
    # the only writes: filter state, share links and drill-by's form data, all transient
    assert {view for _, view in writes} == {
        "DashboardFilterStateRestApi",
        "DashboardPermalinkRestApi",
        "ExploreFormDataRestApi",
    }
    views = {view for _, view in spec.permissions}
    assert not views & {"SQLLab", "SQL Lab", "Database", "Row Level Security", "Role", "User"}
    assert ("can_csv", "Superset") in spec.permissions
    assert {("can_drill", "Dashboard"), ("can_samples", "Datasource")} <= set(spec.permissions)


def test_roles_yml_must_name_exactly_the_two_roles():
    with pytest.raises(ValueError, match="must define leader and bdr"):
        parse_roles("roles: {leader: x, analyst: y}\npermissions: []\n")


def test_row_level_security_reaches_every_dataset_with_bdr_id_and_no_other():
    datasets = load_spec(REPO / "superset").datasets
    with_bdr = bdr_dataset_uuids(REPO)
    names = {name for name, dataset in datasets.items() if dataset.uuid in with_bdr}
    assert {"bdr_weekly_performance", "kpi_scorecard", "dim_bdrs", "metric_events"} <= names
    assert not names & {"team_weekly_kpis", "team_monthly_kpis", "pipeline_health"}
    models = read_dataset_models(REPO / "models")
    documented = {  # every dataset whose model documents a bdr_id column, and no other
        name
        for name, dataset in datasets.items()
        if "bdr_id" in {column.name for column in models[dataset.mart].columns}
    }
    assert names == documented


def test_a_bdrs_clause_is_a_quoted_literal():
    assert bdr_role("c5j") == "bdr:c5j"
    assert bdr_clause("c5j") == "bdr_id = 'c5j'"
    assert bdr_clause("o'brien") == "bdr_id = 'o''brien'"


@pytest.mark.parametrize(
    ("name", "role", "bdr_id", "message"),
    [
        ("bad name", "leader", None, "letters, digits and . _ @ - only"),
        ("admin", "leader", None, "Superset's administrator"),
        ("lea", "leader", "c5j", "--bdr-id goes with --role bdr"),
    ],
)
def test_user_add_refuses_bad_arguments_before_asking_anyone(name, role, bdr_id, message):
    with pytest.raises(EmgError, match=message):
        check(name, role, bdr_id)
