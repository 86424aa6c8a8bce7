-- depends_on: {{ ref('stg_crm__activity_logs') }}
{%- set watermark = calls_watermark() -%}
{{
    config(
        materialized=('incremental' if target.type == 'postgres' else 'table'),
        full_refresh=false,
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=["{{ calls_scope_pre_hook() }}"],
        post_hook=["{{ remember_staged(values=calls_remembered_values()) }}"],
        indexes=[
            {'columns': ['call_id'], 'unique': True},
            {'columns': ['lead_id']},
            {'columns': ['completed_at']},
            {'columns': ['completed_date']},
            {'columns': ['bdr_id', 'completed_date']},
            {'columns': ['scheduled_at']},
            {'columns': ['call_status']},
        ],
    )
}}
-- One row per CALL activity on a live item (contract §7), with its status as of as_of.
-- Incremental on what staging changed (macros/metrics/calls.sql): a run redoes the calls
-- changed since the last (their activity, item or lead, gone from the source included) and
-- those whose status as_of's move can have changed; every call when the timezone changed or
-- staging redid a whole table. So an incremental run equals a full refresh, whichever way
-- as_of moves.
with

calls as (

    select * from {{ ref('int_calls_attributed') }}
    {% if scoped(watermark) %}
    where call_id in (select scope.call_id from fct_calls__scope as scope)
    {% endif %}

),

with_status as (

    select
        calls.*,
        {{ call_status('scheduled_at', 'completed_at', 'outcome', 'is_completion') }}
            as call_status
    from calls

),

calls_as_of as (

    select
        call_id,
        lead_id,
        bdr_id,
        category,
        scheduled_at,
        completed_at,
        created_at,
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

),

final as (

    select * from calls_as_of

)

select * from final
