select bdr_id, sum(calls_completed), sum(agreements), sum(lists_out), sum(sales),
    sum(revenue), sum(performance_index)
from marts.bdr_weekly_performance
where week_start >= %(four_weeks_start)s
group by 1
order by 1
