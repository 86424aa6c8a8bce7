{#-
    fct_calls' incremental scope. A call's row depends on its CALL activity, its item (the
    lead, its category), and on as_of through its status (and the local columns that exist
    only for a completed call). Staging says what changed (staged_changes,
    macros/incremental/source_changes.sql); an incremental run redoes:

    - the activities staged since the last run (a CALL changed, appeared, left the replica
      or changed rejection);
    - the calls on a pipeline item staged since, and the stored calls of a lead staged since
      (its category or its life moved);
    - the stored calls whose status can have moved since the last run's as_of: a completion
      or a scheduled date between the two instants, whichever way as_of moved;

    and every call when the reporting timezone changed or staging redid a whole table. The
    last run's as_of and timezone are kept in intermediate.incremental_state.
-#}
{% macro calls_watermark() -%}
    {%- if not incremental_run() -%}{{ return(none) }}{%- endif -%}
    {{ return(staged_watermark(
        staged_sources(),
        redo_all=remembered('reporting_timezone') != var('reporting_timezone')
            or remembered('as_of') is none
    )) }}
{%- endmacro %}


{#- What fct_calls remembers for its next run: as_of and the reporting timezone. -#}
{% macro calls_remembered_values() -%}
    {{ return({
        'as_of': as_of_utc().strftime('%Y-%m-%d %H:%M:%S.%f'),
        'reporting_timezone': var('reporting_timezone'),
    }) }}
{%- endmacro %}


{#- The pre-hook of an incremental fct_calls run: the calls in scope (see above) to the
    temporary table fct_calls__scope, which the model's query reads, and their rows
    deleted. -#}
{% macro calls_scope_pre_hook() -%}
    {%- set watermark = calls_watermark() -%}
    {%- if watermark is not none and not scoped(watermark) -%}
        {{ empty_in_place() }}
    {%- elif scoped(watermark) -%}
        {%- set low, high = as_of_moved_between() -%}
        create temporary table fct_calls__items on commit drop as
        {{ staged_ids(source('crm', 'PipelineItem'), watermark) }};
        analyze fct_calls__items;
        create temporary table fct_calls__scope on commit drop as
        select changed.id as call_id
        from ({{ staged_ids(source('crm', 'ActivityLog'), watermark) }}) as changed
        union
        select logs.activity_log_id
        from {{ ref('stg_crm__activity_logs') }} as logs
        where logs.pipeline_item_id in (select changed.id from fct_calls__items as changed)
        union
        select stored.call_id
        from {{ this }} as stored
        where stored.lead_id in (select changed.id from fct_calls__items as changed)
        union
        select stored.call_id
        from {{ this }} as stored
        where stored.completed_at between {{ low }} and {{ high }}
        union
        select stored.call_id
        from {{ this }} as stored
        where stored.scheduled_at between {{ low }} and {{ high }};
        analyze fct_calls__scope;
        delete from {{ this }}
        where call_id in (select scope.call_id from fct_calls__scope as scope)
    {%- endif -%}
{%- endmacro %}
