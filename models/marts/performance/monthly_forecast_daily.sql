{{
    config(
        indexes=[
            {'columns': ['as_of_date']},
            {'columns': ['bdr_id']},
        ],
    )
}}
{%- set history_days = var('forecast_history_days') | int -%}
{%- if history_days < 1 -%}
    {{ exceptions.raise_compiler_error(
        "var forecast_history_days=" ~ history_days ~ " must be at least 1 (as_of's own day)"
    ) }}
{%- endif -%}
{%- set first_day = local_date(as_of()) ~ ' - ' ~ (history_days - 1) -%}
-- The month-end forecast of agreements and lists out (contract §5 "Forecast") as it stood at the
-- end of each local day (as_of itself on as_of's own day), for the 90 local days up to as_of's
-- (var forecast_history_days), for the team and each active BDR, beside the month target and
-- what the month really ended at. The one place the forecast's method is written:
-- monthly_forecast is this table's row for as_of's day, as pipeline_health is
-- pipeline_health_daily's. For each day, in its own local month, two estimates of what is
-- still to come:
--   run rate: month-to-date count / business days elapsed x business days remaining;
--   open pipeline: agreements: outstanding proposals at the day's end x the team's
--     proposal -> agreement rate as known then (every proposal cohort of the months before the
--     day's, with the agreements reached by the day's end) x the share of the month's business
--     days remaining; lists out: lists awaiting dispatch at the day's end (agreement reached,
--     not sent, not LOST) due within the month.
-- Agreements: the two estimates of the same flow are averaged. Lists out: the lists already
-- due are a floor under the run rate, so the greater of the two counts.
-- An event after a day's end counts nowhere for that day (contract §3); current statuses are
-- read as they are now, as pipeline_health_daily reads them. A table rebuilt on every run.
with

kpis as (

    select * from (
        values
        ('agreements', 'AGREEMENTS'),
        ('lists_out', 'LISTS_OUT')
    ) as kpis (metric, target_metric)

),

calendar as (

    select * from {{ ref('int_dates_spined') }}

),

-- each day of the window the calendar holds (the calendar starts with the data's first month),
-- and the instant it is judged at: its last microsecond, or as_of on as_of's own day
days as (

    select
        date_day as as_of_date,
        month_start,
        least(day_end_at - interval '1 microsecond', {{ as_of() }}) as evaluated_at
    from calendar
    where date_day between {{ first_day }} and {{ local_date(as_of()) }}

),

window_start as (

    select
        min(month_start) as first_month,
        min(evaluated_at) as first_evaluated_at
    from days

),

day_business_days as (

    select
        days.as_of_date,
        {{ count_business_days(calendar='month_days') }} as business_days_in_month,
        {{ count_business_days(elapsed_through='days.as_of_date', calendar='month_days') }}
            as business_days_elapsed
    from days
    inner join calendar as month_days
        on days.month_start = month_days.month_start
    group by days.as_of_date

),

-- the team (every user) and each active BDR, as monthly_forecast has always shown them
subjects as (

    select
        'team' as scope,
        cast(null as {{ sql_type('text') }}) as bdr_id,
        cast(null as {{ sql_type('text') }}) as bdr_name
    union all
    select
        'bdr' as scope,
        bdr_id,
        bdr_name
    from {{ ref('dim_bdrs') }}
    where is_active

),

-- agreements and lists out that happened (at or before as_of) in the window's months
events as (

    select
        metric_events.bdr_id,
        metric_events.metric,
        metric_events.occurred_date,
        metric_events.occurred_month
    from {{ ref('metric_events') }} as metric_events
    cross join window_start
    where
        metric_events.metric in ('agreements', 'lists_out')
        and metric_events.timing = 'happened'
        and metric_events.occurred_date >= window_start.first_month

),

day_counts as (

    select
        -- the team, or the owner's key (subject_key's; an event with no owner counts for the
        -- team alone)
        case
            when grouping(bdr_id) = 1 then 'team' else coalesce('bdr:' || bdr_id, 'none')
        end as subject,
        metric,
        occurred_month,
        occurred_date,
        count(*) as events
    from events
    group by grouping sets (
        (metric, occurred_month, occurred_date),
        (metric, occurred_month, occurred_date, bdr_id)
    )

),

-- the month's count up to each day: an event of a later day is not in it
to_date as (

    select
        days.as_of_date,
        day_counts.subject,
        day_counts.metric,
        sum(day_counts.events) as actual_to_date
    from days
    inner join day_counts
        on
            days.month_start = day_counts.occurred_month
            and days.as_of_date >= day_counts.occurred_date
    group by days.as_of_date, day_counts.subject, day_counts.metric

),

-- what each month ended at (read for the months that ended by as_of)
month_actuals as (

    select
        occurred_month as month_start,
        subject,
        metric,
        sum(events) as month_actual
    from day_counts
    group by occurred_month, subject, metric

),

-- the leads any day's pipeline can count: proposed or agreed (by as_of), and not done with
-- (agreed and sent) before the window's first instant
leads as (

    select leads.*
    from {{ ref('int_leads_milestones') }} as leads
    cross join window_start
    where
        (leads.proposal_at is not null or leads.agreement_at is not null)
        and (
            leads.agreement_at is null
            or leads.partner_list_sent_at is null
            or greatest(leads.agreement_at, leads.partner_list_sent_at)
            > window_start.first_evaluated_at
        )

),

-- contract §5's rules (macros/metrics/pipeline_rules.sql), judged at each day's instant: the
-- pairs of a day and a lead that one of them counts (most pairs count nowhere, so they are
-- left out before grouping)
pipeline_states as (

    select
        days.as_of_date,
        leads.bdr_id,
        {{ is_proposal_outstanding_at(
            'leads.proposal_at', 'leads.agreement_at', 'leads.status_stage', 'days.evaluated_at'
        ) }} as is_proposal_outstanding,
        {{ is_list_pending_at(
            'leads.agreement_at', 'leads.partner_list_sent_at', 'leads.status_stage',
            'days.evaluated_at'
        ) }}
        and coalesce({{ local_month('leads.partner_list_due_at') }} = days.month_start, false)
            as is_list_awaiting
    from days
    inner join leads
        on
            {{ is_proposal_outstanding_at(
                'leads.proposal_at', 'leads.agreement_at', 'leads.status_stage',
                'days.evaluated_at'
            ) }}
            or {{ is_list_pending_at(
                'leads.agreement_at', 'leads.partner_list_sent_at', 'leads.status_stage',
                'days.evaluated_at'
            ) }}

),

pipeline_counts as (

    select
        as_of_date,
        case
            when grouping(bdr_id) = 1 then 'team' else coalesce('bdr:' || bdr_id, 'none')
        end as subject,
        count(*) filter (where is_proposal_outstanding) as outstanding_proposals,
        count(*) filter (where is_list_awaiting) as lists_awaiting
    from pipeline_states
    group by grouping sets ((as_of_date), (as_of_date, bdr_id))

),

-- every proposal (a lead's, by as_of) by the local month of its cohort and the local day of its
-- agreement (null: none by as_of), so each day can count the agreements reached by its end
proposal_cohorts as (

    select
        {{ local_month('proposal_at') }} as cohort_month,
        {{ local_date('agreement_at') }} as agreement_date,
        count(*) as proposals
    from {{ ref('int_leads_milestones') }}
    where proposal_at is not null
    group by cohort_month, agreement_date

),

-- the team's proposal -> agreement rate as known at each day's end, over every proposal
-- cohort of the months before the day's (as conversion_rates_monthly counts it at as_of)
historical_rates as (

    select
        days.as_of_date,
        cast(
            coalesce(
                sum(proposal_cohorts.proposals) filter (
                    where proposal_cohorts.agreement_date <= days.as_of_date
                ),
                0
            ) as {{ sql_type('numeric') }}
        ) / nullif(sum(proposal_cohorts.proposals), 0) as proposal_to_agreement_rate
    from days
    inner join proposal_cohorts
        on days.month_start > proposal_cohorts.cohort_month
    group by days.as_of_date

),

targets as (

    select
        targets.period_start as month_start,
        {{ subject_key('targets.bdr_id') }} as subject,
        targets.metric as target_metric,
        targets.target_value
    from {{ ref('int_kpi_targets_resolved') }} as targets
    cross join window_start
    where
        targets.period = 'MONTH'
        and targets.period_start >= window_start.first_month

),

grid as (

    select
        days.as_of_date,
        days.month_start,
        days.evaluated_at,
        subjects.scope,
        subjects.bdr_id,
        subjects.bdr_name,
        {{ subject_key('subjects.bdr_id') }} as subject,
        kpis.metric,
        kpis.target_metric
    from days
    cross join subjects
    cross join kpis

),

joined as (

    select
        grid.as_of_date,
        grid.evaluated_at,
        grid.month_start,
        grid.scope,
        grid.bdr_id,
        grid.bdr_name,
        grid.metric,
        cast(coalesce(to_date.actual_to_date, 0) as integer) as actual_to_date,
        cast(day_business_days.business_days_in_month as integer) as business_days_in_month,
        cast(day_business_days.business_days_elapsed as integer) as business_days_elapsed,
        cast(
            day_business_days.business_days_in_month - day_business_days.business_days_elapsed
            as integer
        ) as business_days_remaining,
        cast(
            coalesce(
                case
                    when grid.metric = 'agreements' then pipeline_counts.outstanding_proposals
                    else pipeline_counts.lists_awaiting
                end,
                0
            ) as integer
        ) as open_pipeline,
        case
            when grid.metric = 'agreements' then historical_rates.proposal_to_agreement_rate
            else 1
        end as pipeline_conversion_rate,
        cast(targets.target_value as integer) as month_target,
        grid.month_start < {{ local_month(as_of()) }} as is_month_ended,
        case
            when grid.month_start < {{ local_month(as_of()) }}
                then cast(coalesce(month_actuals.month_actual, 0) as integer)
        end as month_actual
    from grid
    inner join day_business_days
        on grid.as_of_date = day_business_days.as_of_date
    left join to_date
        on
            grid.as_of_date = to_date.as_of_date
            and grid.subject = to_date.subject
            and grid.metric = to_date.metric
    left join pipeline_counts
        on
            grid.as_of_date = pipeline_counts.as_of_date
            and grid.subject = pipeline_counts.subject
    left join historical_rates
        on grid.as_of_date = historical_rates.as_of_date
    left join targets
        on
            grid.month_start = targets.month_start
            and grid.subject = targets.subject
            and grid.target_metric = targets.target_metric
    left join month_actuals
        on
            grid.month_start = month_actuals.month_start
            and grid.subject = month_actuals.subject
            and grid.metric = month_actuals.metric

),

projected as (

    select
        *,
        cast(actual_to_date as {{ sql_type('numeric') }})
        / nullif(business_days_elapsed, 0) as run_rate_per_business_day,
        -- multiply before dividing, so that e.g. 9 x 3 / 18 is exactly 1.5
        coalesce(
            cast(actual_to_date * business_days_remaining as {{ sql_type('numeric') }})
            / nullif(business_days_elapsed, 0),
            0
        ) as run_rate_remaining,
        case
            when metric = 'agreements'
                then
                    open_pipeline * pipeline_conversion_rate * business_days_remaining
                    / nullif(business_days_in_month, 0)
            else open_pipeline * pipeline_conversion_rate
        end as pipeline_remaining
    from joined

),

forecasted as (

    select
        *,
        actual_to_date + case
            when metric = 'lists_out' then greatest(run_rate_remaining, pipeline_remaining)
            else coalesce((run_rate_remaining + pipeline_remaining) / 2, run_rate_remaining)
        end as forecast_value
    from projected

),

final as (

    select
        {{ surrogate_key(['as_of_date', 'metric', 'bdr_id']) }} as forecast_daily_id,
        as_of_date,
        evaluated_at,
        as_of_date = {{ local_date(as_of()) }} as is_as_of_date,
        month_start,
        scope,
        bdr_id,
        bdr_name,
        metric,
        actual_to_date,
        month_target,
        business_days_in_month,
        business_days_elapsed,
        business_days_remaining,
        {{ rounded('run_rate_per_business_day', 4) }} as run_rate_per_business_day,
        {{ rounded('actual_to_date + run_rate_remaining', 1) }} as run_rate_forecast,
        open_pipeline,
        {{ rounded('pipeline_conversion_rate', 4) }} as pipeline_conversion_rate,
        {{ rounded('pipeline_remaining', 1) }} as pipeline_remaining,
        {{ rounded('forecast_value', 1) }} as forecast,
        {{ rounded('forecast_value / nullif(month_target, 0)', 4) }} as forecast_attainment,
        {{ traffic_light('forecast_value', 'month_target') }} as status,
        is_month_ended,
        month_actual,
        cast(
            round(forecast_value, 1) - month_actual as {{ sql_type('numeric') }}
        ) as forecast_error
    from forecasted

)

select * from final
