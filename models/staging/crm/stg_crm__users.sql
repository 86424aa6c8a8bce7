-- The clean rows of base_crm__users: one SELECT without a WITH, so PostgreSQL
-- flattens the view into the query that reads it and a lookup through it reaches the base
-- table's indexes (a view whose query has a WITH is planned apart, as a whole scan).
select
    user_id,
    user_name,
    email,
    user_role,
    team,
    is_active,
    is_bdr,
    has_unknown_role,
    created_at,
    updated_at,
    has_implausible_timestamp

from {{ ref('base_crm__users') }}
where rejection_reason is null
