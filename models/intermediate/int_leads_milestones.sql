{{ config(materialized='table') }}
-- One row per live lead with its milestones as of as_of (contract §3, §4): an event dated after
-- as_of has not happened yet, so its timestamp is null here; current statuses are read as
-- they are now. Lists' sales and revenue are the lead's sales at or after its list went out.
-- Its loss (lost_at) is fct_events' `lost`: the last move to LOST of a lead LOST now.
-- Agreements and lists out come from fct_events, which backfills them from status changes
-- where the CRM's date column is empty (contract §4, v2); the flags say which were.
-- A table: seven marts read it, so each build computes it once.
with

leads as (

    select * from {{ ref('stg_crm__pipeline_items') }}
    where is_lead and not is_deleted

),

-- live partner contacts on a clean sublist: the outer join from leads keeps the live leads'
partner_contacts as (

    select
        contacts.pipeline_item_id,
        sublists.parent_item_id as lead_id
    from {{ ref('stg_crm__pipeline_items') }} as contacts
    inner join {{ ref('stg_crm__sublists') }} as sublists
        on contacts.sublist_id = sublists.sublist_id
    where not contacts.is_deleted

),

-- each metric_events CTE is read once, so PostgreSQL inlines it and filters fct_events through
-- its indexes, rather than materialise every event once for both
milestone_events as (

    select * from {{ ref('metric_events') }}
    where
        timing = 'happened'
        and metric in ('calls_completed', 'proposals', 'agreements', 'lists_out', 'leads_lost')

),

sales as (

    select * from {{ ref('metric_events') }}
    where timing = 'happened' and metric = 'revenue'

),

-- the lead's milestones, from its events as of as_of
lead_events as (

    select
        lead_id,
        min(occurred_at) filter (where metric = 'calls_completed') as first_completed_call_at,
        count(*) filter (where metric = 'calls_completed') as calls_completed,
        min(occurred_at) filter (where metric = 'proposals') as proposal_at,
        min(occurred_at) filter (where metric = 'agreements') as agreement_at,
        min(occurred_at) filter (where metric = 'lists_out') as partner_list_sent_at,
        min(occurred_at) filter (where metric = 'leads_lost') as lost_at
    from milestone_events
    group by 1

),

contact_counts as (

    select
        lead_id,
        count(*) as partner_contacts
    from partner_contacts
    group by 1

),

milestones as (

    select
        leads.pipeline_item_id as lead_id,
        leads.item_name as lead_name,
        leads.assigned_to_id as bdr_id,
        leads.category,
        leads.status,
        leads.status_stage,
        leads.created_at,
        lead_events.first_completed_call_at,
        coalesce(lead_events.calls_completed, 0) as calls_completed,
        lead_events.proposal_at,
        lead_events.agreement_at,
        leads.partner_list_due_at,
        lead_events.partner_list_sent_at,
        lead_events.lost_at,
        -- v2: reached, though the CRM's date column is empty (from a status change, fct_events)
        lead_events.agreement_at is not null and leads.agreement_at is null
            as is_agreement_backfilled,
        lead_events.partner_list_sent_at is not null and leads.partner_list_sent_at is null
            as is_list_out_backfilled,
        coalesce(leads.partner_list_size, contact_counts.partner_contacts, 0) as list_size
    from leads
    left join lead_events
        on leads.pipeline_item_id = lead_events.lead_id
    left join contact_counts
        on leads.pipeline_item_id = contact_counts.lead_id

),

list_sales as (

    select
        milestones.lead_id,
        count(*) as list_sales_count,
        sum(sales.metric_value) as list_revenue,
        min(sales.occurred_at) as list_first_sale_at
    from milestones
    inner join sales
        on
            milestones.lead_id = sales.lead_id
            and milestones.partner_list_sent_at <= sales.occurred_at
    group by 1

),

final as (

    select
        milestones.*,
        milestones.proposal_at is not null as has_proposal,
        milestones.agreement_at is not null as has_agreement,
        milestones.partner_list_sent_at is not null as has_list_out,
        -- contract §5's rules at as_of (macros/metrics/pipeline_rules.sql)
        {{ is_proposal_outstanding_at(
            'milestones.proposal_at', 'milestones.agreement_at', 'milestones.status_stage',
            as_of()
        ) }} as is_proposal_outstanding,
        {{ is_list_overdue_at(
            'milestones.agreement_at', 'milestones.partner_list_sent_at',
            'milestones.partner_list_due_at', 'milestones.status_stage', as_of()
        ) }} as is_list_overdue,
        {{ is_list_due_next_7_days_at(
            'milestones.agreement_at', 'milestones.partner_list_sent_at',
            'milestones.partner_list_due_at', 'milestones.status_stage', as_of()
        ) }} as is_list_due_next_7_days,
        {{ days_overdue_at(
            'milestones.agreement_at', 'milestones.partner_list_sent_at',
            'milestones.partner_list_due_at', 'milestones.status_stage', as_of()
        ) }} as days_overdue,
        {{ is_list_sent_on_time(
            'milestones.partner_list_sent_at', 'milestones.partner_list_due_at'
        ) }} as is_list_sent_on_time,
        -- the list-out outcome and the loss, as the current status has them (contract §2, §3)
        case
            when milestones.status in ('SOLD', 'LIST_OUT_NOT_SOLD', 'FREE_QA_OFFERED')
                then milestones.status
        end as list_outcome,
        coalesce(milestones.status = 'LOST', false) as is_lost,
        coalesce(list_sales.list_sales_count, 0) as list_sales_count,
        list_sales.list_revenue,
        list_sales.list_first_sale_at
    from milestones
    left join list_sales
        on milestones.lead_id = list_sales.lead_id

)

select * from final
