{#-
    A stable text key from several columns, as dbt_utils.generate_surrogate_key builds it:
    md5 over the columns cast to text, nulls replaced by a marker, joined with '-'. On both
    engines (text is Spark's string: sql_type); a key of a timestamp with time zone holds
    PostgreSQL's text of it (with its offset), so such a key is the engine's own.
-#}
{% macro surrogate_key(field_list) -%}
    md5(
        {%- for field in field_list %}
        coalesce(cast({{ field }} as {{ sql_type('text') }}), '_dbt_utils_surrogate_key_null_')
        {%- if not loop.last %} || '-' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
