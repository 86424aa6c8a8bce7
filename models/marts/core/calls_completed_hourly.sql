{{
    config(
        indexes=[
            {'columns': ['call_date']},
            {'columns': ['bdr_id', 'call_date']},
        ],
    )
}}
-- Completed calls per owner, local day, local hour and lead category: metric_events'
-- calls_completed (as of as_of) grouped once per build, for readers that filter by dates,
-- people and categories at once and must answer in milliseconds (the reporting API's
-- call-volume). Every owner, BDR or not (is_bdr tells), so the team's daily count is here
-- as well as the BDRs' heatmap; call_heatmap is the BDRs' cells of it without the category.
with

calls_completed as (

    select * from {{ ref('metric_events') }}
    where metric = 'calls_completed'

),

final as (

    select
        bdr_id,
        is_bdr,
        occurred_date as call_date,
        occurred_week as call_week,
        iso_weekday,
        hour_of_day,
        category,
        count(*) as calls_completed
    from calls_completed
    group by 1, 2, 3, 4, 5, 6, 7

)

select * from final
