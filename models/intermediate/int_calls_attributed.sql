-- Every CALL activity on a live item, with its lead, category and owner (the log's user,
-- contract §4). Nothing here depends on as_of: fct_calls adds the status per build. One SELECT
-- without a WITH (as the stg_ views), so a lookup of a few calls reaches staging's indexes.
select
    activity_logs.activity_log_id as call_id,
    activity_logs.pipeline_item_id,
    items.lead_id,
    activity_logs.user_id as bdr_id,
    items.category,
    activity_logs.scheduled_at,
    activity_logs.completed_at,
    activity_logs.outcome,
    coalesce(
        activity_logs.completed_at is not null
        and (activity_logs.outcome is null or activity_logs.outcome = 'COMPLETED'),
        false
    ) as is_completion,
    activity_logs.created_at,
    greatest(activity_logs.updated_at, items.last_changed_at) as last_changed_at

from {{ ref('stg_crm__activity_logs') }} as activity_logs
inner join {{ ref('int_pipeline_items_mapped_to_leads') }} as items
    on activity_logs.pipeline_item_id = items.pipeline_item_id

where activity_logs.activity_type = 'CALL'
