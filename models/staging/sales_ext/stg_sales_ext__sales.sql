{{ config(materialized='table') }}
-- A table, not a view like the CRM's stg_ models: its base is a view over the feed (which
-- has no change timestamp to be incremental on), and a view over it would leave the planner
-- without statistics.
with

sales as (

    select * from {{ ref('base_sales_ext__sales') }}
    where rejection_reason is null

),

final as (

    select
        sale_id,
        pipeline_item_id,
        amount,
        currency,
        sold_at,
        loaded_at,
        has_unknown_currency,
        is_other_currency

    from sales

)

select * from final
