select agreements, agreements_target, lists_out, lists_out_target
from marts.team_monthly_kpis
where month_start = %(month_start)s
