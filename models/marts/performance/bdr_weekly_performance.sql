{{ config(indexes=[{'columns': ['week_start']}]) }}
-- One row per BDR per local ISO week, zero-filled from the BDR's first week of data to the
-- week of as_of (contract §7): the `bdr` scope of int_weekly_figures, where the events (as of
-- as_of), the performance index's weights and the pro-rated calls target are counted.
-- (bdr_id, week_start) is the primary key, so BDR filters have its index already.
with

figures as (

    select * from {{ ref('int_weekly_figures') }}
    where scope = 'bdr'

),

final as (

    select
        bdr_id,
        week_start,
        calls_completed,
        agreements,
        lists_out,
        sales,
        revenue,
        performance_index,
        calls_target,
        calls_target_to_date,
        {{ rounded('calls_completed / nullif(calls_target_to_date, 0)', 4) }}
            as calls_target_attainment,
        {{ traffic_light('calls_completed', 'calls_target_to_date') }} as status,
        is_as_of_week
    from figures

)

select * from final
