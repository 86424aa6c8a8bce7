"""`emg sales load`: a finance export is upserted by sale_id, or refused whole."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from conftest import query, run_emg

from orchestration.errors import EmgError
from orchestration.sales_feed import parse_sales, read_sales

HEADER = "sale_id,pipeline_item_id,sold_at,amount,currency"
GOOD_ROWS = [
    "S1,item-a,2026-10-01T10:00:00+01:00,100.00,GBP",
    "S2,item-b,2026-10-02T09:30:00Z,250.50,GBP",
    "S3,item-c,2026-10-03 12:00:00,-20.00,GBP",  # naive is UTC; negative is loaded, flagged later
    "S4,,2026-10-04T08:00:00.123+00:00,75,EUR",
]
NEW_ROW = "S9,item-z,2026-10-09T10:00:00Z,999.00,GBP"


def write(tmp_path, lines: list[str], name: str = "sales.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def snapshot(db) -> list[tuple]:
    """Every row with its physical version (xmin): a rewritten row shows up even if equal."""
    return query(
        db,
        "select sale_id, pipeline_item_id, sold_at, amount, currency, loaded_at, xmin::text "
        "from sales_ext.sales order by sale_id",
    )


@pytest.fixture()
def no_feed(warehouse, db):
    """No sales_ext.sales table: the loader must create it."""
    query(db, "drop table if exists sales_ext.sales cascade")


@pytest.fixture()
def loaded(no_feed, db, tmp_path) -> list[tuple]:
    """The good file, loaded once; its rows."""
    run_emg("sales", "load", str(write(tmp_path, [HEADER, *GOOD_ROWS], "good.csv")))
    return snapshot(db)


def test_a_good_file_loads_every_row_with_its_values(no_feed, db, tmp_path):
    result = run_emg("sales", "load", str(write(tmp_path, [HEADER, *GOOD_ROWS])))
    assert result.stdout.strip().endswith(
        "4 sales read; 4 new, 0 changed, 0 unchanged in sales_ext.sales"
    )
    rows = {row[0]: row for row in snapshot(db)}
    assert sorted(rows) == ["S1", "S2", "S3", "S4"]
    assert sum(row[3] for row in rows.values()) == Decimal("405.50")
    assert rows["S1"][2] == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    assert rows["S3"][2] == datetime(2026, 10, 3, 12, 0, tzinfo=UTC)
    assert rows["S3"][3] == Decimal("-20.00")
    assert rows["S4"][1] is None and rows["S4"][4] == "EUR"


def test_loading_the_same_file_twice_changes_nothing(loaded, db, tmp_path):
    result = run_emg("sales", "load", str(write(tmp_path, [HEADER, *GOOD_ROWS], "again.csv")))
    assert "0 new, 0 changed, 4 unchanged" in result.stdout
    assert snapshot(db) == loaded  # same values, same loaded_at, not even rewritten


def test_a_changed_row_is_updated_and_only_that_row(loaded, db, tmp_path):
    changed = [GOOD_ROWS[0], GOOD_ROWS[1].replace("250.50", "260.00"), *GOOD_ROWS[2:], NEW_ROW]
    result = run_emg("sales", "load", str(write(tmp_path, [HEADER, *changed], "changed.csv")))
    assert "1 new, 1 changed, 3 unchanged" in result.stdout
    before, after = {r[0]: r for r in loaded}, {r[0]: r for r in snapshot(db)}
    assert after["S2"][3] == Decimal("260.00") and after["S2"][5] > before["S2"][5]
    assert all(after[sale] == before[sale] for sale in ("S1", "S3", "S4"))
    assert "S9" in after


BAD_FILES = {
    "missing column": (
        ["sale_id,pipeline_item_id,sold_at,amount", "S9,item-z,2026-10-09T10:00:00Z,999.00"],
        "line 1: missing column currency",
    ),
    "unparseable date": (
        [HEADER, *GOOD_ROWS[:2], "S9,item-z,yesterday,999.00,GBP", *GOOD_ROWS[2:]],
        "line 4: sold_at 'yesterday' is not an ISO-8601 timestamp",
    ),
    "unparseable amount": (
        [HEADER, *GOOD_ROWS, "S9,item-z,2026-10-09T10:00:00Z,twelve,GBP"],
        "line 6: amount 'twelve' is not a number",
    ),
    "duplicate sale_id in the file": (
        [HEADER, NEW_ROW, *GOOD_ROWS, GOOD_ROWS[1]],
        "line 7: sale_id 'S2' already appears on line 4",
    ),
    "empty sale_id": (
        [HEADER, NEW_ROW, ",item-y,2026-10-09T10:00:00Z,5.00,GBP", *GOOD_ROWS],
        "line 3: sale_id is empty",
    ),
    "a row with a missing field": (
        [HEADER, NEW_ROW, "S8,item-y,2026-10-09T10:00:00Z,5.00"],
        "line 3: expected 5 fields, found 4",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_is_refused_whole_in_one_line(loaded, db, tmp_path, kind):
    lines, problem = BAD_FILES[kind]
    path = write(tmp_path, lines, "bad.csv")
    result = run_emg("sales", "load", str(path), check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"emg: error: {path} {problem}")
    assert result.stderr.endswith("; nothing was loaded\n")
    assert snapshot(db) == loaded


def test_a_missing_sales_schema_is_created(warehouse, db, tmp_path):
    query(db, "drop schema if exists sales_ext cascade")
    run_emg("sales", "load", str(write(tmp_path, [HEADER, NEW_ROW])))
    assert query(db, "select sale_id from sales_ext.sales") == [("S9",)]


def test_the_header_may_come_in_any_order_after_a_bom_and_blank_lines(tmp_path):
    path = tmp_path / "excel.csv"
    text = "\ncurrency,amount,sold_at,sale_id,pipeline_item_id\n\nGBP,1.5,2026-10-01,S1,x\n"
    path.write_text(text, encoding="utf-8-sig")
    (sale,) = read_sales(path)
    assert (sale.sale_id, sale.amount, sale.currency) == ("S1", Decimal("1.5"), "GBP")
    assert sale.sold_at == datetime(2026, 10, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER + ",note\n", "f.csv line 1: unexpected column note"),
        ("", "f.csv is empty"),
        (HEADER + "\nS1,x,2026-10-01,NaN,GBP\n", "f.csv line 2: amount 'NaN' is not a number"),
        (HEADER + "\nS1,x,2026-10-01,1e12,GBP\n", "f.csv line 2: amount '1e12' is too large"),
    ],
)
def test_parse_refuses_what_the_table_cannot_hold(text, message):
    with pytest.raises(EmgError) as refused:
        parse_sales(text, "f.csv")
    assert str(refused.value).startswith(message)
    assert str(refused.value).endswith("; nothing was loaded")
