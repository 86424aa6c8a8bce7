"""Each chart's saved query context (pure): the body Superset's frontend posts to
`/api/v1/chart/data` for the chart's form data, saved with the chart so that
`GET /api/v1/chart/<id>/data/` (Alerts & Reports, any program reading a chart) answers with the
data the dashboard shows.

The frontend builds that body in TypeScript, one `buildQuery` per viz type on top of a shared
`buildQueryObject`; this module does the same in Python for the viz types the dashboards use:
the shared part (`base_query`: WHERE and HAVING clauses, the TEMPORAL_RANGE hook, metrics,
columns, order, row limit) and one function per viz type (`BUILDERS`). The form data is the
chart's params with the control defaults the frontend fills in where the spec is silent
(`DEFAULTS`). A viz type without a builder, or a control that would change the query in a way
not reproduced here (time comparison, rolling windows, ...), fails the bundle with the chart's
name: a chart must never be saved with a query that differs from what it shows.

The datasource is left out: Superset's importer writes the dataset's id in the target instance
into the query context (`datasource`, `form_data.datasource`) from the chart's `dataset_uuid`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from emg.errors import EmgError

# Controls the frontend sends with a default when the form data has none, per viz type: only
# those that shape the query.
_TIMESERIES_DEFAULTS = {
    "groupby": [],
    "row_limit": 10000,
    "order_desc": True,
    "truncate_metric": True,
    "show_empty_columns": True,
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "big_number_total": {},
    "big_number": {},
    "table": {"order_desc": True, "row_limit": 10000},
    "echarts_timeseries_bar": _TIMESERIES_DEFAULTS,
    "echarts_timeseries_line": _TIMESERIES_DEFAULTS,
    "echarts_area": _TIMESERIES_DEFAULTS,
    "heatmap_v2": {
        "row_limit": 10000,
        "sort_x_axis": "alpha_asc",
        "sort_y_axis": "alpha_asc",
        "normalize_across": "heatmap",
    },
    "pie": {"row_limit": 100, "sort_by_metric": True},
    "funnel": {"row_limit": 10, "sort_by_metric": True},
    "pivot_table_v2": {"row_limit": 10000, "order_desc": True},
    "handlebars": {"row_limit": 1000, "order_desc": True},
}
# Controls whose effect on the query (extra queries, post-processing, offsets) is not built
# here; a chart that sets one fails the bundle rather than save a different query.
UNSUPPORTED_CONTROLS = {
    "time_compare": "time comparison",
    "rolling_type": "rolling window",
    "resample_rule": "resampling",
    "contributionMode": "contribution mode",
    "forecastEnabled": "forecast",
    "server_pagination": "server pagination",
    "annotation_layers": "annotation layers",
}
# Operators of a simple adhoc filter that take no value.
_UNARY = {"IS NULL", "IS NOT NULL", "IS TRUE", "IS FALSE"}


class QueryContextError(EmgError):
    """A chart whose query context cannot be built; the message names the chart and what to
    do (`emg superset import` prints it as one line)."""


def query_context(key: str, form_data: dict) -> dict:
    """The query context of the chart `key` (its name in messages) with this form data."""
    viz = form_data.get("viz_type")
    build = BUILDERS.get(viz)
    if build is None:
        raise QueryContextError(
            f"chart {key}: no query context for viz type {viz!r} (supported: "
            f"{', '.join(sorted(BUILDERS))}); add its builder to emg/superset/query_context.py"
        )
    form = {**copy.deepcopy(DEFAULTS[viz]), **copy.deepcopy(form_data)}
    for control, what in UNSUPPORTED_CONTROLS.items():
        if _is_set(form.get(control)):
            raise QueryContextError(
                f"chart {key}: {control} ({what}) is not reproduced in the saved query "
                "context; remove it or extend emg/superset/query_context.py"
            )
    return {
        "force": False,
        "queries": build(key, form),
        "form_data": form_data,
        "result_format": "json",
        "result_type": "full",
    }


def query_context_json(key: str, form_data: dict) -> str:
    """As Superset stores it (and its import format wants it): a JSON string."""
    return json.dumps(query_context(key, form_data), sort_keys=True)


def supported_viz_types() -> list[str]:
    return sorted(BUILDERS)


# --- the shared query object (buildQueryObject) ------------------------------------------------


def base_query(form: dict) -> dict:
    """What every viz type's query starts from: filters, extras, metrics, columns, order."""
    mode = form.get("query_mode")
    columns, metrics, orderby = _query_fields(form, mode)
    filters, where, having = _split_filters(form.get("adhoc_filters") or [])
    extras: dict[str, Any] = {}
    if form.get("time_grain_sqla"):
        extras["time_grain_sqla"] = form["time_grain_sqla"]
    extras.update(having=having, where=where)
    query: dict[str, Any] = {
        "filters": filters,
        "extras": extras,
        "applied_time_extras": {},
        "columns": columns,
        "annotation_layers": [],
        "series_limit": int(form.get("series_limit") or 0),
        "group_others_when_limit_reached": bool(form.get("group_others_when_limit_reached")),
        "order_desc": form.get("order_desc", True),
        "url_params": form.get("url_params") or {},
        "custom_params": {},
        "custom_form_data": {},
    }
    if metrics is not None:
        query["metrics"] = metrics
    if orderby is not None:
        query["orderby"] = orderby
    if form.get("row_limit") is not None:
        query["row_limit"] = int(form["row_limit"])
    for name in ("time_range", "granularity"):
        if form.get(name):
            query[name] = form[name]
    limit_metric = form.get("series_limit_metric") or form.get("timeseries_limit_metric")
    if limit_metric:
        query["series_limit_metric"] = limit_metric
    return query


def _query_fields(form: dict, mode: str | None) -> tuple[list, list | None, list | None]:
    """Columns, metrics and order from the controls that hold them (extractQueryFields): in
    aggregate mode `all_columns` is ignored, in raw mode `groupby` and the metrics."""
    columns: list = []
    metrics: list = []
    orderby: list = []
    for key, value in form.items():
        if value is None:
            continue
        if key in ("metric", "metrics", "metric_2", "secondary_metric", "x", "y", "size"):
            if mode != "raw":
                metrics += _as_list(value)
        elif key in ("groupby", "columns", "series", "all_columns"):
            kind = "raw" if key in ("columns", "all_columns") else "aggregate"
            if mode is None or mode == kind:
                columns += _as_list(value)
        elif key == "order_by_cols":
            orderby += [json.loads(item) if isinstance(item, str) else item for item in value]
    return (
        _unique([column for column in columns if column != ""]),
        None if mode == "raw" else _unique(metrics),
        orderby or None,
    )


def _split_filters(adhoc: list[dict]) -> tuple[list[dict], str, str]:
    """Simple WHERE filters as {col, op, val}; SQL ones as the WHERE and HAVING texts."""
    simple: list[dict] = []
    where: list[str] = []
    having: list[str] = []
    for item in adhoc:
        if item.get("expressionType") == "SIMPLE":
            if item.get("clause", "WHERE") == "WHERE":
                clause = {"col": item["subject"], "op": item["operator"]}
                if item["operator"] not in _UNARY:
                    clause["val"] = item.get("comparator")
                simple.append(clause)
        else:
            target = where if item.get("clause", "WHERE") == "WHERE" else having
            target.append(item["sqlExpression"])
    return simple, _and(where), _and(having)


def _and(clauses: list[str]) -> str:
    # a trailing comment would swallow the closing parenthesis: the frontend adds a newline
    return " AND ".join(f"({clause}\n)" if "--" in clause else f"({clause})" for clause in clauses)


def _axis_column(form: dict, query: dict) -> dict:
    """The x-axis as the frontend sends it (normalizeTimeColumn): an adhoc column marked as the
    base axis, truncated to the time grain when there is one."""
    column: dict[str, Any] = {}
    if query["extras"].get("time_grain_sqla"):
        column["timeGrain"] = query["extras"]["time_grain_sqla"]
    column.update(
        columnType="BASE_AXIS",
        sqlExpression=form["x_axis"],
        label=form["x_axis"],
        expressionType="SQL",
        isColumnReference=True,
    )
    return column


def _with_axis(form: dict, query: dict) -> dict:
    """Replace the x-axis column by its base-axis form (for charts with `x_axis`)."""
    if not form.get("x_axis"):
        return query
    query["columns"] = [
        _axis_column(form, query) if column == form["x_axis"] else column
        for column in query["columns"]
    ]
    query.pop("is_timeseries", None)
    return query


def _default_order(query: dict) -> list:
    """normalizeOrderBy: the order set, else the series-limit metric, else the first metric."""
    if query.get("orderby"):
        return query["orderby"]
    ascending = not query["order_desc"]
    if query.get("series_limit_metric"):
        return [[query["series_limit_metric"], ascending]]
    if query.get("metrics"):
        return [[query["metrics"][0], ascending]]
    return []


# --- one builder per viz type (each plugin's buildQuery) ---------------------------------------


def _big_number_total(key: str, form: dict) -> list[dict]:
    return [base_query(form)]


def _big_number(key: str, form: dict) -> list[dict]:
    """The trendline: the metric per time grain along the x-axis."""
    if not form.get("x_axis"):
        raise QueryContextError(f"chart {key}: big_number needs x_axis (the trendline's time)")
    query = base_query(form)
    query["columns"] = [form["x_axis"]]
    query["post_processing"] = [_pivot(form, query["metrics"], []), {"operation": "flatten"}]
    return [_with_axis(form, query)]


def _table(key: str, form: dict) -> list[dict]:
    mode = form.get("query_mode") or ("raw" if form.get("all_columns") else "aggregate")
    form = {**form, "query_mode": mode}
    query = base_query(form)
    post: list[dict] = []
    if mode == "aggregate":
        if form.get("time_grain_sqla"):
            raise QueryContextError(
                f"chart {key}: a table's time grain (time_grain_sqla) is not built here"
            )
        metrics = query.get("metrics") or []
        sort_metric = _as_list(form.get("timeseries_limit_metric"))[:1]
        if sort_metric:
            query["orderby"] = [[sort_metric[0], not form.get("order_desc", False)]]
        elif metrics:
            query["orderby"] = [[metrics[0], False]]
        percent = _as_list(form.get("percent_metrics"))
        if percent:
            query["metrics"] = _unique(metrics + percent)
            post.append(
                {
                    "operation": "contribution",
                    "options": {"columns": percent, "rename_columns": [f"%{m}" for m in percent]},
                }
            )
    query.update(post_processing=post, time_offsets=[])
    queries = [query]
    if mode == "aggregate" and query.get("metrics") and form.get("show_totals"):
        totals = {**query, "columns": [], "row_limit": 0, "row_offset": 0, "post_processing": []}
        totals.pop("orderby", None)
        totals.pop("order_desc", None)
        queries.append(totals)
    return queries


def _timeseries(key: str, form: dict) -> list[dict]:
    """Line, bar and area charts: the metrics by x-axis (and series), pivoted to one row per
    x-axis value with one column per metric and series."""
    if not form.get("x_axis"):
        raise QueryContextError(f"chart {key}: a time-series chart needs x_axis")
    query = base_query(form)
    groupby = _as_list(form.get("groupby"))
    metrics = query.get("metrics") or []
    query.update(
        columns=[form["x_axis"], *groupby],
        series_columns=groupby,
        orderby=_default_order(query),
        time_offsets=[],
    )
    post = [_pivot(form, metrics, groupby)]
    if metrics and groupby and form.get("truncate_metric") and len(metrics) == 1:
        # one metric split by series: the columns are named after the series alone
        post.append(
            {
                "operation": "rename",
                "options": {"columns": {metrics[0]: None}, "level": 0, "inplace": True},
            }
        )
    post.append({"operation": "flatten"})
    query["post_processing"] = post
    return [_with_axis(form, query)]


def _pivot(form: dict, metrics: list, series: list) -> dict:
    return {
        "operation": "pivot",
        "options": {
            "index": [form["x_axis"]],
            "columns": series,
            "aggregates": {metric: {"operator": "mean"} for metric in metrics},
            "drop_missing_columns": not form.get("show_empty_columns", True),
        },
    }


def _heatmap(key: str, form: dict) -> list[dict]:
    query = base_query(form)
    columns = [form["x_axis"], *_as_list(form.get("groupby"))]
    orderby = []
    for index, sort in enumerate((form.get("sort_x_axis"), form.get("sort_y_axis"))):
        if sort and "value" not in sort and index < len(columns):
            orderby.append([columns[index], "asc" in sort])
    options: dict[str, Any] = {"metric": form["metric"]}
    across = form.get("normalize_across")
    if across in ("x", "y"):
        options["group_by"] = columns[0] if across == "x" else columns[1]
    query.update(columns=columns, orderby=orderby)
    query["post_processing"] = [{"operation": "rank", "options": options}]
    return [_with_axis(form, query)]


def _sorted_by_metric(key: str, form: dict) -> list[dict]:
    """Pie and funnel: the metric per group, the largest first when sort_by_metric."""
    query = base_query(form)
    if form.get("sort_by_metric") and form.get("metric"):
        query["orderby"] = [[form["metric"], False]]
    return [query]


def _pivot_table(key: str, form: dict) -> list[dict]:
    if form.get("time_grain_sqla"):
        raise QueryContextError(
            f"chart {key}: a pivot table's time grain (time_grain_sqla) is not built here"
        )
    query = base_query(form)
    query["columns"] = _unique(
        _as_list(form.get("groupbyColumns")) + _as_list(form.get("groupbyRows"))
    )
    order = _default_order({**query, "orderby": None})
    if order:
        query["orderby"] = order
    else:
        query.pop("orderby", None)
    return [query]


def _handlebars(key: str, form: dict) -> list[dict]:
    query = base_query(form)
    order = _default_order(query)
    if order:
        query["orderby"] = order
    return [query]


BUILDERS: dict[str, Callable[[str, dict], list[dict]]] = {
    "big_number_total": _big_number_total,
    "big_number": _big_number,
    "table": _table,
    "echarts_timeseries_bar": _timeseries,
    "echarts_timeseries_line": _timeseries,
    "echarts_area": _timeseries,
    "heatmap_v2": _heatmap,
    "pie": _sorted_by_metric,
    "funnel": _sorted_by_metric,
    "pivot_table_v2": _pivot_table,
    "handlebars": _handlebars,
}


# --- helpers -----------------------------------------------------------------------------------


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _unique(items: list) -> list:
    seen: list = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _is_set(value: Any) -> bool:
    """Whether a control is set to something that changes the query."""
    return value not in (None, False, "", [], {}, "None", "null")
