{#- The hours of a source table's `dbt source freshness` threshold (`threshold`: warn_after or
    error_after), read from the project's sources (a table's own config, else its source's);
    SQL null when it has none; a numeric in the engine's words (sql_type).
    audit.source_freshness shows them beside each table's age. -#}
{% macro source_freshness_hours(source_name, table_name, threshold) -%}
    {%- set hours_per = {'minute': 1 / 60, 'hour': 1, 'day': 24} -%}
    {%- set found = namespace(hours=none) -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.source_name == source_name and node.name == table_name
                and node.freshness -%}
                {%- set rule = node.freshness[threshold] -%}
                {%- if rule and rule['count'] and rule['period'] -%}
                    {%- set found.hours = rule['count'] * hours_per[rule['period']] -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set numeric = sql_type('numeric') -%}
    {{ 'cast(' ~ found.hours ~ ' as ' ~ numeric ~ ')' if found.hours is not none
        else 'cast(null as ' ~ numeric ~ ')' }}
{%- endmacro %}
