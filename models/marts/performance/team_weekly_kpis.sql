-- One row per local ISO week for the team, from the team's first week of data to the week of
-- as_of: every user's events (contract §4: team figures count everyone) against the team's own
-- weekly calls target, pro-rated in the week of as_of. The `team` scope of
-- int_weekly_figures, counted by the same rules as bdr_weekly_performance.
-- No `indexes` config: week_start, the one column dashboards filter by, is the primary key.
with

figures as (

    select * from {{ ref('int_weekly_figures') }}
    where scope = 'team'

),

final as (

    select
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
