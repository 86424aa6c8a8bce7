{{
    config(
        indexes=[
            {'columns': ['sale_date']},
            {'columns': ['bdr_id', 'sale_date']},
            {'columns': ['lead_id']},
        ],
    )
}}
-- One row per valid sale as of as_of (contract §4, §7): amount > 0, sold at or before as_of, on a
-- live item, attributed to its lead and that lead's BDR: fct_events' sales, through
-- metric_events' as-of rule, with its amount as sent and converted to the reporting currency
-- (metric_events' revenue). Empty when the sales feed does not exist.
with

sales as (

    select * from {{ ref('metric_events') }}
    where metric = 'sales'

),

revenue as (

    select * from {{ ref('metric_events') }}
    where metric = 'revenue'

),

events as (

    select * from {{ ref('fct_events') }}
    where event_type = 'sale'

),

final as (

    select
        sales.source_id as sale_id,
        sales.pipeline_item_id,
        sales.lead_id,
        sales.bdr_id,
        sales.category,
        sales.pipeline_item_id <> sales.lead_id as is_on_partner_contact,
        sales.occurred_at as sold_at,
        sales.occurred_date as sale_date,
        sales.occurred_week as sale_week,
        sales.occurred_month as sale_month,
        events.amount,
        events.currency,
        events.is_other_currency,
        cast(revenue.metric_value as numeric(14, 2)) as revenue,
        revenue.metric_value is not null as has_rate
    from sales
    inner join events
        on sales.event_id = events.event_id
    inner join revenue
        on sales.event_id = revenue.event_id

)

select * from final
