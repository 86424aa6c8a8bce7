{{
    config(
        indexes=[
            {'columns': ['week_start']},
            {'columns': ['bdr_id', 'week_start']},
            {'columns': ['category']},
        ],
    )
}}
-- The sales funnel and its velocity per local ISO week x BDR x category, counts and sums only,
-- so every rate or average is a ratio of sums over any set of rows (contract §4, §5). Each
-- figure is read where it is defined: events from metric_events (as of as_of), calls by status
-- from fct_calls (macros/metrics/call_status.sql), the leads' lists due, on-time flags and
-- outcomes from int_leads_milestones, list sizes and days to first sale from fct_lists_out.
-- Team figures count every user's activity: an owner who is not a BDR (or no owner) is
-- `bdr_id` null, so the team is the sum of all rows. Weeks up to as_of's; every week from the
-- team's first week of data has its row with bdr_id and category null (zeros at least), so a
-- trend has no gaps; other rows exist where something happened.
-- A table recomputed each build: one pass over the facts, grouped once.
with

users as (

    select * from {{ ref('stg_crm__users') }}

),

events as (

    select * from {{ ref('metric_events') }}
    where
        timing = 'happened'
        and metric in ('calls_completed', 'proposals', 'agreements', 'lists_out', 'leads_lost')

),

calls as (

    select * from {{ ref('fct_calls') }}

),

leads as (

    select * from {{ ref('int_leads_milestones') }}

),

lists_out as (

    select * from {{ ref('fct_lists_out') }}

),

calendar as (

    select * from {{ ref('int_dates_spined') }}

),

-- the team's first week of data: every owner's earliest (int_first_data), else as_of's
team_start as (

    select
        coalesce(
            {{ local_week('min(first_data_at)') }}, {{ local_week(as_of()) }}
        ) as first_week
    from {{ ref('int_first_data') }}

),

-- the weeks from the team's first week of data to as_of's: each has a row, zeros at least
weeks as (

    select distinct calendar.week_start
    from calendar
    cross join team_start
    where
        calendar.week_start >= team_start.first_week
        and calendar.week_start <= {{ local_week(as_of()) }}

),

-- every figure once per fact, with its local week, its owner (any role) and its lead's
-- category: `figure_value` is 1 for a count, else the amount summed
facts as (

    select
        week_start,
        cast(null as {{ sql_type('text') }}) as owner_id,
        cast(null as {{ sql_type('text') }}) as category,
        'week' as figure,
        0 as figure_value
    from weeks
    union all
    select
        occurred_week as week_start,
        bdr_id as owner_id,
        category,
        metric as figure,
        1 as figure_value
    from events
    union all
    -- a call booked: the CALL activity created (its createdAt) by as_of
    select
        {{ local_week('created_at') }} as week_start,
        bdr_id as owner_id,
        category,
        'calls_booked' as figure,
        1 as figure_value
    from calls
    where created_at <= {{ as_of() }}
    union all
    -- a call scheduled in the week, by its status as of as_of
    select
        {{ local_week('scheduled_at') }} as week_start,
        bdr_id as owner_id,
        category,
        'calls_scheduled_' || call_status as figure,
        1 as figure_value
    from calls
    where scheduled_at is not null
    union all
    select
        {{ local_week('created_at') }} as week_start,
        bdr_id as owner_id,
        category,
        'new_leads' as figure,
        1 as figure_value
    from leads
    where created_at <= {{ as_of() }}
    union all
    -- a list due in the week, once judged: sent (on time or late) or overdue as of as_of
    select
        {{ local_week('partner_list_due_at') }} as week_start,
        bdr_id as owner_id,
        category,
        case
            when is_list_sent_on_time then 'lists_sent_on_time'
            when not is_list_sent_on_time then 'lists_sent_late'
            else 'lists_overdue'
        end as figure,
        1 as figure_value
    from leads
    where is_list_sent_on_time is not null or is_list_overdue
    union all
    -- the lead's list-out outcome, in the week its list went out
    select
        lists_out.sent_week as week_start,
        lists_out.bdr_id as owner_id,
        lists_out.category,
        'lists_out_' || lower(leads.list_outcome) as figure,
        1 as figure_value
    from lists_out
    inner join leads
        on lists_out.lead_id = leads.lead_id
    where leads.list_outcome is not null
    union all
    select
        sent_week as week_start,
        bdr_id as owner_id,
        category,
        'list_size' as figure,
        list_size as figure_value
    from lists_out
    union all
    select
        sent_week as week_start,
        bdr_id as owner_id,
        category,
        'days_to_first_sale' as figure,
        days_to_first_sale as figure_value
    from lists_out
    where days_to_first_sale is not null

),

-- an owner who is not a BDR counts for the team under bdr_id null
weekly as (

    select
        facts.week_start,
        case when users.is_bdr then facts.owner_id end as bdr_id,
        facts.category,
        count(*) filter (where facts.figure = 'new_leads') as new_leads,
        count(*) filter (where facts.figure = 'calls_booked') as calls_booked,
        count(*) filter (where facts.figure = 'calls_completed') as calls_completed,
        count(*) filter (where facts.figure like 'calls\_scheduled\_%') as calls_scheduled,
        count(*) filter (where facts.figure = 'calls_scheduled_completed')
            as calls_scheduled_completed,
        count(*) filter (where facts.figure = 'calls_scheduled_no_show')
            as calls_scheduled_no_show,
        count(*) filter (where facts.figure = 'calls_scheduled_missed')
            as calls_scheduled_missed,
        count(*) filter (where facts.figure = 'calls_scheduled_cancelled')
            as calls_scheduled_cancelled,
        count(*) filter (where facts.figure = 'calls_scheduled_rescheduled')
            as calls_scheduled_rescheduled,
        count(*) filter (where facts.figure = 'calls_scheduled_upcoming')
            as calls_scheduled_upcoming,
        count(*) filter (where facts.figure = 'proposals') as proposals,
        count(*) filter (where facts.figure = 'agreements') as agreements,
        count(*) filter (where facts.figure = 'lists_out') as lists_out,
        count(*) filter (
            where facts.figure in ('lists_sent_on_time', 'lists_sent_late', 'lists_overdue')
        ) as lists_due,
        count(*) filter (where facts.figure = 'lists_sent_on_time') as lists_sent_on_time,
        count(*) filter (where facts.figure = 'lists_sent_late') as lists_sent_late,
        count(*) filter (where facts.figure = 'lists_overdue') as lists_overdue,
        count(*) filter (where facts.figure = 'leads_lost') as leads_lost,
        count(*) filter (where facts.figure = 'lists_out_sold') as lists_out_sold,
        count(*) filter (where facts.figure = 'lists_out_list_out_not_sold')
            as lists_out_not_sold,
        count(*) filter (where facts.figure = 'lists_out_free_qa_offered')
            as lists_out_free_qa_offered,
        sum(facts.figure_value) filter (where facts.figure = 'list_size') as list_size_sum,
        count(*) filter (where facts.figure = 'list_size') as list_size_count,
        sum(facts.figure_value) filter (where facts.figure = 'days_to_first_sale')
            as days_to_first_sale_sum,
        count(*) filter (where facts.figure = 'days_to_first_sale')
            as days_to_first_sale_count
    from facts
    left join users
        on facts.owner_id = users.user_id
    where facts.week_start <= {{ local_week(as_of()) }}
    group by 1, 2, 3

),

final as (

    select
        week_start,
        bdr_id,
        category,
        cast(coalesce(new_leads, 0) as integer) as new_leads,
        cast(coalesce(calls_booked, 0) as integer) as calls_booked,
        cast(coalesce(calls_completed, 0) as integer) as calls_completed,
        cast(coalesce(calls_scheduled, 0) as integer) as calls_scheduled,
        cast(coalesce(calls_scheduled_completed, 0) as integer) as calls_scheduled_completed,
        cast(coalesce(calls_scheduled_no_show, 0) as integer) as calls_scheduled_no_show,
        cast(coalesce(calls_scheduled_missed, 0) as integer) as calls_scheduled_missed,
        cast(coalesce(calls_scheduled_cancelled, 0) as integer) as calls_scheduled_cancelled,
        cast(coalesce(calls_scheduled_rescheduled, 0) as integer) as calls_scheduled_rescheduled,
        cast(coalesce(calls_scheduled_upcoming, 0) as integer) as calls_scheduled_upcoming,
        cast(coalesce(proposals, 0) as integer) as proposals,
        cast(coalesce(agreements, 0) as integer) as agreements,
        cast(coalesce(lists_out, 0) as integer) as lists_out,
        cast(coalesce(lists_due, 0) as integer) as lists_due,
        cast(coalesce(lists_sent_on_time, 0) as integer) as lists_sent_on_time,
        cast(coalesce(lists_sent_late, 0) as integer) as lists_sent_late,
        cast(coalesce(lists_overdue, 0) as integer) as lists_overdue,
        cast(coalesce(leads_lost, 0) as integer) as leads_lost,
        cast(coalesce(lists_out_sold, 0) as integer) as lists_out_sold,
        cast(coalesce(lists_out_not_sold, 0) as integer) as lists_out_not_sold,
        cast(coalesce(lists_out_free_qa_offered, 0) as integer) as lists_out_free_qa_offered,
        cast(coalesce(list_size_sum, 0) as bigint) as list_size_sum,
        cast(coalesce(list_size_count, 0) as integer) as list_size_count,
        cast(coalesce(days_to_first_sale_sum, 0) as bigint) as days_to_first_sale_sum,
        cast(coalesce(days_to_first_sale_count, 0) as integer) as days_to_first_sale_count,
        week_start = {{ local_week(as_of()) }} as is_as_of_week
    from weekly

)

select * from final
