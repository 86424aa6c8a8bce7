"""The dashboards in a real Chromium and their data through Superset's chart data API, checked
against direct SQL on the marts, with the BDR filter and CSV / Excel export."""

from __future__ import annotations

import copy
import csv
import html
import io
import json
import zipfile
from decimal import Decimal

import pytest
from conftest import REPO
from superset_fixtures import SLUGS, bdr_filter_query, render_dashboard

from emg.superset.spec import load_spec

KPI_CARDS = {
    "Calls completed this week": "calls_completed_this_week",
    "Agreements this month": "agreements_this_month",
    "Lists out this month": "lists_out_this_month",
}
LEADERBOARD_METRICS = (
    "performance_index",
    "calls_completed",
    "agreements",
    "lists_out",
    "sales",
    "revenue",
    "calls_target",
)


def _close(a, b, places: int = 4) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(Decimal(str(a)) - Decimal(str(b))) < Decimal(10) ** -places


@pytest.fixture(scope="module")
def chart_ids(superset_api) -> dict[str, int]:
    """Chart title -> id, over every dashboard."""
    return {
        chart["slice_name"]: chart["id"]
        for slug in SLUGS
        for chart in superset_api.dashboard_charts(slug)
    }


def _request(rendered, chart_id: int) -> dict:
    for render in rendered.values():
        if chart_id in render.requests:
            return render.requests[chart_id][0]
    raise AssertionError(f"no data request seen for chart {chart_id}")


def _data(rendered, chart_id: int) -> list[dict]:
    for render in rendered.values():
        if chart_id in render.requests:
            return render.requests[chart_id][2]["result"][0]["data"]
    raise AssertionError(f"no data seen for chart {chart_id}")


# --- in the browser ------------------------------------------------------------------------


def test_every_dashboard_renders_every_chart_without_error(rendered, superset_api):
    for slug, render in rendered.items():
        expected = {chart["id"] for chart in superset_api.dashboard_charts(slug)}
        assert set(render.chart_ids) == expected, slug
        assert render.errors == [], (slug, render.errors)
        assert render.screenshot.stat().st_size > 50_000, render.screenshot
    print({slug: f"{render.seconds:.1f}s" for slug, render in rendered.items()})


def test_bdr_filter_narrows_the_leaderboard_and_heatmap_to_that_bdr(
    rendered, browser_page, superset_server, chart_ids, db
):
    from conftest import query

    name = query(
        db,
        "select b.bdr_name from marts.call_heatmap as h join marts.dim_bdrs as b using (bdr_id) "
        "group by 1 order by sum(h.calls_completed) desc, 1 limit 1",
    )[0][0]
    filtered = {
        slug: render_dashboard(browser_page, superset_server, slug, bdr_filter_query([name]))
        for slug in ("bdr-leaderboard", "activity-heatmap")
    }
    assert filtered["bdr-leaderboard"].errors == [] and filtered["activity-heatmap"].errors == []

    leaderboard = filtered["bdr-leaderboard"].requests[chart_ids["BDR leaderboard"]][2]
    rows = leaderboard["result"][0]["data"]
    assert [row["bdr_name"] for row in rows] == [name]
    assert len(_data(rendered, chart_ids["BDR leaderboard"])) > 1  # unfiltered: every BDR

    heatmap_id = chart_ids["Completed calls by weekday and hour"]
    cells = filtered["activity-heatmap"].requests[heatmap_id][2]["result"][0]["data"]
    expected = query(
        db,
        "select h.iso_weekday, h.hour_of_day, sum(h.calls_completed) from marts.call_heatmap as h "
        "join marts.dim_bdrs as b using (bdr_id) where b.bdr_name = %s group by 1, 2",
        (name,),
    )
    assert sum(cell["calls_completed"] for cell in cells) == sum(row[2] for row in expected)
    assert len(cells) == len(expected)
    unfiltered = _data(rendered, heatmap_id)
    assert sum(c["calls_completed"] for c in unfiltered) > sum(c["calls_completed"] for c in cells)


def test_bdr_scorecard_shows_the_chosen_bdrs_figures(browser_page, superset_server, chart_ids, db):
    """The scorecard filtered to one BDR: the cards are their kpi_scorecard rows, the months
    chart their bdr_monthly_performance, the tables their overdue lists and upcoming calls,
    with leads named."""
    from conftest import query

    bdr_id, name = query(
        db,
        "select b.bdr_id, b.bdr_name from marts.fct_agreements as a "
        "join marts.dim_bdrs as b using (bdr_id) where a.is_overdue and b.is_active "
        "group by 1, 2 order by count(*) desc, 2 limit 1",
    )[0]
    query_string = bdr_filter_query([name])
    render = render_dashboard(browser_page, superset_server, "bdr-scorecard", query_string)
    assert render.errors == []

    def data(title):
        return render.requests[chart_ids[title]][2]["result"][0]["data"]

    (card,) = data("Their calls this week")
    (expected,) = query(
        db,
        "select kpi_value, kpi_target, previous_value from marts.kpi_scorecard "
        "where bdr_id = %s and kpi = 'calls_completed_this_week'",
        (bdr_id,),
    )
    assert (card["kpi_value"], card["kpi_target"], card["previous_value"]) == expected
    months = data("Their agreements and lists out per month vs target")
    expected_months = query(
        db,
        "select agreements, agreements_target, lists_out, lists_out_target "
        "from marts.bdr_monthly_performance where bdr_id = %s order by month_start",
        (bdr_id,),
    )
    shown = [
        (row["agreements"], row["agreements_target"], row["lists_out"], row["lists_out_target"])
        for row in sorted(months, key=lambda row: row["month_start"])
    ]
    assert shown == [tuple(row) for row in expected_months]
    overdue = data("Their overdue partner lists")
    expected_leads = query(
        db,
        "select l.lead_name, l.lead_url from marts.fct_agreements as a "
        "join marts.dim_leads as l using (lead_id) where a.is_overdue and a.bdr_id = %s",
        (bdr_id,),
    )
    links = [
        f'<a href="{url}" target="_blank">{html.escape(name, quote=False)}</a>'
        for name, url in expected_leads
    ]
    assert all(url for _, url in expected_leads)  # the default crm_lead_url gives every lead one
    assert sorted(row["lead_link"] for row in overdue) == sorted(links)
    assert overdue and {row["bdr_name"] for row in overdue} == {name}
    upcoming = data("Their upcoming calls")
    (count,) = query(
        db,
        "select count(*) from marts.fct_calls where call_status = 'upcoming' and bdr_id = %s",
        (bdr_id,),
    )[0]
    assert len(upcoming) == count and all("</a>" in row["lead_link"] for row in upcoming)


# --- the chart data API, as the UI sends it ------------------------------------------------


def test_every_chart_data_request_succeeds_when_replayed(rendered, superset_api):
    for render in rendered.values():
        for chart_id, (body, _, _) in render.requests.items():
            response = superset_api.post("/api/v1/chart/data", body)
            assert response.status_code == 200, (render.slug, chart_id, response.text[:300])
            results = response.json()["result"]
            assert all(not result.get("error") for result in results), (chart_id, results)


def test_kpi_cards_show_the_scorecards_team_figures(rendered, chart_ids, db):
    """Each card's data is the team row of kpi_scorecard: value, targets, attainment and the
    comparison with last period; the card shows the light the mart's `status` has."""
    from conftest import query

    for title, kpi in KPI_CARDS.items():
        (row,) = _data(rendered, chart_ids[title])
        (expected,) = query(
            db,
            """select kpi_value, target_to_date, kpi_target, attainment, previous_value,
                      change_from_previous, status
               from marts.kpi_scorecard where scope = 'team' and kpi = %s""",
            (kpi,),
        )
        names = ("kpi_value", "target_to_date", "kpi_target", "attainment", "previous_value")
        for name, value in zip(names + ("change_from_previous",), expected[:6], strict=True):
            assert _close(row[name], value), (title, name, row, expected)
    words = {"green": "on target", "amber": "close to target", "red": "behind target"}
    for title, kpi in KPI_CARDS.items():
        (status,) = query(
            db, "select status from marts.kpi_scorecard where scope = 'team' and kpi = %s", (kpi,)
        )[0]
        shown = rendered["overview"].texts[chart_ids[title]]
        assert words[status] in shown, (title, status, shown)


def test_kpi_scorecard_table_matches_the_mart(rendered, chart_ids, db):
    from conftest import query

    rows = _data(rendered, chart_ids["KPI scorecard"])
    expected = query(
        db,
        "select kpi_label, kpi_value, target_to_date, kpi_target, attainment "
        "from marts.kpi_scorecard where scope = 'team' order by kpi_order",
    )
    assert [row["kpi_label"] for row in rows] == [label for label, *_ in expected]
    for row, (_, value, to_date, target, attainment) in zip(rows, expected, strict=True):
        assert row["kpi_value"] == value
        assert _close(row["target_to_date"], to_date) and row["kpi_target"] == target
        assert _close(row["attainment"], attainment)


def test_leaderboard_matches_the_mart(rendered, chart_ids, db):
    from conftest import query

    rows = _data(rendered, chart_ids["BDR leaderboard"])
    sums = ", ".join(f"sum(p.{metric})" for metric in LEADERBOARD_METRICS)
    expected = query(
        db,
        f"select b.bdr_name, {sums} from marts.bdr_weekly_performance as p "
        "join marts.dim_bdrs as b using (bdr_id) group by 1 order by 2 desc",
    )
    assert len(rows) == len(expected)
    by_name = {row[0]: row[1:] for row in expected}
    for row in rows:
        for metric, value in zip(LEADERBOARD_METRICS, by_name[row["bdr_name"]], strict=True):
            assert _close(row[metric], value, 2), (row["bdr_name"], metric, row[metric], value)
    indexes = [row["performance_index"] for row in rows]
    assert indexes == sorted(indexes, reverse=True)


# --- export ------------------------------------------------------------------------------------


def _export(superset_api, rendered, chart_id: int, result_format: str):
    body = copy.deepcopy(_request(rendered, chart_id))
    body.update(result_format=result_format, result_type="full")
    response = superset_api.post("/api/v1/chart/data", body)
    assert response.status_code == 200, response.text[:300]
    return response


def test_csv_export_of_the_leaderboard_has_the_expected_header(superset_api, rendered, chart_ids):
    response = _export(superset_api, rendered, chart_ids["BDR leaderboard"], "csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    header = "BDR,Performance index,Calls,Agreements,Lists out,Sales,Revenue,Calls target"
    assert lines[0] == header + ",Calls vs target"
    assert len(lines) > 2


def test_xlsx_export_of_the_heatmap_is_a_workbook_with_the_expected_header(
    superset_api, rendered, chart_ids
):
    response = _export(
        superset_api, rendered, chart_ids["Completed calls by weekday and hour"], "xlsx"
    )
    assert response.content[:2] == b"PK" and len(response.content) > 1000
    workbook = zipfile.ZipFile(io.BytesIO(response.content))
    strings = workbook.read("xl/sharedStrings.xml").decode()
    for header in ("Weekday", "Hour of day", "Calls completed"):  # the catalogue's label
        assert f">{header}<" in strings, header
    sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") > 10


def test_conversion_rates_match_the_marts_team_rows(rendered, chart_ids, db):
    from conftest import query

    rows = _data(rendered, chart_ids["Conversion rates by cohort month"])
    expected = query(
        db,
        "select call_to_proposal_rate, proposal_to_agreement_rate, list_to_sale_rate "
        "from marts.conversion_rates_monthly where scope = 'team' order by cohort_month",
    )
    assert len(rows) == len(expected)
    names = ("call_to_proposal_rate", "proposal_to_agreement_rate", "list_to_sale_rate")
    for row, rates in zip(rows, expected, strict=True):
        for name, rate in zip(names, rates, strict=True):
            assert _close(row[name], rate), (row, rates)


# --- history -----------------------------------------------------------------------------------


def test_history_draws_the_daily_marts_team_rows_ending_at_the_as_of_marts(rendered, chart_ids, db):
    """History's lines are monthly_forecast_daily's and pipeline_health_daily's team figures,
    one point per day of the 90; the last day's are monthly_forecast's and pipeline_health's.
    The months that ended have what they ended at, the running month none."""
    from conftest import query

    rows = _data(rendered, chart_ids["Agreements, the month-end forecast day by day"])
    expected = query(
        db,
        "select forecast, actual_to_date, month_target, month_actual "
        "from marts.monthly_forecast_daily where scope = 'team' and metric = 'agreements' "
        "order by as_of_date",
    )
    assert len(rows) == len(expected) == 90
    names = ("forecast", "actual_to_date", "month_target", "month_actual")
    for row, figures in zip(rows, expected, strict=True):
        for name, figure in zip(names, figures, strict=True):
            assert _close(row[name], figure), (row, figures)
    [(forecast,)] = query(
        db,
        "select forecast from marts.monthly_forecast where scope = 'team' "
        "and metric = 'agreements'",
    )
    assert _close(rows[-1]["forecast"], forecast)
    assert rows[0]["month_actual"] is not None and rows[-1]["month_actual"] is None

    rows = _data(rendered, chart_ids["Outstanding proposals and partner lists, day by day"])
    names = ("outstanding_proposals", "overdue_partner_lists", "partner_lists_due_next_7_days")
    expected = query(
        db, f"select {', '.join(names)} from marts.pipeline_health_daily order by as_of_date"
    )
    assert len(rows) == len(expected) == 90
    for row, figures in zip(rows, expected, strict=True):
        assert tuple(row[name] for name in names) == figures, (row, figures)
    [now] = query(db, f"select {', '.join(names)} from marts.pipeline_health")
    assert tuple(rows[-1][name] for name in names) == now


# --- data quality ------------------------------------------------------------------------------


def test_data_quality_freshness_table_matches_the_audit_view_worst_first(rendered, chart_ids, db):
    from conftest import query

    rows = _data(rendered, chart_ids["Source freshness"])
    expected = query(
        db,
        "select source_table, freshness_status, hours_since_change, warn_after_hours, "
        "error_after_hours from audit.source_freshness",
    )
    assert len(rows) == len(expected) == 6
    by_table = {row[0]: row[1:] for row in expected}
    for row in rows:
        status, hours, warn, error = by_table[row["source_table"]]
        assert row["freshness_status"] == status, row
        assert _close(row["hours_since_change"], hours, 1)
        assert _close(row["warn_after_hours"], warn) and _close(row["error_after_hours"], error)
    order = ["error", "warn", "not measured", "no threshold", "pass"]
    ranks = [order.index(row["freshness_status"]) for row in rows]
    assert ranks == sorted(ranks)


def test_data_quality_lists_the_leads_the_crm_must_backfill(
    rendered, browser_page, superset_server, chart_ids, db
):
    from conftest import query

    rows = _data(rendered, chart_ids["Milestone dates the CRM must backfill"])
    expected = query(
        db,
        "select lead_id, missing_column, is_recovered from audit.leads_missing_milestone_dates",
    )
    assert expected, "the default data has leads to backfill"
    recovered = {"recovered from a status change": True, "missing from the marts": False}
    seen = sorted(
        (row["lead_id"], row["missing_column"], recovered[row["recovery"]]) for row in rows
    )
    assert seen == sorted(expected)
    (card,) = _data(rendered, chart_ids["Leads the CRM must backfill"])
    assert card["leads_to_backfill"] == len({lead for lead, _, _ in expected})

    # the BDR filter narrows the table to that BDR's leads
    name, leads = query(
        db,
        "select b.bdr_name, count(*) from audit.leads_missing_milestone_dates as m "
        "join marts.dim_bdrs as b using (bdr_id) group by 1 order by 2 desc, 1 limit 1",
    )[0]
    filtered = render_dashboard(
        browser_page, superset_server, "data-quality", bdr_filter_query([name])
    )
    assert filtered.errors == []
    table = filtered.requests[chart_ids["Milestone dates the CRM must backfill"]][2]
    narrowed = table["result"][0]["data"]
    assert len(narrowed) == leads and {row["bdr_name"] for row in narrowed} == {name}


# --- every chart's saved query context: GET /api/v1/chart/<id>/data/ ---------------------------


def _saved(superset_api, chart_id: int, **params):
    """GET /api/v1/chart/<id>/data/: the chart's data by its saved query context."""
    return superset_api.session.get(
        superset_api.url(f"/api/v1/chart/{chart_id}/data/"), params=params, timeout=120
    )


def _rows(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)


def test_every_charts_saved_query_answers_with_what_its_dashboard_shows(rendered, superset_api):
    """Ground truth: the request the dashboard itself sent for each chart (captured in the
    browser). The saved query context gives the same columns and the same rows."""
    checked = 0
    for render in rendered.values():
        for chart_id in render.chart_ids:
            _, _, shown = render.requests[chart_id]
            response = _saved(superset_api, chart_id)
            assert response.status_code == 200, (render.slug, chart_id, response.text[:300])
            saved = response.json()["result"]
            assert len(saved) == len(shown["result"]), (render.slug, chart_id)
            for mine, theirs in zip(saved, shown["result"], strict=True):
                assert not mine.get("error"), (render.slug, chart_id, mine["error"])
                assert mine["colnames"] == theirs["colnames"], (render.slug, chart_id)
                assert mine["rowcount"] == theirs["rowcount"], (render.slug, chart_id)
                assert _rows(mine["data"]) == _rows(theirs["data"]), (render.slug, chart_id)
            checked += 1
    assert checked == sum(len(board.charts()) for board in load_spec(REPO / "superset").dashboards)


def test_every_charts_saved_query_exports_csv(rendered, superset_api):
    for render in rendered.values():
        for chart_id in render.chart_ids:
            response = _saved(superset_api, chart_id, format="csv")
            assert response.status_code == 200, (render.slug, chart_id, response.text[:300])
            assert response.headers["content-type"].startswith("text/csv")
            lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
            (shown,) = render.requests[chart_id][2]["result"]
            assert len(lines) == shown["rowcount"] + 1, (render.slug, chart_id)  # and a header


# An independent reading of each chart: the dataset's model in SQL of the test's own (the BDR's
# and the lead's names joined as spec.JOINS says, the calculated columns), the chart's WHERE
# clauses, the spec's metric SQL, grouped as the viz type groups. Compared: the row count and a
# figure per chart.
GRAINS = {"P1D": "day", "P1W": "week", "P1M": "month", "P1Y": "year"}
TEMPORAL = ("date", "timestamp")


def _source(dataset, models) -> str:
    model = models[dataset.mart]
    select, join = ["m.*"], ""
    if dataset.bdr_name and "bdr_name" not in {c.name for c in model.columns}:
        select.append("b.bdr_name")
        join = "left join marts.dim_bdrs as b on b.bdr_id = m.bdr_id"
    if dataset.lead_name and "lead_name" not in {c.name for c in model.columns}:
        select += ["l.lead_name", "l.lead_url"]
        join += " left join marts.dim_leads as l on l.lead_id = m.lead_id"
    select += [f"({c['sql']}) as {c['name']}" for c in dataset.calculated_columns]
    source = f"{dataset.schema}.{dataset.mart} as m {join}"
    return f"(select {', '.join(select)} from {source}) as src"


def _where(chart) -> str:
    return " and ".join(f"({clause})" for clause in chart.where) or "true"


def _is_temporal(dataset, models, column: str) -> bool:
    for calculated in dataset.calculated_columns:
        if calculated["name"] == column:
            return calculated.get("type", "TEXT").lower().startswith(TEMPORAL)
    if column in ("bdr_name", "lead_name", "lead_url", "lead_link"):
        return False
    return models[dataset.mart].column(column).data_type.lower().startswith(TEMPORAL)


def _value(value):
    """A cell as both sides can agree on it: text as it is, a number to 4 places."""
    if value is None or isinstance(value, str | bool):
        return value
    return round(Decimal(str(value)), 4)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _check_against_sql(chart, dataset, models, db, rows: list[dict]) -> None:
    from conftest import query

    params = chart.params
    metric_sql = {metric["name"]: metric["sql"] for metric in dataset.metrics}
    source, where = _source(dataset, models), _where(chart)
    limit = int(params.get("row_limit") or 10**9)
    viz = chart.viz
    if viz == "big_number_total":
        (expected,) = query(
            db, f"select {metric_sql[params['metric']]} from {source} where {where}"
        )
        (row,) = rows
        assert _close(row[params["metric"]], expected[0]), (chart.key, row, expected)
    elif viz in ("echarts_timeseries_line", "echarts_timeseries_bar", "echarts_area", "big_number"):
        x_axis, grain = params["x_axis"], GRAINS.get(params.get("time_grain_sqla"))
        x_sql = f"date_trunc('{grain}', {x_axis})" if grain else x_axis
        groups = _as_list(params.get("groupby"))
        metrics = _as_list(params.get("metrics") or params.get("metric"))
        values = ", ".join(f"{metric_sql[m]}" for m in metrics)
        grouped = query(
            db,
            f"select {x_sql}, {values} from {source} where {where} "
            f"group by {', '.join(['1', *groups])}",
        )
        assert len(rows) == len({row[0] for row in grouped}), chart.key  # one row per x value
        total = sum(Decimal(str(v)) for row in grouped for v in row[1:] if v is not None)
        shown = sum(
            Decimal(str(v)) for row in rows for k, v in row.items() if k != x_axis and v is not None
        )
        assert abs(shown - total) < Decimal("0.01"), (chart.key, shown, total)
    elif viz == "heatmap_v2":
        x_axis, y_axis, metric = params["x_axis"], params["groupby"], params["metric"]
        grouped = query(
            db,
            f"select {x_axis}, {y_axis}, {metric_sql[metric]} from {source} where {where} "
            "group by 1, 2",
        )
        assert len(rows) == min(len(grouped), limit), chart.key
        expected = {(x, y): value for x, y, value in grouped}
        for row in rows:
            assert _close(row[metric], expected[(row[x_axis], row[y_axis])]), (chart.key, row)
    elif params.get("query_mode") == "raw":
        columns = params["all_columns"]
        # the first plain column (lead_link, HTML, is checked by the scorecard's test)
        column = next(
            c for c in columns if c != "lead_link" and not _is_temporal(dataset, models, c)
        )
        expected = query(db, f"select {column} from {source} where {where}")
        assert len(rows) == min(len(expected), limit), chart.key
        if len(expected) <= limit:
            shown = sorted(str(_value(row[column])) for row in rows)
            assert shown == sorted(str(_value(value)) for (value,) in expected), chart.key
    elif viz in ("table", "pie", "funnel", "pivot_table_v2", "handlebars"):
        groups = _as_list(params.get("groupby")) or (
            _as_list(params.get("groupbyColumns")) + _as_list(params.get("groupbyRows"))
        )
        metric = _as_list(params.get("metrics") or params.get("metric"))[0]
        keys = ", ".join(groups)
        grouped = query(  # no groups (a KPI card): one row for the whole dataset
            db,
            f"select {keys + ', ' if groups else ''}{metric_sql[metric]} from {source} "
            f"where {where}" + (f" group by {keys}" if groups else ""),
        )
        assert len(rows) == min(len(grouped), limit), chart.key
        expected = {tuple(row[:-1]): row[-1] for row in grouped}
        for row in rows:
            key = tuple(row[group] for group in groups)
            assert _close(row[metric], expected[key], 2), (chart.key, row, expected[key])
    else:
        raise AssertionError(f"chart {chart.key}: no SQL reading for viz type {viz}; add one")


def test_every_charts_saved_query_matches_its_mart_in_sql(superset_server, superset_api, db):
    """For every chart of every dashboard (new charts included): GET /api/v1/chart/<id>/data/
    against the dataset's model read in SQL with the chart's WHERE clauses."""
    from emg.superset.docs import read_dataset_models

    spec, models = load_spec(REPO / "superset"), read_dataset_models(REPO / "models")
    checked: list[str] = []
    for board in spec.dashboards:
        ids = {c["slice_name"]: c["id"] for c in superset_api.dashboard_charts(board.slug)}
        for chart in board.charts():
            response = _saved(superset_api, ids[chart.title])
            assert response.status_code == 200, (chart.key, response.text[:300])
            rows = response.json()["result"][0]["data"]
            _check_against_sql(chart, spec.datasets[chart.dataset], models, db, rows)
            checked.append(chart.viz)
    print(f"checked against SQL: {sorted(set(checked))}")


# Every viz type the query contexts are built for, on metric_events, whether or not a dashboard
# uses it yet: what a chart of that type would save.
EVERY_VIZ = {
    "big_number_total": {"metric": "calls_completed"},
    "big_number": {
        "metric": "calls_completed", "x_axis": "occurred_date", "time_grain_sqla": "P1W",
    },
    "table": {"query_mode": "aggregate", "groupby": ["category"], "metrics": ["calls_completed"]},
    "echarts_timeseries_line": {
        "x_axis": "occurred_date", "time_grain_sqla": "P1M", "metrics": ["calls_completed"],
    },
    "echarts_timeseries_bar": {"x_axis": "bdr_name", "metrics": ["calls_completed"]},
    "echarts_area": {
        "x_axis": "occurred_date", "time_grain_sqla": "P1W", "metrics": ["calls_completed"],
        "groupby": ["category"],
    },
    "heatmap_v2": {"x_axis": "weekday", "groupby": "hour_of_day", "metric": "calls_completed"},
    "pie": {"metric": "calls_completed", "groupby": ["category"]},
    "funnel": {"metric": "calls_completed", "groupby": ["bdr_name"]},
    "pivot_table_v2": {
        "groupbyRows": ["bdr_name"], "groupbyColumns": ["category"], "metrics": ["calls_completed"],
    },
    "handlebars": {"groupby": ["category"], "metrics": ["calls_completed"]},
}  # fmt: skip


def test_every_supported_viz_types_query_context_is_answered_right(
    superset_server, superset_api, db
):
    """Charts of the viz types no dashboard uses yet, too: their saved query context, posted to
    /api/v1/chart/data as Superset would run it, against metric_events read in SQL."""
    from emg.project_vars import TrafficLightRatios
    from emg.superset.dashboards import chart_config
    from emg.superset.docs import read_dataset_models
    from emg.superset.query_context import supported_viz_types
    from emg.superset.spec import ChartSpec

    assert sorted(EVERY_VIZ) == supported_viz_types()
    spec, models = load_spec(REPO / "superset"), read_dataset_models(REPO / "models")
    dataset = spec.datasets["metric_events"]
    (dataset_id,) = [
        row["id"]
        for row in superset_api.list_all("dataset", ["id", "table_name"])
        if row["table_name"] == "metric_events"
    ]
    for viz, params in EVERY_VIZ.items():
        chart = ChartSpec(
            key=f"every_{viz}", title=viz, viz=viz, dataset="metric_events", width=4, height=30,
            params=params, where=("metric = 'calls_completed'",),
        )  # fmt: skip
        document = chart_config(chart, dataset, TrafficLightRatios(green=1.0, amber=0.8))
        context = json.loads(document["query_context"])
        context["datasource"] = {"id": dataset_id, "type": "table"}  # as the importer does
        context["form_data"]["datasource"] = f"{dataset_id}__table"
        response = superset_api.post("/api/v1/chart/data", context)
        assert response.status_code == 200, (viz, response.text[:300])
        result = response.json()["result"][0]
        assert not result.get("error") and result["rowcount"] > 0, (viz, result.get("error"))
        _check_against_sql(chart, dataset, models, db, result["data"])
