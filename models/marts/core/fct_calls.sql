{{
    config(
        materialized='incremental',
        unique_key='call_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        indexes=[
            {'columns': ['call_id'], 'unique': True},
            {'columns': ['completed_date']},
            {'columns': ['bdr_id', 'completed_date']},
            {'columns': ['scheduled_at']},
            {'columns': ['call_status']},
        ],
        post_hook=[
            "{{ delete_rows_missing_from(ref('int_calls_attributed'), 'call_id') }}",
        ],
    )
}}
-- One row per CALL activity on a live item (SPEC §7). Incremental: a run re-reads the calls
-- the CRM changed since the last run (minus a lookback for late replication, var
-- `incremental_lookback_hours`), plus every stored call whose status moves with the new
-- as_of (an upcoming call now missed, a completion now in the past, or the reverse when
-- as_of goes back), and a post-hook drops calls that left the source (deleted, rejected).
-- So an incremental run equals a full refresh for any as_of. A change of
-- reporting_timezone needs --full-refresh.
with

calls as (

    select * from {{ ref('int_calls_attributed') }}
    {% if is_incremental() %}
        where
            last_changed_at >= (
                select max(last_changed_at) from {{ this }}
            ) - interval '{{ var("incremental_lookback_hours", 72) }} hours'
            or call_id in (
                select call_id from {{ this }}
                where
                    call_status
                    <> {{ call_status('scheduled_at', 'completed_at', 'outcome', 'is_completion') }}
            )
    {% endif %}

),

with_status as (

    select
        calls.*,
        {{ call_status('scheduled_at', 'completed_at', 'outcome', 'is_completion') }}
            as call_status
    from calls

),

final as (

    select
        call_id,
        lead_id,
        bdr_id,
        category,
        scheduled_at,
        completed_at,
        call_status,
        case when call_status = 'completed' then {{ local_date('completed_at') }} end
            as completed_date,
        case when call_status = 'completed' then {{ local_week('completed_at') }} end
            as completed_week,
        case when call_status = 'completed' then {{ local_iso_weekday('completed_at') }} end
            as iso_weekday,
        case when call_status = 'completed' then {{ local_hour('completed_at') }} end
            as hour_of_day,
        {{ local_date('scheduled_at') }} as scheduled_date,
        outcome,
        is_completion,
        last_changed_at
    from with_status

)

select * from final
