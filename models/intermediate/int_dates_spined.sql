{{ config(materialized='table') }}
-- One row per local day of the reporting calendar (macros/metrics/calendar_bounds.sql): all
-- data, and at least 60 days past as_of. Weeks start on Monday (ISO); business days are
-- Monday to Friday (no holiday calendar).
-- A table, computed once per build: several models join it, and a view's row estimates
-- (one row) led PostgreSQL to merge joins that rescanned it hundreds of millions of times.
with

days as (

    {{ dbt.date_spine('day', calendar_start(), calendar_end()) }}

),

final as (

    select
        cast(date_day as date) as date_day,
        cast(date_trunc('week', date_day) as date) as week_start,
        cast(date_trunc('month', date_day) as date) as month_start,
        cast({{ iso_weekday('date_day') }} as integer) as iso_weekday,
        {{ iso_weekday('date_day') }} <= 5 as is_business_day,
        {{ local_day_start_utc('date_day') }} as day_start_at,
        {{ local_day_start_utc('cast(date_day as date) + 1') }} as day_end_at
    from days

)

select * from final
