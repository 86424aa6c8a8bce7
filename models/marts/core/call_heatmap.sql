-- depends_on: {{ ref('fct_events') }}
-- depends_on: {{ ref('metric_catalogue') }}
{%- set watermark = heatmap_watermark() -%}
{{
    config(
        materialized=('incremental' if target.type == 'postgres' else 'table'),
        full_refresh=false,
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=["{{ heatmap_scope_pre_hook() }}"],
        post_hook=["{{ remember_event_changes_read(as_of_consumer_values()) }}"],
        indexes=[
            {'columns': ['call_date']},
            {'columns': ['bdr_id', 'call_date']},
        ],
    )
}}
-- Completed calls per BDR, local day and local hour (contract §5's activity heatmap): one row per
-- cell with at least one call. Groups metric_events' calls_completed (as of as_of) of the
-- owners who are BDRs (per-BDR mart, contract §4). Incremental by BDR day (macros/metrics/
-- heatmap.sql): a run redoes the days of the events fct_events changed and of those as_of's
-- move started or stopped counting; `--full-refresh` redoes every day in place.
with

calls as (

    select * from {{ ref('metric_events') }}
    {% if scoped(watermark) %}
    where
        metric = 'calls_completed'
        and is_bdr
        and (bdr_id, occurred_date) in (
            select
                redo.bdr_id,
                redo.call_date
            from call_heatmap__days as redo
        )
    {% else %}
    where metric = 'calls_completed' and is_bdr
    {% endif %}

),

final as (

    select
        bdr_id,
        occurred_date as call_date,
        occurred_week as call_week,
        iso_weekday,
        hour_of_day,
        count(*) as calls_completed
    from calls
    group by 1, 2, 3, 4, 5

)

select * from final
