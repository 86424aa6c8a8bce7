"""dbt's exposures say what the dashboards read, so `dbt ls --select +exposure:...` is right."""

from __future__ import annotations

import re

import yaml
from conftest import REPO

from emg.superset.dashboards import filter_datasets
from emg.superset.docs import read_dataset_models
from emg.superset.spec import joined_columns, load_spec

REF = re.compile(r"^ref\('([a-z0-9_]+)'\)$")


def _dashboard_exposures() -> dict[str, set[str]]:
    """Each dashboard exposure's slug (from its URL) and the models it depends on."""
    document = yaml.safe_load((REPO / "models" / "exposures.yml").read_text())
    exposures = {}
    for exposure in document["exposures"]:
        if exposure["type"] != "dashboard":
            continue
        slug = re.search(r"/superset/dashboard/([a-z0-9-]+)/$", exposure["url"]).group(1)
        exposures[slug] = {REF.match(ref).group(1) for ref in exposure["depends_on"]}
    return exposures


def test_each_dashboard_exposure_depends_on_exactly_the_models_its_charts_and_filters_read():
    spec, models = load_spec(REPO / "superset"), read_dataset_models(REPO / "models")
    read = {
        board.slug: {spec.datasets[chart.dataset].mart for chart in board.charts()}
        | {  # the dimensions its datasets join in for names (dim_bdrs, dim_leads)
            dimension
            for chart in board.charts()
            for _, dimension, _, _ in joined_columns(spec.datasets[chart.dataset], models)
        }
        | filter_datasets(board)  # its BDR and category filters' option lists
        for board in spec.dashboards
    }
    assert "data-quality" in read
    assert _dashboard_exposures() == read


def test_the_reporting_api_exposure_depends_on_exactly_the_marts_its_queries_read():
    from emg.api import queries

    statements = [text for name, text in vars(queries).items() if name.isupper()]
    read = {
        mart for text in statements if isinstance(text, str)
        for mart in re.findall(r"\bmarts\.([a-z0-9_]+)", text)
    }  # fmt: skip
    document = yaml.safe_load((REPO / "models" / "exposures.yml").read_text())
    (api,) = [exposure for exposure in document["exposures"] if exposure["name"] == "reporting_api"]
    assert {REF.match(ref).group(1) for ref in api["depends_on"]} == read
