"""The dbt project on Apache Spark (profiles.yml.example, target spark) against PostgreSQL:
the same generated CRM written into both engines (`emg crm generate`, `--target spark`), what
is ported (staging, the seeds, part of intermediate) built on each with `emg build --select
...` (`--target spark`), and every ported model equal on both: columns, row count, a checksum
per column and one over whole rows (values normalised: timestamps in UTC, numbers without
trailing zeros; spark_tables.py).

The ported models are the models and seeds the Spark build built (its run_results.json).
`raw_row` is left out: the raw row as JSON, jsonb on PostgreSQL and a JSON string on Spark,
whose text differs by engine by nature (key order, spacing, timestamp format).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_emg
from spark_tables import fingerprint

from emg import warehouse as wh
from emg.dbt_runner import manifest_nodes, run_results_file

AS_OF = "2026-11-25T12:00:00Z"
# What is ported so far: staging, the seeds, the intermediate models that read only those,
# and the time macros' own test (DST); the event chain the lead milestones read (fct_events,
# metric_events), int_leads_milestones, the marts it feeds (fct_agreements, fct_lists_out,
# dim_leads, pipeline_health_daily, pipeline_health) and the audit views that read it
# (crm_sales_reconciliation, leads_missing_milestone_dates); the as-of layer on them
# (dim_bdrs, as_of_metrics, alerts, kpi_scorecard, monthly_forecast_daily, monthly_forecast).
PORTED = (
    "staging resource_type:seed int_pipeline_items_mapped_to_leads int_calls_attributed "
    "int_currency_rates int_sales_feed_status int_dates_spined int_kpi_targets_resolved "
    "assert_time_macros_are_dst_correct "
    "fct_events metric_events int_leads_milestones fct_agreements fct_lists_out dim_leads "
    "pipeline_health_daily pipeline_health crm_sales_reconciliation leads_missing_milestone_dates "
    "dim_bdrs as_of_metrics alerts kpi_scorecard monthly_forecast_daily monthly_forecast"
)
ENGINE_SPECIFIC = {"raw_row"}
HERE = Path(__file__).resolve().parent

# A selection's tests that also read models outside it (relationships to the marts) are left
# to the builds that build those.
SELECTION_ENV = {"DBT_INDIRECT_SELECTION": "cautious"}
# On Spark the models, seeds and unit tests: the data tests (142, about a minute and a half on
# two cores) run with `emg build --target spark --select ...` by hand (README), so that this
# module stays near two and a half minutes.
SPARK_ENV = {**SELECTION_ENV, "DBT_EXCLUDE_RESOURCE_TYPES": "test"}

pytestmark = pytest.mark.spark


def _built_on_spark() -> list[str]:
    """schema.name of every model and seed the last build (the Spark one) built, from its
    run_results.json and manifest."""
    results = json.loads(run_results_file().read_text())["results"]
    built = {result["unique_id"] for result in results if result["status"] == "success"}
    nodes = manifest_nodes() or {}
    return sorted(
        f"{node['schema']}.{node.get('alias') or node['name']}"
        for key, node in nodes.items()
        if key in built and node.get("resource_type") in ("model", "seed")
    )


def _read_postgres(tables: list[str]) -> dict[str, dict]:
    conn = wh.connect()
    try:
        read = {}
        for table in tables:
            with conn.cursor() as cur:
                cur.execute(f"select * from {table}")
                read[table] = {
                    "columns": [column.name for column in cur.description],
                    "rows": cur.fetchall(),
                }
        return read
    finally:
        conn.close()


def _read_spark(tables: list[str]) -> dict[str, dict]:
    result = subprocess.run(
        [sys.executable, str(HERE / "spark_tables.py"), *tables],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=os.environ.copy(),
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"reading Spark failed:\n{result.stderr[-4000:]}"
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def engines(warehouse):
    """Both engines loaded with the same data and built, as of the same instant: the ported
    models' fingerprints on each, and the Spark build's output."""
    run_emg("crm", "generate", "--as-of", AS_OF)
    run_emg("crm", "generate", "--as-of", AS_OF, "--target", "spark")
    # the same selection on PostgreSQL (emg build rebuilds any view its tables' drops took)
    run_emg("build", "--as-of", AS_OF, "--select", PORTED, env=SELECTION_ENV)
    spark_build = run_emg(
        "build", "--as-of", AS_OF, "--target", "spark", "--select", PORTED, env=SPARK_ENV
    )
    models = _built_on_spark()
    postgres = _read_postgres(models)
    spark = _read_spark(models)
    return {
        "models": models,
        "spark_build": spark_build.stdout + spark_build.stderr,
        "postgres": {
            t: fingerprint(r["columns"], r["rows"], ENGINE_SPECIFIC) for t, r in postgres.items()
        },
        "spark": {
            t: fingerprint(r["columns"], r["rows"], ENGINE_SPECIFIC) for t, r in spark.items()
        },
        "postgres_columns": {t: r["columns"] for t, r in postgres.items()},
        "spark_columns": {t: r["columns"] for t, r in spark.items()},
    }


def test_spark_builds_the_ported_models_with_their_unit_tests(engines):
    output = engines["spark_build"]
    assert "Completed successfully" in output
    assert "target='spark'" in output
    # every staging model was built on Spark, and the unit tests passed on it
    assert any(model.startswith("staging.stg_") for model in engines["models"])
    assert " PASS " in output


def test_ported_models_have_the_same_columns_on_both_engines(engines):
    for model in engines["models"]:
        assert engines["spark_columns"][model] == engines["postgres_columns"][model], model


def test_ported_models_are_equal_on_spark_and_postgres(engines):
    differences = []
    for model in engines["models"]:
        postgres, spark = engines["postgres"][model], engines["spark"][model]
        assert postgres["rows"] > 0, f"{model} is empty on PostgreSQL: nothing compared"
        if postgres["rows"] != spark["rows"]:
            differences.append(
                f"{model}: {postgres['rows']} rows on PostgreSQL, {spark['rows']} on Spark"
            )
        differences += [
            f"{model}.{column}: checksums differ"
            for column, digest in postgres["columns"].items()
            if spark["columns"].get(column) != digest
        ]
        if postgres["whole_rows"] != spark["whole_rows"] and not differences:
            differences.append(f"{model}: the same columns, but not the same rows")
    assert not differences, "\n".join(differences)
