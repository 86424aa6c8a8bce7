-- Pipeline health as of as_of (contract §5): one row. Team figures, every user counted. Upcoming
-- calls come from fct_calls (call_status `upcoming` already means scheduled after as_of and
-- not completed by it); proposals and partner lists from int_leads_milestones' flags. "Next
-- week" is the whole local ISO week after as_of's, bounded by the UTC instants its Monday and
-- the following Monday begin, so it is 167 or 169 hours long across a clock change.
with

upcoming_calls as (

    select * from {{ ref('fct_calls') }}
    where call_status = 'upcoming'

),

leads as (

    select * from {{ ref('int_leads_milestones') }}

),

bounds as (

    select
        {{ as_of() }} as as_of,
        {{ local_date(as_of()) }} as as_of_date,
        {{ local_week(as_of()) }} + 7 as next_week_start,
        {{ local_day_start_utc(local_week(as_of()) ~ ' + 7') }} as next_week_start_at,
        {{ local_day_start_utc(local_week(as_of()) ~ ' + 14') }} as next_week_end_at

),

windowed_calls as (

    select
        upcoming_calls.call_id,
        upcoming_calls.scheduled_at <= bounds.as_of + interval '7 days' as is_in_next_7_days,
        upcoming_calls.scheduled_at >= bounds.next_week_start_at
        and upcoming_calls.scheduled_at < bounds.next_week_end_at as is_in_next_week
    from upcoming_calls
    cross join bounds

),

call_counts as (

    select
        count(*) filter (where is_in_next_7_days) as upcoming_calls_next_7_days,
        count(*) filter (where is_in_next_week) as upcoming_calls_next_week
    from windowed_calls

),

lead_counts as (

    select
        count(*) filter (where status_stage = 'proposal') as outstanding_proposals,
        count(*) filter (where is_list_overdue) as overdue_partner_lists,
        count(*) filter (where is_list_due_next_7_days) as partner_lists_due_next_7_days
    from leads

),

final as (

    select
        bounds.as_of,
        bounds.as_of_date,
        bounds.next_week_start,
        bounds.next_week_start_at,
        bounds.next_week_end_at,
        call_counts.upcoming_calls_next_7_days,
        call_counts.upcoming_calls_next_week,
        lead_counts.outstanding_proposals,
        lead_counts.overdue_partner_lists,
        lead_counts.partner_lists_due_next_7_days
    from bounds
    cross join call_counts
    cross join lead_counts

)

select * from final
