{{
    config(
        indexes=[
            {'columns': ['cohort_month']},
            {'columns': ['bdr_id', 'cohort_month']},
        ],
    )
}}
-- Conversion rates by the cohort month of the earlier event (contract §5), counted as of as_of:
-- one team row per month (bdr_id null) and one row per BDR per month of their spine. A lead
-- belongs to its owner (assignedToId), who owns its proposals, agreements and lists.
with

months as (

    select month_start as cohort_month from {{ ref('team_monthly_kpis') }}

),

bdr_months as (

    select
        bdr_id,
        period_start as cohort_month
    from {{ ref('int_bdr_periods_spined') }}
    where period = 'MONTH'

),

leads as (

    select * from {{ ref('int_leads_milestones') }}

),

sales_feed as (

    select * from {{ ref('int_sales_feed_status') }}

),

-- one row per lead and cohort it belongs to, with whether it converted (as of as_of)
cohort_members as (

    select
        bdr_id,
        'call' as cohort,
        {{ local_month('first_completed_call_at') }} as cohort_month,
        has_proposal as has_converted
    from leads
    where first_completed_call_at is not null
    union all
    select
        bdr_id,
        'proposal' as cohort,
        {{ local_month('proposal_at') }} as cohort_month,
        has_agreement as has_converted
    from leads
    where proposal_at is not null
    union all
    select
        bdr_id,
        'list' as cohort,
        {{ local_month('partner_list_sent_at') }} as cohort_month,
        list_sales_count > 0 as has_converted
    from leads
    where partner_list_sent_at is not null

),

subjects as (

    select
        cast(null as {{ sql_type('text') }}) as bdr_id,
        cohort_month
    from months
    union all
    select
        bdr_id,
        cohort_month
    from bdr_months

),

-- each month's cohorts, for the team (every member) and per BDR, counted once
cohort_counts as (

    select
        case when grouping(bdr_id) = 1 then 'team' else 'bdr' end as scope,
        bdr_id,
        cohort_month,
        count(*) filter (where cohort = 'call') as calls_cohort,
        count(*) filter (where cohort = 'call' and has_converted) as calls_with_proposal,
        count(*) filter (where cohort = 'proposal') as proposals_cohort,
        count(*) filter (
            where cohort = 'proposal' and has_converted
        ) as proposals_with_agreement,
        count(*) filter (where cohort = 'list') as lists_cohort,
        count(*) filter (where cohort = 'list' and has_converted) as lists_with_sale
    from cohort_members
    group by grouping sets ((cohort_month), (bdr_id, cohort_month))

),

counted as (

    select
        subjects.bdr_id,
        subjects.cohort_month,
        coalesce(cohort_counts.calls_cohort, 0) as calls_cohort,
        coalesce(cohort_counts.calls_with_proposal, 0) as calls_with_proposal,
        coalesce(cohort_counts.proposals_cohort, 0) as proposals_cohort,
        coalesce(cohort_counts.proposals_with_agreement, 0) as proposals_with_agreement,
        coalesce(cohort_counts.lists_cohort, 0) as lists_cohort,
        coalesce(cohort_counts.lists_with_sale, 0) as lists_with_sale
    from (
        select distinct
            bdr_id,
            cohort_month
        from subjects
    ) as subjects
    left join cohort_counts
        on
            cohort_counts.scope = case when subjects.bdr_id is null then 'team' else 'bdr' end
            and {{ subject_key('subjects.bdr_id') }} = {{ subject_key('cohort_counts.bdr_id') }}
            and subjects.cohort_month = cohort_counts.cohort_month

),

final as (

    select
        {{ surrogate_key(['counted.cohort_month', 'counted.bdr_id']) }} as conversion_rate_id,
        counted.cohort_month,
        counted.bdr_id,
        case when counted.bdr_id is null then 'team' else 'bdr' end as scope,
        cast(counted.calls_cohort as integer) as calls_cohort,
        cast(counted.calls_with_proposal as integer) as calls_with_proposal,
        {{ rounded(
            'cast(counted.calls_with_proposal as ' ~ sql_type('numeric') ~ ')'
            ~ ' / nullif(counted.calls_cohort, 0)',
            4
        ) }} as call_to_proposal_rate,
        cast(counted.proposals_cohort as integer) as proposals_cohort,
        cast(counted.proposals_with_agreement as integer) as proposals_with_agreement,
        {{ rounded(
            'cast(counted.proposals_with_agreement as ' ~ sql_type('numeric') ~ ')'
            ~ ' / nullif(counted.proposals_cohort, 0)',
            4
        ) }} as proposal_to_agreement_rate,
        cast(counted.lists_cohort as integer) as lists_cohort,
        case
            when sales_feed.is_loaded then cast(counted.lists_with_sale as integer)
        end as lists_with_sale,
        case
            when sales_feed.is_loaded
                then {{ rounded(
                    'cast(counted.lists_with_sale as ' ~ sql_type('numeric') ~ ')'
                    ~ ' / nullif(counted.lists_cohort, 0)',
                    4
                ) }}
        end as list_to_sale_rate
    from counted
    cross join sales_feed

)

select * from final
