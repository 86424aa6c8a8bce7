live_leads as (
    select lead.id as lead_id, lead."assignedToId" as bdr_id, cast(lead.status as text) as status,
        coalesce(changes.proposal_at, lead."agreementDate", changes.agreement_at) as proposal_at,
        coalesce(lead."agreementDate", changes.agreement_at) as agreement_at,
        lead."partnerListDueDate" as due_at,
        (lead."partnerListDueDate" at time zone 'UTC' at time zone %(tz)s)::date as due_date,
        coalesce(lead."partnerListSentDate", changes.sent_at) as sent_at
    from crm."PipelineItem" as lead
    left join (
        select "pipelineItemId" as lead_id,
            min(coalesce("completedDate", "createdAt"))
                filter (where cast("toStatus" as text) like 'PROPOSAL\_%%') as proposal_at,
            min(coalesce("completedDate", "createdAt"))
                filter (where cast("toStatus" as text) like 'AGREEMENT\_%%') as agreement_at,
            min(coalesce("completedDate", "createdAt"))
                filter (where cast("toStatus" as text) = 'PARTNER_LIST_SENT') as sent_at
        from crm."ActivityLog"
        where cast(type as text) = 'STATUS_CHANGE'
        group by 1
    ) as changes on changes.lead_id = lead.id
    where lead."sublistId" is null and lead."deletedAt" is null
),
live_items as (
    select item.id as item_id, lead.lead_id, lead.bdr_id
    from crm."PipelineItem" as item
    left join crm."Sublist" as sublist on sublist.id = item."sublistId"
    inner join live_leads as lead on lead.lead_id = coalesce(sublist."parentItemId", item.id)
    where item."deletedAt" is null
)
