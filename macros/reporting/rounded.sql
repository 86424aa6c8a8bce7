{#-
    A figure rounded to `places` decimals, as the SQL type its mart publishes (`numeric` unless
    told): the one spelling of the ratios, rates and forecasts the marts round. The cast states
    the contract's type after the rounding, because Spark's decimal arithmetic gives a
    division or product a narrower scale than PostgreSQL's numeric.
-#}
{% macro rounded(expression, places, type='numeric') -%}
    cast(round({{ expression }}, {{ places }}) as {{ sql_type(type) }})
{%- endmacro %}
