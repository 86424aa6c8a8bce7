-- with: live_leads, live_completed, live_sales
calls as (
    select user_id as bdr_id, count(*) as n from live_completed
    where completed_at >= %(four_weeks_start_at)s group by 1
),
agreements as (
    select bdr_id, count(*) as n from live_leads
    where agreement_at between %(four_weeks_start_at)s and %(as_of)s group by 1
),
lists as (
    select bdr_id, count(*) as n from live_leads
    where sent_at between %(four_weeks_start_at)s and %(as_of)s group by 1
),
sales as (
    select bdr_id, count(*) as n, sum(amount) as revenue from live_sales
    where sold_at >= %(four_weeks_start_at)s at time zone 'UTC' group by 1
)
select users.id, coalesce(calls.n, 0), coalesce(agreements.n, 0), coalesce(lists.n, 0),
    coalesce(sales.n, 0), coalesce(sales.revenue, 0),
    coalesce(calls.n, 0) + 3 * coalesce(agreements.n, 0) + 2 * coalesce(lists.n, 0)
        + 5 * coalesce(sales.n, 0)
from crm."User" as users
left join calls on calls.bdr_id = users.id
left join agreements on agreements.bdr_id = users.id
left join lists on lists.bdr_id = users.id
left join sales on sales.bdr_id = users.id
where users.role = 'BDR'
order by 1
