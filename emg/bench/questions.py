"""The dashboard questions, each asked twice: of the marts, and live from the raw CRM tables
the way the CRM's own API computed them (aggregates over the OLTP tables on each request).

Both sides must give the same answer on clean data (the benchmark loads no defects; with
defects the marts deduplicate and reject rows, which the live side cannot). Parameters are
computed once per run from as_of and the reporting timezone (`params`). The CRM's enum
columns are enum types as Prisma creates them (what the benchmark loads) or text: the live SQL
reads both, casting to text where an enum has no operator (`like`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from emg.paths import project_dir


@dataclass(frozen=True)
class Question:
    name: str
    title: str
    mart_sql: str
    live_sql: str


def _local_start_utc(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant (naive, as the CRM stores it) where a local day starts."""
    return datetime.combine(day, time(), zone).astimezone(UTC).replace(tzinfo=None)


def _seed(name: str) -> list[dict]:
    with (project_dir() / "seeds" / f"{name}.csv").open() as handle:
        return list(csv.DictReader(handle))


def params(as_of: datetime, timezone: str, heatmap_bdr: str | None) -> dict:
    zone = ZoneInfo(timezone)
    local = as_of.astimezone(zone)
    today = local.date()
    week = today - timedelta(days=today.isoweekday() - 1)
    month = today.replace(day=1)
    months_back = month.year * 12 + month.month - 1 - 5  # the month five before this one
    six_months = date(months_back // 12, months_back % 12 + 1, 1)
    defaults = {
        (r["metric"], r["period"], r["scope"]): int(r["target_value"])
        for r in _seed("kpi_target_defaults")
    }
    rules = {r["rule_key"]: r for r in _seed("alert_rules")}
    return {
        "as_of": as_of.astimezone(UTC).replace(tzinfo=None),
        "as_of_tz": as_of.astimezone(UTC),
        "tz": timezone,
        "today": today,
        "week_start": week,
        "week_start_at": _local_start_utc(week, zone),
        "next_week_start_at": _local_start_utc(week + timedelta(days=7), zone),
        "next_week_end_at": _local_start_utc(week + timedelta(days=14), zone),
        "four_weeks_start": week - timedelta(days=21),
        "four_weeks_start_at": _local_start_utc(week - timedelta(days=21), zone),
        "month_start": month,
        "month_start_at": _local_start_utc(month, zone),
        "month_end": (month + timedelta(days=32)).replace(day=1) - timedelta(days=1),
        "six_months_start": six_months,
        "six_months_start_at": _local_start_utc(six_months, zone),
        "heatmap_from": today - timedelta(days=89),
        "heatmap_from_at": _local_start_utc(today - timedelta(days=89), zone),
        "heatmap_bdr": heatmap_bdr,
        "calls_week_target": defaults[("CALLS_COMPLETED", "WEEK", "bdr")],
        "agreements_month_target": defaults[("AGREEMENTS", "MONTH", "team")],
        "lists_month_target": defaults[("LISTS_OUT", "MONTH", "team")],
        "low_calls": Decimal(rules["low_call_volume"]["threshold"]),
        "overdue_lists": Decimal(rules["overdue_partner_lists"]["threshold"]),
        "low_upcoming": Decimal(rules["low_upcoming_calls"]["threshold"]),
        "support_index": Decimal(rules["bdr_needs_support"]["threshold"]),
        "support_calls": Decimal(rules["bdr_needs_support"]["and_threshold"]),
    }


# --- the live side's building blocks: contract §4 read straight off the CRM tables ------------

LIVE_LEADS = """
live_leads as (
    select id as lead_id, "assignedToId" as bdr_id, cast(status as text) as status,
        "agreementDate" as agreement_at, "partnerListDueDate" as due_at,
        "partnerListSentDate" as sent_at
    from crm."PipelineItem"
    where "sublistId" is null and "deletedAt" is null
),
live_items as (
    select item.id as item_id, lead.lead_id, lead.bdr_id
    from crm."PipelineItem" as item
    left join crm."Sublist" as sublist on sublist.id = item."sublistId"
    inner join live_leads as lead on lead.lead_id = coalesce(sublist."parentItemId", item.id)
    where item."deletedAt" is null
)"""

LIVE_COMPLETED = """
live_completed as (
    select log."userId" as user_id, log."completedDate" as completed_at, item.lead_id
    from crm."ActivityLog" as log
    inner join live_items as item on item.item_id = log."pipelineItemId"
    where log.type = 'CALL' and log."completedDate" is not null
        and coalesce(log.outcome, 'COMPLETED') = 'COMPLETED'
        and log."completedDate" <= %(as_of)s
)"""

LIVE_SALES = """
live_sales as (
    select item.bdr_id, item.lead_id, sale.sold_at, sale.amount
    from sales_ext.sales as sale
    inner join live_items as item on item.item_id = sale.pipeline_item_id
    where sale.amount > 0 and sale.sold_at <= %(as_of_tz)s
)"""


def _with(*parts: str) -> str:
    return "with " + ",".join(parts)


QUESTIONS = [
    Question(
        "calls_this_week",
        "Calls per BDR this week vs target",
        """
        select bdr_id, calls_completed, calls_target
        from marts.bdr_weekly_performance
        where week_start = %(week_start)s
        order by 1
        """,
        _with(LIVE_LEADS, LIVE_COMPLETED)
        + """,
        week_calls as (
            select user_id, count(*) as calls from live_completed
            where completed_at >= %(week_start_at)s group by 1
        ),
        targets as (
            select distinct on ("userId") "userId" as user_id, "targetValue" as target
            from crm."KpiTarget"
            where metric = 'CALLS_COMPLETED' and period = 'WEEK' and "userId" is not null
                and coalesce("effectiveFrom", '-infinity') <= %(week_start)s + 6
                and coalesce("effectiveTo", 'infinity') >= %(week_start)s
            order by "userId", "effectiveFrom" desc nulls last, id desc
        )
        select users.id, coalesce(week_calls.calls, 0),
            coalesce(targets.target, %(calls_week_target)s)
        from crm."User" as users
        left join week_calls on week_calls.user_id = users.id
        left join targets on targets.user_id = users.id
        where users.role = 'BDR'
        order by 1
        """,
    ),
    Question(
        "agreements_lists_this_month",
        "Agreements and lists out this month vs target (team)",
        """
        select agreements, agreements_target, lists_out, lists_out_target
        from marts.team_monthly_kpis
        where month_start = %(month_start)s
        """,
        _with(LIVE_LEADS)
        + """,
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
        """,
    ),
    Question(
        "leaderboard_4_weeks",
        "BDR leaderboard, last 4 weeks",
        """
        select bdr_id, sum(calls_completed), sum(agreements), sum(lists_out), sum(sales),
            sum(revenue), sum(performance_index)
        from marts.bdr_weekly_performance
        where week_start >= %(four_weeks_start)s
        group by 1
        order by 1
        """,
        _with(LIVE_LEADS, LIVE_COMPLETED, LIVE_SALES)
        + """,
        calls as (
            select user_id as bdr_id, count(*) as n from live_completed
            where completed_at >= %(four_weeks_start_at)s group by 1
        ),
        agreements as (
            select bdr_id, count(*) as n from live_leads
            where agreement_at between %(four_weeks_start_at)s and %(as_of)s group by 1
        ),
        lists as (
            select bdr_id, count(*) as n from live_leads
            where sent_at between %(four_weeks_start_at)s and %(as_of)s group by 1
        ),
        sales as (
            select bdr_id, count(*) as n, sum(amount) as revenue from live_sales
            where sold_at >= %(four_weeks_start_at)s at time zone 'UTC' group by 1
        )
        select users.id, coalesce(calls.n, 0), coalesce(agreements.n, 0), coalesce(lists.n, 0),
            coalesce(sales.n, 0), coalesce(sales.revenue, 0),
            coalesce(calls.n, 0) + 3 * coalesce(agreements.n, 0) + 2 * coalesce(lists.n, 0)
                + 5 * coalesce(sales.n, 0)
        from crm."User" as users
        left join calls on calls.bdr_id = users.id
        left join agreements on agreements.bdr_id = users.id
        left join lists on lists.bdr_id = users.id
        left join sales on sales.bdr_id = users.id
        where users.role = 'BDR'
        order by 1
        """,
    ),
    Question(
        "heatmap_one_bdr_90_days",
        "Activity heatmap of one BDR, last 90 days",
        """
        select iso_weekday, hour_of_day, sum(calls_completed)
        from marts.call_heatmap
        where bdr_id = %(heatmap_bdr)s and call_date >= %(heatmap_from)s
        group by 1, 2
        order by 1, 2
        """,
        _with(LIVE_LEADS, LIVE_COMPLETED)
        + """,
        local_calls as (
            select (completed_at at time zone 'UTC') at time zone %(tz)s as local_at
            from live_completed
            where user_id = %(heatmap_bdr)s and completed_at >= %(heatmap_from_at)s
        )
        select extract(isodow from local_at), extract(hour from local_at), count(*)
        from local_calls
        group by 1, 2
        order by 1, 2
        """,
    ),
    Question(
        "pipeline_health",
        "Pipeline health",
        """
        select upcoming_calls_next_7_days, upcoming_calls_next_week, outstanding_proposals,
            overdue_partner_lists, partner_lists_due_next_7_days
        from marts.pipeline_health
        """,
        _with(LIVE_LEADS)
        + """,
        upcoming as (
            select log."scheduledDate" as scheduled_at
            from crm."ActivityLog" as log
            inner join live_items as item on item.item_id = log."pipelineItemId"
            where log.type = 'CALL' and log."scheduledDate" > %(as_of)s
                and (log.outcome is null or log.outcome not in ('CANCELLED', 'RESCHEDULED'))
                and not coalesce(log."completedDate" <= %(as_of)s
                    and coalesce(log.outcome, 'COMPLETED') = 'COMPLETED', false)
        ),
        open_lists as (
            select due_at from live_leads
            where agreement_at <= %(as_of)s and (sent_at is null or sent_at > %(as_of)s)
        )
        select
            (select count(*) from upcoming
                where scheduled_at <= %(as_of)s + interval '7 days'),
            (select count(*) from upcoming
                where scheduled_at >= %(next_week_start_at)s
                    and scheduled_at < %(next_week_end_at)s),
            (select count(*) from live_leads where status like 'PROPOSAL\\_%%'),
            (select count(*) from open_lists where due_at < %(as_of)s),
            (select count(*) from open_lists
                where due_at >= %(as_of)s and due_at < %(as_of)s + interval '7 days')
        """,
    ),
    Question(
        "conversion_6_months",
        "Conversion rates, last 6 months (team)",
        """
        select cohort_month, calls_cohort, call_to_proposal_rate, proposals_cohort,
            proposal_to_agreement_rate, lists_cohort, list_to_sale_rate
        from marts.conversion_rates_monthly
        where bdr_id is null and cohort_month >= %(six_months_start)s
            and calls_cohort + proposals_cohort + lists_cohort > 0
        order by 1
        """,
        _with(LIVE_LEADS, LIVE_COMPLETED, LIVE_SALES)
        + """,
        first_calls as (
            select lead_id, min(completed_at) as at from live_completed group by 1
        ),
        proposals as (
            select log."pipelineItemId" as lead_id,
                min(coalesce(log."completedDate", log."createdAt")) as at
            from crm."ActivityLog" as log
            where log.type = 'STATUS_CHANGE' and cast(log."toStatus" as text) like 'PROPOSAL\\_%%'
                and coalesce(log."completedDate", log."createdAt") <= %(as_of)s
            group by 1
        ),
        last_sales as (
            select lead_id, max(sold_at) as last_sold_at from live_sales group by 1
        ),
        leads as (
            select live_leads.*, first_calls.at as first_call_at, proposals.at as proposal_at,
                case when agreement_at <= %(as_of)s then agreement_at end as agreed_at,
                case when sent_at <= %(as_of)s then sent_at end as listed_at
            from live_leads
            left join first_calls using (lead_id)
            left join proposals using (lead_id)
        ),
        members as (
            select 'call' as cohort, first_call_at as at, proposal_at is not null as converted
            from leads where first_call_at is not null
            union all
            select 'proposal', proposal_at, agreed_at is not null
            from leads where proposal_at is not null
            union all
            select 'list', listed_at,
                coalesce(last_sales.last_sold_at >= listed_at at time zone 'UTC', false)
            from leads left join last_sales using (lead_id)
            where listed_at is not null
        ),
        monthly as (
            select cast(date_trunc('month', (at at time zone 'UTC') at time zone %(tz)s)
                    as date) as cohort_month,
                count(*) filter (where cohort = 'call') as calls,
                count(*) filter (where cohort = 'call' and converted) as calls_won,
                count(*) filter (where cohort = 'proposal') as proposals,
                count(*) filter (where cohort = 'proposal' and converted) as proposals_won,
                count(*) filter (where cohort = 'list') as lists,
                count(*) filter (where cohort = 'list' and converted) as lists_won
            from members
            where at >= %(six_months_start_at)s
            group by 1
        )
        select cohort_month, calls, round(calls_won::numeric / nullif(calls, 0), 4),
            proposals, round(proposals_won::numeric / nullif(proposals, 0), 4),
            lists, round(lists_won::numeric / nullif(lists, 0), 4)
        from monthly
        order by 1
        """,
    ),
    Question(
        "firing_alerts",
        "Firing alerts",
        """
        select rule, bdr_id, metric_value from marts.alerts order by 1, 2
        """,
        _with(LIVE_LEADS, LIVE_COMPLETED, LIVE_SALES)
        + """,
        week_calls as (
            select user_id, count(*) as n from live_completed
            where completed_at >= %(week_start_at)s group by 1
        ),
        team as (
            select
                (select coalesce(sum(n), 0) from week_calls) as calls,
                (select count(*) from live_leads
                    where agreement_at <= %(as_of)s and (sent_at is null or sent_at > %(as_of)s)
                        and due_at < %(as_of)s) as overdue,
                (select count(*)
                    from crm."ActivityLog" as log
                    inner join live_items as item on item.item_id = log."pipelineItemId"
                    where log.type = 'CALL' and log."scheduledDate" > %(as_of)s
                        and log."scheduledDate" >= %(next_week_start_at)s
                        and log."scheduledDate" < %(next_week_end_at)s
                        and (log.outcome is null or log.outcome not in ('CANCELLED', 'RESCHEDULED'))
                        and not coalesce(log."completedDate" <= %(as_of)s
                            and coalesce(log.outcome, 'COMPLETED') = 'COMPLETED', false)
                ) as upcoming_next_week
        ),
        week_leads as (
            select bdr_id,
                count(*) filter (where agreement_at between %(week_start_at)s and %(as_of)s)
                    as agreements,
                count(*) filter (where sent_at between %(week_start_at)s and %(as_of)s)
                    as lists
            from live_leads group by 1
        ),
        week_sales as (
            select bdr_id, count(*) as n from live_sales
            where sold_at >= %(week_start_at)s at time zone 'UTC' group by 1
        ),
        bdr_week as (
            select users.id as bdr_id, coalesce(week_calls.n, 0) as calls,
                coalesce(week_calls.n, 0) + 3 * coalesce(week_leads.agreements, 0)
                + 2 * coalesce(week_leads.lists, 0) + 5 * coalesce(week_sales.n, 0)
                    as performance_index
            from crm."User" as users
            left join week_calls on week_calls.user_id = users.id
            left join week_leads on week_leads.bdr_id = users.id
            left join week_sales on week_sales.bdr_id = users.id
            where users.role = 'BDR' and users."isActive"
        ),
        fired as (
            select 'low_call_volume' as rule, null::text as bdr_id, calls::numeric as value
            from team where calls < %(low_calls)s
            union all
            select 'overdue_partner_lists', null, overdue from team
            where overdue > %(overdue_lists)s
            union all
            select 'low_upcoming_calls', null, upcoming_next_week from team
            where upcoming_next_week < %(low_upcoming)s
            union all
            select 'bdr_needs_support', bdr_id, performance_index from bdr_week
            where performance_index < %(support_index)s and calls < %(support_calls)s
        )
        select rule, bdr_id, value from fired order by 1, 2
        """,
    ),
]
