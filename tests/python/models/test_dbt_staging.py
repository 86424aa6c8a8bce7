"""The dbt staging layer against the simulator's data (contract §8): every raw row ends in a clean
staging model or in audit.rejected_rows, and each kind of bad row is rejected or kept and
flagged as the staging models' YAML says.

Each scenario (clean data; 20 bad rows of each kind; 200 bad rows of each kind without a sales
feed) generates data and runs one `emg build` in a module-scoped fixture, then snapshots what
the tests need, so the tests do not depend on the order they run in or on the warehouse's state
afterwards. Three builds in all. The clean data has the CRM's enum columns as Prisma creates
them (enum types); the bad rows are loaded with them as text, the shape in which a replica can
hold any value at all (test_prisma_shapes.py builds both shapes on the same data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from conftest import query, run_emg

from emg import warehouse as wh

AS_OF = "2026-11-25T12:00:00Z"
AS_OF_UTC = datetime(2026, 11, 25, 12, 0, 0)

TABLES = (
    "crm.User",
    "crm.PipelineItem",
    "crm.Sublist",
    "crm.ActivityLog",
    "crm.KpiTarget",
    "sales_ext.sales",
)
RAW = {
    "crm.User": 'crm."User"',
    "crm.PipelineItem": 'crm."PipelineItem"',
    "crm.Sublist": 'crm."Sublist"',
    "crm.ActivityLog": 'crm."ActivityLog"',
    "crm.KpiTarget": 'crm."KpiTarget"',
    "sales_ext.sales": "sales_ext.sales",
}
STAGING = {
    "crm.User": "staging.stg_crm__users",
    "crm.PipelineItem": "staging.stg_crm__pipeline_items",
    "crm.Sublist": "staging.stg_crm__sublists",
    "crm.ActivityLog": "staging.stg_crm__activity_logs",
    "crm.KpiTarget": "staging.stg_crm__kpi_targets",
    "sales_ext.sales": "staging.stg_sales_ext__sales",
}
# The column the simulator marks a bad row in ('BAD:<kind> ...'), raw and staged.
RAW_ID = {table: "sale_id" if table == "sales_ext.sales" else "id" for table in TABLES}
RAW_MARKER = {
    "crm.User": "name",
    "crm.PipelineItem": "name",
    "crm.Sublist": "name",
    "crm.ActivityLog": "notes",
    "sales_ext.sales": "sale_id",
}
STAGED_MARKER = {
    "crm.User": "user_name",
    "crm.PipelineItem": "item_name",
    "crm.Sublist": "sublist_name",
    "crm.ActivityLog": "notes",
    "sales_ext.sales": "sale_id",
}
DEDUPLICATED = ("crm.User", "crm.PipelineItem", "crm.Sublist", "crm.ActivityLog")


@dataclass
class Scenario:
    """What one generate + build left behind, read back right after the build."""

    generate_output: str
    build_code: int
    build_output: str
    sales_feed_exists: bool
    # source_table -> (raw rows, clean rows, rejected rows)
    counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    # (source_table, marker, reason, raw_row) of every marked row in audit.rejected_rows
    rejected: list[tuple[str, str, str, dict]] = field(default_factory=list)
    # (source_table, marker, staged row) of every marked row in a clean staging model
    kept: list[tuple[str, str, dict]] = field(default_factory=list)
    # source_table -> (duplicate raw rows by id, rows rejected as duplicate)
    duplicates: dict[str, tuple[int, int]] = field(default_factory=dict)
    # ids whose kept staging row is not the raw row with the latest updatedAt
    stale_kept: list[tuple[str, str]] = field(default_factory=list)
    # (metric, has_unknown_metric) of KPI targets whose metric is not a known one
    unknown_metrics: list[tuple[str, bool]] = field(default_factory=list)
    raw_unknown_metrics: int = 0


def _relation_exists(conn, name: str) -> bool:
    return query(conn, "select to_regclass(%s) is not null", (name,))[0][0]


def _snapshot(generate_output: str, build) -> Scenario:
    conn = wh.connect()
    conn.autocommit = True
    try:
        has_sales = _relation_exists(conn, "sales_ext.sales")
        scenario = Scenario(
            generate_output=generate_output,
            build_code=build.returncode,
            build_output=build.stdout + build.stderr,
            sales_feed_exists=has_sales,
        )
        if build.returncode != 0:
            return scenario
        rejected_counts = dict(
            query(conn, "select source_table, count(*) from audit.rejected_rows group by 1")
        )
        for table in TABLES:
            raw = 0
            if table != "sales_ext.sales" or has_sales:
                raw = query(conn, f"select count(*) from {RAW[table]}")[0][0]
            clean = query(conn, f"select count(*) from {STAGING[table]}")[0][0]
            scenario.counts[table] = (raw, clean, rejected_counts.get(table, 0))

        scenario.rejected = query(
            conn,
            """
            select source_table, marker, reason, raw_row
            from (
                select
                    *,
                    coalesce(raw_row ->> 'notes', raw_row ->> 'name', raw_row ->> 'sale_id')
                        as marker
                from audit.rejected_rows
            ) as rejected
            where marker like 'BAD:%'
            """,
        )
        for table, column in STAGED_MARKER.items():
            rows = query(
                conn,
                f"select {column}, to_jsonb(staged) from {STAGING[table]} as staged "
                f"where {column} like 'BAD:%'",
            )
            scenario.kept += [(table, marker, row) for marker, row in rows]

        for table in DEDUPLICATED:
            surplus = query(
                conn,
                f"select count(id) - count(distinct id) from {RAW[table]}",
            )[0][0]
            rejected = query(
                conn,
                "select count(*) from audit.rejected_rows "
                "where source_table = %s and reason = 'duplicate'",
                (table,),
            )[0][0]
            scenario.duplicates[table] = (surplus, rejected)
        for table, key in (
            ("crm.User", "user_id"),
            ("crm.PipelineItem", "pipeline_item_id"),
            ("crm.ActivityLog", "activity_log_id"),
        ):
            scenario.stale_kept += [
                (table, row[0])
                for row in query(
                    conn,
                    f"""
                    select staged.{key}
                    from {STAGING[table]} as staged
                    inner join (
                        select id, max("updatedAt") as latest
                        from {RAW[table]}
                        group by id
                    ) as raw on staged.{key} = raw.id
                    where staged.updated_at is distinct from raw.latest
                    """,
                )
            ]
        known = "('CALLS_COMPLETED', 'AGREEMENTS', 'LISTS_OUT', 'UPCOMING_CALLS', 'SALES')"
        scenario.unknown_metrics = query(
            conn,
            f"select metric, has_unknown_metric from staging.stg_crm__kpi_targets "
            f"where metric not in {known}",
        )
        scenario.raw_unknown_metrics = query(
            conn,
            f'select count(*) from crm."KpiTarget" '
            f"where id is not null and upper(trim(cast(metric as text))) not in {known}",
        )[0][0]
        return scenario
    finally:
        conn.close()


def _scenario(*generate_args: str) -> Scenario:
    generated = run_emg("crm", "generate", "--as-of", AS_OF, *generate_args)
    build = run_emg("build", "--as-of", AS_OF, check=False)
    return _snapshot(generated.stdout, build)


@pytest.fixture(scope="module")
def clean(warehouse) -> Scenario:
    return _scenario()


@pytest.fixture(scope="module")
def bad_rows(warehouse) -> Scenario:
    return _scenario("--bad-rows", "20", "--enum-columns", "text")


@pytest.fixture(scope="module")
def many_bad_rows_no_sales(warehouse) -> Scenario:
    return _scenario("--bad-rows", "200", "--no-sales-feed", "--enum-columns", "text")


def _assert_built(scenario: Scenario) -> None:
    assert scenario.build_code == 0, scenario.build_output[-6000:]


def _unbalanced(scenario: Scenario) -> dict[str, tuple[int, int, int]]:
    return {
        table: (raw, clean, rejected)
        for table, (raw, clean, rejected) in scenario.counts.items()
        if raw != clean + rejected
    }


def _kind_and_column(marker: str) -> tuple[str, str | None]:
    """'BAD:orphan pipelineItemId: x' -> ('orphan', 'pipelineItemId'); a sale: (kind, None)."""
    found = re.match(r"BAD:(\w+)(?::\d+$|\s+(\w+))", marker)
    assert found, f"unexpected marker {marker!r}"
    return found.group(1), found.group(2)


def _of_kind(scenario: Scenario, kind: str):
    rejected = [row for row in scenario.rejected if _kind_and_column(row[1])[0] == kind]
    kept = [row for row in scenario.kept if _kind_and_column(row[1])[0] == kind]
    return rejected, kept


# --- clean data -----------------------------------------------------------------------------


def test_build_on_clean_data_passes_with_no_warnings_and_no_rejections(clean):
    _assert_built(clean)
    # the one warning: the simulated CRM's copies of the sales feed disagree with it on a few
    # leads by design, for audit.crm_sales_reconciliation to find (contract §4)
    warned = re.findall(r"WARN \d+ (\w+) \.", clean.build_output)
    assert warned == ["assert_crm_sales_copies_match_the_feed"], clean.build_output[-6000:]
    summary = re.findall(r"Done\. PASS=\d+ WARN=(\d+) ERROR=(\d+)", clean.build_output)
    assert summary == [("1", "0")], clean.build_output[-6000:]
    assert _unbalanced(clean) == {}
    rejected = {table: counts[2] for table, counts in clean.counts.items() if counts[2]}
    assert rejected == {}
    assert clean.counts["sales_ext.sales"][1] > 0, "the clean data has a sales feed"


# --- bad rows: every row accounted for --------------------------------------------------------


def test_every_raw_row_is_clean_or_rejected_with_bad_rows(bad_rows):
    _assert_built(bad_rows)
    assert re.search(r"PASS assert_raw_rows_are_clean_or_rejected\b", bad_rows.build_output)
    assert _unbalanced(bad_rows) == {}
    assert bad_rows.rejected and bad_rows.kept, "the simulator marks its bad rows 'BAD:<kind>'"


# --- bad rows: one assertion per kind of defect ------------------------------------------------


def test_duplicates_are_rejected_and_the_latest_version_kept(bad_rows):
    _assert_built(bad_rows)
    rejected, kept = _of_kind(bad_rows, "duplicate")
    problems = [("kept", table, marker) for table, marker, _ in kept]
    problems += [
        (reason, table, marker) for table, marker, reason, _ in rejected if reason != "duplicate"
    ]
    # exact copies carry no mark: every surplus row of an id is rejected as a duplicate
    problems += [
        ("surplus rows != duplicates rejected", table, counts)
        for table, counts in bad_rows.duplicates.items()
        if counts[0] != counts[1]
    ]
    problems += [("stale version kept", table, key) for table, key in bad_rows.stale_kept]
    assert rejected and not problems, problems


ORPHAN_REASONS = {
    ("crm.ActivityLog", "pipelineItemId"): "orphan_pipeline_item_id",
    ("crm.ActivityLog", "userId"): "orphan_user_id",
    ("crm.PipelineItem", "assignedToId"): "orphan_assigned_to_id",
    ("crm.Sublist", "parentItemId"): "orphan_parent_item_id",
    ("sales_ext.sales", None): "orphan_pipeline_item_id",
}


def test_orphans_are_rejected_naming_the_foreign_key(bad_rows):
    _assert_built(bad_rows)
    rejected, kept = _of_kind(bad_rows, "orphan")
    problems = [("kept", table, marker) for table, marker, _ in kept]
    for table, marker, reason, _ in rejected:
        expected = ORPHAN_REASONS.get((table, _kind_and_column(marker)[1]))
        if reason != expected:
            problems.append((reason, expected, table, marker))
    tables = {table for table, *_ in rejected}
    assert tables == {"crm.ActivityLog", "crm.PipelineItem", "crm.Sublist", "sales_ext.sales"}
    assert not problems, problems


UNKNOWN_ENUM_FLAGS = {
    ("crm.PipelineItem", "status"): "has_unknown_status",
    ("crm.ActivityLog", "type"): "has_unknown_type",
    ("crm.ActivityLog", "outcome"): "has_unknown_outcome",
    ("crm.User", "role"): "has_unknown_role",
}


def test_unknown_enum_values_are_kept_and_flagged(bad_rows):
    _assert_built(bad_rows)
    rejected, kept = _of_kind(bad_rows, "unknown_enum")
    problems = [("rejected", table, marker, reason) for table, marker, reason, _ in rejected]
    for table, marker, row in kept:
        if table == "sales_ext.sales":
            # a currency of spaces is none; 'XXX' is not the reporting GBP
            flagged = row["has_unknown_currency"] or row["is_other_currency"]
        else:
            flag = UNKNOWN_ENUM_FLAGS.get((table, _kind_and_column(marker)[1]))
            flagged = flag is not None and row[flag] is True
        if not flagged:
            problems.append(("not flagged", table, marker))
    # KPI targets carry no mark: every unknown metric is kept and flagged
    problems += [
        ("kpi target not flagged", metric) for metric, flag in bad_rows.unknown_metrics if not flag
    ]
    if len(bad_rows.unknown_metrics) != bad_rows.raw_unknown_metrics:
        problems.append(("kpi targets with unknown metrics lost", bad_rows.raw_unknown_metrics))
    assert kept and bad_rows.unknown_metrics and not problems, problems


NULL_REQUIRED_REASONS = {
    ("crm.ActivityLog", "id"): "missing_id",
    ("crm.ActivityLog", "type"): "missing_type",
    ("crm.ActivityLog", "userId"): "missing_user_id",
    ("crm.ActivityLog", "pipelineItemId"): "missing_pipeline_item_id",
    ("crm.ActivityLog", "createdAt"): "missing_created_at",
    ("crm.PipelineItem", "id"): "missing_id",
    ("crm.PipelineItem", "status"): "missing_status",
    ("crm.PipelineItem", "createdAt"): "missing_created_at",
    ("crm.User", "id"): "missing_id",
    ("crm.User", "role"): "missing_role",
}


def test_rows_missing_a_required_value_are_rejected_as_missing(bad_rows):
    _assert_built(bad_rows)
    rejected, kept = _of_kind(bad_rows, "null_required")
    problems = [("kept", table, marker) for table, marker, _ in kept]
    for table, marker, reason, raw_row in rejected:
        if table == "sales_ext.sales":
            expected = "missing_amount" if raw_row["amount"] is None else "missing_sold_at"
        else:
            expected = NULL_REQUIRED_REASONS.get((table, _kind_and_column(marker)[1]))
        if reason != expected:
            problems.append((reason, expected, table, marker))
    assert rejected and not problems, problems


FUTURE_NULLED = {
    "partnerListDueDate": "partner_list_due_at",
    "callDate": "call_at",
    "agreementDate": "agreement_at",
    "partnerListSentDate": "partner_list_sent_at",
    "firstSaleDate": "first_sale_at",
}


def test_future_timestamps_reject_activity_but_keep_leads_and_sales(bad_rows):
    _assert_built(bad_rows)
    rejected, kept = _of_kind(bad_rows, "future_timestamp")
    problems = [
        ("rejected", table, marker, reason)
        for table, marker, reason, _ in rejected
        if (table, reason) != ("crm.ActivityLog", "future_timestamp")
    ]
    for table, marker, row in kept:
        if table == "crm.PipelineItem":
            nulled = FUTURE_NULLED.get(_kind_and_column(marker)[1])
            # a due date is a plan, never "after updatedAt": the year 9999 is implausible
            flag = (
                "has_implausible_timestamp"
                if nulled == "partner_list_due_at"
                else ("has_future_timestamp")
            )
            if not (row[flag] and nulled and row[nulled] is None):
                problems.append(("not nulled and flagged", table, marker))
        elif table == "sales_ext.sales":
            # a sale after as_of is kept; it counts nowhere until as_of reaches it (contract §3)
            if datetime.fromisoformat(row["sold_at"]) <= AS_OF_UTC:
                problems.append(("not after as_of", table, marker))
        else:
            problems.append(("kept", table, marker))
    kept_tables = {table for table, *_ in kept}
    assert {table for table, *_ in rejected} == {"crm.ActivityLog"}, rejected
    assert kept_tables == {"crm.PipelineItem", "sales_ext.sales"}, kept
    assert not problems, problems


NEGATIVE_NULLED = {
    "partnerListSize": "partner_list_size",
    "totalSalesFromList": "total_sales_from_list",
}


def test_negative_values_are_nulled_on_items_and_rejected_on_sales(bad_rows):
    _assert_built(bad_rows)
    rejected, kept = _of_kind(bad_rows, "negative_value")
    problems = [
        ("rejected", table, marker, reason)
        for table, marker, reason, _ in rejected
        if (table, reason) != ("sales_ext.sales", "negative_amount")
    ]
    for table, marker, row in kept:
        nulled = NEGATIVE_NULLED.get(_kind_and_column(marker)[1])
        if table != "crm.PipelineItem" or not (
            row["has_negative_value"] and nulled and row[nulled] is None
        ):
            problems.append(("kept without its value nulled and flagged", table, marker))
    assert {table for table, *_ in rejected} == {"sales_ext.sales"}, rejected
    assert {table for table, *_ in kept} == {"crm.PipelineItem"}, kept
    assert not problems, problems


# --- 200 bad rows of each kind, and no sales feed at all ----------------------------------------


def test_build_passes_without_a_sales_feed_and_with_200_bad_rows_of_each_kind(
    many_bad_rows_no_sales,
):
    scenario = many_bad_rows_no_sales
    _assert_built(scenario)
    assert not scenario.sales_feed_exists
    assert scenario.counts["sales_ext.sales"] == (0, 0, 0)
    assert _unbalanced(scenario) == {}
    rejected = sum(counts[2] for counts in scenario.counts.values())
    # duplicates, orphans and missing values (no sales variants) are all rejected
    assert rejected >= 200 * 3, scenario.counts
