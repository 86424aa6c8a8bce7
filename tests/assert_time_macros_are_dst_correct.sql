-- The reporting-timezone macros (macros/time/) on instants around Europe/London's clock
-- changes in 2026 (29 March 01:00 UTC, 25 October 01:00 UTC) and a month and week boundary.
-- Returns the cases whose local values are not the expected ones.
-- Shown as a check on dim_dates (the calendar the macros build) in Dagster.
{{ config(meta={'dagster': {'ref': {'name': 'dim_dates'}}}) }}

{%- set zone = 'Europe/London' %}

with

cases as (

    select *
    from (
        values
        ('2026-03-29 00:30:00', '2026-03-29', '2026-03-23', '2026-03-01', 7, 0),
        ('2026-03-29 01:30:00', '2026-03-29', '2026-03-23', '2026-03-01', 7, 2),
        ('2026-03-29 23:30:00', '2026-03-30', '2026-03-30', '2026-03-01', 1, 0),
        ('2026-06-30 23:30:00', '2026-07-01', '2026-06-29', '2026-07-01', 3, 0),
        ('2026-10-25 00:30:00', '2026-10-25', '2026-10-19', '2026-10-01', 7, 1),
        ('2026-10-25 01:30:00', '2026-10-25', '2026-10-19', '2026-10-01', 7, 1),
        ('2026-11-29 23:59:59', '2026-11-29', '2026-11-23', '2026-11-01', 7, 23)
    ) as expected (utc_text, local_date_text, week_text, month_text, iso_weekday, hour_of_day)

),

computed as (

    select
        *,
        {{ local_date('cast(utc_text as timestamp)', zone) }} as got_date,
        {{ local_week('cast(utc_text as timestamp)', zone) }} as got_week,
        {{ local_month('cast(utc_text as timestamp)', zone) }} as got_month,
        {{ local_iso_weekday('cast(utc_text as timestamp)', zone) }} as got_iso_weekday,
        {{ local_hour('cast(utc_text as timestamp)', zone) }} as got_hour,
        {{ local_day_start_utc('cast(local_date_text as date)', zone) }} as got_day_start_utc

    from cases

),

day_starts as (

    select *
    from (
        values
        ('2026-03-29', '2026-03-29 00:00:00'),
        ('2026-03-30', '2026-03-29 23:00:00'),
        ('2026-10-25', '2026-10-24 23:00:00'),
        ('2026-10-26', '2026-10-26 00:00:00')
    ) as expected (local_date_text, utc_text)

),

final as (

    select
        'local calendar' as check_name,
        utc_text as input_value
    from computed
    where
        got_date != cast(local_date_text as date)
        or got_week != cast(week_text as date)
        or got_month != cast(month_text as date)
        or got_iso_weekday != iso_weekday
        or got_hour != hour_of_day
        or {{ local_date('got_day_start_utc', zone) }} != got_date
        or {{ local_hour('got_day_start_utc', zone) }} != 0

    union all

    select
        'local day start' as check_name,
        local_date_text as input_value
    from day_starts
    where
        {{ local_day_start_utc('cast(local_date_text as date)', zone) }}
        != cast(utc_text as timestamp)

)

select * from final
