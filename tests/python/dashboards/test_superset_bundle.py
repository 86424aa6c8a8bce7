"""The dashboards-as-code bundle, built from superset/ and the dbt docs (no server needed)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile

import pytest
import yaml
from conftest import REPO

from emg.errors import EmgError
from emg.project_vars import TrafficLightRatios, dbt_vars
from emg.superset.bundle import build_files, build_from_project, to_zip
from emg.superset.dashboards import (
    AMBER,
    FILTER_NAMES,
    GREEN,
    RED,
    bundle_chart_ids,
    chart_config,
    filter_applies,
)
from emg.superset.docs import read_dataset_models
from emg.superset.query_context import supported_viz_types
from emg.superset.scopes import charts_in_scope
from emg.superset.spec import (
    FILTER_KINDS,
    ChartSpec,
    DatasetSpec,
    load_spec,
    parse_spec,
    stable_uuid,
    validate,
)

URI = "postgresql+psycopg2://superset_reader:XXXXXXXXXX@127.0.0.1:5432/emg"
SLUGS = {
    "overview",
    "bdr-scorecard",
    "funnel",
    "bdr-leaderboard",
    "activity-heatmap",
    "pipeline-health",
    "data-quality",
    "history",
}
# The audit views the data-quality dashboard reads (schema audit).
AUDIT_VIEWS = {
    "source_freshness",
    "rejected_rows_summary",
    "leads_missing_milestone_dates",
    "sales_without_rate",
    "crm_sales_reconciliation",
}


@pytest.fixture(scope="module")
def spec():
    return load_spec(REPO / "superset")


@pytest.fixture(scope="module")
def models():
    return read_dataset_models(REPO / "models")


@pytest.fixture(scope="module")
def files(spec, models):
    return build_files(spec, models, URI)


def test_spec_is_valid_against_the_documented_marts(spec, models):
    assert validate(spec, models) == []


def test_dashboards_have_the_slugs_slack_alerts_link_to(spec):
    assert {board.slug for board in spec.dashboards} == SLUGS
    rules = csv.DictReader((REPO / "seeds" / "alert_rules.csv").open())
    assert {rule["dashboard_slug"] for rule in rules} <= SLUGS  # the seed links to real ones


def test_building_twice_gives_the_same_bytes_and_uuids(spec, models):
    first = to_zip(build_files(spec, models, URI))
    second = to_zip(build_files(load_spec(REPO / "superset"), models, URI))
    assert first == second
    overview = next(board for board in spec.dashboards if board.slug == "overview")
    assert overview.uuid == stable_uuid("dashboard", "overview")
    uuids = [doc["uuid"] for doc in build_files(spec, models, URI).values() if "uuid" in doc]
    assert len(uuids) == len(set(uuids))


def test_zip_holds_the_import_format_with_one_dataset_per_mart_used(files):
    archive = zipfile.ZipFile(io.BytesIO(to_zip(files)))
    names = archive.namelist()
    assert "emg_dashboards/metadata.yaml" in names
    assert yaml.safe_load(archive.read("emg_dashboards/metadata.yaml"))["type"] == "Dashboard"
    datasets = [name for name in names if "/datasets/" in name]
    tables = [yaml.safe_load(archive.read(name))["table_name"] for name in datasets]
    assert len(tables) == len(set(tables))
    assert {"kpi_scorecard", "bdr_weekly_performance", "metric_events", "dim_bdrs"} <= set(tables)


def test_dataset_columns_carry_the_dbt_descriptions(files, models):
    dataset = files["datasets/emg_warehouse/bdr_weekly_performance.yaml"]
    described = {column["column_name"]: column["description"] for column in dataset["columns"]}
    expected = models["bdr_weekly_performance"].column("calls_target").description
    assert described["calls_target"] == expected
    assert "weekly target" in expected
    # the BDR's name, joined in for the BDR filter, keeps dim_bdrs' description
    assert described["bdr_name"] == models["dim_bdrs"].column("bdr_name").description
    assert all(described.values()), [name for name, text in described.items() if not text]


def test_doc_blocks_are_resolved_in_descriptions(files):
    dataset = files["datasets/emg_warehouse/fct_agreements.yaml"]
    text = {c["column_name"]: c["description"] for c in dataset["columns"]}["category"]
    assert "{{" not in text and "dashboard filter" in text


def test_the_bundle_never_holds_the_readers_password(files):
    text = to_zip(files)
    database = files["databases/emg_warehouse.yaml"]
    assert ":XXXXXXXXXX@" in database["sqlalchemy_uri"]
    assert b"superset_reader:XXXXXXXXXX@" in zipfile.ZipFile(io.BytesIO(text)).read(
        "emg_dashboards/databases/emg_warehouse.yaml"
    )
    assert database["allow_dml"] is False


def test_every_dashboard_has_its_filters_scoped_by_column(spec, models, files):
    """Date range, BDR and category on every dashboard but data quality, whose snapshots of
    the build have no date range and no category (the BDR filter alone), and the BDR
    scorecard, whose targets are per BDR, not per category (date range and BDR)."""
    ids = bundle_chart_ids(spec)
    expected_filters = {slug: FILTER_KINDS for slug in SLUGS} | {
        "data-quality": ("bdr_name",),
        "bdr-scorecard": ("time", "bdr_name"),
        "history": ("time", "bdr_name"),
    }
    for board in spec.dashboards:
        filters = files[f"dashboards/{board.slug}.yaml"]["metadata"]["native_filter_configuration"]
        kinds = expected_filters[board.slug]
        assert [f["name"] for f in filters] == [FILTER_NAMES[kind][0] for kind in kinds]
        by_name = {f["name"]: f for f in filters}
        for kind in kinds:
            name = FILTER_NAMES[kind][0]
            expected = sorted(
                ids[c.key] for c in board.charts() if not filter_applies(kind, c, spec, models)
            )
            assert by_name[name]["scope"]["excluded"] == expected, (board.slug, name)
        assert by_name["BDR"]["controlValues"]["multiSelect"] is True


def test_bdr_filter_reaches_the_leaderboard_and_heatmap(spec, files):
    ids = bundle_chart_ids(spec)
    for slug, key in (
        ("bdr-leaderboard", "leaderboard_table"),
        ("activity-heatmap", "heatmap_weekday_hour"),
    ):
        filters = files[f"dashboards/{slug}.yaml"]["metadata"]["native_filter_configuration"]
        bdr = next(f for f in filters if f["name"] == "BDR")
        assert ids[key] not in bdr["scope"]["excluded"]
        assert ids[key] in bdr["chartsInScope"]


FILTER_WORDS = {"time": "date range", "bdr_name": "BDR", "category": "category filter"}


def test_every_chart_a_filter_does_not_reach_says_why(spec, models):
    """Date range, BDR and category reach every chart whose question has the dimension; a
    chart one of them does not reach names it in its description (and so, why)."""
    silent = [
        (chart.key, kind)
        for board in spec.dashboards
        for chart in board.charts()
        for kind, words in FILTER_WORDS.items()
        if kind in board.filters
        and not filter_applies(kind, chart, spec, models)
        and words not in (chart.description or "")
    ]
    assert silent == []


def test_every_filter_reaches_every_event_chart(spec, models):
    """Charts on metric_events (every event with its owner, category and local date) are
    reached by all three filters, but for a list of this week's or month's events, which sets
    the date range aside (time_column: none) and says so."""
    on_events = [
        c for board in spec.dashboards for c in board.charts() if c.dataset == "metric_events"
    ]
    assert len(on_events) >= 5
    for chart in on_events:
        for kind in FILTER_WORDS:
            if kind == "time" and chart.time_column == "none":
                assert "date range does not apply" in chart.description, chart.key
                continue
            assert filter_applies(kind, chart, spec, models), (chart.key, kind)


def test_event_metrics_are_generated_from_the_metric_catalogue(spec):
    catalogue = (REPO / "seeds" / "metric_catalogue.csv").read_text().splitlines()
    names = {line.split(",")[0] for line in catalogue[1:]}
    metrics = {m["name"]: m for m in spec.datasets["metric_events"].metrics}
    assert names | {"performance_index"} == set(metrics)
    assert metrics["calls_completed"]["sql"] == (
        "sum(metric_value) filter (where metric = 'calls_completed')"
    )


def test_charts_in_scope_follow_excluded_after_ids_are_remapped():
    position = {
        "CHART-a": {"type": "CHART", "meta": {"chartId": 41}},
        "CHART-b": {"type": "CHART", "meta": {"chartId": 42}},
        "CHART-c": {"type": "CHART", "meta": {"chartId": 43}},
    }
    # as Superset's importer leaves it: excluded remapped, chartsInScope still the bundle's ids
    metadata = {
        "native_filter_configuration": [
            {"id": "f", "scope": {"excluded": [42]}, "chartsInScope": [1, 3]},
        ]
    }
    fixed = charts_in_scope(metadata, position)
    assert fixed["native_filter_configuration"][0]["chartsInScope"] == [41, 43]
    assert metadata["native_filter_configuration"][0]["chartsInScope"] == [1, 3]  # not mutated


TRAFFIC_LIGHT_CHARTS = (
    "overview_kpi_scorecard",
    "leaderboard_table",
)
# The KPI cards (Handlebars): their template turns green and amber at the same ratios.
KPI_CARD_CHARTS = (
    "overview_kpi_calls_week",
    "overview_kpi_agreements_month",
    "overview_kpi_lists_month",
)


def thresholds(rules: list[dict]) -> tuple[float, float]:
    """(green, amber) of a chart's traffic-light rules, checked to be one pair throughout."""
    red, amber, green = rules
    assert red["targetValue"] == amber["targetValueLeft"]
    assert amber["targetValueRight"] == green["targetValue"]
    return green["targetValue"], red["targetValue"]


def card_thresholds(template: str) -> tuple[float, float]:
    """(green, amber) of a KPI card's template: the ratios its light turns at."""
    found = re.findall(r"\(gte attainment ([0-9.]+)\)", template)
    assert len(found) == 2, template
    return float(found[0]), float(found[1])


def test_kpi_cards_carry_value_target_light_and_comparison(files, spec):
    """Each card shows the count, the target to date and for the period, the light (in the
    lights' colours, no token left for Superset to show) and the change since last period."""
    expected = (spec.traffic_lights.green, spec.traffic_lights.amber)
    for key in KPI_CARD_CHARTS:
        chart = files[f"charts/{key}.yaml"]
        assert chart["viz_type"] == "handlebars"
        params = chart["params"]
        template = params["handlebarsTemplate"]
        assert card_thresholds(template) == expected, key
        assert not re.search(r"[A-Z]+_(RATIO|COLOR)", template), key
        for colour in (RED, AMBER, GREEN):
            assert f"color: {colour}" in template, key
        assert set(params["metrics"]) >= {
            "kpi_value", "target_to_date", "kpi_target", "attainment", "change_from_previous"
        }  # fmt: skip


def test_kpi_cards_and_leaderboard_carry_traffic_lights(files):
    ratios = dbt_vars(REPO / "dbt_project.yml")
    expected = (ratios["traffic_light_green_ratio"], ratios["traffic_light_amber_ratio"])
    for key in TRAFFIC_LIGHT_CHARTS:
        rules = files[f"charts/{key}.yaml"]["params"]["conditional_formatting"]
        assert [rule["colorScheme"] for rule in rules] == [RED, AMBER, GREEN]
        assert thresholds(rules) == expected
    assert files["charts/heatmap_weekday_hour.yaml"]["viz_type"] == "heatmap_v2"


def project_with_vars(tmp_path, **changes):
    """A copy of the project's superset/, models/ and seeds/ beside a dbt_project.yml whose
    vars are the repository's with `changes` (None: the var removed)."""
    for folder in ("superset", "models", "seeds"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text())
    for name, value in changes.items():
        if value is None:
            del project["vars"][name]
        else:
            project["vars"][name] = value
    (tmp_path / "dbt_project.yml").write_text(yaml.safe_dump(project))
    return tmp_path


def test_traffic_lights_follow_the_dbt_vars(tmp_path):
    """The charts turn green and amber at the ratios the marts' `status` uses: dbt_project.yml's
    vars, read when the bundle is built (no number of their own in the Python)."""
    project = project_with_vars(
        tmp_path, traffic_light_green_ratio=0.95, traffic_light_amber_ratio=0.6
    )
    files = build_from_project(project, URI)
    for key in TRAFFIC_LIGHT_CHARTS:
        rules = files[f"charts/{key}.yaml"]["params"]["conditional_formatting"]
        assert thresholds(rules) == (0.95, 0.6), key
    for key in KPI_CARD_CHARTS:
        template = files[f"charts/{key}.yaml"]["params"]["handlebarsTemplate"]
        assert card_thresholds(template) == (0.95, 0.6), key


def test_the_bundle_needs_the_traffic_light_vars(tmp_path):
    project = project_with_vars(tmp_path, traffic_light_amber_ratio=None)
    with pytest.raises(EmgError, match="traffic_light_amber_ratio"):
        build_from_project(project, URI)


# --- the data-quality dashboard ----------------------------------------------------------------


def test_data_quality_dashboard_reads_the_audit_views_in_schema_audit(spec, files):
    board = next(board for board in spec.dashboards if board.slug == "data-quality")
    assert board.title == "Data quality"
    read = {chart.dataset for chart in board.charts()}
    assert read == AUDIT_VIEWS
    for name in AUDIT_VIEWS:
        dataset = files[f"datasets/emg_warehouse/{name}.yaml"]
        assert dataset["schema"] == "audit", name
        assert dataset["main_dttm_col"] is None, name  # a snapshot: no date range
        if dataset["sql"]:  # the BDR's name joined from the marts
            assert f"from audit.{name} as m" in dataset["sql"]
            assert "left join marts.dim_bdrs as b" in dataset["sql"]
    marts = [doc for path, doc in files.items() if path.startswith("datasets/")]
    assert {doc["schema"] for doc in marts} == {"marts", "audit"}
    assert "data-quality" in {doc["slug"] for p, doc in files.items() if p.startswith("dash")}


def test_data_quality_columns_carry_the_audit_models_descriptions_and_types(files, models):
    dataset = files["datasets/emg_warehouse/source_freshness.yaml"]
    columns = {column["column_name"]: column for column in dataset["columns"]}
    status = models["source_freshness"].column("freshness_status").description
    assert columns["freshness_status"]["description"] == status and "warn_after" in status
    assert columns["hours_since_change"]["type"] == "NUMERIC"
    assert columns["newest_change_at"]["is_dttm"] is True
    backfill = files["datasets/emg_warehouse/leads_missing_milestone_dates.yaml"]
    described = {c["column_name"]: c["description"] for c in backfill["columns"]}
    assert all(described.values()), [name for name, text in described.items() if not text]
    assert "status change" in described["is_recovered"]


def test_data_quality_charts_say_what_to_do_and_that_they_are_snapshots(spec):
    board = next(board for board in spec.dashboards if board.slug == "data-quality")
    assert "snapshots of the last build" in board.description.lower()
    assert "no date range" in board.description.lower()
    for chart in board.charts():
        text = chart.description or ""
        assert "as of the last build" in text, chart.key
    keys = {chart.key for chart in board.charts()}
    assert {"quality_source_freshness", "quality_rejected_by_reason"} <= keys
    assert {"quality_leads_missing_dates", "quality_leads_to_backfill"} <= keys
    freshness = next(c for c in board.charts() if c.key == "quality_source_freshness")
    assert {"freshness_status", "hours_since_change", "warn_after_hours", "error_after_hours"} <= (
        set(freshness.params["all_columns"])
    )


def test_a_dataset_in_the_wrong_schema_is_named(spec, models):
    """A dataset says its schema; the bundle refuses one that the model's folder contradicts."""
    text = (REPO / "superset" / "datasets.yml").read_text()
    wrong = text.replace(
        "  - mart: source_freshness\n    schema: audit", "  - mart: source_freshness"
    )
    assert wrong != text
    broken = parse_spec(
        wrong,
        [],
        (REPO / "seeds" / "metric_catalogue.csv").read_text(),
        traffic_lights=spec.traffic_lights,
    )
    assert validate(broken, models) == [
        "dataset source_freshness: the model is in schema audit, not marts"
    ]


# --- saved query contexts ----------------------------------------------------------------------

EVENTS = DatasetSpec(mart="metric_events", time_column="occurred_date")
SNAPSHOT = DatasetSpec(mart="kpi_scorecard")
TIME_HOOK = {"col": "occurred_date", "op": "TEMPORAL_RANGE", "val": "No filter"}


def saved_context(viz: str, params: dict, dataset=EVENTS, where=()) -> dict:
    """The query context a chart of this viz type and params gets in the bundle."""
    chart = ChartSpec(
        key=f"test_{viz}",
        title="t",
        viz=viz,
        dataset=dataset.mart,
        width=4,
        height=30,
        params=params,
        where=tuple(where),
    )
    document = chart_config(chart, dataset, TrafficLightRatios(green=1.0, amber=0.8))
    context = json.loads(document["query_context"])
    assert context["form_data"] == document["params"]  # what the chart was saved with
    assert context["result_format"] == "json" and context["result_type"] == "full"
    return context


def test_every_chart_of_the_bundle_saves_a_query_context_for_superset_to_complete(files):
    """A JSON string (Superset's import format) without the datasource: the importer writes
    the id the chart's dataset has in the target instance."""
    charts = [doc for path, doc in files.items() if path.startswith("charts/")]
    assert len(charts) == sum(
        len(board.charts()) for board in load_spec(REPO / "superset").dashboards
    )
    for chart in charts:
        context = json.loads(chart["query_context"])
        assert "datasource" not in context and context["queries"], chart["slice_name"]
        assert context["form_data"]["viz_type"] == chart["viz_type"] in supported_viz_types()


def test_big_number_total_query_is_its_metric_under_the_charts_where_clauses():
    context = saved_context("big_number_total", {"metric": "attainment"}, SNAPSHOT, ["kpi = 'x'"])
    (query,) = context["queries"]
    assert query["metrics"] == ["attainment"] and query["columns"] == []
    assert query["extras"] == {"having": "", "where": "(kpi = 'x')"}
    assert query["filters"] == []  # a snapshot: no date-range hook
    assert "orderby" not in query and "row_limit" not in query


def test_a_where_clause_ending_in_a_comment_keeps_its_closing_parenthesis():
    context = saved_context("big_number_total", {"metric": "m"}, SNAPSHOT, ["a = 1 -- why", "b"])
    assert context["queries"][0]["extras"]["where"] == "(a = 1 -- why\n) AND (b)"


def test_aggregate_table_groups_and_orders_by_its_sort_metric():
    params = {
        "query_mode": "aggregate",
        "groupby": ["bdr_name"],
        "metrics": ["a", "b"],
        "all_columns": ["ignored"],
        "timeseries_limit_metric": "a",
        "order_desc": True,
        "row_limit": 50,
    }
    (query,) = saved_context("table", params)["queries"]
    assert query["columns"] == ["bdr_name"] and query["metrics"] == ["a", "b"]
    assert query["orderby"] == [["a", False]] and query["series_limit_metric"] == "a"
    assert query["row_limit"] == 50 and query["filters"] == [TIME_HOOK]
    assert query["post_processing"] == [] and query["time_offsets"] == []
    ascending = saved_context("table", {**params, "order_desc": False})["queries"][0]
    assert ascending["orderby"] == [["a", True]]
    # without a sort metric: the first metric, largest first
    unsorted = {**params, "timeseries_limit_metric": None}
    assert saved_context("table", unsorted)["queries"][0]["orderby"] == [["a", False]]


def test_aggregate_table_with_percent_metrics_and_totals_adds_them_as_the_ui_does():
    params = {
        "query_mode": "aggregate",
        "groupby": ["g"],
        "metrics": ["a"],
        "percent_metrics": ["b"],
        "show_totals": True,
    }
    query, totals = saved_context("table", params)["queries"]
    assert query["metrics"] == ["a", "b"]
    assert query["post_processing"] == [
        {"operation": "contribution", "options": {"columns": ["b"], "rename_columns": ["%b"]}}
    ]
    assert totals["columns"] == [] and totals["row_limit"] == 0 and "orderby" not in totals


def test_raw_table_selects_its_columns_in_order_without_metrics():
    params = {
        "query_mode": "raw",
        "all_columns": ["lead_id", "days_overdue"],
        "groupby": ["x"],
        "metrics": ["ignored"],
        "order_by_cols": ['["days_overdue", false]', '["lead_id", true]'],
        "row_limit": 1000,
    }
    (query,) = saved_context("table", params, where=["is_overdue"])["queries"]
    assert query["columns"] == ["lead_id", "days_overdue"] and "metrics" not in query
    assert query["orderby"] == [["days_overdue", False], ["lead_id", True]]
    assert query["extras"]["where"] == "(is_overdue)" and query["filters"] == [TIME_HOOK]


@pytest.mark.parametrize(
    "viz", ["echarts_timeseries_line", "echarts_timeseries_bar", "echarts_area"]
)
def test_time_series_query_pivots_one_metric_per_series_at_the_time_grain(viz):
    params = {
        "x_axis": "occurred_date",
        "time_grain_sqla": "P1W",
        "metrics": ["calls"],
        "groupby": ["category"],
    }
    (query,) = saved_context(viz, params)["queries"]
    axis = {
        "timeGrain": "P1W",
        "columnType": "BASE_AXIS",
        "sqlExpression": "occurred_date",
        "label": "occurred_date",
        "expressionType": "SQL",
        "isColumnReference": True,
    }
    assert query["columns"] == [axis, "category"] and query["series_columns"] == ["category"]
    assert query["extras"]["time_grain_sqla"] == "P1W" and query["filters"] == [TIME_HOOK]
    assert query["orderby"] == [["calls", False]] and query["row_limit"] == 10000  # the UI's
    assert "is_timeseries" not in query
    pivot, rename, flatten = query["post_processing"]
    assert pivot["options"] == {
        "index": ["occurred_date"],
        "columns": ["category"],
        "aggregates": {"calls": {"operator": "mean"}},
        "drop_missing_columns": False,
    }
    assert rename["options"]["columns"] == {"calls": None}  # columns named by series alone
    assert flatten == {"operation": "flatten"}


def test_time_series_with_several_metrics_or_a_category_axis_keeps_metric_names():
    params = {"x_axis": "category", "metrics": ["a", "b"], "groupby": []}
    (query,) = saved_context("echarts_timeseries_bar", params)["queries"]
    assert query["columns"][0]["sqlExpression"] == "category"
    assert "timeGrain" not in query["columns"][0] and "time_grain_sqla" not in query["extras"]
    assert [step["operation"] for step in query["post_processing"]] == ["pivot", "flatten"]


def test_heatmap_query_sorts_both_axes_and_ranks_the_metric():
    params = {
        "x_axis": "weekday",
        "groupby": "hour_of_day",
        "metric": "calls",
        "sort_x_axis": "alpha_asc",
        "sort_y_axis": "value_desc",
        "normalize_across": "y",
    }
    (query,) = saved_context("heatmap_v2", params)["queries"]
    assert (
        query["columns"][0]["sqlExpression"] == "weekday" and query["columns"][1] == "hour_of_day"
    )
    assert query["orderby"] == [["weekday", True]]  # value sorts happen in the browser
    assert query["post_processing"] == [
        {"operation": "rank", "options": {"metric": "calls", "group_by": "hour_of_day"}}
    ]


@pytest.mark.parametrize("viz", ["pie", "funnel"])
def test_pie_and_funnel_query_the_metric_per_group_largest_first(viz):
    (query,) = saved_context(viz, {"metric": "calls", "groupby": ["category"]})["queries"]
    assert query["columns"] == ["category"] and query["metrics"] == ["calls"]
    assert query["orderby"] == [["calls", False]] and query["row_limit"] > 0
    unsorted = saved_context(viz, {"metric": "calls", "groupby": ["c"], "sort_by_metric": False})
    assert "orderby" not in unsorted["queries"][0]


def test_pivot_table_groups_by_rows_and_columns_ordered_by_its_metric():
    params = {
        "groupbyRows": ["bdr_name"],
        "groupbyColumns": ["category"],
        "metrics": ["calls", "agreements"],
        "order_desc": False,
    }
    (query,) = saved_context("pivot_table_v2", params)["queries"]
    assert query["columns"] == ["category", "bdr_name"]
    assert query["orderby"] == [["calls", True]]


def test_handlebars_and_big_number_with_trendline():
    (query,) = saved_context("handlebars", {"groupby": ["g"], "metrics": ["m"]})["queries"]
    assert query["columns"] == ["g"] and query["orderby"] == [["m", False]]
    params = {"metric": "calls", "x_axis": "occurred_date", "time_grain_sqla": "P1D"}
    (trend,) = saved_context("big_number", params)["queries"]
    assert trend["columns"][0]["timeGrain"] == "P1D" and trend["metrics"] == ["calls"]
    assert [step["operation"] for step in trend["post_processing"]] == ["pivot", "flatten"]


def test_a_chart_of_an_unsupported_viz_type_fails_the_bundle_naming_it(spec, models):
    text = (REPO / "superset" / "dashboards" / "activity-heatmap.yml").read_text()
    broken = text.replace("viz: heatmap_v2", "viz: word_cloud")
    assert broken != text
    odd = parse_spec(
        (REPO / "superset" / "datasets.yml").read_text(),
        [broken],
        (REPO / "seeds" / "metric_catalogue.csv").read_text(),
        traffic_lights=spec.traffic_lights,
    )
    with pytest.raises(
        EmgError, match="chart heatmap_weekday_hour: no query context for viz type 'word_cloud'"
    ) as raised:
        build_files(odd, models, URI)
    assert "heatmap_v2" in str(raised.value)  # the message lists what is supported


def test_a_control_the_query_context_does_not_reproduce_fails_naming_it():
    params = {"x_axis": "occurred_date", "metrics": ["calls"], "time_compare": ["1 year ago"]}
    with pytest.raises(EmgError, match="chart test_echarts_timeseries_line: time_compare"):
        saved_context("echarts_timeseries_line", params)
    # the controls' "off" values are fine
    saved_context("echarts_timeseries_line", {**params, "time_compare": [], "rolling_type": "None"})
