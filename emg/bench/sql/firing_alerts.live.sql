-- with: live_leads, live_completed, live_sales
week_calls as (
    select user_id, count(*) as n from live_completed
    where completed_at >= %(week_start_at)s group by 1
),
team as (
    select
        (select coalesce(sum(n), 0) from week_calls) as calls,
        (select count(*) from live_leads
            where agreement_at <= %(as_of)s and (sent_at is null or sent_at > %(as_of)s)
                and status <> 'LOST' and due_date < %(today)s) as overdue,
        (select count(*)
            from crm."ActivityLog" as log
            inner join live_items as item on item.item_id = log."pipelineItemId"
            where log.type = 'CALL' and log."scheduledDate" > %(as_of)s
                and log."scheduledDate" >= %(next_week_start_at)s
                and log."scheduledDate" < %(next_week_end_at)s
                and (log.outcome is null or log.outcome not in ('CANCELLED', 'RESCHEDULED'))
                and not coalesce(log."completedDate" <= %(as_of)s
                    and coalesce(log.outcome, 'COMPLETED') = 'COMPLETED', false)
        ) as upcoming_next_week
),
week_leads as (
    select bdr_id,
        count(*) filter (where agreement_at between %(week_start_at)s and %(as_of)s)
            as agreements,
        count(*) filter (where sent_at between %(week_start_at)s and %(as_of)s)
            as lists
    from live_leads group by 1
),
week_sales as (
    select bdr_id, count(*) as n from live_sales
    where sold_at >= %(week_start_at)s at time zone 'UTC' group by 1
),
bdr_week as (
    select users.id as bdr_id, coalesce(week_calls.n, 0) as calls,
        coalesce(week_calls.n, 0) + 3 * coalesce(week_leads.agreements, 0)
        + 2 * coalesce(week_leads.lists, 0) + 5 * coalesce(week_sales.n, 0)
            as performance_index
    from crm."User" as users
    left join week_calls on week_calls.user_id = users.id
    left join week_leads on week_leads.bdr_id = users.id
    left join week_sales on week_sales.bdr_id = users.id
    where users.role = 'BDR' and users."isActive"
),
fired as (
    select 'low_call_volume' as rule, null::text as bdr_id, calls::numeric as value
    from team where calls < %(low_calls)s
    union all
    select 'overdue_partner_lists', null, overdue from team
    where overdue > %(overdue_lists)s
    union all
    select 'low_upcoming_calls', null, upcoming_next_week from team
    where upcoming_next_week < %(low_upcoming)s
    union all
    select 'bdr_needs_support', bdr_id, performance_index from bdr_week
    where performance_index < %(support_index)s and calls < %(support_calls)s
)
select rule, bdr_id, value from fired order by 1, 2
