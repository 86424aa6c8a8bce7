-- The clean rows of base_crm__activity_logs: one SELECT without a WITH, so PostgreSQL
-- flattens the view into the query that reads it and a lookup through it reaches the base
-- table's indexes (a view whose query has a WITH is planned apart, as a whole scan).
select
    ----------  ids
    activity_log_id,
    pipeline_item_id,
    user_id,

    ----------  enums and text
    activity_type,
    outcome,
    from_status,
    to_status,
    notes,

    ----------  timestamps
    scheduled_at,
    completed_at,
    created_at,
    updated_at,

    ----------  data-quality flags
    has_unknown_type,
    has_unknown_outcome,
    has_implausible_timestamp

from {{ ref('base_crm__activity_logs') }}
where rejection_reason is null
