-- The clean rows of base_crm__kpi_targets: one SELECT without a WITH, so PostgreSQL
-- flattens the view into the query that reads it and a lookup through it reaches the base
-- table's indexes (a view whose query has a WITH is planned apart, as a whole scan).
select
    kpi_target_id,
    user_id,
    metric,
    period,
    target_value,
    effective_from_date,
    effective_to_date,
    is_team_target,
    has_unknown_metric,
    has_unknown_period

from {{ ref('base_crm__kpi_targets') }}
where rejection_reason is null
