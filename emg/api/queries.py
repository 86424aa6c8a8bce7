"""The reporting API's SQL: one function per table an endpoint returns, each reading the marts
with the dashboards' filters as bound parameters (never text pasted into SQL).

`Filters` are the global filters of the dashboards: a local date range, BDR ids and lead
categories. Each table says which of them reach it, as the dashboards' charts do: a team
figure against a team target (team_monthly_kpis) is not narrowed by BDR or category, a figure
"as of now" (the overdue list, the alerts) not by dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    bdrs: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def params(self) -> dict:
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "bdrs": list(self.bdrs),
            "any_bdr": not self.bdrs,
            "categories": list(self.categories),
            "any_category": not self.categories,
        }


# the filters as SQL predicates on a relation's columns (bound parameters only)
BDR = "(%(any_bdr)s or {col} = any(%(bdrs)s))"
CATEGORY = "(%(any_category)s or {col} = any(%(categories)s))"
DATES = "{col} between %(date_from)s and %(date_to)s"


def _where(*parts: str) -> str:
    return " and ".join(parts)


# --- what the API is as of ---------------------------------------------------------------------

AS_OF = "select as_of, as_of_date from marts.pipeline_health"

KNOWN_BDRS = "select bdr_id from marts.dim_bdrs where bdr_id = any(%(bdrs)s)"


# --- /call-volume ------------------------------------------------------------------------------

# All three read calls_completed_hourly: metric_events' completed calls grouped once per build
# by owner, local day, hour and category, so a question sums thousands of rows, not every call.

# Each BDR's weeks (bdr_weekly_performance, zero-filled) with the calls they completed on the
# chosen dates and categories beside their weekly target.
CALL_VOLUME_WEEKLY = f"""
select
    p.bdr_id, d.bdr_name, p.week_start,
    cast(coalesce(c.calls_completed, 0) as integer) as calls_completed,
    p.calls_target
from marts.bdr_weekly_performance as p
inner join marts.dim_bdrs as d on d.bdr_id = p.bdr_id
left join (
    select bdr_id, call_week, sum(calls_completed) as calls_completed
    from marts.calls_completed_hourly
    where {_where(DATES.format(col="call_date"), CATEGORY.format(col="category"))}
    group by bdr_id, call_week
) as c on c.bdr_id = p.bdr_id and c.call_week = p.week_start
where p.week_start between cast(date_trunc('week', %(date_from)s) as date) and %(date_to)s
  and {BDR.format(col="p.bdr_id")}
order by p.week_start, d.bdr_name
"""

# Every user's completed calls per local day (the team's, else the chosen BDRs').
CALL_VOLUME_DAILY = f"""
select call_date as date, cast(sum(calls_completed) as integer) as calls_completed
from marts.calls_completed_hourly
where {
    _where(DATES.format(col="call_date"), BDR.format(col="bdr_id"), CATEGORY.format(col="category"))
}
group by call_date
order by call_date
"""

# BDRs' completed calls by local ISO weekday and hour (the activity heatmap's cells).
CALL_VOLUME_HEATMAP = f"""
select iso_weekday, hour_of_day, cast(sum(calls_completed) as integer) as calls_completed
from marts.calls_completed_hourly
where is_bdr
  and {
    _where(DATES.format(col="call_date"), BDR.format(col="bdr_id"), CATEGORY.format(col="category"))
}
group by iso_weekday, hour_of_day
order by iso_weekday, hour_of_day
"""

# --- /agreements -------------------------------------------------------------------------------

# The team's months against the team's target (every user's agreements: BDR and category
# filters do not narrow a team target).
AGREEMENTS_TEAM = """
select month_start, agreements, agreements_target
from marts.team_monthly_kpis
where month_start between cast(date_trunc('month', %(date_from)s) as date) and %(date_to)s
order by month_start
"""

AGREEMENTS_BDR = f"""
select p.bdr_id, d.bdr_name, p.month_start, p.agreements, p.agreements_target,
       p.agreements_target_to_date, p.agreements_status
from marts.bdr_monthly_performance as p
inner join marts.dim_bdrs as d on d.bdr_id = p.bdr_id
where p.month_start between cast(date_trunc('month', %(date_from)s) as date) and %(date_to)s
  and {BDR.format(col="p.bdr_id")}
order by p.month_start, d.bdr_name
"""

# As of the build: the dates do not narrow it. Paged (page_size rows from offset).
AGREEMENTS_OVERDUE = f"""
select a.lead_id, l.lead_name, l.lead_url, a.bdr_id, d.bdr_name, a.category,
       a.partner_list_due_date, a.days_overdue
from marts.fct_agreements as a
left join marts.dim_leads as l on l.lead_id = a.lead_id
left join marts.dim_bdrs as d on d.bdr_id = a.bdr_id
where a.is_overdue
  and {_where(BDR.format(col="a.bdr_id"), CATEGORY.format(col="a.category"))}
order by a.days_overdue desc, a.lead_id
limit %(limit)s offset %(offset)s
"""

# --- /lists-out --------------------------------------------------------------------------------

LISTS_OUT_TEAM = """
select month_start, lists_out, lists_out_target, sales, revenue
from marts.team_monthly_kpis
where month_start between cast(date_trunc('month', %(date_from)s) as date) and %(date_to)s
order by month_start
"""

# Lists sent per local month with their size and what they sold (fct_lists_out).
LISTS_OUT_MONTHLY = f"""
select cast(date_trunc('month', sent_date) as date) as month_start,
       cast(count(*) as integer) as lists_out,
       round(avg(list_size), 1) as average_list_size,
       cast(sum(sales_count) as integer) as sales,
       sum(revenue) as revenue
from marts.fct_lists_out
where {
    _where(DATES.format(col="sent_date"), BDR.format(col="bdr_id"), CATEGORY.format(col="category"))
}
group by 1
order by 1
"""

# Conversion rates by cohort month: the team row, else the chosen BDRs' rows.
CONVERSION_RATES = """
select cohort_month, bdr_id, calls_cohort, call_to_proposal_rate, proposals_cohort,
       proposal_to_agreement_rate, lists_cohort, list_to_sale_rate
from marts.conversion_rates_monthly
where cohort_month between cast(date_trunc('month', %(date_from)s) as date) and %(date_to)s
  and ((%(any_bdr)s and bdr_id is null) or bdr_id = any(%(bdrs)s))
order by cohort_month, bdr_id nulls first
"""

# --- /alerts -----------------------------------------------------------------------------------

ALERTS = f"""
select alert_id, rule, priority, bdr_id, metric_value, threshold, message
from marts.alerts
where {BDR.format(col="bdr_id")}
order by priority_rank, rule, bdr_id nulls first
"""
