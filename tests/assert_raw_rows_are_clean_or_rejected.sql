-- Contract §8: every raw row ends in a clean staging model or in audit.rejected_rows, never both
-- and never neither. Returns one row per source table whose raw row count is not the clean
-- count plus the rejected count.
-- Shown as a check on audit.rejected_rows in Dagster.
{{ config(tags=['nightly'], meta={'dagster': {'ref': {'name': 'rejected_rows'}}}) }}

with

raw_counts as (

    select
        'crm.User' as source_table,
        count(*) as raw_rows
    from {{ source('crm', 'User') }}
    union all
    select
        'crm.PipelineItem' as source_table,
        count(*) as raw_rows
    from {{ source('crm', 'PipelineItem') }}
    union all
    select
        'crm.Sublist' as source_table,
        count(*) as raw_rows
    from {{ source('crm', 'Sublist') }}
    union all
    select
        'crm.ActivityLog' as source_table,
        count(*) as raw_rows
    from {{ source('crm', 'ActivityLog') }}
    union all
    select
        'crm.KpiTarget' as source_table,
        count(*) as raw_rows
    from {{ source('crm', 'KpiTarget') }}
    union all
    select
        'sales_ext.sales' as source_table,
        count(*) as raw_rows
    from ({{ select_sales_feed() }}) as sales

),

clean_counts as (

    select
        'crm.User' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_crm__users') }}
    union all
    select
        'crm.PipelineItem' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_crm__pipeline_items') }}
    union all
    select
        'crm.Sublist' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_crm__sublists') }}
    union all
    select
        'crm.ActivityLog' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_crm__activity_logs') }}
    union all
    select
        'crm.KpiTarget' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_crm__kpi_targets') }}
    union all
    select
        'sales_ext.sales' as source_table,
        count(*) as clean_rows
    from {{ ref('stg_sales_ext__sales') }}

),

rejected_counts as (

    select
        source_table,
        count(*) as rejected_rows
    from {{ ref('rejected_rows') }}
    group by 1

),

final as (

    select
        coalesce(raw_counts.source_table, rejected_counts.source_table) as source_table,
        coalesce(raw_counts.raw_rows, 0) as raw_rows,
        coalesce(clean_counts.clean_rows, 0) as clean_rows,
        coalesce(rejected_counts.rejected_rows, 0) as rejected_rows

    from raw_counts
    left join clean_counts
        on raw_counts.source_table = clean_counts.source_table
    full outer join rejected_counts
        on raw_counts.source_table = rejected_counts.source_table

)

select * from final
where raw_rows != clean_rows + rejected_rows
