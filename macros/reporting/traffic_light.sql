{#-
    A KPI's traffic light (SQL `text`): `green` when `value` reaches the green share of
    `target` (var `traffic_light_green_ratio`, default 1.0), `amber` when it reaches the amber
    share (var `traffic_light_amber_ratio`, default 0.8), else `red`; null when either is null
    (no target, or no data such as revenue without a sales feed). A target of 0 is always met.
    Pass the pro-rated target for a period still running.
-#}
{% macro traffic_light(value, target) -%}
    case
        when {{ value }} is null or {{ target }} is null then null
        when {{ value }} >= {{ target }} * {{ traffic_light_ratio('green') }} then 'green'
        when {{ value }} >= {{ target }} * {{ traffic_light_ratio('amber') }} then 'amber'
        else 'red'
    end
{%- endmacro %}


{#- The share of target a light needs (`green` or `amber`), from its var, as a SQL numeric (in
    the engine's words: Spark's bare NUMERIC is DECIMAL(10, 0), which would round 0.8 to 1). -#}
{% macro traffic_light_ratio(light) -%}
    {%- set defaults = {'green': 1.0, 'amber': 0.8} -%}
    {%- set raw = var('traffic_light_' ~ light ~ '_ratio', defaults[light]) | string | trim -%}
    {%- if not modules.re.match('^[0-9]+([.][0-9]+)?$', raw) -%}
        {{ exceptions.raise_compiler_error(
            "var traffic_light_" ~ light ~ "_ratio=" ~ raw ~ " is not a number such as 0.8"
        ) }}
    {%- endif -%}
    cast({{ raw }} as {{ sql_type('numeric') }})
{%- endmacro %}


{#-
    Pro-rates a period's target by elapsed business days (SQL `numeric`, on every engine):
    target x business days elapsed / business days in the period; the whole target when the
    period has no business day. Round to 2 places, as dashboards show it.
-#}
{% macro prorated_target(target, business_days_elapsed, business_days_in_period) -%}
    {{ rounded(
        target ~ ' * coalesce(cast(' ~ business_days_elapsed ~ ' as ' ~ sql_type('numeric') ~ ')'
        ~ ' / nullif(' ~ business_days_in_period ~ ', 0), 1)',
        2
    ) }}
{%- endmacro %}
