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

-- one row per figure: the mart's total beside the facts' count for the same window
team_checks as (

    select
        'calls_completed' as figure,
        (select sum(funnel.calls_completed) from funnel) as funnel_value,
        (
            select count(*) from calls
            where calls.call_status = 'completed'
        ) as fact_value
    union all
    select
        'calls_booked' as figure,
        (select sum(funnel.calls_booked) from funnel) as funnel_value,
        (
            select count(*) from calls
            where calls.created_at <= {{ as_of() }}
        ) as fact_value
    {%- for status in ['completed', 'no_show', 'missed', 'cancelled', 'rescheduled', 'upcoming'] %}
    union all
    select
        'calls_scheduled_{{ status }}' as figure,
        (select sum(funnel.calls_scheduled_{{ status }}) from funnel) as funnel_value,
        (
            select count(*) from calls
            where
                calls.call_status = '{{ status }}'
                and {{ local_week('calls.scheduled_at') }} <= {{ local_week(as_of()) }}
        ) as fact_value
    {%- endfor %}
    union all
    select
        'new_leads' as figure,
        (select sum(funnel.new_leads) from funnel) as funnel_value,
        (
            select count(*) from leads
            where leads.created_at <= {{ as_of() }}
        ) as fact_value
    {%- for metric in ['proposals', 'agreements', 'lists_out', 'leads_lost'] %}
    union all
    select
        '{{ metric }}' as figure,
        (select sum(funnel.{{ metric }}) from funnel) as funnel_value,
        (
            select count(*) from events
            where events.metric = '{{ metric }}'
        ) as fact_value
    {%- endfor %}
    union all
    select
        'list_size_count' as figure,
        (select sum(funnel.list_size_count) from funnel) as funnel_value,
        (select count(*) from lists_out) as fact_value
    union all
    select
        'list_size_sum' as figure,
        (select sum(funnel.list_size_sum) from funnel) as funnel_value,
        (select sum(lists_out.list_size) from lists_out) as fact_value
    union all
    select
        'lists_out_sold' as figure,
        (select sum(funnel.lists_out_sold) from funnel) as funnel_value,
        (
            select count(*) from lists_out
            inner join leads on lists_out.lead_id = leads.lead_id
            where leads.list_outcome = 'SOLD'
        ) as fact_value

),

funnel_per_bdr as (

    select
        bdr_id,
        sum(calls_completed) as calls_completed,
        sum(agreements) as agreements,
        sum(lists_out) as lists_out
    from funnel
    where bdr_id is not null
    group by 1

),

weeks_per_bdr as (

    select
        bdr_id,
        sum(calls_completed) as calls_completed,
        sum(agreements) as agreements,
        sum(lists_out) as lists_out
    from bdr_weeks
    group by 1

),

final as (

    select
        'team' as subject,
        figure,
        coalesce(funnel_value, 0) as funnel_value,
        coalesce(fact_value, 0) as fact_value
    from team_checks
    where coalesce(funnel_value, 0) <> coalesce(fact_value, 0)
    {%- for figure in ['calls_completed', 'agreements', 'lists_out'] %}
    union all
    select
        'bdr:' || weeks_per_bdr.bdr_id as subject,
        '{{ figure }}' as figure,
        coalesce(funnel_per_bdr.{{ figure }}, 0) as funnel_value,
        weeks_per_bdr.{{ figure }} as fact_value
    from weeks_per_bdr
    left join funnel_per_bdr
        on weeks_per_bdr.bdr_id = funnel_per_bdr.bdr_id
    where coalesce(funnel_per_bdr.{{ figure }}, 0) <> weeks_per_bdr.{{ figure }}
    {%- endfor %}

)

select * from final
