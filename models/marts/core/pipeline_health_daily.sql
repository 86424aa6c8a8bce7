{{
    config(
        indexes=[
            {'columns': ['as_of_date'], 'unique': True},
        ],
    )
}}
{%- set first_day = local_date(as_of()) ~ ' - ' ~ (var('pipeline_health_days') | int - 1) -%}
-- Pipeline health per local day (contract §5, §7, v2): the five figures of pipeline_health for
-- each of the 90 local days up to as_of's (var pipeline_health_days), each judged at the end
-- of its day (as_of itself for as_of's own day) by the rules of
-- macros/metrics/pipeline_rules.sql, the ones
-- int_leads_milestones and metric_events judge at as_of. pipeline_health is this table's row
-- for as_of's day. Current statuses are read as they are now (contract §3): a lead LOST today
-- leaves every past day's figures too. A table rebuilt on every run: it moves with as_of.
with

spine as (

    {{ dbt.date_spine(
        'day',
        first_day,
        local_date(as_of()) ~ ' + 1',
    ) }}

),

-- each day's instant: its last microsecond, or as_of on as_of's own day
days as (

    select
        cast(date_day as date) as as_of_date,
        least(
            {{ local_day_start_utc('cast(date_day as date) + 1') }} - interval '1 microsecond',
            {{ as_of() }}
        ) as evaluated_at,
        cast(date_trunc('week', date_day) as date) + 7 as next_week_start,
        {{ local_day_start_utc("cast(date_trunc('week', date_day) as date) + 7") }}
            as next_week_start_at,
        {{ local_day_start_utc("cast(date_trunc('week', date_day) as date) + 14") }}
            as next_week_end_at
    from spine

),

-- the leads any rule can count: proposed or agreed by as_of (the latest instant judged)
leads as (

    select * from {{ ref('int_leads_milestones') }}
    where proposal_at is not null or agreement_at is not null

),

-- every scheduled call that can be upcoming on one of the days: after the first day's
-- instant, and no later than two weeks after as_of (the end of the last day's next week)
scheduled_calls as (

    select
        occurred_at as scheduled_at,
        ends_at
    from {{ ref('fct_events') }}
    where
        event_type = 'call_scheduled'
        and occurred_at > {{ local_day_start_utc(first_day) }}
        and occurred_at < {{ as_of() }} + interval '15 days'

),

lead_counts as (

    select
        days.as_of_date,
        count(*) filter (
            where {{ is_proposal_outstanding_at(
                'leads.proposal_at', 'leads.agreement_at', 'leads.status_stage',
                'days.evaluated_at'
            ) }}
        ) as outstanding_proposals,
        count(*) filter (
            where {{ is_list_overdue_at(
                'leads.agreement_at', 'leads.partner_list_sent_at', 'leads.partner_list_due_at',
                'leads.status_stage', 'days.evaluated_at'
            ) }}
        ) as overdue_partner_lists,
        count(*) filter (
            where {{ is_list_due_next_7_days_at(
                'leads.agreement_at', 'leads.partner_list_sent_at', 'leads.partner_list_due_at',
                'leads.status_stage', 'days.evaluated_at'
            ) }}
        ) as partner_lists_due_next_7_days
    from days
    cross join leads
    group by days.as_of_date

),

call_counts as (

    select
        days.as_of_date,
        count(*) filter (
            where scheduled_calls.scheduled_at <= days.evaluated_at + interval '7 days'
        ) as upcoming_calls_next_7_days,
        count(*) filter (
            where
            scheduled_calls.scheduled_at >= days.next_week_start_at
            and scheduled_calls.scheduled_at < days.next_week_end_at
        ) as upcoming_calls_next_week
    from scheduled_calls
    inner join days
        on
            {{ is_call_upcoming_at(
                'scheduled_calls.scheduled_at', 'scheduled_calls.ends_at', 'days.evaluated_at'
            ) }}
            -- the end of next week is after the 7 days' end too
            and scheduled_calls.scheduled_at < days.next_week_end_at
    group by days.as_of_date

),

final as (

    select
        days.as_of_date,
        days.evaluated_at,
        days.as_of_date = {{ local_date(as_of()) }} as is_as_of_date,
        days.next_week_start,
        days.next_week_start_at,
        days.next_week_end_at,
        coalesce(call_counts.upcoming_calls_next_7_days, 0) as upcoming_calls_next_7_days,
        coalesce(call_counts.upcoming_calls_next_week, 0) as upcoming_calls_next_week,
        coalesce(lead_counts.outstanding_proposals, 0) as outstanding_proposals,
        coalesce(lead_counts.overdue_partner_lists, 0) as overdue_partner_lists,
        coalesce(lead_counts.partner_lists_due_next_7_days, 0) as partner_lists_due_next_7_days
    from days
    left join call_counts
        on days.as_of_date = call_counts.as_of_date
    left join lead_counts
        on days.as_of_date = lead_counts.as_of_date

)

select * from final
