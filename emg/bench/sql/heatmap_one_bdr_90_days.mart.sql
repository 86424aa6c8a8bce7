select iso_weekday, hour_of_day, sum(calls_completed)
from marts.call_heatmap
where bdr_id = %(heatmap_bdr)s and call_date >= %(heatmap_from)s
group by 1, 2
order by 1, 2
