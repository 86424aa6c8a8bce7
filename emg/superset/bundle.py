"""Dashboards as code: the compact spec in `superset/` plus the marts' dbt docs, turned into
Superset's import bundle (the ZIP of YAML files `superset export` writes). Pure functions; the
only I/O is `load_spec` and `read_models`, which read the project's files.

The spec (`superset/datasets.yml`, `superset/dashboards/*.yml`) holds what a reviewer needs:
datasets with their metrics, and per dashboard its rows of charts with Superset's own form-data
`params`. The builder adds the rest: column lists and descriptions from dbt, UUIDs derived from
stable keys (so a re-import overwrites in place), the layout, and the three native filters with
their scopes computed from the datasets' columns.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from emg.superset.docs import Model, read_models

# Every UUID of the bundle is uuid5(NAMESPACE, "<kind>:<key>"): stable across builds and
# machines, so importing again overwrites the same objects instead of adding new ones.
NAMESPACE = uuid.UUID("6f1f3a52-5b0e-4a4e-9c61-2f1d8a0c7e15")
VERSION = "1.0.0"
SCHEMA = "marts"
BDR_COLUMN = "bdr_name"
CATEGORY_COLUMN = "category"
FILTER_DATASETS = {BDR_COLUMN: "dim_bdrs", CATEGORY_COLUMN: "metric_events"}
NO_FILTER = "No filter"

# Traffic lights (dbt vars traffic_light_green_ratio / _amber_ratio): the same thresholds as
# the marts' `status`, as Superset conditional formatting on a ratio metric.
GREEN, AMBER, RED = "#5AC189", "#FCC700", "#E04355"


def stable_uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def traffic_light(column: str, green: float = 1.0, amber: float = 0.8) -> list[dict]:
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


# --- the spec ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetSpec:
    mart: str
    bdr_name: bool = False
    time_column: str | None = None
    metrics: tuple[dict, ...] = ()
    calculated_columns: tuple[dict, ...] = ()

    @property
    def uuid(self) -> str:
        return stable_uuid("dataset", self.mart)


@dataclass(frozen=True)
class ChartSpec:
    key: str
    title: str
    viz: str
    dataset: str
    width: int
    height: int
    params: dict
    description: str | None = None
    where: tuple[str, ...] = ()
    time_column: str | None = None  # default: the dataset's; "none" for no date range
    traffic_light: str | None = None  # the metric coloured green / amber / red

    @property
    def uuid(self) -> str:
        return stable_uuid("chart", self.key)


@dataclass(frozen=True)
class DashboardSpec:
    slug: str
    title: str
    description: str
    rows: tuple[tuple[ChartSpec, ...], ...]

    @property
    def uuid(self) -> str:
        return stable_uuid("dashboard", self.slug)

    def charts(self) -> list[ChartSpec]:
        return [chart for row in self.rows for chart in row]


@dataclass(frozen=True)
class Spec:
    database_key: str
    database_name: str
    datasets: dict[str, DatasetSpec]
    dashboards: tuple[DashboardSpec, ...] = field(default_factory=tuple)

    @property
    def database_uuid(self) -> str:
        return stable_uuid("database", self.database_key)


def catalogue_metrics(catalogue_csv: str) -> tuple[dict, ...]:
    """Superset metrics for metric_events, one per row of the dbt seed metric_catalogue (the
    one place a metric is defined), and the performance index from its weights."""
    metrics = []
    for row in csv.DictReader(io.StringIO(catalogue_csv)):
        amount = row["measure"] == "amount"
        metrics.append(
            {
                "name": row["metric"],
                "label": row["label"][:1].upper() + row["label"][1:],
                "format": ",.2f" if amount else ",d",
                "description": row["description"],
                "sql": f"sum(metric_value) filter (where metric = '{row['metric']}')",
            }
        )
    metrics.append(
        {
            "name": "performance_index",
            "label": "Performance index",
            "format": ",d",
            "description": (
                "Each event's weight in the seed metric_catalogue, summed (contract §5)."
            ),
            "sql": "sum(index_points)",
        }
    )
    return tuple(metrics)


def parse_spec(
    datasets_yaml: str, dashboard_yamls: list[str], catalogue_csv: str | None = None
) -> Spec:
    raw = yaml.safe_load(datasets_yaml)
    datasets = {}
    for entry in raw["datasets"]:
        metrics = tuple(entry.get("metrics") or ())
        if entry.get("catalogue_metrics"):
            if catalogue_csv is None:
                raise ValueError(f"dataset {entry['mart']}: catalogue_metrics needs the catalogue")
            metrics = catalogue_metrics(catalogue_csv) + metrics
        dataset = DatasetSpec(
            mart=entry["mart"],
            bdr_name=bool(entry.get("bdr_name", False)),
            time_column=entry.get("time_column"),
            metrics=metrics,
            calculated_columns=tuple(entry.get("calculated_columns") or ()),
        )
        datasets[dataset.mart] = dataset
    dashboards = []
    for text in dashboard_yamls:
        board = yaml.safe_load(text)
        rows = tuple(
            tuple(
                ChartSpec(
                    key=chart["key"],
                    title=chart["title"],
                    viz=chart["viz"],
                    dataset=chart["dataset"],
                    width=int(chart.get("width", 4)),
                    height=int(chart.get("height", 50)),
                    params=dict(chart.get("params") or {}),
                    description=chart.get("description"),
                    where=tuple(chart.get("where") or ()),
                    time_column=chart.get("time_column"),
                    traffic_light=chart.get("traffic_light"),
                )
                for chart in row
            )
            for row in board["rows"]
        )
        dashboards.append(
            DashboardSpec(
                slug=board["slug"],
                title=board["title"],
                description=" ".join(str(board.get("description", "")).split()),
                rows=rows,
            )
        )
    return Spec(
        database_key=raw["database"]["key"],
        database_name=raw["database"]["name"],
        datasets=datasets,
        dashboards=tuple(dashboards),
    )


def load_spec(superset_dir: Path) -> Spec:
    """The spec as committed: superset/datasets.yml and superset/dashboards/*.yml, with the
    metric catalogue of the dbt project beside it (seeds/metric_catalogue.csv)."""
    boards = sorted((superset_dir / "dashboards").glob("*.yml"))
    return parse_spec(
        (superset_dir / "datasets.yml").read_text(),
        [path.read_text() for path in boards],
        (superset_dir.parent / "seeds" / "metric_catalogue.csv").read_text(),
    )


def validate(spec: Spec, models: dict[str, Model]) -> list[str]:
    """Problems a reviewer must fix: unknown marts, columns, metrics or datasets."""
    problems = []
    for dataset in spec.datasets.values():
        if dataset.mart not in models:
            problems.append(f"dataset {dataset.mart}: no documented mart of that name")
            continue
        names = set(_column_names(dataset, models))
        if dataset.time_column and dataset.time_column not in names:
            problems.append(f"dataset {dataset.mart}: time_column {dataset.time_column} unknown")
    slugs = [board.slug for board in spec.dashboards]
    if len(set(slugs)) != len(slugs):
        problems.append(f"dashboard slugs repeat: {slugs}")
    keys = [chart.key for board in spec.dashboards for chart in board.charts()]
    for board in spec.dashboards:
        if any(row_width(row) > 12 for row in board.rows):
            problems.append(f"dashboard {board.slug}: a row is wider than 12 columns")
        for chart in board.charts():
            if chart.dataset not in spec.datasets:
                problems.append(f"chart {chart.key}: unknown dataset {chart.dataset}")
                continue
            metrics = {metric["name"] for metric in spec.datasets[chart.dataset].metrics}
            for name in _metric_refs(chart.params):
                if name not in metrics:
                    problems.append(f"chart {chart.key}: unknown metric {name}")
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    problems += [f"chart key {key} repeats" for key in repeated]
    return sorted(set(problems))


def row_width(row: tuple[ChartSpec, ...]) -> int:
    return sum(chart.width for chart in row)


def _metric_refs(params: dict) -> list[str]:
    refs = []
    for key in ("metric", "metrics", "metrics_b", "timeseries_limit_metric", "x", "y", "size"):
        value = params.get(key)
        values = value if isinstance(value, list) else [value]
        refs += [item for item in values if isinstance(item, str)]
    return refs


# --- datasets ----------------------------------------------------------------------------------


_TYPES = {
    "text": "TEXT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITHOUT TIME ZONE",
}


def superset_type(dbt_type: str) -> str:
    base = dbt_type.split("(")[0].strip().lower()
    if base == "numeric":
        return "NUMERIC"
    return _TYPES.get(base, base.upper())


def _column_names(dataset: DatasetSpec, models: dict[str, Model]) -> list[str]:
    names = [column.name for column in models[dataset.mart].columns]
    if dataset.bdr_name and BDR_COLUMN not in names:
        names.append(BDR_COLUMN)
    names += [column["name"] for column in dataset.calculated_columns]
    return names


def dataset_columns(dataset: DatasetSpec, models: dict[str, Model]) -> set[str]:
    """The columns a chart on this dataset can be filtered on."""
    return set(_column_names(dataset, models))


def dataset_sql(dataset: DatasetSpec, models: dict[str, Model]) -> str | None:
    """For datasets that add the BDR's name: the mart left-joined to dim_bdrs."""
    if not dataset.bdr_name or BDR_COLUMN in {c.name for c in models[dataset.mart].columns}:
        return None
    return (
        f"select m.*, b.bdr_name from {SCHEMA}.{dataset.mart} as m "
        f"left join {SCHEMA}.dim_bdrs as b on b.bdr_id = m.bdr_id"
    )


# Labels shown in charts and exports where "Column name" capitalisation would be wrong.
COLUMN_LABELS = {"bdr_name": "BDR", "bdr_id": "BDR id", "kpi_label": "KPI", "kpi": "KPI key"}


def column_label(name: str) -> str:
    return COLUMN_LABELS.get(name) or name.replace("_", " ").capitalize()


def _column(name: str, data_type: str, description: str, expression: str | None = None) -> dict:
    kind = superset_type(data_type)
    return {
        "column_name": name,
        "verbose_name": column_label(name),
        "is_dttm": kind in ("DATE", "TIMESTAMP WITHOUT TIME ZONE"),
        "is_active": True,
        "type": kind,
        "advanced_data_type": None,
        "groupby": True,
        "filterable": True,
        "expression": expression,
        "description": description or None,
        "python_date_format": None,
        "extra": None,
    }


def dataset_config(spec: Spec, dataset: DatasetSpec, models: dict[str, Model]) -> dict:
    model = models[dataset.mart]
    columns = [_column(c.name, c.data_type, c.description) for c in model.columns]
    if dataset.bdr_name and BDR_COLUMN not in {c.name for c in model.columns}:
        source = models["dim_bdrs"].column(BDR_COLUMN)
        columns.append(_column(BDR_COLUMN, source.data_type, source.description))
    for calculated in dataset.calculated_columns:
        columns.append(
            _column(
                calculated["name"],
                calculated.get("type", "TEXT"),
                calculated.get("description", ""),
                expression=" ".join(calculated["sql"].split()),
            )
        )
    metrics = [
        {
            "metric_name": metric["name"],
            "verbose_name": metric.get("label"),
            "metric_type": None,
            "expression": " ".join(str(metric["sql"]).split()),
            "description": metric.get("description"),
            "d3format": metric.get("format"),
            "currency": None,
            "extra": {"warning_markdown": ""},
            "warning_text": None,
        }
        for metric in dataset.metrics
    ]
    return {
        "table_name": dataset.mart,
        "main_dttm_col": dataset.time_column,
        "description": model.description or None,
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "catalog": None,
        "schema": SCHEMA,
        "sql": dataset_sql(dataset, models),
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "normalize_columns": False,
        "always_filter_main_dttm": False,
        "uuid": dataset.uuid,
        "metrics": metrics,
        "columns": columns,
        "version": VERSION,
        "database_uuid": spec.database_uuid,
    }


# --- charts ------------------------------------------------------------------------------------


def chart_time_column(chart: ChartSpec, dataset: DatasetSpec) -> str | None:
    if chart.time_column == "none":
        return None
    return chart.time_column or dataset.time_column


def chart_params(chart: ChartSpec, dataset: DatasetSpec) -> dict:
    """Superset's form data: the spec's params, its WHERE clauses, the date-range hook."""
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
        params["conditional_formatting"] = traffic_light(chart.traffic_light)
    params.setdefault("extra_form_data", {})
    params.setdefault("dashboards", [])
    return params


def chart_config(chart: ChartSpec, dataset: DatasetSpec) -> dict:
    return {
        "slice_name": chart.title,
        "description": chart.description,
        "certified_by": None,
        "certification_details": None,
        "viz_type": chart.viz,
        "params": chart_params(chart, dataset),
        "query_context": None,
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
    if kind == "time":
        return chart_time_column(chart, dataset) is not None
    return kind in dataset_columns(dataset, models)


def native_filters(
    board: DashboardSpec, spec: Spec, models: dict[str, Model], chart_ids: dict[str, int]
) -> list[dict]:
    """Date range, BDR (multi-select) and category. `scope.excluded` (the charts whose dataset
    lacks the column) is the source of truth; `chartsInScope` is its complement, written here
    with the bundle's ids and rewritten with the instance's after import (Superset's importer
    remaps `excluded` but not `chartsInScope`)."""
    filters = []
    for kind, name, filter_id in (
        ("time", "Date range", "NATIVE_FILTER-emg-date-range"),
        (BDR_COLUMN, "BDR", "NATIVE_FILTER-emg-bdr"),
        (CATEGORY_COLUMN, "Category", "NATIVE_FILTER-emg-category"),
    ):
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
        if kind == "time":
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


# --- the bundle ----------------------------------------------------------------------------


def database_config(spec: Spec, sqlalchemy_uri: str) -> dict:
    return {
        "database_name": spec.database_name,
        "sqlalchemy_uri": sqlalchemy_uri,
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_csv_upload": False,
        "extra": {
            "allows_virtual_table_explore": True,
            "metadata_params": {},
            "engine_params": {},
            "schemas_allowed_for_file_upload": [],
        },
        "uuid": spec.database_uuid,
        "version": VERSION,
    }


def build_files(
    spec: Spec, models: dict[str, Model], sqlalchemy_uri: str, first_chart_id: int = 1
) -> dict[str, dict]:
    """{path in the bundle: YAML document} for the whole bundle."""
    problems = validate(spec, models)
    if problems:
        raise ValueError("; ".join(problems))
    chart_ids = bundle_chart_ids(spec, first_chart_id)
    files: dict[str, dict] = {
        "metadata.yaml": {
            "version": VERSION,
            "type": "Dashboard",
            "timestamp": "2026-01-01T00:00:00+00:00",
        },
        f"databases/{spec.database_key}.yaml": database_config(spec, sqlalchemy_uri),
    }
    used = {chart.dataset for board in spec.dashboards for chart in board.charts()}
    used |= set(FILTER_DATASETS.values())
    for name in sorted(used):
        dataset = spec.datasets[name]
        path = f"datasets/{spec.database_key}/{dataset.mart}.yaml"
        files[path] = dataset_config(spec, dataset, models)
    for board in spec.dashboards:
        for chart in board.charts():
            files[f"charts/{chart.key}.yaml"] = chart_config(chart, spec.datasets[chart.dataset])
        files[f"dashboards/{board.slug}.yaml"] = dashboard_config(board, spec, models, chart_ids)
    return files


def database_file(spec: Spec) -> str:
    return f"databases/{spec.database_key}.yaml"


def to_yaml(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def to_zip(files: dict[str, dict], root: str = "emg_dashboards") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, document in sorted(files.items()):
            info = zipfile.ZipInfo(f"{root}/{path}", date_time=(2026, 1, 1, 0, 0, 0))
            archive.writestr(info, to_yaml(document))
    return buffer.getvalue()


def build_from_project(project: Path, sqlalchemy_uri: str, first_chart_id: int = 1) -> dict:
    spec = load_spec(project / "superset")
    models = read_models(project / "models" / "marts")
    return build_files(spec, models, sqlalchemy_uri, first_chart_id)
