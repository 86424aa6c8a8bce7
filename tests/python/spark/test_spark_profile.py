"""The Spark target's settings and the loader's pure parts, without starting Spark: the
profile is the one place the session is configured, and the loader writes the raw tables'
columns in raw_schema.sql's order with their instants intact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emg.errors import EmgError
from emg.paths import state_dir
from emg.simulator.tables import COLUMNS
from emg.spark.load import SPARK_TABLES, TYPES, spark_schema, spark_value
from emg.spark.session import session_conf, target_type


def test_the_profile_has_a_spark_session_target_beside_postgres():
    assert target_type("spark") == "spark"
    assert target_type(None) == "postgres"  # prod, the default
    assert target_type("dev") == "postgres"


def test_an_unknown_target_is_one_line_naming_the_targets():
    with pytest.raises(EmgError, match=r"no target 'nowhere'; use one of dev, prod, spark"):
        target_type("nowhere")


def test_the_spark_session_keeps_its_tables_and_metastore_in_the_state_folder():
    conf = session_conf("spark")
    spark = state_dir() / "spark"
    assert conf["spark.sql.warehouse.dir"] == f"{spark}/warehouse"
    assert (
        f"databaseName={spark}/metastore_db;" in conf["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
    assert conf["spark.ui.enabled"] == "false"
    assert conf["spark.master"] == "local[2]"
    assert conf["spark.sql.session.timeZone"] == "UTC"


def test_the_spark_session_logs_errors_only():
    # Spark's default logs a warning per dbt node; the profile points the JVM at a file emg writes
    options = session_conf("spark")["spark.driver.extraJavaOptions"]
    log_config = state_dir() / "spark" / "log4j2.properties"
    assert f"-Dlog4j2.configurationFile={log_config}" in options.split()
    assert "rootLogger.level = error" in log_config.read_text().splitlines()


def test_a_postgres_target_is_not_a_spark_session():
    with pytest.raises(EmgError, match="not a Spark session target"):
        session_conf("prod")


def test_spark_tables_have_the_raw_columns_in_order_with_their_types():
    assert set(SPARK_TABLES) == set(COLUMNS)
    for table, columns in COLUMNS.items():
        schema = spark_schema(table)
        assert [part.split("`")[1] for part in schema.split(", ")] == list(columns)
        for column, spark_type in TYPES[table].items():
            assert f"`{column}` {spark_type}" in schema
    assert "`role` string" in spark_schema("User")  # an enum column: a string on Spark


def test_a_naive_generated_timestamp_is_given_to_spark_as_the_same_utc_instant():
    naive = datetime(2026, 3, 29, 1, 30)
    assert spark_value(naive) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    aware = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert spark_value(aware) is aware
    assert spark_value("BDR") == "BDR" and spark_value(None) is None
