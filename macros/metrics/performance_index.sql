{#-
    The BDR performance index (SPEC §5): calls × 1 + agreements × 3 + lists out × 2 +
    sales × 5, over any window. The weights are the dbt var `performance_index_weights` (a
    metric name → weight mapping, dbt_project.yml), the one place they are written; these
    macros turn them into SQL.
-#}
{% macro performance_index_weights() -%}
    {%- set weights = var('performance_index_weights') -%}
    {%- for metric, weight in weights.items() -%}
        {%- if not modules.re.match('^[0-9]+([.][0-9]+)?$', weight | string) -%}
            {{ exceptions.raise_compiler_error(
                "var performance_index_weights: the weight of " ~ metric ~ " (" ~ weight
                ~ ") is not a non-negative number"
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(weights) }}
{%- endmacro %}


{#- The index of a row that holds one column per weighted metric (same names). -#}
{% macro performance_index() -%}
    {%- for metric, weight in performance_index_weights().items() -%}
        {{ metric }} * {{ weight }}{{ " + " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{#- The points one event of the metric named in `metric_column` adds to the index. -#}
{% macro performance_index_points(metric_column) -%}
    case {{ metric_column }}
        {%- for metric, weight in performance_index_weights().items() %}
        when '{{ metric }}' then {{ weight }}
        {%- endfor %}
    end
{%- endmacro %}


{#- The metrics that weigh in the index, as a SQL list: `('calls_completed', ...)`. -#}
{% macro performance_index_metrics() -%}
    ('{{ performance_index_weights().keys() | join("', '") }}')
{%- endmacro %}
