{{
    config(
        indexes=[
            {'columns': ['bdr_id']},
        ],
    )
}}
-- Month-end projection of agreements and lists out for as_of's month (contract §5 "Forecast"),
-- for the team and each active BDR, beside the monthly target: the month-to-date count plus
-- what is still to come, from two estimates:
--   run rate: month-to-date count / business days elapsed x business days remaining;
--   open pipeline: agreements: outstanding proposals x the team's historical
--     proposal -> agreement rate x the share of the month's business days remaining;
--     lists out: unsent lists (agreement reached, not LOST) due within the month.
-- Agreements: the two estimates of the same flow are averaged. Lists out: the lists already
-- due are a floor under the run rate, so the greater of the two counts.
with

kpis as (

    select * from (
        values
        ('agreements', 'AGREEMENTS'),
        ('lists_out', 'LISTS_OUT')
    ) as kpis (metric, target_metric)

),

metrics as (

    select * from {{ ref('as_of_metrics') }}
    where is_active

),

leads as (

    select * from {{ ref('int_leads_milestones') }}

),

conversion_rates as (

    select * from {{ ref('conversion_rates_monthly') }}
    where scope = 'team'

),

targets as (

    select * from {{ ref('int_kpi_targets_resolved') }}
    where period = 'MONTH' and period_start = {{ local_month(as_of()) }}

),

calendar as (

    select * from {{ ref('int_dates_spined') }}
    where month_start = {{ local_month(as_of()) }}

),

month_days as (

    select
        min(month_start) as month_start,
        max(date_day) as month_end,
        {{ count_business_days() }} as business_days_in_month,
        {{ count_business_days(elapsed_only=true) }} as business_days_elapsed
    from calendar

),

-- the team's proposal -> agreement rate over every complete month's proposal cohort
historical_rate as (

    select
        cast(sum(proposals_with_agreement) as numeric)
        / nullif(sum(proposals_cohort), 0) as proposal_to_agreement_rate
    from conversion_rates
    where cohort_month < {{ local_month(as_of()) }}

),

-- lists awaiting dispatch: agreement reached, not sent by as_of, not LOST (contract §5's
-- pending list, macros/metrics/pipeline_rules.sql), due within the month
lists_awaiting as (

    select leads.bdr_id
    from leads
    cross join month_days
    where
        {{ is_list_pending_at(
            'leads.agreement_at', 'leads.partner_list_sent_at', 'leads.status_stage', as_of()
        ) }}
        and {{ local_date('leads.partner_list_due_at') }}
        between month_days.month_start and month_days.month_end

),

pipeline as (

    select
        'lists_out' as metric,
        grouping(bdr_id) = 1 as is_team,
        bdr_id,
        count(*) as open_pipeline
    from lists_awaiting
    group by grouping sets ((), (bdr_id))

),

joined as (

    select
        month_to_date.as_of,
        month_days.month_start,
        month_to_date.scope,
        month_to_date.bdr_id,
        month_to_date.bdr_name,
        kpis.metric,
        cast(month_to_date.metric_value as integer) as actual_to_date,
        cast(month_days.business_days_in_month as integer) as business_days_in_month,
        cast(month_days.business_days_elapsed as integer) as business_days_elapsed,
        cast(
            month_days.business_days_in_month - month_days.business_days_elapsed as integer
        ) as business_days_remaining,
        cast(
            case
                when kpis.metric = 'agreements' then proposals.metric_value
                else coalesce(pipeline.open_pipeline, 0)
            end as integer
        ) as open_pipeline,
        case
            when kpis.metric = 'agreements' then historical_rate.proposal_to_agreement_rate
            else 1
        end as pipeline_conversion_rate,
        cast(targets.target_value as integer) as month_target
    from kpis
    cross join month_days
    cross join historical_rate
    inner join metrics as month_to_date
        on month_to_date.time_window = 'this_month' and kpis.metric = month_to_date.metric
    inner join metrics as proposals
        on
            proposals.time_window = 'as_of'
            and proposals.metric = 'outstanding_proposals'
            and {{ subject_key('month_to_date.bdr_id') }} = {{ subject_key('proposals.bdr_id') }}
    left join pipeline
        on
            kpis.metric = pipeline.metric
            and (month_to_date.scope = 'team') = pipeline.is_team
            and {{ subject_key(
                "case when month_to_date.scope <> 'team' then month_to_date.bdr_id end"
            ) }}
            = {{ subject_key("case when not pipeline.is_team then pipeline.bdr_id end") }}
    left join targets
        on
            kpis.target_metric = targets.metric
            and {{ subject_key('month_to_date.bdr_id') }} = {{ subject_key('targets.bdr_id') }}

),

projected as (

    select
        *,
        cast(actual_to_date as numeric)
        / nullif(business_days_elapsed, 0) as run_rate_per_business_day,
        -- multiply before dividing, so that e.g. 9 x 3 / 18 is exactly 1.5
        coalesce(
            cast(actual_to_date * business_days_remaining as numeric)
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
        {{ surrogate_key(['metric', 'bdr_id']) }} as forecast_id,
        as_of,
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
        round(run_rate_per_business_day, 4) as run_rate_per_business_day,
        round(actual_to_date + run_rate_remaining, 1) as run_rate_forecast,
        open_pipeline,
        round(pipeline_conversion_rate, 4) as pipeline_conversion_rate,
        round(pipeline_remaining, 1) as pipeline_remaining,
        round(forecast_value, 1) as forecast,
        round(forecast_value / nullif(month_target, 0), 4) as forecast_attainment,
        {{ traffic_light('forecast_value', 'month_target') }} as status
    from forecasted

)

select * from final
