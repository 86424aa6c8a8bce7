{{ config(materialized='table') }}
-- The dense BDR x week and BDR x month spine: every user with role BDR, every period from the
-- one of their first data (int_first_data: a call they logged, a lead assigned to them or an
-- event of theirs, at or before as_of) to the one holding as_of. A BDR with no data at all
-- gets the as_of period alone, so they still appear, with zeros.
-- A table, computed once per build: several models join it, and a view's row estimates
-- (one row) led PostgreSQL to merge joins that rescanned it hundreds of millions of times.
with

calendar as (

    select * from {{ ref('int_dates_spined') }}

),

bdrs as (

    select * from {{ ref('stg_crm__users') }}
    where is_bdr

),

first_data as (

    select * from {{ ref('int_first_data') }}

),

bdr_starts as (

    select
        bdrs.user_id as bdr_id,
        coalesce(
            {{ local_date('first_data.first_data_at') }}, {{ local_date(as_of()) }}
        ) as first_data_date
    from bdrs
    left join first_data
        on bdrs.user_id = first_data.bdr_id

),

periods as (

    select distinct
        'WEEK' as period,
        week_start as period_start
    from calendar
    union all
    select distinct
        'MONTH' as period,
        month_start as period_start
    from calendar

),

final as (

    select
        bdr_starts.bdr_id,
        periods.period,
        periods.period_start
    from bdr_starts
    inner join periods
        on
            periods.period_start >= case periods.period
                when 'WEEK' then cast(date_trunc('week', bdr_starts.first_data_date) as date)
                else cast(date_trunc('month', bdr_starts.first_data_date) as date)
            end
            and periods.period_start <= case periods.period
                when 'WEEK' then {{ local_week(as_of()) }}
                else {{ local_month(as_of()) }}
            end

)

select * from final
