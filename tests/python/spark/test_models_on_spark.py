"""The dbt project on Apache Spark (profiles.yml.example, target spark) against PostgreSQL:
the same generated CRM written into both engines (`emg crm generate`, `--target spark`), the
whole project built on each (`emg build`, `--target spark`: every model, seed, unit test and
data test), and every model equal on both: columns, row count, a checksum per column and one
over whole rows (values normalised: timestamps in UTC, numbers without trailing zeros;
spark_tables.py). Every public mart is among them.

The data has every variant of bad row (`--bad-rows`), so that staging rejects rows and audit
lists them, and a restated sales feed: a finance re-load (`emg sales load`) on PostgreSQL
changes some sales, and the feed and its history are copied to Spark as they are, so that
audit.sales_feed_changes has rows on both.

The models compared are the models and seeds the Spark build built (its run_results.json).
Left out, as their models' YAML says: `raw_row`, the raw row as JSON, jsonb on PostgreSQL and a
JSON string on Spark, whose text differs by engine by nature (key order, spacing, timestamp
format); and the key of audit.sales_feed_changes, an md5 over PostgreSQL's text of a timestamp
with time zone (its offset included), which Spark's timestamp has not.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import REPO, run_emg
from spark_tables import fingerprint, normalize

from emg import warehouse as wh
from emg.dbt_runner import manifest_nodes, run_results_file
from emg.simulator.defects import VARIANTS

AS_OF = "2026-11-25T12:00:00Z"
# Columns whose values are the engine's own (their models' YAML says why): left out of the
# comparison in every model, or in the one named.
ENGINE_SPECIFIC = {"raw_row"}
ENGINE_SPECIFIC_IN = {"audit.sales_feed_changes": {"sales_feed_change_id"}}
# Bad rows: enough of each kind that every variant of it is injected (the simulator takes
# them in turn), so every rejection reason the data can have is compared.
BAD_ROWS = str(max(len(variants) for variants in VARIANTS.values()))
# Sales a finance re-load restates on PostgreSQL: every RESTATED-th clean sale, its amount up
# by one.
RESTATED = 10
# The sales feed's tables as Spark holds them (emg/spark/load.py's types).
SALES_COLUMNS = [
    ["sale_id", "string"],
    ["pipeline_item_id", "string"],
    ["sold_at", "timestamp"],
    ["amount", "decimal(12,2)"],
    ["currency", "string"],
    ["loaded_at", "timestamp"],
]
HERE = Path(__file__).resolve().parent

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


def _spark_tables(*args: str, given: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, str(HERE / "spark_tables.py"), *args],
        input=given,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=os.environ.copy(),
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"spark_tables.py failed:\n{result.stderr[-4000:]}"
    return result.stdout


def _read_spark(tables: list[str]) -> dict[str, dict]:
    return json.loads(_spark_tables(*tables))


def _restate_sales(folder: Path) -> None:
    """A finance re-load on PostgreSQL that changes every RESTATED-th sale of the generated
    export (its old version goes to sales_ext.sales_history); then the feed and its history
    copied to Spark as PostgreSQL holds them."""
    export = folder / "sales.csv"
    with export.open(newline="") as handle:
        rows = list(csv.reader(handle))
    header, sales = rows[0], rows[1:]
    amount = header.index("amount")
    for row in sales[::RESTATED]:
        row[amount] = str(Decimal(row[amount]) + 1)
    restated = folder / "restated.csv"
    with restated.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *sales])
    run_emg("sales", "load", str(restated))
    tables = _read_postgres(["sales_ext.sales", "sales_ext.sales_history"])
    history_columns = [*SALES_COLUMNS, ["replaced_at", "timestamp"]]
    copies = {}
    for table, columns in (("sales_ext.sales", SALES_COLUMNS),
                           ("sales_ext.sales_history", history_columns)):  # fmt: skip
        names = tables[table]["columns"]
        assert names == [name for name, _ in columns], names
        copies[table] = {
            "columns": columns,
            "rows": [[normalize(value) for value in row] for row in tables[table]["rows"]],
        }
    assert copies["sales_ext.sales_history"]["rows"], "the re-load restated no sale"
    _spark_tables("--write", given=json.dumps(copies))


@pytest.fixture(scope="module")
def engines(warehouse, tmp_path_factory):
    """Both engines loaded with the same data and built, as of the same instant: the
    models' fingerprints on each, and the Spark build's output."""
    folder = tmp_path_factory.mktemp("sales")
    generate = ("crm", "generate", "--as-of", AS_OF, "--bad-rows", BAD_ROWS)
    run_emg(*generate, "--sales-csv", str(folder / "sales.csv"))
    run_emg(*generate, "--target", "spark")
    _restate_sales(folder)
    # the whole project on each engine: every model, seed, unit test and data test
    run_emg("build", "--as-of", AS_OF)
    spark_build = run_emg("build", "--as-of", AS_OF, "--target", "spark")
    models = _built_on_spark()
    statuses = {
        result["unique_id"]: result["status"]
        for result in json.loads(run_results_file().read_text())["results"]
    }
    postgres = _read_postgres(models)
    spark = _read_spark(models)

    def left_out(table: str) -> set[str]:
        return ENGINE_SPECIFIC | ENGINE_SPECIFIC_IN.get(table, set())

    return {
        "models": models,
        "spark_build": spark_build.stdout + spark_build.stderr,
        "spark_statuses": statuses,
        "postgres": {
            t: fingerprint(r["columns"], r["rows"], left_out(t)) for t, r in postgres.items()
        },
        "spark": {t: fingerprint(r["columns"], r["rows"], left_out(t)) for t, r in spark.items()},
        "postgres_columns": {t: r["columns"] for t, r in postgres.items()},
        "spark_columns": {t: r["columns"] for t, r in spark.items()},
    }


def test_spark_builds_the_whole_project_with_its_tests(engines):
    output = engines["spark_build"]
    assert "target='spark'" in output
    # Spark logs errors only (emg/spark/session.py): not a warning per node between dbt's lines
    assert "Using an existing Spark session" not in output
    statuses = engines["spark_statuses"]
    # nothing failed, errored or was skipped; the warnings are the severity-warn data checks
    # that the bad rows set off, on PostgreSQL too
    failed = {
        node: status
        for node, status in statuses.items()
        if status not in ("success", "pass", "warn", "no-op")
    }
    assert not failed, failed
    # every kind of node ran on Spark: models, seeds, unit tests and data tests
    for kind in ("model.", "seed.", "unit_test.", "test."):
        assert any(node.startswith(kind) for node in statuses), kind


def test_every_public_mart_is_compared(engines):
    nodes = manifest_nodes() or {}
    public = {
        f"{node['schema']}.{node.get('alias') or node['name']}"
        for node in nodes.values()
        if node.get("resource_type") == "model" and node.get("access") == "public"
    }
    assert public, "the manifest lists no public mart"
    assert public <= set(engines["models"]), sorted(public - set(engines["models"]))


def test_models_have_the_same_columns_on_both_engines(engines):
    for model in engines["models"]:
        assert engines["spark_columns"][model] == engines["postgres_columns"][model], model


def test_models_are_equal_on_spark_and_postgres(engines):
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
