-- with: live_leads, live_completed
local_calls as (
    select (completed_at at time zone 'UTC') at time zone %(tz)s as local_at
    from live_completed
)
select cast(local_at as date), count(*)
from local_calls
group by 1
order by 1
