-- with: live_leads, live_completed
local_calls as (
    select (completed_at at time zone 'UTC') at time zone %(tz)s as local_at
    from live_completed
    where user_id = %(heatmap_bdr)s and completed_at >= %(heatmap_from_at)s
)
select extract(isodow from local_at), extract(hour from local_at), count(*)
from local_calls
group by 1, 2
order by 1, 2
