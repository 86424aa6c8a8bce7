{#-
    The reporting calendar's first and last local day, as SQL expressions (for dbt.date_spine).

    calendar_start(): the Monday of the week holding the 1st of the month of the earliest
    plausible raw timestamp (items, activity, sales), so the first week and the first month are
    whole; never later than as_of's own such Monday, never before the earliest_plausible_date
    var (a first week or month that began before it is cut there).
    calendar_end(): 60 days past as_of's local date, or the latest plausible scheduled call if
    later, capped at two years past as_of so a corrupt far-future date cannot blow the spine up.
    Plausible is staging's rule (macro plausible_timestamp): the start reads dates that are
    finite and not before earliest_plausible_date, the end scheduled dates that are also within
    plausible_days_ahead of their row's createdAt / updatedAt. So a date staging nulls or
    rejects as implausible never stretches the calendar, and every date staging keeps is in it.
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
    {#- the CRM's camelCase columns, quoted as the engine quotes them -#}
    {%- set created_at = adapter.quote('createdAt') -%}
    {%- set scheduled_at = adapter.quote('scheduledDate') -%}
    {%- set completed_at = adapter.quote('completedDate') -%}
    {%- set firsts -%}
        select min({{ created_at }}) as first_at from {{ source('crm', 'PipelineItem') }}
        where {{ plausible_timestamp(created_at) }}
        union all
        select
            min(least(
                case when {{ plausible_timestamp(created_at) }} then {{ created_at }} end,
                case when {{ plausible_timestamp(scheduled_at) }} then {{ scheduled_at }} end,
                case when {{ plausible_timestamp(completed_at) }} then {{ completed_at }} end
            ))
        from {{ source('crm', 'ActivityLog') }}
        {%- if sales_feed_exists() %}
            union all
            select min({{ to_utc('sold_at') }}) from {{ source('sales_ext', 'sales') }}
            where {{ plausible_timestamp(to_utc('sold_at')) }}
        {%- endif %}
    {%- endset -%}
    (
        select greatest(
            cast(date_trunc('week', date_trunc('month', least(
                {{ local_date('min(first_at)') }}, {{ local_date(as_of()) }}
            ))) as date),
            {{ earliest_plausible_date() }}
        )
        from ({{ firsts }}) as firsts
    )
    {%- endif -%}
{%- endmacro %}


{% macro calendar_end() -%}
    {%- if not raw_activity_exists() -%}
        (select {{ local_date(as_of()) }} + 60)
    {%- else -%}
    {%- set scheduled_at = adapter.quote('scheduledDate') -%}
    {%- set written_at = 'greatest(' ~ adapter.quote('createdAt') ~ ', '
        ~ adapter.quote('updatedAt') ~ ')' -%}
    (
        select least(
            greatest(
                {{ local_date(as_of()) }} + 60,
                {{ local_date('max(' ~ scheduled_at ~ ')') }}
            ),
            {{ local_date(as_of()) }} + 730
        )
        from {{ source('crm', 'ActivityLog') }}
        where {{ plausible_timestamp(scheduled_at, written_at) }}
    )
    {%- endif -%}
{%- endmacro %}
