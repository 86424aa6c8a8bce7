"""The CRM's enum columns in both shapes a replica can have (contract §2): PostgreSQL enum types, as
Prisma Migrate creates them and a logical replica or a restore keeps them, and text, as most
replication tools write them. The same generated data and the same as_of, built once in each
shape, give the same public marts, and every unit test passes in both builds.

One module-scoped fixture generates and builds each shape and snapshots the marts right after
its build. The marts hold no build-time column (every value derives from the data and as_of,
contract §3), so whole rows are compared: a row count and an order-independent checksum per table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from conftest import query, run_emg

from emg import warehouse as wh
from emg.simulator.tables import ENUM_COLUMNS

AS_OF = "2026-11-25T12:00:00Z"
SHAPES = ("enum", "text")

MART_TABLES = """
    select tables.relname
    from pg_class as tables
    inner join pg_namespace as schemas on tables.relnamespace = schemas.oid
    where schemas.nspname = 'marts' and tables.relkind in ('r', 'p', 'v', 'm')
    order by 1
"""
ENUM_COLUMN_TYPES = """
    select table_name, column_name, data_type
    from information_schema.columns
    where table_schema = 'crm' and (table_name, column_name) in %(columns)s
"""


@dataclass
class Built:
    """What one generate + build in one shape left behind, read back right after the build."""

    code: int
    output: str
    # (table, column) -> information_schema's data_type of the CRM's enum columns
    enum_column_types: dict[tuple[str, str], str] = field(default_factory=dict)
    # mart -> (rows, md5 over the sorted md5s of its rows)
    marts: dict[str, tuple[int, str]] = field(default_factory=dict)
    # the unit tests the build reported as passed: model::test
    unit_tests_passed: set[str] = field(default_factory=set)


def _generate_and_build(shape: str) -> Built:
    run_emg("crm", "generate", "--as-of", AS_OF, "--enum-columns", shape)
    build = run_emg("build", "--as-of", AS_OF, check=False)
    output = build.stdout + build.stderr
    built = Built(
        code=build.returncode,
        output=output,
        unit_tests_passed=set(re.findall(r"\bPASS (\w+::\w+)", output)),
    )
    conn = wh.connect()
    conn.autocommit = True
    try:
        built.enum_column_types = {
            (table, column): data_type
            for table, column, data_type in query(
                conn, ENUM_COLUMN_TYPES, {"columns": tuple(ENUM_COLUMNS)}
            )
        }
        if build.returncode == 0:
            for (mart,) in query(conn, MART_TABLES):
                built.marts[mart] = query(
                    conn,
                    f"select count(*), md5(coalesce(string_agg(md5(t::text), '' "
                    f"order by md5(t::text)), '')) from marts.{mart} as t",
                )[0]
    finally:
        conn.close()
    return built


@pytest.fixture(scope="module")
def shapes(warehouse) -> dict[str, Built]:
    return {shape: _generate_and_build(shape) for shape in SHAPES}


def _assert_built(built: Built) -> None:
    assert built.code == 0, built.output[-6000:]
    assert re.search(r"Done\. PASS=\d+ WARN=[01] ERROR=0 SKIP=0\b", built.output), built.output[
        -3000:
    ]
    # the one warning the simulated CRM earns by design: its copies of the sales feed disagree
    # with the feed on a few leads (audit.crm_sales_reconciliation, contract §4)
    warned = re.findall(r"WARN \d+ (\w+) \.", built.output)
    assert set(warned) <= {"assert_crm_sales_copies_match_the_feed"}, built.output[-3000:]


def test_each_shape_is_loaded_as_asked(shapes):
    assert shapes["enum"].enum_column_types == dict.fromkeys(ENUM_COLUMNS, "USER-DEFINED")
    assert shapes["text"].enum_column_types == dict.fromkeys(ENUM_COLUMNS, "text")


def test_enum_types_and_text_build_with_every_unit_test_passing(shapes):
    for built in shapes.values():
        _assert_built(built)
    enum_tests, text_tests = shapes["enum"].unit_tests_passed, shapes["text"].unit_tests_passed
    assert enum_tests == text_tests
    # the unit tests on the crm sources, whose fixtures dbt casts to the source columns' types
    for model in ("users", "pipeline_items", "activity_logs", "kpi_targets", "sublists"):
        assert any(name.startswith(f"base_crm__{model}::") for name in enum_tests), model


def test_enum_types_and_text_give_the_same_public_marts(shapes):
    for built in shapes.values():
        _assert_built(built)
    enum_marts, text_marts = shapes["enum"].marts, shapes["text"].marts
    assert {"fct_calls", "dim_bdrs", "pipeline_health", "alerts"} <= set(enum_marts)
    assert enum_marts["fct_calls"][0] > 500, "the marts hold the generated data"
    differing = {
        mart: (enum_marts.get(mart), text_marts.get(mart))
        for mart in enum_marts.keys() | text_marts.keys()
        if enum_marts.get(mart) != text_marts.get(mart)
    }
    assert differing == {}
