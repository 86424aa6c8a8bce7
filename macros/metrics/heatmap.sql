{#-
    call_heatmap's incremental scope. A cell counts the completed calls (metric_events'
    calls_completed) of a BDR in a local hour, so a run redoes whole days of a BDR:

    - the days of the BDRs' events fct_events changed since the last run (event_changes: the
      day an event left and the day it joined; an event deleted and inserted again with the
      same owner and instant changed nothing here; one whose owner stopped being a BDR left
      a day);
    - the days of the BDRs' events whose instant lies between the last run's as_of and this
      one, whichever way as_of moved (they started or stopped counting);

    and every day when fct_events redid every event (its marker), when the metric catalogue
    changed (what counts as a completed call) or on a first or `--full-refresh` run. The last
    run's as_of and the catalogue's checksum are kept in intermediate.incremental_state.
-#}
{% macro heatmap_watermark() -%}
    {%- if not incremental_run() -%}{{ return(none) }}{%- endif -%}
    {{ return(event_changes_watermark(redo_all=as_of_consumer_is_stale())) }}
{%- endmacro %}


{#- The pre-hook of an incremental call_heatmap run: the BDR days in scope (see above) to the
    temporary table call_heatmap__days, which the model's query reads, and their cells
    deleted. -#}
{% macro heatmap_scope_pre_hook() -%}
    {%- set watermark = heatmap_watermark() -%}
    {%- if watermark is not none and not scoped(watermark) -%}
        {{ empty_in_place() }}
    {%- elif scoped(watermark) -%}
        {%- set low, high = as_of_moved_between() -%}
        {%- set call_events -%}
            select catalogue.event_type
            from {{ ref('metric_catalogue') }} as catalogue
            where catalogue.metric = 'calls_completed'
        {%- endset -%}
        create temporary table call_heatmap__days on commit drop as
        select changed.bdr_id, changed.occurred_date as call_date
        from {{ event_changes() }} as changed
        where
            changed.change_id > {{ watermark | int }}
            and changed.event_type in ({{ call_events }})
            and changed.is_bdr
        group by changed.bdr_id, changed.occurred_at, changed.occurred_date, changed.event_type
        having sum(changed.change) <> 0
        union
        select events.bdr_id, events.occurred_date
        from {{ ref('fct_events') }} as events
        where
            events.event_type in ({{ call_events }})
            and events.is_bdr
            and events.occurred_at > {{ low }}
            and events.occurred_at <= {{ high }};
        analyze call_heatmap__days;
        delete from {{ this }}
        where (bdr_id, call_date) in (
            select days.bdr_id, days.call_date from call_heatmap__days as days
        )
    {%- endif -%}
{%- endmacro %}
