{{
    config(
        indexes=[
            {'columns': ['bdr_id']},
        ],
    )
}}
-- Month-end projection of agreements and lists out for as_of's month (contract §5 "Forecast"),
-- for the team and each active BDR, beside the monthly target: monthly_forecast_daily's rows
-- for as_of's local day, judged at as_of itself. The method (run rate and open pipeline, the
-- one place it is written) is that model's.
with

daily as (

    select * from {{ ref('monthly_forecast_daily') }}
    where is_as_of_date

),

final as (

    select
        {{ surrogate_key(['metric', 'bdr_id']) }} as forecast_id,
        evaluated_at as as_of,
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
        run_rate_per_business_day,
        run_rate_forecast,
        open_pipeline,
        pipeline_conversion_rate,
        pipeline_remaining,
        forecast,
        forecast_attainment,
        status
    from daily

)

select * from final
