{{
    config(
        indexes=[
            {'columns': ['agreement_date']},
            {'columns': ['bdr_id', 'agreement_date']},
            {'columns': ['partner_list_due_date']},
        ],
    )
}}
-- One row per agreement as of as_of (contract §4, §7): a live lead whose agreement (its
-- agreementDate, else its first move to an AGREEMENT_* status) is at or before as_of, with its
-- partner list's due and sent dates and whether the list is overdue (by local day, not LOST).
-- The milestones and the overdue rule are int_leads_milestones'; this adds local calendars.
with

leads as (

    select * from {{ ref('int_leads_milestones') }}
    where has_agreement

),

final as (

    select
        lead_id,
        bdr_id,
        category,
        status,
        agreement_at,
        {{ local_date('agreement_at') }} as agreement_date,
        {{ local_week('agreement_at') }} as agreement_week,
        {{ local_month('agreement_at') }} as agreement_month,
        partner_list_due_at,
        {{ local_date('partner_list_due_at') }} as partner_list_due_date,
        partner_list_sent_at,
        {{ local_date('partner_list_sent_at') }} as partner_list_sent_date,
        has_list_out as is_list_sent,
        is_list_overdue as is_overdue,
        is_list_due_next_7_days as is_due_next_7_days,
        days_overdue,
        is_agreement_backfilled,
        is_list_out_backfilled
    from leads

)

select * from final
