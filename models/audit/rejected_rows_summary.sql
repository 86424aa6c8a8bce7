-- The rejected raw rows (audit.rejected_rows) counted by table and reason: what the data-quality
-- dashboard shows a leader, and what the data team takes to the CRM's owners. A view.
with

rejected_rows as (

    select * from {{ ref('rejected_rows') }}

),

final as (

    select
        source_table,
        reason,
        count(*) as rejected_rows
    from rejected_rows
    group by source_table, reason

)

select * from final
