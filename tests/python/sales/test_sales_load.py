"""`emg sales load`: a finance export is upserted by sale_id, or refused whole."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from conftest import EMG, REPO, query, run_emg

from emg.errors import EmgError
from emg.project_vars import plausible_window
from emg.sales_feed import parse_sales, read_sales

HEADER = "sale_id,pipeline_item_id,sold_at,amount,currency"
GOOD_ROWS = [
    "S1,item-a,2026-10-01T10:00:00+01:00,100.00,GBP",
    "S2,item-b,2026-10-02T09:30:00Z,250.50,GBP",
    "S3,item-c,2026-10-03 12:00:00,-20.00,GBP",  # naive is UTC; negative is loaded, flagged later
    "S4,,2026-10-04T08:00:00.123+00:00,75,EUR",
]
NEW_ROW = "S9,item-z,2026-10-09T10:00:00Z,999.00,GBP"
WINDOW = plausible_window(datetime.now(UTC))


def write(tmp_path, lines: list[str], name: str = "sales.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def parse(text: str) -> list:
    return list(parse_sales(io.StringIO(text, newline=""), "f.csv", WINDOW))


def snapshot(db) -> list[tuple]:
    """Every row with its physical version (xmin): a rewritten row shows up even if equal."""
    return query(
        db,
        "select sale_id, pipeline_item_id, sold_at, amount, currency, loaded_at, xmin::text "
        "from sales_ext.sales order by sale_id",
    )


def history(db) -> list[tuple]:
    return query(
        db,
        "select sale_id, pipeline_item_id, sold_at, amount, currency, loaded_at, replaced_at "
        "from sales_ext.sales_history order by sale_id, replaced_at",
    )


def assert_refused(result, path, problem: str) -> None:
    """Exit 1 and one line: the file, the line and the problem; no traceback."""
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"emg: error: {path} {problem}"), result.stderr
    assert result.stderr.endswith("; nothing was loaded\n")


@pytest.fixture()
def no_feed(warehouse, db):
    """No sales_ext.sales table (nor its history): the loader must create them."""
    query(db, "drop table if exists sales_ext.sales, sales_ext.sales_history cascade")


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
    assert history(db) == []


def test_loading_the_same_file_twice_changes_nothing(loaded, db, tmp_path):
    result = run_emg("sales", "load", str(write(tmp_path, [HEADER, *GOOD_ROWS], "again.csv")))
    assert "0 new, 0 changed, 4 unchanged" in result.stdout
    assert snapshot(db) == loaded  # same values, same loaded_at, not even rewritten
    assert history(db) == []


def test_a_changed_row_is_updated_and_only_that_row(loaded, db, tmp_path):
    changed = [GOOD_ROWS[0], GOOD_ROWS[1].replace("250.50", "260.00"), *GOOD_ROWS[2:], NEW_ROW]
    result = run_emg("sales", "load", str(write(tmp_path, [HEADER, *changed], "changed.csv")))
    assert "1 new, 1 changed, 3 unchanged" in result.stdout
    before, after = {r[0]: r for r in loaded}, {r[0]: r for r in snapshot(db)}
    assert after["S2"][3] == Decimal("260.00") and after["S2"][5] > before["S2"][5]
    assert all(after[sale] == before[sale] for sale in ("S1", "S3", "S4"))
    assert "S9" in after


def test_a_changed_sale_keeps_its_old_version_in_the_history(loaded, db, tmp_path):
    changed = [
        GOOD_ROWS[0].replace("GBP", "EUR"),
        GOOD_ROWS[1].replace("250.50", "260.00"),
        *GOOD_ROWS[2:],
    ]
    path = write(tmp_path, [HEADER, *changed], "changed.csv")
    run_emg("sales", "load", str(path))
    before, after = {r[0]: r for r in loaded}, {r[0]: r for r in snapshot(db)}
    kept = history(db)
    # Each old version as it was, with its own loaded_at; replaced when the new one was written.
    assert kept == [(*before[sale][:6], after[sale][5]) for sale in ("S1", "S2")]
    assert kept[1][3] == Decimal("250.50")

    run_emg("sales", "load", str(path))  # the same file again: no new history
    assert history(db) == kept

    run_emg("sales", "load", str(write(tmp_path, [HEADER, *GOOD_ROWS], "back.csv")))
    assert [(row[0], row[3]) for row in history(db)] == [
        ("S1", Decimal("100.00")),
        ("S1", Decimal("100.00")),
        ("S2", Decimal("250.50")),
        ("S2", Decimal("260.00")),
    ]

    # The audit shows each restatement beside the sale as it is now.
    run_emg("build", "--select", "sales_feed_changes")
    changes = query(
        db,
        "select sale_id, previous_amount, current_amount, amount_change, previous_currency, "
        "current_currency from audit.sales_feed_changes order by sale_id, replaced_at",
    )
    assert changes == [
        ("S1", Decimal("100.00"), Decimal("100.00"), Decimal("0.00"), "GBP", "GBP"),
        ("S1", Decimal("100.00"), Decimal("100.00"), Decimal("0.00"), "EUR", "GBP"),
        ("S2", Decimal("250.50"), Decimal("250.50"), Decimal("0.00"), "GBP", "GBP"),
        ("S2", Decimal("260.00"), Decimal("250.50"), Decimal("-9.50"), "GBP", "GBP"),
    ]


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
    "a NUL character in a field": (
        [HEADER, NEW_ROW, "S8,item\x00y,2026-10-09T10:00:00Z,5.00,GBP", *GOOD_ROWS],
        "line 3: pipeline_item_id contains a NUL character (\\x00)",
    ),
    "an over-long sale_id": (
        [HEADER, *GOOD_ROWS, f"{'S' * 3000},item-y,2026-10-09T10:00:00Z,5.00,GBP"],
        "line 6: sale_id is 3,000 characters long (at most 200)",
    ),
    "an amount with three decimals": (
        [HEADER, NEW_ROW, "S8,item-y,2026-10-09T10:00:00Z,10.005,GBP"],
        "line 3: amount '10.005' has more than two decimals",
    ),
    "an amount with an underscore": (
        [HEADER, NEW_ROW, "S8,item-y,2026-10-09T10:00:00Z,1_000,GBP"],
        "line 3: amount '1_000' is not a number",
    ),
    "an amount in Arabic-Indic digits": (
        [HEADER, NEW_ROW, "S8,item-y,2026-10-09T10:00:00Z,١٢٣,GBP"],
        "line 3: amount '١٢٣' is not a number",
    ),
    "an unterminated quote": (
        [HEADER, NEW_ROW, 'S8,"item-y,2026-10-09T10:00:00Z,5.00,GBP', *GOOD_ROWS],
        "line 3: unterminated quoted field starting on line 3",
    ),
    "a quote closed lines later": (
        [HEADER, NEW_ROW, 'S8,"item-y,2026-10-09,5.00,GBP', 'S7,item",2026-10-09,5.00,GBP'],
        "line 3: pipeline_item_id contains the control character '\\n' "
        "(this row runs on to line 4: is a quote not closed?)",
    ),
    "sold in the year 26": (
        [HEADER, NEW_ROW, "S8,item-y,0026-10-09T10:00:00Z,5.00,GBP"],
        "line 3: sold_at '0026-10-09T10:00:00Z' is before 2000-01-01",
    ),
    "sold in the year 1": (
        [HEADER, NEW_ROW, "S8,item-y,0001-01-01,5.00,GBP"],
        "line 3: sold_at '0001-01-01' is before 2000-01-01",
    ),
    "sold in the year 10000": (
        [HEADER, NEW_ROW, "S8,item-y,10000-01-01T00:00:00Z,5.00,GBP"],
        "line 3: sold_at '10000-01-01T00:00:00Z' is not an ISO-8601 timestamp",
    ),
    "sold in the year 9999": (
        [HEADER, NEW_ROW, "S8,item-y,9999-12-31T00:00:00Z,5.00,GBP"],
        "line 3: sold_at '9999-12-31T00:00:00Z' is more than 730 days after this load",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_is_refused_whole_in_one_line(loaded, db, tmp_path, kind):
    lines, problem = BAD_FILES[kind]
    path = write(tmp_path, lines, "bad.csv")
    result = run_emg("sales", "load", str(path), check=False)
    assert_refused(result, path, problem)
    assert snapshot(db) == loaded
    assert history(db) == []


def test_a_header_without_sales_is_refused(loaded, db, tmp_path):
    path = write(tmp_path, [HEADER, "", ""], "header.csv")
    result = run_emg("sales", "load", str(path), check=False)
    assert result.returncode == 1
    assert result.stderr == f"emg: error: no sales in {path} (only a header); nothing was loaded\n"
    assert snapshot(db) == loaded


def test_a_file_that_is_not_utf8_is_refused_at_its_line(loaded, db, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "\n".join([HEADER, *GOOD_ROWS, "S8,caf\xe9,2026-10-09,5,GBP"]).encode("latin-1")
    )
    result = run_emg("sales", "load", str(path), check=False)
    assert_refused(result, path, "line 6: not UTF-8 text")
    assert snapshot(db) == loaded


def test_what_only_the_warehouse_refuses_is_named_by_its_line(warehouse, db, tmp_path):
    """A LATIN1 database cannot hold 销: the COPY's error is mapped back to the file's line."""
    query(db, "drop database if exists emg_sales_latin1")
    query(db, "create database emg_sales_latin1 encoding 'LATIN1' template template0 locale 'C'")
    try:
        path = write(tmp_path, [HEADER, NEW_ROW, "", "S8,item-销,2026-10-09,5,GBP", *GOOD_ROWS])
        env = {**warehouse.libpq_env(), "PGDATABASE": "emg_sales_latin1"}
        result = run_emg("sales", "load", str(path), check=False, env=env)
        assert_refused(result, path, "line 4: the warehouse refused it (character with byte")
    finally:
        query(db, "drop database if exists emg_sales_latin1 with (force)")


def test_a_missing_sales_schema_is_created(warehouse, db, tmp_path):
    query(db, "drop schema if exists sales_ext cascade")
    run_emg("sales", "load", str(write(tmp_path, [HEADER, NEW_ROW])))
    assert query(db, "select sale_id from sales_ext.sales") == [("S9",)]
    assert history(db) == []


def test_a_large_file_streams_in_bounded_memory(no_feed, db, tmp_path):
    """200,000 rows (about 14 MB): the loader's peak memory barely grows with the file."""
    big = tmp_path / "big.csv"
    with big.open("w") as out:
        out.write(HEADER + "\n")
        for n in range(200_000):
            out.write(f"BIG-{n:08d},item-{n % 997},2026-10-01T10:{n % 60:02d}:00Z,{n}.25,GBP\n")
    small = write(tmp_path, [HEADER, NEW_ROW], "small.csv")

    def peak_mb(path) -> float:
        """The load's peak RSS, from a parent process whose only child is the load."""
        measure = (
            "import resource, subprocess, sys; "
            "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        result = subprocess.run(
            [sys.executable, "-c", measure, EMG, "sales", "load", str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            timeout=120,
        )
        return int(result.stdout) / 1024

    baseline, large = peak_mb(small), peak_mb(big)
    assert query(db, "select count(*) from sales_ext.sales") == [(200_001,)]
    assert large < 300, f"peak {large:.0f} MB"
    assert large - baseline < 50, f"peak {large:.0f} MB against {baseline:.0f} MB for one row"


def test_the_header_may_come_in_any_order_after_a_bom_and_blank_lines(tmp_path):
    path = tmp_path / "excel.csv"
    text = "\ncurrency,amount,sold_at,sale_id,pipeline_item_id\n\nGBP,1.5,2026-10-01,S1,x\n"
    path.write_text(text, encoding="utf-8-sig")
    ((line, sale),) = read_sales(path, WINDOW)
    assert line == 4
    assert (sale.sale_id, sale.amount, sale.currency) == ("S1", Decimal("1.5"), "GBP")
    assert sale.sold_at == datetime(2026, 10, 1, tzinfo=UTC)


def test_a_line_too_long_to_be_a_sale_is_refused_before_it_is_read_whole(tmp_path):
    path = write(tmp_path, [HEADER, NEW_ROW, "x" * 50_000])
    with pytest.raises(EmgError) as refused:
        list(read_sales(path, WINDOW))
    assert str(refused.value).startswith(f"{path} line 3: longer than 10,000 characters")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER + ",note\n", "f.csv line 1: unexpected column note"),
        ("", "f.csv is empty"),
        (HEADER + "\n\n", "no sales in f.csv"),
        (HEADER + "\nS1,x,2026-10-01,NaN,GBP\n", "f.csv line 2: amount 'NaN' is not a number"),
        (HEADER + "\nS1,x,2026-10-01,1e3,GBP\n", "f.csv line 2: amount '1e3' is not a number"),
        (HEADER + "\nS1,x,2026-10-01,+5,GBP\n", "f.csv line 2: amount '+5' is not a number"),
        (HEADER + "\nS1,x,2026-10-01,12345678901,GBP\n", "f.csv line 2: amount '12345678901' "),
        (HEADER + "\nS\t1,x,2026-10-01,1,GBP\n", "f.csv line 2: sale_id contains the control"),
        (HEADER + f"\nS1,x,2026-10-01,1,{'G' * 201}\n", "f.csv line 2: currency is 201 char"),
        (HEADER + '\nS1,"x"y,2026-10-01,1,GBP\n', "f.csv line 2: a closing quote must be"),
        (HEADER + '\nS1,x,2026-10-01,1,GBP\nS2,"y\n\n', "f.csv line 3: unterminated quoted"),
    ],
)
def test_parse_refuses_what_the_table_cannot_hold(text, message):
    with pytest.raises(EmgError) as refused:
        parse(text)
    assert str(refused.value).startswith(message)
    assert str(refused.value).endswith("; nothing was loaded")


def test_amounts_with_up_to_two_decimals_are_read_exactly():
    rows = [f"S{n},x,2026-10-01,{amount},GBP" for n, amount in enumerate(["7", "-0.5", " 9.99 "])]
    assert [sale.amount for _, sale in parse("\n".join([HEADER, *rows]))] == [
        Decimal("7"),
        Decimal("-0.5"),
        Decimal("9.99"),
    ]


def test_the_plausible_window_comes_from_the_dbt_vars(tmp_path):
    project = tmp_path / "dbt_project.yml"
    project.write_text(
        'vars:\n  earliest_plausible_date: "2020-01-01"\n  plausible_days_ahead: 7\n'
    )
    now = datetime(2026, 12, 1, tzinfo=UTC)
    window = plausible_window(now, project)
    assert (window.earliest, window.latest) == (
        datetime(2020, 1, 1, tzinfo=UTC),
        now + timedelta(7),
    )
    rows = [HEADER, "S1,x,2019-12-31T23:59:59Z,1,GBP"]
    with pytest.raises(EmgError, match="line 2: sold_at '2019-12-31T23:59:59Z' is before 2020"):
        list(parse_sales(rows, "f.csv", window))
    assert len(list(parse_sales([HEADER, "S1,x,2026-12-08,1,GBP"], "f.csv", window))) == 1
    with pytest.raises(EmgError, match="line 2: sold_at '2026-12-08T00:00:01' is more than 7 days"):
        list(parse_sales([HEADER, "S1,x,2026-12-08T00:00:01,1,GBP"], "f.csv", window))


def test_the_window_needs_both_dbt_vars(tmp_path):
    project = tmp_path / "dbt_project.yml"
    project.write_text('vars:\n  earliest_plausible_date: "2020-01-01"\n')
    with pytest.raises(EmgError, match="plausible_days_ahead"):
        plausible_window(datetime.now(UTC), project)
