live_sales as (
    select item.bdr_id, item.lead_id, sale.sold_at,
        round(sale.amount * rates.rate_to_reporting, 2) as amount
    from sales_ext.sales as sale
    inner join live_items as item on item.item_id = sale.pipeline_item_id
    left join seeds.currency_rates as rates
        on upper(trim(rates.currency)) = upper(trim(sale.currency))
    where sale.amount > 0 and sale.sold_at <= %(as_of_tz)s
)
