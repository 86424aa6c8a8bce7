{#-
    The external sales feed may not exist yet (SPEC §4): the build must work without it.

    sales_feed_exists(): true when `sales_ext.sales` exists at run time. It is false while
    dbt parses (no warehouse is asked then), so use it only in SQL that is compiled to run.
    The var `sales_feed_exists` (true/false) overrides the look-up: .sqlfluff sets it so that
    linting needs no warehouse.
-#}
{% macro sales_feed_exists() -%}
    {%- set assumed = var('sales_feed_exists', none) -%}
    {%- if assumed is not none and (assumed | string | trim) != '' -%}
        {{ return((assumed | string | trim | lower) in ('true', '1', 'yes')) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set feed = source('sales_ext', 'sales') -%}
    {%- set found = adapter.get_relation(
        database=feed.database, schema=feed.schema, identifier=feed.identifier
    ) -%}
    {{ return(found is not none) }}
{%- endmacro %}


{#-
    select_sales_feed(): a select of the feed's columns from `sales_ext.sales` when it
    exists, else the same columns, typed, with no rows. Calling `source()` here keeps the
    lineage (and `dbt source freshness`) whether or not the table exists.
-#}
{% macro select_sales_feed() -%}
    {%- set feed = source('sales_ext', 'sales') -%}
    {%- if sales_feed_exists() %}
    select
        sale_id,
        pipeline_item_id,
        sold_at,
        amount,
        currency,
        loaded_at
    from {{ feed }}
    {%- else %}
    select
        cast(null as text) as sale_id,
        cast(null as text) as pipeline_item_id,
        cast(null as timestamptz) as sold_at,
        cast(null as numeric(12, 2)) as amount,
        cast(null as text) as currency,
        cast(null as timestamptz) as loaded_at
    where false
    {%- endif %}
{%- endmacro %}
