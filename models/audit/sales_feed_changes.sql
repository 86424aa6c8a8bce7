-- Every change a re-load made to a sale of the finance feed: the version it replaced beside
-- the sale as it is now, so the data team can see which figures finance restated, when,
-- and by how much. Empty while the feed or its history does not exist.
with

history as (

    select * from ({{ select_sales_history() }}) as history

),

current_sales as (

    select * from ({{ select_sales_feed() }}) as sales

),

final as (

    select
        {{ surrogate_key(['history.sale_id', 'history.replaced_at']) }} as sales_feed_change_id,
        history.sale_id,
        {{ to_utc('history.replaced_at') }} as replaced_at,
        {{ to_utc('history.loaded_at') }} as previous_loaded_at,
        history.pipeline_item_id as previous_pipeline_item_id,
        current_sales.pipeline_item_id as current_pipeline_item_id,
        {{ to_utc('history.sold_at') }} as previous_sold_at,
        {{ to_utc('current_sales.sold_at') }} as current_sold_at,
        history.amount as previous_amount,
        current_sales.amount as current_amount,
        history.currency as previous_currency,
        current_sales.currency as current_currency,
        current_sales.amount - history.amount as amount_change

    from history
    left join current_sales
        on history.sale_id = current_sales.sale_id

)

select * from final
