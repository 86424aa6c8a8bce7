{#-
    A post-hook: `analyze` the model just built when it is a table, so the next models' plans
    rest on real statistics rather than the planner's guesses. An incremental model is
    analysed when it has no statistics yet (built whole: first or full refresh); an
    incremental run changes a few rows, which leave its statistics valid (autovacuum's
    analyse follows them), where analysing the whole table every hour would cost more than
    the run itself.
-#}
{% macro analyze_if_table() -%}
    {{ return(adapter.dispatch('analyze_if_table', 'emg')()) }}
{%- endmacro %}

{#- Other engines (Spark) plan without PostgreSQL's statistics: nothing to run. -#}
{% macro default__analyze_if_table() -%}
{%- endmacro %}

{% macro postgres__analyze_if_table() -%}
    {%- set materialized = config.get('materialized') -%}
    {%- if materialized in ('table', 'table_in_place') -%}
        analyze {{ this }}
    {%- elif materialized == 'incremental' -%}
        do $analyze$
        begin
            if not exists (
                select from pg_stats
                where schemaname = '{{ this.schema }}' and tablename = '{{ this.identifier }}'
            ) then
                analyze {{ this }};
            end if;
        end
        $analyze$
    {%- endif -%}
{%- endmacro %}
