"""What of the dbt project builds on Spark so far (issue 16 ports it a part at a time).

PORTED is the one place the port's extent is written: `tests/python/spark/` builds it on both
engines and proves it equal, and `emg bench --engine spark` times it on both. Widen it as
models are ported; make it None once the whole project builds on Spark, and both then build
what `emg build --target spark` builds by default (the whole project).
"""

from __future__ import annotations

# A dbt selection (`--select`, space-separated): staging, the seeds, the intermediate models
# that read only those, the time macros' own test (DST), and the audit models that read only
# those. Tests that also read models outside it (relationships to the marts) are left out by
# dbt's cautious indirect selection (selection_args).
PORTED: str | None = (
    "staging resource_type:seed int_pipeline_items_mapped_to_leads int_calls_attributed "
    "int_currency_rates int_sales_feed_status int_dates_spined int_kpi_targets_resolved "
    "assert_time_macros_are_dst_correct "
    "rejected_rows rejected_rows_summary source_freshness sales_feed_changes sales_without_rate"
)


def selection_args() -> list[str]:
    """dbt's arguments that select what is ported: none once everything is."""
    if PORTED is None:
        return []
    return ["--select", *PORTED.split(), "--indirect-selection", "cautious"]
