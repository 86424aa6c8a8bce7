-- marts.funnel_weekly counts what the facts hold, nothing lost or doubled by its grouping: over
-- all its rows (weeks up to as_of's), each figure equals the same count taken straight from
-- fct_calls, metric_events, fct_lists_out and dim_leads for the same window, and each BDR's
-- calls completed, agreements and lists out equal bdr_weekly_performance's. Calls scheduled
-- after as_of's week are in no row of the mart (they are pipeline_health's), so the scheduled
-- counts read fct_calls up to that week. Returns one row per figure and subject that differ.
-- Shown as a check on marts.funnel_weekly in Dagster.
{{ config(tags=['nightly'], meta={'dagster': {'ref': {'name': 'funnel_weekly'}}}) }}

with

funnel as (

    select * from {{ ref('funnel_weekly') }}

),

calls as (

    select * from {{ ref('fct_calls') }}

),

events as (

    select * from {{ ref('metric_events') }}
    where timing = 'happened'

),

lists_out as (

    select * from {{ ref('fct_lists_out') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

bdr_weeks as (

    select * from {{ ref('bdr_weekly_performance') }}

),

funnel_totals as (

    select
        'team' as subject,
        figures.figure,
        figures.value
    from (
        select
            sum(calls_completed) as calls_completed,
            sum(calls_booked) as calls_booked,
            sum(calls_scheduled_completed) as scheduled_completed,
            sum(calls_scheduled_no_show) as scheduled_no_show,
            sum(calls_scheduled_missed) as scheduled_missed,
            sum(calls_scheduled_cancelled) as scheduled_cancelled,
            sum(calls_scheduled_rescheduled) as scheduled_rescheduled,
            sum(calls_scheduled_upcoming) as scheduled_upcoming,
            sum(new_leads) as new_leads,
            sum(proposals) as proposals,
            sum(agreements) as agreements,
            sum(lists_out) as lists_out,
            sum(leads_lost) as leads_lost,
            sum(list_size_count) as lists_with_size,
            sum(list_size_sum) as list_size_sum,
            sum(lists_out_sold) as lists_out_sold
        from funnel
    ) as totals
    cross join lateral (
        values
        ('calls_completed', totals.calls_completed),
        ('calls_booked', totals.calls_booked),
        ('scheduled_completed', totals.scheduled_completed),
        ('scheduled_no_show', totals.scheduled_no_show),
        ('scheduled_missed', totals.scheduled_missed),
        ('scheduled_cancelled', totals.scheduled_cancelled),
        ('scheduled_rescheduled', totals.scheduled_rescheduled),
        ('scheduled_upcoming', totals.scheduled_upcoming),
        ('new_leads', totals.new_leads),
        ('proposals', totals.proposals),
        ('agreements', totals.agreements),
        ('lists_out', totals.lists_out),
        ('leads_lost', totals.leads_lost),
        ('lists_with_size', totals.lists_with_size),
        ('list_size_sum', totals.list_size_sum),
        ('lists_out_sold', totals.lists_out_sold)
    ) as figures (figure, value)
    union all
    select
        'bdr:' || bdr_id as subject,
        figures.figure,
        figures.value
    from (
        select
            bdr_id,
            sum(calls_completed) as calls_completed,
            sum(agreements) as agreements,
            sum(lists_out) as lists_out
        from funnel
        where bdr_id is not null
        group by 1
    ) as per_bdr
    cross join lateral (
        values
        ('calls_completed', per_bdr.calls_completed),
        ('agreements', per_bdr.agreements),
        ('lists_out', per_bdr.lists_out)
    ) as figures (figure, value)

),

fact_totals as (

    select
        'team' as subject,
        'calls_completed' as figure,
        count(*) as value
    from calls
    where call_status = 'completed'
    union all
    select
        'team' as subject,
        'calls_booked' as figure,
        count(*) as value
    from calls
    where created_at <= {{ as_of() }}
    union all
    select
        'team' as subject,
        'scheduled_' || call_status as figure,
        count(*) as value
    from calls
    where {{ local_week('scheduled_at') }} <= {{ local_week(as_of()) }}
    group by 1, 2
    union all
    select
        'team' as subject,
        'new_leads' as figure,
        count(*) as value
    from leads
    where created_at <= {{ as_of() }}
    union all
    select
        'team' as subject,
        metric as figure,
        count(*) as value
    from events
    where metric in ('proposals', 'agreements', 'lists_out', 'leads_lost')
    group by 1, 2
    union all
    select
        'team' as subject,
        'lists_with_size' as figure,
        count(*) as value
    from lists_out
    union all
    select
        'team' as subject,
        'list_size_sum' as figure,
        sum(list_size) as value
    from lists_out
    union all
    select
        'team' as subject,
        'lists_out_sold' as figure,
        count(*) as value
    from lists_out
    inner join leads
        on lists_out.lead_id = leads.lead_id
    where leads.list_outcome = 'SOLD'
    union all
    select
        'bdr:' || bdr_id as subject,
        figures.figure,
        figures.value
    from (
        select
            bdr_id,
            sum(calls_completed) as calls_completed,
            sum(agreements) as agreements,
            sum(lists_out) as lists_out
        from bdr_weeks
        group by 1
    ) as per_bdr
    cross join lateral (
        values
        ('calls_completed', per_bdr.calls_completed),
        ('agreements', per_bdr.agreements),
        ('lists_out', per_bdr.lists_out)
    ) as figures (figure, value)

),

final as (

    select
        coalesce(funnel_totals.subject, fact_totals.subject) as subject,
        coalesce(funnel_totals.figure, fact_totals.figure) as figure,
        coalesce(funnel_totals.value, 0) as funnel_value,
        coalesce(fact_totals.value, 0) as fact_value
    from funnel_totals
    full outer join fact_totals
        on
            funnel_totals.subject = fact_totals.subject
            and funnel_totals.figure = fact_totals.figure
    where coalesce(funnel_totals.value, 0) <> coalesce(fact_totals.value, 0)

)

select * from final
