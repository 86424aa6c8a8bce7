-- Every raw crm."ActivityLog" row once: renamed, typed, flagged, and given a
-- rejection_reason (null when the row is clean). stg_crm__activity_logs keeps the clean
-- rows; audit.rejected_rows the others.
with

source as (

    select
        raw_logs.*,
        to_jsonb(raw_logs) as raw_row
    from {{ source('crm', 'ActivityLog') }} as raw_logs

),

-- Orphans are checked against every raw parent id, not the clean ones, so that a rejected
-- item or user does not cascade into rejected activity.
raw_item_ids as (

    select distinct id as pipeline_item_id
    from {{ source('crm', 'PipelineItem') }}
    where id is not null

),

raw_user_ids as (

    select distinct id as user_id
    from {{ source('crm', 'User') }}
    where id is not null

),

renamed as (

    select
        ----------  ids
        id as activity_log_id,
        "pipelineItemId" as pipeline_item_id,
        "userId" as user_id,

        ----------  enums and text
        {{ clean_enum('type') }} as activity_type,
        {{ clean_enum('outcome') }} as outcome,
        {{ clean_enum('"fromStatus"') }} as from_status,
        {{ clean_enum('"toStatus"') }} as to_status,
        notes,

        ----------  timestamps
        cast("scheduledDate" as timestamp) as scheduled_at,
        cast("completedDate" as timestamp) as completed_at,
        cast("createdAt" as timestamp) as created_at,
        cast("updatedAt" as timestamp) as updated_at,

        ----------  the raw row
        raw_row,
        row_number() over (
            partition by id
            order by "updatedAt" desc nulls last, md5(cast(raw_row as text))
        ) as source_row_rank

    from source

),

flagged as (

    select
        renamed.*,

        ----------  data-quality flags
        coalesce(
            renamed.activity_type not in ('CALL', 'EMAIL', 'MEETING', 'NOTE', 'STATUS_CHANGE'),
            false
        ) as has_unknown_type,
        coalesce(
            renamed.outcome not in ('COMPLETED', 'NO_SHOW', 'CANCELLED', 'RESCHEDULED'),
            false
        ) as has_unknown_outcome,

        ----------  why the row is rejected (null: it is clean)
        case
            when renamed.activity_log_id is null then 'missing_id'
            when renamed.source_row_rank > 1 then 'duplicate'
            when renamed.activity_type is null then 'missing_type'
            when renamed.user_id is null then 'missing_user_id'
            when renamed.pipeline_item_id is null then 'missing_pipeline_item_id'
            when renamed.created_at is null then 'missing_created_at'
            when raw_item_ids.pipeline_item_id is null then 'orphan_pipeline_item_id'
            when raw_user_ids.user_id is null then 'orphan_user_id'
            -- completed after the CRM last wrote the row: cannot be true
            when renamed.completed_at > renamed.updated_at then 'future_timestamp'
        end as rejection_reason

    from renamed
    left join raw_item_ids
        on renamed.pipeline_item_id = raw_item_ids.pipeline_item_id
    left join raw_user_ids
        on renamed.user_id = raw_user_ids.user_id

)

select * from flagged
