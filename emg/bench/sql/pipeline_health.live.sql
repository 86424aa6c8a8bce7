-- with: live_leads
upcoming as (
    select log."scheduledDate" as scheduled_at
    from crm."ActivityLog" as log
    inner join live_items as item on item.item_id = log."pipelineItemId"
    where log.type = 'CALL' and log."scheduledDate" > %(as_of)s
        and (log.outcome is null or log.outcome not in ('CANCELLED', 'RESCHEDULED'))
        and not coalesce(log."completedDate" <= %(as_of)s
            and coalesce(log.outcome, 'COMPLETED') = 'COMPLETED', false)
),
open_lists as (
    select due_date from live_leads
    where agreement_at <= %(as_of)s and (sent_at is null or sent_at > %(as_of)s)
        and status <> 'LOST'
)
select
    (select count(*) from upcoming
        where scheduled_at <= %(as_of)s + interval '7 days'),
    (select count(*) from upcoming
        where scheduled_at >= %(next_week_start_at)s
            and scheduled_at < %(next_week_end_at)s),
    (select count(*) from live_leads
        where proposal_at <= %(as_of)s and status <> 'LOST'
            and (agreement_at is null or agreement_at > %(as_of)s)),
    (select count(*) from open_lists where due_date < %(today)s),
    (select count(*) from open_lists
        where due_date between %(today)s and %(today)s + 7)
