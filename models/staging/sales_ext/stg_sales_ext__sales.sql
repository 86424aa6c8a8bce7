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
