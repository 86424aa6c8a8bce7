{#-
    The reporting calendar's first and last local day, as SQL expressions (for dbt.date_spine).

    calendar_start(): the Monday of the week holding the 1st of the month of the earliest raw
    timestamp (items, activity, sales), so the first week and the first month are whole.
    calendar_end(): 60 days past as_of's local date, or the latest scheduled call if later,
    capped at two years past as_of so a corrupt far-future date cannot blow the spine up.
    Both read the raw sources, which exist before any model does; where the CRM's tables are not
    there yet (a new, empty warehouse that is only compiled, e.g. by the SQL linter) the
    calendar is as_of's month and the 60 days after it.
-#}
{% macro raw_activity_exists() -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set activity = source('crm', 'ActivityLog') -%}
    {{ return(adapter.get_relation(
        database=activity.database, schema=activity.schema, identifier=activity.identifier
    ) is not none) }}
{%- endmacro %}


{% macro calendar_start() -%}
    {%- if not raw_activity_exists() -%}
        (select cast(date_trunc('week', date_trunc('month', {{ local_date(as_of()) }})) as date))
    {%- else -%}
    {%- set firsts -%}
        select min("createdAt") as first_at from {{ source('crm', 'PipelineItem') }}
        union all
        select min(least("createdAt", "scheduledDate", "completedDate"))
        from {{ source('crm', 'ActivityLog') }}
        {%- if sales_feed_exists() %}
            union all
            select min({{ to_utc('sold_at') }}) from {{ source('sales_ext', 'sales') }}
        {%- endif %}
    {%- endset -%}
    (
        select cast(date_trunc('week', date_trunc('month', coalesce(
            {{ local_date('min(first_at)') }}, {{ local_date(as_of()) }}
        ))) as date)
        from ({{ firsts }}) as firsts
    )
    {%- endif -%}
{%- endmacro %}


{% macro calendar_end() -%}
    {%- if not raw_activity_exists() -%}
        (select {{ local_date(as_of()) }} + 60)
    {%- else -%}
    (
        select least(
            greatest(
                {{ local_date(as_of()) }} + 60,
                {{ local_date('max("scheduledDate")') }}
            ),
            {{ local_date(as_of()) }} + 730
        )
        from {{ source('crm', 'ActivityLog') }}
    )
    {%- endif -%}
{%- endmacro %}
