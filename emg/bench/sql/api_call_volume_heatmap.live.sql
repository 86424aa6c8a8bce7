-- with: live_leads, live_completed
local_calls as (
    select (completed_at at time zone 'UTC') at time zone %(tz)s as local_at
    from live_completed
    inner join crm."User" as bdr on bdr.id = live_completed.user_id
    where cast(bdr.role as text) = 'BDR'
)
select extract(isodow from local_at), extract(hour from local_at), count(*)
from local_calls
group by 1, 2
order by 1, 2
