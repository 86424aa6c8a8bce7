{{
    config(
        indexes=[
            {'columns': ['call_date']},
            {'columns': ['bdr_id', 'call_date']},
        ],
    )
}}
-- Completed calls per BDR, local day and local hour (SPEC §5's activity heatmap): one row per
-- cell with at least one call. Groups metric_events' calls_completed (as of as_of) of the
-- owners who are BDRs (per-BDR mart, SPEC §4).
with

calls as (

    select * from {{ ref('metric_events') }}
    where metric = 'calls_completed' and is_bdr

),

final as (

    select
        bdr_id,
        occurred_date as call_date,
        occurred_week as call_week,
        iso_weekday,
        hour_of_day,
        count(*) as calls_completed
    from calls
    group by 1, 2, 3, 4, 5

)

select * from final
