-- Where the CRM's own copies of the sales feed disagree with it (contract §4): per live lead,
-- the CRM's firstSaleDate and totalSalesFromList (a number of sales) against the feed's first
-- sale and number of sales of its list (at or after the list out, as of as_of:
-- int_leads_milestones). First sales are compared by local day: the copy's precision is not a
-- disagreement. Only leads where they disagree; none while the feed has delivered nothing
-- (int_sales_feed_status), since then there is nothing to reconcile with. The marts read the
-- feed alone; the warn-level test on this model reports the count. A view.
with

leads as (

    select * from {{ ref('stg_crm__pipeline_items') }}
    where is_lead and not is_deleted

),

milestones as (

    select * from {{ ref('int_leads_milestones') }}

),

sales_feed as (

    select * from {{ ref('int_sales_feed_status') }}

),

compared as (

    select
        leads.pipeline_item_id as lead_id,
        leads.item_name as lead_name,
        leads.assigned_to_id as bdr_id,
        milestones.partner_list_sent_at,
        leads.first_sale_at as crm_first_sale_at,
        milestones.list_first_sale_at as feed_first_sale_at,
        leads.total_sales_from_list as crm_sales_count,
        milestones.list_sales_count as feed_sales_count,
        (
            {{ local_date('leads.first_sale_at') }}
            is distinct from {{ local_date('milestones.list_first_sale_at') }}
        ) as has_first_sale_mismatch,
        coalesce(leads.total_sales_from_list, 0) <> milestones.list_sales_count
            as has_sales_count_mismatch
    from leads
    inner join milestones
        on leads.pipeline_item_id = milestones.lead_id
    cross join sales_feed
    where sales_feed.is_loaded

),

final as (

    select
        *,
        case
            when has_first_sale_mismatch and crm_first_sale_at is null
                then 'first sale missing in the CRM'
            when has_first_sale_mismatch and feed_first_sale_at is null
                then 'first sale not in the feed'
            when has_first_sale_mismatch then 'first sale on another day'
            else 'sales count differs'
        end as reason
    from compared
    where has_first_sale_mismatch or has_sales_count_mismatch

)

select * from final
