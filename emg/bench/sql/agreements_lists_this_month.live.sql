-- with: live_leads
targets as (
    select distinct on (metric) metric, "targetValue" as target
    from crm."KpiTarget"
    where period = 'MONTH' and "userId" is null
        and metric in ('AGREEMENTS', 'LISTS_OUT')
        and coalesce("effectiveFrom", '-infinity') <= %(month_end)s
        and coalesce("effectiveTo", 'infinity') >= %(month_start)s
    order by metric, "effectiveFrom" desc nulls last, id desc
)
select
    count(*) filter (where agreement_at between %(month_start_at)s and %(as_of)s),
    coalesce((select target from targets where metric = 'AGREEMENTS'),
        %(agreements_month_target)s),
    count(*) filter (where sent_at between %(month_start_at)s and %(as_of)s),
    coalesce((select target from targets where metric = 'LISTS_OUT'),
        %(lists_month_target)s)
from live_leads
