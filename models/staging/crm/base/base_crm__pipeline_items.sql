{{
    config(
        materialized=('incremental' if target.type == 'postgres' else 'table'),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=["{{ staging_scope_pre_hook(
            source('crm', 'PipelineItem'), 'pipeline_item_id', pipeline_item_dependencies()
        ) }}"],
        post_hook=["{{ remember_sources([source('crm', 'PipelineItem')]) }}"],
        indexes=[
            {'columns': ['pipeline_item_id']},
            {'columns': ['sublist_id']},
            {'columns': ['updated_at']},
        ],
    )
}}
-- Every raw crm."PipelineItem" row once: renamed, typed, flagged, and given a
-- rejection_reason (null when the row is clean). stg_crm__pipeline_items keeps the clean
-- rows; audit.rejected_rows the others. Defects that would lose a lead's calls if the lead
-- were rejected (an event date after updatedAt or outside the plausible window, a negative
-- size) are repaired and flagged; a createdAt outside the window rejects the row.
-- Incremental on updatedAt (macros/incremental/source_changes.sql): a run redoes the ids
-- changed since the last, those gone from the source, and those whose assigned user appeared
-- or vanished (pipeline_item_dependencies).
with

source as (

    select
        raw_items.*,
        {{ row_as_json('raw_items') }} as raw_row
    from {{ source('crm', 'PipelineItem') }} as raw_items
    {{- staging_in_scope(source('crm', 'PipelineItem')) }}

),

-- Orphans are checked against every raw user id, not the clean ones, so that a rejected
-- user does not cascade into rejected items.
raw_user_ids as (

    select distinct id as user_id
    from {{ source('crm', 'User') }}
    where id is not null

),

renamed as (

    select
        ----------  ids
        id as pipeline_item_id,
        {{ adapter.quote('assignedToId') }} as assigned_to_id,
        {{ adapter.quote('sublistId') }} as sublist_id,

        ----------  text
        nullif(trim(name), '') as item_name,
        nullif(trim(category), '') as category,
        {{ clean_enum('status') }} as status,

        ----------  numerics
        {{ adapter.quote('partnerListSize') }} as raw_partner_list_size,
        cast({{ adapter.quote('totalSalesFromList') }} as {{ sql_type('numeric') }})
            as raw_total_sales_from_list,

        ----------  timestamps
        cast({{ adapter.quote('callDate') }} as timestamp) as raw_call_at,
        cast({{ adapter.quote('agreementDate') }} as timestamp) as raw_agreement_at,
        cast({{ adapter.quote('partnerListDueDate') }} as timestamp) as raw_partner_list_due_at,
        cast({{ adapter.quote('partnerListSentDate') }} as timestamp) as raw_partner_list_sent_at,
        cast({{ adapter.quote('firstSaleDate') }} as timestamp) as raw_first_sale_at,
        cast({{ adapter.quote('createdAt') }} as timestamp) as created_at,
        cast({{ adapter.quote('updatedAt') }} as timestamp) as raw_updated_at,
        cast({{ adapter.quote('deletedAt') }} as timestamp) as raw_deleted_at,

        ----------  the raw row
        raw_row,
        row_number() over (
            partition by id
            order by
                {{ plausible_or_null(adapter.quote('updatedAt')) }}
                desc nulls last,
                md5(cast(raw_row as {{ sql_type('text') }}))
        ) as source_row_rank

    from source

),

-- When the CRM last wrote the row (macro row_write_times): written_at anchors the
-- plausible window of the row's dates.
anchored as (

    select
        *,
        {{ row_write_times() }}

    from renamed

),

-- An event the row says happened after the CRM last wrote the row cannot be true, nor can a
-- date outside the plausible window (macros/time/plausible_timestamp.sql): the date is
-- nulled and the row flagged. A negative size or total is nulled and flagged.
repaired as (

    select
        *,
        case
            when
                {{ plausible_timestamp('raw_call_at', 'written_at') }}
                and (raw_call_at <= updated_at or updated_at is null)
                then raw_call_at
        end as call_at,
        case
            when
                {{ plausible_timestamp('raw_agreement_at', 'written_at') }}
                and (raw_agreement_at <= updated_at or updated_at is null)
                then raw_agreement_at
        end as agreement_at,
        case
            when {{ plausible_timestamp('raw_partner_list_due_at', 'written_at') }}
                then raw_partner_list_due_at
        end as partner_list_due_at,
        case
            when
                {{ plausible_timestamp('raw_partner_list_sent_at', 'written_at') }}
                and (raw_partner_list_sent_at <= updated_at or updated_at is null)
                then raw_partner_list_sent_at
        end as partner_list_sent_at,
        case
            when
                {{ plausible_timestamp('raw_first_sale_at', 'written_at') }}
                and (raw_first_sale_at <= updated_at or updated_at is null)
                then raw_first_sale_at
        end as first_sale_at,
        {{ plausible_or_null('raw_deleted_at', 'written_at') }}
            as deleted_at,
        case when raw_partner_list_size >= 0 then raw_partner_list_size end
            as partner_list_size,
        case
            when raw_total_sales_from_list >= 0 then cast(raw_total_sales_from_list as integer)
        end as total_sales_from_list

    from anchored

),

flagged as (

    select
        repaired.*,

        ----------  kinds of item
        repaired.sublist_id is null as is_lead,
        repaired.sublist_id is not null as is_partner_contact,
        -- an implausible deletedAt is nulled, but the CRM did delete the item
        repaired.raw_deleted_at is not null as is_deleted,

        ----------  the stage of the current status
        case
            when repaired.status = 'LEAD' then 'lead'
            when repaired.status = 'CALL_BOOKED' then 'call_booked'
            when repaired.status = 'CALL_CONDUCTED' then 'call_conducted'
            when repaired.status like 'PROPOSAL\_%' then 'proposal'
            when repaired.status like 'AGREEMENT\_%' then 'agreement'
            when repaired.status = 'PARTNER_LIST_SENT' then 'list_sent'
            when repaired.status in ('SOLD', 'LIST_OUT_NOT_SOLD', 'FREE_QA_OFFERED')
                then 'list_outcome'
            when repaired.status = 'LOST' then 'lost'
            else 'unknown'
        end as status_stage,

        ----------  data-quality flags
        coalesce(
            repaired.raw_call_at > repaired.updated_at
            or repaired.raw_agreement_at > repaired.updated_at
            or repaired.raw_partner_list_sent_at > repaired.updated_at
            or repaired.raw_first_sale_at > repaired.updated_at,
            false
        ) as has_future_timestamp,
        coalesce(
            not {{ plausible_timestamp('repaired.raw_call_at', 'repaired.written_at') }}
            or not {{ plausible_timestamp('repaired.raw_agreement_at', 'repaired.written_at') }}
            or not {{
                plausible_timestamp('repaired.raw_partner_list_due_at', 'repaired.written_at')
            }}
            or not {{
                plausible_timestamp('repaired.raw_partner_list_sent_at', 'repaired.written_at')
            }}
            or not {{ plausible_timestamp('repaired.raw_first_sale_at', 'repaired.written_at') }}
            or not {{ plausible_timestamp('repaired.raw_deleted_at', 'repaired.written_at') }}
            or not {{ plausible_timestamp('repaired.raw_updated_at') }},
            false
        ) as has_implausible_timestamp,
        coalesce(
            repaired.raw_partner_list_size < 0 or repaired.raw_total_sales_from_list < 0,
            false
        ) as has_negative_value,

        ----------  what the rejection read from another table (an incremental run redoes a
        ----------  row when it changes)
        raw_user_ids.user_id is not null as has_raw_assigned_user,

        ----------  why the row is rejected (null: it is clean)
        case
            when repaired.pipeline_item_id is null then 'missing_id'
            when repaired.source_row_rank > 1 then 'duplicate'
            when repaired.status is null then 'missing_status'
            when repaired.created_at is null then 'missing_created_at'
            when not {{ plausible_timestamp('repaired.created_at', 'repaired.updated_at') }}
                then 'implausible_created_at'
            when repaired.assigned_to_id is not null and raw_user_ids.user_id is null
                then 'orphan_assigned_to_id'
        end as rejection_reason

    from repaired
    left join raw_user_ids
        on repaired.assigned_to_id = raw_user_ids.user_id

),

final as (

    select
        *,
        status_stage = 'unknown' and status is not null as has_unknown_status,
        case status_stage
            when 'lead' then 1
            when 'call_booked' then 2
            when 'call_conducted' then 3
            when 'proposal' then 4
            when 'agreement' then 5
            when 'list_sent' then 6
            when 'list_outcome' then 7
        end as status_stage_order

    from flagged

)

select * from final
