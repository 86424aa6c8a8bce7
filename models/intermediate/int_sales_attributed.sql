-- Every valid sale (SPEC §4: amount > 0, sold at or before as_of, on a live item) with the
-- lead it comes from and that lead's BDR: a partner contact's sublist's parent lead, or the
-- lead itself.
with

sales as (

    select * from {{ ref('stg_sales_ext__sales') }}
    where amount > 0 and sold_at <= {{ as_of() }}

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
        items.category,
        sales.sold_at,
        sales.amount,
        sales.currency,
        sales.is_other_currency
    from sales
    inner join items
        on sales.pipeline_item_id = items.pipeline_item_id

)

select * from final
