-- One row per local month from the first month of data to the month of as_of (contract §5, §7):
-- the `team` scope of int_monthly_figures, where the events (as of as_of) and the targets are
-- counted by the same rules as bdr_monthly_performance. Team figures count every user's
-- activity; active_bdrs counts BDRs with any activity. Revenue efficiency is computed here.
-- No `indexes` config: month_start, the one column dashboards filter by, is the primary key.
with

figures as (

    select * from {{ ref('int_monthly_figures') }}
    where scope = 'team'

),

final as (

    select
        month_start,
        calls_completed,
        agreements,
        agreements_target,
        lists_out,
        lists_out_target,
        sales,
        sales_target,
        revenue,
        active_bdrs,
        {{ rounded('revenue / nullif(calls_completed, 0)', 2) }} as revenue_per_call,
        {{ rounded('revenue / nullif(lists_out, 0)', 2) }} as revenue_per_list,
        {{ rounded('revenue / nullif(active_bdrs, 0)', 2) }} as revenue_per_bdr,
        performance_index,
        is_as_of_month
    from figures

)

select * from final
