-- Every live pipeline item (lead or partner contact) with the lead it belongs to: a lead
-- belongs to itself, a partner contact to its sublist's parent lead. The lead's owner and
-- category come along, since every event on the item is the lead's BDR's (contract §4).
-- One SELECT without a WITH (as the stg_ views): PostgreSQL flattens the view into the query
-- that reads it, so the incremental facts' lookups of a few items reach staging's indexes.
select
    items.pipeline_item_id,
    leads.pipeline_item_id as lead_id,
    items.is_lead,
    leads.assigned_to_id as lead_owner_id,
    leads.category,
    greatest(items.updated_at, leads.updated_at) as last_changed_at

from {{ ref('stg_crm__pipeline_items') }} as items
left join {{ ref('stg_crm__sublists') }} as sublists
    on items.sublist_id = sublists.sublist_id
-- inner join: a contact whose lead is deleted (or whose sublist is unknown) belongs to no live
-- lead and counts nowhere (contract §4)
inner join {{ ref('stg_crm__pipeline_items') }} as leads
    on
        leads.pipeline_item_id
        = case when items.is_lead then items.pipeline_item_id else sublists.parent_item_id end
        and leads.is_lead
        and not leads.is_deleted

where not items.is_deleted
