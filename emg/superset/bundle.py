"""Dashboards as code: Superset's import bundle (the ZIP of YAML files `superset export`
writes), built from the spec in `superset/` and the marts' dbt docs. Pure functions but
`build_from_project`, which reads the project's files.

The spec (`spec`: `superset/datasets.yml`, `superset/dashboards/*.yml`) holds what a reviewer
needs: datasets with their metrics, and per dashboard its rows of charts with Superset's own
form-data `params`. The builder adds the rest: column lists and descriptions from the dbt docs
of the marts and the audit views (`datasets`), UUIDs derived from stable keys (so a re-import
overwrites in place), the layout, the traffic lights at the dbt vars' ratios, and the native
filters with their scopes computed from the datasets' columns (`dashboards`). This module
assembles the files: the database, one dataset per mart or audit view used, the charts and the
dashboards.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import yaml

from emg.superset.dashboards import (
    bundle_chart_ids,
    chart_config,
    dashboard_config,
    filter_datasets,
)
from emg.superset.datasets import dataset_config
from emg.superset.docs import Model, read_dataset_models
from emg.superset.spec import VERSION, Spec, load_spec, validate


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
    for board in spec.dashboards:
        used |= filter_datasets(board)
    for name in sorted(used):
        dataset = spec.datasets[name]
        path = f"datasets/{spec.database_key}/{dataset.mart}.yaml"
        files[path] = dataset_config(spec, dataset, models)
    for board in spec.dashboards:
        for chart in board.charts():
            dataset = spec.datasets[chart.dataset]
            files[f"charts/{chart.key}.yaml"] = chart_config(chart, dataset, spec.traffic_lights)
        files[f"dashboards/{board.slug}.yaml"] = dashboard_config(board, spec, models, chart_ids)
    return files


def chart_files(files: dict[str, dict]) -> dict[str, dict]:
    """The charts of the bundle with their datasets and database, as Superset's chart import
    takes them: the dashboard import creates charts but leaves existing ones as they were, so
    the charts are imported again this way to overwrite their form data and query context."""
    charts = {
        path: document
        for path, document in files.items()
        if path.startswith(("charts/", "datasets/", "databases/"))
    }
    return {"metadata.yaml": {**files["metadata.yaml"], "type": "Slice"}, **charts}


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
    models = read_dataset_models(project / "models")
    return build_files(spec, models, sqlalchemy_uri, first_chart_id)
