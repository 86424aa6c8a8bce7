"""The readers' logins against a real Superset: `emg superset user add`, the roles of
superset/roles.yml (a leader reads and exports everything and changes nothing), row-level
security (a BDR's charts, exports and drill-downs hold the BDR's own rows only), the landing on
the Overview, and every dashboard in a real Chromium as each of them."""

from __future__ import annotations

import re
import socket
from decimal import Decimal

import requests
import yaml
from conftest import REPO, query, run_emg
from superset_fixtures import SLUGS

from emg.superset.api import Superset
from emg.superset.spec import load_spec

ROLES_YML = REPO / "superset" / "roles.yml"


def _api(server, login) -> Superset:
    return Superset(server.base_url, login.name, login.password)


def _dataset_id(superset_api, name: str) -> int:
    rows = superset_api.list_all("dataset", ["id", "table_name"])
    return next(row["id"] for row in rows if row["table_name"] == name)


def _chart_data(api: Superset, dataset_id: int, columns, metrics, result_format="json"):
    """A query of the dataset through Superset's chart data API, as Explore or a chart sends
    one; metrics are SQL aggregates named by their label."""
    body = {
        "datasource": {"id": dataset_id, "type": "table"},
        "queries": [
            {
                "columns": list(columns),
                "metrics": [
                    {"expressionType": "SQL", "sqlExpression": sql, "label": label}
                    for label, sql in metrics.items()
                ],
                "orderby": [],
                "row_limit": 10000,
            }
        ],
        "result_format": result_format,
        "result_type": "full",
    }
    return api.post("/api/v1/chart/data", body)


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.text[:300]
    return response.json()["result"][0]["data"]


def _form_session(server, login) -> tuple[requests.Session, requests.Response]:
    """Log in through the web form, as a browser does; (session, the page it landed on)."""
    session = requests.Session()
    page = session.get(f"{server.base_url}/login/", timeout=60)
    token = re.search(r'id="csrf_token"\s+value="([^"]+)"', page.text).group(1)
    landed = session.post(
        f"{server.base_url}/login/",
        data={"username": login.name, "password": login.password, "csrf_token": token},
        timeout=120,
    )
    session.headers.update({"X-CSRFToken": token, "Referer": server.base_url})
    return session, landed


def _samples(server, login, dataset_id: int) -> list[dict]:
    """Drill to detail: the rows behind a chart (Superset's samples endpoint, which answers a
    browser's session only)."""
    session, _ = _form_session(server, login)
    response = session.post(
        f"{server.base_url}/datasource/samples",
        params={"datasource_id": dataset_id, "datasource_type": "table", "force": "true"},
        json={},
        timeout=120,
    )
    assert response.status_code == 200, response.text[:300]
    return response.json()["result"]["data"]


def _pairs(superset_api, role: str) -> set[tuple[str, str]]:
    roles = superset_api.list_all("security/roles", ["id", "name"])
    role_id = next(row["id"] for row in roles if row["name"] == role)
    rows = superset_api.get(f"/api/v1/security/roles/{role_id}/permissions/")["result"]
    return {(row["permission_name"], row["view_menu_name"]) for row in rows}


# --- the roles as code -------------------------------------------------------------------------


def test_start_gives_leader_and_bdr_exactly_the_permissions_of_roles_yml(
    superset_server, superset_api
):
    assert "roles leader and bdr:" in superset_server.start_output
    listed = {tuple(pair) for pair in yaml.safe_load(ROLES_YML.read_text())["permissions"]}
    datasets = superset_api.get("/api/v1/dataset/", q="(page_size:1)")["count"]
    bundle_datasets = load_spec(REPO / "superset").datasets  # every one the bundle imports
    for role in ("leader", "bdr"):
        pairs = _pairs(superset_api, role)
        access = {pair for pair in pairs if pair[0] == "datasource_access"}
        assert pairs - access == listed, role
        assert len(access) == datasets == len(bundle_datasets)
        assert not {p for p in pairs if p[0] == "can_write" and p[1] in ("Chart", "Dashboard")}
        assert not {p for p in pairs if "SQL" in p[1]}, role


def test_import_again_changes_no_role_and_adds_no_filter(superset_server, superset_api):
    before = {role: _pairs(superset_api, role) for role in ("leader", "bdr")}
    filters = superset_api.list_all("rowlevelsecurity", ["id", "name", "clause", "tables.id"])
    run_emg("superset", "import")
    assert {role: _pairs(superset_api, role) for role in ("leader", "bdr")} == before
    again = superset_api.list_all("rowlevelsecurity", ["id", "name", "clause", "tables.id"])
    assert sorted(map(str, again)) == sorted(map(str, filters))


# --- emg superset user add -------------------------------------------------------------------


def test_a_generated_password_is_printed_once_works_and_is_kept_nowhere(
    superset_server, superset_logins
):
    leader = superset_logins["leader"]
    assert leader.add_output.count(leader.password) == 1
    assert "added user lea.leader with roles leader" in leader.add_output
    assert len(leader.password) >= 16
    _api(superset_server, leader)  # logs in
    for path in superset_server.home.rglob("*"):
        if path.is_file():
            assert leader.password.encode() not in path.read_bytes(), path


def test_adding_a_login_again_replaces_its_role_and_password(superset_server, superset_logins):
    bdr = superset_logins["bdr"]
    result = run_emg(
        "superset", "user", "add", "kim.again", "--role", "bdr",
        "--bdr-id", bdr.bdr_id, "--password", "first-pass-1",
    )  # fmt: skip
    assert "added user kim.again" in result.stdout
    result = run_emg(
        "superset", "user", "add", "kim.again", "--role", "leader", "--password", "second-pass-2"
    )
    assert "updated user kim.again: its roles are now leader, its password replaced" in (
        result.stdout
    )
    assert "first-pass-1" not in result.stdout and "second-pass-2" not in result.stdout
    kim = type(bdr)("kim.again", "leader", "second-pass-2", "")
    api = _api(superset_server, kim)
    assert api.get("/api/v1/me/roles/")["result"]["roles"].keys() == {"leader"}
    listing = run_emg("superset", "user", "list").stdout
    assert "kim.again: leader; last login" in listing
    assert f"sam.bdr: bdr, bdr:{bdr.bdr_id}; last login" in listing


def test_bdr_role_without_or_with_an_unknown_bdr_id_is_a_one_line_error(superset_server):
    missing = run_emg("superset", "user", "add", "x.bdr", "--role", "bdr", check=False)
    unknown = run_emg(
        "superset", "user", "add", "x.bdr", "--role", "bdr", "--bdr-id", "nobody", check=False
    )
    for result, start in (
        (missing, "emg: error: --role bdr needs --bdr-id, the BDR's bdr_id in marts.dim_bdrs: "),
        (unknown, "emg: error: --bdr-id 'nobody' is not a BDR in marts.dim_bdrs; its BDRs: "),
    ):
        assert result.returncode == 1
        assert result.stderr.startswith(start) and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""


def test_user_add_without_superset_running_says_to_start_it(superset_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    result = run_emg(
        "superset", "user", "add", "y.leader", "--role", "leader",
        check=False, env={"EMG_SUPERSET_PORT": str(free)},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        f"emg: error: Superset does not answer on http://127.0.0.1:{free}; "
        "run `emg superset start`\n"
    )


# --- the leader ----------------------------------------------------------------------------


def test_leader_reads_every_dashboard_and_all_bdrs_rows(
    superset_server, superset_logins, superset_api, db
):
    api = _api(superset_server, superset_logins["leader"])
    boards = api.get("/api/v1/dashboard/", q="(page_size:100)")["result"]
    assert sorted(board["slug"] for board in boards) == sorted(SLUGS)
    for slug in SLUGS:
        assert api.dashboard_charts(slug)
    rows = _rows(
        _chart_data(
            api,
            _dataset_id(superset_api, "bdr_weekly_performance"),
            ["bdr_id"],
            {"calls": "sum(calls_completed)"},
        )
    )
    expected = query(
        db, "select bdr_id, sum(calls_completed) from marts.bdr_weekly_performance group by 1"
    )
    assert {row["bdr_id"]: row["calls"] for row in rows} == dict(expected)
    assert len(expected) > 1


def test_leader_exports_csv_and_excel(superset_server, superset_logins, superset_api):
    api = _api(superset_server, superset_logins["leader"])
    dataset = _dataset_id(superset_api, "bdr_weekly_performance")
    csv = _chart_data(api, dataset, ["bdr_name"], {"Calls": "sum(calls_completed)"}, "csv")
    assert csv.status_code == 200, csv.text[:300]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "BDR,Calls" and len(lines) > 2
    xlsx = _chart_data(api, dataset, ["bdr_name"], {"Calls": "sum(calls_completed)"}, "xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_leader_drills_to_detail(superset_server, superset_logins, superset_api):
    rows = _samples(
        superset_server,
        superset_logins["leader"],
        _dataset_id(superset_api, "bdr_weekly_performance"),
    )
    assert len({row["bdr_id"] for row in rows}) > 1


def test_leader_may_not_edit_create_or_query_sql(superset_server, superset_logins, superset_api):
    api = _api(superset_server, superset_logins["leader"])
    chart = api.dashboard_charts("overview")[0]["id"]
    board = superset_api.dashboard("overview")["id"]
    database = superset_api.get("/api/v1/database/", q="(page_size:1)")["result"][0]["id"]
    refused = {
        "edit a chart": api.session.put(
            api.url(f"/api/v1/chart/{chart}"), json={"cache_timeout": 1}
        ),
        "edit a dashboard": api.session.put(
            api.url(f"/api/v1/dashboard/{board}"), json={"dashboard_title": "Mine"}
        ),
        "create a chart": api.post(
            "/api/v1/chart/", {"slice_name": "x", "datasource_id": 1, "datasource_type": "table"}
        ),
        "run SQL": api.post(
            "/api/v1/sqllab/execute/", {"database_id": database, "sql": "select 1"}
        ),
        "list databases": api.session.get(api.url("/api/v1/database/")),
        "create a dataset": api.post(
            "/api/v1/dataset/", {"database": database, "schema": "marts", "table_name": "alerts"}
        ),
        "read the security filters": api.session.get(api.url("/api/v1/rowlevelsecurity/")),
    }
    assert {what: r.status_code for what, r in refused.items()} == dict.fromkeys(refused, 403)
    assert superset_api.dashboard("overview")["dashboard_title"] == "Overview"
    session, _ = _form_session(superset_server, superset_logins["leader"])
    sqllab = session.get(f"{superset_server.base_url}/sqllab/", timeout=60)
    assert sqllab.status_code == 403  # the SQL Lab page itself, in a browser's session


# --- the BDR: row-level security ---------------------------------------------------------------


def test_bdr_sees_only_their_own_rows_and_the_marts_figures_for_them(
    superset_server, superset_logins, superset_api, db
):
    bdr = superset_logins["bdr"]
    api = _api(superset_server, bdr)
    rows = _rows(
        _chart_data(
            api,
            _dataset_id(superset_api, "bdr_weekly_performance"),
            ["bdr_id", "bdr_name"],
            {"calls": "sum(calls_completed)", "revenue": "sum(revenue)"},
        )
    )
    (expected,) = query(
        db,
        "select sum(calls_completed), sum(revenue) from marts.bdr_weekly_performance "
        "where bdr_id = %s",
        (bdr.bdr_id,),
    )
    assert [(row["bdr_id"], row["bdr_name"]) for row in rows] == [(bdr.bdr_id, bdr.bdr_name)]
    assert rows[0]["calls"] == expected[0]
    assert Decimal(str(rows[0]["revenue"])) == Decimal(expected[1])

    # kpi_scorecard: the team row (bdr_id null) is hidden, the BDR's own rows remain
    scorecard = _rows(
        _chart_data(
            api,
            _dataset_id(superset_api, "kpi_scorecard"),
            ["kpi", "scope", "bdr_id"],
            {"value": "sum(kpi_value)"},
        )
    )
    mart = query(
        db, "select kpi, kpi_value from marts.kpi_scorecard where bdr_id = %s", (bdr.bdr_id,)
    )
    assert {(row["scope"], row["bdr_id"]) for row in scorecard} == {("bdr", bdr.bdr_id)}
    assert {row["kpi"]: row["value"] for row in scorecard} == dict(mart)

    # the BDR filter's list of names holds the BDR alone
    names = _rows(_chart_data(api, _dataset_id(superset_api, "dim_bdrs"), ["bdr_name"], {}))
    assert names == [{"bdr_name": bdr.bdr_name}]


def test_bdr_still_sees_the_teams_figures_on_marts_without_bdr_id(
    superset_server, superset_logins, superset_api, db
):
    api = _api(superset_server, superset_logins["bdr"])
    rows = _rows(
        _chart_data(
            api,
            _dataset_id(superset_api, "team_weekly_kpis"),
            [],
            {"calls": "sum(calls_completed)"},
        )
    )
    (expected,) = query(db, "select sum(calls_completed) from marts.team_weekly_kpis")
    assert rows[0]["calls"] == expected[0]


def test_bdr_exports_and_drills_to_their_own_rows_only(
    superset_server, superset_logins, superset_api
):
    bdr = superset_logins["bdr"]
    api = _api(superset_server, bdr)
    dataset = _dataset_id(superset_api, "fct_agreements")
    csv = _chart_data(api, dataset, ["bdr_id"], {"n": "count(*)"}, "csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "BDR id,n" and [line.split(",")[0] for line in lines[1:]] == [bdr.bdr_id]
    rows = _samples(superset_server, bdr, _dataset_id(superset_api, "metric_events"))
    assert rows and {row["bdr_id"] for row in rows} == {bdr.bdr_id}


def test_a_bdr_login_without_a_bdr_of_its_own_sees_no_rows(
    superset_server, superset_logins, superset_api
):
    """The role `bdr` alone filters every bdr_id dataset to nothing (its filter is `false`)."""
    roles = {
        row["name"]: row["id"] for row in superset_api.list_all("security/roles", ["id", "name"])
    }
    created = superset_api.create(
        "/api/v1/security/users/",
        {
            "username": "no.bdr", "first_name": "no", "last_name": "bdr",
            "email": "no.bdr@emg.invalid", "active": True, "roles": [roles["bdr"]],
            "password": "no-bdr-pass-1",
        },
    )  # fmt: skip
    try:
        login = type(superset_logins["bdr"])("no.bdr", "bdr", "no-bdr-pass-1", "")
        api = _api(superset_server, login)
        dataset = _dataset_id(superset_api, "bdr_weekly_performance")
        assert _rows(_chart_data(api, dataset, ["bdr_id"], {"n": "count(*)"})) == []
    finally:
        superset_api.session.delete(superset_api.url(f"/api/v1/security/users/{created['id']}"))


# --- landing on the Overview -------------------------------------------------------------------


def test_every_login_lands_on_the_overview(superset_server, superset_logins):
    admin = type(superset_logins["leader"])("admin", "admin", superset_server.password, "")
    for login in (admin, *superset_logins.values()):
        session, landed = _form_session(superset_server, login)
        assert landed.status_code == 200
        assert landed.url == f"{superset_server.base_url}/superset/dashboard/overview/", login.name
        again = session.get(f"{superset_server.base_url}/", timeout=60)
        assert again.url == f"{superset_server.base_url}/superset/dashboard/overview/"


# --- in the browser, as each reader ---------------------------------------------------------------


def test_every_dashboard_renders_for_the_leader_and_the_bdr(rendered_as, superset_api):
    for role, viewing in rendered_as.items():
        assert viewing.landed.startswith(f"{superset_api.base_url}/superset/dashboard/overview/"), (
            role,
            viewing.landed,
        )
        for slug, render in viewing.renders.items():
            expected = {chart["id"] for chart in superset_api.dashboard_charts(slug)}
            assert set(render.chart_ids) == expected, (role, slug)
            assert render.errors == [], (role, slug, render.errors)
            assert render.screenshot.stat().st_size > 30_000, render.screenshot


def test_the_bdrs_leaderboard_and_cards_show_their_own_figures(rendered_as, superset_api, db):
    bdr = rendered_as["bdr"].login
    charts = {
        chart["slice_name"]: chart["id"]
        for slug in ("overview", "bdr-leaderboard")
        for chart in superset_api.dashboard_charts(slug)
    }
    board = rendered_as["bdr"].renders["bdr-leaderboard"]
    rows = board.requests[charts["BDR leaderboard"]][2]["result"][0]["data"]
    assert [row["bdr_name"] for row in rows] == [bdr.bdr_name]
    leader_rows = (
        rendered_as["leader"]
        .renders["bdr-leaderboard"]
        .requests[charts["BDR leaderboard"]][2]["result"][0]["data"]
    )
    assert len(leader_rows) > 1 and bdr.bdr_name in {row["bdr_name"] for row in leader_rows}

    overview = rendered_as["bdr"].renders["overview"]
    (card,) = overview.requests[charts["Calls completed this week"]][2]["result"][0]["data"]
    (expected,) = query(
        db,
        "select attainment from marts.kpi_scorecard "
        "where bdr_id = %s and kpi = 'calls_completed_this_week'",
        (bdr.bdr_id,),
    )
    assert abs(Decimal(str(card["attainment"])) - Decimal(expected[0])) < Decimal("0.0001")
