live_sales as (
    select item.bdr_id, item.lead_id, sale.sold_at, sale.amount
    from sales_ext.sales as sale
    inner join live_items as item on item.item_id = sale.pipeline_item_id
    where sale.amount > 0 and sale.sold_at <= %(as_of_tz)s
)
