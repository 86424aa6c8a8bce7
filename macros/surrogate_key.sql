{#-
    A stable text key from several columns, as dbt_utils.generate_surrogate_key builds it:
    md5 over the columns cast to text, nulls replaced by a marker, joined with '-'.
-#}
{% macro surrogate_key(field_list) -%}
    md5(
        {%- for field in field_list %}
        coalesce(cast({{ field }} as {{ sql_type('text') }}), '_dbt_utils_surrogate_key_null_')
        {%- if not loop.last %} || '-' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
