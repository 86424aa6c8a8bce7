-- Every sale (amount > 0) whose currency has no rate to the reporting currency (contract §4,
-- v2): it counts as a sale and adds nothing to revenue until the seed currency_rates lists its
-- currency. A view, current after every build.
with

sales as (

    select * from {{ ref('stg_sales_ext__sales') }}
    where amount > 0

),

rates as (

    select * from {{ ref('int_currency_rates') }}

),

items as (

    select * from {{ ref('int_pipeline_items_mapped_to_leads') }}

),

final as (

    select
        sales.sale_id,
        sales.pipeline_item_id,
        items.lead_id,
        items.lead_owner_id as bdr_id,
        sales.sold_at,
        sales.amount,
        sales.currency,
        case
            when sales.currency is null then 'no_currency'
            else 'no_rate'
        end as reason
    from sales
    left join rates
        on sales.currency = rates.currency
    left join items
        on sales.pipeline_item_id = items.pipeline_item_id
    where rates.currency is null

)

select * from final
