{#-
    fct_calls' incremental scope. A call's row depends on its CALL activity, its item (the
    lead, its category), and on as_of through its status (and the local columns that exist
    only for a completed call). An incremental run redoes:

    - the calls whose activity changed since the watermark (changes_watermark over the
      table's `last_changed_at`), and the calls on items or leads changed since;
    - the calls whose status can have moved since the last run's as_of: a completion or a
      scheduled date between the two instants, whichever way as_of moved;
    - the calls stored that are no longer in the source (deleted, rejected, their item gone);

    and every call when the reporting timezone changed, or the CRM tables were replaced or
    went back in time. The last run's as_of and timezone are kept in
    intermediate.incremental_state.
-#}
{% macro calls_watermark() -%}
    {%- if not incremental_run() -%}{{ return(none) }}{%- endif -%}
    {%- if remembered('reporting_timezone') != var('reporting_timezone')
        or remembered('as_of') is none -%}
        {{ return(start_of_time()) }}
    {%- endif -%}
    {{ return(changes_watermark(
        'select last_changed_at from ' ~ this,
        'select max(updated_at) from ' ~ ref('stg_crm__activity_logs')
            ~ ' union all select max(updated_at) from ' ~ ref('stg_crm__pipeline_items'),
        calls_source_tables()
    )) }}
{%- endmacro %}


{#- The CRM tables fct_calls reads, through staging. -#}
{% macro calls_source_tables() -%}
    {{ return([
        source('crm', 'PipelineItem'), source('crm', 'Sublist'), source('crm', 'ActivityLog')
    ]) }}
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
        delete from {{ this }}
    {%- elif scoped(watermark) -%}
        {%- set since = "cast('" ~ watermark ~ "' as timestamp)" -%}
        {%- set previous = "cast('" ~ remembered('as_of') ~ "' as timestamp)" -%}
        {%- set low = 'least(' ~ previous ~ ', ' ~ as_of() ~ ')' -%}
        {%- set high = 'greatest(' ~ previous ~ ', ' ~ as_of() ~ ')' -%}
        create temporary table fct_calls__scope on commit drop as
        select call_id
        from {{ ref('int_calls_attributed') }}
        where last_changed_at >= {{ since }} or last_changed_at is null
        union
        select call_id
        from {{ ref('int_calls_attributed') }}
        where
            completed_at between {{ low }} and {{ high }}
            or scheduled_at between {{ low }} and {{ high }}
        union
        select stored.call_id
        from {{ this }} as stored
        where not exists (
            select 1 from {{ ref('int_calls_attributed') }} as calls
            where calls.call_id = stored.call_id
        );
        analyze fct_calls__scope;
        delete from {{ this }}
        where call_id in (select scope.call_id from fct_calls__scope as scope)
    {%- endif -%}
{%- endmacro %}
