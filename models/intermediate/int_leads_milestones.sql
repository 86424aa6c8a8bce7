-- One row per live lead with its milestones as of as_of (SPEC §3, §4): an event dated after
-- as_of has not happened yet, so its timestamp is null here; current statuses are read as
-- they are now. Lists' sales and revenue are the lead's sales at or after its list went out.
with

leads as (

    select * from {{ ref('stg_crm__pipeline_items') }}
    where is_lead and not is_deleted

),

calls as (

    select * from {{ ref('int_calls_attributed') }}

),

status_changes as (

    select * from {{ ref('stg_crm__activity_logs') }}
    where activity_type = 'STATUS_CHANGE'

),

partner_contacts as (

    select * from {{ ref('int_pipeline_items_mapped_to_leads') }}
    where not is_lead

),

sales as (

    select * from {{ ref('int_sales_attributed') }}

),

first_completed_calls as (

    select
        lead_id,
        min(completed_at) as first_completed_call_at,
        count(*) as calls_completed
    from calls
    where is_completion and completed_at <= {{ as_of() }}
    group by 1

),

-- a proposal is the lead's FIRST move to any PROPOSAL_* status; a lead that reaches a
-- proposal twice has one proposal, dated by the first
proposals as (

    select
        pipeline_item_id as lead_id,
        min(coalesce(completed_at, created_at)) as proposal_at
    from status_changes
    where
        to_status like 'PROPOSAL\_%'
        and coalesce(completed_at, created_at) <= {{ as_of() }}
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
        leads.assigned_to_id as bdr_id,
        leads.category,
        leads.status,
        leads.status_stage,
        leads.created_at,
        first_completed_calls.first_completed_call_at,
        coalesce(first_completed_calls.calls_completed, 0) as calls_completed,
        proposals.proposal_at,
        case when leads.agreement_at <= {{ as_of() }} then leads.agreement_at end as agreement_at,
        leads.partner_list_due_at,
        case
            when leads.partner_list_sent_at <= {{ as_of() }} then leads.partner_list_sent_at
        end as partner_list_sent_at,
        coalesce(leads.partner_list_size, contact_counts.partner_contacts, 0) as list_size
    from leads
    left join first_completed_calls
        on leads.pipeline_item_id = first_completed_calls.lead_id
    left join proposals
        on leads.pipeline_item_id = proposals.lead_id
    left join contact_counts
        on leads.pipeline_item_id = contact_counts.lead_id

),

list_sales as (

    select
        milestones.lead_id,
        count(*) as list_sales_count,
        sum(sales.amount) as list_revenue,
        min(sales.sold_at) as list_first_sale_at
    from milestones
    inner join sales
        on
            milestones.lead_id = sales.lead_id
            and milestones.partner_list_sent_at <= sales.sold_at
    group by 1

),

final as (

    select
        milestones.*,
        milestones.proposal_at is not null as has_proposal,
        milestones.agreement_at is not null as has_agreement,
        milestones.partner_list_sent_at is not null as has_list_out,
        -- overdue (SPEC §5): agreement reached, due before as_of, not sent by as_of
        coalesce(
            milestones.agreement_at is not null
            and milestones.partner_list_sent_at is null
            and milestones.partner_list_due_at < {{ as_of() }},
            false
        ) as is_list_overdue,
        -- due soon (SPEC §5): agreement reached, not sent, due within 7 days of as_of
        coalesce(
            milestones.agreement_at is not null
            and milestones.partner_list_sent_at is null
            and milestones.partner_list_due_at >= {{ as_of() }}
            and milestones.partner_list_due_at < {{ as_of() }} + interval '7 days',
            false
        ) as is_list_due_next_7_days,
        coalesce(list_sales.list_sales_count, 0) as list_sales_count,
        list_sales.list_revenue,
        list_sales.list_first_sale_at
    from milestones
    left join list_sales
        on milestones.lead_id = list_sales.lead_id

)

select * from final
