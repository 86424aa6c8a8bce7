-- The clean rows of base_crm__sublists: one SELECT without a WITH, so PostgreSQL
-- flattens the view into the query that reads it and a lookup through it reaches the base
-- table's indexes (a view whose query has a WITH is planned apart, as a whole scan).
select
    sublist_id,
    parent_item_id,
    sublist_name,
    created_at,
    has_implausible_timestamp

from {{ ref('base_crm__sublists') }}
where rejection_reason is null
