-- with: live_leads, live_completed
week_calls as (
    select user_id, count(*) as calls from live_completed
    where completed_at >= %(week_start_at)s group by 1
),
targets as (
    select distinct on ("userId") "userId" as user_id, "targetValue" as target
    from crm."KpiTarget"
    where metric = 'CALLS_COMPLETED' and period = 'WEEK' and "userId" is not null
        and coalesce("effectiveFrom", '-infinity') <= %(week_start)s + 6
        and coalesce("effectiveTo", 'infinity') >= %(week_start)s
    order by "userId", "effectiveFrom" desc nulls last, id desc
)
select users.id, coalesce(week_calls.calls, 0),
    coalesce(targets.target, %(calls_week_target)s)
from crm."User" as users
left join week_calls on week_calls.user_id = users.id
left join targets on targets.user_id = users.id
where users.role = 'BDR'
order by 1
