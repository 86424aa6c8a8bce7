-- One row per local month from the first month of data to the month of as_of (SPEC §5, §7).
-- Team figures count every user's activity; active_bdrs counts BDRs with any activity.
-- No `indexes` config: month_start, the one column dashboards filter by, is the primary key.
with

calendar as (

    select * from {{ ref('int_dates_spined') }}

),

calls as (

    select * from {{ ref('fct_calls') }}
    where call_status = 'completed'

),

all_calls as (

    select * from {{ ref('int_calls_attributed') }}

),

leads as (

    select * from {{ ref('int_leads_milestones') }}

),

sales as (

    select * from {{ ref('int_sales_attributed') }}

),

bdrs as (

    select * from {{ ref('dim_bdrs') }}

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

-- the first data by as_of: a lead created, agreed or sent, a call logged, scheduled or
-- completed, or a sale
first_data as (

    select
        coalesce(
            {{ local_month('min(first_at)') }}, {{ local_month(as_of()) }}
        ) as first_month
    from (
        select least(created_at, scheduled_at, completed_at) as first_at from all_calls
        union all
        select least(created_at, agreement_at, partner_list_sent_at) as first_at from leads
        union all
        select sold_at as first_at from sales
    ) as events
    where first_at <= {{ as_of() }}

),

months as (

    select distinct calendar.month_start
    from calendar
    cross join first_data
    where
        calendar.month_start >= first_data.first_month
        and calendar.month_start <= {{ local_month(as_of()) }}

),

-- every event with its owner and local month, for the counts and for active_bdrs
events as (

    select
        bdr_id,
        cast(date_trunc('month', completed_date) as date) as month_start,
        'call_completed' as event_type,
        cast(null as numeric) as amount
    from calls
    union all
    select
        bdr_id,
        {{ local_month('agreement_at') }} as month_start,
        'agreement' as event_type,
        cast(null as numeric) as amount
    from leads
    where agreement_at is not null
    union all
    select
        bdr_id,
        {{ local_month('partner_list_sent_at') }} as month_start,
        'list_out' as event_type,
        cast(null as numeric) as amount
    from leads
    where partner_list_sent_at is not null
    union all
    select
        bdr_id,
        {{ local_month('sold_at') }} as month_start,
        'sale' as event_type,
        amount
    from sales

),

monthly as (

    select
        events.month_start,
        count(*) filter (where events.event_type = 'call_completed') as calls_completed,
        count(*) filter (where events.event_type = 'agreement') as agreements,
        count(*) filter (where events.event_type = 'list_out') as lists_out,
        count(*) filter (where events.event_type = 'sale') as sales,
        sum(events.amount) as revenue,
        count(distinct bdrs.bdr_id) as active_bdrs
    from events
    left join bdrs
        on events.bdr_id = bdrs.bdr_id
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
        cast(coalesce(monthly.active_bdrs, 0) as integer) as active_bdrs
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
        {{ performance_index() }} as performance_index,
        month_start = {{ local_month(as_of()) }} as is_as_of_month
    from joined

)

select * from final
