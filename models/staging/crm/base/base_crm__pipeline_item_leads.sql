{{ config(materialized='table') }}
-- Every raw crm."PipelineItem" id once, with the clean lead it belongs to (contract §2, §4): a
-- clean lead belongs to itself, a clean partner contact to its clean sublist's parent, when
-- that parent is a clean lead (base_crm__sublists rejects a sublist whose parent is not a
-- lead). lead_id is null where there is none: the item's current version is rejected, or it
-- is a partner contact whose sublist is unknown or rejected, or whose lead is rejected.
-- Soft deletion plays no part: activity on deleted items is clean and counts nowhere (contract §4).
--
-- Read by base_crm__activity_logs and base_sales_ext__sales, which reject what belongs to no
-- lead (unmapped_lead) rather than let it vanish between staging and the marts; it is the
-- rule int_pipeline_items_mapped_to_leads applies to the clean models. A table, built once:
-- both base views are read twice (by staging and by audit).
with

items as (

    select * from {{ ref('base_crm__pipeline_items') }}
    where pipeline_item_id is not null and source_row_rank = 1

),

sublists as (

    select * from {{ ref('base_crm__sublists') }}
    where rejection_reason is null

),

final as (

    select
        items.pipeline_item_id,
        items.is_lead,
        items.rejection_reason is null as is_clean,
        case
            when items.rejection_reason is null and items.is_lead
                then items.pipeline_item_id
            when
                items.rejection_reason is null
                and parents.rejection_reason is null
                and parents.is_lead
                then parents.pipeline_item_id
        end as lead_id

    from items
    left join sublists
        on items.sublist_id = sublists.sublist_id
    left join items as parents
        on sublists.parent_item_id = parents.pipeline_item_id

)

select * from final
