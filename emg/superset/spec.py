"""The dashboards' spec: what `superset/` says, read into dataclasses and checked.

`superset/datasets.yml` lists the datasets (one per mart or audit view) with their metrics;
`superset/dashboards/*.yml` the dashboards, each a list of rows of charts with Superset's own
form-data `params`. `load_spec` reads them with the two facts the dbt project beside them
holds: the metric catalogue (seeds/metric_catalogue.csv, the event metrics) and the
traffic-light ratios (dbt_project.yml's vars). `validate` names what a reviewer must fix.
Every object's UUID is derived from a stable key (`stable_uuid`).
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from emg.project_vars import TrafficLightRatios, traffic_light_ratios
from emg.superset.docs import Model

# Every UUID of the bundle is uuid5(NAMESPACE, "<kind>:<key>"): stable across builds and
# machines, so importing again overwrites the same objects instead of adding new ones.
NAMESPACE = uuid.UUID("6f1f3a52-5b0e-4a4e-9c61-2f1d8a0c7e15")
# The version of Superset's import format every file of the bundle declares.
VERSION = "1.0.0"
# The column a dataset with `bdr_name: true` gains (joined from dim_bdrs) for the BDR filter.
BDR_COLUMN = "bdr_name"
# Names a dataset may join in from a dimension of the marts, by its flag in datasets.yml:
# flag -> (the dimension, its alias in the dataset's SQL, the key both share, the columns it
# adds where the dimension has them). `lead_name: true` adds the lead's name and, where
# dim_leads has it, its CRM link.
JOINS = {
    "bdr_name": ("dim_bdrs", "b", "bdr_id", (BDR_COLUMN,)),
    "lead_name": ("dim_leads", "l", "lead_id", ("lead_name", "lead_url")),
}
# The schemas a dataset may read: the marts (the default), and the audit views of the
# data-quality dashboard, which Superset's login reads through the role audit_reader.
SCHEMAS = ("marts", "audit")
# The dashboards' native filters, in the order they are shown: the date range, the BDR and the
# category. A dashboard has all three unless its spec names fewer (`filters:`).
TIME_FILTER = "time"
CATEGORY_COLUMN = "category"
FILTER_KINDS = (TIME_FILTER, BDR_COLUMN, CATEGORY_COLUMN)


def stable_uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


@dataclass(frozen=True)
class DatasetSpec:
    mart: str  # the dbt model: a mart, or an audit view with `schema: audit`
    schema: str = "marts"
    bdr_name: bool = False
    lead_name: bool = False
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
    filters: tuple[str, ...] = FILTER_KINDS

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
    traffic_lights: TrafficLightRatios  # the dbt vars the marts' `status` uses
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
    datasets_yaml: str,
    dashboard_yamls: list[str],
    catalogue_csv: str | None = None,
    *,
    traffic_lights: TrafficLightRatios,
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
            schema=entry.get("schema", "marts"),
            bdr_name=bool(entry.get("bdr_name", False)),
            lead_name=bool(entry.get("lead_name", False)),
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
                filters=tuple(board.get("filters", FILTER_KINDS)),
            )
        )
    return Spec(
        database_key=raw["database"]["key"],
        database_name=raw["database"]["name"],
        datasets=datasets,
        traffic_lights=traffic_lights,
        dashboards=tuple(dashboards),
    )


def load_spec(superset_dir: Path) -> Spec:
    """The spec as committed: superset/datasets.yml and superset/dashboards/*.yml, with the
    metric catalogue (seeds/metric_catalogue.csv) and the traffic-light ratios (the vars of
    dbt_project.yml) of the dbt project beside it."""
    boards = sorted((superset_dir / "dashboards").glob("*.yml"))
    return parse_spec(
        (superset_dir / "datasets.yml").read_text(),
        [path.read_text() for path in boards],
        (superset_dir.parent / "seeds" / "metric_catalogue.csv").read_text(),
        traffic_lights=traffic_light_ratios(superset_dir.parent / "dbt_project.yml"),
    )


def joined_columns(
    dataset: DatasetSpec, models: dict[str, Model]
) -> list[tuple[str, str, str, str]]:
    """(alias, dimension, key, column) for each column the dataset joins in (JOINS): those its
    flags ask for, that the dimension documents and the mart itself lacks."""
    own = {column.name for column in models[dataset.mart].columns}
    joined = []
    for flag, (dimension, alias, key, columns) in JOINS.items():
        if not getattr(dataset, flag) or dimension not in models:
            continue
        documented = {column.name for column in models[dimension].columns}
        for column in columns:
            if column in documented and column not in own:
                joined.append((alias, dimension, key, column))
    return joined


def dataset_columns(dataset: DatasetSpec, models: dict[str, Model]) -> set[str]:
    """The columns of a dataset (the mart's, the joined names, the calculated ones): those a
    chart on it can be filtered on."""
    names = [column.name for column in models[dataset.mart].columns]
    names += [column for *_, column in joined_columns(dataset, models)]
    names += [column["name"] for column in dataset.calculated_columns]
    return set(names)


def validate(spec: Spec, models: dict[str, Model]) -> list[str]:
    """Problems a reviewer must fix: unknown marts, columns, metrics or datasets."""
    problems = []
    for dataset in spec.datasets.values():
        if dataset.schema not in SCHEMAS:
            problems.append(f"dataset {dataset.mart}: schema {dataset.schema} not in {SCHEMAS}")
            continue
        if dataset.mart not in models:
            problems.append(f"dataset {dataset.mart}: no documented model of that name")
            continue
        if models[dataset.mart].schema != dataset.schema:
            problems.append(
                f"dataset {dataset.mart}: the model is in schema {models[dataset.mart].schema}, "
                f"not {dataset.schema}"
            )
        names = dataset_columns(dataset, models)
        if dataset.time_column and dataset.time_column not in names:
            problems.append(f"dataset {dataset.mart}: time_column {dataset.time_column} unknown")
    slugs = [board.slug for board in spec.dashboards]
    if len(set(slugs)) != len(slugs):
        problems.append(f"dashboard slugs repeat: {slugs}")
    keys = [chart.key for board in spec.dashboards for chart in board.charts()]
    for board in spec.dashboards:
        unknown = [kind for kind in board.filters if kind not in FILTER_KINDS]
        if unknown:
            problems.append(f"dashboard {board.slug}: unknown filters {unknown}")
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
