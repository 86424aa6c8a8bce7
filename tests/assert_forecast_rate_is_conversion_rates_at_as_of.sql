-- The forecast's historical proposal -> agreement rate, which monthly_forecast_daily counts for
-- each day as known at its end, is at as_of the team's rate of conversion_rates_monthly over
-- the cohort months before as_of's: the two counts of one ratio must not drift apart. Returns
-- the as_of row when they differ (both null, before any complete month has a proposal, agree).
{{ config(meta={'dagster': {'ref': {'name': 'monthly_forecast_daily'}}}) }}

with

forecast as (

    select * from {{ ref('monthly_forecast_daily') }}
    where is_as_of_date and scope = 'team' and metric = 'agreements'

),

conversion_rates as (

    select * from {{ ref('conversion_rates_monthly') }}
    where scope = 'team' and cohort_month < {{ local_month(as_of()) }}

),

historical_rate as (

    select
        round(
            cast(sum(proposals_with_agreement) as numeric) / nullif(sum(proposals_cohort), 0), 4
        ) as proposal_to_agreement_rate
    from conversion_rates

),

final as (

    select
        forecast.as_of_date,
        forecast.pipeline_conversion_rate,
        historical_rate.proposal_to_agreement_rate
    from forecast
    cross join historical_rate
    where
        forecast.pipeline_conversion_rate
        is distinct from historical_rate.proposal_to_agreement_rate

)

select * from final
