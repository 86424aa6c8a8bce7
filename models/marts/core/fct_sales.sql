{{
    config(
        indexes=[
            {'columns': ['sale_date']},
            {'columns': ['bdr_id', 'sale_date']},
            {'columns': ['lead_id']},
        ],
    )
}}
-- One row per valid sale as of as_of (SPEC §4, §7): amount > 0, sold at or before as_of, on a
-- live item, attributed to its lead and that lead's BDR by int_sales_attributed. Empty when
-- the sales feed does not exist.
with

sales as (

    select * from {{ ref('int_sales_attributed') }}

),

final as (

    select
        sale_id,
        pipeline_item_id,
        lead_id,
        bdr_id,
        category,
        pipeline_item_id <> lead_id as is_on_partner_contact,
        sold_at,
        {{ local_date('sold_at') }} as sale_date,
        {{ local_week('sold_at') }} as sale_week,
        {{ local_month('sold_at') }} as sale_month,
        amount,
        currency,
        is_other_currency
    from sales

)

select * from final
