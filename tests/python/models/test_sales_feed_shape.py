"""A sales feed written by other means than `emg sales load`: exactly contract §2's columns."""

from __future__ import annotations

import pytest
from conftest import query, run_emg

AS_OF = "2026-11-25T15:00:00Z"
# contract §2's columns and nothing else: no loaded_at, no key, made by hand as a finance
# team's replication would, not by the project's DDL
CONTRACT_FEED = """
    create table sales_ext.sales (
        sale_id text,
        pipeline_item_id text,
        sold_at timestamptz,
        amount numeric,
        currency text
    )
"""


@pytest.fixture(scope="module")
def contract_feed(warehouse, db_module):
    run_emg("crm", "generate", "--as-of", AS_OF, "--no-sales-feed")
    query(db_module, "create schema if not exists sales_ext")
    query(db_module, "drop table if exists sales_ext.sales, sales_ext.sales_history cascade")
    query(db_module, CONTRACT_FEED)
    leads = [
        lead
        for (lead,) in query(
            db_module,
            'select id from crm."PipelineItem" where "sublistId" is null and "deletedAt" is null'
            " order by id limit 2",
        )
    ]
    query(
        db_module,
        "insert into sales_ext.sales values"
        " ('s1', %s, '2026-11-20 10:00+00', 120.00, 'GBP'),"
        " ('s2', %s, '2026-11-21 11:00+00', 80.00, 'GBP'),"
        " ('s2', %s, '2026-11-21 11:00+00', 85.00, 'GBP'),"  # the same sale twice
        # currencies as a finance team writes them (contract §4, v2): trimmed and upper-cased
        # before they are matched; a code with no rate, and a blank one
        " ('s3', %s, '2026-11-22 09:00+00', 50.00, ' gbp '),"
        " ('s4', %s, '2026-11-22 10:00+00', 100.00, 'EUR'),"
        " ('s5', %s, '2026-11-22 11:00+00', 10.00, 'CHF'),"
        " ('s6', %s, '2026-11-22 12:00+00', 20.00, '   ')",
        (leads[0], leads[1], leads[1], leads[0], leads[0], leads[0], leads[0]),
    )
    yield run_emg("build", "--as-of", AS_OF)
    query(db_module, "drop table if exists sales_ext.sales cascade")


@pytest.fixture(scope="module")
def db_module(warehouse):
    from emg import warehouse as wh

    conn = wh.connect(warehouse)
    conn.autocommit = True
    yield conn
    conn.close()


def test_a_feed_with_only_the_contracts_columns_builds_and_every_row_is_accounted_for(
    contract_feed, db_module
):
    assert contract_feed.returncode == 0
    [(sales,)] = query(db_module, "select count(*) from marts.fct_sales")
    assert sales == 6  # s1, one of the two rows of s2, and s3 to s6
    rejected = query(
        db_module,
        "select source_id, reason from audit.rejected_rows where source_table = 'sales_ext.sales'",
    )
    assert rejected == [("s2", "duplicate")]  # the other row of s2: kept, with its reason
    [(loaded_at,)] = query(db_module, "select count(loaded_at) from staging.stg_sales_ext__sales")
    assert loaded_at == 0  # read as null: the contract does not require it


def test_revenue_is_in_the_reporting_currency_and_a_sale_without_a_rate_is_listed(
    contract_feed, db_module
):
    revenue = dict(
        query(db_module, "select sale_id, revenue from marts.fct_sales where sale_id <> 's2'")
    )
    # GBP at 1 (' gbp ' is GBP), EUR at the seed's 0.86; CHF has no rate and a blank
    # currency none: both are sales that add nothing to revenue
    assert {
        sale: (float(value) if value is not None else None) for sale, value in revenue.items()
    } == {"s1": 120.0, "s3": 50.0, "s4": 86.0, "s5": None, "s6": None}
    unrated = query(
        db_module, "select sale_id, currency, reason from audit.sales_without_rate order by 1"
    )
    assert unrated == [("s5", "CHF", "no_rate"), ("s6", None, "no_currency")]
    [(status,)] = query(
        db_module,
        "select freshness_status from audit.source_freshness"
        " where source_table = 'sales_ext.sales'",
    )
    assert status == "not measured"  # no loaded_at: freshness is not measured, not failed


def test_a_feed_without_a_column_the_contract_requires_stops_the_build_naming_it(
    contract_feed, db_module
):
    # as a replica that lost the column would be: the views on it go too
    query(db_module, "alter table sales_ext.sales drop column currency cascade")
    result = run_emg("build", "--as-of", AS_OF, "--select", "base_sales_ext__sales", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "has no column currency, which contract §2 requires" in result.stdout + result.stderr
