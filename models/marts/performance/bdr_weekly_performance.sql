{{ config(indexes=[{'columns': ['week_start']}]) }}
-- One row per BDR per local ISO week, zero-filled from the BDR's first week of data to the
-- week of as_of (SPEC §7). Events after as_of count nowhere: fct_calls' status and
-- int_leads_milestones' timestamps are already as of as_of, int_sales_attributed stops there.
-- (bdr_id, week_start) is the primary key, so BDR filters have its index already.
with

spine as (

    select
        bdr_id,
        period_start as week_start
    from {{ ref('int_bdr_periods_spined') }}
    where period = 'WEEK'

),

calls as (

    select * from {{ ref('fct_calls') }}
    where call_status = 'completed'

),

leads as (

    select * from {{ ref('int_leads_milestones') }}

),

sales as (

    select * from {{ ref('int_sales_attributed') }}

),

sales_feed as (

    select * from {{ ref('int_sales_feed_status') }}

),

calendar as (

    select * from {{ ref('int_dates_spined') }}

),

calls_targets as (

    select
        bdr_id,
        period_start as week_start,
        target_value
    from {{ ref('int_kpi_targets_resolved') }}
    where metric = 'CALLS_COMPLETED' and period = 'WEEK' and bdr_id is not null

),

weekly_calls as (

    select
        bdr_id,
        completed_week as week_start,
        count(*) as calls_completed
    from calls
    group by 1, 2

),

weekly_agreements as (

    select
        bdr_id,
        {{ local_week('agreement_at') }} as week_start,
        count(*) as agreements
    from leads
    where agreement_at is not null
    group by 1, 2

),

weekly_lists_out as (

    select
        bdr_id,
        {{ local_week('partner_list_sent_at') }} as week_start,
        count(*) as lists_out
    from leads
    where partner_list_sent_at is not null
    group by 1, 2

),

weekly_sales as (

    select
        bdr_id,
        {{ local_week('sold_at') }} as week_start,
        count(*) as sales,
        sum(amount) as revenue
    from sales
    group by 1, 2

),

-- the week of as_of is still running: its target is pro-rated by elapsed business days
as_of_week as (

    select
        week_start,
        {{ count_business_days() }} as business_days_in_week,
        {{ count_business_days(elapsed_only=true) }} as business_days_elapsed
    from calendar
    where week_start = {{ local_week(as_of()) }}
    group by 1

),

joined as (

    select
        spine.bdr_id,
        spine.week_start,
        cast(coalesce(weekly_calls.calls_completed, 0) as integer) as calls_completed,
        cast(coalesce(weekly_agreements.agreements, 0) as integer) as agreements,
        cast(coalesce(weekly_lists_out.lists_out, 0) as integer) as lists_out,
        cast(coalesce(weekly_sales.sales, 0) as integer) as sales,
        case
            when sales_feed.is_loaded then cast(coalesce(weekly_sales.revenue, 0) as numeric)
        end as revenue,
        cast(calls_targets.target_value as integer) as calls_target,
        as_of_week.week_start is not null as is_as_of_week,
        case
            when as_of_week.week_start is not null
                then {{ prorated_target(
                    'calls_targets.target_value',
                    'as_of_week.business_days_elapsed',
                    'as_of_week.business_days_in_week'
                ) }}
            else cast(calls_targets.target_value as numeric)
        end as calls_target_to_date
    from spine
    cross join sales_feed
    left join weekly_calls
        on spine.bdr_id = weekly_calls.bdr_id and spine.week_start = weekly_calls.week_start
    left join weekly_agreements
        on
            spine.bdr_id = weekly_agreements.bdr_id
            and spine.week_start = weekly_agreements.week_start
    left join weekly_lists_out
        on
            spine.bdr_id = weekly_lists_out.bdr_id
            and spine.week_start = weekly_lists_out.week_start
    left join weekly_sales
        on spine.bdr_id = weekly_sales.bdr_id and spine.week_start = weekly_sales.week_start
    left join calls_targets
        on spine.bdr_id = calls_targets.bdr_id and spine.week_start = calls_targets.week_start
    left join as_of_week
        on spine.week_start = as_of_week.week_start

),

final as (

    select
        bdr_id,
        week_start,
        calls_completed,
        agreements,
        lists_out,
        sales,
        revenue,
        {{ performance_index() }} as performance_index,
        calls_target,
        calls_target_to_date,
        round(calls_completed / nullif(calls_target_to_date, 0), 4) as calls_target_attainment,
        {{ traffic_light('calls_completed', 'calls_target_to_date') }} as status,
        is_as_of_week
    from joined

)

select * from final
