-- One row per local month from the first month of data to the month of as_of (contract §5, §7).
-- Team figures count every user's activity; active_bdrs counts BDRs with any activity.
-- No `indexes` config: month_start, the one column dashboards filter by, is the primary key.
with

calendar as (

    select * from {{ ref('int_dates_spined') }}

),

events as (

    select * from {{ ref('metric_events') }}
    where timing = 'happened'

),

sales_feed as (

    select * from {{ ref('int_sales_feed_status') }}

),

team_targets as (

    select
        period_start as month_start,
        max(case when metric = 'AGREEMENTS' then target_value end) as agreements_target,
        max(case when metric = 'LISTS_OUT' then target_value end) as lists_out_target,
        max(case when metric = 'SALES' then target_value end) as sales_target
    from {{ ref('int_kpi_targets_resolved') }}
    where period = 'MONTH' and bdr_id is null
    group by 1

),

-- the team's first data (int_first_data: every owner's earliest), else as_of's month
first_data as (

    select
        coalesce(
            {{ local_month('min(first_data_at)') }}, {{ local_month(as_of()) }}
        ) as first_month
    from {{ ref('int_first_data') }}

),

months as (

    select distinct calendar.month_start
    from calendar
    cross join first_data
    where
        calendar.month_start >= first_data.first_month
        and calendar.month_start <= {{ local_month(as_of()) }}

),

monthly as (

    select
        occurred_month as month_start,
        count(*) filter (where metric = 'calls_completed') as calls_completed,
        count(*) filter (where metric = 'agreements') as agreements,
        count(*) filter (where metric = 'lists_out') as lists_out,
        count(*) filter (where metric = 'sales') as sales,
        sum(metric_value) filter (where metric = 'revenue') as revenue,
        sum(index_points) as performance_index,
        count(distinct bdr_id) filter (where is_bdr) as active_bdrs
    from events
    where metric in ('calls_completed', 'agreements', 'lists_out', 'sales', 'revenue')
    group by 1

),

joined as (

    select
        months.month_start,
        cast(coalesce(monthly.calls_completed, 0) as integer) as calls_completed,
        cast(coalesce(monthly.agreements, 0) as integer) as agreements,
        cast(team_targets.agreements_target as integer) as agreements_target,
        cast(coalesce(monthly.lists_out, 0) as integer) as lists_out,
        cast(team_targets.lists_out_target as integer) as lists_out_target,
        cast(coalesce(monthly.sales, 0) as integer) as sales,
        cast(team_targets.sales_target as integer) as sales_target,
        case
            when sales_feed.is_loaded then cast(coalesce(monthly.revenue, 0) as numeric)
        end as revenue,
        cast(coalesce(monthly.active_bdrs, 0) as integer) as active_bdrs,
        cast(coalesce(monthly.performance_index, 0) as integer) as performance_index
    from months
    cross join sales_feed
    left join monthly
        on months.month_start = monthly.month_start
    left join team_targets
        on months.month_start = team_targets.month_start

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
        round(revenue / nullif(calls_completed, 0), 2) as revenue_per_call,
        round(revenue / nullif(lists_out, 0), 2) as revenue_per_list,
        round(revenue / nullif(active_bdrs, 0), 2) as revenue_per_bdr,
        performance_index,
        month_start = {{ local_month(as_of()) }} as is_as_of_month
    from joined

)

select * from final
