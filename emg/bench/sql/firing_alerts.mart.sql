select rule, bdr_id, metric_value from marts.alerts order by 1, 2
