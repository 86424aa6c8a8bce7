{{ config(indexes=[{'columns': ['date_day'], 'unique': True}, {'columns': ['week_start']}]) }}
-- One row per local day (reporting timezone), covering all data and 60 days past as_of.
with

calendar as (

    select * from {{ ref('int_dates_spined') }}

),

final as (

    select
        date_day,
        week_start,
        month_start,
        iso_weekday,
        is_business_day,
        day_start_at,
        day_end_at,
        date_day = {{ local_date(as_of()) }} as is_as_of_date,
        week_start = {{ local_week(as_of()) }} as is_as_of_week,
        month_start = {{ local_month(as_of()) }} as is_as_of_month
    from calendar

)

select * from final
