select bdr_id, calls_completed, calls_target
from marts.bdr_weekly_performance
where week_start = %(week_start)s
order by 1
