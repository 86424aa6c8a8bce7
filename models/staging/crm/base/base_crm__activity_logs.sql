{{
    config(
        materialized=('incremental' if target.type == 'postgres' else 'table'),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=["{{ staging_scope_pre_hook(
            source('crm', 'ActivityLog'), 'activity_log_id', activity_log_dependencies()
        ) }}"],
        post_hook=["{{ remember_sources([source('crm', 'ActivityLog')]) }}"],
        indexes=[
            {'columns': ['activity_log_id']},
            {'columns': ['updated_at']},
            {'columns': ['pipeline_item_id']},
        ],
    )
}}
-- Every raw crm."ActivityLog" row once: renamed, typed, repaired, flagged, and given a
-- rejection_reason (null when the row is clean). stg_crm__activity_logs keeps the clean
-- rows; audit.rejected_rows the others.
with

source as (

    select
        raw_logs.*,
        {{ row_as_json('raw_logs') }} as raw_row
    from {{ source('crm', 'ActivityLog') }} as raw_logs
    {{- staging_in_scope(source('crm', 'ActivityLog')) }}

),

-- Orphans are checked against every raw parent id, not the clean ones. Every raw item id is
-- here with the clean lead it belongs to, if any: activity on an item that belongs to no
-- clean lead (the item rejected, or a partner contact whose sublist or lead is) could reach
-- no mart, so it is rejected as unmapped_lead rather than vanish.
item_leads as (

    select * from {{ ref('base_crm__pipeline_item_leads') }}

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
        {{ adapter.quote('pipelineItemId') }} as pipeline_item_id,
        {{ adapter.quote('userId') }} as user_id,

        ----------  enums and text
        {{ clean_enum('type') }} as activity_type,
        {{ clean_enum('outcome') }} as outcome,
        {{ clean_enum(adapter.quote('fromStatus')) }} as from_status,
        {{ clean_enum(adapter.quote('toStatus')) }} as to_status,
        notes,

        ----------  timestamps
        cast({{ adapter.quote('scheduledDate') }} as timestamp) as raw_scheduled_at,
        cast({{ adapter.quote('completedDate') }} as timestamp) as completed_at,
        cast({{ adapter.quote('createdAt') }} as timestamp) as created_at,
        cast({{ adapter.quote('updatedAt') }} as timestamp) as raw_updated_at,

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

-- A scheduled date outside the plausible window (macros/time/plausible_timestamp.sql) is
-- nulled and flagged: the call is kept, and is not upcoming.
repaired as (

    select
        *,
        case
            when {{ plausible_timestamp('raw_scheduled_at', 'written_at') }}
                then raw_scheduled_at
        end as scheduled_at

    from anchored

),

flagged as (

    select
        repaired.*,

        ----------  data-quality flags
        coalesce(
            repaired.activity_type not in {{ crm_enum_values('ActivityType') }},
            false
        ) as has_unknown_type,
        coalesce(
            repaired.outcome not in {{ crm_enum_values('ActivityOutcome') }},
            false
        ) as has_unknown_outcome,
        coalesce(
            not {{ plausible_timestamp('repaired.raw_scheduled_at', 'repaired.written_at') }}
            or not {{ plausible_timestamp('repaired.raw_updated_at') }},
            false
        ) as has_implausible_timestamp,

        ----------  what the rejection read from other tables (an incremental run redoes a row
        ----------  when one of them changes)
        item_leads.pipeline_item_id is not null as has_raw_item,
        item_leads.lead_id is not null as has_clean_lead,
        raw_user_ids.user_id is not null as has_raw_user,

        ----------  why the row is rejected (null: it is clean)
        case
            when repaired.activity_log_id is null then 'missing_id'
            when repaired.source_row_rank > 1 then 'duplicate'
            when repaired.activity_type is null then 'missing_type'
            when repaired.user_id is null then 'missing_user_id'
            when repaired.pipeline_item_id is null then 'missing_pipeline_item_id'
            when repaired.created_at is null then 'missing_created_at'
            when not {{ plausible_timestamp('repaired.created_at', 'repaired.updated_at') }}
                then 'implausible_created_at'
            when item_leads.pipeline_item_id is null then 'orphan_pipeline_item_id'
            when raw_user_ids.user_id is null then 'orphan_user_id'
            -- completed after the CRM last wrote the row: cannot be true
            when repaired.completed_at > repaired.updated_at then 'future_timestamp'
            when not {{ plausible_timestamp('repaired.completed_at', 'repaired.written_at') }}
                then 'implausible_completed_date'
            when item_leads.lead_id is null then 'unmapped_lead'
        end as rejection_reason

    from repaired
    left join item_leads
        on repaired.pipeline_item_id = item_leads.pipeline_item_id
    left join raw_user_ids
        on repaired.user_id = raw_user_ids.user_id

)

select * from flagged
