-- Pipeline health as of as_of (contract §5): one row, pipeline_health_daily's row for as_of's
-- local day, whose figures are judged at as_of itself. Team figures, every user counted. "Next
-- week" is the whole local ISO week after as_of's, bounded by the UTC instants its Monday and
-- the following Monday begin, so it is 167 or 169 hours long across a clock change.
with

daily as (

    select * from {{ ref('pipeline_health_daily') }}
    where is_as_of_date

),

final as (

    select
        evaluated_at as as_of,
        as_of_date,
        next_week_start,
        next_week_start_at,
        next_week_end_at,
        upcoming_calls_next_7_days,
        upcoming_calls_next_week,
        outstanding_proposals,
        overdue_partner_lists,
        partner_lists_due_next_7_days
    from daily

)

select * from final
