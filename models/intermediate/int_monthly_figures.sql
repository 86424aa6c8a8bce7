{{ config(materialized='table') }}
-- The monthly figures of the team and of each BDR, by the same rules (contract §4, §5), as
-- int_weekly_figures is for weeks: one row per subject and local month, zero-filled from the
-- subject's first month of data to the month of as_of. `scope` says which rows are which:
-- `team` (bdr_id null) counts every user's events against the team's own targets; `bdr`
-- counts the BDR's own against theirs. The month of as_of is counted up to as_of and its
-- targets pro-rated by elapsed business days. team_monthly_kpis and bdr_monthly_performance
-- are its two scopes.
with

bdr_months as (

    select
        'bdr' as scope,
        bdr_id,
        period_start as month_start
    from {{ ref('int_bdr_periods_spined') }}
    where period = 'MONTH'

),

calendar as (

    select * from {{ ref('int_dates_spined') }}

),

-- the team's first month of data: every owner's earliest (int_first_data), else as_of's
team_start as (

    select
        coalesce(
            {{ local_month('min(first_data_at)') }}, {{ local_month(as_of()) }}
        ) as first_month
    from {{ ref('int_first_data') }}

),

team_months as (

    select distinct
        'team' as scope,
        cast(null as {{ sql_type('text') }}) as bdr_id,
        calendar.month_start
    from calendar
    cross join team_start
    where
        calendar.month_start >= team_start.first_month
        and calendar.month_start <= {{ local_month(as_of()) }}

),

spine as (

    select * from bdr_months
    union all
    select * from team_months

),

events as (

    select * from {{ ref('metric_events') }}
    where timing = 'happened'

),

sales_feed as (

    select * from {{ ref('int_sales_feed_status') }}

),

monthly_targets as (

    select
        bdr_id,
        period_start as month_start,
        max(case when metric = 'AGREEMENTS' then target_value end) as agreements_target,
        max(case when metric = 'LISTS_OUT' then target_value end) as lists_out_target,
        max(case when metric = 'SALES' then target_value end) as sales_target
    from {{ ref('int_kpi_targets_resolved') }}
    where period = 'MONTH'
    group by bdr_id, period_start

),

-- every owner's month, and the team's (all owners); active_bdrs is the team's alone
monthly as (

    select
        case when grouping(bdr_id) = 1 then 'team' else 'bdr' end as scope,
        bdr_id,
        occurred_month as month_start,
        count(*) filter (where metric = 'calls_completed') as calls_completed,
        count(*) filter (where metric = 'agreements') as agreements,
        count(*) filter (where metric = 'lists_out') as lists_out,
        count(*) filter (where metric = 'sales') as sales,
        sum(metric_value) filter (where metric = 'revenue') as revenue,
        sum(index_points) as performance_index,
        count(distinct bdr_id) filter (
            where is_bdr and metric in ('calls_completed', 'agreements', 'lists_out', 'sales')
        ) as active_bdrs
    from events
    group by grouping sets ((occurred_month), (bdr_id, occurred_month))

),

-- the month of as_of is still running: its targets are pro-rated by elapsed business days
as_of_month as (

    select
        month_start,
        {{ count_business_days() }} as business_days_in_month,
        {{ count_business_days(elapsed_only=true) }} as business_days_elapsed
    from calendar
    where month_start = {{ local_month(as_of()) }}
    group by month_start

),

joined as (

    select
        spine.scope,
        spine.bdr_id,
        spine.month_start,
        cast(coalesce(monthly.calls_completed, 0) as integer) as calls_completed,
        cast(coalesce(monthly.agreements, 0) as integer) as agreements,
        cast(monthly_targets.agreements_target as integer) as agreements_target,
        cast(coalesce(monthly.lists_out, 0) as integer) as lists_out,
        cast(monthly_targets.lists_out_target as integer) as lists_out_target,
        cast(coalesce(monthly.sales, 0) as integer) as sales,
        cast(monthly_targets.sales_target as integer) as sales_target,
        case
            when sales_feed.is_loaded
                then cast(coalesce(monthly.revenue, 0) as {{ sql_type('numeric') }})
        end as revenue,
        cast(coalesce(monthly.performance_index, 0) as integer) as performance_index,
        cast(coalesce(monthly.active_bdrs, 0) as integer) as active_bdrs,
        as_of_month.month_start is not null as is_as_of_month,
        as_of_month.business_days_elapsed,
        as_of_month.business_days_in_month
    from spine
    cross join sales_feed
    left join monthly
        on
            spine.scope = monthly.scope
            and {{ subject_key('spine.bdr_id') }} = {{ subject_key('monthly.bdr_id') }}
            and spine.month_start = monthly.month_start
    left join monthly_targets
        on
            {{ subject_key('spine.bdr_id') }} = {{ subject_key('monthly_targets.bdr_id') }}
            and spine.month_start = monthly_targets.month_start
    left join as_of_month
        on spine.month_start = as_of_month.month_start

),

final as (

    select
        scope,
        bdr_id,
        month_start,
        calls_completed,
        agreements,
        agreements_target,
        lists_out,
        lists_out_target,
        sales,
        sales_target,
        revenue,
        performance_index,
        active_bdrs,
        is_as_of_month,
        case
            when is_as_of_month
                then {{ prorated_target(
                    'agreements_target', 'business_days_elapsed', 'business_days_in_month'
                ) }}
            else cast(agreements_target as {{ sql_type('numeric') }})
        end as agreements_target_to_date,
        case
            when is_as_of_month
                then {{ prorated_target(
                    'lists_out_target', 'business_days_elapsed', 'business_days_in_month'
                ) }}
            else cast(lists_out_target as {{ sql_type('numeric') }})
        end as lists_out_target_to_date,
        case
            when is_as_of_month
                then {{ prorated_target(
                    'sales_target', 'business_days_elapsed', 'business_days_in_month'
                ) }}
            else cast(sales_target as {{ sql_type('numeric') }})
        end as sales_target_to_date
    from joined

)

select * from final
