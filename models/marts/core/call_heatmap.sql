{{
    config(
        indexes=[
            {'columns': ['call_date']},
            {'columns': ['bdr_id', 'call_date']},
        ],
    )
}}
-- Completed calls per BDR, local day and local hour (SPEC §5's activity heatmap): one row per
-- cell with at least one call. Reads fct_calls' local completion columns (as of as_of) and
-- keeps the users of dim_bdrs (per-BDR mart, SPEC §4).
with

calls as (

    select * from {{ ref('fct_calls') }}
    where call_status = 'completed'

),

bdrs as (

    select * from {{ ref('dim_bdrs') }}

),

final as (

    select
        calls.bdr_id,
        calls.completed_date as call_date,
        calls.completed_week as call_week,
        calls.iso_weekday,
        calls.hour_of_day,
        count(*) as calls_completed
    from calls
    inner join bdrs
        on calls.bdr_id = bdrs.bdr_id
    group by 1, 2, 3, 4, 5

)

select * from final
