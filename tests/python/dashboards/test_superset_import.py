"""`emg superset start|import` against a real Superset: idempotent, scoped filters that survive
the import, and a warehouse connection as the read-only analysts' role."""

from __future__ import annotations

import json
import stat
import time
from concurrent.futures import ThreadPoolExecutor

from conftest import REPO, query, run_emg

from emg.superset.api import Superset
from emg.superset.bundle import build_from_project
from emg.superset.instance import reader_password
from emg.superset.reader import sqlalchemy_uri
from emg.superset.server import import_files, sync_filter_scopes

SLUGS = (
    "overview",
    "bdr-scorecard",
    "funnel",
    "bdr-leaderboard",
    "activity-heatmap",
    "pipeline-health",
    "data-quality",
    "history",
)


def _counts(api: Superset) -> dict[str, int]:
    return {
        resource: api.get(f"/api/v1/{resource}/", q="(page_size:1)")["count"]
        for resource in ("dashboard", "chart", "dataset", "database")
    }


# The colour settings Superset's own front end writes into a dashboard when someone opens it
# (PUT /api/v1/dashboard/<id>/colors; the browser tests open every dashboard): an import
# resets them, and that is not a change of the dashboard.
UI_COLOUR_CACHES = (
    "color_scheme_domain",
    "color_scheme",
    "shared_label_colors",
    "map_label_colors",
    "label_colors",
)


def _metadata(board: dict) -> dict:
    metadata = json.loads(board["json_metadata"])
    return {key: value for key, value in metadata.items() if key not in UI_COLOUR_CACHES}


def _snapshot(api: Superset) -> dict:
    """What an import could change: every dashboard's layout and filters, every chart's params."""
    boards = {slug: api.dashboard(slug) for slug in SLUGS}
    charts = api.list_all("chart", ["id", "slice_name", "params", "viz_type"])
    return {
        "dashboards": {
            slug: (board["id"], board["position_json"], _metadata(board))
            for slug, board in boards.items()
        },
        "charts": sorted((c["id"], c["slice_name"], c["params"]) for c in charts),
    }


def _bundle_counts() -> dict[str, int]:
    """What superset/ holds: the bundle's dashboards, charts and datasets."""
    files = build_from_project(REPO, sqlalchemy_uri(masked=True))
    return {
        kind: sum(path.startswith(f"{kind}s/") for path in files)
        for kind in ("dashboard", "chart", "dataset")
    }


def test_start_serves_every_dashboard_by_slug(superset_server, superset_api):
    assert "Superset started on" in superset_server.start_output
    counts = _bundle_counts()
    assert counts["dashboard"] == len(SLUGS)
    assert (
        f"imported {counts['dashboard']} dashboards, {counts['chart']} charts and "
        f"{counts['dataset']} datasets"
    ) in superset_server.start_output
    for slug in SLUGS:
        assert superset_api.dashboard(slug)["slug"] == slug
    print(f"superset start: {superset_server.start_seconds:.1f}s")


def test_generated_secrets_are_private_files_and_never_printed(superset_server):
    for name in ("secret_key", "reader_password"):
        path = superset_server.home / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text().strip() not in superset_server.start_output
    # the admin password is printed once, when it is generated
    assert superset_server.password in superset_server.start_output


def test_superset_metadata_is_private_and_its_action_log_holds_no_password(superset_server):
    import sqlite3

    metadata = superset_server.home / "superset.db"
    assert stat.S_IMODE(metadata.stat().st_mode) & 0o077 == 0
    reader_password = (superset_server.home / "reader_password").read_text().strip()
    run_emg("superset", "import")  # one more import, logged by Superset as it happens
    with sqlite3.connect(metadata) as conn:
        logged = conn.execute("select json from logs where json is not null").fetchall()
        imports = conn.execute(
            "select count(*) from logs where json like '%passwords%'"
        ).fetchone()[0]
    assert logged and imports > 0  # the imports are logged, their passwords field masked
    assert not [row for row in logged if reader_password in row[0]]
    assert not [row for row in logged if superset_server.password in row[0]]


def test_import_twice_changes_nothing_and_duplicates_nothing(superset_server, superset_api):
    before_counts, before = _counts(superset_api), _snapshot(superset_api)
    started = time.monotonic()
    first = run_emg("superset", "import")
    second = run_emg("superset", "import")
    print(f"superset import: {(time.monotonic() - started) / 2:.1f}s each")
    imported = f"imported {len(SLUGS)} dashboards"
    assert imported in first.stdout and imported in second.stdout
    assert _counts(superset_api) == before_counts
    assert before_counts == {**_bundle_counts(), "database": 1}
    assert _snapshot(superset_api) == before


def test_a_second_start_changes_nothing(superset_server, superset_api):
    before_counts, before = _counts(superset_api), _snapshot(superset_api)
    again = run_emg("superset", "start")
    assert "already running" in again.stdout
    assert superset_server.password not in again.stdout  # printed once, at generation
    assert _counts(superset_api) == before_counts
    assert _snapshot(superset_api) == before


def test_filter_scopes_stay_right_when_chart_ids_change_on_import(superset_server, superset_api):
    """The bundle refers to charts by ids of its own; here they differ from the instance's
    (as with a bundle exported elsewhere). Superset remaps scope.excluded, not chartsInScope;
    after the import the two agree again and each filter reaches exactly the charts whose
    dataset has its column."""
    files = build_from_project(REPO, sqlalchemy_uri(masked=True), first_chart_id=5000)
    import_files(superset_api, files)
    raw = json.loads(superset_api.dashboard("overview")["json_metadata"])
    stale = [f["chartsInScope"] for f in raw["native_filter_configuration"]]
    assert any(chart >= 5000 for ids in stale for chart in ids), "the import bug is gone?"

    assert set(sync_filter_scopes(superset_api, list(SLUGS))) == set(SLUGS)
    for slug in SLUGS:
        board = superset_api.dashboard(slug)
        charts = {c["slice_name"]: c for c in superset_api.dashboard_charts(slug)}
        metadata = json.loads(board["json_metadata"])
        for native_filter in metadata["native_filter_configuration"]:
            excluded = set(native_filter["scope"]["excluded"])
            in_scope = set(native_filter["chartsInScope"])
            assert excluded | in_scope == {c["id"] for c in charts.values()}
            assert not excluded & in_scope
            column = {"BDR": "bdr_name", "Category": "category"}.get(native_filter["name"])
            for title, chart in charts.items():
                if column is None:
                    continue
                columns = {col["column_name"] for col in _dataset_columns(superset_api, chart)}
                assert (chart["id"] in in_scope) == (column in columns), (slug, title, column)
    assert sync_filter_scopes(superset_api, list(SLUGS)) == []  # nothing left to fix


_DATASET_COLUMNS: dict[str, list[dict]] = {}


def _dataset_columns(api: Superset, chart: dict) -> list[dict]:
    datasource = chart["form_data"]["datasource"]
    if datasource not in _DATASET_COLUMNS:
        dataset_id = int(datasource.split("__")[0])
        _DATASET_COLUMNS[datasource] = api.get(f"/api/v1/dataset/{dataset_id}")["result"]["columns"]
    return _DATASET_COLUMNS[datasource]


def _sql_lab(api: Superset, database_id: int, sql: str):
    response = api.post(
        "/api/v1/sqllab/execute/",
        {"database_id": database_id, "sql": sql, "runAsync": False, "schema": "marts"},
    )
    return response.status_code, response.json()


def test_superset_reads_the_warehouse_as_the_read_only_login(superset_server, superset_api, db):
    databases = superset_api.get("/api/v1/database/")["result"]
    assert [d["database_name"] for d in databases] == ["EMG warehouse"]
    database_id = databases[0]["id"]
    connection = superset_api.get(f"/api/v1/database/{database_id}/connection")["result"]
    assert connection["sqlalchemy_uri"].startswith(
        "postgresql+psycopg2://superset_reader:XXXXXXXXXX@"
    )
    # Superset refuses current_user and pg_stat_activity in SQL Lab: watch its session from
    # the warehouse's side while it runs a slow query instead.
    marker = "select count(*) as emg_who_am_i from generate_series(1, 30000000) as g"
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(_sql_lab, superset_api, database_id, marker)
        seen: list = []
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            seen = query(
                db,
                "select usename from pg_stat_activity "
                "where query like '%%emg_who_am_i%%' and pid <> pg_backend_pid()",
            )
            time.sleep(0.05)
        status, body = running.result()
    assert status == 200, body
    assert seen == [("superset_reader",)]
    status, body = _sql_lab(superset_api, database_id, 'select count(*) from crm."User"')
    assert status != 200 and "permission denied" in json.dumps(body)
    member = query(
        db,
        "select r.rolcanlogin, r.rolsuper, pg_has_role(r.rolname, 'reporting_reader', 'member'), "
        "pg_has_role(r.rolname, 'audit_reader', 'member') "
        "from pg_roles as r where r.rolname = 'superset_reader'",
    )
    assert member == [(True, False, True, True)]


def test_superset_reads_the_audit_views_but_not_what_they_are_built_from(
    superset_server, superset_api
):
    """The data-quality dashboard's views, through audit_reader; not the staging tables under
    them."""
    database_id = superset_api.get("/api/v1/database/")["result"][0]["id"]
    status, body = _sql_lab(
        superset_api, database_id, "select count(*) as tables from audit.source_freshness"
    )
    assert status == 200, body
    assert body["data"] == [{"tables": 6}]
    status, body = _sql_lab(
        superset_api, database_id, "select count(*) from staging.base_crm__users"
    )
    assert status != 200 and "permission denied" in json.dumps(body)


def test_no_log_holds_the_readers_password(superset_server):
    secret = reader_password()
    for log in superset_server.home.glob("*.log"):
        assert secret not in log.read_text(errors="replace"), log


def test_an_edited_chart_and_dataset_reach_an_instance_that_has_them(superset_server, superset_api):
    """Superset's dashboard import keeps the charts and datasets it holds; `emg superset import`
    overwrites them, so an edited spec reaches a running instance (and the original returns)."""
    files = build_from_project(REPO, sqlalchemy_uri(masked=True))
    chart_path = "charts/overview_kpi_calls_week.yaml"
    dataset_path = next(path for path in files if path.endswith("/kpi_scorecard.yaml"))
    original_title = files[chart_path]["slice_name"]
    original_description = files[dataset_path]["description"]
    edited = json.loads(json.dumps(files))
    edited[chart_path]["slice_name"] = "Calls this week (edited)"
    edited[dataset_path]["description"] = "edited description"
    try:
        import_files(superset_api, edited)
        titles = {c["slice_name"] for c in superset_api.dashboard_charts("overview")}
        assert "Calls this week (edited)" in titles and original_title not in titles
        (dataset,) = [
            d
            for d in superset_api.list_all("dataset", ["id", "table_name", "description"])
            if d["table_name"] == "kpi_scorecard"
        ]
        assert dataset["description"] == "edited description"
    finally:
        import_files(superset_api, files)
    titles = {c["slice_name"] for c in superset_api.dashboard_charts("overview")}
    assert original_title in titles
    (dataset,) = [
        d
        for d in superset_api.list_all("dataset", ["id", "table_name", "description"])
        if d["table_name"] == "kpi_scorecard"
    ]
    assert dataset["description"] == original_description


def test_import_overwrites_a_chart_changed_in_the_instance(superset_server, superset_api):
    """Superset's dashboard import leaves an existing chart as it is; `emg superset import`
    imports the charts again with overwrite, so a chart's form data and saved query context
    follow the bundle on an instance that has them already (same id, same dashboards)."""
    chart = next(
        c for c in superset_api.list_all("chart", ["id", "slice_name", "params"])
        if c["slice_name"] == "BDR leaderboard"
    )  # fmt: skip
    data_path = f"/api/v1/chart/{chart['id']}/data/"
    assert superset_api.get(data_path)["result"][0]["rowcount"] > 1
    changed = {**json.loads(chart["params"]), "row_limit": 1}
    superset_api.put(
        f"/api/v1/chart/{chart['id']}", {"params": json.dumps(changed), "query_context": None}
    )
    assert superset_api.session.get(superset_api.url(data_path)).status_code == 400

    run_emg("superset", "import")
    restored = superset_api.get(f"/api/v1/chart/{chart['id']}")["result"]
    assert json.loads(restored["params"]) == json.loads(chart["params"])
    assert superset_api.get(data_path)["result"][0]["rowcount"] > 1
    ids = {c["id"] for c in superset_api.dashboard_charts("bdr-leaderboard")}
    assert chart["id"] in ids
