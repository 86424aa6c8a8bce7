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
)
