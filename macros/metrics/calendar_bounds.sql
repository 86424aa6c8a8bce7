{#-
    The reporting calendar's first and last local day, as SQL expressions (for dbt.date_spine).

    calendar_start(): the Monday of the week holding the 1st of the month of the earliest raw
    timestamp (items, activity, sales), so the first week and the first month are whole.
    calendar_end(): 60 days past as_of's local date, or the latest scheduled call if later,
    capped at two years past as_of so a corrupt far-future date cannot blow the spine up.
    Both read the raw sources, which exist before any model does.
-#}
{% macro calendar_start() -%}
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
{%- endmacro %}


{% macro calendar_end() -%}
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
{%- endmacro %}
