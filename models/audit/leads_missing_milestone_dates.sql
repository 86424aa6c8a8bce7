-- What the CRM must backfill (contract §4, v2): every live lead past a stage whose date column
-- is empty, one row per lead and column. Past the agreement stage (an AGREEMENT_* status,
-- PARTNER_LIST_SENT or a list-out outcome) without agreementDate; past the list out
-- (PARTNER_LIST_SENT or an outcome) without partnerListSentDate; and any lead, LOST ones
-- included, whose status changes show the stage while the column is empty. Where a status
-- change has it, the marts count the milestone at that change (`recovered_at`, flagged
-- backfilled there); where none has, the milestone is lost to every mart until the CRM fills
-- the column. A view, current after every build.
with

leads as (

    select * from {{ ref('stg_crm__pipeline_items') }}
    where is_lead and not is_deleted

),

-- agreements and lists out fct_events took from a status change (its source is the log)
backfilled_events as (

    select * from {{ ref('fct_events') }}
    where event_type in ('agreement', 'list_out') and source_id <> lead_id

),

-- each lead's two date columns, and the status stage from which each must be set
milestone_columns as (

    select
        leads.pipeline_item_id as lead_id,
        leads.item_name as lead_name,
        leads.assigned_to_id as bdr_id,
        leads.status,
        milestone_stages.event_type,
        milestone_stages.column_name,
        case milestone_stages.event_type
            when 'agreement' then leads.agreement_at
            else leads.partner_list_sent_at
        end as column_at,
        coalesce(leads.status_stage_order >= milestone_stages.stage_order, false) as is_past_stage
    from leads
    cross join (
        values
        ('agreement', 'agreementDate', 5),
        ('list_out', 'partnerListSentDate', 6)
    ) as milestone_stages (event_type, column_name, stage_order)

),

final as (

    select
        milestone_columns.lead_id,
        milestone_columns.lead_name,
        milestone_columns.bdr_id,
        milestone_columns.status,
        milestone_columns.column_name as missing_column,
        backfilled_events.occurred_at as recovered_at,
        backfilled_events.source_id as recovered_from_activity_log_id,
        backfilled_events.event_id is not null as is_recovered
    from milestone_columns
    left join backfilled_events
        on
            milestone_columns.lead_id = backfilled_events.lead_id
            and milestone_columns.event_type = backfilled_events.event_type
    where
        milestone_columns.column_at is null
        and (milestone_columns.is_past_stage or backfilled_events.event_id is not null)

)

select * from final
