-- with: live_leads, live_completed, live_sales
first_calls as (
    select lead_id, min(completed_at) as at from live_completed group by 1
),
last_sales as (
    select lead_id, max(sold_at) as last_sold_at from live_sales group by 1
),
leads as (
    select live_leads.lead_id, first_calls.at as first_call_at,
        case when proposal_at <= %(as_of)s then proposal_at end as proposal_at,
        case when agreement_at <= %(as_of)s then agreement_at end as agreed_at,
        case when sent_at <= %(as_of)s then sent_at end as listed_at
    from live_leads
    left join first_calls using (lead_id)
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
