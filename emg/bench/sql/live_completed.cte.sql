live_completed as (
    select log."userId" as user_id, log."completedDate" as completed_at, item.lead_id
    from crm."ActivityLog" as log
    inner join live_items as item on item.item_id = log."pipelineItemId"
    where log.type = 'CALL' and log."completedDate" is not null
        and coalesce(log.outcome, 'COMPLETED') = 'COMPLETED'
        and log."completedDate" <= %(as_of)s
)
