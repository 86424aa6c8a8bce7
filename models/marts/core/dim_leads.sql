{{
    config(
        indexes=[
            {'columns': ['lead_id'], 'unique': True},
            {'columns': ['bdr_id']},
        ],
    )
}}
-- One row per live lead (contract §7, v2) with its milestones as of as_of (contract §4):
-- int_leads_milestones, whose agreements and lists out are backfilled from status changes
-- where the CRM's date column is empty, and whose proposal falls back on the agreement; the
-- time in each stage between them, the list's outcome and the lead's CRM link.
with

leads as (

    select * from {{ ref('int_leads_milestones') }}

),

users as (

    select * from {{ ref('stg_crm__users') }}

),

final as (

    select
        leads.lead_id,
        leads.lead_name,
        {{ crm_lead_url('leads.lead_id') }} as lead_url,
        leads.category,
        leads.bdr_id,
        users.user_name as bdr_name,
        leads.status,
        leads.status_stage,
        leads.created_at,
        {{ local_date('leads.created_at') }} as created_date,
        leads.first_completed_call_at as first_call_at,
        leads.calls_completed,
        leads.proposal_at,
        leads.agreement_at,
        leads.is_agreement_backfilled,
        leads.partner_list_due_at,
        leads.partner_list_sent_at,
        leads.is_list_out_backfilled,
        leads.list_size,
        leads.list_first_sale_at as first_sale_at,
        leads.list_sales_count as sales_count,
        leads.is_proposal_outstanding,
        leads.is_list_overdue,
        leads.is_list_due_next_7_days,
        leads.days_overdue,
        leads.is_list_sent_on_time,
        leads.list_outcome,
        leads.is_lost,
        leads.lost_at,
        -- the time in each stage (macros/metrics/stage_days.sql)
        {{ stage_days('leads.created_at', 'leads.first_completed_call_at') }}
            as days_created_to_first_call,
        {{ stage_days('leads.first_completed_call_at', 'leads.proposal_at') }}
            as days_first_call_to_proposal,
        {{ stage_days('leads.proposal_at', 'leads.agreement_at') }}
            as days_proposal_to_agreement,
        {{ stage_days('leads.agreement_at', 'leads.partner_list_sent_at') }}
            as days_agreement_to_list_sent,
        {{ stage_days('leads.partner_list_sent_at', 'leads.list_first_sale_at') }}
            as days_list_sent_to_first_sale
    from leads
    left join users
        on leads.bdr_id = users.user_id

)

select * from final
