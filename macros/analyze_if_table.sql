{#-
    A post-hook: `analyze` the model just built when it is a table (or incremental), so the
    next models' plans rest on real statistics rather than the planner's guesses.
-#}
{% macro analyze_if_table() -%}
    {%- if config.get('materialized') in ('table', 'table_in_place', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
