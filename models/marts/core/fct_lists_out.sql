{{
    config(
        indexes=[
            {'columns': ['sent_date']},
            {'columns': ['bdr_id', 'sent_date']},
        ],
    )
}}
-- One row per list out as of as_of (contract §4, §7): a live lead whose list went out (its
-- partnerListSentDate, else its first move to PARTNER_LIST_SENT) at or before as_of, with its
-- size and its sales (the lead's valid sales at or after the list went out, from
-- int_leads_milestones). Revenue is null while the sales feed is absent or
-- empty (no sales known, contract §4; int_sales_feed_status), else 0 for a list with no sale.
with

milestones as (

    select * from {{ ref('int_leads_milestones') }}
    where has_list_out

),

sales_feed as (

    select * from {{ ref('int_sales_feed_status') }}

),

lists as (

    select
        milestones.*,
        sales_feed.is_loaded as is_sales_feed_loaded
    from milestones
    cross join sales_feed

),

final as (

    select
        lead_id,
        bdr_id,
        category,
        partner_list_sent_at as sent_at,
        {{ local_date('partner_list_sent_at') }} as sent_date,
        {{ local_week('partner_list_sent_at') }} as sent_week,
        {{ local_month('partner_list_sent_at') }} as sent_month,
        agreement_at,
        partner_list_due_at,
        list_size,
        is_list_out_backfilled,
        list_sales_count as sales_count,
        list_sales_count > 0 as has_sale,
        cast(
            case when is_sales_feed_loaded then coalesce(list_revenue, 0) end
            as {{ sql_type('numeric(14, 2)') }}
        ) as revenue,
        list_first_sale_at as first_sale_at,
        {{ local_date('list_first_sale_at') }} as first_sale_date,
        {{ dbt.datediff(
            local_date('partner_list_sent_at'), local_date('list_first_sale_at'), 'day'
        ) }} as days_to_first_sale
    from lists

)

select * from final
