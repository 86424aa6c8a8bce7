-- Every live pipeline item (lead or partner contact) with the lead it belongs to: a lead
-- belongs to itself, a partner contact to its sublist's parent lead. The lead's owner and
-- category come along, since every event on the item is the lead's BDR's (SPEC §4).
-- Each CTE is read once, so PostgreSQL inlines it: a query that looks up a few items (the
-- incremental facts' scopes) reaches them through staging's indexes, not a scan of them all.
with

pipeline_items as (

    select * from {{ ref('stg_crm__pipeline_items') }}
    where not is_deleted

),

sublists as (

    select * from {{ ref('stg_crm__sublists') }}

),

leads as (

    select
        pipeline_item_id as lead_id,
        assigned_to_id as lead_owner_id,
        category,
        updated_at as lead_updated_at
    from {{ ref('stg_crm__pipeline_items') }}
    where is_lead and not is_deleted

),

items_with_lead_ids as (

    select
        pipeline_items.pipeline_item_id,
        pipeline_items.is_lead,
        pipeline_items.updated_at,
        case
            when pipeline_items.is_lead then pipeline_items.pipeline_item_id
            else sublists.parent_item_id
        end as lead_id
    from pipeline_items
    left join sublists
        on pipeline_items.sublist_id = sublists.sublist_id

),

final as (

    -- inner join: a contact whose lead is deleted (or whose sublist is unknown) belongs to no
    -- live lead and counts nowhere (SPEC §4)
    select
        items_with_lead_ids.pipeline_item_id,
        items_with_lead_ids.lead_id,
        items_with_lead_ids.is_lead,
        leads.lead_owner_id,
        leads.category,
        greatest(items_with_lead_ids.updated_at, leads.lead_updated_at) as last_changed_at
    from items_with_lead_ids
    inner join leads
        on items_with_lead_ids.lead_id = leads.lead_id

)

select * from final
