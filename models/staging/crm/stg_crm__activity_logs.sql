with

activity_logs as (

    select * from {{ ref('base_crm__activity_logs') }}
    where rejection_reason is null

),

final as (

    select
        ----------  ids
        activity_log_id,
        pipeline_item_id,
        user_id,

        ----------  enums and text
        activity_type,
        outcome,
        from_status,
        to_status,
        notes,

        ----------  timestamps
        scheduled_at,
        completed_at,
        created_at,
        updated_at,

        ----------  data-quality flags
        has_unknown_type,
        has_unknown_outcome,
        has_implausible_timestamp

    from activity_logs

)

select * from final
