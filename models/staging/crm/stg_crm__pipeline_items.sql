-- The clean rows of base_crm__pipeline_items: one SELECT without a WITH, so PostgreSQL
-- flattens the view into the query that reads it and a lookup through it reaches the base
-- table's indexes (a view whose query has a WITH is planned apart, as a whole scan).
select
    ----------  ids
    pipeline_item_id,
    assigned_to_id,
    sublist_id,

    ----------  descriptive
    item_name,
    category,
    status,
    status_stage,
    status_stage_order,

    ----------  kinds of item
    is_lead,
    is_partner_contact,
    is_deleted,

    ----------  numerics
    partner_list_size,
    total_sales_from_list,

    ----------  timestamps
    call_at,
    agreement_at,
    partner_list_due_at,
    partner_list_sent_at,
    first_sale_at,
    created_at,
    updated_at,
    deleted_at,

    ----------  data-quality flags
    has_unknown_status,
    has_future_timestamp,
    has_implausible_timestamp,
    has_negative_value

from {{ ref('base_crm__pipeline_items') }}
where rejection_reason is null
