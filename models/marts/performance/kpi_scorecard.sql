{{
    config(
        indexes=[
            {'columns': ['bdr_id']},
        ],
    )
}}
-- The KPI cards with their traffic lights, as of as_of: one row per KPI per scope (the team,
-- and each active BDR). A period still running is judged against its target pro-rated by
-- the business days elapsed (as_of's own day counts as elapsed); upcoming calls next week
-- against the whole target of next week.
with

kpis as (

    select * from (
        values
        (
            1, 'calls_completed_this_week', 'Calls completed this week',
            'this_week', 'calls_completed', 'CALLS_COMPLETED', 'WEEK', true, 'last_week'
        ),
        (
            2, 'agreements_this_month', 'Agreements this month',
            'this_month', 'agreements', 'AGREEMENTS', 'MONTH', true, 'last_month'
        ),
        (
            3, 'lists_out_this_month', 'Lists out this month',
            'this_month', 'lists_out', 'LISTS_OUT', 'MONTH', true, 'last_month'
        ),
        (
            4, 'upcoming_calls_next_week', 'Upcoming calls next week',
            'next_week', 'calls_upcoming', 'UPCOMING_CALLS', 'WEEK', false, null
        ),
        (
            5, 'sales_this_month', 'Sales this month',
            'this_month', 'sales', 'SALES', 'MONTH', true, 'last_month'
        )
    ) as kpis (
        kpi_order, kpi, kpi_label, time_window, metric, target_metric, period, is_prorated,
        previous_window
    )

),

metrics as (

    select * from {{ ref('as_of_metrics') }}
    where is_active

),

-- the same KPI at the same point of the previous week or month (none for upcoming calls:
-- a call's schedule as it stood a week ago is not kept, only its current state)
previous_metrics as (

    select * from {{ ref('as_of_metrics') }}
    where is_active and time_window in ('last_week', 'last_month')

),

targets as (

    select * from {{ ref('int_kpi_targets_resolved') }}

),

calendar as (

    select * from {{ ref('int_dates_spined') }}

),

sales_feed as (

    select * from {{ ref('int_sales_feed_status') }}

),

-- the week or month each KPI is judged in, with its business days in all and to date
periods as (

    select
        kpis.kpi,
        min(calendar.date_day) as period_start,
        max(calendar.date_day) as period_end,
        {{ count_business_days(calendar='calendar') }} as business_days_in_period,
        {{ count_business_days(elapsed_only=true, calendar='calendar') }}
            as business_days_elapsed
    from kpis
    inner join calendar
        on
            case kpis.time_window
                when 'this_week' then calendar.week_start = {{ local_week(as_of()) }}
                when 'next_week' then calendar.week_start = {{ local_week(as_of()) }} + 7
                when 'this_month' then calendar.month_start = {{ local_month(as_of()) }}
            end
    group by 1

),

joined as (

    select
        kpis.kpi_order,
        kpis.kpi,
        kpis.kpi_label,
        kpis.target_metric,
        kpis.period,
        kpis.is_prorated,
        metrics.as_of,
        metrics.scope,
        metrics.bdr_id,
        metrics.bdr_name,
        periods.period_start,
        periods.period_end,
        cast(periods.business_days_in_period as integer) as business_days_in_period,
        case
            when kpis.is_prorated then cast(periods.business_days_elapsed as integer)
        end as business_days_elapsed,
        case
            when kpis.metric <> 'sales' or sales_feed.is_loaded
                then cast(metrics.metric_value as integer)
        end as kpi_value,
        case
            when kpis.metric <> 'sales' or sales_feed.is_loaded
                then cast(previous_metrics.metric_value as integer)
        end as previous_value,
        cast(targets.target_value as integer) as kpi_target
    from kpis
    cross join sales_feed
    inner join metrics
        on kpis.time_window = metrics.time_window and kpis.metric = metrics.metric
    inner join periods
        on kpis.kpi = periods.kpi
    left join previous_metrics
        on
            kpis.previous_window = previous_metrics.time_window
            and kpis.metric = previous_metrics.metric
            and {{ subject_key('metrics.bdr_id') }} = {{ subject_key('previous_metrics.bdr_id') }}
    left join targets
        on
            kpis.target_metric = targets.metric
            and kpis.period = targets.period
            and periods.period_start = targets.period_start
            and {{ subject_key('metrics.bdr_id') }} = {{ subject_key('targets.bdr_id') }}

),

prorated as (

    select
        *,
        case
            when is_prorated
                then {{ prorated_target(
                    'kpi_target', 'business_days_elapsed', 'business_days_in_period'
                ) }}
            else cast(kpi_target as {{ sql_type('numeric') }})
        end as target_to_date
    from joined

),

final as (

    select
        {{ surrogate_key(['kpi', 'bdr_id']) }} as kpi_scorecard_id,
        as_of,
        kpi,
        kpi_label,
        kpi_order,
        scope,
        bdr_id,
        bdr_name,
        target_metric as metric,
        period,
        period_start,
        period_end,
        kpi_value,
        previous_value,
        kpi_value - previous_value as change_from_previous,
        kpi_target,
        is_prorated,
        business_days_elapsed,
        business_days_in_period,
        cast(target_to_date as {{ sql_type('numeric') }}) as target_to_date,
        {{ rounded('kpi_value / nullif(target_to_date, 0)', 4) }} as attainment,
        {{ traffic_light('kpi_value', 'target_to_date') }} as status
    from prorated

)

select * from final
