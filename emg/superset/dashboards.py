"""Superset's charts and dashboards (pure): each chart's form data (the spec's params, its
WHERE clauses, the date-range hook, the traffic lights), each dashboard's layout and its native
filters (date range, BDR, category, or those its spec names), scoped by the columns of the
charts' datasets."""

from __future__ import annotations

from typing import Any

from emg.project_vars import TrafficLightRatios
from emg.superset.docs import Model
from emg.superset.query_context import query_context_json
from emg.superset.spec import (
    BDR_COLUMN,
    CATEGORY_COLUMN,
    TIME_FILTER,
    VERSION,
    ChartSpec,
    DashboardSpec,
    DatasetSpec,
    Spec,
    dataset_columns,
)

NO_FILTER = "No filter"
# The dataset each select filter takes its values from.
FILTER_DATASETS = {BDR_COLUMN: "dim_bdrs", CATEGORY_COLUMN: "metric_events"}
# Each filter's name on the dashboard and its id.
FILTER_NAMES = {
    TIME_FILTER: ("Date range", "NATIVE_FILTER-emg-date-range"),
    BDR_COLUMN: ("BDR", "NATIVE_FILTER-emg-bdr"),
    CATEGORY_COLUMN: ("Category", "NATIVE_FILTER-emg-category"),
}


def filter_datasets(board: DashboardSpec) -> set[str]:
    """The datasets a dashboard's select filters take their values from."""
    return {FILTER_DATASETS[kind] for kind in board.filters if kind in FILTER_DATASETS}


# Traffic lights: the thresholds of the marts' `status` (the dbt vars traffic_light_green_ratio
# and traffic_light_amber_ratio), as Superset conditional formatting on a ratio metric.
GREEN, AMBER, RED = "#5AC189", "#FCC700", "#E04355"


def traffic_light(column: str, ratios: TrafficLightRatios) -> list[dict]:
    green, amber = ratios.green, ratios.amber
    return [
        {"column": column, "operator": "<", "targetValue": amber, "colorScheme": RED},
        {
            "column": column,
            "operator": "≤ x <",
            "targetValueLeft": amber,
            "targetValueRight": green,
            "colorScheme": AMBER,
        },
        {"column": column, "operator": "≥", "targetValue": green, "colorScheme": GREEN},
    ]


def lights_in_template(template: str, ratios: TrafficLightRatios) -> str:
    """A Handlebars card's template with the ratios in place of GREEN_RATIO and AMBER_RATIO,
    so its light turns where the marts' `status` does, and the colours above in place of
    GREEN_COLOR, AMBER_COLOR and RED_COLOR."""
    tokens = {
        "GREEN_RATIO": str(ratios.green),
        "AMBER_RATIO": str(ratios.amber),
        "GREEN_COLOR": GREEN,
        "AMBER_COLOR": AMBER,
        "RED_COLOR": RED,
    }
    for token, value in tokens.items():
        template = template.replace(token, value)
    return template


# --- charts ------------------------------------------------------------------------------------


def chart_time_column(chart: ChartSpec, dataset: DatasetSpec) -> str | None:
    if chart.time_column == "none":
        return None
    return chart.time_column or dataset.time_column


def chart_params(chart: ChartSpec, dataset: DatasetSpec, lights: TrafficLightRatios) -> dict:
    """Superset's form data: the spec's params, its WHERE clauses, the date-range hook and,
    for a chart with `traffic_light` or a Handlebars card, the colours at the `lights` ratios."""
    params = {"viz_type": chart.viz, **chart.params}
    filters = list(params.pop("adhoc_filters", []))
    for index, clause in enumerate(chart.where):
        filters.append(
            {
                "clause": "WHERE",
                "expressionType": "SQL",
                "sqlExpression": clause,
                "subject": None,
                "operator": None,
                "comparator": None,
                "filterOptionName": f"filter_{chart.key}_{index}",
            }
        )
    time_column = chart_time_column(chart, dataset)
    if time_column:
        # The dashboards' date range replaces this filter's "No filter" when it is set.
        filters.append(
            {
                "clause": "WHERE",
                "expressionType": "SIMPLE",
                "subject": time_column,
                "operator": "TEMPORAL_RANGE",
                "comparator": NO_FILTER,
                "filterOptionName": f"filter_{chart.key}_time",
            }
        )
    params["adhoc_filters"] = filters
    if chart.traffic_light:
        params["conditional_formatting"] = traffic_light(chart.traffic_light, lights)
    if "handlebarsTemplate" in params:
        params["handlebarsTemplate"] = lights_in_template(params["handlebarsTemplate"], lights)
    params.setdefault("extra_form_data", {})
    params.setdefault("dashboards", [])
    return params


def chart_config(chart: ChartSpec, dataset: DatasetSpec, lights: TrafficLightRatios) -> dict:
    """A chart of the bundle: its form data and the query context built from it, so that
    `GET /api/v1/chart/<id>/data/` answers (the importer fills in the dataset's id)."""
    params = chart_params(chart, dataset, lights)
    return {
        "slice_name": chart.title,
        "description": chart.description,
        "certified_by": None,
        "certification_details": None,
        "viz_type": chart.viz,
        "params": params,
        "query_context": query_context_json(chart.key, params),
        "cache_timeout": None,
        "uuid": chart.uuid,
        "version": VERSION,
        "dataset_uuid": dataset.uuid,
    }


# --- dashboards --------------------------------------------------------------------------------


def bundle_chart_ids(spec: Spec, first: int = 1) -> dict[str, int]:
    """The chart ids the bundle refers to charts by (position and filter scopes); Superset's
    importer maps them to the ids the charts get in the target instance."""
    keys = sorted({chart.key for board in spec.dashboards for chart in board.charts()})
    return {key: index for index, key in enumerate(keys, start=first)}


def dashboard_position(board: DashboardSpec, chart_ids: dict[str, int]) -> dict:
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"children": ["GRID_ID"], "id": "ROOT_ID", "type": "ROOT"},
        "GRID_ID": {"children": [], "id": "GRID_ID", "parents": ["ROOT_ID"], "type": "GRID"},
        "HEADER_ID": {"id": "HEADER_ID", "meta": {"text": board.title}, "type": "HEADER"},
    }
    for number, row in enumerate(board.rows, start=1):
        row_id = f"ROW-{board.slug}-{number}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {
            "children": [],
            "id": row_id,
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
            "parents": ["ROOT_ID", "GRID_ID"],
            "type": "ROW",
        }
        for chart in row:
            chart_id = f"CHART-{chart.key}"
            position[row_id]["children"].append(chart_id)
            position[chart_id] = {
                "children": [],
                "id": chart_id,
                "meta": {
                    "chartId": chart_ids[chart.key],
                    "height": chart.height,
                    "sliceName": chart.title,
                    "uuid": chart.uuid,
                    "width": chart.width,
                },
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "type": "CHART",
            }
    return position


def filter_applies(kind: str, chart: ChartSpec, spec: Spec, models: dict[str, Model]) -> bool:
    """Whether a dashboard filter reaches a chart: its dataset has the column."""
    dataset = spec.datasets[chart.dataset]
    if kind == TIME_FILTER:
        return chart_time_column(chart, dataset) is not None
    return kind in dataset_columns(dataset, models)


def native_filters(
    board: DashboardSpec, spec: Spec, models: dict[str, Model], chart_ids: dict[str, int]
) -> list[dict]:
    """Date range, BDR (multi-select) and category, or those of them the dashboard names.
    `scope.excluded` (the charts whose dataset lacks the column) is the source of truth;
    `chartsInScope` is its complement, written here with the bundle's ids and rewritten with
    the instance's after import (Superset's importer remaps `excluded` but not
    `chartsInScope`)."""
    filters = []
    for kind in board.filters:
        name, filter_id = FILTER_NAMES[kind]
        charts = board.charts()
        excluded = sorted(
            chart_ids[c.key] for c in charts if not filter_applies(kind, c, spec, models)
        )
        in_scope = sorted(chart_ids[c.key] for c in charts if chart_ids[c.key] not in excluded)
        entry: dict[str, Any] = {
            "id": filter_id,
            "name": name,
            "type": "NATIVE_FILTER",
            "description": "",
            "cascadeParentIds": [],
            "scope": {"rootPath": ["ROOT_ID"], "excluded": excluded},
            "chartsInScope": in_scope,
            "tabsInScope": [],
            "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
            "controlValues": {"enableEmptyFilter": False},
        }
        if kind == TIME_FILTER:
            entry.update(filterType="filter_time", targets=[{}])
        else:
            entry.update(
                filterType="filter_select",
                targets=[
                    {
                        "column": {"name": kind},
                        "datasetUuid": spec.datasets[FILTER_DATASETS[kind]].uuid,
                    }
                ],
            )
            entry["controlValues"].update(
                defaultToFirstItem=False,
                inverseSelection=False,
                multiSelect=True,
                searchAllOptions=False,
            )
        filters.append(entry)
    return filters


def dashboard_config(
    board: DashboardSpec, spec: Spec, models: dict[str, Model], chart_ids: dict[str, int]
) -> dict:
    return {
        "dashboard_title": board.title,
        "description": board.description or None,
        "css": "",
        "slug": board.slug,
        "certified_by": "",
        "certification_details": "",
        "published": True,
        "uuid": board.uuid,
        "position": dashboard_position(board, chart_ids),
        "metadata": {
            "color_scheme": "supersetColors",
            "cross_filters_enabled": False,
            "native_filter_configuration": native_filters(board, spec, models, chart_ids),
            "chart_configuration": {},
            "global_chart_configuration": {},
            "refresh_frequency": 0,
            "timed_refresh_immune_slices": [],
            "expanded_slices": {},
            "default_filters": "{}",
            "label_colors": {},
            "shared_label_colors": [],
            "color_scheme_domain": [],
        },
        "version": VERSION,
    }
