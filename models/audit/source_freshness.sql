{#- The raw tables, the base model that holds every raw row of each, and the column that says
    when a row last changed (none: the table has no such column). -#}
{%- set tables = [
    ('crm', 'User', 'base_crm__users', 'updated_at'),
    ('crm', 'PipelineItem', 'base_crm__pipeline_items', 'updated_at'),
    ('crm', 'Sublist', 'base_crm__sublists', 'created_at'),
    ('crm', 'ActivityLog', 'base_crm__activity_logs', 'updated_at'),
    ('crm', 'KpiTarget', 'base_crm__kpi_targets', none),
    ('sales_ext', 'sales', 'base_sales_ext__sales', 'loaded_at'),
] -%}
{#- PostgreSQL's numeric, in the engine's words; the seconds from the newest change to as_of -#}
{%- set numeric = sql_type('numeric') -%}
{%- set seconds_since_change = seconds_between('newest_change_at', as_of()) -%}
-- How fresh each raw table is as of as_of, beside the thresholds its source declares for
-- `dbt source freshness` (read from the project's sources, so they are written once): when a
-- leader may distrust a number. The newest change is the newest of the column its source
-- measures freshness on, over every raw row (clean or rejected), never one after as_of; a
-- sales feed without its optional `loaded_at` column, and a table without a change
-- timestamp, are `not measured`; a table whose source declares no threshold (users and
-- sublists change rarely) is `no threshold`. A view: current after every build.
with

{% for source_name, table_name, base_model, column in tables %}
{{ source_name }}_{{ table_name | lower }} as (

    select
        '{{ source_name }}.{{ table_name }}' as source_table,
        {% if column -%}
        max({{ column }}) filter (where {{ column }} <= {{ as_of() }}) as newest_change_at,
        {%- else -%}
        cast(null as timestamp) as newest_change_at,
        {%- endif %}
        count(*) as raw_rows,
        {{ source_freshness_hours(source_name, table_name, 'warn_after') }} as warn_after_hours,
        {{ source_freshness_hours(source_name, table_name, 'error_after') }} as error_after_hours
    from {{ ref(base_model) }}

),

{% endfor -%}

unioned as (

    {% for source_name, table_name, _, _ in tables %}
    select * from {{ source_name }}_{{ table_name | lower }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {% endfor %}

),

final as (

    select
        source_table,
        raw_rows,
        newest_change_at,
        {{ as_of() }} as as_of,
        round(
            cast({{ seconds_since_change }} / 3600 as {{ numeric }}), 1
        ) as hours_since_change,
        warn_after_hours,
        error_after_hours,
        case
            when newest_change_at is null then 'not measured'
            when warn_after_hours is null and error_after_hours is null then 'no threshold'
            when {{ as_of() }} - newest_change_at > {{ interval_of_hours('error_after_hours') }}
                then 'error'
            when {{ as_of() }} - newest_change_at > {{ interval_of_hours('warn_after_hours') }}
                then 'warn'
            else 'pass'
        end as freshness_status
    from unioned

)

select * from final
