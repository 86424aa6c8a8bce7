{{ config(materialized='table') }}
-- The weekly figures of the team and of each BDR, by the same rules (contract §4, §5): one row per
-- subject and local ISO week, zero-filled from the subject's first week of data to the week
-- of as_of. `scope` says which rows are which: `team` (bdr_id null) counts every user's
-- events against the team's own calls target; `bdr` counts the BDR's own against theirs.
-- The week of as_of is counted up to as_of and its target pro-rated by elapsed business days.
-- bdr_weekly_performance and team_weekly_kpis are its two scopes.
with

bdr_weeks as (

    select
        'bdr' as scope,
        bdr_id,
        period_start as week_start
    from {{ ref('int_bdr_periods_spined') }}
    where period = 'WEEK'

),

calendar as (

    select * from {{ ref('int_dates_spined') }}

),

-- the team's first week of data: every owner's earliest (int_first_data), else as_of's
team_start as (

    select
        coalesce(
            {{ local_week('min(first_data_at)') }}, {{ local_week(as_of()) }}
        ) as first_week
    from {{ ref('int_first_data') }}

),

team_weeks as (

    select distinct
        'team' as scope,
        cast(null as {{ sql_type('text') }}) as bdr_id,
        calendar.week_start
    from calendar
    cross join team_start
    where
        calendar.week_start >= team_start.first_week
        and calendar.week_start <= {{ local_week(as_of()) }}

),

spine as (

    select * from bdr_weeks
    union all
    select * from team_weeks

),

events as (

    select * from {{ ref('metric_events') }}
    where timing = 'happened'

),

sales_feed as (

    select * from {{ ref('int_sales_feed_status') }}

),

calls_targets as (

    select
        bdr_id,
        period_start as week_start,
        target_value
    from {{ ref('int_kpi_targets_resolved') }}
    where metric = 'CALLS_COMPLETED' and period = 'WEEK'

),

-- every owner's week, and the team's (all owners)
weekly as (

    select
        case when grouping(bdr_id) = 1 then 'team' else 'bdr' end as scope,
        bdr_id,
        occurred_week as week_start,
        count(*) filter (where metric = 'calls_completed') as calls_completed,
        count(*) filter (where metric = 'agreements') as agreements,
        count(*) filter (where metric = 'lists_out') as lists_out,
        count(*) filter (where metric = 'sales') as sales,
        sum(metric_value) filter (where metric = 'revenue') as revenue,
        sum(index_points) as performance_index
    from events
    group by grouping sets ((occurred_week), (bdr_id, occurred_week))

),

-- the week of as_of is still running: its target is pro-rated by elapsed business days
as_of_week as (

    select
        week_start,
        {{ count_business_days() }} as business_days_in_week,
        {{ count_business_days(elapsed_only=true) }} as business_days_elapsed
    from calendar
    where week_start = {{ local_week(as_of()) }}
    group by week_start

),

final as (

    select
        spine.scope,
        spine.bdr_id,
        spine.week_start,
        cast(coalesce(weekly.calls_completed, 0) as integer) as calls_completed,
        cast(coalesce(weekly.agreements, 0) as integer) as agreements,
        cast(coalesce(weekly.lists_out, 0) as integer) as lists_out,
        cast(coalesce(weekly.sales, 0) as integer) as sales,
        case
            when sales_feed.is_loaded
                then cast(coalesce(weekly.revenue, 0) as {{ sql_type('numeric') }})
        end as revenue,
        cast(coalesce(weekly.performance_index, 0) as integer) as performance_index,
        cast(calls_targets.target_value as integer) as calls_target,
        as_of_week.week_start is not null as is_as_of_week,
        case
            when as_of_week.week_start is not null
                then {{ prorated_target(
                    'calls_targets.target_value',
                    'as_of_week.business_days_elapsed',
                    'as_of_week.business_days_in_week'
                ) }}
            else cast(calls_targets.target_value as {{ sql_type('numeric') }})
        end as calls_target_to_date
    from spine
    cross join sales_feed
    left join weekly
        on
            spine.scope = weekly.scope
            and {{ subject_key('spine.bdr_id') }} = {{ subject_key('weekly.bdr_id') }}
            and spine.week_start = weekly.week_start
    left join calls_targets
        on
            {{ subject_key('spine.bdr_id') }} = {{ subject_key('calls_targets.bdr_id') }}
            and spine.week_start = calls_targets.week_start
    left join as_of_week
        on spine.week_start = as_of_week.week_start

)

select * from final
